package groups_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

var ctx = context.Background()

// fixture is the demo service with real stores and the vault: sam; lee
// (therapist), priya (prescriber), jo (group facilitator) and casey (care
// coordinator) on sam's team; kim on no team of sam's; the admin.
type fixture struct {
	db                                     *store.DB
	groups                                 *groups.Service
	sam, lee, priya, jo, casey, kim, admin tend.Actor
	alex                                   tend.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.Store(t, nil)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	clock := tend.SystemClock{}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, groups: groups.NewService(store.For[groups.Tx](db), checker, clock)}
	person := func(u string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	f.sam, f.alex = person("sam"), person("alex")
	staff := func(email string, role tend.Role) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: role, MFA: true}
	}
	f.lee, f.priya, f.jo, f.kim = staff("lee@example.org", tend.RoleClinician), staff("priya@example.org", tend.RoleClinician),
		staff("jo@example.org", tend.RoleClinician), staff("kim@example.org", tend.RoleClinician)
	f.admin = staff("admin@example.org", tend.RoleAdmin)
	c, _, err := accounts.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "casey@example.org", Name: "Casey", Role: tend.RoleClinician,
		Team: demo.TeamRiverside, Password: "a demo password for tests"})
	if err != nil {
		t.Fatal(err)
	}
	f.casey = tend.Actor{Kind: tend.KindStaff, ID: c.ID, Role: tend.RoleClinician, MFA: true}
	if _, err := careTeam.AddMember(ctx, f.admin, f.sam.ID, f.casey.ID, tend.CareCoordinator); err != nil {
		t.Fatal(err)
	}
	return f
}

func auditCount(t *testing.T, db *store.DB, person tend.ID, action string) int {
	t.Helper()
	ev, err := db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &person, Actions: []string{action}})
	if err != nil {
		t.Fatal(err)
	}
	return len(ev)
}

func TestGroups(t *testing.T) {
	f := newFixture(t)
	g, err := f.groups.Create(ctx, f.jo, " Tuesday skills group ", "DBT skills group", "Tuesdays 18:00 to 20:00")
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "Tuesday skills group" || g.FacilitatorID != f.jo.ID {
		t.Fatalf("created: %+v", g)
	}
	t.Run("OK/Mine", func(t *testing.T) {
		mine, err := f.groups.Mine(ctx, f.jo)
		if err != nil || len(mine) != 1 || mine[0].ID != g.ID {
			t.Fatalf("jo's groups: %+v %v", mine, err)
		}
		if theirs, err := f.groups.Mine(ctx, f.lee); err != nil || len(theirs) != 0 {
			t.Fatalf("lee's groups: %+v %v", theirs, err)
		}
	})
	t.Run("ErrNotFound/OthersCannotOpenIt", func(t *testing.T) {
		if _, err := f.groups.Detail(ctx, f.lee, string(g.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("lee opens jo's group: %v", err)
		}
		if _, err := f.groups.Detail(ctx, f.sam, string(g.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("sam opens jo's group: %v", err)
		}
		if _, err := f.groups.Mine(ctx, f.admin); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("the admin runs groups: %v", err)
		}
	})
	d, err := f.groups.Detail(ctx, f.jo, string(g.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Candidates) != 1 || d.Candidates[0].Username != "sam" || len(d.Members) != 0 {
		t.Fatalf("jo may enrol %+v", d.Candidates)
	}
	t.Run("ErrNotFound/EnrolSomeoneNotTheirs", func(t *testing.T) {
		if err := f.groups.Enrol(ctx, f.jo, string(g.ID), string(f.alex.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("jo enrols alex: %v", err)
		}
	})
	if err := f.groups.Enrol(ctx, f.jo, string(g.ID), string(f.sam.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.groups.Enrol(ctx, f.jo, string(g.ID), string(f.sam.ID)); err != nil {
		t.Fatalf("enrolling again: %v", err)
	}
	if c := auditCount(t, f.db, f.sam.ID, groups.AuditEnrolled); c != 1 {
		t.Errorf("%d enrolments audited, want 1", c)
	}
	t.Run("OK/RecordAttendance", func(t *testing.T) {
		r, err := f.groups.Record(ctx, f.jo, string(g.ID), groups.Marks{HeldOn: "2026-03-03", Key: "k1", Status: map[tend.ID]groups.Status{f.sam.ID: groups.StatusAttended}})
		if err != nil || !r.Added {
			t.Fatalf("record: %+v %v", r, err)
		}
		// A retry with the same key writes nothing, even with other marks.
		again, err := f.groups.Record(ctx, f.jo, string(g.ID), groups.Marks{HeldOn: "2026-03-03", Key: "k1", Status: map[tend.ID]groups.Status{f.sam.ID: groups.StatusAbsent}})
		if err != nil || again.Added || again.MeetingID != r.MeetingID {
			t.Fatalf("retry: %+v %v", again, err)
		}
		if _, err := f.groups.Record(ctx, f.jo, string(g.ID), groups.Marks{HeldOn: "2026-03-10", Key: "k2", Status: map[tend.ID]groups.Status{f.sam.ID: groups.StatusCancelled}}); err != nil {
			t.Fatal(err)
		}
		d, err := f.groups.Detail(ctx, f.jo, string(g.ID))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Meetings) != 2 || d.Meetings[0].HeldOn != "2026-03-10" || d.Meetings[1].Attendance[f.sam.ID] != groups.StatusAttended || len(d.Members) != 1 {
			t.Fatalf("detail: %+v", d)
		}
	})
	t.Run("OK/TherapistAndPersonSee", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"sam": f.sam, "lee": f.lee, "jo": f.jo} {
			v, err := f.groups.ForPerson(ctx, who, f.sam.ID)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(v.Groups) != 1 || v.Groups[0].Kind != "DBT skills group" || len(v.Attendance) != 2 ||
				v.Attendance[0].Status != groups.StatusCancelled || v.Attendance[1].Status != groups.StatusAttended {
				t.Fatalf("%s sees %+v", name, v)
			}
		}
		if c := auditCount(t, f.db, f.sam.ID, string(access.GroupAttendanceRead)); c < 2 {
			t.Errorf("%d attendance reads audited, want at least lee's and jo's", c)
		}
	})
	t.Run("ErrForbidden/PrescriberAndCoordinator", func(t *testing.T) {
		for name, who := range map[string]tend.Actor{"priya": f.priya, "casey": f.casey} {
			if _, err := f.groups.ForPerson(ctx, who, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := f.groups.ForPerson(ctx, f.kim, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("kim: %v", err)
		}
	})
}

func TestRecordRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	g, err := f.groups.Create(ctx, f.jo, "Skills", "DBT skills group", "")
	if err != nil {
		t.Fatal(err)
	}
	sam := map[tend.ID]groups.Status{f.sam.ID: groups.StatusAttended}
	tests := []struct {
		name string
		m    groups.Marks
		want string
	}{
		{"ErrInvalid/NoKey", groups.Marks{HeldOn: "2026-03-03", Status: sam}, tend.EINVALID},
		{"ErrInvalid/BadDate", groups.Marks{HeldOn: "Tuesday", Key: "a", Status: sam}, tend.EINVALID},
		{"ErrInvalid/Nobody", groups.Marks{HeldOn: "2026-03-03", Key: "b"}, tend.EINVALID},
		{"ErrInvalid/BadStatus", groups.Marks{HeldOn: "2026-03-03", Key: "c", Status: map[tend.ID]groups.Status{f.sam.ID: "late"}}, tend.EINVALID},
		{"ErrInvalid/NotEnrolled", groups.Marks{HeldOn: "2026-03-03", Key: "d", Status: sam}, tend.EINVALID},
		{"ErrNotFound/NotTheirPerson", groups.Marks{HeldOn: "2026-03-03", Key: "e", Status: map[tend.ID]groups.Status{f.alex.ID: groups.StatusAttended}}, tend.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.groups.Record(ctx, f.jo, string(g.ID), tt.m); tend.ErrorKind(err) != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
		})
	}
	if _, err := f.groups.Create(ctx, f.jo, "", "DBT skills group", ""); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("a group without a name: %v", err)
	}
	d, err := f.groups.Detail(ctx, f.jo, string(g.ID))
	if err != nil || len(d.Meetings) != 0 {
		t.Fatalf("bad input left meetings: %+v %v", d.Meetings, err)
	}
}

// TestRecordIsOneUnitOfWork: a failure before commit leaves no meeting,
// attendance, key or audit event.
func TestRecordIsOneUnitOfWork(t *testing.T) {
	f := newFixture(t)
	g, err := f.groups.Create(ctx, f.jo, "Skills", "DBT skills group", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.groups.Enrol(ctx, f.jo, string(g.ID), string(f.sam.ID)); err != nil {
		t.Fatal(err)
	}
	m := groups.Marks{HeldOn: "2026-03-03", Key: "once", Status: map[tend.ID]groups.Status{f.sam.ID: groups.StatusAttended}}
	f.db.FailBeforeCommit(func() error { return errors.New("injected") })
	if _, err := f.groups.Record(ctx, f.jo, string(g.ID), m); err == nil {
		t.Fatal("recording succeeded through an injected failure")
	}
	f.db.FailBeforeCommit(nil)
	if c := auditCount(t, f.db, f.sam.ID, string(access.GroupAttendanceWrite)); c != 0 {
		t.Errorf("%d events survived the rollback", c)
	}
	// The key was not kept either: the same request now records.
	r, err := f.groups.Record(ctx, f.jo, string(g.ID), m)
	if err != nil || !r.Added {
		t.Fatalf("after the rollback: %+v %v", r, err)
	}
}
