package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/measure"
)

// testBundle builds a Bundle of typ from resources (each as JSON); edit
// may change each entry before it is marshalled.
func testBundle(t *testing.T, typ string, edit func(i int, e map[string]any), resources ...any) []byte {
	t.Helper()
	var entries []any
	for i, r := range resources {
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var res map[string]any
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatal(err)
		}
		e := map[string]any{"fullUrl": fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i), "resource": res,
			"request": map[string]any{"method": "POST", "url": res["resourceType"]}}
		if edit != nil {
			edit(i, e)
		}
		entries = append(entries, e)
	}
	b, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": typ, "entry": entries})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testResources(t *testing.T) (QuestionnaireResponse, Observation, Observation) {
	t.Helper()
	phq := measure.Builtin()[0]
	a := measure.Answers{}
	for _, it := range phq.Items {
		a[it.LinkID] = 1
	}
	fin := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := measure.Response{ID: "0190c3a0-0000-7000-8000-000000000005", Answers: a, Score: phq.Score(a), Finished: true, FinishedAt: &fin}
	subject := PatientRef(fuzzPerson)
	qr := QuestionnaireResponseFrom(phq, r, subject, QuestionnaireURL(phq))
	score, ok := ScoreObservation(phq, r, subject, "QuestionnaireResponse/"+qr.ID)
	if !ok {
		t.Fatal("no score")
	}
	urge := 2
	card := diary.Card{ID: "0190c3a0-0000-7000-8000-000000000006", Day: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), ScaleVersion: 1,
		Values: map[diary.Field]diary.Value{diary.UrgeField("u.die"): {V: &urge}}}
	return qr, score, DiaryCardObservation(diary.Config{Targets: diary.Defaults()}, card, subject)
}

// TestImportParse: how an import reads a Bundle before any service call,
// and answers it.
func TestImportParse(t *testing.T) {
	qr, score, card := testResources(t)
	me := tend.Actor{Kind: tend.KindPerson, ID: fuzzPerson}
	run := func(body []byte) (*fakeUnit, Bundle, error) {
		u := &fakeUnit{}
		im := &Importer{Unit: u, Diary: fakeDiary{}, Measures: fakeMeasures{}}
		out, err := im.Import(context.Background(), me, body)
		return u, out, err
	}
	t.Run("OK", func(t *testing.T) {
		// The score stands before its response: it is still checked
		// against it, and answered with the response's score id.
		u, out, err := run(testBundle(t, "batch", nil, score, qr, card))
		if err != nil {
			t.Fatal(err)
		}
		if out.Type != "batch-response" || len(out.Entry) != 3 || len(u.committed) != 2 {
			t.Fatalf("answer %+v, committed %v", out, u.committed)
		}
		qrLoc := out.Entry[1].Response.Location
		if !strings.HasPrefix(qrLoc, "QuestionnaireResponse/") || out.Entry[0].Response.Location != "Observation/"+strings.TrimPrefix(qrLoc, "QuestionnaireResponse/")+"-score" {
			t.Errorf("locations %s, %s", out.Entry[0].Response.Location, qrLoc)
		}
		if out.Entry[0].FullURL != "urn:uuid:00000000-0000-4000-8000-000000000000" {
			t.Errorf("fullUrl %q", out.Entry[0].FullURL)
		}
	})
	for _, tt := range []struct {
		name    string
		body    []byte
		entry   int
		status  int
		element string
		says    string
	}{
		{"NotJSON", []byte(`{`), -1, http.StatusBadRequest, "", "not a FHIR JSON Bundle"},
		{"Collection", []byte(`{"resourceType":"Bundle","type":"collection","entry":[{}]}`), -1, http.StatusBadRequest, "", "transaction or batch"},
		{"Empty", []byte(`{"resourceType":"Bundle","type":"batch"}`), -1, http.StatusBadRequest, "", "no entries"},
		{"Patient", testBundle(t, "transaction", nil, qr, map[string]any{"resourceType": "Patient"}), 1, http.StatusBadRequest,
			"Bundle.entry[1].resource", "QuestionnaireResponses and Observations only"},
		{"Put", testBundle(t, "transaction", func(i int, e map[string]any) {
			e["request"] = map[string]any{"method": "PUT", "url": "Observation/1"}
		}, card), 0, http.StatusBadRequest, "Bundle.entry[0].request", "POST"},
		{"UnknownElement", testBundle(t, "transaction", func(i int, e map[string]any) {
			e["resource"].(map[string]any)["component"].([]any)[0].(map[string]any)["valueString"] = "x"
		}, card), 0, http.StatusBadRequest, "Bundle.entry[0].resource", `"valueString"`},
		{"TwoPeople", testBundle(t, "transaction", func(i int, e map[string]any) {
			if i == 1 {
				e["resource"].(map[string]any)["subject"] = map[string]any{"reference": "Patient/0190c3a0-0000-7000-8000-0000000000ff"}
			}
		}, qr, card), 1, http.StatusBadRequest, "Bundle.entry[1].resource.subject", "same Patient"},
		{"NoSubject", testBundle(t, "transaction", func(i int, e map[string]any) {
			delete(e["resource"].(map[string]any), "subject")
		}, card), 0, http.StatusBadRequest, "Bundle.entry[0].resource.subject", "no subject"},
		{"SameDayTwice", testBundle(t, "transaction", nil, card, card), 1, http.StatusUnprocessableEntity,
			"Bundle.entry[1].resource.effectiveDateTime", "Entry 0 is the diary card of the same day"},
		{"ScoreWithoutResponse", testBundle(t, "transaction", nil, score), 0, http.StatusUnprocessableEntity,
			"Bundle.entry[0].resource.derivedFrom[0]", "same Bundle"},
		{"InProgress", testBundle(t, "transaction", func(i int, e map[string]any) {
			e["resource"].(map[string]any)["status"] = "in-progress"
		}, qr), 0, http.StatusUnprocessableEntity, "Bundle.entry[0].resource.status", "finished questionnaires only"},
		{"FutureCard", testBundle(t, "transaction", func(i int, e map[string]any) {
			if i == 1 {
				e["resource"].(map[string]any)["effectiveDateTime"] = "2200-01-01"
			}
		}, qr, card), 1, http.StatusUnprocessableEntity, "Bundle.entry[1]", "not happened yet"},
		{"AnotherPerson", testBundle(t, "transaction", func(i int, e map[string]any) {
			e["resource"].(map[string]any)["subject"] = map[string]any{"reference": "Patient/0190c3a0-0000-7000-8000-0000000000ff"}
		}, card), -1, http.StatusNotFound, "", "Not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u, _, err := run(tt.body)
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("Import = %v, want an ImportError", err)
			}
			oo := ie.Outcome()
			d := oo.Issue[0].Diagnostics
			if ie.Entry != tt.entry || ie.Status != tt.status || !strings.Contains(d, tt.says) || !strings.HasSuffix(d, "Nothing was imported.") {
				t.Errorf("refusal: entry %d, status %d, %q; want entry %d, %d, saying %q", ie.Entry, ie.Status, d, tt.entry, tt.status, tt.says)
			}
			if tt.element != "" && (len(oo.Issue[0].Expression) != 1 || oo.Issue[0].Expression[0] != tt.element) {
				t.Errorf("expression %v, want %s", oo.Issue[0].Expression, tt.element)
			}
			if len(u.committed) != 0 {
				t.Errorf("a refused Bundle wrote %v", u.committed)
			}
		})
	}
}
