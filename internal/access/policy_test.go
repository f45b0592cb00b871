package access_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// The people of the matrix. Every row below is about Sam's record.
const sam tend.ID = "person-sam"

type caller struct {
	actor tend.Actor
	rel   access.Relationship
}

func staff(id tend.ID, role tend.Role) tend.Actor {
	return tend.Actor{Kind: tend.KindStaff, ID: id, Role: role, MFA: true}
}

func member(role tend.CareRole, state access.MemberState, grants map[access.Area]access.Level) access.Membership {
	return access.Membership{ID: tend.ID("m-" + string(role)), Role: role, State: state, Grants: grants}
}

var (
	see, edit       = access.LevelSee, access.LevelEdit
	therapistGrants = map[access.Area]access.Level{access.AreaDiary: see, access.AreaSafetyPlan: edit, access.AreaQuestionnaires: see, access.AreaTest: edit}
)

// callers are the kinds of caller the matrix covers, each with what the
// checker would know about them and Sam.
var callers = map[string]caller{
	"anonymous":      {tend.Actor{}, access.Relationship{Exists: true}},
	"sam":            {tend.Actor{Kind: tend.KindPerson, ID: sam}, access.Relationship{Exists: true, Self: true}},
	"another person": {tend.Actor{Kind: tend.KindPerson, ID: "person-alex"}, access.Relationship{Exists: true}},
	"therapist": {staff("lee", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareTherapist, access.MemberActive, therapistGrants)}}},
	"prescriber": {staff("priya", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CarePrescriber, access.MemberActive, nil)}}},
	"group facilitator": {staff("jo", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareGroupFacilitator, access.MemberActive, map[access.Area]access.Level{access.AreaToolboxLog: see})}}},
	"coordinator without grants": {staff("cas", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareCoordinator, access.MemberActive, nil)}}},
	"coordinator with diary see": {staff("cas", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareCoordinator, access.MemberActive, map[access.Area]access.Level{access.AreaDiary: see})}}},
	"coordinator with diary edit": {staff("cas", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareCoordinator, access.MemberActive, map[access.Area]access.Level{access.AreaDiary: edit})}}},
	"therapist, test area revoked": {staff("lee", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareTherapist, access.MemberActive, map[access.Area]access.Level{access.AreaDiary: see})}}},
	"follow-up therapist": {staff("lee", tend.RoleClinician), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareTherapist, access.MemberFollowUp, therapistGrants)}}},
	"supporter": {tend.Actor{Kind: tend.KindSupporter, ID: "sup-1"}, access.Relationship{Exists: true, Supporter: true,
		SupporterItems: []access.SupporterItem{access.ItemSteps3to5, access.ItemWhoToCall}}},
	"duty, task open":           {staff("dee", tend.RoleClinician), access.Relationship{Exists: true, DutyTaskOpen: true}},
	"duty, no task":             {staff("dee", tend.RoleClinician), access.Relationship{Exists: true}},
	"clinician not on the team": {staff("kim", tend.RoleClinician), access.Relationship{Exists: true}},
	"lead of sam's team":        {staff("morgan", tend.RoleLead), access.Relationship{Exists: true, LeadOfTeam: true}},
	"lead of another team":      {staff("lou", tend.RoleLead), access.Relationship{Exists: true}},
	"admin":                     {staff("ada", tend.RoleAdmin), access.Relationship{Exists: true}},
	"admin wrongly on the team": {staff("ada", tend.RoleAdmin), access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareTherapist, access.MemberActive, therapistGrants)}}},
	"therapist without MFA": {tend.Actor{Kind: tend.KindStaff, ID: "lee", Role: tend.RoleClinician}, access.Relationship{Exists: true,
		Memberships: []access.Membership{member(tend.CareTherapist, access.MemberActive, therapistGrants)}}},
	"therapist's token, diary.read only": {tend.Actor{Kind: tend.KindStaff, ID: "lee", Role: tend.RoleClinician, MFA: true, Scopes: []string{"diary.read"}},
		access.Relationship{Exists: true, Memberships: []access.Membership{member(tend.CareTherapist, access.MemberActive, therapistGrants)}}},
	"sam's token, no scopes":  {tend.Actor{Kind: tend.KindPerson, ID: sam, Scopes: []string{}}, access.Relationship{Exists: true, Self: true}},
	"sam's token, diary.read": {tend.Actor{Kind: tend.KindPerson, ID: sam, Scopes: []string{"diary.read"}}, access.Relationship{Exists: true, Self: true}},
	"tend itself":             {tend.System, access.Relationship{Exists: true}},
	"tend transferring sam":   {access.TransferActor(), access.Relationship{Exists: true}},
}

// Outcomes.
const (
	allow     = "allow"
	forbidden = "403"
	notFound  = "404"
	signIn    = "401"
)

// matrix is the authorization matrix, written by hand for clinicians to
// review. Never generate it from what the code does.
var matrix = []struct {
	who    string
	action access.Action
	target access.Target
	want   string
}{
	// Anonymous: nothing.
	{"anonymous", access.DiaryRead, access.Target{}, signIn},
	{"anonymous", access.SafetyPlanRead, access.Target{}, signIn},
	{"anonymous", access.ProfileRead, access.Target{}, signIn},

	// Sam: everything about themselves except clinician notes.
	{"sam", access.DiaryRead, access.Target{}, allow},
	{"sam", access.DiaryWrite, access.Target{}, allow},
	{"sam", access.SafetyPlanWrite, access.Target{}, allow},
	{"sam", access.JournalRead, access.Target{}, allow},
	{"sam", access.HopeBoxRead, access.Target{}, allow},
	{"sam", access.HopeBoxWrite, access.Target{}, allow},
	{"sam", access.TestAreaRead, access.Target{}, allow},
	{"sam", access.TaskMetaRead, access.Target{}, allow},
	{"sam", access.TaskDetailRead, access.Target{Area: access.AreaDiary}, allow},
	{"sam", access.HomeworkRead, access.Target{}, allow},
	{"sam", access.MedicationRead, access.Target{}, allow},
	{"sam", access.MedicationWrite, access.Target{}, forbidden},
	{"sam", access.GroupAttendanceRead, access.Target{}, allow},
	{"sam", access.EpisodeRead, access.Target{}, allow},
	{"sam", access.NoteRead, access.Target{}, forbidden},
	{"sam", access.NoteWrite, access.Target{}, forbidden},
	{"sam", access.CareTeamRead, access.Target{}, allow},
	{"sam", access.CareTeamManage, access.Target{}, forbidden},
	{"sam", access.SharingManage, access.Target{}, allow},
	{"sam", access.AuditReadOwn, access.Target{}, allow},
	{"sam", access.DataExport, access.Target{}, allow},
	{"sam", access.AccountErase, access.Target{}, allow},
	{"another person", access.DataExport, access.Target{}, notFound},
	{"another person", access.AccountErase, access.Target{}, notFound},
	{"sam", access.RemindersManage, access.Target{}, allow},
	{"another person", access.RemindersManage, access.Target{}, notFound},
	{"supporter", access.RemindersManage, access.Target{}, forbidden},
	{"supporter", access.DataExport, access.Target{}, forbidden},
	{"sam", access.ReportRead, access.Target{}, forbidden},
	{"sam", access.StaffManage, access.Target{}, forbidden},
	{"sam", access.SafetyPromptsManage, access.Target{}, forbidden},

	// Another person: Sam's record does not exist for them.
	{"another person", access.DiaryRead, access.Target{}, notFound},
	{"another person", access.ProfileRead, access.Target{}, notFound},
	{"another person", access.SafetyPlanRead, access.Target{}, notFound},

	// Therapist with the service's default grants (diary, questionnaires: see;
	// safety plan: edit) and the test area: edit.
	{"therapist", access.DiaryRead, access.Target{}, allow},
	{"therapist", access.DiaryWrite, access.Target{}, forbidden},
	{"therapist", access.SafetyPlanRead, access.Target{}, allow},
	{"therapist", access.SafetyPlanWrite, access.Target{}, allow},
	{"therapist", access.QuestionnairesRead, access.Target{}, allow},
	{"therapist", access.JournalRead, access.Target{}, forbidden},
	{"therapist", access.ToolboxLogRead, access.Target{}, forbidden},
	{"therapist", access.ChainAnalysisRead, access.Target{}, forbidden},
	{"therapist", access.HopeBoxRead, access.Target{}, forbidden},
	{"therapist", access.TestAreaRead, access.Target{}, allow},
	{"therapist", access.TestAreaWrite, access.Target{}, allow},
	{"therapist", access.TaskMetaRead, access.Target{}, allow},
	{"therapist", access.TaskDetailRead, access.Target{Area: access.AreaDiary}, allow},
	{"therapist", access.TaskDetailRead, access.Target{Area: access.AreaJournal}, forbidden},
	{"therapist", access.HomeworkRead, access.Target{AssignedBy: "jo"}, allow},
	{"therapist", access.HomeworkWrite, access.Target{}, allow},
	{"therapist", access.MedicationRead, access.Target{}, allow},
	{"therapist", access.MedicationWrite, access.Target{}, forbidden},
	{"therapist", access.GroupAttendanceRead, access.Target{}, allow},
	{"therapist", access.GroupAttendanceWrite, access.Target{}, forbidden},
	{"therapist", access.EpisodeRead, access.Target{}, allow},
	{"therapist", access.EpisodeWrite, access.Target{}, allow},
	{"therapist", access.NoteRead, access.Target{}, allow},
	{"therapist", access.NoteWrite, access.Target{}, allow},
	{"therapist", access.ProfileRead, access.Target{}, allow},
	{"therapist", access.CareTeamRead, access.Target{}, allow},
	{"therapist", access.CareTeamManage, access.Target{}, forbidden},
	{"therapist", access.SharingManage, access.Target{}, forbidden},
	{"therapist", access.AuditReadOwn, access.Target{}, forbidden},
	{"therapist", access.DataExport, access.Target{}, forbidden},
	{"therapist", access.AccountErase, access.Target{}, forbidden},
	{"therapist", access.RemindersManage, access.Target{}, forbidden},
	{"therapist", access.ReportRead, access.Target{}, forbidden},
	{"therapist", access.StaffManage, access.Target{}, forbidden},
	{"therapist", access.SafetyPromptsManage, access.Target{}, allow},

	// Prescriber, no grants.
	{"prescriber", access.DiaryRead, access.Target{}, forbidden},
	{"prescriber", access.SafetyPlanRead, access.Target{}, forbidden},
	{"prescriber", access.MedicationRead, access.Target{}, allow},
	{"prescriber", access.MedicationWrite, access.Target{}, allow},
	{"prescriber", access.NoteRead, access.Target{}, allow},
	{"prescriber", access.NoteWrite, access.Target{}, allow},
	{"prescriber", access.TaskMetaRead, access.Target{}, forbidden},
	{"prescriber", access.HomeworkRead, access.Target{AssignedBy: "lee"}, forbidden},
	{"prescriber", access.HomeworkRead, access.Target{AssignedBy: "priya"}, allow},
	{"prescriber", access.EpisodeRead, access.Target{}, allow},
	{"prescriber", access.GroupAttendanceRead, access.Target{}, forbidden},
	{"prescriber", access.SafetyPromptsManage, access.Target{}, forbidden},

	// Group facilitator, toolbox log shared.
	{"group facilitator", access.ToolboxLogRead, access.Target{}, allow},
	{"group facilitator", access.ToolboxLogWrite, access.Target{}, forbidden},
	{"group facilitator", access.DiaryRead, access.Target{}, forbidden},
	{"group facilitator", access.GroupAttendanceRead, access.Target{}, allow},
	{"group facilitator", access.GroupAttendanceWrite, access.Target{}, allow},
	{"group facilitator", access.NoteRead, access.Target{}, forbidden},
	{"group facilitator", access.NoteWrite, access.Target{}, forbidden},
	{"group facilitator", access.MedicationRead, access.Target{}, forbidden},
	{"group facilitator", access.HomeworkWrite, access.Target{AssignedBy: "jo"}, allow},
	{"group facilitator", access.HomeworkRead, access.Target{AssignedBy: "lee"}, forbidden},
	{"group facilitator", access.EpisodeRead, access.Target{}, allow},
	{"group facilitator", access.TaskMetaRead, access.Target{}, forbidden},

	// Care coordinator, without a grant, with see, with edit.
	{"coordinator without grants", access.DiaryRead, access.Target{}, forbidden},
	{"coordinator without grants", access.TaskMetaRead, access.Target{}, allow},
	{"coordinator without grants", access.TaskDetailRead, access.Target{Area: access.AreaDiary}, forbidden},
	{"coordinator without grants", access.MedicationRead, access.Target{}, allow},
	{"coordinator without grants", access.MedicationWrite, access.Target{}, forbidden},
	{"coordinator without grants", access.NoteRead, access.Target{}, allow},
	{"coordinator without grants", access.SafetyPromptsManage, access.Target{}, allow},
	{"coordinator with diary see", access.DiaryRead, access.Target{}, allow},
	{"coordinator with diary see", access.DiaryWrite, access.Target{}, forbidden},
	{"coordinator with diary see", access.TaskDetailRead, access.Target{Area: access.AreaDiary}, allow},
	{"coordinator with diary edit", access.DiaryRead, access.Target{}, allow},
	{"coordinator with diary edit", access.DiaryWrite, access.Target{}, allow},
	{"coordinator with diary edit", access.JournalRead, access.Target{}, forbidden},

	// A member whose test area was revoked.
	{"therapist, test area revoked", access.TestAreaRead, access.Target{}, forbidden},
	{"therapist, test area revoked", access.TestAreaWrite, access.Target{}, forbidden},
	{"therapist, test area revoked", access.DiaryRead, access.Target{}, allow},

	// Follow-up only, after discharge.
	{"follow-up therapist", access.ProfileRead, access.Target{}, allow},
	{"follow-up therapist", access.QuestionnairesRead, access.Target{}, allow},
	{"follow-up therapist", access.EpisodeWrite, access.Target{}, allow},
	{"follow-up therapist", access.DiaryRead, access.Target{}, forbidden},
	{"follow-up therapist", access.SafetyPlanRead, access.Target{}, forbidden},
	{"follow-up therapist", access.NoteRead, access.Target{}, forbidden},
	{"follow-up therapist", access.TaskMetaRead, access.Target{}, forbidden},
	{"follow-up therapist", access.SafetyPromptsManage, access.Target{}, forbidden},

	// Supporter: only the items Sam gave.
	{"supporter", access.SafetyPlanRead, access.Target{Item: access.ItemSteps3to5}, allow},
	{"supporter", access.SafetyPlanRead, access.Target{Item: access.ItemWhoToCall}, allow},
	{"supporter", access.SafetyPlanRead, access.Target{Item: access.ItemWarningSigns}, forbidden},
	{"supporter", access.SafetyPlanRead, access.Target{}, forbidden},
	{"supporter", access.SafetyPlanWrite, access.Target{Item: access.ItemSteps3to5}, forbidden},
	{"supporter", access.DiaryRead, access.Target{}, forbidden},
	{"supporter", access.JournalRead, access.Target{}, forbidden},
	{"supporter", access.QuestionnairesRead, access.Target{}, forbidden},
	{"supporter", access.NoteRead, access.Target{}, forbidden},
	{"supporter", access.HopeBoxRead, access.Target{}, forbidden},
	{"supporter", access.ProfileRead, access.Target{}, forbidden},

	// Duty team.
	{"duty, task open", access.TaskMetaRead, access.Target{}, allow},
	{"duty, task open", access.SafetyPlanRead, access.Target{}, allow},
	{"duty, task open", access.ProfileRead, access.Target{}, allow},
	{"duty, task open", access.SafetyPlanWrite, access.Target{}, forbidden},
	{"duty, task open", access.TaskDetailRead, access.Target{Area: access.AreaDiary}, forbidden},
	{"duty, task open", access.DiaryRead, access.Target{}, forbidden},
	{"duty, task open", access.NoteRead, access.Target{}, forbidden},
	{"duty, task open", access.SafetyPromptsManage, access.Target{}, forbidden},
	{"duty, no task", access.SafetyPlanRead, access.Target{}, notFound},
	{"duty, no task", access.TaskMetaRead, access.Target{}, notFound},

	// A clinician not on Sam's team (Kim): Sam does not exist for them.
	{"clinician not on the team", access.DiaryRead, access.Target{}, notFound},
	{"clinician not on the team", access.ProfileRead, access.Target{}, notFound},
	{"clinician not on the team", access.NoteRead, access.Target{}, notFound},
	{"clinician not on the team", access.SafetyPromptsManage, access.Target{}, notFound},
	{"clinician not on the team", access.CareTeamManage, access.Target{}, notFound},

	// Leads.
	{"lead of sam's team", access.TaskMetaRead, access.Target{}, allow},
	{"lead of sam's team", access.TaskDetailRead, access.Target{Area: access.AreaDiary}, forbidden},
	{"lead of sam's team", access.ProfileRead, access.Target{}, allow},
	{"lead of sam's team", access.CareTeamRead, access.Target{}, allow},
	{"lead of sam's team", access.CareTeamManage, access.Target{}, allow},
	{"lead of sam's team", access.DiaryRead, access.Target{}, forbidden},
	{"lead of sam's team", access.SafetyPlanRead, access.Target{}, forbidden},
	{"lead of sam's team", access.NoteRead, access.Target{}, forbidden},
	{"lead of sam's team", access.SharingManage, access.Target{}, forbidden},
	{"lead of another team", access.TaskMetaRead, access.Target{}, notFound},
	{"lead of another team", access.ProfileRead, access.Target{}, notFound},
	{"lead of another team", access.CareTeamManage, access.Target{}, notFound},

	// Admin: membership and records, no clinical data at all.
	{"admin", access.ProfileRead, access.Target{}, forbidden}, // admins open no person's record; they manage memberships through care_team.manage
	{"admin", access.CareTeamRead, access.Target{}, allow},
	{"admin", access.CareTeamManage, access.Target{}, allow},
	{"admin", access.DiaryRead, access.Target{}, forbidden},
	{"admin", access.SafetyPlanRead, access.Target{}, forbidden},
	{"admin", access.TaskMetaRead, access.Target{}, forbidden},
	{"admin", access.NoteRead, access.Target{}, forbidden},
	{"admin", access.MedicationRead, access.Target{}, forbidden},
	{"admin", access.EpisodeRead, access.Target{}, forbidden},
	{"admin", access.AuditReadOwn, access.Target{}, forbidden},
	{"admin", access.DataExport, access.Target{}, forbidden},
	{"admin", access.AccountErase, access.Target{}, forbidden},
	{"admin", access.RemindersManage, access.Target{}, forbidden},
	{"admin", access.SharingManage, access.Target{}, forbidden},
	{"admin wrongly on the team", access.DiaryRead, access.Target{}, forbidden},
	{"admin wrongly on the team", access.NoteRead, access.Target{}, forbidden},

	// Staff without a passed second factor open nothing.
	{"therapist without MFA", access.DiaryRead, access.Target{}, forbidden},
	{"therapist without MFA", access.ProfileRead, access.Target{}, forbidden},
	{"therapist without MFA", access.NoteRead, access.Target{}, forbidden},

	// API tokens narrow what their account could do.
	{"therapist's token, diary.read only", access.DiaryRead, access.Target{}, allow},
	{"therapist's token, diary.read only", access.SafetyPlanRead, access.Target{}, forbidden},
	{"therapist's token, diary.read only", access.NoteRead, access.Target{}, forbidden},
	{"sam's token, no scopes", access.DiaryRead, access.Target{}, forbidden},
	{"sam's token, diary.read", access.DiaryRead, access.Target{}, allow},
	{"sam's token, diary.read", access.DiaryWrite, access.Target{}, forbidden},

	// The operator's exports: Tend itself on the command line, and nobody
	// signed in. Tend itself opens nothing else of a person's record.
	{"tend itself", access.OutcomesExport, access.Target{}, allow},
	{"tend itself", access.TransferExport, access.Target{}, allow},
	{"tend itself", access.DiaryRead, access.Target{}, notFound},
	{"tend itself", access.NoteRead, access.Target{}, notFound},
	{"tend itself", access.ReportRead, access.Target{}, notFound},
	{"sam", access.TransferExport, access.Target{}, forbidden},
	{"sam", access.OutcomesExport, access.Target{}, forbidden},
	{"therapist", access.TransferExport, access.Target{}, forbidden},
	{"lead of sam's team", access.OutcomesExport, access.Target{}, forbidden},
	{"lead of sam's team", access.TransferExport, access.Target{}, forbidden},
	{"admin", access.OutcomesExport, access.Target{}, forbidden},
	{"admin", access.TransferExport, access.Target{}, forbidden},
	// The transfer export reads what a transfer carries, and nothing else.
	{"tend itself", access.ProfileRead, access.Target{}, notFound},
	{"tend itself", access.SafetyPlanRead, access.Target{}, notFound},
	{"tend transferring sam", access.TransferExport, access.Target{}, allow},
	{"tend transferring sam", access.ProfileRead, access.Target{}, allow},
	{"tend transferring sam", access.CareTeamRead, access.Target{}, allow},
	{"tend transferring sam", access.SafetyPlanRead, access.Target{}, allow},
	{"tend transferring sam", access.QuestionnairesRead, access.Target{}, allow},
	{"tend transferring sam", access.DiaryRead, access.Target{}, allow},
	{"tend transferring sam", access.NoteRead, access.Target{}, notFound},
	{"tend transferring sam", access.JournalRead, access.Target{}, notFound},
	{"tend transferring sam", access.ChainAnalysisRead, access.Target{}, notFound},
	{"tend transferring sam", access.ToolboxLogRead, access.Target{}, notFound},
	{"tend transferring sam", access.HopeBoxRead, access.Target{}, notFound},
	{"tend transferring sam", access.MedicationRead, access.Target{}, notFound},
	{"tend transferring sam", access.DiaryWrite, access.Target{}, notFound},
	{"tend transferring sam", access.SharingManage, access.Target{}, notFound},
	{"tend transferring sam", access.OutcomesExport, access.Target{}, notFound},
}

// fixedFacts answers with one prepared relationship.
type fixedFacts struct{ rel access.Relationship }

func (f fixedFacts) Relationship(context.Context, tend.Actor, tend.ID) (access.Relationship, error) {
	return f.rel, nil
}

func (f fixedFacts) TeamRelationship(context.Context, tend.Actor, tend.ID) (access.Relationship, error) {
	return f.rel, nil
}

func outcome(err error) string {
	if err == nil {
		return allow
	}
	switch tend.ErrorKind(err) {
	case tend.EFORBIDDEN:
		return forbidden
	case tend.ENOTFOUND:
		return notFound
	case tend.EUNAUTHORIZED:
		return signIn
	}
	return err.Error()
}

func TestMatrix(t *testing.T) {
	ctx := context.Background()
	for _, row := range matrix {
		name := row.who + "/" + string(row.action)
		if row.target != (access.Target{}) {
			name += "/" + string(row.target.Area) + string(row.target.Item) + string(row.target.AssignedBy)
		}
		t.Run(name, func(t *testing.T) {
			c, ok := callers[row.who]
			if !ok {
				t.Fatalf("no caller %q", row.who)
			}
			err := access.NewChecker(fixedFacts{c.rel}).CheckTarget(ctx, c.actor, row.action, sam, row.target)
			if got := outcome(err); got != row.want {
				t.Errorf("got %s, want %s (%v)", got, row.want, err)
			}
		})
	}
}

// TestMatrixCoversEveryCaller keeps every caller of the list in the matrix.
func TestMatrixCoversEveryCaller(t *testing.T) {
	used := map[string]bool{}
	for _, row := range matrix {
		used[row.who] = true
	}
	for who := range callers {
		if !used[who] {
			t.Errorf("caller %q has no rows in the matrix", who)
		}
	}
}

// TestEveryActionHasRules: an action added to the vocabulary needs rules, or
// an explicit place in DenyOnly.
func TestEveryActionHasRules(t *testing.T) {
	inPolicy := map[access.Action]bool{}
	for _, r := range access.Policy {
		if !r.Action.Valid() {
			t.Errorf("rule %+v names an action outside the vocabulary", r)
		}
		if r.Reason == "" {
			t.Errorf("rule %+v gives no reason", r)
		}
		inPolicy[r.Action] = true
	}
	for _, a := range access.Actions {
		_, denyOnly := access.DenyOnly[a]
		if !inPolicy[a] && !denyOnly {
			t.Errorf("action %s has no rule and is not listed in DenyOnly", a)
		}
		if inPolicy[a] && denyOnly {
			t.Errorf("action %s is in DenyOnly but has rules", a)
		}
	}
}

// TestHopeBoxNeverShared: no grant, however high, opens the hope box.
func TestHopeBoxNeverShared(t *testing.T) {
	rel := access.Relationship{Exists: true, Memberships: []access.Membership{
		member(tend.CareTherapist, access.MemberActive, map[access.Area]access.Level{access.AreaHopeBox: edit}),
	}}
	for _, a := range []access.Action{access.HopeBoxRead, access.HopeBoxWrite} {
		if d := access.Decide(staff("lee", tend.RoleClinician), a, rel); d.Allow {
			t.Errorf("%s allowed: %s", a, d.Reason)
		}
	}
	if access.AreaHopeBox.Shareable() {
		t.Error("the hope box is shareable")
	}
}

// TestDenyByDefault: an action outside the vocabulary is denied even to the person.
func TestDenyByDefault(t *testing.T) {
	d := access.Decide(tend.Actor{Kind: tend.KindPerson, ID: sam}, "diary.delete_everything", access.Relationship{Exists: true, Self: true})
	if d.Allow || d.Reason != access.ReasonUnknown {
		t.Errorf("Decide = %+v", d)
	}
}

func TestCheckNotFound(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrNotFoundMissingPerson", func(t *testing.T) {
		c := access.NewChecker(fixedFacts{access.Relationship{}})
		err := c.Check(ctx, staff("ada", tend.RoleAdmin), access.ProfileRead, "nobody")
		if tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
	})
	t.Run("Service", func(t *testing.T) {
		c := access.NewChecker(fixedFacts{})
		if err := c.CheckService(ctx, staff("ada", tend.RoleAdmin), access.StaffManage); err != nil {
			t.Errorf("admin StaffManage: %v", err)
		}
		if err := c.CheckService(ctx, staff("lee", tend.RoleClinician), access.StaffManage); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Errorf("clinician StaffManage: %v, want EFORBIDDEN", err)
		}
	})
	t.Run("Team", func(t *testing.T) {
		lead := access.NewChecker(fixedFacts{access.Relationship{Exists: true, LeadOfTeam: true}})
		if err := lead.CheckTeam(ctx, staff("morgan", tend.RoleLead), access.ReportRead, "team-1"); err != nil {
			t.Errorf("lead of the team: %v", err)
		}
		other := access.NewChecker(fixedFacts{access.Relationship{Exists: true}})
		if err := other.CheckTeam(ctx, staff("lou", tend.RoleLead), access.ReportRead, "team-1"); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("lead of another team: %v, want ENOTFOUND", err)
		}
		if err := other.CheckTeam(ctx, staff("ada", tend.RoleAdmin), access.ReportRead, "team-1"); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Errorf("admin: %v, want EFORBIDDEN", err)
		}
	})
}
