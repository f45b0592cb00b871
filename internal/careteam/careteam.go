package careteam

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Member is one care-team membership: a staff member in one role for one person.
type Member struct {
	ID              tend.ID
	PersonID        tend.ID
	StaffID         tend.ID
	Role            tend.CareRole
	State           access.MemberState
	StartedAt       time.Time
	EndedAt         *time.Time
	FollowUpConsent bool    // consent to follow-up-only membership, recorded at discharge
	AddedBy         tend.ID // the admin or lead who added the member
}

// MemberUpdate changes a membership. Nil fields stay as they are.
type MemberUpdate struct {
	State           *access.MemberState
	EndedAt         *time.Time
	FollowUpConsent *bool
}

// Grant is what a person lets one care-team member do with one area.
type Grant struct {
	MemberID  tend.ID
	Area      access.Area
	Level     access.Level // see or edit; none is the absence of a grant
	UpdatedAt time.Time
}

// Default is the service's sharing default for one care role and area,
// applied when a member in that role joins.
type Default struct {
	Role  tend.CareRole
	Area  access.Area
	Level access.Level
}

// NoticeKind says what a notice tells the person.
type NoticeKind string

// The notice kinds. Pages turn them into words (for example "Lee
// (therapist) joined your care team", "Lee can now see your diary; change
// this").
const (
	NoticeJoined   NoticeKind = "care_team.joined"
	NoticeEnded    NoticeKind = "care_team.ended"
	NoticeFollowUp NoticeKind = "care_team.follow_up"
	NoticeShared   NoticeKind = "sharing.default_applied"
	// NoticeTransfer tells the person their care moved from one clinician
	// to another, and offers to let the new one see what the old one could
	// (DESIGN.md "Lifecycle": grants carry over only when the person
	// confirms).
	NoticeTransfer NoticeKind = "care_team.transfer"
	// NoticeExportReady tells the person their download is ready
	// (internal/rights); it carries no details at all.
	NoticeExportReady NoticeKind = "data_export.ready"
)

// NoticeParams are a notice's details: ids and kinds only, never free text,
// so that a notice can never carry something a person wrote.
type NoticeParams struct {
	MemberID tend.ID       `json:"member_id,omitempty"`
	StaffID  tend.ID       `json:"staff_id,omitempty"`
	Role     tend.CareRole `json:"role,omitempty"`
	Area     access.Area   `json:"area,omitempty"`
	Level    access.Level  `json:"level,omitempty"`
	// A transfer names the membership it came from, that member, and what
	// the person shared with them, which the person may carry over.
	FromMemberID tend.ID                      `json:"from_member_id,omitempty"`
	FromStaffID  tend.ID                      `json:"from_staff_id,omitempty"`
	Grants       map[access.Area]access.Level `json:"grants,omitempty"`
}

// Notice is a message for the person about a change to their care team or
// sharing, shown at their next sign-in until they dismiss it.
type Notice struct {
	ID          tend.ID
	PersonID    tend.ID
	Kind        NoticeKind
	Params      NoticeParams
	CreatedAt   time.Time
	DismissedAt *time.Time
}

// Supporter is a family member or friend the person invited
// (young-people.md), with the items the person chose to give them. No name is
// kept here: the supporter's account (internal/auth) holds how they sign in,
// under the same id.
type Supporter struct {
	ID        tend.ID
	PersonID  tend.ID
	Items     []access.SupporterItem
	CreatedAt time.Time
	EndedAt   *time.Time
}

// Store is what the service needs from storage.
type Store interface {
	// InTx runs fn in one unit of work.
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindCareTeamMembers returns the person's memberships that have not
	// ended, oldest first.
	FindCareTeamMembers(ctx context.Context, personID tend.ID) ([]Member, error)
	// FindGrants returns the person's grants for memberships that have not ended.
	FindGrants(ctx context.Context, personID tend.ID) ([]Grant, error)
	// FindNotices returns the person's notices not yet dismissed, oldest first.
	FindNotices(ctx context.Context, personID tend.ID) ([]Notice, error)
	// FindSupporters returns the person's current supporters with their items.
	FindSupporters(ctx context.Context, personID tend.ID) ([]Supporter, error)
	// FindSharingDefaults returns every sharing default.
	FindSharingDefaults(ctx context.Context) ([]Default, error)
	// FindCaseload returns the people for whom staffID holds a membership
	// that has not ended, ordered by username.
	FindCaseload(ctx context.Context, staffID tend.ID) ([]Case, error)
	// FindStaffNames returns the names of the given staff members ("" for
	// one that no longer exists).
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
	// FindPersonProfile returns a person's basic record; ENOTFOUND when
	// there is no such person.
	FindPersonProfile(ctx context.Context, personID tend.ID) (Profile, error)
	// A supporter's own record (supporter.go).
	SupporterStore
}

// Tx is one unit of work.
type Tx interface {
	// AppendAudit records events in the unit of work.
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
	// FindActiveStaffRole returns a staff member's service role; ENOTFOUND
	// when there is no such staff member or they are disabled.
	FindActiveStaffRole(ctx context.Context, staffID tend.ID) (tend.Role, error)
	// FindCareTeamMember returns one membership of personID; ENOTFOUND when
	// it does not exist or belongs to someone else.
	FindCareTeamMember(ctx context.Context, personID, memberID tend.ID) (Member, error)
	// CreateCareTeamMember adds m; ECONFLICT when the staff member already
	// holds that role for the person.
	CreateCareTeamMember(ctx context.Context, m Member) error
	// UpdateCareTeamMember changes membership id; ENOTFOUND when missing.
	UpdateCareTeamMember(ctx context.Context, id tend.ID, u MemberUpdate) error
	// FindSharingDefaultsForRole returns the defaults for one care role.
	FindSharingDefaultsForRole(ctx context.Context, role tend.CareRole) ([]Default, error)
	// PutSharingDefault sets a default; level none removes it.
	PutSharingDefault(ctx context.Context, d Default) error
	// PutGrant sets a grant; level none removes it.
	PutGrant(ctx context.Context, g Grant) error
	// DeleteGrants removes every grant of a membership.
	DeleteGrants(ctx context.Context, memberID tend.ID) error
	// FindMemberGrants returns one membership's grants.
	FindMemberGrants(ctx context.Context, memberID tend.ID) ([]Grant, error)
	// CreateNotice adds a notice for the person.
	CreateNotice(ctx context.Context, n Notice) error
	// DismissNotice marks a notice of personID dismissed; ENOTFOUND when it
	// is not theirs or is already dismissed.
	DismissNotice(ctx context.Context, personID, noticeID tend.ID, at time.Time) error
	// CreateSupporter adds s with its items.
	CreateSupporter(ctx context.Context, s Supporter) error
	// SetSupporterItems replaces a current supporter's items; ENOTFOUND when
	// the supporter is not personID's or has ended.
	SetSupporterItems(ctx context.Context, personID, supporterID tend.ID, items []access.SupporterItem) error
	// EndSupporter ends a supporter; ENOTFOUND as SetSupporterItems.
	EndSupporter(ctx context.Context, personID, supporterID tend.ID, at time.Time) error
}

// Checker decides access; *access.Checker implements it.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
	CheckTarget(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID, t access.Target) error
}
