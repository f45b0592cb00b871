package careteam

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// The audit actions this package records, besides access actions.
const (
	AuditMemberAdded    = "care_team.member_added"
	AuditMemberEnded    = "care_team.member_ended"
	AuditMemberFollowUp = "care_team.member_follow_up"
	AuditGrantSet       = "sharing.grant_set"
	AuditDefaultApplied = "sharing.default_applied"
	AuditDefaultSet     = "sharing.default_set"
	AuditNoticeDismiss  = "notice.dismissed"
	AuditSupporterAdd   = "supporter.added"
	AuditSupporterItems = "supporter.items_set"
	AuditSupporterEnd   = "supporter.ended"
)

// Service manages care teams, sharing and supporters.
type Service struct {
	store   Store
	checker Checker
	clock   tend.Clock
}

// NewService returns a Service.
func NewService(store Store, checker Checker, clock tend.Clock) *Service {
	return &Service{store: store, checker: checker, clock: clock}
}

var careRoles = []tend.CareRole{tend.CareTherapist, tend.CarePrescriber, tend.CareGroupFacilitator, tend.CareCoordinator}

// AddMember puts staffID on personID's care team in role, applies the
// service's sharing defaults for that role, and tells the person. Only an
// admin or a lead of the person's team may, and nobody can add themselves
// (EFORBIDDEN). EINVALID for an unknown role, an unknown or disabled staff
// member, or an admin; ECONFLICT when they already hold that role.
func (s *Service) AddMember(ctx context.Context, actor tend.Actor, personID, staffID tend.ID, role tend.CareRole) (Member, error) {
	if err := s.checker.Check(ctx, actor, access.CareTeamManage, personID); err != nil {
		return Member{}, err
	}
	if staffID == actor.ID {
		return Member{}, tend.Errorf(tend.EFORBIDDEN, "Nobody can add themselves to a care team. Ask an admin or another lead of the person's team.")
	}
	if !slices.Contains(careRoles, role) {
		return Member{}, tend.Errorf(tend.EINVALID, "Choose a care-team role: therapist, prescriber, group facilitator or care coordinator.")
	}
	var m Member
	err := s.store.InTx(ctx, func(tx Tx) error {
		var events []tend.AuditEvent
		var notices []Notice
		var err error
		now := s.clock.Now().UTC()
		if m, events, notices, err = s.join(ctx, tx, actor, personID, staffID, role, now, nil); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, personID, now, notices...); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, events...)
	})
	if err != nil {
		return Member{}, err
	}
	return m, nil
}

// join adds staffID to the person's care team in role inside tx, with the
// service's sharing defaults for the role, and returns the membership, the
// audit events (after events) and the notices to send.
func (s *Service) join(ctx context.Context, tx Tx, actor tend.Actor, personID, staffID tend.ID, role tend.CareRole, now time.Time, events []tend.AuditEvent) (Member, []tend.AuditEvent, []Notice, error) {
	m := Member{ID: tend.NewID(), PersonID: personID, StaffID: staffID, Role: role, State: access.MemberActive, StartedAt: now, AddedBy: actor.ID}
	staffRole, err := tx.FindActiveStaffRole(ctx, staffID)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return m, nil, nil, tend.Errorf(tend.EINVALID, "There is no active staff member with that id.")
	}
	if err != nil {
		return m, nil, nil, err
	}
	if staffRole == tend.RoleAdmin {
		return m, nil, nil, tend.Errorf(tend.EINVALID, "Admins cannot join a care team: they see no clinical data.")
	}
	if err := tx.CreateCareTeamMember(ctx, m); err != nil {
		return m, nil, nil, err
	}
	events = append(events, s.event(actor, AuditMemberAdded, personID, "care_team_member:"+string(m.ID)))
	notices := []Notice{{Kind: NoticeJoined, Params: NoticeParams{MemberID: m.ID, StaffID: staffID, Role: role}}}
	defaults, err := tx.FindSharingDefaultsForRole(ctx, role)
	if err != nil {
		return m, nil, nil, err
	}
	for _, d := range defaults {
		if !d.Area.Shareable() || !d.Level.AtLeast(access.LevelSee) {
			continue
		}
		if err := tx.PutGrant(ctx, Grant{MemberID: m.ID, Area: d.Area, Level: d.Level, UpdatedAt: now}); err != nil {
			return m, nil, nil, err
		}
		events = append(events, s.event(actor, AuditDefaultApplied, personID, "grant:"+string(m.ID)+"/"+string(d.Area)))
		notices = append(notices, Notice{Kind: NoticeShared, Params: NoticeParams{MemberID: m.ID, StaffID: staffID, Role: role, Area: d.Area, Level: d.Level}})
	}
	return m, events, notices, nil
}

// EndMember ends a membership: its grants end with it, and the person is
// told. ENOTFOUND when memberID is not on personID's team; ECONFLICT when it
// has already ended.
func (s *Service) EndMember(ctx context.Context, actor tend.Actor, personID, memberID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.CareTeamManage, personID); err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.FindCareTeamMember(ctx, personID, memberID)
		if err != nil {
			return err
		}
		if m.State == access.MemberEnded {
			return tend.Errorf(tend.ECONFLICT, "That membership has already ended.")
		}
		ended := access.MemberEnded
		if err := tx.UpdateCareTeamMember(ctx, m.ID, MemberUpdate{State: &ended, EndedAt: &now}); err != nil {
			return err
		}
		if err := tx.DeleteGrants(ctx, m.ID); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, personID, now, Notice{Kind: NoticeEnded, Params: NoticeParams{MemberID: m.ID, StaffID: m.StaffID, Role: m.Role}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditMemberEnded, personID, "care_team_member:"+string(m.ID)))
	})
}

// MoveToFollowUp turns an active membership into a follow-up-only one at
// discharge (DESIGN.md "Lifecycle"). It needs the person's consent, recorded
// at discharge and passed in as consent (EINVALID without it). ENOTFOUND as
// EndMember; ECONFLICT when the membership is not active.
func (s *Service) MoveToFollowUp(ctx context.Context, actor tend.Actor, personID, memberID tend.ID, consent bool) error {
	if err := s.checker.Check(ctx, actor, access.CareTeamManage, personID); err != nil {
		return err
	}
	if !consent {
		return tend.Errorf(tend.EINVALID, "Follow-up after discharge needs the person's consent, recorded at discharge. Without it, end the membership instead.")
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.FindCareTeamMember(ctx, personID, memberID)
		if err != nil {
			return err
		}
		if m.State != access.MemberActive {
			return tend.Errorf(tend.ECONFLICT, "Only an active membership can move to follow-up.")
		}
		state := access.MemberFollowUp
		if err := tx.UpdateCareTeamMember(ctx, m.ID, MemberUpdate{State: &state, FollowUpConsent: &consent}); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, personID, now, Notice{Kind: NoticeFollowUp, Params: NoticeParams{MemberID: m.ID, StaffID: m.StaffID, Role: m.Role}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditMemberFollowUp, personID, "care_team_member:"+string(m.ID)))
	})
}

// Members lists the person's care team: memberships that have not ended.
func (s *Service) Members(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Member, error) {
	if err := s.checker.Check(ctx, actor, access.CareTeamRead, personID); err != nil {
		return nil, err
	}
	if err := s.auditStaffRead(ctx, actor, access.CareTeamRead, personID); err != nil {
		return nil, err
	}
	return s.store.FindCareTeamMembers(ctx, personID)
}

// SetGrant sets what one member of the person's care team may do with one
// area: see, edit (see and edit) or none. Only the person may; the change
// holds from the next request. EINVALID for the hope box (never shareable),
// an unknown area or level; ENOTFOUND when memberID is not a current member
// of the person's team.
func (s *Service) SetGrant(ctx context.Context, actor tend.Actor, personID, memberID tend.ID, area access.Area, level access.Level) error {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return err
	}
	if err := validGrant(area, level); err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.FindCareTeamMember(ctx, personID, memberID)
		if err != nil {
			return err
		}
		if m.State == access.MemberEnded {
			return tend.Errorf(tend.ENOTFOUND, "That person is no longer on your care team.")
		}
		if err := tx.PutGrant(ctx, Grant{MemberID: m.ID, Area: area, Level: level, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditGrantSet, personID, "grant:"+string(m.ID)+"/"+string(area)))
	})
}

func validGrant(area access.Area, level access.Level) error {
	if area == access.AreaHopeBox {
		return tend.Errorf(tend.EINVALID, "Your hope box is never shared. It stays yours alone.")
	}
	if !area.Shareable() {
		return tend.Errorf(tend.EINVALID, "That is not something you can share.")
	}
	if !level.Valid() {
		return tend.Errorf(tend.EINVALID, "Choose see, see and edit, or nothing.")
	}
	if level == access.LevelEdit && !area.Written() {
		return tend.Errorf(tend.EINVALID, "Only you write in your journal and your toolbox log: choose see, or nothing.")
	}
	return nil
}

// Grants returns the person's grants, for their sharing page.
func (s *Service) Grants(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Grant, error) {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return nil, err
	}
	return s.store.FindGrants(ctx, personID)
}

// SharingDefaults returns the service's sharing defaults (admins).
func (s *Service) SharingDefaults(ctx context.Context, actor tend.Actor) ([]Default, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return nil, err
	}
	return s.store.FindSharingDefaults(ctx)
}

// SetSharingDefault sets the default for one care role and area (admins);
// it applies to members who join afterwards, never to current grants, which
// only the person changes. EINVALID as SetGrant, or for an unknown role.
func (s *Service) SetSharingDefault(ctx context.Context, actor tend.Actor, d Default) error {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	if !slices.Contains(careRoles, d.Role) {
		return tend.Errorf(tend.EINVALID, "Choose a care-team role: therapist, prescriber, group facilitator or care coordinator.")
	}
	if err := validGrant(d.Area, d.Level); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.PutSharingDefault(ctx, d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditDefaultSet, "", "sharing_default:"+string(d.Role)+"/"+string(d.Area)))
	})
}

// FindNotices returns the person's notices not yet dismissed, for their next
// sign-in. Only the person sees them.
func (s *Service) FindNotices(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Notice, error) {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return nil, err
	}
	return s.store.FindNotices(ctx, personID)
}

// DismissNotice marks one of the person's notices read. ENOTFOUND when it is
// not theirs or already dismissed.
func (s *Service) DismissNotice(ctx context.Context, actor tend.Actor, personID, noticeID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.DismissNotice(ctx, personID, noticeID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditNoticeDismiss, personID, "notice:"+string(noticeID)))
	})
}

// AddSupporter records a supporter the person invites, with exactly the
// items they choose. Only the person may. EINVALID for no items, or any item
// outside access.SupporterItems: never the diary, journal, questionnaires or
// notes. The supporter's account is made by internal/auth under the returned id.
func (s *Service) AddSupporter(ctx context.Context, actor tend.Actor, personID tend.ID, items []access.SupporterItem) (Supporter, error) {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return Supporter{}, err
	}
	items, err := validItems(items)
	if err != nil {
		return Supporter{}, err
	}
	sup := Supporter{ID: tend.NewID(), PersonID: personID, Items: items, CreatedAt: s.clock.Now().UTC()}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateSupporter(ctx, sup); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditSupporterAdd, personID, "supporter:"+string(sup.ID)))
	})
	if err != nil {
		return Supporter{}, err
	}
	return sup, nil
}

// SetSupporterItems replaces what a supporter sees; errors as AddSupporter,
// and ENOTFOUND when the supporter is not the person's or has ended.
func (s *Service) SetSupporterItems(ctx context.Context, actor tend.Actor, personID, supporterID tend.ID, items []access.SupporterItem) error {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return err
	}
	items, err := validItems(items)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.SetSupporterItems(ctx, personID, supporterID, items); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditSupporterItems, personID, "supporter:"+string(supporterID)))
	})
}

// EndSupporter ends a supporter's access. ENOTFOUND as SetSupporterItems.
func (s *Service) EndSupporter(ctx context.Context, actor tend.Actor, personID, supporterID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.EndSupporter(ctx, personID, supporterID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, s.event(actor, AuditSupporterEnd, personID, "supporter:"+string(supporterID)))
	})
}

// Supporters lists the person's current supporters.
func (s *Service) Supporters(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Supporter, error) {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return nil, err
	}
	return s.store.FindSupporters(ctx, personID)
}

// neverForSupporters are the things young-people.md says a supporter never sees.
var neverForSupporters = []string{"diary", "journal", "questionnaire", "note"}

func validItems(items []access.SupporterItem) ([]access.SupporterItem, error) {
	if len(items) == 0 {
		return nil, tend.Errorf(tend.EINVALID, "Choose at least one thing your supporter can see.")
	}
	var out []access.SupporterItem
	for _, it := range items {
		if !it.Valid() {
			for _, never := range neverForSupporters {
				if strings.Contains(strings.ToLower(string(it)), never) {
					return nil, tend.Errorf(tend.EINVALID, "A supporter never sees your diary, journal, questionnaires or your care team's notes.")
				}
			}
			return nil, tend.Errorf(tend.EINVALID, "That is not something a supporter can be given. Choose parts of your safety plan, or who to call.")
		}
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (s *Service) notify(ctx context.Context, tx Tx, personID tend.ID, now time.Time, notices ...Notice) error {
	for _, n := range notices {
		n.ID, n.PersonID, n.CreatedAt = tend.NewID(), personID, now
		if err := tx.CreateNotice(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}

// NoticeView is a notice with the staff member's name, for the person's page.
type NoticeView struct {
	Notice
	StaffName string
	// FromStaffName names the member a transfer came from.
	FromStaffName string
}

// NoticeViews returns the person's notices not yet dismissed, with the
// names of the staff they are about.
func (s *Service) NoticeViews(ctx context.Context, actor tend.Actor, personID tend.ID) ([]NoticeView, error) {
	notices, err := s.FindNotices(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	ids := make([]tend.ID, 0, len(notices))
	for _, n := range notices {
		ids = append(ids, n.Params.StaffID)
		if n.Params.FromStaffID != "" {
			ids = append(ids, n.Params.FromStaffID)
		}
	}
	names, err := s.store.FindStaffNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]NoticeView, len(notices))
	for i, n := range notices {
		out[i] = NoticeView{Notice: n, StaffName: names[n.Params.StaffID], FromStaffName: names[n.Params.FromStaffID]}
	}
	return out, nil
}
