package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

type countingSender struct {
	mu  sync.Mutex
	ids []tend.ID
}

func (s *countingSender) Deliver(_ context.Context, _ notify.Recipient, m notify.Message) (notify.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, m.ID)
	return notify.Result{Push: 1}, nil
}

func (s *countingSender) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// TestRemindJobs runs the due finder as a River periodic job every second
// and the send as a River job: a reminder due now is delivered once, however
// many periods pass.
func TestRemindJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	ctx := context.Background()
	due := time.Date(2026, 6, 1, 20, 0, 0, 0, time.UTC)
	clock := &tend.FixedClock{T: due.Add(-time.Minute)}
	db := testenv.Store(t, clock)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db})
	checker := access.NewChecker(db)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careteam.NewService(store.For[careteam.Tx](db), checker, clock)}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	acc, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	sam := tend.Actor{Kind: tend.KindPerson, ID: acc.ID}
	if err := accounts.SetTimeZone(ctx, sam, "UTC"); err != nil {
		t.Fatal(err)
	}
	sender := &countingSender{}
	svc := remind.NewService(store.For[remind.Tx](db), checker, sender, clock)
	if _, err := svc.Save(ctx, sam, sam.ID, remind.Preferences{Diary: true, At: "20:00"}); err != nil {
		t.Fatal(err)
	}
	clock.T = due // before any worker starts: the clock is not moved again
	c, err := jobs.New(db, jobs.Options{Node: "node-a", Work: true, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Logger(t),
		Reminders: jobs.Reminders{FindDue: svc.FindDue, Deliver: svc.Deliver, Every: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(stop)
	})
	deadline := time.Now().Add(30 * time.Second)
	for sender.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // several more periods of the due finder
	if n := sender.count(); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
	sends, err := db.FindReminderSends(ctx, sam.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sends) != 1 || sends[0].State != remind.StateSent || sends[0].ID != sender.ids[0] {
		t.Fatalf("sends %+v, want one sent with the delivered id", sends)
	}
}
