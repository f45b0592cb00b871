package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

func appendEvents(t *testing.T, db *store.DB, n int, person tend.ID) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: tend.KindStaff, ActorID: "staff-1", ActorRole: "therapist",
				Action: "test_area.read", PersonID: person, Target: "test_area:1"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	verify := func(t *testing.T, db *store.DB) audit.Report {
		t.Helper()
		r, err := audit.Verify(ctx, db, audit.Chains(testenv.ServiceKeys))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	exec := func(t *testing.T, db *store.DB, q string) {
		t.Helper()
		if _, err := db.Writer().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("OK", func(t *testing.T) {
		db := testenv.Store(t, nil)
		appendEvents(t, db, 5, "person-1")
		if r := verify(t, db); len(r.Problems) != 0 || r.Events != 5 || r.Chains != 1 {
			t.Errorf("report = %+v", r)
		}
		events, err := db.FindAuditEvents(ctx, store.AuditFilter{PersonID: ptr(tend.ID("person-1"))})
		if err != nil || len(events) != 5 || events[0].Action != "test_area.read" || events[0].PersonID != "person-1" {
			t.Errorf("FindAuditEvents = %d events, %v", len(events), err)
		}
	})
	t.Run("ErrEditedEvent", func(t *testing.T) {
		db := testenv.Store(t, nil)
		appendEvents(t, db, 5, "person-1")
		exec(t, db, `UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 3`)
		r := verify(t, db)
		if len(r.Problems) == 0 || r.Problems[0].Seq != 3 {
			t.Errorf("an edited event was not found: %+v", r)
		}
	})
	t.Run("ErrDeletedEvent", func(t *testing.T) {
		db := testenv.Store(t, nil)
		appendEvents(t, db, 5, "person-1")
		exec(t, db, `DELETE FROM audit_events WHERE seq = 2`)
		if r := verify(t, db); len(r.Problems) == 0 || !strings.Contains(r.Problems[0].What, "missing") {
			t.Errorf("a deleted event was not found: %+v", r)
		}
	})
	t.Run("ErrDeletedLastEvent", func(t *testing.T) {
		db := testenv.Store(t, nil)
		appendEvents(t, db, 5, "person-1")
		exec(t, db, `DELETE FROM audit_events WHERE seq = 5`)
		if r := verify(t, db); len(r.Problems) != 1 || !strings.Contains(r.Problems[0].What, "head") {
			t.Errorf("a deleted last event was not found: %+v", r)
		}
	})
	t.Run("ErrResealedWithoutKey", func(t *testing.T) {
		db := testenv.Store(t, nil)
		appendEvents(t, db, 3, "person-1")
		other := &keys.File{Format: 1, Current: "sk-test", Keys: []keys.Key{{ID: "sk-test", Secret: []byte("another key, not the service's!!")}}}
		r, err := audit.Verify(ctx, db, audit.Chains(other))
		if err != nil || len(r.Problems) == 0 {
			t.Errorf("a chain checked with the wrong key verified: %+v %v", r, err)
		}
	})
	t.Run("RolledBackEventsLeaveNoTrace", func(t *testing.T) {
		db := testenv.Store(t, nil)
		_ = db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: tend.KindStaff, ActorID: "s", Action: "a", Target: "t"}); err != nil {
				return err
			}
			return tend.Errorf(tend.EINVALID, "refused")
		})
		appendEvents(t, db, 2, "person-1")
		if r := verify(t, db); len(r.Problems) != 0 || r.Events != 2 {
			t.Errorf("report after a rollback = %+v", r)
		}
	})
	t.Run("ManyNodesConcurrently", func(t *testing.T) {
		dsn := testenv.DSN(t)
		var wg sync.WaitGroup
		var dbs []*store.DB
		for n := 0; n < 3; n++ {
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetAuditChain(testenv.AuditChain())
			dbs = append(dbs, db)
		}
		for _, db := range dbs {
			for g := 0; g < 2; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					appendEvents(t, db, 10, "person-2")
				}()
			}
		}
		wg.Wait()
		r := verify(t, dbs[0])
		// Each node keeps its own chain, whatever its first events race.
		if len(r.Problems) != 0 || r.Events != 60 || r.Chains != 3 {
			t.Errorf("report = %+v", r)
		}
	})
}

func ptr[T any](v T) *T { return &v }
