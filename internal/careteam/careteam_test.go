package careteam_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// fixture is a small service: Sam and Alex in the care team "Riverside",
// Riley in "Hillside"; Lee (clinician), Morgan (lead of Riverside), Kim
// (clinician in Hillside), Ada (admin).
type fixture struct {
	db      *store.DB
	svc     *careteam.Service
	checker *access.Checker
	clock   *tend.FixedClock
}

const (
	sam, alex, riley          tend.ID = "p-sam", "p-alex", "p-riley"
	lee, morgan, kim, ada, jo tend.ID = "s-lee", "s-morgan", "s-kim", "s-ada", "s-jo"
)

var (
	asSam    = tend.Actor{Kind: tend.KindPerson, ID: sam}
	asAlex   = tend.Actor{Kind: tend.KindPerson, ID: alex}
	asLee    = tend.Actor{Kind: tend.KindStaff, ID: lee, Role: tend.RoleClinician, MFA: true}
	asKim    = tend.Actor{Kind: tend.KindStaff, ID: kim, Role: tend.RoleClinician, MFA: true}
	asMorgan = tend.Actor{Kind: tend.KindStaff, ID: morgan, Role: tend.RoleLead, MFA: true}
	asAda    = tend.Actor{Kind: tend.KindStaff, ID: ada, Role: tend.RoleAdmin, MFA: true}
)

func setup(t *testing.T) fixture {
	t.Helper()
	clock := &tend.FixedClock{T: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db := testenv.Store(t, clock)
	now := clock.T
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t-river', 'Riverside', 'care', $1), ('t-hill', 'Hillside', 'care', $1), ('t-duty', 'Duty', 'duty', $1)`, now)
	for _, s := range []struct {
		id   tend.ID
		role tend.Role
		team string
	}{{lee, tend.RoleClinician, "t-river"}, {jo, tend.RoleClinician, "t-river"}, {morgan, tend.RoleLead, "t-river"}, {kim, tend.RoleClinician, "t-hill"}, {ada, tend.RoleAdmin, "t-river"}} {
		exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, 'x', $5)`, string(s.id), string(s.id)+"@example.org", string(s.id), string(s.role), now)
		exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)`, string(s.id), s.team)
	}
	for _, p := range []struct {
		id   tend.ID
		team string
	}{{sam, "t-river"}, {alex, "t-river"}, {riley, "t-hill"}} {
		exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ($1, $1, 'x', $2, 'in_treatment', 'Europe/London', 'GB', $3)`, string(p.id), p.team, now)
	}
	checker := access.NewChecker(db)
	svc := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	return fixture{db: db, svc: svc, checker: checker, clock: clock}
}

func kindOf(err error) string {
	if err == nil {
		return "ok"
	}
	return tend.ErrorKind(err)
}

func auditActions(t *testing.T, db *store.DB, person tend.ID) []string {
	t.Helper()
	events, err := db.FindAuditEvents(context.Background(), store.AuditFilter{PersonID: &person})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, e.Action)
	}
	slices.Sort(out)
	return out
}

func TestAddMember(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		f := setup(t)
		m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist)
		if err != nil {
			t.Fatal(err)
		}
		members, err := f.svc.Members(ctx, asSam, sam)
		if err != nil || len(members) != 1 || members[0].ID != m.ID || members[0].State != access.MemberActive || members[0].AddedBy != ada {
			t.Fatalf("Members = %+v, %v", members, err)
		}
		// The defaults for a therapist were applied and announced.
		grants, err := f.svc.Grants(ctx, asSam, sam)
		if err != nil {
			t.Fatal(err)
		}
		got := map[access.Area]access.Level{}
		for _, g := range grants {
			got[g.Area] = g.Level
		}
		want := map[access.Area]access.Level{access.AreaDiary: access.LevelSee, access.AreaQuestionnaires: access.LevelSee, access.AreaSafetyPlan: access.LevelEdit}
		if len(got) != len(want) {
			t.Errorf("grants = %v, want %v", got, want)
		}
		for a, l := range want {
			if got[a] != l {
				t.Errorf("grant %s = %q, want %q", a, got[a], l)
			}
		}
		notices, err := f.svc.FindNotices(ctx, asSam, sam)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []careteam.NoticeKind
		for _, n := range notices {
			kinds = append(kinds, n.Kind)
			if n.Params.StaffID != lee || n.Params.MemberID != m.ID {
				t.Errorf("notice params = %+v", n.Params)
			}
		}
		if len(notices) != 4 || kinds[0] != careteam.NoticeJoined || notices[1].Kind != careteam.NoticeShared {
			t.Errorf("notices = %v", kinds)
		}
		wantAudit := []string{careteam.AuditMemberAdded, careteam.AuditDefaultApplied, careteam.AuditDefaultApplied, careteam.AuditDefaultApplied}
		slices.Sort(wantAudit)
		if got := auditActions(t, f.db, sam); !slices.Equal(got, wantAudit) {
			t.Errorf("audit = %v, want %v", got, wantAudit)
		}
		// Lee now sees Sam's diary.
		if err := f.checker.Check(ctx, asLee, access.DiaryRead, sam); err != nil {
			t.Errorf("Lee reads Sam's diary: %v", err)
		}
		// Sam dismisses a notice; it is gone next time.
		if err := f.svc.DismissNotice(ctx, asSam, sam, notices[0].ID); err != nil {
			t.Fatal(err)
		}
		if left, _ := f.svc.FindNotices(ctx, asSam, sam); len(left) != 3 {
			t.Errorf("after dismissing: %d notices", len(left))
		}
		if err := f.svc.DismissNotice(ctx, asSam, sam, notices[0].ID); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("second dismissal: %v", err)
		}
	})
	t.Run("OKLead", func(t *testing.T) {
		f := setup(t)
		if _, err := f.svc.AddMember(ctx, asMorgan, sam, jo, tend.CareGroupFacilitator); err != nil {
			t.Fatal(err)
		}
		// A group facilitator has no defaults: nothing is shared with Jo.
		if grants, _ := f.svc.Grants(ctx, asSam, sam); len(grants) != 0 {
			t.Errorf("grants = %+v", grants)
		}
	})
	t.Run("ErrForbiddenSelf", func(t *testing.T) {
		f := setup(t)
		_, err := f.svc.AddMember(ctx, asMorgan, sam, morgan, tend.CareTherapist)
		if kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("a lead adding themselves: %v, want EFORBIDDEN", err)
		}
		if members, _ := f.db.FindCareTeamMembers(ctx, sam); len(members) != 0 {
			t.Errorf("members = %+v", members)
		}
	})
	t.Run("ErrForbiddenClinician", func(t *testing.T) {
		f := setup(t)
		// Lee, not yet on Sam's team, cannot add themselves or anyone: Sam is
		// not Lee's to know about.
		if _, err := f.svc.AddMember(ctx, asLee, sam, lee, tend.CareTherapist); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("clinician adding themselves: %v, want ENOTFOUND", err)
		}
		if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); err != nil {
			t.Fatal(err)
		}
		// On the team now, Lee still cannot manage it.
		if _, err := f.svc.AddMember(ctx, asLee, sam, jo, tend.CareTherapist); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("therapist adding a colleague: %v, want EFORBIDDEN", err)
		}
	})
	t.Run("ErrNotFoundOtherTeamsLead", func(t *testing.T) {
		f := setup(t)
		if _, err := f.svc.AddMember(ctx, asMorgan, riley, lee, tend.CareTherapist); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("lead of another team: %v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t)
		if _, err := f.svc.AddMember(ctx, asAda, sam, ada, tend.CareTherapist); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("admin adding themselves: %v", err)
		}
		if _, err := f.svc.AddMember(ctx, asMorgan, sam, ada, tend.CareTherapist); kindOf(err) != tend.EINVALID {
			t.Errorf("adding an admin: %v, want EINVALID", err)
		}
		if _, err := f.svc.AddMember(ctx, asAda, sam, "s-nobody", tend.CareTherapist); kindOf(err) != tend.EINVALID {
			t.Errorf("unknown staff: %v, want EINVALID", err)
		}
		if _, err := f.svc.AddMember(ctx, asAda, sam, lee, "friend"); kindOf(err) != tend.EINVALID {
			t.Errorf("unknown role: %v, want EINVALID", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t)
		if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); kindOf(err) != tend.ECONFLICT {
			t.Errorf("twice: %v, want ECONFLICT", err)
		}
		// Nothing of the failed attempt is left: one membership, its notices only.
		if n, _ := f.svc.FindNotices(ctx, asSam, sam); len(n) != 4 {
			t.Errorf("%d notices", len(n))
		}
		// A second role for the same clinician is fine.
		if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareCoordinator); err != nil {
			t.Errorf("second role: %v", err)
		}
	})
	t.Run("ErrRollback", func(t *testing.T) {
		f := setup(t)
		svc := careteam.NewService(failingStore{store.For[careteam.Tx](f.db)}, f.checker, f.clock)
		if _, err := svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); err == nil {
			t.Fatal("no error")
		}
		members, _ := f.db.FindCareTeamMembers(ctx, sam)
		notices, _ := f.db.FindNotices(ctx, sam)
		grants, _ := f.db.FindGrants(ctx, sam)
		if len(members)+len(notices)+len(grants) != 0 || len(auditActions(t, f.db, sam)) != 0 {
			t.Errorf("left behind: %d members, %d notices, %d grants", len(members), len(notices), len(grants))
		}
	})
}

// failingStore fails every unit of work after it has written everything.
type failingStore struct{ careteam.Store }

func (s failingStore) InTx(ctx context.Context, fn func(careteam.Tx) error) error {
	return s.Store.InTx(ctx, func(tx careteam.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errors.New("injected fault before commit")
	})
}

func TestEndMember(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		f := setup(t)
		m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.CountActivePeopleForStaff(ctx, lee); n != 1 {
			t.Errorf("Lee's people = %d, want 1", n)
		}
		if err := f.svc.EndMember(ctx, asMorgan, sam, m.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.db.CountActivePeopleForStaff(ctx, lee); n != 0 {
			t.Errorf("Lee's people after ending = %d, want 0", n)
		}
		if members, _ := f.svc.Members(ctx, asSam, sam); len(members) != 0 {
			t.Errorf("members = %+v", members)
		}
		if grants, _ := f.svc.Grants(ctx, asSam, sam); len(grants) != 0 {
			t.Errorf("grants outlived the membership: %+v", grants)
		}
		notices, _ := f.svc.FindNotices(ctx, asSam, sam)
		if last := notices[len(notices)-1]; last.Kind != careteam.NoticeEnded || last.Params.StaffID != lee {
			t.Errorf("last notice = %+v", last)
		}
		if acts := auditActions(t, f.db, sam); !slices.Contains(acts, careteam.AuditMemberEnded) {
			t.Errorf("audit = %v", acts)
		}
		// Lee no longer knows Sam.
		if err := f.checker.Check(ctx, asLee, access.DiaryRead, sam); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("after ending: %v, want ENOTFOUND", err)
		}
		if err := f.svc.EndMember(ctx, asMorgan, sam, m.ID); kindOf(err) != tend.ECONFLICT {
			t.Errorf("ending twice: %v, want ECONFLICT", err)
		}
	})
	t.Run("ErrNotFoundOtherPerson", func(t *testing.T) {
		f := setup(t)
		m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.EndMember(ctx, asAda, alex, m.ID); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("Sam's membership through Alex: %v, want ENOTFOUND", err)
		}
	})
}

func TestMoveToFollowUp(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrInvalidNoConsent", func(t *testing.T) {
		if err := f.svc.MoveToFollowUp(ctx, asAda, sam, m.ID, false); kindOf(err) != tend.EINVALID {
			t.Errorf("without consent: %v, want EINVALID", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if err := f.svc.MoveToFollowUp(ctx, asAda, sam, m.ID, true); err != nil {
			t.Fatal(err)
		}
		members, _ := f.svc.Members(ctx, asSam, sam)
		if len(members) != 1 || members[0].State != access.MemberFollowUp || !members[0].FollowUpConsent {
			t.Errorf("members = %+v", members)
		}
		// Follow-up keeps questionnaires (shared) and episodes, not the diary.
		if err := f.checker.Check(ctx, asLee, access.QuestionnairesRead, sam); err != nil {
			t.Errorf("questionnaires: %v", err)
		}
		if err := f.checker.Check(ctx, asLee, access.DiaryRead, sam); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("diary in follow-up: %v, want EFORBIDDEN", err)
		}
		notices, _ := f.svc.FindNotices(ctx, asSam, sam)
		if last := notices[len(notices)-1]; last.Kind != careteam.NoticeFollowUp {
			t.Errorf("last notice = %+v", last)
		}
		if n, _ := f.db.CountActivePeopleForStaff(ctx, lee); n != 1 {
			t.Errorf("a follow-up person still counts: %d", n)
		}
	})
	t.Run("ErrConflictTwice", func(t *testing.T) {
		if err := f.svc.MoveToFollowUp(ctx, asAda, sam, m.ID, true); kindOf(err) != tend.ECONFLICT {
			t.Errorf("twice: %v, want ECONFLICT", err)
		}
	})
}

func TestSetGrant(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist)
	if err != nil {
		t.Fatal(err)
	}
	check := func(action access.Action) string { return kindOf(f.checker.Check(ctx, asLee, action, sam)) }
	t.Run("OKRevocationOnNextRequest", func(t *testing.T) {
		if got := check(access.TestAreaRead); got != tend.EFORBIDDEN {
			t.Fatalf("before sharing: %s", got)
		}
		if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaTest, access.LevelSee); err != nil {
			t.Fatal(err)
		}
		if got := check(access.TestAreaRead); got != "ok" {
			t.Errorf("after sharing: %s", got)
		}
		if got := check(access.TestAreaWrite); got != tend.EFORBIDDEN {
			t.Errorf("write with see: %s", got)
		}
		if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaTest, access.LevelEdit); err != nil {
			t.Fatal(err)
		}
		if got := check(access.TestAreaWrite); got != "ok" {
			t.Errorf("write with edit: %s", got)
		}
		if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaTest, access.LevelNone); err != nil {
			t.Fatal(err)
		}
		if got := check(access.TestAreaRead); got != tend.EFORBIDDEN {
			t.Errorf("the request after revoking: %s, want forbidden", got)
		}
		if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaDiary, access.LevelNone); err != nil {
			t.Fatal(err)
		}
		if got := check(access.DiaryRead); got != tend.EFORBIDDEN {
			t.Errorf("diary after revoking the default: %s", got)
		}
		if acts := auditActions(t, f.db, sam); !slices.Contains(acts, careteam.AuditGrantSet) {
			t.Errorf("audit = %v", acts)
		}
	})
	t.Run("ErrInvalidHopeBox", func(t *testing.T) {
		err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaHopeBox, access.LevelSee)
		if kindOf(err) != tend.EINVALID {
			t.Errorf("hope box: %v, want EINVALID", err)
		}
		for _, a := range []access.Area{access.AreaJournal, access.AreaToolboxLog} {
			if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, a, access.LevelEdit); kindOf(err) != tend.EINVALID {
				t.Errorf("edit on %s, which only the person writes in: %v, want EINVALID", a, err)
			}
		}
		if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, "everything", access.LevelSee); kindOf(err) != tend.EINVALID {
			t.Errorf("unknown area: %v", err)
		}
		if err := f.svc.SetGrant(ctx, asSam, sam, m.ID, access.AreaDiary, "all"); kindOf(err) != tend.EINVALID {
			t.Errorf("unknown level: %v", err)
		}
		// Even written straight to the table, the hope box is refused.
		if _, err := f.db.Writer().Exec(`INSERT INTO grants (member_id, area, level, updated_at) VALUES ($1, 'hope_box', 'see', $2)`, string(m.ID), f.clock.T); err == nil {
			t.Error("the database took a hope-box grant")
		}
	})
	t.Run("ErrOnlyThePerson", func(t *testing.T) {
		if err := f.svc.SetGrant(ctx, asLee, sam, m.ID, access.AreaJournal, access.LevelSee); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("therapist granting themselves: %v, want EFORBIDDEN", err)
		}
		if err := f.svc.SetGrant(ctx, asAda, sam, m.ID, access.AreaJournal, access.LevelSee); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("admin: %v, want EFORBIDDEN", err)
		}
		if err := f.svc.SetGrant(ctx, asAlex, sam, m.ID, access.AreaJournal, access.LevelSee); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("another person: %v, want ENOTFOUND", err)
		}
		if _, err := f.svc.Grants(ctx, asAlex, sam); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("another person's grants: %v, want ENOTFOUND", err)
		}
		if _, err := f.svc.FindNotices(ctx, asLee, sam); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("Lee reading Sam's notices: %v, want EFORBIDDEN", err)
		}
		// Alex cannot grant on Alex's own page to Sam's membership.
		if err := f.svc.SetGrant(ctx, asAlex, alex, m.ID, access.AreaJournal, access.LevelSee); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("another person's membership: %v, want ENOTFOUND", err)
		}
	})
}

func TestSharingDefaults(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.svc.SharingDefaults(ctx, asLee); kindOf(err) != tend.EFORBIDDEN {
		t.Errorf("clinician: %v", err)
	}
	if err := f.svc.SetSharingDefault(ctx, asAda, careteam.Default{Role: tend.CareCoordinator, Area: access.AreaHopeBox, Level: access.LevelSee}); kindOf(err) != tend.EINVALID {
		t.Errorf("hope box default: %v", err)
	}
	if err := f.svc.SetSharingDefault(ctx, asAda, careteam.Default{Role: tend.CareCoordinator, Area: access.AreaSafetyPlan, Level: access.LevelSee}); err != nil {
		t.Fatal(err)
	}
	defaults, err := f.svc.SharingDefaults(ctx, asAda)
	if err != nil || len(defaults) != 4 {
		t.Fatalf("defaults = %+v, %v", defaults, err)
	}
	m, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareCoordinator)
	if err != nil {
		t.Fatal(err)
	}
	grants, _ := f.svc.Grants(ctx, asSam, sam)
	if len(grants) != 1 || grants[0].MemberID != m.ID || grants[0].Area != access.AreaSafetyPlan || grants[0].Level != access.LevelSee {
		t.Errorf("grants = %+v", grants)
	}
}

func TestSupporters(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	t.Run("ErrInvalidItems", func(t *testing.T) {
		for _, items := range [][]access.SupporterItem{
			nil,
			{"diary"},
			{access.ItemSteps3to5, "journal"},
			{"questionnaires"},
			{"notes"},
			{"hope_box"},
		} {
			if _, err := f.svc.AddSupporter(ctx, asSam, sam, items); kindOf(err) != tend.EINVALID {
				t.Errorf("items %v: %v, want EINVALID", items, err)
			}
		}
		if sups, _ := f.svc.Supporters(ctx, asSam, sam); len(sups) != 0 {
			t.Errorf("supporters = %+v", sups)
		}
	})
	var sup careteam.Supporter
	t.Run("OK", func(t *testing.T) {
		var err error
		sup, err = f.svc.AddSupporter(ctx, asSam, sam, []access.SupporterItem{access.ItemSteps3to5, access.ItemWhoToCall, access.ItemWhoToCall})
		if err != nil {
			t.Fatal(err)
		}
		sups, err := f.svc.Supporters(ctx, asSam, sam)
		if err != nil || len(sups) != 1 || !slices.Equal(sups[0].Items, []access.SupporterItem{access.ItemSteps3to5, access.ItemWhoToCall}) {
			t.Fatalf("supporters = %+v, %v", sups, err)
		}
		asSup := tend.Actor{Kind: tend.KindSupporter, ID: sup.ID}
		if err := f.checker.CheckTarget(ctx, asSup, access.SafetyPlanRead, sam, access.Target{Item: access.ItemSteps3to5}); err != nil {
			t.Errorf("given item: %v", err)
		}
		if err := f.checker.CheckTarget(ctx, asSup, access.SafetyPlanRead, sam, access.Target{Item: access.ItemWarningSigns}); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("item not given: %v", err)
		}
		for _, a := range []access.Action{access.DiaryRead, access.JournalRead, access.QuestionnairesRead, access.NoteRead} {
			if err := f.checker.Check(ctx, asSup, a, sam); kindOf(err) != tend.EFORBIDDEN {
				t.Errorf("supporter %s: %v, want EFORBIDDEN", a, err)
			}
		}
		if err := f.checker.Check(ctx, asSup, access.SafetyPlanRead, alex); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("supporter reading Alex: %v, want ENOTFOUND", err)
		}
		// Sam narrows the items; the next request sees it.
		if err := f.svc.SetSupporterItems(ctx, asSam, sam, sup.ID, []access.SupporterItem{access.ItemWhoToCall}); err != nil {
			t.Fatal(err)
		}
		if err := f.checker.CheckTarget(ctx, asSup, access.SafetyPlanRead, sam, access.Target{Item: access.ItemSteps3to5}); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("after narrowing: %v", err)
		}
		if err := f.svc.SetSupporterItems(ctx, asSam, sam, sup.ID, []access.SupporterItem{"diary"}); kindOf(err) != tend.EINVALID {
			t.Errorf("diary for a supporter: %v", err)
		}
		if err := f.svc.EndSupporter(ctx, asSam, sam, sup.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.checker.CheckTarget(ctx, asSup, access.SafetyPlanRead, sam, access.Target{Item: access.ItemWhoToCall}); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("after ending: %v, want ENOTFOUND", err)
		}
		acts := auditActions(t, f.db, sam)
		for _, a := range []string{careteam.AuditSupporterAdd, careteam.AuditSupporterItems, careteam.AuditSupporterEnd} {
			if !slices.Contains(acts, a) {
				t.Errorf("no %s in audit %v", a, acts)
			}
		}
	})
	t.Run("ErrOnlyThePerson", func(t *testing.T) {
		if _, err := f.svc.AddSupporter(ctx, asLee, sam, []access.SupporterItem{access.ItemWhoToCall}); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("Lee (not on the team): %v, want ENOTFOUND", err)
		}
		if _, err := f.svc.AddSupporter(ctx, asAda, sam, []access.SupporterItem{access.ItemWhoToCall}); kindOf(err) != tend.EFORBIDDEN {
			t.Errorf("admin: %v, want EFORBIDDEN", err)
		}
	})
}

// TestFactsMatchMatrix: the store's Facts, for a small fixture, give the
// answers the hand-written matrix expects (Sam; Lee, Sam's therapist with the
// default grants; Kim, a clinician in another team; Morgan, Lee's lead).
func TestFactsMatchMatrix(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		name   string
		actor  tend.Actor
		action access.Action
		person tend.ID
		want   string
	}{
		{"sam reads own diary", asSam, access.DiaryRead, sam, "ok"},
		{"sam reads notes", asSam, access.NoteRead, sam, tend.EFORBIDDEN},
		{"alex reads sam's diary", asAlex, access.DiaryRead, sam, tend.ENOTFOUND},
		{"lee reads sam's diary", asLee, access.DiaryRead, sam, "ok"},
		{"lee edits sam's safety plan", asLee, access.SafetyPlanWrite, sam, "ok"},
		{"lee edits sam's diary", asLee, access.DiaryWrite, sam, tend.EFORBIDDEN},
		{"lee reads sam's journal", asLee, access.JournalRead, sam, tend.EFORBIDDEN},
		{"lee reads sam's notes", asLee, access.NoteRead, sam, "ok"},
		{"lee reads alex (not on the team)", asLee, access.DiaryRead, alex, tend.ENOTFOUND},
		{"lee without MFA", tend.Actor{Kind: tend.KindStaff, ID: lee, Role: tend.RoleClinician}, access.DiaryRead, sam, tend.EFORBIDDEN},
		{"kim reads sam's diary", asKim, access.DiaryRead, sam, tend.ENOTFOUND},
		{"kim reads sam's profile", asKim, access.ProfileRead, sam, tend.ENOTFOUND},
		{"morgan reads sam's task metadata", asMorgan, access.TaskMetaRead, sam, "ok"},
		{"morgan reads sam's diary", asMorgan, access.DiaryRead, sam, tend.EFORBIDDEN},
		{"morgan reads riley (another team)", asMorgan, access.ProfileRead, riley, tend.ENOTFOUND},
		{"ada reads sam's profile", asAda, access.ProfileRead, sam, tend.EFORBIDDEN}, // admins open no person's record
		{"ada reads sam's diary", asAda, access.DiaryRead, sam, tend.EFORBIDDEN},
		{"anyone reads a missing person", asAda, access.ProfileRead, "p-nobody", tend.ENOTFOUND},
		{"anonymous", tend.Actor{}, access.DiaryRead, sam, tend.EUNAUTHORIZED},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if got := kindOf(f.checker.Check(ctx, r.actor, r.action, r.person)); got != r.want {
				t.Errorf("got %s, want %s", got, r.want)
			}
		})
	}
	t.Run("TeamReports", func(t *testing.T) {
		if err := f.checker.CheckTeam(ctx, asMorgan, access.ReportRead, "t-river"); err != nil {
			t.Errorf("lead of the team: %v", err)
		}
		if err := f.checker.CheckTeam(ctx, asMorgan, access.ReportRead, "t-hill"); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("lead of another team: %v", err)
		}
	})
	t.Run("DisabledStaff", func(t *testing.T) {
		if _, err := f.db.Writer().Exec(`UPDATE staff SET disabled_at = $1 WHERE id = $2`, f.clock.T, string(lee)); err != nil {
			t.Fatal(err)
		}
		if err := f.checker.Check(ctx, asLee, access.DiaryRead, sam); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("disabled therapist: %v, want ENOTFOUND", err)
		}
	})
}
