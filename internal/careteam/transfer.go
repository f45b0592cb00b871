package careteam

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// The audit actions of a transfer.
const (
	AuditTransferred        = "care_team.transferred"
	AuditTransferGrantsKept = "care_team.transfer_grants_kept"
)

// Transfer moves a membership to another staff member in the same role
// (DESIGN.md "Lifecycle"): the old membership ends with its grants, the new
// one starts with the service's defaults for the role, and the person is
// told, with the offer to let the new member see what the old one could.
// Nothing the person shared carries over until they confirm. Admins and
// leads (CareTeamManage); nobody transfers to themselves. ENOTFOUND for a
// membership not on the person's team; ECONFLICT when it is not active;
// EINVALID for a staff member who cannot join.
func (s *Service) Transfer(ctx context.Context, actor tend.Actor, personID, memberID, toStaffID tend.ID) (Member, error) {
	if err := s.checker.Check(ctx, actor, access.CareTeamManage, personID); err != nil {
		return Member{}, err
	}
	if toStaffID == actor.ID {
		return Member{}, tend.Errorf(tend.EFORBIDDEN, "Nobody can add themselves to a care team. Ask an admin or another lead of the person's team.")
	}
	var m Member
	err := s.store.InTx(ctx, func(tx Tx) error {
		old, err := tx.FindCareTeamMember(ctx, personID, memberID)
		if err != nil {
			return err
		}
		if old.State != access.MemberActive {
			return tend.Errorf(tend.ECONFLICT, "Only an active membership can be transferred.")
		}
		if old.StaffID == toStaffID {
			return tend.Errorf(tend.EINVALID, "Choose someone else to take over.")
		}
		grants, err := tx.FindMemberGrants(ctx, old.ID)
		if err != nil {
			return err
		}
		now := s.clock.Now().UTC()
		ended := access.MemberEnded
		if err := tx.UpdateCareTeamMember(ctx, old.ID, MemberUpdate{State: &ended, EndedAt: &now}); err != nil {
			return err
		}
		if err := tx.DeleteGrants(ctx, old.ID); err != nil {
			return err
		}
		events := []tend.AuditEvent{s.event(actor, AuditTransferred, personID, "care_team_member:"+string(old.ID)+">"+string(toStaffID))}
		var notices []Notice
		if m, events, notices, err = s.join(ctx, tx, actor, personID, toStaffID, old.Role, now, events); err != nil {
			return err
		}
		// The offer replaces the plain "joined" notice: it says who took
		// over from whom, and what the person may carry over.
		offer := Notice{Kind: NoticeTransfer, Params: NoticeParams{MemberID: m.ID, StaffID: toStaffID, Role: old.Role,
			FromMemberID: old.ID, FromStaffID: old.StaffID, Grants: map[access.Area]access.Level{}}}
		for _, g := range grants {
			if g.Area.Shareable() && g.Level.AtLeast(access.LevelSee) {
				offer.Params.Grants[g.Area] = g.Level
			}
		}
		kept := []Notice{offer}
		for _, n := range notices {
			if n.Kind != NoticeJoined {
				kept = append(kept, n)
			}
		}
		if err := s.notify(ctx, tx, personID, now, kept...); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, events...)
	})
	if err != nil {
		return Member{}, err
	}
	return m, nil
}

// KeepSharingAfterTransfer is the person's "yes" to a transfer notice: the
// new member gets what the old one could see (on top of the defaults; a
// default that gave more stays), and the notice is dismissed. Only the
// person (SharingManage). ENOTFOUND for a notice that is not an open
// transfer offer; ECONFLICT when the new membership has ended since.
func (s *Service) KeepSharingAfterTransfer(ctx context.Context, actor tend.Actor, personID, noticeID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return err
	}
	notices, err := s.store.FindNotices(ctx, personID)
	if err != nil {
		return err
	}
	var offer *Notice
	for i := range notices {
		if notices[i].ID == noticeID && notices[i].Kind == NoticeTransfer {
			offer = &notices[i]
		}
	}
	if offer == nil {
		return tend.ErrNotFound
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.DismissNotice(ctx, personID, noticeID, now); err != nil {
			return err
		}
		m, err := tx.FindCareTeamMember(ctx, personID, offer.Params.MemberID)
		if err != nil {
			return err
		}
		if m.State == access.MemberEnded {
			return tend.Errorf(tend.ECONFLICT, "That person is no longer on your care team.")
		}
		current, err := tx.FindMemberGrants(ctx, m.ID)
		if err != nil {
			return err
		}
		have := map[access.Area]access.Level{}
		for _, g := range current {
			have[g.Area] = g.Level
		}
		events := []tend.AuditEvent{s.event(actor, AuditTransferGrantsKept, personID, "care_team_member:"+string(m.ID))}
		for _, area := range access.Areas {
			level, ok := offer.Params.Grants[area]
			if !ok || validGrant(area, level) != nil || have[area].AtLeast(level) {
				continue
			}
			if err := tx.PutGrant(ctx, Grant{MemberID: m.ID, Area: area, Level: level, UpdatedAt: now}); err != nil {
				return err
			}
			events = append(events, s.event(actor, AuditGrantSet, personID, "grant:"+string(m.ID)+"/"+string(area)))
		}
		return tx.AppendAudit(ctx, events...)
	})
}

// ExportForTransfer checks that actor may export the person's record for
// a transfer to another service (access.TransferExport: Tend itself only,
// for the operator's 'tend export person'), records the export in the
// audit trail naming the person, and returns the actor the record is then
// read as: access.TransferActor, which opens only what a transfer carries
// (never clinician notes). Errors as access.Checker.
func (s *Service) ExportForTransfer(ctx context.Context, actor tend.Actor, personID tend.ID) (tend.Actor, error) {
	if err := s.checker.Check(ctx, actor, access.TransferExport, personID); err != nil {
		return tend.Actor{}, err
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, s.event(actor, string(access.TransferExport), personID, "transfer:"+string(personID)))
	})
	if err != nil {
		return tend.Actor{}, err
	}
	return access.TransferActor(), nil
}
