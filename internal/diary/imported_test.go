package diary_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
)

// TestSaveImported: a card dated before the person joined is refused,
// unless it comes from another record (a FHIR import); a day in the future
// is refused either way.
func TestSaveImported(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := diary.Input{Day: "2025-12-20", Key: "import-1", Changes: []diary.Change{change(diary.UrgeField("u.self_harm"), 2, f.clock.Now())}}
	if _, err := f.diary.Save(ctx, f.sam, f.sam.ID, in); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("a card before joining = %v, want EINVALID", err)
	}
	in.Imported = true
	out := f.save(t, f.sam, in)
	if !out.Created {
		t.Error("the imported card was not created")
	}
	in.Day, in.Key = "2026-03-01", "import-2"
	if _, err := f.diary.Save(ctx, f.sam, f.sam.ID, in); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("an imported card in the future = %v, want EINVALID", err)
	}
}
