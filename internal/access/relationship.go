package access

import (
	"slices"

	"github.com/tendcare/tend"
)

// MemberState is the state of a care-team membership (DESIGN.md "Lifecycle").
type MemberState string

// The membership states.
const (
	MemberActive MemberState = "active"
	// MemberFollowUp is a follow-up-only membership after discharge, kept
	// only with the consent recorded at discharge until the last follow-up
	// window closes.
	MemberFollowUp MemberState = "follow_up"
	MemberEnded    MemberState = "ended"
)

// Membership is one of the caller's care-team memberships for the person,
// with the person's grants for it.
type Membership struct {
	ID     tend.ID
	Role   tend.CareRole
	State  MemberState
	Grants map[Area]Level // missing areas are LevelNone
}

// Grant returns the level the person grants this membership for area.
func (m Membership) Grant(a Area) Level {
	if l, ok := m.Grants[a]; ok {
		return l
	}
	return LevelNone
}

// Relationship is everything the policy needs to know about the caller and
// the person: it is loaded fresh for every check (Facts), never cached, so a
// revoked grant holds on the next request.
type Relationship struct {
	// Exists is true when the person (for a team check: the team) is on this
	// deployment's records.
	// Checker answers ENOTFOUND for anyone when it is false.
	Exists bool
	// Self is true when the caller is the person.
	Self bool
	// Memberships are the caller's memberships for the person that have not
	// ended (active or follow-up), each with its grants.
	Memberships []Membership
	// Supporter is true when the caller is a current supporter of the
	// person; SupporterItems are what the person gave them.
	Supporter      bool
	SupporterItems []SupporterItem
	// LeadOfTeam is true when the caller is a lead of the person's team (or,
	// for a team-level check, of that team).
	LeadOfTeam bool
	// DutyTaskOpen is true when the caller is on the duty or intake team and
	// a follow-up task for the person routed to that team is open.
	DutyTaskOpen bool
	// TaskRoles are the care roles the service names to receive follow-up
	// tasks; nil means the default, therapist and care coordinator.
	TaskRoles []tend.CareRole
	// Target narrows the check to one record, for the rules that depend on it.
	Target Target
}

// Target describes the one record a check is about, when a rule depends on
// the record rather than only on the person.
type Target struct {
	// AssignedBy is the clinician who assigned a piece of homework (for a new
	// assignment: the caller).
	AssignedBy tend.ID
	// Area is the area a follow-up task's details come from.
	Area Area
	// Item is the supporter item being read.
	Item SupporterItem
}

// DefaultTaskRoles receive follow-up task metadata unless the service names others.
var DefaultTaskRoles = []tend.CareRole{tend.CareTherapist, tend.CareCoordinator}

func (r Relationship) taskRoles() []tend.CareRole {
	if r.TaskRoles == nil {
		return DefaultTaskRoles
	}
	return r.TaskRoles
}

// known reports whether the caller may know that the person exists: when not,
// a denial is answered as "not found", never "forbidden".
func (r Relationship) known(actor tend.Actor) bool {
	if !r.Exists {
		return false
	}
	switch actor.Kind {
	case tend.KindPerson:
		return r.Self
	case tend.KindSupporter:
		return r.Supporter
	case tend.KindStaff:
		// Admins manage care-team membership, so they know every person's
		// record exists (and see none of its clinical data).
		return actor.Role == tend.RoleAdmin || r.LeadOfTeam || r.DutyTaskOpen || len(r.Memberships) > 0
	}
	return false
}

// hasItem reports whether the supporter was given item.
func (r Relationship) hasItem(item SupporterItem) bool {
	return item != "" && slices.Contains(r.SupporterItems, item)
}
