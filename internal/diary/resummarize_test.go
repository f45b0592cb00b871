package diary_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/diary"
)

// Cards summarised before the summary counted strong urges (strong_urges
// NULL) are summarised again from their values, once: a second run finds
// nothing left.
func TestResummarize(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	f.save(t, f.sam, diary.Input{Day: "2026-02-03", Key: "k-1", EditedAt: now, Changes: []diary.Change{
		change(diary.UrgeField("u.self_harm"), 4, now), change(diary.ActField("a.self_harm"), diary.No, now),
		change(diary.UrgeField("u.substances"), 5, now), change(diary.CountField("a.substances"), 1, now),
	}})
	f.save(t, f.sam, diary.Input{Day: "2026-02-04", Key: "k-2", EditedAt: now, Changes: []diary.Change{
		change(diary.UrgeField("u.die"), 1, now), change(diary.EmotionField("e.fear"), 3, now),
	}})
	// As a card saved before the column existed: no strong-urge count, and
	// (to show the whole summary is rewritten) a wrong ridden-out count.
	if _, err := f.db.Writer().ExecContext(ctx, `UPDATE diary_cards SET strong_urges = NULL, ridden_out = 7 WHERE person_id = $1`, string(f.sam.ID)); err != nil {
		t.Fatal(err)
	}
	n, err := f.diary.Resummarize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("Resummarize summarised %d cards, want 2", n)
	}
	recs, err := f.db.FindDiarySummaries(ctx, f.sam.ID, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := []diary.Summary{{MaxEmotion: -1, RiddenOut: 1, StrongUrges: 2}, {MaxEmotion: 3}}
	if len(recs) != len(want) {
		t.Fatalf("%d cards, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if r.Summary != want[i] {
			t.Errorf("card %s: summary %+v, want %+v", r.Day.Format(time.DateOnly), r.Summary, want[i])
		}
	}
	var unset int
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM diary_cards WHERE strong_urges IS NULL`).Scan(&unset); err != nil {
		t.Fatal(err)
	}
	if unset != 0 {
		t.Errorf("%d cards still without a strong-urge count", unset)
	}
	if n, err := f.diary.Resummarize(ctx); err != nil || n != 0 {
		t.Errorf("second run: %d, %v; want 0, nil", n, err)
	}
}
