package fhir_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/measure"
)

// fullCard is a card with a value of every kind a card holds.
func fullCard() (diary.Config, diary.Card) {
	cfg := diary.Config{PersonID: "p1", Targets: diary.Defaults(), Medication: true, Group: true}
	cfg.Targets[2].Label = "Urge to hurt myself"
	vals := map[diary.Field]diary.Value{}
	set := func(f diary.Field, v int) { vals[f] = diary.Value{V: ptr(v)} }
	set(diary.UrgeField("u.self_harm"), 4)
	set(diary.UrgeField("u.die"), 0)
	set(diary.ActField("a.self_harm"), diary.Yes)
	set(diary.CountField("a.self_harm"), 2)
	set(diary.MedicalField("a.self_harm"), diary.Unsure)
	set(diary.ActField("a.attempt"), diary.No)
	set(diary.EmotionField("e.shame"), 3)
	set(diary.FieldSkills, 6)
	set(diary.SkillField("stop"), 1)
	set(diary.FieldMedication, diary.Partly)
	set(diary.FieldPRN, 1)
	set(diary.FieldGroup, diary.Yes)
	vals[diary.EmotionField("e.joy")] = diary.Value{} // cleared: left out
	return cfg, diary.Card{ID: "0190c3a0-0000-7000-8000-000000000001", PersonID: "p1", Day: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		ScaleVersion: 1, Values: vals, Note: "A long day.", UpdatedAt: time.Date(2026, 3, 1, 21, 0, 0, 0, time.UTC)}
}

// TestDiaryCardObservation: one Observation per card, a component per
// value, skills used as its code and its category, target rows with their
// id and label; it validates with FHIR.js and maps back to the same save.
func TestDiaryCardObservation(t *testing.T) {
	cfg, card := fullCard()
	o := fhir.DiaryCardObservation(cfg, card, "Patient/p1")
	if o.Code.Coding[0].System != fhir.DiaryCodeSystem || o.Code.Coding[0].Code != fhir.DiaryCardCode || o.EffectiveDateTime != "2026-03-01" {
		t.Errorf("header = %+v", o)
	}
	if len(o.Component) != 12 {
		t.Errorf("%d components, want 12 (the cleared value left out)", len(o.Component))
	}
	if len(o.Note) != 1 || o.Note[0].Text != "A long day." {
		t.Errorf("note = %+v", o.Note)
	}
	b, _ := json.Marshal(o)
	for _, want := range []string{
		`{"system":"` + fhir.DiaryTargetSystem + `","code":"u.self_harm","display":"Urge to hurt myself"}],"text":""`,
		`"code":"6","display":"Didn't try, used them, didn't help"},{"system":"` + fhir.SkillsCategorySystem + `","code":"used"`,
		`"code":"unsure"`, `"code":"partly"`, `"code":"as-needed-medicine"`,
	} {
		if !strings.Contains(string(b), strings.TrimSuffix(want, `,"text":""`)) {
			t.Errorf("the Observation lacks %s:\n%s", want, b)
		}
	}
	fhirtest.Validate(t, o)

	in, err := fhir.DiaryInput(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	if in.Day != "2026-03-01" || in.Note == nil || *in.Note != card.Note || !in.Imported || in.Key == "" || len(in.Changes) != 12 {
		t.Errorf("input = %+v", in)
	}
	for _, ch := range in.Changes {
		if v, ok := card.Get(ch.Field); !ok || v != *ch.Value {
			t.Errorf("%s = %d, card has %d", ch.Field, *ch.Value, v)
		}
	}
	again, _ := fhir.DiaryInput(cfg, o)
	if again.Key != in.Key {
		t.Error("the same resource derives another key")
	}
}

// TestDiaryInputRefuses: what Tend cannot keep is refused, naming the
// element.
func TestDiaryInputRefuses(t *testing.T) {
	cfg, card := fullCard()
	for _, tt := range []struct {
		name, element string
		change        func(o *fhir.Observation)
	}{
		{"UrgeOffScale", "Observation.component[0].valueInteger", func(o *fhir.Observation) { o.Component[0].ValueInteger = ptr(6) }},
		{"UnknownRow", "Observation.component[0].code", func(o *fhir.Observation) { o.Component[0].Code.Coding[1].Code = "x.nothing" }},
		{"UnknownCode", "Observation.component[0].code", func(o *fhir.Observation) { o.Component[0].Code.Coding[0].Code = "mood" }},
		{"OtherSystem", "Observation.component[0].code.coding[0]", func(o *fhir.Observation) { o.Component[0].Code.Coding[0].System = "http://loinc.org" }},
		{"TwiceTheSameRow", "Observation.component[1]", func(o *fhir.Observation) { o.Component[1] = o.Component[0] }},
		{"CategoryAlone", "Observation.component[7].valueCodeableConcept", func(o *fhir.Observation) {
			o.Component[7].ValueCodeableConcept.Coding = o.Component[7].ValueCodeableConcept.Coding[1:]
		}},
		{"CategoryMismatch", "Observation.component[7].valueCodeableConcept", func(o *fhir.Observation) {
			o.Component[7].ValueCodeableConcept.Coding[1].Code = "used_helped"
		}},
		{"DateTime", "Observation.effectiveDateTime", func(o *fhir.Observation) { o.EffectiveDateTime = "2026-03-01T10:00:00Z" }},
		{"ScaleVersion", "Observation.extension[0]", func(o *fhir.Observation) { o.Extension[0].ValueInteger = ptr(2) }},
		{"TwoNotes", "Observation.note[1]", func(o *fhir.Observation) { o.Note = append(o.Note, o.Note[0]) }},
		{"Status", "Observation.status", func(o *fhir.Observation) { o.Status = "preliminary" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := fhir.DiaryCardObservation(cfg, card, "Patient/p1")
			tt.change(&o)
			_, err := fhir.DiaryInput(cfg, o)
			ee, ok := err.(*fhir.ElementError)
			if !ok || ee.Element != tt.element || tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("DiaryInput = %v, want a refusal of %s", err, tt.element)
			}
		})
	}
}

// TestScoreObservation: the total with the instrument's LOINC code,
// derived from its response, exact; none without a total.
func TestScoreObservation(t *testing.T) {
	for _, in := range measure.Builtin() {
		a := measure.Answers{}
		for _, it := range in.Items {
			a[it.LinkID] = 1
		}
		fin := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		r := measure.Response{ID: "0190c3a0-0000-7000-8000-000000000002", Answers: a, Score: in.Score(a), Finished: true, FinishedAt: &fin}
		o, ok := fhir.ScoreObservation(in, r, "Patient/p1", "QuestionnaireResponse/x")
		want := map[string]string{"phq-9": "44261-6", "gad-7": "70274-6"}[in.Key]
		if !ok || o.Code.Coding[0].Code != want || o.Code.Coding[0].System != measure.LOINC || o.ValueQuantity.Value != json.Number(in.FormatScore(*r.Score.Total)) ||
			o.DerivedFrom[0].Reference != "QuestionnaireResponse/x" || o.EffectiveDateTime != "2026-03-01T10:00:00Z" {
			t.Errorf("%s: %+v, %v", in.Short, o, ok)
		}
		fhirtest.Validate(t, o)
		delete(a, in.Items[0].LinkID)
		r.Score = in.Score(a)
		if _, ok := fhir.ScoreObservation(in, r, "Patient/p1", "QuestionnaireResponse/x"); ok {
			t.Errorf("%s: a score Observation for a response without a total", in.Short)
		}
	}
}

// TestParseResponse: a QuestionnaireResponse Tend wrote reads back as the
// same answers; an item the instrument lacks is refused by name.
func TestParseResponse(t *testing.T) {
	in := measure.Builtin()[0]
	a := measure.Answers{}
	for i, it := range in.Items {
		a[it.LinkID] = i % 4
	}
	fin := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := measure.Response{ID: "r1", Answers: a, Score: in.Score(a), Finished: true, FinishedAt: &fin}
	qr := fhir.QuestionnaireResponseFrom(in, r, "Patient/p1", fhir.QuestionnaireURL(in))
	find := func(url string) (measure.Instrument, bool) { return in, url == fhir.QuestionnaireURL(in) }
	got, err := fhir.ParseResponse(qr, find)
	if err != nil {
		t.Fatal(err)
	}
	if got.Recorded.InstrumentID != in.ID || !got.Recorded.FinishedAt.Equal(fin) || len(got.Recorded.Answers) != len(a) {
		t.Errorf("parsed = %+v", got.Recorded)
	}
	for k, v := range a {
		if got.Recorded.Answers[k] != v {
			t.Errorf("%s = %d, want %d", k, got.Recorded.Answers[k], v)
		}
	}
	qr.Item[3].LinkID = "nope"
	if _, err := fhir.ParseResponse(qr, find); err == nil || !strings.HasPrefix(err.Error(), "QuestionnaireResponse.item[3].linkId") {
		t.Errorf("ParseResponse = %v, want item[3].linkId refused", err)
	}
	qr = fhir.QuestionnaireResponseFrom(in, r, "Patient/p1", fhir.QuestionnaireURL(in))
	qr.Extension[0].ValueDecimal = "99"
	if _, err := fhir.ParseResponse(qr, find); err == nil || !strings.HasPrefix(err.Error(), "QuestionnaireResponse.extension[0]") {
		t.Errorf("ParseResponse = %v, want a wrong total refused", err)
	}
}
