package access

import (
	"slices"

	"github.com/tendcare/tend"
)

// Caller is the capacity in which someone acts towards a person. One account
// can act in several capacities (a clinician who is both therapist and care
// coordinator for the same person); each capacity is judged on its own, and
// the action is allowed when any capacity allows it.
type Caller string

// The capacities.
const (
	CallerSelf             Caller = "the person"
	CallerTherapist        Caller = "their therapist (active)"
	CallerPrescriber       Caller = "their prescriber (active)"
	CallerGroupFacilitator Caller = "their group facilitator (active)"
	CallerCareCoordinator  Caller = "their care coordinator (active)"
	CallerCareTeam         Caller = "any active member of their care team"
	CallerFollowUp         Caller = "a follow-up-only member of their care team (after discharge)"
	CallerSupporter        Caller = "a supporter the person invited"
	CallerLead             Caller = "a lead of the person's team"
	CallerDuty             Caller = "the duty or intake team, while a task routed to it is open"
	CallerAdmin            Caller = "an admin"
	CallerSystem           Caller = "Tend itself: the operator's command line"
)

// Condition is what must also hold for a rule to apply.
type Condition string

// The conditions.
const (
	Always        Condition = ""
	GrantSee      Condition = "the person grants this member the area: see, or see and edit"
	GrantEdit     Condition = "the person grants this member the area: see and edit"
	GivenItem     Condition = "the person gave the supporter the item read"
	TaskRole      Condition = "the member's role is one the service names for follow-up tasks (default: therapist, care coordinator)"
	TaskRoleShare Condition = "the member's role is one the service names for tasks, and the person grants them the area the details come from"
	AssignedByMe  Condition = "the caller assigned this homework (or is assigning it now)"
	ForTransfer   Condition = "Tend itself is making the operator's transfer export of the person (TransferActor)"
)

// Effect is what a rule does when it applies.
type Effect string

// The effects. Within one capacity a Deny that applies wins over an Allow;
// Deny rows state the "never" lines of DESIGN.md so that they are explicit.
const (
	Allow Effect = "allow"
	Deny  Effect = "deny"
)

// Rule is one line of the policy.
type Rule struct {
	Caller Caller
	Action Action
	When   Condition
	Effect Effect
	Reason string
}

// Policy is the whole access policy (DESIGN.md "Who sees what"), one rule per
// line, grouped by action. What no rule allows is denied. Change it only with
// the hand-written matrix in policy_test.go changed to match, and have a
// clinician review both.
//
// Follow-up-only memberships (after discharge, with the consent recorded at
// discharge) exist so that the care team can follow the person up at 3, 6
// and 12 months (DESIGN.md "Lifecycle"). They keep only what that needs: the
// person's basic record, their care team, episodes (to record follow-up
// points) and questionnaires as far as the person still shares them (the
// follow-up measures). Every other area, homework, medication, notes and
// tasks stay closed to them: after discharge, safety-prompt tasks go to the
// duty or intake team instead.
var Policy = []Rule{
	// The areas the person shares. The person always uses their own tools.
	{CallerSelf, DiaryRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, DiaryWrite, Always, Allow, "the person's own tools never switch off"},
	{CallerCareTeam, DiaryRead, GrantSee, Allow, "the person shares their diary with this member"},
	{CallerCareTeam, DiaryWrite, GrantEdit, Allow, "the person lets this member edit their diary"},

	{CallerSelf, SafetyPlanRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, SafetyPlanWrite, Always, Allow, "the person's own tools never switch off"},
	{CallerCareTeam, SafetyPlanRead, GrantSee, Allow, "the person shares their safety plan with this member"},
	{CallerCareTeam, SafetyPlanWrite, GrantEdit, Allow, "the person lets this member edit their safety plan"},
	{CallerSupporter, SafetyPlanRead, GivenItem, Allow, "the person gave this supporter a copy of this part of their safety plan"},
	{CallerDuty, SafetyPlanRead, Always, Allow, "the duty team sees the safety plan while a task routed to it is open"},

	{CallerSelf, QuestionnairesRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, QuestionnairesWrite, Always, Allow, "the person answers their own questionnaires"},
	{CallerCareTeam, QuestionnairesRead, GrantSee, Allow, "the person shares their questionnaires with this member"},
	{CallerCareTeam, QuestionnairesWrite, GrantEdit, Allow, "the person lets this member edit their questionnaires"},
	{CallerFollowUp, QuestionnairesRead, GrantSee, Allow, "follow-up measures at 3, 6 and 12 months, as far as the person still shares them"},

	{CallerSelf, ToolboxLogRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, ToolboxLogWrite, Always, Allow, "the person's own tools never switch off"},
	{CallerCareTeam, ToolboxLogRead, GrantSee, Allow, "the person shares their toolbox log with this member"},
	{CallerCareTeam, ToolboxLogWrite, GrantEdit, Allow, "the person lets this member edit their toolbox log"},

	{CallerSelf, JournalRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, JournalWrite, Always, Allow, "the person's own tools never switch off"},
	{CallerCareTeam, JournalRead, GrantSee, Allow, "the person shares their journal with this member"},
	{CallerCareTeam, JournalWrite, GrantEdit, Allow, "the person lets this member edit their journal"},

	{CallerSelf, ChainAnalysisRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, ChainAnalysisWrite, Always, Allow, "the person works on their own chain analyses"},
	{CallerCareTeam, ChainAnalysisRead, GrantSee, Allow, "the person shares their chain analyses with this member"},
	{CallerCareTeam, ChainAnalysisWrite, GrantEdit, Allow, "the person lets this member edit their chain analyses"},

	{CallerSelf, HopeBoxRead, Always, Allow, "the hope box is the person's alone"},
	{CallerSelf, HopeBoxWrite, Always, Allow, "the hope box is the person's alone"},
	{CallerCareTeam, HopeBoxRead, Always, Deny, "the hope box is never shareable"},
	{CallerCareTeam, HopeBoxWrite, Always, Deny, "the hope box is never shareable"},
	{CallerSupporter, HopeBoxRead, Always, Deny, "the hope box is never shareable"},

	// The test-only area behaves exactly like a real shareable area.
	{CallerSelf, TestAreaRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, TestAreaWrite, Always, Allow, "the person's own tools never switch off"},
	{CallerCareTeam, TestAreaRead, GrantSee, Allow, "the person shares the test area with this member"},
	{CallerCareTeam, TestAreaWrite, GrantEdit, Allow, "the person lets this member edit the test area"},

	// Follow-up tasks (safety-rules.md section 4): outside the person's
	// sharing choices, but their content only where the area is shared.
	{CallerSelf, TaskMetaRead, Always, Allow, "the person sees everything about themselves"},
	{CallerCareTeam, TaskMetaRead, TaskRole, Allow, "a task always reaches the roles the service names: trigger kind and time"},
	{CallerLead, TaskMetaRead, Always, Allow, "a lead sees task metadata for their teams: who, when, state"},
	{CallerDuty, TaskMetaRead, Always, Allow, "the duty team sees the tasks routed to it"},
	{CallerSelf, TaskDetailRead, Always, Allow, "the person sees everything about themselves"},
	{CallerCareTeam, TaskDetailRead, TaskRoleShare, Allow, "ratings, answers and notes appear only where that area is shared"},
	{CallerLead, TaskDetailRead, Always, Deny, "a lead sees task metadata only, no content"},
	{CallerDuty, TaskDetailRead, Always, Deny, "the duty team gets the trigger kind and time; content only where shared, and nothing is shared with it"},

	// What a safety prompt does for one person: set by their clinicians,
	// shown to the person (through TaskMetaRead), never by the person.
	{CallerTherapist, SafetyPromptsManage, Always, Allow, "the therapist sets the person's safety prompts"},
	{CallerCareCoordinator, SafetyPromptsManage, Always, Allow, "the care coordinator sets the person's safety prompts"},
	{CallerSelf, SafetyPromptsManage, Always, Deny, "the person's clinician sets safety prompts with them; the person sees every change"},

	// Homework: the assigning clinician and the therapist.
	{CallerSelf, HomeworkRead, Always, Allow, "the person sees everything about themselves"},
	{CallerSelf, HomeworkWrite, Always, Allow, "the person does and records their homework"},
	{CallerTherapist, HomeworkRead, Always, Allow, "the therapist sees all homework"},
	{CallerTherapist, HomeworkWrite, Always, Allow, "the therapist assigns and reviews homework"},
	{CallerCareTeam, HomeworkRead, AssignedByMe, Allow, "the assigning clinician sees the homework they assigned"},
	{CallerCareTeam, HomeworkWrite, AssignedByMe, Allow, "the assigning clinician manages the homework they assign"},

	// Medication list: the prescriber edits; therapist and coordinator see.
	{CallerSelf, MedicationRead, Always, Allow, "the person sees everything about themselves"},
	{CallerPrescriber, MedicationRead, Always, Allow, "the prescriber keeps the medication list"},
	{CallerPrescriber, MedicationWrite, Always, Allow, "the prescriber edits the medication list"},
	{CallerTherapist, MedicationRead, Always, Allow, "the therapist sees the medication list"},
	{CallerCareCoordinator, MedicationRead, Always, Allow, "the care coordinator sees the medication list"},

	// Group attendance: the facilitator records; the therapist sees.
	{CallerSelf, GroupAttendanceRead, Always, Allow, "the person sees everything about themselves"},
	{CallerGroupFacilitator, GroupAttendanceRead, Always, Allow, "the facilitator keeps group attendance"},
	{CallerGroupFacilitator, GroupAttendanceWrite, Always, Allow, "the facilitator records group attendance"},
	{CallerTherapist, GroupAttendanceRead, Always, Allow, "the therapist sees group attendance"},

	// Episodes of care and sessions: the care team.
	{CallerSelf, EpisodeRead, Always, Allow, "the person sees everything about themselves"},
	{CallerCareTeam, EpisodeRead, Always, Allow, "episodes and sessions are the care team's"},
	{CallerCareTeam, EpisodeWrite, Always, Allow, "the care team records episodes and sessions"},
	{CallerFollowUp, EpisodeRead, Always, Allow, "follow-up points at 3, 6 and 12 months belong to the episode"},
	{CallerFollowUp, EpisodeWrite, Always, Allow, "the follow-up member records the follow-up points"},

	// Clinician notes: therapist, prescriber, care coordinator; never group
	// facilitators; never the person.
	{CallerTherapist, NoteRead, Always, Allow, "clinician notes are for the therapist"},
	{CallerTherapist, NoteWrite, Always, Allow, "clinician notes are for the therapist"},
	{CallerPrescriber, NoteRead, Always, Allow, "clinician notes are for the prescriber"},
	{CallerPrescriber, NoteWrite, Always, Allow, "clinician notes are for the prescriber"},
	{CallerCareCoordinator, NoteRead, Always, Allow, "clinician notes are for the care coordinator"},
	{CallerCareCoordinator, NoteWrite, Always, Allow, "clinician notes are for the care coordinator"},
	{CallerGroupFacilitator, NoteRead, Always, Deny, "clinician notes are never for group facilitators"},
	{CallerGroupFacilitator, NoteWrite, Always, Deny, "clinician notes are never for group facilitators"},
	{CallerSelf, NoteRead, Always, Deny, "clinician notes are never shown to the person"},
	{CallerSelf, NoteWrite, Always, Deny, "clinician notes are written by clinicians"},

	// The person's basic record and care team.
	{CallerSelf, ProfileRead, Always, Allow, "the person sees everything about themselves"},
	{CallerCareTeam, ProfileRead, Always, Allow, "the care team knows who the person is"},
	{CallerFollowUp, ProfileRead, Always, Allow, "the follow-up member knows who the person is"},
	{CallerLead, ProfileRead, Always, Allow, "task metadata says who; a lead knows the people of their teams"},
	{CallerDuty, ProfileRead, Always, Allow, "the duty team knows whose task it holds"},
	{CallerSelf, CareTeamRead, Always, Allow, "the person sees who is on their care team"},
	{CallerCareTeam, CareTeamRead, Always, Allow, "care-team members see who else is on the team"},
	{CallerFollowUp, CareTeamRead, Always, Allow, "care-team members see who else is on the team"},
	{CallerLead, CareTeamRead, Always, Allow, "a lead sees the care teams of their teams"},
	{CallerAdmin, CareTeamRead, Always, Allow, "admins manage care-team membership"},
	{CallerAdmin, CareTeamManage, Always, Allow, "admins manage care-team membership"},
	{CallerLead, CareTeamManage, Always, Allow, "a lead manages the care teams of their teams"},
	{CallerSelf, SharingManage, Always, Allow, "only the person sets who sees what"},
	{CallerSelf, AuditReadOwn, Always, Allow, "the person sees who looked at their information"},
	{CallerSelf, DataExport, Always, Allow, "only the person downloads their information"},
	{CallerSelf, AccountErase, Always, Allow, "only the person erases their account"},
	{CallerSelf, RemindersManage, Always, Allow, "only the person sets their reminders"},

	// Aggregates and administration.
	{CallerLead, ReportRead, Always, Allow, "a lead sees aggregate reports for their teams"},
	{CallerAdmin, StaffManage, Always, Allow, "admins manage staff"},
	{CallerAdmin, InviteManage, Always, Allow, "admins manage invites"},
	{CallerAdmin, SettingsManage, Always, Allow, "admins manage the service's settings"},

	// The operator's exports, run on the server's command line: Tend itself
	// acts, never a signed-in account (staff, admins and tokens included).
	{CallerSystem, OutcomesExport, Always, Allow, "the operator exports the service's de-identified, suppressed outcome figures"},
	{CallerSystem, TransferExport, Always, Allow, "the operator exports one person's record for a transfer, audited per person"},
	// What a transfer carries, read through the services for the transfer
	// export only (TransferActor): never notes, the journal, chain
	// analyses, the toolbox log, medication or the hope box.
	{CallerSystem, ProfileRead, ForTransfer, Allow, "a transfer carries who the person is (their pseudonymous record)"},
	{CallerSystem, CareTeamRead, ForTransfer, Allow, "a transfer carries who the person's care team is"},
	{CallerSystem, SafetyPlanRead, ForTransfer, Allow, "a transfer carries the person's current safety plan"},
	{CallerSystem, QuestionnairesRead, ForTransfer, Allow, "a transfer carries the person's questionnaires and scores"},
	{CallerSystem, DiaryRead, ForTransfer, Allow, "a transfer carries the person's diary cards"},
}

// TransferActor is Tend itself making the operator's transfer export of a
// person (tend export person): the one system actor that reads a person's
// record, and only what a transfer carries (the ForTransfer rules). Its
// scopes name exactly those actions, so nothing else is open to it even if
// a rule were added by mistake; tend.System, with no scopes, reads nothing.
func TransferActor() tend.Actor {
	return tend.Actor{Kind: tend.KindSystem, Scopes: []string{string(TransferExport), string(ProfileRead), string(CareTeamRead),
		string(SafetyPlanRead), string(QuestionnairesRead), string(DiaryRead)}}
}

// DenyOnly lists actions that no rule allows to anyone, with why. It is
// empty today: every action has at least one Allow rule in Policy. An action
// added to the vocabulary must appear in Policy or here (a test checks).
var DenyOnly = map[Action]string{}

// Decision is the outcome of Decide.
type Decision struct {
	Allow  bool
	Reason string // the rule that decided, or why nothing allowed it
	// Hide is set on a denial when the caller has no relationship with the
	// person at all: the answer is "not found", never "forbidden".
	Hide bool
}

// Reasons for denials that come before the table.
const (
	ReasonAnonymous = "not signed in"
	ReasonUnknown   = "the action is not in the vocabulary"
	ReasonNoMFA     = "staff open nothing before passing their second factor"
	ReasonScope     = "the API token's scopes do not include this action"
	ReasonDefault   = "no rule allows it (deny by default)"
)

// Decide applies Policy to one request. It is pure: rel holds everything it
// needs to know.
func Decide(actor tend.Actor, action Action, rel Relationship) Decision {
	deny := func(reason string) Decision { return Decision{Reason: reason, Hide: !rel.known(actor)} }
	switch {
	case actor.Kind == "":
		return Decision{Reason: ReasonAnonymous, Hide: true}
	case !action.Valid():
		return deny(ReasonUnknown)
	case actor.Kind == tend.KindStaff && !actor.MFA:
		return deny(ReasonNoMFA)
	case actor.Scopes != nil && !slices.Contains(actor.Scopes, string(action)):
		// A token narrows what its account could do; it never widens it.
		return deny(ReasonScope)
	}
	why := ReasonDefault
	for _, c := range capacities(actor, rel) {
		allowed, reason := c.decide(actor, action, rel)
		if allowed {
			return Decision{Allow: true, Reason: reason}
		}
		if reason != "" && why == ReasonDefault {
			why = reason
		}
	}
	return deny(why)
}

// capacity is one way the caller relates to the person; m is set for a
// care-team membership.
type capacity struct {
	caller Caller
	m      *Membership
}

func capacities(actor tend.Actor, rel Relationship) []capacity {
	var out []capacity
	switch actor.Kind {
	case tend.KindPerson:
		if rel.Self {
			out = append(out, capacity{caller: CallerSelf})
		}
	case tend.KindSupporter:
		if rel.Supporter {
			out = append(out, capacity{caller: CallerSupporter})
		}
	case tend.KindStaff:
		if actor.Role == tend.RoleAdmin {
			// Admins see no clinical data at all: they never act through a
			// membership, a lead's team or the duty team, even if a row says so.
			return []capacity{{caller: CallerAdmin}}
		}
		for i := range rel.Memberships {
			out = append(out, capacity{m: &rel.Memberships[i]})
		}
		if rel.LeadOfTeam && actor.Role == tend.RoleLead {
			out = append(out, capacity{caller: CallerLead})
		}
		if rel.DutyTaskOpen {
			out = append(out, capacity{caller: CallerDuty})
		}
	case tend.KindSystem:
		// Tend itself acts only through the CallerSystem rules.
		out = append(out, capacity{caller: CallerSystem})
	}
	return out
}

// matches reports whether rule's caller describes this capacity.
func (c capacity) matches(caller Caller) bool {
	if c.m == nil {
		return c.caller == caller
	}
	switch c.m.State {
	case MemberActive:
		switch caller {
		case CallerCareTeam:
			return true
		case CallerTherapist:
			return c.m.Role == tend.CareTherapist
		case CallerPrescriber:
			return c.m.Role == tend.CarePrescriber
		case CallerGroupFacilitator:
			return c.m.Role == tend.CareGroupFacilitator
		case CallerCareCoordinator:
			return c.m.Role == tend.CareCoordinator
		}
	case MemberFollowUp:
		return caller == CallerFollowUp
	}
	return false
}

// decide applies the rules to one capacity: a Deny that applies wins, then
// any Allow. The reason is the deciding rule's, or "" when none applied.
func (c capacity) decide(actor tend.Actor, action Action, rel Relationship) (bool, string) {
	var allow string
	for _, r := range Policy {
		if r.Action != action || !c.matches(r.Caller) || !c.holds(r.When, actor, action, rel) {
			continue
		}
		if r.Effect == Deny {
			return false, r.Reason
		}
		if allow == "" {
			allow = r.Reason
		}
	}
	return allow != "", allow
}

// holds evaluates a rule's condition for this capacity.
func (c capacity) holds(when Condition, actor tend.Actor, action Action, rel Relationship) bool {
	switch when {
	case Always:
		return true
	case GrantSee, GrantEdit:
		area, ok := AreaOf(action)
		if !ok || c.m == nil || !area.Shareable() {
			return false
		}
		if when == GrantEdit {
			return c.m.Grant(area) == LevelEdit
		}
		return c.m.Grant(area).AtLeast(LevelSee)
	case GivenItem:
		return rel.Supporter && rel.Target.Item.Valid() && rel.hasItem(rel.Target.Item)
	case TaskRole:
		return c.m != nil && slices.Contains(rel.taskRoles(), c.m.Role)
	case TaskRoleShare:
		a := rel.Target.Area
		return c.m != nil && slices.Contains(rel.taskRoles(), c.m.Role) && a.Shareable() && c.m.Grant(a).AtLeast(LevelSee)
	case AssignedByMe:
		return c.m != nil && rel.Target.AssignedBy != "" && rel.Target.AssignedBy == actor.ID
	case ForTransfer:
		return actor.Kind == tend.KindSystem && slices.Contains(actor.Scopes, string(TransferExport))
	}
	return false // an unknown condition never allows
}
