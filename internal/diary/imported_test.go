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

// TestAllCards: every card of the person, oldest first, whatever the span
// (here more than the longest range Cards answers) and including history
// imported from before they joined; none is an empty list.
func TestAllCards(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	none, err := f.diary.AllCards(ctx, f.sam, f.sam.ID)
	if err != nil || len(none) != 0 {
		t.Fatalf("AllCards before any card = %v, %v; want none", none, err)
	}
	days := []string{"2024-01-02", "2025-06-30", "2026-02-01"}
	for i, day := range []string{days[2], days[0], days[1]} {
		in := diary.Input{Day: day, Key: "all-" + day, Imported: true,
			Changes: []diary.Change{change(diary.UrgeField("u.self_harm"), i, f.clock.Now())}}
		f.save(t, f.sam, in)
	}
	got, err := f.diary.AllCards(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(days) {
		t.Fatalf("AllCards = %d cards, want %d", len(got), len(days))
	}
	for i, c := range got {
		if c.Day.Format(diary.DayLayout) != days[i] {
			t.Errorf("card %d is dated %s, want %s", i, c.Day.Format(diary.DayLayout), days[i])
		}
	}
}
