package groups

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Status is what happened for one person at one meeting.
type Status string

// The statuses. StatusCancelled is a meeting that did not take place for
// the person (the group or their place was called off).
const (
	StatusAttended  Status = "attended"
	StatusAbsent    Status = "absent"
	StatusCancelled Status = "cancelled"
)

// Statuses lists every status, in the order forms offer them.
var Statuses = []Status{StatusAttended, StatusAbsent, StatusCancelled}

// Valid reports whether s is a status.
func (s Status) Valid() bool { return s == StatusAttended || s == StatusAbsent || s == StatusCancelled }

// Group is a support group.
type Group struct {
	ID            tend.ID
	Name          string // e.g. "Tuesday skills group"
	Kind          string // e.g. "DBT skills group"
	Schedule      string // e.g. "Tuesdays 18:00 to 20:00"
	FacilitatorID tend.ID
	CreatedAt     time.Time
}

// Member is a person enrolled in a group (or one a facilitator could enrol).
type Member struct {
	PersonID tend.ID
	Username string
}

// Meeting is one meeting of a group and the attendance recorded at it.
type Meeting struct {
	ID         tend.ID
	GroupID    tend.ID
	HeldOn     string             // a civil date, YYYY-MM-DD
	Attendance map[tend.ID]Status // person -> status; people not recorded are absent from the map
}

// Detail is a group as its facilitator sees it.
type Detail struct {
	Group
	Members  []Member
	Meetings []Meeting // newest first
	// Candidates are people the facilitator may enrol and who are not yet
	// members.
	Candidates []Member
}

// Attendance is one line of a person's attendance.
type Attendance struct {
	GroupID   tend.ID
	GroupName string
	GroupKind string
	HeldOn    string
	Status    Status
}

// Enrolment is a group a person is enrolled in.
type Enrolment struct {
	GroupID    tend.ID
	Name       string
	Kind       string
	Schedule   string
	EnrolledAt time.Time
}

// Marks is attendance to record at one meeting.
type Marks struct {
	HeldOn string             // YYYY-MM-DD
	Status map[tend.ID]Status // person -> status
	Key    string             // the idempotency key the form or request carried
}

// Store is the unit-of-work runner and the reads outside one.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindGroupsByFacilitator returns the groups staffID runs, by name.
	FindGroupsByFacilitator(ctx context.Context, staffID tend.ID) ([]Group, error)
	// FindGroupByID returns a group, or ENOTFOUND.
	FindGroupByID(ctx context.Context, id tend.ID) (Group, error)
	// FindGroupMembers returns a group's members, by username.
	FindGroupMembers(ctx context.Context, groupID tend.ID) ([]Member, error)
	// FindGroupMeetings returns a group's meetings with attendance, newest first.
	FindGroupMeetings(ctx context.Context, groupID tend.ID) ([]Meeting, error)
	// FindFacilitatedPeople returns the people staffID is an active group
	// facilitator for, by username.
	FindFacilitatedPeople(ctx context.Context, staffID tend.ID) ([]Member, error)
	// FindPersonGroups returns the groups the person is enrolled in, by name.
	FindPersonGroups(ctx context.Context, personID tend.ID) ([]Enrolment, error)
	// FindPersonAttendance returns the person's attendance, newest first.
	FindPersonAttendance(ctx context.Context, personID tend.ID) ([]Attendance, error)
}

// Tx is one unit of work.
type Tx interface {
	CreateGroup(ctx context.Context, g Group) error
	// FindGroupByIDTx returns a group, or ENOTFOUND.
	FindGroupByIDTx(ctx context.Context, id tend.ID) (Group, error)
	// CreateGroupMember enrols a person and reports whether they were new.
	CreateGroupMember(ctx context.Context, groupID, personID, by tend.ID, at time.Time) (bool, error)
	// IsGroupMember reports whether the person is enrolled in the group.
	IsGroupMember(ctx context.Context, groupID, personID tend.ID) (bool, error)
	// PutGroupMeeting returns the id of the group's meeting on heldOn,
	// creating it (with id) when there is none.
	PutGroupMeeting(ctx context.Context, id, groupID tend.ID, heldOn string, by tend.ID, at time.Time) (tend.ID, error)
	// PutGroupAttendance sets (or replaces) a person's status at a meeting.
	PutGroupAttendance(ctx context.Context, meetingID, personID tend.ID, s Status, by tend.ID, at time.Time) error
	// FindIdempotencyKeyTx returns the outcome recorded for key, or ENOTFOUND.
	FindIdempotencyKeyTx(ctx context.Context, scope, key string) (string, error)
	PutIdempotencyKey(ctx context.Context, scope, key, outcome string, expires time.Time) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker is the access checker.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}
