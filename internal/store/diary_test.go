package store_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// The DB's reads and the adapter's unit of work are the diary's Store.
var _ diary.Store = store.Adapter[diary.Tx]{}

// diaryDB returns a migrated store holding person "sam" (joined at
// joined), a second person "ana", and staff "lee" and "kit".
func diaryDB(t *testing.T, joined time.Time) *store.DB {
	t.Helper()
	db := testenv.Store(t, &tend.FixedClock{T: joined})
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t1', 'One', 'care', $1)`, joined)
	exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ('lee', 'lee@example.org', 'Lee Park', 'clinician', 'x', $1),
		('kit', 'kit@example.org', 'Kit Moss', 'clinician', 'x', $1)`, joined)
	exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at)
		VALUES ('sam', 'sam', 'x', 't1', 'in_treatment', 'Europe/London', 'GB', $1), ('ana', 'ana', 'x', 't1', 'in_treatment', 'UTC', 'GB', $1)`, joined)
	return db
}

func diaryDay(s string) time.Time {
	d, err := time.Parse(diary.DayLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func diaryTx(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestDiaryConfig(t *testing.T) {
	ctx := context.Background()
	joined := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	db := diaryDB(t, joined)
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := db.FindDiaryConfig(ctx, "nobody"); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("unknown person: %v, want ENOTFOUND", err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		rec, err := db.FindDiaryConfig(ctx, "sam")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Set != "" || rec.Skills != nil || len(rec.Targets) != 0 || rec.Medication || rec.Group {
			t.Errorf("config with nothing stored = %+v", rec)
		}
		if rec.TimeZone != "Europe/London" || !rec.Joined.Equal(joined) || rec.Joined.Location() != time.UTC {
			t.Errorf("time zone %q, joined %v; want Europe/London, %v UTC", rec.TimeZone, rec.Joined, joined)
		}
	})
	t.Run("TargetsAndSkills", func(t *testing.T) {
		at := joined.Add(time.Hour)
		label := []byte("sealed label")
		diaryTx(t, db, func(tx *store.Tx) error {
			for _, r := range []diary.TargetRecord{
				{PersonID: "sam", ID: "x.walk", Section: diary.SectionAction, Kind: diary.KindActionOther, Label: label, UrgeID: "x.urge",
					Counted: true, Medical: true, Position: 7, ChangedBy: "lee", ChangedAt: at},
				{PersonID: "sam", ID: "e.joy", Section: diary.SectionEmotion, Kind: diary.KindJoy, Hidden: true, Position: 4, ChangedBy: "sam", ChangedAt: at},
				{PersonID: "ana", ID: "e.joy", Section: diary.SectionEmotion, Kind: diary.KindJoy, Position: 1, ChangedBy: "ana", ChangedAt: at},
			} {
				if err := tx.PutDiaryTarget(ctx, r); err != nil {
					return err
				}
			}
			return tx.PutDiarySkills(ctx, "sam", diary.SkillsDBTA, []string{"wise_mind", "stop"}, "lee", at)
		})
		rec, err := db.FindDiaryConfig(ctx, "sam")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Set != diary.SkillsDBTA || !slices.Equal(rec.Skills, []string{"wise_mind", "stop"}) {
			t.Errorf("skills = %q %q", rec.Set, rec.Skills)
		}
		if len(rec.Targets) != 2 {
			t.Fatalf("targets = %+v, want sam's two", rec.Targets)
		}
		byID := map[string]diary.TargetRecord{}
		for _, r := range rec.Targets {
			byID[r.ID] = r
		}
		w := byID["x.walk"]
		if w.PersonID != "sam" || w.Section != diary.SectionAction || w.Kind != diary.KindActionOther || string(w.Label) != "sealed label" ||
			w.UrgeID != "x.urge" || !w.Counted || !w.Medical || w.Hidden || w.Position != 7 || w.ChangedBy != "lee" || !w.ChangedAt.Equal(at) {
			t.Errorf("x.walk = %+v", w)
		}
		j := byID["e.joy"]
		if j.Label != nil || j.UrgeID != "" || !j.Hidden || j.Counted || j.Medical || j.Position != 4 {
			t.Errorf("e.joy = %+v", j)
		}

		// Replacing a row and the tick list; an empty list stays an
		// empty list, and nil means the set's whole list.
		diaryTx(t, db, func(tx *store.Tx) error {
			if err := tx.PutDiaryTarget(ctx, diary.TargetRecord{PersonID: "sam", ID: "e.joy", Section: diary.SectionEmotion, Kind: diary.KindJoy,
				Position: 2, ChangedBy: "sam", ChangedAt: at.Add(time.Minute)}); err != nil {
				return err
			}
			if err := tx.PutDiarySkills(ctx, "sam", diary.SkillsDBT, []string{}, "sam", at); err != nil {
				return err
			}
			rec, err := tx.FindDiaryConfigTx(ctx, "sam")
			if err != nil {
				return err
			}
			if rec.Skills == nil || len(rec.Skills) != 0 || rec.Set != diary.SkillsDBT {
				t.Errorf("empty tick list read back as %#v (%q)", rec.Skills, rec.Set)
			}
			return tx.PutDiarySkills(ctx, "ana", diary.SkillsDBT, nil, "ana", at)
		})
		rec, _ = db.FindDiaryConfig(ctx, "sam")
		if len(rec.Targets) != 2 {
			t.Fatalf("replacing a row added one: %+v", rec.Targets)
		}
		for _, r := range rec.Targets {
			if r.ID == "e.joy" && (r.Hidden || r.Position != 2 || !r.ChangedAt.Equal(at.Add(time.Minute))) {
				t.Errorf("e.joy not replaced: %+v", r)
			}
		}
		if ana, _ := db.FindDiaryConfig(ctx, "ana"); ana.Skills != nil || ana.Set != diary.SkillsDBT || len(ana.Targets) != 1 {
			t.Errorf("ana = %+v, want the whole list (nil) and one row", ana)
		}
	})
	t.Run("MedicationAndGroup", func(t *testing.T) {
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Writer().Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO medications (id, person_id, name, dose, schedule, as_needed, started_on, stopped_on, added_by, added_at)
			VALUES ('m1', 'sam', $1, $1, $1, $2, '2026-01-01', '2026-02-01', 'lee', $3)`, []byte("x"), false, joined)
		exec(`INSERT INTO support_groups (id, name, kind, schedule, facilitator_id, created_at) VALUES ('g1', 'Skills', 'DBT skills group', 'Tuesdays', 'lee', $1)`, joined)
		exec(`INSERT INTO group_members (group_id, person_id, enrolled_by, enrolled_at) VALUES ('g1', 'ana', 'lee', $1)`, joined)
		if rec, _ := db.FindDiaryConfig(ctx, "sam"); rec.Medication || rec.Group {
			t.Errorf("a stopped medication or someone else's group counted: %+v", rec)
		}
		if rec, _ := db.FindDiaryConfig(ctx, "ana"); rec.Medication || !rec.Group {
			t.Errorf("ana enrolled in a group: Group = %v, Medication = %v", rec.Group, rec.Medication)
		}
		exec(`INSERT INTO medications (id, person_id, name, dose, schedule, as_needed, started_on, added_by, added_at)
			VALUES ('m2', 'sam', $1, $1, $1, $2, '2026-02-01', 'lee', $3)`, []byte("x"), true, joined)
		if rec, _ := db.FindDiaryConfig(ctx, "sam"); !rec.Medication || rec.Group {
			t.Errorf("sam with a current medication: Medication = %v, Group = %v", rec.Medication, rec.Group)
		}
	})
}

func diaryInt(n int) *int { return &n }

func TestDiaryCards(t *testing.T) {
	ctx := context.Background()
	joined := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := diaryDB(t, joined)
	at := time.Date(2026, 3, 5, 20, 15, 0, 0, time.UTC)
	card := func(id tend.ID, d string, values map[diary.Field]diary.Value) diary.CardRecord {
		return diary.CardRecord{ID: id, PersonID: "sam", Day: diaryDay(d), TimeZone: "Europe/London", ScaleVersion: diary.ScaleVersion, Values: values,
			EnteredBy: "sam", FirstSavedAt: at, UpdatedAt: at, Summary: diary.Summary{MaxEmotion: -1}}
	}
	c5 := card("c5", "2026-03-05", map[diary.Field]diary.Value{
		diary.UrgeField("u.self_harm"): {V: diaryInt(4), EditedAt: at},
		diary.ActField("a.self_harm"):  {V: diaryInt(0), EditedAt: at},
		diary.EmotionField("e.joy"):    {V: nil, EditedAt: at.Add(-time.Minute)},
	})
	c5.Note, c5.NoteAt = []byte("sealed note"), at
	c5.Summary = diary.Summary{SelfHarm: 2, Attempt: true, MaxEmotion: 4, Skills: diary.CategoryUsedHelped, RiddenOut: 1}
	c3 := card("c3", "2026-03-03", map[diary.Field]diary.Value{diary.FieldSkills: {V: diaryInt(5), EditedAt: at}})
	c3.LateDays, c3.InSession, c3.EnteredBy = 2, true, "lee"
	c4 := card("c4", "2026-03-04", nil)
	c9 := card("c9", "2026-03-09", map[diary.Field]diary.Value{diary.FieldGroup: {V: diaryInt(1), EditedAt: at}})
	other := card("a5", "2026-03-05", map[diary.Field]diary.Value{diary.FieldGroup: {V: diaryInt(0), EditedAt: at}})
	other.PersonID = "ana"
	diaryTx(t, db, func(tx *store.Tx) error {
		for _, c := range []diary.CardRecord{c5, c9, c3, c4, other} {
			if err := tx.CreateDiaryCard(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})

	t.Run("Range", func(t *testing.T) {
		got, err := db.FindDiaryCards(ctx, "sam", diaryDay("2026-03-03"), diaryDay("2026-03-05"))
		if err != nil {
			t.Fatal(err)
		}
		var ids []tend.ID
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []tend.ID{"c3", "c4", "c5"}) {
			t.Fatalf("cards 3..5 March = %v, want c3 c4 c5 oldest first", ids)
		}
		g5 := got[2]
		if !g5.Day.Equal(diaryDay("2026-03-05")) || g5.TimeZone != "Europe/London" || g5.ScaleVersion != diary.ScaleVersion ||
			string(g5.Note) != "sealed note" || !g5.NoteAt.Equal(at) || !g5.FirstSavedAt.Equal(at) || !g5.UpdatedAt.Equal(at) || g5.EnteredBy != "sam" {
			t.Errorf("c5 = %+v", g5)
		}
		if g5.Summary != c5.Summary {
			t.Errorf("c5 summary = %+v, want %+v", g5.Summary, c5.Summary)
		}
		if !diaryValuesEqual(g5.Values, c5.Values) {
			t.Errorf("c5 values = %v, want %v", g5.Values, c5.Values)
		}
		if v := g5.Values[diary.EmotionField("e.joy")]; v.V != nil || !v.EditedAt.Equal(at.Add(-time.Minute)) {
			t.Errorf("a cleared value read back as %+v", v)
		}
		g3 := got[0]
		if g3.LateDays != 2 || !g3.InSession || g3.EnteredBy != "lee" || g3.Note != nil || !g3.NoteAt.IsZero() {
			t.Errorf("c3 = %+v", g3)
		}
		if g3.Summary.MaxEmotion != -1 || g3.Summary.Skills != "" {
			t.Errorf("c3 empty summary = %+v, want MaxEmotion -1 and no category", g3.Summary)
		}
		if got[1].Values == nil || len(got[1].Values) != 0 {
			t.Errorf("a card with no values: %#v, want an empty map", got[1].Values)
		}
		none, err := db.FindDiaryCards(ctx, "sam", diaryDay("2026-03-06"), diaryDay("2026-03-08"))
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("empty range = %#v, %v; want an empty slice", none, err)
		}
		if ana, _ := db.FindDiaryCards(ctx, "ana", diaryDay("2026-03-01"), diaryDay("2026-03-31")); len(ana) != 1 || len(ana[0].Values) != 1 {
			t.Errorf("ana's cards = %+v, want her one card with its one value", ana)
		}
	})
	t.Run("Summaries", func(t *testing.T) {
		got, err := db.FindDiarySummaries(ctx, "sam", diaryDay("2026-03-01"), diaryDay("2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 || got[0].ID != "c3" || got[2].ID != "c5" || got[3].ID != "c9" {
			t.Fatalf("summaries = %+v", got)
		}
		if got[2].Values != nil || got[2].Note != nil || got[2].Summary != c5.Summary || !got[2].NoteAt.Equal(at) {
			t.Errorf("c5 summary row = %+v", got[2])
		}
	})
	t.Run("ForUpdate", func(t *testing.T) {
		diaryTx(t, db, func(tx *store.Tx) error {
			if _, err := tx.DiaryCardForUpdate(ctx, "sam", diaryDay("2026-03-06")); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("no card: %v, want ENOTFOUND", err)
			}
			if _, err := tx.DiaryCardForUpdate(ctx, "ana", diaryDay("2026-03-03")); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("another person's day: %v, want ENOTFOUND", err)
			}
			c, err := tx.DiaryCardForUpdate(ctx, "sam", diaryDay("2026-03-05"))
			if err != nil {
				return err
			}
			if c.ID != "c5" || !diaryValuesEqual(c.Values, c5.Values) || c.Summary != c5.Summary {
				t.Errorf("card for update = %+v", c)
			}
			return nil
		})
	})
	t.Run("UpdateChangedOnly", func(t *testing.T) {
		later := at.Add(time.Hour)
		diaryTx(t, db, func(tx *store.Tx) error {
			c, err := tx.DiaryCardForUpdate(ctx, "sam", diaryDay("2026-03-05"))
			if err != nil {
				return err
			}
			c.Values[diary.UrgeField("u.self_harm")] = diary.Value{V: nil, EditedAt: later}        // changed: cleared
			c.Values[diary.FieldPRN] = diary.Value{V: diaryInt(2), EditedAt: later}                // changed: new
			c.Values[diary.ActField("a.self_harm")] = diary.Value{V: diaryInt(1), EditedAt: later} // not listed: not written
			c.Note, c.NoteAt, c.UpdatedAt = nil, time.Time{}, later
			c.Summary = diary.Summary{MaxEmotion: 0, Skills: diary.CategoryNone}
			return tx.UpdateDiaryCard(ctx, c, []diary.Field{diary.UrgeField("u.self_harm"), diary.FieldPRN})
		})
		got, err := db.FindDiaryCards(ctx, "sam", diaryDay("2026-03-05"), diaryDay("2026-03-05"))
		if err != nil || len(got) != 1 {
			t.Fatalf("FindDiaryCards = %v, %v", got, err)
		}
		c := got[0]
		want := map[diary.Field]diary.Value{
			diary.UrgeField("u.self_harm"): {V: nil, EditedAt: later},
			diary.FieldPRN:                 {V: diaryInt(2), EditedAt: later},
			diary.ActField("a.self_harm"):  {V: diaryInt(0), EditedAt: at},
			diary.EmotionField("e.joy"):    {V: nil, EditedAt: at.Add(-time.Minute)},
		}
		if !diaryValuesEqual(c.Values, want) {
			t.Errorf("values after update = %v, want %v", c.Values, want)
		}
		if c.Note != nil || !c.NoteAt.IsZero() || !c.UpdatedAt.Equal(later) || !c.FirstSavedAt.Equal(at) {
			t.Errorf("card after update = %+v", c)
		}
		if c.Summary != (diary.Summary{MaxEmotion: 0, Skills: diary.CategoryNone}) {
			t.Errorf("summary after update = %+v", c.Summary)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.UpdateDiaryCard(ctx, card("nope", "2026-03-07", nil), nil)
		})
		if tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("updating a card that is not there: %v, want ENOTFOUND", err)
		}
	})
	t.Run("CreateTwiceConflictKeepsUnitOfWork", func(t *testing.T) {
		// Another device created the day's card first: the second create
		// answers ECONFLICT and the same unit of work carries on and commits.
		err := db.InTx(ctx, func(tx *store.Tx) error {
			dup := card("dup", "2026-03-09", map[diary.Field]diary.Value{diary.FieldGroup: {V: diaryInt(0), EditedAt: at}})
			if err := tx.CreateDiaryCard(ctx, dup); tend.ErrorKind(err) != tend.ECONFLICT {
				t.Errorf("second card for the day: %v, want ECONFLICT", err)
			}
			c, err := tx.DiaryCardForUpdate(ctx, "sam", diaryDay("2026-03-09"))
			if err != nil {
				return err
			}
			c.Values[diary.FieldSkills] = diary.Value{V: diaryInt(7), EditedAt: at}
			if err := tx.UpdateDiaryCard(ctx, c, []diary.Field{diary.FieldSkills}); err != nil {
				return err
			}
			return tx.PutDiaryNoteDraft(ctx, "sam", diaryDay("2026-03-09"), []byte("draft"), at)
		})
		if err != nil {
			t.Fatalf("unit of work after the conflict: %v", err)
		}
		got, _ := db.FindDiaryCards(ctx, "sam", diaryDay("2026-03-09"), diaryDay("2026-03-09"))
		if len(got) != 1 || got[0].ID != "c9" {
			t.Fatalf("cards for 9 March = %+v, want c9 alone", got)
		}
		if v, _ := (diary.Card{Values: got[0].Values}).Get(diary.FieldGroup); v != 1 {
			t.Errorf("the losing create overwrote group: %d", v)
		}
		if v, ok := (diary.Card{Values: got[0].Values}).Get(diary.FieldSkills); !ok || v != 7 {
			t.Errorf("the merge after the conflict was lost: skills %d, %v", v, ok)
		}
		if _, _, err := db.FindDiaryNoteDraft(ctx, "sam", diaryDay("2026-03-09")); err != nil {
			t.Errorf("draft written after the conflict: %v", err)
		}
	})
}

func diaryValuesEqual(a, b map[diary.Field]diary.Value) bool {
	return maps.EqualFunc(a, b, func(x, y diary.Value) bool {
		if (x.V == nil) != (y.V == nil) || x.V != nil && *x.V != *y.V {
			return false
		}
		return x.EditedAt.Equal(y.EditedAt)
	})
}

func TestDiarySaves(t *testing.T) {
	ctx := context.Background()
	joined := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := diaryDB(t, joined)
	at := time.Date(2026, 3, 5, 20, 0, 0, 0, time.UTC)
	d := diaryDay("2026-03-05")
	s1 := diary.SaveRecord{ID: "s1", PersonID: "sam", CardID: "c5", Day: d, Key: "k1", SavedBy: "sam", EditedAt: at.Add(-time.Minute), SavedAt: at,
		Changes: map[diary.Field]*int{diary.UrgeField("u.die"): diaryInt(3), diary.FieldPRN: nil}, NoteChanged: true, Applied: []diary.Field{diary.UrgeField("u.die")}}
	s2 := diary.SaveRecord{ID: "s0", PersonID: "sam", CardID: "c5", Day: d, Key: "k2", SavedBy: "lee", InSession: true, EditedAt: at, SavedAt: at.Add(time.Minute),
		Changes: map[diary.Field]*int{}}
	diaryTx(t, db, func(tx *store.Tx) error {
		if err := tx.CreateDiaryCard(ctx, diary.CardRecord{ID: "c5", PersonID: "sam", Day: d, TimeZone: "UTC", ScaleVersion: 1, EnteredBy: "sam",
			FirstSavedAt: at, UpdatedAt: at, Summary: diary.Summary{MaxEmotion: -1}}); err != nil {
			return err
		}
		if err := tx.CreateDiarySave(ctx, s2); err != nil {
			return err
		}
		return tx.CreateDiarySave(ctx, s1)
	})
	t.Run("ByKey", func(t *testing.T) {
		diaryTx(t, db, func(tx *store.Tx) error {
			got, err := tx.FindDiarySaveByKey(ctx, "sam", "k1")
			if err != nil {
				return err
			}
			if got.ID != "s1" || got.CardID != "c5" || !got.Day.Equal(d) || got.SavedBy != "sam" || got.InSession || !got.NoteChanged ||
				!got.EditedAt.Equal(s1.EditedAt) || !got.SavedAt.Equal(at) || !slices.Equal(got.Applied, s1.Applied) {
				t.Errorf("save k1 = %+v", got)
			}
			if len(got.Changes) != 2 || got.Changes[diary.UrgeField("u.die")] == nil || *got.Changes[diary.UrgeField("u.die")] != 3 {
				t.Errorf("changes = %v", got.Changes)
			}
			if v, ok := got.Changes[diary.FieldPRN]; !ok || v != nil {
				t.Errorf("a cleared field in changes: %v, %v", v, ok)
			}
			if _, err := tx.FindDiarySaveByKey(ctx, "sam", "k9"); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("unknown key: %v, want ENOTFOUND", err)
			}
			if _, err := tx.FindDiarySaveByKey(ctx, "ana", "k1"); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("another person's key: %v, want ENOTFOUND", err)
			}
			return nil
		})
	})
	t.Run("History", func(t *testing.T) {
		got, err := db.FindDiarySaves(ctx, "sam", d)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "s1" || got[1].ID != "s0" {
			t.Fatalf("history = %+v, want s1 then s0 (by time saved)", got)
		}
		if !got[1].InSession || got[1].Applied != nil || got[1].Changes == nil || len(got[1].Changes) != 0 {
			t.Errorf("s0 = %+v", got[1])
		}
		if none, err := db.FindDiarySaves(ctx, "sam", diaryDay("2026-03-04")); err != nil || len(none) != 0 {
			t.Errorf("another day's history = %v, %v", none, err)
		}
	})
	t.Run("SameKeyConflicts", func(t *testing.T) {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			dup := s2
			dup.ID = "s9"
			return tx.CreateDiarySave(ctx, dup)
		})
		if tend.ErrorKind(err) != tend.ECONFLICT {
			t.Errorf("a second save under k2: %v, want ECONFLICT", err)
		}
	})
}

func TestDiaryDraftsAndFlags(t *testing.T) {
	ctx := context.Background()
	joined := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := diaryDB(t, joined)
	at := time.Date(2026, 3, 5, 21, 0, 0, 0, time.UTC)
	d := diaryDay("2026-03-05")
	t.Run("Drafts", func(t *testing.T) {
		if _, _, err := db.FindDiaryNoteDraft(ctx, "sam", d); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("no draft: %v, want ENOTFOUND", err)
		}
		diaryTx(t, db, func(tx *store.Tx) error {
			if err := tx.PutDiaryNoteDraft(ctx, "sam", d, []byte("first"), at); err != nil {
				return err
			}
			return tx.PutDiaryNoteDraft(ctx, "sam", d, []byte("second"), at.Add(time.Minute))
		})
		body, savedAt, err := db.FindDiaryNoteDraft(ctx, "sam", d)
		if err != nil || string(body) != "second" || !savedAt.Equal(at.Add(time.Minute)) {
			t.Errorf("draft = %q at %v, %v; want the second", body, savedAt, err)
		}
		if _, _, err := db.FindDiaryNoteDraft(ctx, "ana", d); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("another person's draft: %v, want ENOTFOUND", err)
		}
		diaryTx(t, db, func(tx *store.Tx) error {
			if err := tx.DeleteDiaryNoteDraft(ctx, "sam", d); err != nil {
				return err
			}
			return tx.DeleteDiaryNoteDraft(ctx, "sam", d)
		})
		if _, _, err := db.FindDiaryNoteDraft(ctx, "sam", d); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("deleted draft: %v, want ENOTFOUND", err)
		}
	})
	t.Run("Flags", func(t *testing.T) {
		diaryTx(t, db, func(tx *store.Tx) error {
			for _, f := range []diary.Flag{
				{PersonID: "sam", Day: d, FlaggedBy: "lee", FlaggedAt: at},
				{PersonID: "sam", Day: diaryDay("2026-03-02"), FlaggedBy: "lee", FlaggedAt: at},
				{PersonID: "ana", Day: d, FlaggedBy: "lee", FlaggedAt: at},
				{PersonID: "sam", Day: d, FlaggedBy: "kit", FlaggedAt: at.Add(time.Hour)},
			} {
				if err := tx.PutDiaryFlag(ctx, f); err != nil {
					return err
				}
			}
			return nil
		})
		got, err := db.FindDiaryFlags(ctx, "sam", diaryDay("2026-03-01"), diaryDay("2026-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got[0].Day.Equal(diaryDay("2026-03-02")) || got[0].ByName != "Lee Park" {
			t.Fatalf("flags = %+v", got)
		}
		if f := got[1]; f.PersonID != "sam" || !f.Day.Equal(d) || f.FlaggedBy != "kit" || f.ByName != "Kit Moss" || !f.FlaggedAt.Equal(at.Add(time.Hour)) {
			t.Errorf("flag replaced = %+v", f)
		}
		if one, _ := db.FindDiaryFlags(ctx, "sam", d, d); len(one) != 1 {
			t.Errorf("one day's flags = %+v", one)
		}
		diaryTx(t, db, func(tx *store.Tx) error {
			if err := tx.DeleteDiaryFlag(ctx, "sam", d); err != nil {
				return err
			}
			return tx.DeleteDiaryFlag(ctx, "sam", d)
		})
		if left, _ := db.FindDiaryFlags(ctx, "sam", d, d); len(left) != 0 {
			t.Errorf("flag left after delete: %+v", left)
		}
		if ana, _ := db.FindDiaryFlags(ctx, "ana", d, d); len(ana) != 1 || ana[0].ByName != "Lee Park" {
			t.Errorf("ana's flag = %+v", ana)
		}
	})
}
