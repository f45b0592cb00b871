package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/store"
)

// TestBulkMeasures: demo-data's questionnaires go in with their people
// and read back as the measure service reads them: every due date, and
// every response with its answers and total.
func TestBulkMeasures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := bulkDB(t)
	now := time.Date(2026, 6, 10, 22, 15, 0, 0, time.UTC)
	pop := demo.Population{People: 4, Days: 120, Seed: 3, First: 1, Now: now}
	c := bulkClinic(t, db)
	var ps []demo.Person
	for n := pop.First; n < pop.First+pop.People; n++ {
		p, err := pop.Person(ctx, c, n)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	err := db.Bulk(ctx, func(w *store.BulkWriter) error {
		for _, p := range ps {
			if err := w.People(ctx, []auth.PersonAccount{p.Account}); err != nil {
				return err
			}
			if err := w.Episodes(ctx, []episodes.Episode{p.Episode}, p.Sessions); err != nil {
				return err
			}
			q := p.Questionnaires
			if err := w.Measures(ctx, q.Assignments, q.Due, q.Responses); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range ps {
		q := p.Questionnaires
		if len(q.Assignments) < 2 || len(q.Responses) == 0 {
			t.Fatalf("%s: %d assignments, %d responses", p.Account.Username, len(q.Assignments), len(q.Responses))
		}
		due, err := db.FindDue(ctx, p.Account.ID, now.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := db.FindResponses(ctx, p.Account.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != len(q.Due) || len(rs) != len(q.Responses) {
			t.Fatalf("%s: read %d due and %d responses, wrote %d and %d", p.Account.Username, len(due), len(rs), len(q.Due), len(q.Responses))
		}
		byID := map[string]int{}
		for i, r := range q.Responses {
			byID[string(r.ID)] = i
		}
		for _, r := range rs {
			w := q.Responses[byID[string(r.ID)]]
			if !r.Finished || r.Score.Total == nil || *r.Score.Total != *w.Score.Total || len(r.Answers) != len(w.Answers) || r.Answers["9"] != w.Answers["9"] {
				t.Fatalf("%s: read %+v, wrote %+v", p.Account.Username, r, w)
			}
		}
		total += len(rs)
	}
	t.Logf("%d responses for %d people", total, len(ps))
}
