package fhir

import (
	"context"
	"errors"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/measure"
)

// fuzzPerson is the one person the fakes below know.
const fuzzPerson = "0190c3a0-0000-7000-8000-00000000000a"

type pendingKey struct{}

// fakeUnit keeps what the services were asked to write and commits it
// only when the whole import succeeds, as store.DB.Within does.
type fakeUnit struct{ committed []string }

func (u *fakeUnit) Within(ctx context.Context, fn func(context.Context) error) error {
	var pending []string
	if err := fn(context.WithValue(ctx, pendingKey{}, &pending)); err != nil {
		return err
	}
	u.committed = append(u.committed, pending...)
	return nil
}

func write(ctx context.Context, what string) error {
	p, ok := ctx.Value(pendingKey{}).(*[]string)
	if !ok {
		return errors.New("a write outside the unit of work")
	}
	*p = append(*p, what)
	return nil
}

type fakeDiary struct{}

func (fakeDiary) Config(_ context.Context, _ tend.Actor, personID tend.ID) (diary.Config, error) {
	if personID != fuzzPerson {
		return diary.Config{}, tend.ErrNotFound
	}
	return diary.Config{PersonID: personID, Targets: diary.Defaults()}, nil
}

func (fakeDiary) Save(ctx context.Context, _ tend.Actor, personID tend.ID, in diary.Input) (diary.Saved, error) {
	if in.Day > "2100-01-01" {
		return diary.Saved{}, tend.Errorf(tend.EINVALID, "That day has not happened yet. Nothing was saved.")
	}
	if err := write(ctx, "card "+in.Day); err != nil {
		return diary.Saved{}, err
	}
	return diary.Saved{Created: true, Card: diary.Card{ID: tend.NewID(), PersonID: personID}}, nil
}

type fakeMeasures struct{}

func (fakeMeasures) Instruments(context.Context, tend.Actor) ([]measure.Available, error) {
	var out []measure.Available
	for _, in := range measure.Builtin() {
		out = append(out, measure.Available{Instrument: in})
	}
	return out, nil
}

func (fakeMeasures) Record(ctx context.Context, _ tend.Actor, personID tend.ID, rc measure.Recorded) (measure.Saved, error) {
	if personID != fuzzPerson {
		return measure.Saved{}, tend.ErrNotFound
	}
	if err := write(ctx, "response "+rc.InstrumentID); err != nil {
		return measure.Saved{}, err
	}
	return measure.Saved{Response: measure.Response{ID: tend.NewID(), PersonID: personID}}, nil
}

// FuzzImportBundle: whatever the body, an import never panics, a refused
// Bundle writes nothing, and an accepted one answers every entry. The
// seed corpus (testdata/fuzz/FuzzImportBundle) holds real Bundles of
// diary cards, questionnaires and scores, and broken ones.
func FuzzImportBundle(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"batch","entry":[]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","request":{"method":"POST","url":"Observation"},` +
		`"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"` + DiaryCodeSystem + `","code":"diary-card"}]},` +
		`"subject":{"reference":"Patient/` + fuzzPerson + `"},"effectiveDateTime":"2026-03-01","component":[{"code":{"coding":[{"system":"` + DiaryCodeSystem +
		`","code":"urge"},{"system":"` + DiaryTargetSystem + `","code":"u.self_harm"}]},"valueInteger":3}]}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u := &fakeUnit{}
		im := &Importer{Unit: u, Diary: fakeDiary{}, Measures: fakeMeasures{}}
		out, err := im.Import(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: fuzzPerson}, body)
		if err != nil {
			if len(u.committed) != 0 {
				t.Fatalf("a refused Bundle wrote %v", u.committed)
			}
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("refusal %v is not an ImportError", err)
			}
			oo := ie.Outcome()
			if len(oo.Issue) != 1 || oo.Issue[0].Diagnostics == "" || ie.Status < 400 || ie.Status > 499 {
				t.Fatalf("refusal outcome %+v, status %d", oo, ie.Status)
			}
			return
		}
		p, perr := ParseBundle(body)
		if perr != nil {
			t.Fatalf("imported a Bundle ParseBundle refuses: %v", perr)
		}
		if len(out.Entry) != len(p.entries) {
			t.Fatalf("answered %d entries of %d", len(out.Entry), len(p.entries))
		}
		for i, e := range out.Entry {
			if e.Response == nil || e.Response.Status == "" {
				t.Fatalf("entry %d has no response", i)
			}
		}
	})
}
