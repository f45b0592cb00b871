package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/store"
)

// The DB's reads and the adapter's unit of work are the questionnaires'
// Store.
var _ measure.Store = store.Adapter[measure.Tx]{}

// measureAssign adds an assignment of PHQ-9 to sam and one to ana.
func measureAssign(t *testing.T, db *store.DB, at time.Time) (sam, ana measure.Assignment) {
	t.Helper()
	ctx := context.Background()
	sam = measure.Assignment{ID: "as-sam", PersonID: "sam", InstrumentID: measure.PHQ9().ID,
		Schedule: measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2}, StartsOn: diaryDay("2026-03-02"), CreatedBy: "lee", CreatedAt: at}
	ana = measure.Assignment{ID: "as-ana", PersonID: "ana", InstrumentID: measure.GAD7().ID,
		Schedule: measure.Schedule{Kind: measure.ScheduleOnce}, StartsOn: diaryDay("2026-03-03"), CreatedBy: "kit", CreatedAt: at.Add(time.Minute)}
	diaryTx(t, db, func(tx *store.Tx) error {
		if err := tx.CreateAssignment(ctx, sam); err != nil {
			return err
		}
		return tx.CreateAssignment(ctx, ana)
	})
	return sam, ana
}

func TestMeasureInstruments(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	db := diaryDB(t, at)
	in := measure.GAD7()
	in.Builtin, in.Key, in.Version, in.Short = false, "calm-7", "2", "CALM-7"
	in.ID = measure.MakeID(in.Key, in.Version, in.Language)
	imp := measure.Imported{Instrument: in, Questionnaire: []byte(`{"resourceType":"Questionnaire"}`), Rights: "Licensed to the service, 2026.",
		ImportedBy: "lee", ImportedAt: at}

	if _, err := db.FindImportedInstrument(ctx, in.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Fatalf("instrument before import: %v, want ENOTFOUND", err)
	}
	diaryTx(t, db, func(tx *store.Tx) error { return tx.CreateImportedInstrument(ctx, imp) })
	err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateImportedInstrument(ctx, imp) })
	if tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("importing the same id again: %v, want ECONFLICT", err)
	}

	got, err := db.FindImportedInstrument(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Instrument, in) {
		t.Errorf("definition back = %+v\nwant %+v", got.Instrument, in)
	}
	if string(got.Questionnaire) != string(imp.Questionnaire) || got.Rights != imp.Rights || got.ImportedBy != "lee" ||
		!got.ImportedAt.Equal(at) || got.ImportedAt.Location() != time.UTC || got.RetiredAt != nil || got.RetiredBy != "" || got.PromptsEnabled {
		t.Errorf("imported = %+v", got)
	}

	retired := at.Add(time.Hour)
	got.RetiredAt, got.RetiredBy, got.PromptsEnabled = &retired, "kit", true
	diaryTx(t, db, func(tx *store.Tx) error { return tx.UpdateImportedInstrument(ctx, got) })
	all, err := db.FindImportedInstruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].RetiredAt == nil || !all[0].RetiredAt.Equal(retired) || all[0].RetiredBy != "kit" || !all[0].PromptsEnabled {
		t.Errorf("after retiring and turning prompts on = %+v", all)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		return tx.UpdateImportedInstrument(ctx, measure.Imported{Instrument: measure.Instrument{ID: "nothing.1.en"}})
	})
	if tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("updating an unknown instrument: %v, want ENOTFOUND", err)
	}
}

func TestMeasureAssignments(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	db := diaryDB(t, at)
	sam, _ := measureAssign(t, db, at)

	got, err := db.FindAssignments(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], sam) {
		t.Fatalf("sam's assignments = %+v, want %+v", got, sam)
	}
	if _, err := db.FindAssignments(ctx, "nobody"); err != nil {
		t.Fatal(err)
	}
	diaryTx(t, db, func(tx *store.Tx) error {
		if _, err := tx.FindAssignmentTx(ctx, "ana", sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("another person's assignment: %v, want ENOTFOUND", err)
		}
		a, err := tx.FindAssignmentTx(ctx, "sam", sam.ID)
		if err != nil || !reflect.DeepEqual(a, sam) {
			t.Errorf("FindAssignmentTx = %+v, %v", a, err)
		}
		if err := tx.EndAssignment(ctx, "ana", sam.ID, "kit", at); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("ending another person's assignment: %v, want ENOTFOUND", err)
		}
		return tx.EndAssignment(ctx, "sam", sam.ID, "lee", at.Add(time.Hour))
	})
	active, err := db.FindActiveAssignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 1 || active[0].ID != "as-ana" {
		t.Errorf("active assignments = %+v, want ana's only", active)
	}
	got, _ = db.FindAssignments(ctx, "sam")
	if len(got) != 1 || got[0].Active() || !got[0].EndedAt.Equal(at.Add(time.Hour)) || got[0].EndedBy != "lee" {
		t.Errorf("ended assignment = %+v", got)
	}
}

func TestMeasureDueAndResponses(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	db := diaryDB(t, at)
	sam, ana := measureAssign(t, db, at)
	due := func(id tend.ID, a measure.Assignment, on string, r measure.Reason) measure.Due {
		return measure.Due{ID: id, AssignmentID: a.ID, PersonID: a.PersonID, InstrumentID: a.InstrumentID, On: diaryDay(on), Reason: r, CreatedAt: at}
	}

	t.Run("CreateDueOnce", func(t *testing.T) {
		var added []bool
		diaryTx(t, db, func(tx *store.Tx) error {
			for _, d := range []measure.Due{
				due("d1", sam, "2026-03-02", measure.ReasonInterval),
				due("d1-again", sam, "2026-03-02", measure.ReasonInterval), // another node, same date
				due("d2", sam, "2026-03-16", measure.ReasonInterval),
				due("d3", ana, "2026-03-03", measure.ReasonOnce),
			} {
				ok, err := tx.CreateDue(ctx, d)
				if err != nil {
					return err
				}
				added = append(added, ok)
			}
			return nil
		})
		if !reflect.DeepEqual(added, []bool{true, false, true, true}) {
			t.Errorf("added = %v, want the repeated date not added", added)
		}
		if n := countRows(t, db, "measure_due"); n != 3 {
			t.Errorf("%d due rows, want 3", n)
		}
	})

	t.Run("FindDue", func(t *testing.T) {
		recs, err := db.FindDue(ctx, "sam", diaryDay("2026-03-15"))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].Due.ID != "d1" || !recs[0].Due.On.Equal(diaryDay("2026-03-02")) || recs[0].Due.Reason != measure.ReasonInterval ||
			!reflect.DeepEqual(recs[0].Assignment, sam) || recs[0].Response != nil {
			t.Fatalf("sam's due through the 15th = %+v", recs)
		}
		recs, _ = db.FindDue(ctx, "sam", diaryDay("2026-03-16"))
		if len(recs) != 2 || recs[0].Due.ID != "d1" || recs[1].Due.ID != "d2" {
			t.Errorf("sam's due through the 16th = %+v, want d1, d2", recs)
		}
	})

	total := 7.0
	r := measure.Response{ID: "r1", DueID: "d1", PersonID: "sam", InstrumentID: sam.InstrumentID, Version: "1",
		Answers: measure.Answers{"q1": 1, "q2": 3}, Score: measure.Score{Answered: 2, Scored: 9}, StartedAt: at, UpdatedAt: at, EnteredBy: "sam"}

	t.Run("Responses", func(t *testing.T) {
		diaryTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.FindDueTx(ctx, "ana", "d1"); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("another person's due row: %v, want ENOTFOUND", err)
			}
			rec, err := tx.FindDueTx(ctx, "sam", "d1")
			if err != nil {
				return err
			}
			if rec.Due.ID != "d1" || rec.Assignment.ID != sam.ID || rec.Response != nil {
				t.Errorf("FindDueTx = %+v", rec)
			}
			return tx.CreateResponse(ctx, r)
		})
		err := db.InTx(ctx, func(tx *store.Tx) error {
			second := r
			second.ID = "r2"
			return tx.CreateResponse(ctx, second)
		})
		if tend.ErrorKind(err) != tend.ECONFLICT {
			t.Fatalf("a second response to one due row: %v, want ECONFLICT", err)
		}

		finished := at.Add(10 * time.Minute)
		r.Answers["q9"] = 0
		r.Score = measure.Score{Total: &total, Band: "Mild", Answered: 9, Scored: 9}
		r.Finished, r.FinishedAt, r.UpdatedAt = true, &finished, finished
		diaryTx(t, db, func(tx *store.Tx) error {
			rec, err := tx.FindDueTx(ctx, "sam", "d1")
			if err != nil {
				return err
			}
			if rec.Response == nil || rec.Response.ID != "r1" || rec.Response.Finished {
				t.Errorf("draft response = %+v", rec.Response)
			}
			return tx.UpdateResponse(ctx, r)
		})

		recs, err := db.FindDue(ctx, "sam", diaryDay("2026-03-16"))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0].Response == nil || recs[1].Response != nil {
			t.Fatalf("due with responses = %+v", recs)
		}
		if !reflect.DeepEqual(*recs[0].Response, r) {
			t.Errorf("response back = %+v\nwant %+v", *recs[0].Response, r)
		}
		all, err := db.FindResponses(ctx, "sam")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || !reflect.DeepEqual(all[0], r) {
			t.Errorf("FindResponses = %+v", all)
		}
		if none, err := db.FindResponses(ctx, "ana"); err != nil || len(none) != 0 {
			t.Errorf("ana's responses = %+v, %v", none, err)
		}
		var stored string
		if err := db.Writer().QueryRow(`SELECT total FROM measure_responses WHERE id = 'r1'`).Scan(&stored); err != nil || stored != "7" {
			t.Errorf("stored total = %q, %v; want 7", stored, err)
		}
	})
}
