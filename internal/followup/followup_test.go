package followup_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// fixture: Sam in Riverside with Lee (therapist) and Cas (care
// coordinator) on the care team; Morgan leads Riverside; Kim is a clinician
// in Hillside with no tie to Sam; Dana is on the duty team.
type fixture struct {
	db    *store.DB
	svc   *followup.Service
	clock *tend.FixedClock
	duty  tend.ID
	rules followup.Rules
	exec  func(q string, args ...any)
}

const (
	sam                         tend.ID = "p-sam"
	lee, cas, morgan, kim, dana tend.ID = "s-lee", "s-cas", "s-morgan", "s-kim", "s-dana"
)

var (
	asSam    = tend.Actor{Kind: tend.KindPerson, ID: sam}
	asLee    = tend.Actor{Kind: tend.KindStaff, ID: lee, Role: tend.RoleClinician, MFA: true}
	asKim    = tend.Actor{Kind: tend.KindStaff, ID: kim, Role: tend.RoleClinician, MFA: true}
	asMorgan = tend.Actor{Kind: tend.KindStaff, ID: morgan, Role: tend.RoleLead, MFA: true}
	asDana   = tend.Actor{Kind: tend.KindStaff, ID: dana, Role: tend.RoleClinician, MFA: true}
)

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := &tend.FixedClock{T: time.Date(2026, 3, 6, 19, 0, 0, 0, time.UTC)} // a Friday evening
	db := testenv.Store(t, clock)
	f := &fixture{db: db, clock: clock, duty: "t-duty"}
	f.exec = func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	now := clock.T
	f.exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t-river', 'Riverside', 'care', $1), ('t-hill', 'Hillside', 'care', $1), ('t-duty', 'Duty', 'duty', $1)`, now)
	for _, s := range []struct {
		id   tend.ID
		role tend.Role
		team string
	}{{lee, tend.RoleClinician, "t-river"}, {cas, tend.RoleClinician, "t-river"}, {morgan, tend.RoleLead, "t-river"}, {kim, tend.RoleClinician, "t-hill"}, {dana, tend.RoleClinician, "t-duty"}} {
		f.exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, 'x', $5)`, string(s.id), string(s.id)+"@example.org", string(s.id), string(s.role), now)
		f.exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)`, string(s.id), s.team)
	}
	f.exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ($1, 'sam', 'x', 't-river', 'in_treatment', 'Europe/London', 'GB', $2)`, string(sam), now)
	f.exec(`INSERT INTO care_team_members (id, person_id, staff_id, care_role, state, started_at, added_by) VALUES ('m-lee', $1, $2, 'therapist', 'active', $3, 'x'), ('m-cas', $1, $4, 'care_coordinator', 'active', $3, 'x')`,
		string(sam), string(lee), now, string(cas))
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	f.svc = followup.NewService(store.For[followup.Tx](db), access.NewChecker(db), v, clock, func() followup.Settings { return followup.Settings{DutyTeam: f.duty, Rules: f.rules} }, nil)
	return f
}

func actions(t *testing.T, db *store.DB) []string {
	t.Helper()
	p := sam
	events, err := db.FindAuditEvents(context.Background(), store.AuditFilter{PersonID: &p})
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

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Writer().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequestContact(t *testing.T) {
	ctx := context.Background()
	t.Run("ErrConflictBeforeNotice", func(t *testing.T) {
		f := setup(t)
		_, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "k1"})
		if tend.ErrorKind(err) != tend.ECONFLICT {
			t.Fatalf("got %v, want conflict: the first-use notice comes first", err)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM followup_tasks`); n != 0 {
			t.Fatalf("%d tasks", n)
		}
	})
	t.Run("OK", func(t *testing.T) {
		f := setup(t)
		if err := f.svc.MarkNoticeSeen(ctx, asSam, sam); err != nil {
			t.Fatal(err)
		}
		recorded := f.clock.T.Add(-3 * time.Minute) // queued on the device
		var task tend.ID
		for i, key := range []string{"k1", "k2", "k3", "k2"} {
			f.clock.Advance(time.Minute)
			out, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactText, Key: key, RecordedAt: recorded})
			if err != nil {
				t.Fatal(err)
			}
			if out.Route != followup.RouteCareTeam {
				t.Errorf("route %s, want care_team", out.Route)
			}
			if want := i < 3; out.Added != want {
				t.Errorf("request %d (%s): added %v, want %v", i, key, out.Added, want)
			}
			if task == "" {
				task = out.TaskID
			} else if out.TaskID != task {
				t.Errorf("request %d went to task %s, not the open task %s", i, out.TaskID, task)
			}
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM followup_tasks`); n != 1 {
			t.Errorf("%d tasks, want 1", n)
		}
		v, err := f.svc.Task(ctx, asLee, task)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Entries) != 3 {
			t.Fatalf("%d entries, want 3", len(v.Entries))
		}
		for i, e := range v.Entries {
			if e.Kind != followup.KindContactRequest || !e.RecordedAt.Equal(recorded) || !e.ReceivedAt.Equal(time.Date(2026, 3, 6, 19, i+1, 0, 0, time.UTC)) || e.Contact != followup.ContactText {
				t.Errorf("entry %d: %+v", i, e)
			}
		}
		want := []string{"contact.notice_seen", "task.created", "task.entry_added", "task.entry_added", "task.entry_added", "task_meta.read"}
		if got := actions(t, f.db); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t)
		_ = f.svc.MarkNoticeSeen(ctx, asSam, sam)
		for _, req := range []followup.ContactRequest{{Method: "email", Key: "k"}, {Method: followup.ContactCall}} {
			if _, err := f.svc.RequestContact(ctx, asSam, sam, req); tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("%+v: %v", req, err)
			}
		}
	})
	t.Run("ErrNotFoundForOthers", func(t *testing.T) {
		f := setup(t)
		for _, a := range []tend.Actor{asLee, {Kind: tend.KindPerson, ID: "p-other"}} {
			if _, err := f.svc.RequestContact(ctx, a, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "k"}); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s: %v", a.ID, err)
			}
		}
	})
}

func raise(t *testing.T, f *fixture, key string) followup.Outcome {
	t.Helper()
	ctx := context.Background()
	if err := f.svc.MarkNoticeSeen(ctx, asSam, sam); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTaskAccessAndLifecycle(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	out := raise(t, f, "k1")

	inbox, err := f.svc.Inbox(ctx, asLee)
	if err != nil || len(inbox) != 1 || inbox[0].ID != out.TaskID || inbox[0].Username != "sam" {
		t.Fatalf("lee's inbox: %+v, %v", inbox, err)
	}
	for _, a := range []tend.Actor{asKim, asDana, asMorgan} {
		if got, _ := f.svc.Inbox(ctx, a); len(got) != 0 {
			t.Errorf("%s's inbox has %d tasks", a.ID, len(got))
		}
	}
	if _, err := f.svc.Task(ctx, asKim, out.TaskID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim: %v, want not found", err)
	}
	if _, err := f.svc.Task(ctx, asDana, out.TaskID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("dana (duty, task not routed to her): %v, want not found", err)
	}
	mv, err := f.svc.Task(ctx, asMorgan, out.TaskID)
	if err != nil || len(mv.Entries) != 1 || mv.Recipient {
		t.Errorf("morgan (lead) sees metadata: %+v, %v", mv, err)
	}
	if err := f.svc.Acknowledge(ctx, asMorgan, out.TaskID); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("morgan acknowledges: %v, want forbidden", err)
	}
	if err := f.svc.Acknowledge(ctx, asKim, out.TaskID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim acknowledges: %v, want not found", err)
	}
	if err := f.svc.Acknowledge(ctx, asLee, out.TaskID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Acknowledge(ctx, asLee, out.TaskID); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Errorf("second acknowledge: %v", err)
	}
	if err := f.svc.Resolve(ctx, asLee, out.TaskID, " "); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("empty note: %v", err)
	}
	const note = "Called Sam back; agreed to talk on Tuesday"
	if err := f.svc.Resolve(ctx, asLee, out.TaskID, note); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Task(ctx, asLee, out.TaskID)
	if err != nil || v.State != followup.StateResolved || v.Note != note || v.ResolvedBy != lee || v.AcknowledgedBy != lee {
		t.Errorf("resolved task: %+v, %v", v, err)
	}
	var raw []byte
	if err := f.db.Writer().QueryRow(`SELECT resolution_note FROM followup_tasks`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 || bytes.Contains(raw, []byte("Tuesday")) {
		t.Error("the resolution note is not sealed")
	}
	if got, _ := f.svc.Inbox(ctx, asLee); len(got) != 0 {
		t.Errorf("a resolved task is still in the inbox")
	}
	got := actions(t, f.db)
	for _, a := range []string{"task.acknowledged", "task.resolved"} {
		if !slices.Contains(got, a) {
			t.Errorf("no %s event in %v", a, got)
		}
	}
	// A new request after resolution opens a new task.
	if again := raise(t, f, "k2"); again.TaskID == out.TaskID {
		t.Error("a request after resolution joined the resolved task")
	}
}

func TestRouting(t *testing.T) {
	ctx := context.Background()
	t.Run("DischargedGoesToDuty", func(t *testing.T) {
		f := setup(t)
		f.exec(`UPDATE people SET state = 'discharged' WHERE id = $1`, string(sam))
		out := raise(t, f, "k1")
		if out.Route != followup.RouteDuty {
			t.Fatalf("route %s, want duty", out.Route)
		}
		inbox, err := f.svc.Inbox(ctx, asDana)
		if err != nil || len(inbox) != 1 {
			t.Fatalf("dana's inbox: %+v, %v", inbox, err)
		}
		if got, _ := f.svc.Inbox(ctx, asLee); len(got) != 0 {
			t.Error("lee still gets tasks after discharge")
		}
		if err := f.svc.Acknowledge(ctx, asDana, out.TaskID); err != nil {
			t.Errorf("dana acknowledges: %v", err)
		}
		// The duty team reaches sam only while the task is open.
		rel, err := f.db.Relationship(ctx, asDana, sam)
		if err != nil || !rel.DutyTaskOpen {
			t.Errorf("duty relationship while open: %+v, %v", rel, err)
		}
		if err := f.svc.Resolve(ctx, asDana, out.TaskID, "Spoke to Sam"); err != nil {
			t.Fatal(err)
		}
		if rel, _ := f.db.Relationship(ctx, asDana, sam); rel.DutyTaskOpen {
			t.Error("the duty team keeps access after the task is resolved")
		}
	})
	t.Run("NoActiveClinicianGoesToDuty", func(t *testing.T) {
		f := setup(t)
		f.exec(`UPDATE care_team_members SET state = 'ended'`)
		if out := raise(t, f, "k1"); out.Route != followup.RouteDuty {
			t.Fatalf("route %s, want duty", out.Route)
		}
	})
	t.Run("OpenTaskFollowsDischarge", func(t *testing.T) {
		f := setup(t)
		first := raise(t, f, "k1")
		f.exec(`UPDATE people SET state = 'discharged' WHERE id = $1`, string(sam))
		out := raise(t, f, "k2")
		if out.TaskID != first.TaskID || out.Route != followup.RouteDuty {
			t.Fatalf("%+v, want the open task rerouted to duty", out)
		}
		if got, _ := f.svc.Inbox(ctx, asDana); len(got) != 1 || len(got[0].Entries) != 2 {
			t.Errorf("dana's inbox: %+v", got)
		}
	})
	t.Run("NoRoute", func(t *testing.T) {
		f := setup(t)
		f.exec(`UPDATE people SET state = 'discharged' WHERE id = $1`, string(sam))
		f.exec(`UPDATE staff SET disabled_at = $1 WHERE id = $2`, f.clock.T, string(dana))
		out := raise(t, f, "k1")
		if out.Route != followup.RouteNone {
			t.Fatalf("route %s, want none", out.Route)
		}
		r, err := f.svc.Preview(ctx, asSam, sam)
		if err != nil || r.Route != followup.RouteNone || r.Country != "GB" {
			t.Errorf("preview: %+v, %v", r, err)
		}
	})
	t.Run("NoDutyTeamSet", func(t *testing.T) {
		f := setup(t)
		f.duty = ""
		f.exec(`UPDATE people SET state = 'closed' WHERE id = $1`, string(sam))
		if out := raise(t, f, "k1"); out.Route != followup.RouteNone {
			t.Fatalf("route %s, want none", out.Route)
		}
	})
}
