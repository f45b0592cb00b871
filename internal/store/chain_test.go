package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestChainAnalyses writes, reads, locks and updates chain analyses on the
// engine under test; every read filters by the person.
func TestChainAnalyses(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := testenv.Store(t, &tend.FixedClock{T: now})
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t1', 'One', 'care', $1)`, now)
	exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ('lee', 'lee@example.org', 'Lee', 'clinician', 'x', $1)`, now)
	for _, p := range []string{"sam", "alex"} {
		exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ($1, $1, 'x', 't1', 'in_treatment', 'UTC', 'GB', $2)`, p, now)
	}
	first := chain.Record{ID: tend.NewID(), PersonID: "sam", Day: "2026-03-01", Target: "a.self_harm", State: chain.StateDraft, Revision: 1,
		Body: []byte("sealed one"), OpenedBy: "lee", CreatedAt: now, UpdatedAt: now}
	second := first
	second.ID, second.Day, second.Body, second.UpdatedAt = tend.NewID(), "2026-03-02", []byte("sealed two"), now.Add(time.Hour)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateChainAnalysis(ctx, first); err != nil {
			return err
		}
		return tx.CreateChainAnalysis(ctx, second)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrConflict/SameID", func(t *testing.T) {
		err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateChainAnalysis(ctx, first) })
		if tend.ErrorKind(err) != tend.ECONFLICT {
			t.Fatalf("second create with the same id: %v", err)
		}
	})
	t.Run("OK/ListNewestFirst", func(t *testing.T) {
		got, err := db.FindChainAnalyses(ctx, "sam")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID {
			t.Fatalf("list: %+v", got)
		}
		if got[1].Day != "2026-03-01" || got[1].Target != "a.self_harm" || got[1].State != chain.StateDraft || !bytes.Equal(got[1].Body, first.Body) ||
			got[1].OpenedBy != "lee" || !got[1].CreatedAt.Equal(now) || got[1].CompletedAt != nil {
			t.Errorf("first as stored: %+v", got[1])
		}
	})
	t.Run("ErrNotFound/AnotherPerson", func(t *testing.T) {
		if list, err := db.FindChainAnalyses(ctx, "alex"); err != nil || len(list) != 0 {
			t.Fatalf("alex's list: %v %v", list, err)
		}
		if _, err := db.FindChainAnalysis(ctx, "alex", first.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("sam's analysis as alex's: %v", err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ChainAnalysisForUpdate(ctx, "alex", first.ID)
			return err
		})
		if tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("locking sam's analysis as alex's: %v", err)
		}
		upd := first
		upd.PersonID = "alex"
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateChainAnalysis(ctx, upd) })
		if tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("updating sam's analysis as alex's: %v", err)
		}
	})
	t.Run("OK/UpdateAndComplete", func(t *testing.T) {
		done := now.Add(2 * time.Hour)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			r, err := tx.ChainAnalysisForUpdate(ctx, "sam", first.ID)
			if err != nil {
				return err
			}
			r.Revision, r.Body, r.State, r.UpdatedAt, r.CompletedAt, r.CompletedBy = 2, []byte("sealed again"), chain.StateComplete, done, &done, "sam"
			return tx.UpdateChainAnalysis(ctx, r)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.FindChainAnalysis(ctx, "sam", first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 2 || string(got.Body) != "sealed again" || got.State != chain.StateComplete || got.CompletedAt == nil ||
			!got.CompletedAt.Equal(done) || got.CompletedBy != "sam" || !got.UpdatedAt.Equal(done) {
			t.Errorf("after update: %+v", got)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			got.State, got.CompletedAt, got.CompletedBy, got.Revision = chain.StateDraft, nil, "", 3
			return tx.UpdateChainAnalysis(ctx, got)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ = db.FindChainAnalysis(ctx, "sam", first.ID); got.State != chain.StateDraft || got.CompletedAt != nil || got.CompletedBy != "" {
			t.Errorf("after reopening: %+v", got)
		}
	})
}
