package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/store"
)

// A card summarised before strong urges were counted is found once, and
// its summary is set only while it is unchanged since it was read: a card
// saved in between keeps the summary its save wrote.
func TestUpdateDiarySummary(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	card(t, db, "pat", "2026-01-01", 0, false, nil, nil, 0, nil)
	card(t, db, "pat", "2026-01-02", 0, false, nil, nil, 0, nil)
	card(t, db, "pat", "2026-01-03", 0, false, nil, nil, 0, iptr(0))
	card(t, db, "quin", "2026-01-01", 0, false, nil, nil, 0, nil)
	recs, err := db.FindUnsummarizedDiaryCards(ctx, "", time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.ID))
	}
	if len(got) != 3 || got[0] != "pat:2026-01-01" || got[1] != "pat:2026-01-02" || got[2] != "quin:2026-01-01" {
		t.Fatalf("unsummarised cards: %v", got)
	}
	if next, err := db.FindUnsummarizedDiaryCards(ctx, "pat", day("2026-01-01"), 1); err != nil || len(next) != 1 || next[0].ID != "pat:2026-01-02" {
		t.Errorf("after pat's first: %+v, %v", next, err)
	}
	s := diary.Summary{SelfHarm: 1, MaxEmotion: 2, RiddenOut: 1, StrongUrges: 2}
	var stale, fresh bool
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if stale, err = tx.UpdateDiarySummary(ctx, "pat", recs[0].ID, recs[0].UpdatedAt.Add(time.Second), s); err != nil {
			return err
		}
		fresh, err = tx.UpdateDiarySummary(ctx, "pat", recs[1].ID, recs[1].UpdatedAt, s)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if stale || !fresh {
		t.Errorf("updated: changed since read %v (want false), unchanged %v (want true)", stale, fresh)
	}
	left, err := db.FindUnsummarizedDiaryCards(ctx, "", time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 {
		t.Errorf("%d cards left, want 2", len(left))
	}
	sums, err := db.FindDiarySummaries(ctx, "pat", day("2026-01-02"), day("2026-01-02"))
	if err != nil || len(sums) != 1 || sums[0].Summary != s {
		t.Errorf("summary written: %+v, %v", sums, err)
	}
}
