package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/testenv"
)

// importBundle is a transaction Bundle for personID: a PHQ-9 with its
// score, and a diary card for the day before the test's today.
func importBundle(t *testing.T, personID tend.ID, urge int) string {
	t.Helper()
	phq := measure.Builtin()[0]
	a := measure.Answers{}
	for _, it := range phq.Items {
		a[it.LinkID] = 0
	}
	fin := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := measure.Response{ID: "0190c3a0-0000-7000-8000-000000000003", Answers: a, Score: phq.Score(a), Finished: true, FinishedAt: &fin}
	subject := fhir.PatientRef(personID)
	qr := fhir.QuestionnaireResponseFrom(phq, r, subject, fhir.QuestionnaireURL(phq))
	score, _ := fhir.ScoreObservation(phq, r, subject, "QuestionnaireResponse/"+qr.ID)
	card := diary.Card{ID: "0190c3a0-0000-7000-8000-000000000004", Day: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), ScaleVersion: 1,
		Values: map[diary.Field]diary.Value{diary.UrgeField("u.self_harm"): {V: &urge}}}
	obs := fhir.DiaryCardObservation(diary.Config{Targets: diary.Defaults()}, card, subject)
	b := fhir.Bundle{ResourceType: "Bundle", Type: "transaction"}
	for i, res := range []any{qr, score, obs} {
		raw, _ := json.Marshal(res)
		rt := "Observation"
		if i == 0 {
			rt = "QuestionnaireResponse"
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{FullURL: fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i), Resource: raw,
			Request: &fhir.BundleEntryRequest{Method: http.MethodPost, URL: rt}})
	}
	out, _ := json.Marshal(b)
	return string(out)
}

// TestFHIRImport: POST /fhir/r4 through the handler: who may import, the
// answer Bundle, and refusals as OperationOutcomes naming the entry.
func TestFHIRImport(t *testing.T) {
	e := newEnv(t)
	h, err := api.New(api.Options{Logger: testenv.Logger(t), Accounts: e.accounts, CareTeam: e.careTeam, Looks: e.looks, Clock: e.clock,
		FHIRImport: &fhir.Importer{Unit: e.db, Diary: e.diary, Measures: e.measure}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := api.NewFHIR(h, &fhir.Records{Accounts: e.accounts, CareTeams: e.careTeam, Diary: e.diary, Measures: e.measure})
	if err != nil {
		t.Fatal(err)
	}
	post := func(who, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/fhir/r4", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		if who != "" {
			req.AddCookie(&http.Cookie{Name: "tend_session", Value: e.sessions[who]})
		}
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, req)
		return rec
	}
	sam := e.ids["sam"]
	good := importBundle(t, sam, 2)
	bad := importBundle(t, sam, 7) // an urge is 0-5
	for _, tt := range []struct {
		name, who, body string
		status          int
		contains        string
	}{
		{"Anonymous", "", good, http.StatusUnauthorized, "Sign in"},
		{"AnotherPerson", "alex", good, http.StatusNotFound, "not-found"},
		{"StrangerClinician", "kim@example.org", good, http.StatusNotFound, "not-found"},
		{"NotABundle", "sam", `{"resourceType":"Patient"}`, http.StatusBadRequest, "takes a Bundle"},
		{"BadEntry", "sam", bad, http.StatusUnprocessableEntity, `Entry 2 (Observation urn:uuid:00000000-0000-4000-8000-000000000002)`},
		{"TooLarge", "sam", `{"resourceType":"Bundle","type":"batch","entry":[` + strings.Repeat(" ", fhir.MaxImportBytes) + `]}`, http.StatusRequestEntityTooLarge, "too large"},
		{"OK", "sam", good, http.StatusOK, `"type":"transaction-response"`},
		{"Retry", "sam", good, http.StatusOK, `"status":"200 OK"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := post(tt.who, tt.body)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Fatalf("POST /fhir/r4 = %d %s, want %d containing %s", rec.Code, rec.Body, tt.status, tt.contains)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/fhir+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			fhirtest.Validate(t, v)
			if tt.status != http.StatusOK && strings.Contains(rec.Body.String(), "Patient/") {
				t.Error("a refusal repeats the subject")
			}
		})
	}
	cards, err := e.diary.Cards(ctx, e.actors["sam"], sam, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(cards) != 1 {
		t.Errorf("sam's card after the import: %d, %v", len(cards), err)
	}
}
