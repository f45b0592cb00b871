package careteam_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
)

// TestTransfer: Lee's therapy of sam passes to Jo. Lee's membership ends
// with its grants; Jo starts with the service's defaults only; sam is told
// and offered to let Jo see what Lee could. Only sam's "yes" carries the
// grants over.
func TestTransfer(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaJournal, access.LevelSee); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaDiary, access.LevelSee); err != nil {
		t.Fatal(err)
	}

	if _, err := f.svc.Transfer(ctx, asLee, sam, m.ID, jo); kindOf(err) != tend.EFORBIDDEN {
		t.Errorf("a clinician transfers: %v, want EFORBIDDEN", err)
	}
	if _, err := f.svc.Transfer(ctx, asMorgan, sam, m.ID, morgan); kindOf(err) != tend.EFORBIDDEN {
		t.Errorf("the lead transfers to themselves: %v", err)
	}
	if _, err := f.svc.Transfer(ctx, asMorgan, sam, m.ID, ada); kindOf(err) != tend.EINVALID {
		t.Errorf("transfer to an admin: %v", err)
	}
	to, err := f.svc.Transfer(ctx, asMorgan, sam, m.ID, jo)
	if err != nil {
		t.Fatal(err)
	}
	if to.Role != tend.CareTherapist || to.StaffID != jo {
		t.Errorf("new membership: %+v", to)
	}
	if _, err := f.svc.Transfer(ctx, asMorgan, sam, m.ID, kim); kindOf(err) != tend.ECONFLICT {
		t.Errorf("transferring an ended membership: %v", err)
	}
	// Jo has the therapist defaults only: not the journal sam gave Lee.
	if err := f.checker.Check(ctx, tend.Actor{Kind: tend.KindStaff, ID: jo, Role: tend.RoleClinician, MFA: true}, access.JournalRead, sam); kindOf(err) != tend.EFORBIDDEN {
		t.Errorf("jo reads sam's journal before sam agreed: %v", err)
	}
	if err := f.checker.Check(ctx, asLee, access.DiaryRead, sam); err == nil {
		t.Error("lee still reads sam's diary after the transfer")
	}
	notices, err := f.svc.FindNotices(ctx, asSam, sam)
	if err != nil {
		t.Fatal(err)
	}
	var offer careteam.Notice
	for _, n := range notices {
		if n.Kind == careteam.NoticeTransfer {
			offer = n
		}
		if n.Kind == careteam.NoticeJoined && n.Params.StaffID == jo {
			t.Error("a plain joined notice alongside the transfer offer")
		}
	}
	if offer.ID == "" || offer.Params.FromStaffID != lee || offer.Params.StaffID != jo || offer.Params.Grants[access.AreaJournal] != access.LevelSee {
		t.Fatalf("transfer notice: %+v", offer)
	}

	if err := f.svc.KeepSharingAfterTransfer(ctx, asAlex, sam, offer.ID); kindOf(err) == "" {
		t.Error("alex accepted sam's offer")
	}
	if err := f.svc.KeepSharingAfterTransfer(ctx, asSam, sam, offer.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.checker.Check(ctx, tend.Actor{Kind: tend.KindStaff, ID: jo, Role: tend.RoleClinician, MFA: true}, access.JournalRead, sam); err != nil {
		t.Errorf("jo after sam agreed: %v", err)
	}
	if err := f.svc.KeepSharingAfterTransfer(ctx, asSam, sam, offer.ID); kindOf(err) != tend.ENOTFOUND {
		t.Errorf("accepting twice: %v", err)
	}
	acts := auditActions(t, f.db, sam)
	for _, a := range []string{careteam.AuditTransferred, careteam.AuditTransferGrantsKept} {
		if !slices.Contains(acts, a) {
			t.Errorf("no %s in %v", a, acts)
		}
	}
}
