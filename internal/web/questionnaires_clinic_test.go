package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// qcAssignmentOf returns sam's active assignment of the instrument,
// newest first, through the measure service as lee.
func (d *demoServer) qcAssignmentOf(t *testing.T, instrumentID string) measure.Assignment {
	t.Helper()
	as, err := d.measures.Assignments(context.Background(), staffActor(t, d, "lee@example.org"), d.people["sam"])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Assignment.InstrumentID == instrumentID && a.Assignment.Active() {
			return a.Assignment
		}
	}
	t.Fatalf("sam has no active assignment of %s", instrumentID)
	return measure.Assignment{}
}

// qcDueOn adds a due questionnaire of the assignment on day (an earlier
// one, as a schedule that began weeks ago would have), through the store.
func (d *demoServer) qcDueOn(t *testing.T, a measure.Assignment, day time.Time) tend.ID {
	t.Helper()
	due := measure.Due{ID: tend.NewID(), AssignmentID: a.ID, PersonID: a.PersonID, InstrumentID: a.InstrumentID,
		On: day, Reason: measure.ReasonInterval, CreatedAt: time.Now().UTC()}
	err := store.For[measure.Tx](d.db).InTx(context.Background(), func(tx measure.Tx) error {
		added, err := tx.CreateDue(context.Background(), due)
		if err == nil && !added {
			t.Fatalf("a questionnaire is already due on %s", day.Format(time.DateOnly))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return due.ID
}

// qcLatestDue returns the questionnaire of the assignment waiting for sam.
func (d *demoServer) qcLatestDue(t *testing.T, a measure.Assignment) tend.ID {
	t.Helper()
	ws, err := d.measures.Waiting(context.Background(), personActor(d, "sam"), d.people["sam"])
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.Due.AssignmentID == a.ID {
			return w.Due.ID
		}
	}
	t.Fatal("nothing of the assignment is waiting for sam")
	return ""
}

// qcAnswer finishes a due questionnaire as sam with the values of items
// "1", "2", ... in order; a negative value leaves the item unanswered.
func (d *demoServer) qcAnswer(t *testing.T, dueID tend.ID, values ...int) measure.Response {
	t.Helper()
	ans := measure.Answers{}
	for i, v := range values {
		if v >= 0 {
			ans[strconv.Itoa(i+1)] = v
		}
	}
	saved, err := d.measures.Save(context.Background(), personActor(d, "sam"), d.people["sam"], dueID, ans, true)
	if err != nil {
		t.Fatal(err)
	}
	return saved.Response
}

// TestQuestionnairesClinic: lee assigns PHQ-9 every 2 weeks to sam; sam
// answers an earlier and today's questionnaire (18, then 11); lee's page
// shows both totals, the bands, the threshold, "reliably improved" and
// the rule it was judged by; a response with item 9 skipped shows "not
// answered" and "incomplete"; kim, not on sam's team, finds nothing.
func TestQuestionnairesClinic(t *testing.T) {
	d := newDemoServer(t)
	sam := "/clinic/people/" + string(d.people["sam"])
	phq9 := measure.PHQ9()

	res := d.post(t, "lee@example.org", sam+"/questionnaires/assign", url.Values{"instrument": {phq9.ID}, "schedule": {"every_weeks"}, "weeks": {"2"}})
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != sam+"/questionnaires?done=assigned" {
		t.Fatalf("lee assigns PHQ-9: %d %q\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
	}
	if person := d.get(t, "lee@example.org", sam).Body.String(); !strings.Contains(person, `<a href="`+sam+`/questionnaires">Questionnaires</a>`) {
		t.Error("sam's page does not link the questionnaires")
	}
	page := d.get(t, "lee@example.org", sam+"/questionnaires?done=assigned").Body.String()
	mustContain(t, "sam's questionnaires after assigning", page, "The questionnaire is assigned.",
		"Patient Health Questionnaire (PHQ-9) (version 1, en)", "Every 2 weeks", `/questionnaires/assignments/`, "No questionnaire has been finished yet.")

	t.Run("BadInput", func(t *testing.T) {
		for _, tt := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"instrument": {phq9.ID}, "schedule": {"every_weeks"}, "weeks": {"0"}}, "Choose every 1 to 52 weeks."},
			{url.Values{"instrument": {phq9.ID}, "schedule": {"every_weeks"}, "weeks": {"two"}}, "Give the number of weeks as a whole number from 1 to 52."},
			{url.Values{"instrument": {"no-such.1.en"}, "schedule": {"once"}}, "Choose a questionnaire."},
			{url.Values{"instrument": {phq9.ID}, "schedule": {"sometimes"}}, "Choose when the questionnaire is due."},
		} {
			res := d.post(t, "lee@example.org", sam+"/questionnaires/assign", tt.form)
			if res.Code != http.StatusBadRequest {
				t.Errorf("%v: %d, want 400", tt.form, res.Code)
				continue
			}
			mustContain(t, "the refused assignment", res.Body.String(), tt.want, `role="alert"`)
		}
		as, err := d.measures.Assignments(context.Background(), staffActor(t, d, "lee@example.org"), d.people["sam"])
		if err != nil || len(as) != 1 {
			t.Errorf("refused forms assigned something: %d assignments, %v", len(as), err)
		}
	})

	t.Run("KimNotFound", func(t *testing.T) {
		for _, path := range []string{sam + "/questionnaires"} {
			if res := d.get(t, "kim@example.org", path); res.Code != http.StatusNotFound {
				t.Errorf("kim opens %s: %d, want 404", path, res.Code)
			}
		}
		if res := d.post(t, "kim@example.org", sam+"/questionnaires/assign", url.Values{"instrument": {phq9.ID}, "schedule": {"once"}}); res.Code != http.StatusNotFound {
			t.Errorf("kim assigns to sam: %d, want 404", res.Code)
		}
	})

	// An earlier questionnaire four weeks ago (18: moderately severe), and
	// today's (11: moderate).
	a := d.qcAssignmentOf(t, phq9.ID)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	earlier := d.qcDueOn(t, a, today.AddDate(0, 0, -28))
	first := d.qcAnswer(t, earlier, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1)
	second := d.qcAnswer(t, d.qcLatestDue(t, a), 2, 2, 2, 2, 1, 1, 1, 0, 0, 1)
	if first.Score.Total == nil || *first.Score.Total != 18 || second.Score.Total == nil || *second.Score.Total != 11 {
		t.Fatalf("the totals are %v and %v, want 18 and 11", first.Score.Total, second.Score.Total)
	}

	res = d.get(t, "lee@example.org", sam+"/questionnaires")
	page = res.Body.String()
	if res.Code != http.StatusOK {
		t.Fatalf("lee opens sam's questionnaires: %d\n%s", res.Code, page)
	}
	t.Run("Scores", func(t *testing.T) {
		mustContain(t, "lee's page of sam's scores", page,
			`<svg role="img"`, "Clinical threshold: a total of 10 or more.", "clinical threshold 10",
			today.AddDate(0, 0, -28).Format("2 January 2006"), today.Format("2 January 2006"),
			"<td>18</td><td>moderately severe</td><td>Yes</td>", "<td>11</td><td>moderate</td><td>Yes</td>",
			sam+"/questionnaires/responses/"+string(first.ID), sam+"/questionnaires/responses/"+string(second.ID))
		if !inOrder(page, "<td>18</td>", "<td>11</td>") {
			t.Error("the responses are not oldest first")
		}
	})
	t.Run("ReliableChange", func(t *testing.T) {
		mustContain(t, "the reliable change", page, "reliably improved",
			"From 18 ("+today.AddDate(0, 0, -28).Format("2 January 2006")+") to 11 ("+today.Format("2 January 2006")+"): reliably improved.",
			"Reliable change: 6 or more points (NHS Talking Therapies (formerly IAPT) fixed thresholds).")
		main := page[strings.Index(page, "<h1>"):strings.Index(page, "</main>")] // the page's own content, not the layout's
		for _, bad := range []string{"risk", "danger", "reliably worse", "no reliable change"} {
			if strings.Contains(strings.ToLower(main), bad) {
				t.Errorf("the page says %q", bad)
			}
		}
		if m := regexp.MustCompile(`class="[^"]*(red|danger|alert|warn|risk)[^"]*"|style=`).FindString(main); m != "" {
			t.Errorf("the page marks scores with %q", m)
		}
	})

	// One active assignment per instrument: the PHQ-9 every 2 weeks is
	// stopped before PHQ-9 is assigned once.
	t.Run("Stop", func(t *testing.T) {
		res := d.post(t, "lee@example.org", sam+"/questionnaires/assignments/"+string(a.ID)+"/end", nil)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("lee stops the assignment: %d\n%s", res.Code, res.Body.String())
		}
		page := d.get(t, "lee@example.org", sam+"/questionnaires?done=ended").Body.String()
		mustContain(t, "the stopped assignment", page, "The questionnaire is no longer assigned.", "stopped on", "<td>18</td>")
		if res := d.post(t, "lee@example.org", sam+"/questionnaires/assignments/"+string(a.ID)+"/end", nil); res.Code != http.StatusConflict {
			t.Errorf("stopping it again: %d, want 409", res.Code)
		}
	})

	t.Run("NotAnswered", func(t *testing.T) {
		once := d.post(t, "lee@example.org", sam+"/questionnaires/assign", url.Values{"instrument": {phq9.ID}, "schedule": {"once"}})
		if once.Code != http.StatusSeeOther {
			t.Fatalf("lee assigns PHQ-9 once: %d", once.Code)
		}
		var b measure.Assignment
		as, err := d.measures.Assignments(context.Background(), staffActor(t, d, "lee@example.org"), d.people["sam"])
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range as {
			if x.Assignment.Schedule.Kind == measure.ScheduleOnce {
				b = x.Assignment
			}
		}
		skipped := d.qcAnswer(t, d.qcLatestDue(t, b), 1, 1, 1, 1, 1, 1, 1, 1, -1, 0)
		if skipped.Score.Complete() {
			t.Fatal("a PHQ-9 without item 9 has a total")
		}
		res := d.get(t, "lee@example.org", sam+"/questionnaires/responses/"+string(skipped.ID))
		resp := res.Body.String()
		if res.Code != http.StatusOK {
			t.Fatalf("lee opens the response: %d\n%s", res.Code, resp)
		}
		item9 := html.EscapeString(phq9.Items[8].Text)
		i := strings.Index(resp, item9)
		if i < 0 {
			t.Fatalf("the response lacks item 9's text\n%s", resp)
		}
		row := resp[i:]
		row, _, _ = strings.Cut(row, "</li>")
		if !strings.Contains(row, "not answered") || strings.Contains(row, "(0)") {
			t.Errorf("item 9 left unanswered shows %q", row)
		}
		mustContain(t, "the incomplete response", resp, "incomplete (8 of 9 scored questions answered)", "Several days (1)",
			"Not difficult at all (0)", "Version 1", "(not counted in the total)")
		page := d.get(t, "lee@example.org", sam+"/questionnaires").Body.String()
		mustContain(t, "the scores with an incomplete response", page, "<em>incomplete (8 of 9 scored questions answered)</em>",
			"reliably improved")

		// Sam's and riley's views: the person has no staff page; kim finds
		// nothing; a response of another person's is not there.
		for _, tt := range []struct {
			who  string
			want int
		}{{"sam", 404}, {"kim@example.org", 404}, {"priya@example.org", 403}, {"lee@example.org", 200}} {
			if res := d.get(t, tt.who, sam+"/questionnaires/responses/"+string(skipped.ID)); res.Code != tt.want {
				t.Errorf("%s opens sam's response: %d, want %d", tt.who, res.Code, tt.want)
			}
		}
		alex := "/clinic/people/" + string(d.people["alex"])
		if res := d.get(t, "lee@example.org", alex+"/questionnaires/responses/"+string(skipped.ID)); res.Code != http.StatusNotFound {
			t.Errorf("sam's response under alex: %d, want 404", res.Code)
		}
	})

}

// qcInstrument is a made-up instrument with a Jacobson-Truax rule and a
// prompt item, as a service might import.
func qcInstrument(version string) measure.Instrument {
	opts := []measure.Option{{Value: 0, Label: "Never"}, {Value: 1, Label: "Sometimes"}, {Value: 2, Label: "Often"}}
	th := 3.0
	return measure.Instrument{Key: "calm-3", Title: "Calm scale", Short: "CALM-3", Version: version, Language: "en",
		Items: []measure.Item{{LinkID: "a", Text: "I felt on edge", Options: opts}, {LinkID: "b", Text: "I could not settle", Options: opts},
			{LinkID: "c", Text: "I felt I could not go on", Options: opts}},
		Scoring: measure.Scoring{Method: measure.MethodSum, Items: []string{"a", "b", "c"}, RequireAll: true, Direction: measure.HigherIsWorse,
			Bands:     []measure.Band{{From: 0, To: 2, Label: "low"}, {From: 3, To: 6, Label: "raised"}},
			Threshold: &th, Change: &measure.ReliableChange{SD: 1.5, Reliability: 0.8, Source: "made up for a test"},
			Prompts: []measure.PromptItem{{LinkID: "c", From: 1}}},
		Licence: "Made up for a test; no terms."}
}

func qcQuestionnaireJSON(t *testing.T, in measure.Instrument) []byte {
	t.Helper()
	b, err := json.Marshal(fhir.QuestionnaireFromInstrument(in))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// qcImport posts the import form as the page sends it (multipart), with
// the questionnaire pasted or as a file.
func (d *demoServer) qcImport(t *testing.T, who string, pasted, file []byte, rights string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("questionnaire", string(pasted))
	fw, err := mw.CreateFormFile("file", "questionnaire.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = mw.WriteField("rights", rights)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/admin/instruments", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return d.do(t, who, r)
}

func (d *demoServer) qcImported(t *testing.T) []string {
	t.Helper()
	admin := staffActor(t, d, "admin@example.org")
	admin.Role = tend.RoleAdmin
	all, err := d.measures.Catalogue(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, av := range all {
		if av.Imported != nil {
			ids = append(ids, av.Instrument.ID)
		}
	}
	return ids
}

// TestInstrumentsAdmin: the admin's instruments page lists the shipped
// instruments; an import without a rights statement, or with a
// Questionnaire Tend cannot score, is refused with its reason and saves
// nothing; with one it is imported (pasted or as a file), listed with its
// statement, assignable, judged by Jacobson & Truax on the clinician's
// page, and can have its prompts turned on and be retired. Nobody but the
// admin can import.
func TestInstrumentsAdmin(t *testing.T) {
	d := newDemoServer(t)
	in := qcInstrument("1")
	data := qcQuestionnaireJSON(t, in)

	res := d.get(t, "admin@example.org", "/admin/instruments")
	if res.Code != http.StatusOK {
		t.Fatalf("the admin opens the instruments: %d", res.Code)
	}
	mustContain(t, "the instruments page", res.Body.String(), ">Patient Health Questionnaire (PHQ-9)</h2>", "GAD-7",
		"No permission required to reproduce", "Shipped with Tend", `enctype="multipart/form-data"`, `type="file"`,
		`name="rights"`, "Statement of the service&#39;s right to use this instrument", `href="/admin/instruments"`)

	t.Run("NotAdmin", func(t *testing.T) {
		// Staff who are not admins are refused (403), as on every admin
		// page; people have no staff pages (404).
		for who, want := range map[string]int{"lee@example.org": http.StatusForbidden, "morgan@example.org": http.StatusForbidden, "sam": http.StatusNotFound} {
			if res := d.qcImport(t, who, data, nil, "Our licence."); res.Code != want {
				t.Errorf("%s imports: %d, want %d", who, res.Code, want)
			}
			if res := d.get(t, who, "/admin/instruments"); res.Code != want {
				t.Errorf("%s opens the instruments: %d, want %d", who, res.Code, want)
			}
		}
		if ids := d.qcImported(t); len(ids) != 0 {
			t.Errorf("a refused import stored %v", ids)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		bad := in
		bad.Scoring.Bands = []measure.Band{{From: 0, To: 6, Label: "high risk"}}
		for _, tt := range []struct {
			name           string
			pasted, file   []byte
			rights, reason string
		}{
			{"no rights", data, nil, "  ", "State the service&#39;s right to use this instrument"},
			{"nothing", nil, nil, "Our licence.", "Paste the questionnaire or choose its file."},
			{"not JSON", []byte("{not json"), nil, "Our licence.", "The file is not valid JSON"},
			{"a risk band", qcQuestionnaireJSON(t, bad), nil, "Our licence.", "never labels a score as a risk level"},
		} {
			res := d.qcImport(t, "admin@example.org", tt.pasted, tt.file, tt.rights)
			if res.Code != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", tt.name, res.Code)
				continue
			}
			mustContain(t, tt.name, res.Body.String(), tt.reason, `role="alert"`)
		}
		if ids := d.qcImported(t); len(ids) != 0 {
			t.Errorf("a refused import stored %v", ids)
		}
	})

	t.Run("TooLarge", func(t *testing.T) {
		// A questionnaire pasted and chosen as a file passes the body
		// limit of other forms (1 MiB) and is refused by name.
		big := bytes.Repeat([]byte("x"), measure.MaxQuestionnaireBytes+20<<10) // twice this is over 1 MiB
		res := d.qcImport(t, "admin@example.org", big, big, "Our licence.")
		if res.Code != http.StatusBadRequest {
			t.Fatalf("a questionnaire over the limit: %d, want 400", res.Code)
		}
		mustContain(t, "too large", res.Body.String(), "The questionnaire is too large to import (at most 512 KB). Nothing was saved.")
		if strings.Contains(res.Body.String(), "xxxxxxxx") {
			t.Error("the page shows the oversize questionnaire again")
		}
	})

	res = d.qcImport(t, "admin@example.org", data, nil, "Licensed to Riverside until 2030 (licence 42).")
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/admin/instruments?done=imported" {
		t.Fatalf("the admin imports: %d %q\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
	}
	id := measure.MakeID(in.Key, in.Version, in.Language)
	if ids := d.qcImported(t); len(ids) != 1 || ids[0] != id {
		t.Fatalf("imported %v, want [%s]", ids, id)
	}
	// The same again as a file, under a new version.
	if res := d.qcImport(t, "admin@example.org", nil, qcQuestionnaireJSON(t, qcInstrument("2")), "Licensed to Riverside."); res.Code != http.StatusSeeOther {
		t.Fatalf("the admin imports a file: %d\n%s", res.Code, res.Body.String())
	}
	if res := d.qcImport(t, "admin@example.org", data, nil, "Again."); res.Code != http.StatusConflict {
		t.Errorf("importing version 1 again: %d, want 409", res.Code)
	}
	page := d.get(t, "admin@example.org", "/admin/instruments?done=imported").Body.String()
	mustContain(t, "the imported instrument", page, "The questionnaire is imported.", ">Calm scale (CALM-3)</h2>",
		"Licensed to Riverside until 2030 (licence 42).", "Made up for a test; no terms.", "<code>calm-3</code>",
		"Question c, an answer of 1 or more: I felt I could not go on", "creates a follow-up task for the care team and shows the person their safety plan",
		"/admin/instruments/"+id+"/prompts", "/admin/instruments/"+id+"/retire")

	t.Run("Prompts", func(t *testing.T) {
		if res := d.post(t, "admin@example.org", "/admin/instruments/"+id+"/prompts", url.Values{"on": {"1"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("turning prompts on: %d\n%s", res.Code, res.Body.String())
		}
		av, err := d.measures.Instrument(context.Background(), id)
		if err != nil || !av.PromptsOn() {
			t.Errorf("prompts are not on: %v", err)
		}
		if res := d.post(t, "lee@example.org", "/admin/instruments/"+id+"/prompts", url.Values{"on": {"0"}}); res.Code != http.StatusForbidden {
			t.Errorf("lee turns prompts off: %d, want 403", res.Code)
		}
		mustContain(t, "prompts on", d.get(t, "admin@example.org", "/admin/instruments?done=prompts_on").Body.String(),
			"Safety prompts are on for this questionnaire.", "Turn safety prompts off")
	})

	t.Run("JacobsonTruax", func(t *testing.T) {
		sam := "/clinic/people/" + string(d.people["sam"])
		if res := d.post(t, "lee@example.org", sam+"/questionnaires/assign", url.Values{"instrument": {id}, "schedule": {"every_weeks"}, "weeks": {"1"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("lee assigns the import: %d\n%s", res.Code, res.Body.String())
		}
		a := d.qcAssignmentOf(t, id)
		today := time.Now().UTC().Truncate(24 * time.Hour)
		early := d.qcDueOn(t, a, today.AddDate(0, 0, -21))
		ans := func(due tend.ID, a, b, c int) {
			if _, err := d.measures.Save(context.Background(), personActor(d, "sam"), d.people["sam"], due, measure.Answers{"a": a, "b": b, "c": c}, true); err != nil {
				t.Fatal(err)
			}
		}
		ans(early, 2, 2, 0)
		ans(d.qcLatestDue(t, a), 0, 0, 0)
		page := d.get(t, "lee@example.org", sam+"/questionnaires").Body.String()
		// RC = -4 / sqrt(2 * (1.5 * sqrt(0.2))^2) = -4 / 0.9487 = -4.22.
		mustContain(t, "the Jacobson-Truax judgement", page, "From 4 (", ") to 0 (", "reliably improved",
			"Jacobson &amp; Truax (1991): RC = -4.22, reliable when |RC| &gt; 1.96 (SD 1.5, reliability 0.8). Source: made up for a test.",
			"Clinical threshold: a total of 3 or more.", "<td>raised</td>")
	})

	t.Run("Retire", func(t *testing.T) {
		if res := d.post(t, "admin@example.org", "/admin/instruments/"+id+"/retire", nil); res.Code != http.StatusSeeOther {
			t.Fatalf("retiring: %d\n%s", res.Code, res.Body.String())
		}
		res := d.post(t, "admin@example.org", "/admin/instruments/"+id+"/retire", nil)
		if res.Code != http.StatusConflict {
			t.Errorf("retiring again: %d, want 409", res.Code)
		}
		mustContain(t, "retiring again", res.Body.String(), "This instrument is already retired.")
		page := d.get(t, "admin@example.org", "/admin/instruments?done=retired").Body.String()
		mustContain(t, "the retired instrument", page, "The questionnaire is retired.", "Retired on")
		sam := "/clinic/people/" + string(d.people["sam"])
		form := d.get(t, "lee@example.org", sam+"/questionnaires").Body.String()
		if strings.Contains(form, `<option value="`+id+`"`) {
			t.Error("a retired instrument is offered to assign")
		}
		if res := d.post(t, "lee@example.org", sam+"/questionnaires/assign", url.Values{"instrument": {id}, "schedule": {"once"}}); res.Code != http.StatusBadRequest {
			t.Errorf("assigning a retired instrument: %d, want 400", res.Code)
		}
	})
}

// TestQuestionnairesClinicPseudo renders the clinician's and the admin's
// questionnaire pages in the pseudo-locale: every visible word is from the
// catalogue, or is data (the instruments' own wording, names, dates).
func TestQuestionnairesClinicPseudo(t *testing.T) {
	d := newDemoServerIn(t, testenv.Discard(), i18n.PseudoLocale)
	sam := "/clinic/people/" + string(d.people["sam"])
	phq9 := measure.PHQ9()
	if res := d.post(t, "lee@example.org", sam+"/questionnaires/assign", url.Values{"instrument": {phq9.ID}, "schedule": {"every_weeks"}, "weeks": {"2"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("lee assigns: %d", res.Code)
	}
	a := d.qcAssignmentOf(t, phq9.ID)
	r := d.qcAnswer(t, d.qcLatestDue(t, a), 1, 1, 1, 1, 1, 1, 1, 1, -1, 0)
	data := []string{"sam", "Riverside (demo service)", "admin@example.org", "lee@example.org"}
	for _, in := range measure.Builtin() {
		data = append(data, in.Title, in.Licence, in.Stem)
		for _, it := range in.Items {
			data = append(data, it.Text)
			for _, o := range it.Options {
				data = append(data, o.Label)
			}
		}
		for _, b := range in.Scoring.Bands {
			data = append(data, b.Label)
		}
		data = append(data, in.Short)
	}
	slices.SortFunc(data, func(a, b string) int { return len(b) - len(a) }) // "moderately severe" before "moderate"
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>|<option[^>]*>[^<]*</option>|<code>[^<]*</code>|<[^>]+>`)
	dates := regexp.MustCompile(`\d{1,2} [A-Z][a-z]+ \d{4}|\d{1,2} [A-Z][a-z]{2}`)
	for _, tt := range []struct{ who, path string }{
		{"lee@example.org", sam + "/questionnaires"},
		{"lee@example.org", sam + "/questionnaires/responses/" + string(r.ID)},
		{"admin@example.org", "/admin/instruments"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res := d.get(t, tt.who, tt.path)
			if res.Code != http.StatusOK {
				t.Fatalf("%s as %s: %d", tt.path, tt.who, res.Code)
			}
			text := html.UnescapeString(tags.ReplaceAllString(res.Body.String(), "\n"))
			text = dates.ReplaceAllString(text, " ")
			for _, s := range data {
				if s != "" {
					text = strings.ReplaceAll(text, s, " ")
				}
			}
			if left := i18n.Unmarked(text); len(left) > 0 {
				t.Errorf("text not from the catalogue: %q", left)
			}
		})
	}
}
