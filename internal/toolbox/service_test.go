package toolbox_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/toolbox"
	"github.com/tendcare/tend/internal/vault"
)

// fixture is the demo service on a real store (SQLite, or PostgreSQL when
// TEND_TEST_POSTGRES is set) with the vault: sam and alex (people), lee
// (sam's therapist), kim (not on sam's team) and the admin.
type fixture struct {
	db                         *store.DB
	tb                         *toolbox.Service
	careTeam                   *careteam.Service
	sam, alex, lee, kim, admin tend.Actor
}

func newFixture(t *testing.T) *fixture { return newFixtureSeeded(t, false) }

// newFixtureSeeded is newFixture; with demoToolbox the demo seeds its
// toolbox content as serve --demo does.
func newFixtureSeeded(t *testing.T, demoToolbox bool) *fixture {
	t.Helper()
	ctx := context.Background()
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
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	f := &fixture{db: db, careTeam: careTeam, tb: toolbox.NewService(store.For[toolbox.Tx](db), checker, v, clock)}
	services := demo.Services{Accounts: accounts, CareTeam: careTeam}
	if demoToolbox {
		services.Toolbox = f.tb
	}
	if err := demo.Seed(ctx, services, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	person := func(name string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	staff := func(email string, role tend.Role) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: role, MFA: true}
	}
	f.sam, f.alex = person("sam"), person("alex")
	f.lee, f.kim, f.admin = staff("lee@example.org", tend.RoleClinician), staff("kim@example.org", tend.RoleClinician), staff("admin@example.org", tend.RoleAdmin)
	return f
}

func TestPickNeverPicksHiddenOrCautioned(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, a := range []string{"move.stress_ball", "move.stretch"} {
		if err := f.tb.Choose(ctx, f.sam, f.sam.ID, a, toolbox.ChangeHide); err != nil {
			t.Fatal(err)
		}
	}
	tb, err := f.tb.Toolbox(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Move now holds only the brisk walk, which carries the caution.
	if got := tb.Pickable(toolbox.Move); len(got) != 0 {
		t.Fatalf("pickable moves = %v, want none (the rest hidden, the walk cautioned)", got)
	}
	if _, ok := tb.Pick(toolbox.Move, "", nil); ok {
		t.Fatal("pick one for me chose a hidden or cautioned activity")
	}
	// Every index of every pick from the whole toolbox avoids them.
	all := tb.Pickable("")
	for i := range all {
		a, ok := tb.Pick("", "", func(int) int { return i })
		if !ok || a.Hidden || (a.Caution && !tb.CautionAccepted) {
			t.Fatalf("pick %d = %+v", i, a)
		}
	}
	if err := f.tb.SetCaution(ctx, f.sam, f.sam.ID, true); err != nil {
		t.Fatal(err)
	}
	tb, err = f.tb.Toolbox(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := tb.Pick(toolbox.Move, "", nil)
	if !ok || a.ID != "move.walk_dance" {
		t.Fatalf("after accepting the caution pick = %+v, %v; want the brisk walk", a, ok)
	}
	// Showing again and pinning puts an activity first.
	if err := f.tb.Choose(ctx, f.sam, f.sam.ID, "move.stretch", toolbox.ChangePin); err != nil {
		t.Fatal(err)
	}
	tb, _ = f.tb.Toolbox(ctx, f.sam, f.sam.ID)
	if v := tb.Visible(toolbox.Move); len(v) != 2 || v[0].ID != "move.stretch" || !v[0].Pinned {
		t.Fatalf("visible moves = %+v, want the pinned stretch first", v)
	}
	// Another person's choices are their own.
	other, err := f.tb.Toolbox(ctx, f.alex, f.alex.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Visible(toolbox.Move)) != 3 || other.CautionAccepted {
		t.Fatalf("alex's moves = %+v, caution %v; want all three, not accepted", other.Visible(toolbox.Move), other.CautionAccepted)
	}
}

func TestServiceActivityRefusal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, title := range []string{
		"Snap a rubber band on your wrist", "Elastic band on the arm", "Hold an ice cube", "Put your face in icy water",
		"Draw on your skin with a red pen", "Eat a hot chilli", "Hit a pillow hard", "Punching a wall",
	} {
		_, err := f.tb.AddServiceActivity(ctx, f.admin, toolbox.NewServiceActivity{Kind: toolbox.Comfort, Title: title, Safe: true})
		if tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%q: err = %v, want EINVALID", title, err)
		}
	}
	if _, err := f.tb.AddServiceActivity(ctx, f.admin, toolbox.NewServiceActivity{Kind: toolbox.Comfort, Title: "Stroke a pet"}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("without the confirmation: err = %v, want EINVALID", err)
	}
	if _, err := f.tb.AddServiceActivity(ctx, f.lee, toolbox.NewServiceActivity{Kind: toolbox.Comfort, Title: "Stroke a pet", Safe: true}); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("a clinician: err = %v, want EFORBIDDEN", err)
	}
	if got, _ := f.tb.ServiceActivities(ctx, f.admin); len(got) != 0 {
		t.Fatalf("refused activities were stored: %+v", got)
	}
	a, err := f.tb.AddServiceActivity(ctx, f.admin, toolbox.NewServiceActivity{Kind: toolbox.Comfort, Title: "  Stroke   a pet ", Safe: true})
	if err != nil {
		t.Fatal(err)
	}
	tb, _ := f.tb.Toolbox(ctx, f.sam, f.sam.ID)
	if got, ok := tb.Find("service-" + string(a.ID)); !ok || got.Title != "Stroke a pet" || got.Source != toolbox.SourceService {
		t.Fatalf("sam's toolbox lacks the service activity: %+v", got)
	}
	// A person's own words are never checked against the list.
	own, err := f.tb.AddOwn(ctx, f.sam, f.sam.ID, toolbox.Express, "Write a letter to the ice queen")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tb.RetireServiceActivity(ctx, f.admin, a.ID); err != nil {
		t.Fatal(err)
	}
	tb, _ = f.tb.Toolbox(ctx, f.sam, f.sam.ID)
	if _, ok := tb.Find("service-" + string(a.ID)); ok {
		t.Fatal("a retired service activity is still offered")
	}
	if got, ok := tb.Find(own.ID); !ok || got.Title != "Write a letter to the ice queen" {
		t.Fatalf("own activity = %+v", got)
	}
	if err := f.tb.RetireServiceActivity(ctx, f.admin, a.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Fatalf("retiring twice: err = %v, want ENOTFOUND", err)
	}
}

func TestLogIsIdempotentAndShared(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	recorded := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	n := toolbox.NewUse{Key: "key-1", Question: toolbox.QuestionUrge, UrgeBefore: 8, ActivityID: "breathe.paced", Minutes: 5, UrgeAfter: 8, RecordedAt: recorded}
	u, added, err := f.tb.Log(ctx, f.sam, f.sam.ID, n)
	if err != nil || !added {
		t.Fatalf("first log: added %v, err %v", added, err)
	}
	if u.Lower() || !u.RecordedAt.Equal(recorded) || u.ReceivedAt.Before(recorded) || u.Activity.ID != "breathe.paced" {
		t.Fatalf("use = %+v", u)
	}
	n.UrgeAfter = 3 // a retry carries the same key: nothing changes
	again, added, err := f.tb.Log(ctx, f.sam, f.sam.ID, n)
	if err != nil || added || again.ID != u.ID || again.UrgeAfter != 8 {
		t.Fatalf("retry: %+v added %v err %v; want the first use, not added", again, added, err)
	}
	// The same key from another person is theirs.
	if _, added, err := f.tb.Log(ctx, f.alex, f.alex.ID, n); err != nil || !added {
		t.Fatalf("alex with the same key: added %v err %v", added, err)
	}
	uses, err := f.tb.Uses(ctx, f.sam, f.sam.ID)
	if err != nil || len(uses) != 1 {
		t.Fatalf("sam's log: %d uses, err %v; want 1", len(uses), err)
	}
	for _, bad := range []toolbox.NewUse{
		{Key: "", Question: toolbox.QuestionUrge, ActivityID: "breathe.paced", Minutes: 5},
		{Key: "k", Question: "maybe", ActivityID: "breathe.paced", Minutes: 5},
		{Key: "k", Question: toolbox.QuestionUrge, UrgeBefore: 11, ActivityID: "breathe.paced", Minutes: 5},
		{Key: "k", Question: toolbox.QuestionUrge, ActivityID: "breathe.paced", Minutes: 7},
		{Key: "k", Question: toolbox.QuestionUrge, ActivityID: "rubber.band", Minutes: 5},
	} {
		if _, _, err := f.tb.Log(ctx, f.sam, f.sam.ID, bad); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", bad, err)
		}
	}
	if _, _, err := f.tb.Log(ctx, f.lee, f.sam.ID, n); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("lee logging for sam: err = %v, want ENOTFOUND", err)
	}
	// The answers are sealed: nothing readable in the raw row.
	var sealed []byte
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT answers FROM toolbox_uses WHERE id = $1`, string(u.ID)).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("before")) || bytes.Contains(sealed, []byte("urge")) {
		t.Fatal("a use's answers are stored in plain text")
	}

	// Staff read the log only while sam shares it, and each read is audited.
	if _, err := f.tb.Uses(ctx, f.lee, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Fatalf("lee without the grant: err = %v, want EFORBIDDEN", err)
	}
	if _, err := f.tb.Uses(ctx, f.kim, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Fatalf("kim: err = %v, want ENOTFOUND", err)
	}
	share(t, f, access.AreaToolboxLog, "see")
	got, err := f.tb.Uses(ctx, f.lee, f.sam.ID)
	if err != nil || len(got) != 1 || got[0].UrgeBefore != 8 {
		t.Fatalf("lee with the grant: %+v, %v", got, err)
	}
	var reads int
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE actor_id = $1 AND action = $2 AND person_id = $3`,
		string(f.lee.ID), string(access.ToolboxLogRead), string(f.sam.ID)).Scan(&reads); err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Fatalf("lee's reads audited: %d, want 1", reads)
	}
	share(t, f, access.AreaToolboxLog, "none")
	if _, err := f.tb.Uses(ctx, f.lee, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Fatalf("lee after sam stopped sharing: err = %v, want EFORBIDDEN", err)
	}
}

// share sets sam's grant of area to lee.
func share(t *testing.T, f *fixture, area access.Area, level access.Level) {
	t.Helper()
	ctx := context.Background()
	members, err := f.careTeam.Members(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.StaffID == f.lee.ID {
			if err := f.careTeam.SetGrant(ctx, f.sam, f.sam.ID, m.ID, area, level); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("lee is not on sam's care team")
}

// TestDemoToolbox: the demo gives sam a favourite and one gentle use.
func TestDemoToolbox(t *testing.T) {
	f := newFixtureSeeded(t, true)
	ctx := context.Background()
	tb, err := f.tb.Toolbox(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v := tb.Visible(toolbox.Breathe); len(v) != 1 || !v[0].Pinned {
		t.Errorf("sam's breathing = %+v, want pinned", v)
	}
	uses, err := f.tb.Uses(ctx, f.sam, f.sam.ID)
	if err != nil || len(uses) != 1 || !uses[0].Lower() || !uses[0].Helpful {
		t.Fatalf("sam's demo log = %+v, %v; want one use that helped", uses, err)
	}
	if other, _ := f.tb.Uses(ctx, f.alex, f.alex.ID); len(other) != 0 {
		t.Errorf("alex has %d demo uses, want none", len(other))
	}
}
