package demo_test

import (
	"testing"
	"time"

	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
)

// TestDemoPopulationEveryDay: with EveryDay (demo-data --every-day, for
// load tests) every person, whatever their episode, has one card on each
// of the days and none outside them, saved after they joined and never
// after now; the episodes stay those the same seed makes without it.
func TestDemoPopulationEveryDay(t *testing.T) {
	t.Parallel()
	loc := mustZone(t, "Europe/London")
	// Late in the evening, and just after midnight, when today's card
	// would otherwise not be saved yet.
	for _, now := range []time.Time{popNow, time.Date(2026, 6, 10, 0, 20, 0, 0, loc)} {
		pop := demo.Population{People: 60, Days: 120, Seed: 3, First: 1, Now: now}
		plain := makePeople(t, pop, popClinic())
		pop.EveryDay = true
		people := makePeople(t, pop, popClinic())
		today := diary.Today(now, loc)
		first := today.AddDate(0, 0, -(pop.Days - 1))
		stages := map[demo.Stage]int{}
		for i, p := range people {
			stages[p.Stage]++
			if len(p.Cards) != pop.Days {
				t.Fatalf("%s (%s): %d cards, want %d", p.Account.Username, p.Stage, len(p.Cards), pop.Days)
			}
			for k, c := range p.Cards {
				if day := first.AddDate(0, 0, k); !c.Day.Equal(day) {
					t.Fatalf("%s: card %d on %v, want %v", p.Account.Username, k, c.Day, day)
				}
				if c.FirstSavedAt.Before(p.Account.CreatedAt) || c.FirstSavedAt.After(now) || diary.Today(c.FirstSavedAt, loc).Before(c.Day) {
					t.Fatalf("%s: card for %v saved at %v (joined %v, now %v)", p.Account.Username, c.Day, c.FirstSavedAt, p.Account.CreatedAt, now)
				}
			}
			q, e := plain[i], p.Episode
			if p.Stage != q.Stage || e.Modality != q.Episode.Modality || !e.ReferredOn.Equal(q.Episode.ReferredOn) ||
				!eqDate(e.StartedOn, q.Episode.StartedOn) || !eqDate(e.EndedOn, q.Episode.EndedOn) || len(p.Sessions) != len(q.Sessions) {
				t.Fatalf("%s: episode %+v with every day, %+v without", p.Account.Username, e, q.Episode)
			}
		}
		if stages[demo.StageEnded] == 0 || stages[demo.StageNotAccepted] == 0 || stages[demo.StageInTreatment] == 0 {
			t.Fatalf("stages %v: want every one", stages)
		}
	}
}

func eqDate(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
