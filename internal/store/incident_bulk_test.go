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

// TestBulkIncidents: demo-data's incidents go in with their people and
// read back as the episodes service reads them.
func TestBulkIncidents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := bulkDB(t)
	pop := demo.Population{People: 40, Days: 200, Seed: 2, First: 1, Now: time.Date(2026, 6, 10, 22, 15, 0, 0, time.UTC)}
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
			if err := w.Incidents(ctx, p.Incidents); err != nil {
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
		got, err := db.FindIncidents(ctx, p.Account.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(p.Incidents) {
			t.Fatalf("%s: read %d incidents, wrote %d", p.Account.Username, len(got), len(p.Incidents))
		}
		want := map[string]episodes.Incident{}
		for _, in := range p.Incidents {
			want[string(in.ID)] = in
		}
		for _, in := range got {
			w := want[string(in.ID)]
			if !in.OccurredOn.Equal(w.OccurredOn) || in.Kind != w.Kind || in.MedicalCare != w.MedicalCare || in.RecordedBy != w.RecordedBy ||
				!in.RecordedAt.Equal(w.RecordedAt) {
				t.Fatalf("%s: read %+v, wrote %+v", p.Account.Username, in, w)
			}
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no incidents among 40 people")
	}
}
