package fhir_test

import (
	"testing"
	"time"

	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/measure"
)

func TestQuestionnaireResponseFrom(t *testing.T) {
	in := measure.PHQ9()
	started := time.Date(2026, 11, 3, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	finished := started.Add(5 * time.Minute)
	subject := "Patient/0193a5c2-7d4e-7000-8000-0000000000aa"

	t.Run("Finished", func(t *testing.T) {
		a := measure.Answers{"1": 2, "2": 1, "3": 3, "4": 0, "5": 1, "6": 2, "7": 0, "8": 1, "9": 0, "10": 1}
		r := measure.Response{ID: "0193a5c2-7d4e-7000-8000-000000000010", Answers: a, Score: in.Score(a),
			Finished: true, StartedAt: started, UpdatedAt: finished, FinishedAt: &finished}
		qr := fhir.QuestionnaireResponseFrom(in, r, subject, fhir.QuestionnaireURL(in))
		if qr.Status != "completed" || qr.Authored != "2026-11-03T07:05:00Z" || qr.Subject.Reference != subject ||
			qr.Questionnaire != fhir.Base+"/Questionnaire/phq-9.1.en" {
			t.Errorf("header = %+v", qr)
		}
		if len(qr.Item) != 10 {
			t.Fatalf("%d items, want 10", len(qr.Item))
		}
		c := qr.Item[2].Answer[0].ValueCoding
		if qr.Item[2].LinkID != "3" || c.System != measure.LOINC || c.Code != "LA6571-9" || c.Display != "Nearly every day" ||
			c.Extension[0].URL != fhir.OrdinalValueURL || c.Extension[0].ValueDecimal != "3" {
			t.Errorf("item 3 answer = %+v", c)
		}
		if c := qr.Item[9].Answer[0].ValueCoding; c.System != "" || c.Code != "1" || c.Display != "Somewhat difficult" {
			t.Errorf("item 10 answer = %+v (no LOINC answer code: its value as the code)", c)
		}
		if len(qr.Extension) != 1 || qr.Extension[0].URL != fhir.ScoreURL || qr.Extension[0].ValueDecimal != "10" {
			t.Errorf("score extension = %+v, want 10", qr.Extension)
		}
		fhirtest.Validate(t, qr)
	})

	t.Run("Incomplete", func(t *testing.T) {
		a := measure.Answers{"1": 2, "2": 1, "3": 3, "4": 0, "5": 1, "6": 2, "7": 0, "8": 1}
		r := measure.Response{ID: "0193a5c2-7d4e-7000-8000-000000000011", Answers: a, Score: in.Score(a),
			StartedAt: started, UpdatedAt: started.Add(time.Minute)}
		qr := fhir.QuestionnaireResponseFrom(in, r, subject, fhir.QuestionnaireURL(in))
		if qr.Status != "in-progress" || qr.Authored != "2026-11-03T07:01:00Z" {
			t.Errorf("status %q authored %q", qr.Status, qr.Authored)
		}
		if len(qr.Item) != 8 {
			t.Errorf("%d items, want the 8 answered", len(qr.Item))
		}
		for _, it := range qr.Item {
			if it.LinkID == "9" || it.LinkID == "10" {
				t.Errorf("unanswered item %s is in the response: %+v", it.LinkID, it)
			}
		}
		if len(qr.Extension) != 0 {
			t.Errorf("an incomplete response has a score: %+v", qr.Extension)
		}
		fhirtest.Validate(t, qr)
	})

	t.Run("FinishedSkippingItem9", func(t *testing.T) {
		a := measure.Answers{"1": 2, "2": 1, "3": 3, "4": 0, "5": 1, "6": 2, "7": 0, "8": 1, "10": 0}
		r := measure.Response{ID: "0193a5c2-7d4e-7000-8000-000000000012", Answers: a, Score: in.Score(a),
			Finished: true, UpdatedAt: finished, FinishedAt: &finished}
		qr := fhir.QuestionnaireResponseFrom(in, r, subject, fhir.QuestionnaireURL(in))
		for _, it := range qr.Item {
			if it.LinkID == "9" {
				t.Errorf("skipped item 9 is in the response: %+v", it)
			}
		}
		if len(qr.Item) != 9 || len(qr.Extension) != 0 {
			t.Errorf("items %d, extension %+v: want 9 items and no score (Tend never imputes)", len(qr.Item), qr.Extension)
		}
		fhirtest.Validate(t, qr)
	})
}
