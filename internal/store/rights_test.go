package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// personColumns are the columns that point at a person or at something
// that is only theirs: a table with one is about someone, and an erasure
// must decide about it.
var personColumns = []string{"person_id", "account_id", "supporter_id", "card_id", "member_id"}

// sameID are tables whose own id is a person's supporter's id.
var sameID = []string{"supporter_accounts"}

// TestErasureCoversEveryPersonTable fails when a table refers to a person
// and an erasure neither deletes from it (store.ErasedTables) nor keeps it
// with a reason (store.KeptOnErasure), so that a new table of personal
// content cannot outlive its owner's erasure unnoticed.
func TestErasureCoversEveryPersonTable(t *testing.T) {
	db := testenv.Store(t, nil)
	cols, err := db.TextColumns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	erased := map[string]bool{}
	for _, et := range store.ErasedTables {
		erased[et.Table] = true
		if !strings.Contains(et.SQL, "$1") || !strings.HasPrefix(et.SQL, "DELETE FROM "+et.Table+" ") {
			t.Errorf("%s: %q must delete from %s by the person's id ($1)", et.Table, et.SQL, et.Table)
		}
		if _, kept := store.KeptOnErasure[et.Table]; kept {
			t.Errorf("%s is both erased and kept", et.Table)
		}
	}
	seen := map[string]bool{}
	for _, t := range sameID {
		seen[t] = true
	}
	for _, c := range cols {
		if strings.HasPrefix(c.Table, "river_") || strings.HasPrefix(c.Table, "goose_") || !slices.Contains(personColumns, c.Name) {
			continue
		}
		if seen[c.Table] {
			continue
		}
		seen[c.Table] = true
		_, kept := store.KeptOnErasure[c.Table]
		if !erased[c.Table] && !kept {
			t.Errorf("%s has %s: add it to store.ErasedTables, or to store.KeptOnErasure with why it is kept", c.Table, c.Name)
		}
	}
	if len(seen) < 30 {
		t.Fatalf("found only %d tables about a person: the listing is wrong", len(seen))
	}
	for table := range erased {
		if !seen[table] {
			t.Errorf("ErasedTables lists %s, which has no person column", table)
		}
	}
	for table := range store.KeptOnErasure {
		if !seen[table] && table != "people" {
			t.Errorf("KeptOnErasure lists %s, which has no person column", table)
		}
	}
}
