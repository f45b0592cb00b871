package followup_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/store"
)

// raiseIn raises tr in its own unit of work, as a diary or questionnaire
// save would inside theirs.
func raiseIn(t *testing.T, f *fixture, tr followup.Trigger) followup.Outcome {
	t.Helper()
	var out followup.Outcome
	err := f.db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = f.svc.Raise(context.Background(), tx, asSam, tr)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRaise(t *testing.T) {
	ctx := context.Background()
	t.Run("OncePerSource", func(t *testing.T) {
		f := setup(t)
		recorded := f.clock.T.Add(-26 * time.Hour) // a card filled in late, sent from an offline queue
		first := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "diary-1", RecordedAt: recorded})
		if first.Response != followup.ResponseTask || !first.Added || first.Route != followup.RouteCareTeam {
			t.Fatalf("first save: %+v", first)
		}
		f.clock.Advance(time.Minute)
		again := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "diary-1", RecordedAt: recorded})
		if again.Added || again.TaskID != first.TaskID {
			t.Errorf("the same card saved again: %+v, want nothing added to %s", again, first.TaskID)
		}
		other := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindUrgeToDie, SourceID: "diary-1", Rating: 4})
		if !other.Added || other.TaskID != first.TaskID {
			t.Errorf("another kind from the same card: %+v, want added to the open task", other)
		}
		v, err := f.svc.Task(ctx, asLee, first.TaskID)
		if err != nil || len(v.Entries) != 2 || !v.Entries[0].RecordedAt.Equal(recorded) {
			t.Fatalf("task: %+v, %v", v, err)
		}
	})
	t.Run("UrgeBelowLevel", func(t *testing.T) {
		f := setup(t)
		if out := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindUrgeToDie, SourceID: "d", Rating: 3}); out.Response != "" {
			t.Errorf("an urge of 3 under the default level 4: %+v", out)
		}
		f.rules.UrgeToDieLevel = 3
		if out := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindUrgeToDie, SourceID: "d", Rating: 3}); !out.Added {
			t.Errorf("an urge of 3 with the service's level at 3: %+v", out)
		}
	})
	t.Run("ServiceRules", func(t *testing.T) {
		f := setup(t)
		f.rules.Responses = map[followup.Kind]followup.Response{followup.KindAct: followup.ResponseNextSession, followup.KindPHQ9Item9: followup.ResponseNone}
		out := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "d1"})
		if out.Response != followup.ResponseNextSession || out.FlagID == "" || out.TaskID != "" || !out.Added {
			t.Fatalf("act flagged for next session: %+v", out)
		}
		if again := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "d1"}); again.Added {
			t.Error("the same source flagged twice")
		}
		none := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindPHQ9Item9, SourceID: "q1"})
		if none.Response != followup.ResponseNone || none.Route != followup.RouteNone {
			t.Errorf("none: %+v", none)
		}
		if n := count(t, f.db, `SELECT COUNT(*) FROM followup_tasks`); n != 0 {
			t.Errorf("%d tasks, want none", n)
		}
		flags, err := f.svc.Flags(ctx, asLee, sam)
		if err != nil || len(flags) != 1 || flags[0].Kind != followup.KindAct {
			t.Fatalf("lee's flags: %+v, %v", flags, err)
		}
		if _, err := f.svc.Flags(ctx, asKim, sam); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("kim reads flags: %v", err)
		}
		if err := f.svc.MarkFlagDiscussed(ctx, asMorgan, sam, flags[0].ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Errorf("morgan (lead) marks a flag discussed: %v", err)
		}
		if err := f.svc.MarkFlagDiscussed(ctx, asLee, sam, flags[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.MarkFlagDiscussed(ctx, asLee, sam, flags[0].ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("discussed twice: %v", err)
		}
		if left, _ := f.svc.Flags(ctx, asLee, sam); len(left) != 0 {
			t.Errorf("flags left after discussion: %+v", left)
		}
		got := actions(t, f.db)
		for _, a := range []string{"flag.added", "flag.discussed"} {
			if !slices.Contains(got, a) {
				t.Errorf("no %s in %v", a, got)
			}
		}
	})
	t.Run("NextSessionAfterDischargeIsATask", func(t *testing.T) {
		f := setup(t)
		f.rules.Responses = map[followup.Kind]followup.Response{followup.KindAct: followup.ResponseNextSession}
		f.exec(`UPDATE people SET state = 'discharged' WHERE id = $1`, string(sam))
		out := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "d1"})
		if out.Response != followup.ResponseTask || out.Route != followup.RouteDuty {
			t.Errorf("%+v: after discharge there is no next session to wait for", out)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t)
		err := f.db.InTx(ctx, func(tx *store.Tx) error {
			_, err := f.svc.Raise(ctx, tx, asSam, followup.Trigger{PersonID: sam, Kind: "mood", SourceID: "x"})
			return err
		})
		if tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("unknown kind: %v", err)
		}
	})
}

func TestPersonRules(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if err := f.svc.SetPersonRule(ctx, asSam, sam, followup.KindAct, followup.ResponseNone); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("sam sets their own rule: %v", err)
	}
	if err := f.svc.SetPersonRule(ctx, asKim, sam, followup.KindAct, followup.ResponseNone); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim: %v", err)
	}
	if err := f.svc.SetPersonRule(ctx, asMorgan, sam, followup.KindAct, followup.ResponseNone); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("morgan (lead): %v", err)
	}
	if err := f.svc.SetPersonRule(ctx, asLee, sam, followup.KindAct, "later"); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("bad response: %v", err)
	}
	if err := f.svc.SetPersonRule(ctx, asLee, sam, followup.KindAct, followup.ResponseNextSession); err != nil {
		t.Fatal(err)
	}
	prompts, err := f.svc.Prompts(ctx, asSam, sam)
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts) != len(followup.Kinds) {
		t.Fatalf("%d prompts", len(prompts))
	}
	act := prompts[0]
	if act.Kind != followup.KindAct || act.Response != followup.ResponseNextSession || act.Service != followup.ResponseTask ||
		act.Person == nil || act.Person.SetBy != lee || act.Person.SetByName != string(lee) || !act.Person.SetAt.Equal(f.clock.T) {
		t.Errorf("sam sees: %+v (%+v)", act, act.Person)
	}
	if out := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "d1"}); out.Response != followup.ResponseNextSession {
		t.Errorf("the person's rule was not applied: %+v", out)
	}
	if err := f.svc.SetPersonRule(ctx, asLee, sam, followup.KindAct, ""); err != nil {
		t.Fatal(err)
	}
	if out := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "d2"}); out.Response != followup.ResponseTask {
		t.Errorf("back to the service's rule: %+v", out)
	}
	if n := slices.Index(actions(t, f.db), "safety_prompt.person_rule_set"); n < 0 {
		t.Error("person rule changes are not audited")
	}
}

func TestAlertsAndQueue(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	out := raise(t, f, "k1")
	for _, c := range []struct {
		who  tend.Actor
		want int
	}{{asLee, 1}, {tend.Actor{Kind: tend.KindStaff, ID: cas, Role: tend.RoleClinician}, 1}, {asKim, 0}, {asDana, 0}, {asMorgan, 0}} {
		if n, err := f.svc.Alerts(ctx, c.who); err != nil || n != c.want {
			t.Errorf("%s: %d alerts, %v; want %d", c.who.ID, n, err, c.want)
		}
	}
	if err := f.svc.SeeAlerts(ctx, asLee); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.Alerts(ctx, asLee); n != 0 {
		t.Errorf("%d alerts after seeing them", n)
	}
	raise(t, f, "k2") // a new entry on the same task is not a new alert
	if n, _ := f.svc.Alerts(ctx, asLee); n != 0 {
		t.Errorf("%d alerts for an entry added to a task already seen", n)
	}

	// Both clinicians leave: the task reaches nobody and goes to the queue,
	// which the lead sees.
	if q, _ := f.svc.Queue(ctx, asMorgan); len(q) != 0 {
		t.Fatalf("queue before: %+v", q)
	}
	f.exec(`UPDATE care_team_members SET state = 'ended'`)
	f.duty = ""
	q, err := f.svc.Queue(ctx, asMorgan)
	if err != nil || len(q) != 1 || q[0].ID != out.TaskID {
		t.Fatalf("morgan's queue: %+v, %v", q, err)
	}
	if q, _ := f.svc.Queue(ctx, asKim); len(q) != 0 {
		t.Errorf("kim sees the queue of another team: %+v", q)
	}
	if _, err := f.svc.Reroute(ctx, asMorgan, out.TaskID); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Errorf("reroute with nobody to take it: %v", err)
	}
	f.duty = "t-duty"
	rk, err := f.svc.Reroute(ctx, asMorgan, out.TaskID)
	if err != nil || rk != followup.RouteDuty {
		t.Fatalf("reroute: %s, %v", rk, err)
	}
	if n, _ := f.svc.Alerts(ctx, asDana); n != 1 {
		t.Errorf("dana has %d alerts after the task was sent to the duty team", n)
	}
	if q, _ := f.svc.Queue(ctx, asMorgan); len(q) != 0 {
		t.Errorf("queue after reroute: %+v", q)
	}
}

func TestContactRateLimit(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if err := f.svc.MarkNoticeSeen(ctx, asSam, sam); err != nil {
		t.Fatal(err)
	}
	for i := range followup.ContactLimit {
		if _, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "k" + string(rune('a'+i))}); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	_, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "over"})
	if tend.ErrorKind(err) != tend.ERATELIMITED {
		t.Fatalf("request over the limit: %v", err)
	}
	// A retry of an earlier request is still recognised, not refused.
	if out, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "ka"}); err != nil || out.Added {
		t.Errorf("retry under the limit: %+v, %v", out, err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "next-hour"}); err != nil {
		t.Errorf("the next hour: %v", err)
	}
}

// TestTaskUnitOfWork injects a fault after everything of a contact request
// was written: the task, its entry, the alerts, the idempotency key and the
// audit events are all gone, and the request can be sent again.
func TestTaskUnitOfWork(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if err := f.svc.MarkNoticeSeen(ctx, asSam, sam); err != nil {
		t.Fatal(err)
	}
	before := len(actions(t, f.db))
	fault := errors.New("disk full")
	f.db.FailBeforeCommit(func() error { return fault })
	_, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "k1"})
	if !errors.Is(err, fault) {
		t.Fatalf("got %v, want the injected fault", err)
	}
	f.db.FailBeforeCommit(nil)
	for _, table := range []string{"followup_tasks", "followup_entries", "staff_alerts", "idempotency_keys", "rate_limits"} {
		if n := count(t, f.db, `SELECT COUNT(*) FROM `+table); n != 0 {
			t.Errorf("%s: %d rows left behind", table, n)
		}
	}
	if after := len(actions(t, f.db)); after != before {
		t.Errorf("%d audit events left behind", after-before)
	}
	out, err := f.svc.RequestContact(ctx, asSam, sam, followup.ContactRequest{Method: followup.ContactCall, Key: "k1"})
	if err != nil || !out.Added {
		t.Errorf("the same request sent again: %+v, %v", out, err)
	}
}

func TestTeamTasks(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	out := raise(t, f, "k1")
	got, err := f.svc.TeamTasks(ctx, asMorgan)
	if err != nil || len(got) != 1 || got[0].ID != out.TaskID || got[0].Recipient {
		t.Fatalf("morgan (lead of sam's team): %+v, %v", got, err)
	}
	for _, a := range []tend.Actor{asLee, asKim, asDana, asSam} {
		if got, _ := f.svc.TeamTasks(ctx, a); len(got) != 0 {
			t.Errorf("%s sees team tasks: %+v", a.ID, got)
		}
	}
	if err := f.svc.Resolve(ctx, asLee, out.TaskID, "Called back"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.TeamTasks(ctx, asMorgan); len(got) != 0 {
		t.Errorf("a resolved task is still listed: %+v", got)
	}
}
