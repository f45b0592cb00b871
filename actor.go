package tend

// AccountKind says what kind of account acts.
type AccountKind string

// The kinds of account.
const (
	KindPerson    AccountKind = "person"    // someone Tend serves
	KindStaff     AccountKind = "staff"     // a member of the service
	KindSupporter AccountKind = "supporter" // family or a friend the person invited (young-people.md)
	KindSystem    AccountKind = "system"    // Tend itself: jobs, the command line
)

// Role is a staff member's role in the service.
type Role string

// The staff roles. Care-team roles (CareRole) are separate: a clinician is
// a therapist for one person and a prescriber for another.
const (
	RoleClinician Role = "clinician"
	RoleLead      Role = "lead"
	RoleAdmin     Role = "admin"
)

// CareRole is a staff member's role on one person's care team.
type CareRole string

// The care-team roles.
const (
	CareTherapist        CareRole = "therapist"
	CarePrescriber       CareRole = "prescriber"
	CareGroupFacilitator CareRole = "group_facilitator"
	CareCoordinator      CareRole = "care_coordinator"
)

// PersonState is where a person is in the service's lifecycle (DESIGN.md
// "Lifecycle"). The person's own tools never switch off in any state.
type PersonState string

// The lifecycle states, in order.
const (
	StateReferred    PersonState = "referred"
	StateAccepted    PersonState = "accepted"
	StateInTreatment PersonState = "in_treatment"
	StateDischarged  PersonState = "discharged"
	StateFollowUp    PersonState = "follow_up"
	StateClosed      PersonState = "closed"
)

// Actor is whoever makes a request: the signed-in account, or Tend itself.
// Domain services take an Actor and decide access through the access
// package; handlers only pass it on.
type Actor struct {
	Kind AccountKind
	ID   ID
	Role Role // staff only
	// MFA is true when a staff session passed its second factor (or the
	// deployment is a demo, where staff need none).
	MFA bool
	// Scopes limit an API token; nil for a browser session.
	Scopes []string
}

// System is the actor for work Tend does by itself.
var System = Actor{Kind: KindSystem}

// IsStaff reports whether a is a staff member with role r.
func (a Actor) IsStaff(r Role) bool { return a.Kind == KindStaff && a.Role == r }
