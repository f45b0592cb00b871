package measure_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/measure"
)

// TestRecord: a response finished elsewhere is kept finished, scored, on
// an assignment already ended (nothing new falls due), with its safety
// prompt; recording it again adds nothing; another person's is not found.
func TestRecord(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	phq := measure.Builtin()[0]
	a := measure.Answers{}
	for _, it := range phq.Items {
		a[it.LinkID] = 1
	}
	at := f.clock.Now().Add(-30 * 24 * time.Hour)
	rc := measure.Recorded{InstrumentID: phq.ID, Answers: a, FinishedAt: at}
	sv, err := f.measures.Record(ctx, f.sam, f.sam.ID, rc)
	if err != nil {
		t.Fatal(err)
	}
	r := sv.Response
	if !r.Finished || r.FinishedAt == nil || !r.FinishedAt.Equal(at) || r.Score.Total == nil || *r.Score.Total != float64(len(phq.Scoring.Items)) {
		t.Errorf("recorded = %+v", r)
	}
	if !sv.Prompted || len(sv.Prompts) != 1 {
		t.Errorf("item 9 above 0 raised %v, prompted %v", sv.Prompts, sv.Prompted)
	}
	waiting, err := f.measures.Waiting(ctx, f.sam, f.sam.ID)
	if err != nil || len(waiting) != 0 {
		t.Errorf("waiting = %v, %v; a recorded response makes nothing fall due", waiting, err)
	}
	again, err := f.measures.Record(ctx, f.sam, f.sam.ID, rc)
	if err != nil || again.Response.ID != r.ID || !again.Replay || sv.Replay {
		t.Errorf("again = %+v, %v; want the same response", again.Response, err)
	}
	rs, err := f.db.FindResponses(ctx, f.sam.ID)
	if err != nil || len(rs) != 1 {
		t.Errorf("%d responses, %v; want 1", len(rs), err)
	}
	other := rc
	other.Answers = measure.Answers{phq.Items[0].LinkID: 2}
	if _, err := f.measures.Record(ctx, f.sam, f.sam.ID, other); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Errorf("other answers at the same instant = %v, want ECONFLICT", err)
	}
	if _, err := f.measures.Record(ctx, f.kim, f.sam.ID, rc); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim recording sam's = %v, want ENOTFOUND", err)
	}
	future := rc
	future.FinishedAt = f.clock.Now().Add(time.Hour)
	if _, err := f.measures.Record(ctx, f.sam, f.sam.ID, future); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("finished in the future = %v, want EINVALID", err)
	}
	bad := rc
	bad.Answers = measure.Answers{"nope": 1}
	if _, err := f.measures.Record(ctx, f.sam, f.sam.ID, bad); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("an unknown item = %v, want EINVALID", err)
	}
}
