package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestWithin proves that InTx calls made inside DB.Within join the outer
// unit of work: they commit together, and a failure of any of them, or of
// the outer work after them, leaves nothing behind.
func TestWithin(t *testing.T) {
	ctx := context.Background()
	put := func(db *store.DB, key string) func(context.Context) error {
		return func(ctx context.Context) error {
			return db.InTx(ctx, func(tx *store.Tx) error {
				return tx.PutIdempotencyKey(ctx, "test", key, "done", tx.Now().Add(time.Hour))
			})
		}
	}
	t.Run("OK", func(t *testing.T) {
		db := testenv.Store(t, nil)
		err := db.Within(ctx, func(ctx context.Context) error {
			if err := put(db, "k1")(ctx); err != nil {
				return err
			}
			// A read made with the unit's context sees the unit's own
			// writes before they commit; one made outside does not.
			if v, err := db.FindIdempotencyKey(ctx, "test", "k1"); err != nil || v != "done" {
				t.Errorf("read inside the unit = %q, %v; want its own write", v, err)
			}
			if _, err := db.FindIdempotencyKey(context.Background(), "test", "k1"); db.Engine() == store.SQLite && err == nil {
				t.Error("a read outside the unit saw an uncommitted write")
			}
			return put(db, "k2")(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "idempotency_keys"); n != 2 {
			t.Errorf("%d keys after commit, want 2", n)
		}
	})
	t.Run("InnerFailureRollsBackOuterWork", func(t *testing.T) {
		db := testenv.Store(t, nil)
		err := db.Within(ctx, func(ctx context.Context) error {
			if err := put(db, "k1")(ctx); err != nil {
				return err
			}
			return db.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.PutIdempotencyKey(ctx, "test", "k2", "done", tx.Now().Add(time.Hour)); err != nil {
					return err
				}
				return tend.Errorf(tend.EINVALID, "refused after writing")
			})
		})
		if tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("Within = %v, want the inner error", err)
		}
		if n := countRows(t, db, "idempotency_keys"); n != 0 {
			t.Errorf("%d keys left behind by a failed inner unit", n)
		}
	})
	t.Run("SwallowedInnerFailureStillRollsBack", func(t *testing.T) {
		db := testenv.Store(t, nil)
		err := db.Within(ctx, func(ctx context.Context) error {
			if err := put(db, "k1")(ctx); err != nil {
				return err
			}
			_ = db.InTx(ctx, func(*store.Tx) error { return errors.New("inner failure") })
			return nil
		})
		if err == nil {
			t.Fatal("Within committed after an inner unit failed")
		}
		if n := countRows(t, db, "idempotency_keys"); n != 0 {
			t.Errorf("%d keys left behind", n)
		}
	})
	t.Run("OuterFailureRollsBackInnerWork", func(t *testing.T) {
		db := testenv.Store(t, nil)
		fault := errors.New("outer failure after the inner units")
		err := db.Within(ctx, func(ctx context.Context) error {
			if err := put(db, "k1")(ctx); err != nil {
				return err
			}
			if err := put(db, "k2")(ctx); err != nil {
				return err
			}
			return fault
		})
		if !errors.Is(err, fault) {
			t.Fatalf("Within = %v, want the outer failure", err)
		}
		if n := countRows(t, db, "idempotency_keys"); n != 0 {
			t.Errorf("%d keys left behind by a failed outer unit", n)
		}
		// The writer is free again.
		if err := put(db, "k3")(ctx); err != nil {
			t.Fatalf("write after a failed unit: %v", err)
		}
	})
	t.Run("NestedWithinJoins", func(t *testing.T) {
		db := testenv.Store(t, nil)
		err := db.Within(ctx, func(ctx context.Context) error {
			if err := db.Within(ctx, put(db, "k1")); err != nil {
				return err
			}
			return errors.New("outer failure")
		})
		if err == nil {
			t.Fatal("want the outer failure")
		}
		if n := countRows(t, db, "idempotency_keys"); n != 0 {
			t.Errorf("%d keys left behind", n)
		}
	})
}
