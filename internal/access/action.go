package access

import "slices"

// Action is one thing a caller may do. The vocabulary is fixed: an action
// that is not in Actions is denied, and every action has rules in Policy or
// is listed in DenyOnly.
type Action string

// Area actions: reading and writing the areas a person shares per care-team
// member (see Area).
const (
	DiaryRead           Action = "diary.read"
	DiaryWrite          Action = "diary.write"
	SafetyPlanRead      Action = "safety_plan.read"
	SafetyPlanWrite     Action = "safety_plan.write"
	QuestionnairesRead  Action = "questionnaires.read"
	QuestionnairesWrite Action = "questionnaires.write"
	ToolboxLogRead      Action = "toolbox_log.read"
	ToolboxLogWrite     Action = "toolbox_log.write"
	JournalRead         Action = "journal.read"
	JournalWrite        Action = "journal.write"
	ChainAnalysisRead   Action = "chain_analysis.read"
	ChainAnalysisWrite  Action = "chain_analysis.write"
	// HopeBoxRead and HopeBoxWrite belong to the person alone: the hope box
	// is never shareable.
	HopeBoxRead  Action = "hope_box.read"
	HopeBoxWrite Action = "hope_box.write"
	// TestAreaRead and TestAreaWrite act on the test-only area (AreaTest).
	TestAreaRead  Action = "test_area.read"
	TestAreaWrite Action = "test_area.write"
)

// Actions on data outside the areas, with fixed rules (DESIGN.md "Who sees what").
const (
	TaskMetaRead         Action = "task_meta.read"   // a follow-up task's trigger kind, time and state
	TaskDetailRead       Action = "task_detail.read" // a task's ratings, answers or notes (area data)
	HomeworkRead         Action = "homework.read"
	HomeworkWrite        Action = "homework.write"
	MedicationRead       Action = "medication.read"
	MedicationWrite      Action = "medication.write"
	GroupAttendanceRead  Action = "group_attendance.read"
	GroupAttendanceWrite Action = "group_attendance.write"
	EpisodeRead          Action = "episode.read" // episodes of care and sessions
	EpisodeWrite         Action = "episode.write"
	NoteRead             Action = "note.read" // clinician notes
	NoteWrite            Action = "note.write"
	ProfileRead          Action = "profile.read" // the person's basic record: username, state, team
	CareTeamRead         Action = "care_team.read"
	CareTeamManage       Action = "care_team.manage"
	SharingManage        Action = "sharing.manage"
	AuditReadOwn         Action = "audit.read_own" // "who has looked at my information"
	ReportRead           Action = "report.read"    // aggregate reports for a team
	// SafetyPromptsManage sets what a safety prompt does for one person
	// (safety-rules.md section 4: "per person by their clinician").
	SafetyPromptsManage Action = "safety_prompts.manage"
	// DataExport is "Download my information"; AccountErase is "Erase my
	// account". Both are the person's own rights over their data.
	DataExport   Action = "data.export"
	AccountErase Action = "account.erase"
	// RemindersManage sets and reads the person's own reminders
	// (internal/remind); they are the person's, never staff's.
	RemindersManage Action = "reminders.manage"
)

// Operator actions: what Tend itself (tend.System, the operator's command
// line) does with the whole service's data; nobody signed in may.
const (
	// OutcomesExport writes the de-identified, suppressed outcome figures
	// of the whole service for service evaluation (tend export outcomes).
	OutcomesExport Action = "outcomes.export"
	// TransferExport writes one person's FHIR Bundle for a transfer to
	// another service (tend export person).
	TransferExport Action = "transfer.export"
)

// Administration actions: about the service, never about a person's data.
const (
	StaffManage    Action = "staff.manage"
	InviteManage   Action = "invite.manage"
	SettingsManage Action = "settings.manage"
)

// Actions lists the whole vocabulary.
var Actions = []Action{
	DiaryRead, DiaryWrite, SafetyPlanRead, SafetyPlanWrite, QuestionnairesRead, QuestionnairesWrite,
	ToolboxLogRead, ToolboxLogWrite, JournalRead, JournalWrite, ChainAnalysisRead, ChainAnalysisWrite,
	HopeBoxRead, HopeBoxWrite, TestAreaRead, TestAreaWrite,
	TaskMetaRead, TaskDetailRead, HomeworkRead, HomeworkWrite, MedicationRead, MedicationWrite,
	GroupAttendanceRead, GroupAttendanceWrite, EpisodeRead, EpisodeWrite, NoteRead, NoteWrite,
	ProfileRead, CareTeamRead, CareTeamManage, SharingManage, AuditReadOwn, ReportRead, SafetyPromptsManage,
	DataExport, AccountErase, RemindersManage,
	StaffManage, InviteManage, SettingsManage,
	OutcomesExport, TransferExport,
}

// Valid reports whether a is in the vocabulary.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Area is a part of a person's record that they share, per care-team member,
// as see or see-and-edit.
type Area string

// The areas. AreaHopeBox is listed so that it can be refused by name: it is
// never shareable.
const (
	AreaDiary          Area = "diary"
	AreaSafetyPlan     Area = "safety_plan"
	AreaQuestionnaires Area = "questionnaires"
	AreaToolboxLog     Area = "toolbox_log"
	AreaJournal        Area = "journal"
	AreaChainAnalysis  Area = "chain_analysis"
	AreaHopeBox        Area = "hope_box"
	// AreaTest is a test-only area. It holds no data; it exists so that
	// sharing, revocation and the authorization matrix are exercised before
	// the feature issues bring the real areas. Pages never offer it to people.
	AreaTest Area = "test_area"
)

// Areas lists every area, shareable or not.
var Areas = []Area{AreaDiary, AreaSafetyPlan, AreaQuestionnaires, AreaToolboxLog, AreaJournal, AreaChainAnalysis, AreaHopeBox, AreaTest}

// Shareable reports whether a person can grant area to a care-team member.
func (a Area) Shareable() bool { return a != AreaHopeBox && slices.Contains(Areas, a) }

// Written reports whether a care-team member can write in the area at all.
// The journal and the toolbox log are the person's own words and uses: a
// grant there is "see" at most, whatever level is stored.
func (a Area) Written() bool { return a != AreaJournal && a != AreaToolboxLog && a != AreaHopeBox }

// ReadAction returns the action that reads area, or "" for an unknown area.
func (a Area) ReadAction() Action {
	if !slices.Contains(Areas, a) {
		return ""
	}
	return Action(string(a) + ".read")
}

// WriteAction returns the action that writes area, or "" for an unknown area.
func (a Area) WriteAction() Action {
	if !slices.Contains(Areas, a) {
		return ""
	}
	return Action(string(a) + ".write")
}

// AreaOf returns the area an action reads or writes, and whether it has one.
func AreaOf(act Action) (Area, bool) {
	for _, a := range Areas {
		if act == a.ReadAction() || act == a.WriteAction() {
			return a, true
		}
	}
	return "", false
}

// Level is how much of an area a care-team member may use.
type Level string

// The levels, in increasing order.
const (
	LevelNone Level = "none"
	LevelSee  Level = "see"
	LevelEdit Level = "edit" // see and edit
)

// Valid reports whether l is a level.
func (l Level) Valid() bool { return l == LevelNone || l == LevelSee || l == LevelEdit }

// AtLeast reports whether l grants at least want ("" counts as none).
func (l Level) AtLeast(want Level) bool { return l.rank() >= want.rank() }

func (l Level) rank() int {
	switch l {
	case LevelSee:
		return 1
	case LevelEdit:
		return 2
	}
	return 0
}

// SupporterItem is one thing a person can give a supporter (young-people.md):
// a read-only copy of chosen safety-plan steps, or who to call. The list is
// fixed so that nothing else (the diary, journal, questionnaires or notes)
// can ever be given.
type SupporterItem string

// The items a supporter can be given. Each is part of the safety plan, and a
// supporter reads it through SafetyPlanRead narrowed to that item.
const (
	ItemWarningSigns  SupporterItem = "safety_plan.step_1" // warning signs
	ItemCoping        SupporterItem = "safety_plan.step_2" // internal coping strategies
	ItemDistraction   SupporterItem = "safety_plan.step_3" // people and places that distract
	ItemPeopleToAsk   SupporterItem = "safety_plan.step_4" // people to ask for help
	ItemProfessionals SupporterItem = "safety_plan.step_5" // professionals and services
	ItemSaferPlace    SupporterItem = "safety_plan.step_6" // making the environment safer
	ItemSteps3to5     SupporterItem = "safety_plan.steps_3_5"
	ItemWhoToCall     SupporterItem = "who_to_call"
)

// SupporterItems lists every item a supporter can be given.
var SupporterItems = []SupporterItem{ItemWarningSigns, ItemCoping, ItemDistraction, ItemPeopleToAsk, ItemProfessionals, ItemSaferPlace, ItemSteps3to5, ItemWhoToCall}

// Valid reports whether i can be given to a supporter.
func (i SupporterItem) Valid() bool { return slices.Contains(SupporterItems, i) }
