package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/followup"
)

// decodeAs reads an answer's JSON body into v.
func decodeAs[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	return v
}

type qSaved struct {
	Response struct {
		ID       string `json:"id"`
		Finished bool   `json:"finished"`
		Score    struct {
			Total *float64 `json:"total"`
			Band  *string  `json:"band"`
		} `json:"score"`
		Items []struct {
			LinkID   string `json:"link_id"`
			Answered bool   `json:"answered"`
			Value    *int   `json:"value"`
		} `json:"items"`
	} `json:"response"`
	SafetyPrompt bool `json:"safety_prompt"`
	Safety       struct {
		Prompted bool   `json:"prompted"`
		Response string `json:"response"`
		Route    string `json:"route"`
	} `json:"safety"`
}

type qWaiting struct {
	Questionnaires []struct {
		ID           string         `json:"id"`
		InstrumentID string         `json:"instrument_id"`
		Short        string         `json:"short"`
		DueOn        string         `json:"due_on"`
		Started      bool           `json:"started"`
		Answers      map[string]int `json:"answers"`
	} `json:"questionnaires"`
}

// phq9Entries counts the PHQ-9 item 9 entries on the tasks about person
// in Lee's inbox.
func (e *env) phq9Entries(t *testing.T, person tend.ID) int {
	t.Helper()
	tasks, err := e.followUp.Inbox(ctx, e.actors["lee@example.org"])
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range tasks {
		if tk.PersonID != person {
			continue
		}
		for _, en := range tk.Entries {
			if en.Kind == followup.KindPHQ9Item9 {
				n++
			}
		}
	}
	return n
}

// TestQuestionnaireAnswerFlow: Lee assigns sam a PHQ-9; sam answers item 9
// with 2 in a draft, which asks the app for the safety screen; sending the
// same again adds no second entry to the care team's task; an answer
// outside the options saves nothing; finishing gives a total and band,
// and the person's own scores carry no reliable-change label.
func TestQuestionnaireAnswerFlow(t *testing.T) {
	e := newEnv(t)
	v := newValidator(t, spec(t, e))
	sam := string(e.ids["sam"])
	call := func(who, method, path, body string, want int) []byte {
		t.Helper()
		req, res := e.do(who, method, path, body)
		if res.Code != want {
			t.Fatalf("%s %s as %s = %d, want %d\n%s", method, path, who, res.Code, want, res.Body)
		}
		validateResponse(t, v, req, res)
		return res.Body.Bytes()
	}

	assigned := decodeAs[struct {
		ID     string `json:"id"`
		Active bool   `json:"active"`
	}](t, call("lee@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments",
		`{"instrument_id":"phq-9.1.en","schedule":{"kind":"once"}}`, 201))
	if !assigned.Active {
		t.Fatalf("assignment not active: %+v", assigned)
	}
	// Kim is not on sam's care team: 404, and nothing assigned.
	call("kim@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments", `{"instrument_id":"gad-7.1.en","schedule":{"kind":"once"}}`, 404)

	waiting := decodeAs[qWaiting](t, call("sam", "GET", "/api/v1/me/questionnaires", "", 200))
	if len(waiting.Questionnaires) != 1 || waiting.Questionnaires[0].InstrumentID != "phq-9.1.en" || waiting.Questionnaires[0].Started {
		t.Fatalf("waiting: %+v", waiting)
	}
	due := waiting.Questionnaires[0].ID
	path := "/api/v1/me/questionnaires/" + due

	// Out of the options: 400, and nothing saved.
	call("sam", "PUT", path, `{"answers":{"1":1,"9":9}}`, 400)
	call("sam", "PUT", path, `{"answers":{"99":1}}`, 400)
	if w := decodeAs[qWaiting](t, call("sam", "GET", "/api/v1/me/questionnaires", "", 200)); w.Questionnaires[0].Started {
		t.Fatalf("a refused save was kept: %+v", w)
	}
	if n := e.phq9Entries(t, e.ids["sam"]); n != 0 {
		t.Fatalf("a refused save raised %d prompts", n)
	}

	draft := `{"answers":{"1":2,"2":2,"9":2}}`
	first := decodeAs[qSaved](t, call("sam", "PUT", path, draft, 200))
	if !first.SafetyPrompt || !first.Safety.Prompted || first.Response.Finished || first.Response.Score.Total != nil {
		t.Fatalf("draft with item 9 = 2: %+v", first)
	}
	entries := e.phq9Entries(t, e.ids["sam"])
	if first.Safety.Response == string(followup.ResponseTask) && entries != 1 {
		t.Fatalf("the prompt made a task, but Lee's inbox holds %d PHQ-9 entries for sam", entries)
	}
	again := decodeAs[qSaved](t, call("sam", "PUT", path, draft, 200))
	if !again.SafetyPrompt || again.Response.ID != first.Response.ID {
		t.Fatalf("resend: %+v, first %+v", again, first)
	}
	if n := e.phq9Entries(t, e.ids["sam"]); n != entries {
		t.Fatalf("the resend added an entry: %d, was %d", n, entries)
	}
	// Unanswered items are listed as not answered, never 0.
	for _, it := range again.Response.Items {
		if it.LinkID == "3" && (it.Answered || it.Value != nil) {
			t.Errorf("item 3 not answered, shown %+v", it)
		}
		if it.LinkID == "9" && (!it.Answered || it.Value == nil || *it.Value != 2) {
			t.Errorf("item 9: %+v", it)
		}
	}
	form := decodeAs[struct {
		Answers    map[string]int `json:"answers"`
		Instrument struct {
			Items []json.RawMessage `json:"items"`
		} `json:"instrument"`
	}](t, call("sam", "GET", path, "", 200))
	if form.Answers["9"] != 2 || len(form.Answers) != 3 || len(form.Instrument.Items) != 10 {
		t.Fatalf("form: %+v", form)
	}
	call("kim@example.org", "GET", "/api/v1/people/"+sam+"/questionnaires/responses/"+first.Response.ID, "", 404)
	call("alex", "GET", path, "", 404)

	done := decodeAs[qSaved](t, call("sam", "PUT", path, `{"answers":{"1":2,"2":2,"3":2,"4":2,"5":2,"6":2,"7":2,"8":2,"9":0,"10":1},"finish":true}`, 200))
	if done.SafetyPrompt || !done.Response.Finished || done.Response.Score.Total == nil || *done.Response.Score.Total != 16 ||
		done.Response.Score.Band == nil || *done.Response.Score.Band != "moderately severe" {
		t.Fatalf("finished: %+v", done)
	}
	call("sam", "PUT", path, `{"answers":{"1":0}}`, 409)

	// Finishing the questionnaire of an assignment made once ends it:
	// there is nothing more to stop, and lee can assign it again.
	call("lee@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments/"+assigned.ID+"/end", "", 409)
	// Finishing again with the same answers (an answer lost on the way
	// back) answers the same.
	refinished := decodeAs[qSaved](t, call("sam", "PUT", path, `{"answers":{"1":2,"2":2,"3":2,"4":2,"5":2,"6":2,"7":2,"8":2,"9":0,"10":1},"finish":true}`, 200))
	if refinished.Response.ID != done.Response.ID || !refinished.Response.Finished {
		t.Fatalf("finishing again: %+v", refinished)
	}

	mine := string(call("sam", "GET", "/api/v1/me/questionnaires/scores", "", 200))
	if !strings.Contains(mine, `"total":16`) || strings.Contains(mine, "judgement") || strings.Contains(mine, "reliabl") {
		t.Errorf("the person's scores: %s", mine)
	}
	staff := string(call("lee@example.org", "GET", "/api/v1/people/"+sam+"/questionnaires/scores", "", 200))
	if !strings.Contains(staff, `"total":16`) || !strings.Contains(staff, `"band":"moderately severe"`) {
		t.Errorf("Lee's view of the scores: %s", staff)
	}
}

// TestQuestionnaireUnassigned: a questionnaire whose assignment ended
// saves nothing (409).
func TestQuestionnaireUnassigned(t *testing.T) {
	e := newEnv(t)
	sam := string(e.ids["sam"])
	_, res := e.do("lee@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments", `{"instrument_id":"gad-7.1.en","schedule":{"kind":"every_weeks","every_weeks":2}}`)
	if res.Code != 201 {
		t.Fatalf("assign: %d %s", res.Code, res.Body)
	}
	aid := decodeAs[struct {
		ID string `json:"id"`
	}](t, res.Body.Bytes()).ID
	_, res = e.do("sam", "GET", "/api/v1/me/questionnaires", "")
	w := decodeAs[qWaiting](t, res.Body.Bytes())
	if len(w.Questionnaires) != 1 {
		t.Fatalf("waiting: %s", res.Body)
	}
	if _, res := e.do("lee@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments/"+aid+"/end", ""); res.Code != 204 {
		t.Fatalf("end: %d %s", res.Code, res.Body)
	}
	_, res = e.do("sam", "PUT", "/api/v1/me/questionnaires/"+w.Questionnaires[0].ID, `{"answers":{"1":1}}`)
	if res.Code != 409 || !strings.Contains(res.Body.String(), "nothing was saved") {
		t.Fatalf("save after the end: %d %s", res.Code, res.Body)
	}
}

// TestInstrumentImport: an admin imports a Questionnaire with a statement
// of the right to use it (201); without one, 400 naming it; a person or a
// clinician cannot import (403: the instruments are the service's settings). The export of every instrument, and a
// response as a QuestionnaireResponse, are valid FHIR R4; the imported
// instrument round-trips: import, assign, answer, score, export.
func TestInstrumentImport(t *testing.T) {
	e := newEnv(t)
	v := newValidator(t, spec(t, e))
	q, err := os.ReadFile("../fhir/testdata/example-wellbeing.json")
	if err != nil {
		t.Fatal(err)
	}
	body := func(rights string) string {
		b, _ := json.Marshal(map[string]any{"questionnaire": json.RawMessage(q), "rights": rights})
		return string(b)
	}
	for _, tt := range []struct {
		name, who, body string
		want            int
		contains        string
	}{
		{"ErrForbidden/Person", "sam", body("Ours"), 403, ""},
		{"ErrForbidden/Clinician", "lee@example.org", body("Ours"), 403, ""},
		{"ErrInvalid/NoRights", "admin@example.org", body(" "), 400, "right to use"},
		{"ErrInvalid/NotAQuestionnaire", "admin@example.org", `{"questionnaire":{"resourceType":"Patient"},"rights":"Ours"}`, 400, "not a Questionnaire"},
		{"Imported", "admin@example.org", body("Made up for Tend's tests; no licence needed."), 201, `"prompts_on":false`},
		{"ErrConflict/Again", "admin@example.org", body("Made up for Tend's tests; no licence needed."), 409, "already imported"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, res := e.do(tt.who, "POST", "/api/v1/instruments", tt.body)
			if res.Code != tt.want || !strings.Contains(res.Body.String(), tt.contains) {
				t.Fatalf("= %d %s", res.Code, res.Body)
			}
			validateResponse(t, v, req, res)
		})
	}
	_, res := e.do("sam", "GET", "/api/v1/instruments", "")
	list := decodeAs[struct {
		Instruments []struct {
			ID      string `json:"id"`
			Builtin bool   `json:"builtin"`
		} `json:"instruments"`
	}](t, res.Body.Bytes())
	if len(list.Instruments) < 3 {
		t.Fatalf("instruments: %s", res.Body)
	}
	var exports []any
	for _, in := range list.Instruments {
		req, res := e.do("lee@example.org", "GET", "/api/v1/instruments/"+in.ID+"/questionnaire", "")
		if res.Code != 200 || res.Header().Get("Content-Type") != "application/fhir+json" {
			t.Fatalf("%s: %d %s %s", in.ID, res.Code, res.Header().Get("Content-Type"), res.Body)
		}
		validateResponse(t, v, req, res)
		exports = append(exports, json.RawMessage(res.Body.Bytes()))
	}

	// A response as FHIR: sam answers part of a PHQ-9.
	sam := string(e.ids["sam"])
	if _, res := e.do("lee@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments", `{"instrument_id":"phq-9.1.en","schedule":{"kind":"once"}}`); res.Code != 201 {
		t.Fatalf("assign: %d %s", res.Code, res.Body)
	}
	_, res = e.do("sam", "GET", "/api/v1/me/questionnaires", "")
	due := decodeAs[qWaiting](t, res.Body.Bytes()).Questionnaires[0].ID
	_, res = e.do("sam", "PUT", "/api/v1/me/questionnaires/"+due, `{"answers":{"1":1,"2":0}}`)
	saved := decodeAs[qSaved](t, res.Body.Bytes())
	for _, variant := range []struct{ accept, query string }{{"application/fhir+json", ""}, {"", "?format=fhir"}} {
		req, _ := http.NewRequest("GET", "/api/v1/people/"+sam+"/questionnaires/responses/"+saved.Response.ID+variant.query, nil)
		req.AddCookie(&http.Cookie{Name: "tend_session", Value: e.sessions["lee@example.org"]})
		if variant.accept != "" {
			req.Header.Set("Accept", variant.accept)
		}
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/fhir+json" ||
			!strings.Contains(rec.Body.String(), `"resourceType":"QuestionnaireResponse"`) || !strings.Contains(rec.Body.String(), `"status":"in-progress"`) {
			t.Fatalf("FHIR response %+v: %d %s", variant, rec.Code, rec.Body)
		}
		validateResponse(t, v, req, rec)
		exports = append(exports, json.RawMessage(rec.Body.Bytes()))
	}

	// The imported instrument round-trips: assigned, answered, scored, and
	// its response exported as a QuestionnaireResponse FHIR.js accepts.
	imported := "example-wellbeing.0.1.en"
	if _, res := e.do("lee@example.org", "POST", "/api/v1/people/"+sam+"/questionnaires/assignments", `{"instrument_id":"`+imported+`","schedule":{"kind":"once"}}`); res.Code != 201 {
		t.Fatalf("assign the imported instrument: %d %s", res.Code, res.Body)
	}
	_, res = e.do("sam", "GET", "/api/v1/me/questionnaires", "")
	var importedDue string
	for _, q := range decodeAs[qWaiting](t, res.Body.Bytes()).Questionnaires {
		if q.InstrumentID == imported {
			importedDue = q.ID
		}
	}
	if importedDue == "" {
		t.Fatalf("the imported instrument is not waiting for sam: %s", res.Body)
	}
	_, res = e.do("sam", "PUT", "/api/v1/me/questionnaires/"+importedDue, `{"answers":{"ew1":3,"ew2":1,"ew3":2,"ew4":4,"ew5":1},"finish":true}`)
	answered := decodeAs[qSaved](t, res.Body.Bytes())
	// A mean of 3, 4 - 1 reversed = 3, 2 and 4: 3.
	if res.Code != 200 || !answered.Response.Finished || answered.Response.Score.Total == nil || *answered.Response.Score.Total != 3 {
		t.Fatalf("the imported instrument answered: %d %s", res.Code, res.Body)
	}
	_, res = e.do("lee@example.org", "GET", "/api/v1/people/"+sam+"/questionnaires/responses/"+answered.Response.ID+"?format=fhir", "")
	if res.Code != 200 || !strings.Contains(res.Body.String(), `"status":"completed"`) || !strings.Contains(res.Body.String(), `"linkId":"ew4"`) {
		t.Fatalf("the imported instrument's response as FHIR: %d %s", res.Code, res.Body)
	}
	exports = append(exports, json.RawMessage(res.Body.Bytes()))
	fhirtest.Validate(t, exports...)
}
