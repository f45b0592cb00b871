package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// qAssignPHQ9 assigns the PHQ-9 once to sam as lee, and returns the due
// questionnaire waiting for sam.
func (d *demoServer) qAssignPHQ9(t *testing.T) measure.DueView {
	t.Helper()
	return d.qAssign(t, measure.Schedule{Kind: measure.ScheduleOnce})
}

// qAssign has lee assign sam the PHQ-9 on a schedule and returns the due
// questionnaire waiting for sam.
func (d *demoServer) qAssign(t *testing.T, sc measure.Schedule) measure.DueView {
	t.Helper()
	ctx := context.Background()
	a, err := d.measures.Assign(ctx, staffActor(t, d, "lee@example.org"), d.people["sam"],
		measure.NewAssignment{InstrumentID: measure.PHQ9().ID, Schedule: sc})
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := d.measures.Waiting(ctx, personActor(d, "sam"), d.people["sam"])
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range waiting {
		if w.Due.AssignmentID == a.ID {
			return w
		}
	}
	t.Fatal("the assigned PHQ-9 is not waiting for sam")
	return measure.DueView{}
}

// qForm is the questionnaire form as the page sends it: answers by item
// number (-1 leaves an item out), and the button pressed.
func qForm(finish bool, answers ...int) url.Values {
	f := url.Values{"finish": {"0"}}
	if finish {
		f.Set("finish", "1")
	}
	for i, v := range answers {
		if v >= 0 {
			f.Set("q:"+strconv.Itoa(i+1), strconv.Itoa(v))
		}
	}
	return f
}

// qPrompts counts the PHQ-9 item 9 entries on sam's open tasks, as lee
// sees them.
func (d *demoServer) qPrompts(t *testing.T) int {
	t.Helper()
	tasks, err := d.followUp.Inbox(context.Background(), staffActor(t, d, "lee@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range tasks {
		if task.PersonID != d.people["sam"] {
			continue
		}
		for _, e := range task.Entries {
			if e.Kind == followup.KindPHQ9Item9 {
				n++
			}
		}
	}
	return n
}

// qResponse returns sam's response to a due questionnaire (nil: none).
func (d *demoServer) qResponse(t *testing.T, due tend.ID) *measure.Response {
	t.Helper()
	v, err := d.measures.Form(context.Background(), personActor(d, "sam"), d.people["sam"], due)
	if err != nil {
		t.Fatal(err)
	}
	return v.Response
}

// TestQuestionnaireDraftPrompts: a due PHQ-9 shows on the home page; the
// form is one accessible screen with the first-use notice and nothing
// forced; a draft with item 9 above "not at all" shows the safety screen
// and adds exactly one task entry, and saving it again adds none.
func TestQuestionnaireDraftPrompts(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	if body := d.get(t, "sam", "/me").Body.String(); strings.Contains(body, "Questionnaires to fill in") {
		t.Fatal("the home page lists questionnaires before any is due")
	}
	dv := d.qAssignPHQ9(t)
	id := string(dv.Due.ID)
	home := d.get(t, "sam", "/me").Body.String()
	for _, want := range []string{"Questionnaires to fill in", `href="/me/questionnaires/` + id + `">PHQ-9</a>`, "due today"} {
		if !strings.Contains(home, want) {
			t.Errorf("the home page lacks %q", want)
		}
	}
	if strings.Contains(home, "started, not finished") {
		t.Error("a questionnaire not started shows as started")
	}
	res := d.get(t, "sam", "/me/questionnaires/"+id)
	if res.Code != http.StatusOK {
		t.Fatalf("the form: %d", res.Code)
	}
	form := res.Body.String()
	for _, want := range []string{
		"Before your first questionnaire", "nobody is called automatically", "better off dead or hurting yourself",
		"during working hours", "Lee (therapist) can read this.", "need a connection",
		"Over the last 2 weeks, how often have you been bothered by any of the following problems?",
		"<legend>9. Thoughts that you would be better off dead or of hurting yourself in some way</legend>",
		`<input type="radio" name="q:9" value="0">`, "Nearly every day", "Not difficult at all",
		`name="finish" value="0"`, "Save and finish later", `name="finish" value="1"`, ">Finish</button>",
	} {
		if !strings.Contains(form, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if strings.Contains(form, "required") {
		t.Error("the form forces an answer")
	}
	if n := strings.Count(form, "<fieldset>"); n != 10 {
		t.Errorf("the form has %d fieldsets, want one an item (10)", n)
	}

	answers := qForm(false, 1, 1, -1, -1, -1, -1, -1, -1, 1)
	res = d.post(t, "sam", "/me/questionnaires/"+id, answers)
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Your safety plan and where to get help") ||
		!strings.Contains(res.Body.String(), "Who will see this, and when") {
		t.Fatalf("a draft with item 9 at 1: %d, not the safety screen", res.Code)
	}
	if n := d.qPrompts(t); n != 1 {
		t.Fatalf("lee's inbox has %d item 9 entries for sam, want 1", n)
	}
	r := d.qResponse(t, dv.Due.ID)
	if r == nil || r.Finished || r.Answers["9"] != 1 || r.Answers["1"] != 1 {
		t.Fatalf("the draft as stored: %+v", r)
	}
	// The same draft again: the safety screen again, and no second entry.
	res = d.post(t, "sam", "/me/questionnaires/"+id, answers)
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Your safety plan and where to get help") {
		t.Fatalf("the same draft again: %d, not the safety screen", res.Code)
	}
	if n := d.qPrompts(t); n != 1 {
		t.Errorf("after saving the same draft again lee's inbox has %d item 9 entries, want 1", n)
	}
	// The task says only the kind and the time; it links the answers for
	// lee, with whom sam shares questionnaires, and not for casey (sam's
	// care coordinator, shared nothing), whom the task reaches too.
	tasks, err := d.followUp.Inbox(context.Background(), staffActor(t, d, "lee@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	tasks = slices.DeleteFunc(tasks, func(v followup.TaskView) bool { return v.PersonID != d.people["sam"] })
	if len(tasks) != 1 {
		t.Fatalf("lee has %d open tasks for sam, want 1", len(tasks))
	}
	answersLink := `href="/clinic/people/` + string(d.people["sam"]) + `/questionnaires/responses/` + string(r.ID) + `"`
	if page := d.get(t, "lee@example.org", "/clinic/tasks/"+string(tasks[0].ID)).Body.String(); !strings.Contains(page, answersLink) {
		t.Errorf("lee's task page does not link the answers")
	}
	casey := d.get(t, "casey@example.org", "/clinic/tasks/"+string(tasks[0].ID))
	if casey.Code != http.StatusOK || strings.Contains(casey.Body.String(), "/questionnaires/responses/") ||
		!strings.Contains(casey.Body.String(), "answered the questionnaire item about being better off dead or hurting themselves") {
		t.Errorf("casey's task page: %d, links the answers or lacks the kind", casey.Code)
	}

	// A draft without a prompt goes back to the form, saved.
	res = d.post(t, "sam", "/me/questionnaires/"+id, qForm(false, 2, 1, -1, -1, -1, -1, -1, -1, 0))
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/questionnaires/"+id+"?saved=1" {
		t.Fatalf("a draft: %d to %q", res.Code, res.Header().Get("Location"))
	}
	form = d.get(t, "sam", "/me/questionnaires/"+id+"?saved=1").Body.String()
	for _, want := range []string{"Saved. You can finish it later.", `name="q:1" value="2" checked`, `name="q:9" value="0" checked`} {
		if !strings.Contains(form, want) {
			t.Errorf("the form after a draft lacks %q", want)
		}
	}
	if strings.Contains(form, "Before your first questionnaire") {
		t.Error("the first-use notice shows again once a questionnaire is started")
	}
	if !strings.Contains(d.get(t, "sam", "/me").Body.String(), "started, not finished") {
		t.Error("the home page does not say the questionnaire was started")
	}
}

// TestQuestionnaireBadAnswer: an answer outside the item's options is
// refused with a clear message and the person's choices; nothing is saved.
func TestQuestionnaireBadAnswer(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	dv := d.qAssignPHQ9(t)
	id := string(dv.Due.ID)
	for _, f := range []url.Values{qForm(true, 2, 7), {"finish": {"0"}, "q:1": {"2"}, "q:2": {"lots"}}} {
		res := d.post(t, "sam", "/me/questionnaires/"+id, f)
		body := res.Body.String()
		if res.Code != http.StatusBadRequest {
			t.Fatalf("%v: %d, want 400", f, res.Code)
		}
		for _, want := range []string{"Your answers were not saved", "Nothing was saved.", `name="q:1" value="2" checked`} {
			if !strings.Contains(body, want) {
				t.Errorf("%v: the page lacks %q", f, want)
			}
		}
		if !strings.Contains(body, "choose one of the answers offered") && !strings.Contains(body, "Choose one of the answers offered") {
			t.Errorf("%v: the page does not say what to do", f)
		}
		if r := d.qResponse(t, dv.Due.ID); r != nil {
			t.Fatalf("%v: a refused save stored %+v", f, r)
		}
	}
}

// TestQuestionnaireIncomplete: finishing with item 9 left out stores a
// finished response with no total; the scores page says "incomplete"
// (never a number), and the questionnaire shows its answers read-only.
func TestQuestionnaireIncomplete(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	dv := d.qAssignPHQ9(t)
	id := string(dv.Due.ID)
	res := d.post(t, "sam", "/me/questionnaires/"+id, qForm(true, 1, 1, 1, 1, 1, 1, 1, 1, -1, 1))
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/questionnaires/scores?thanks=1" {
		t.Fatalf("finish: %d to %q", res.Code, res.Header().Get("Location"))
	}
	r := d.qResponse(t, dv.Due.ID)
	if r == nil || !r.Finished || r.Score.Total != nil {
		t.Fatalf("the finished response: %+v", r)
	}
	if n := d.qPrompts(t); n != 0 {
		t.Errorf("item 9 left out raised %d prompts", n)
	}
	scores := d.get(t, "sam", "/me/questionnaires/scores?thanks=1").Body.String()
	for _, want := range []string{"Thank you. Your answers are saved.", "<em>incomplete</em>", `role="img"`} {
		if !strings.Contains(scores, want) {
			t.Errorf("the scores page lacks %q", want)
		}
	}
	if strings.Contains(scores, "<circle") {
		t.Error("an incomplete response is drawn as a score")
	}
	page := d.get(t, "sam", "/me/questionnaires/"+id).Body.String()
	if strings.Contains(page, `<form method="post" action="/me/questionnaires/`) || !strings.Contains(page, "You finished this questionnaire on") ||
		!strings.Contains(page, "<dd>Not answered</dd>") || !strings.Contains(page, "<dd>Several days</dd>") {
		t.Error("the finished questionnaire is not shown read-only with its answers")
	}
	// A finished questionnaire cannot be changed, and is no longer waiting.
	res = d.post(t, "sam", "/me/questionnaires/"+id, qForm(true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
	if res.Code != http.StatusConflict || !strings.Contains(res.Body.String(), "already finished") {
		t.Errorf("changing a finished questionnaire: %d", res.Code)
	}
	if strings.Contains(d.get(t, "sam", "/me").Body.String(), "Questionnaires to fill in") {
		t.Error("the home page still lists a finished questionnaire")
	}
}

// TestQuestionnaireScores: two finished PHQ-9s draw an accessible chart
// with its table, with kind words about the change and none of the words
// the person's pages never say (safety-rules.md section 6).
func TestQuestionnaireScores(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	dv := d.qAssign(t, measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2})
	// An earlier due questionnaire of the same assignment, as a schedule
	// that began weeks ago would have.
	earlier := measure.Due{ID: tend.NewID(), AssignmentID: dv.Due.AssignmentID, PersonID: d.people["sam"], InstrumentID: dv.Due.InstrumentID,
		On: dv.Due.On.AddDate(0, 0, -14), Reason: measure.ReasonInterval, CreatedAt: time.Now().UTC()}
	if err := store.For[measure.Tx](d.db).InTx(context.Background(), func(tx measure.Tx) error {
		_, err := tx.CreateDue(context.Background(), earlier)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res := d.post(t, "sam", "/me/questionnaires/"+string(earlier.ID), qForm(true, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0)); res.Code != http.StatusSeeOther {
		t.Fatalf("the earlier one: %d", res.Code)
	}
	if res := d.post(t, "sam", "/me/questionnaires/"+string(dv.Due.ID), qForm(true, 2, 2, 2, 2, 1, 1, 1, 1, 0, 1)); res.Code != http.StatusSeeOther {
		t.Fatalf("today's: %d", res.Code)
	}
	body := d.get(t, "sam", "/me/questionnaires/scores").Body.String()
	since := earlier.On.Format("2 January 2006")
	for _, want := range []string{`<svg role="img"`, "<title id=\"scores-0-title\">PHQ-9</title>", "<desc id=\"scores-0-desc\">", "<table>",
		"<td>5</td>", "<td>12</td>", "<td>mild</td>", "<td>moderate</td>", ">moderately severe</text>", "<circle",
		"A lower score means fewer of these problems.", "Your scores went up since " + since + ". This is worth talking about with Lee."} {
		if !strings.Contains(body, want) {
			t.Errorf("the scores page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<circle"); n != 2 {
		t.Errorf("the chart has %d points, want 2", n)
	}
	lower := strings.ToLower(body)
	for _, never := range []string{"deteriorat", "worse", "failed", "risk", "reliabl", "threshold"} {
		if strings.Contains(lower, never) {
			t.Errorf("the person's scores page says %q", never)
		}
	}
}

// TestQuestionnaireOthers404: another person's due questionnaire answers
// 404 to read and to save; staff have no /me/questionnaires pages.
func TestQuestionnaireOthers404(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	dv := d.qAssignPHQ9(t)
	id := string(dv.Due.ID)
	if res := d.get(t, "alex", "/me/questionnaires/"+id); res.Code != http.StatusNotFound {
		t.Errorf("alex reads sam's due questionnaire: %d, want 404", res.Code)
	}
	if res := d.post(t, "alex", "/me/questionnaires/"+id, qForm(false, 3, 3, 3, 3, 3, 3, 3, 3, 3)); res.Code != http.StatusNotFound {
		t.Errorf("alex saves sam's due questionnaire: %d, want 404", res.Code)
	}
	if res := d.post(t, "alex", "/me/questionnaires/"+id, url.Values{"q:1": {"x"}}); res.Code != http.StatusNotFound {
		t.Errorf("alex's unreadable answers to sam's questionnaire: %d, want 404", res.Code)
	}
	if r := d.qResponse(t, dv.Due.ID); r != nil {
		t.Fatalf("another person's save stored %+v", r)
	}
	for _, path := range []string{"/me/questionnaires", "/me/questionnaires/scores", "/me/questionnaires/" + id} {
		if res := d.get(t, "lee@example.org", path); res.Code != http.StatusNotFound {
			t.Errorf("lee GET %s: %d, want 404", path, res.Code)
		}
	}
	if body := d.get(t, "sam", "/me/questionnaires").Body.String(); !strings.Contains(body, `href="/me/questionnaires/`+id+`"`) {
		t.Error("sam's questionnaires page does not list the due PHQ-9")
	}
}

// TestQuestionnairePseudoLocale renders the person's questionnaire pages
// in the pseudo-locale: every visible word is from the catalogue, or the
// instrument's own wording (which is never in the catalogue), or data.
func TestQuestionnairePseudoLocale(t *testing.T) {
	t.Parallel()
	d := newDemoServerIn(t, testenv.Discard(), i18n.PseudoLocale)
	dv := d.qAssignPHQ9(t)
	id := string(dv.Due.ID)
	in := measure.PHQ9()
	data := []string{in.Title, in.Short, in.Stem, "Lee", "sam", "Riverside (demo service)"}
	for _, it := range in.Items {
		data = append(data, it.Text)
		for _, o := range it.Options {
			data = append(data, o.Label)
		}
	}
	for _, b := range in.Scoring.Bands {
		data = append(data, b.Label)
	}
	if res := d.post(t, "sam", "/me/questionnaires/"+id, qForm(true, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0)); res.Code != http.StatusSeeOther {
		t.Fatalf("finish: %d", res.Code)
	}
	open := string(d.qAssignPHQ9(t).Due.ID)
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
	dates := regexp.MustCompile(`\d{1,2} [A-Z][a-z]+( \d{4})?|\b[A-Z][a-z]+day\b`)
	numbers := regexp.MustCompile(`\b\d+\b`)
	for _, path := range []string{"/me", "/me/questionnaires", "/me/questionnaires/scores", "/me/questionnaires/" + id, "/me/questionnaires/" + open} {
		res := d.get(t, "sam", path)
		if res.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, res.Code)
		}
		text := html.UnescapeString(tags.ReplaceAllString(res.Body.String(), "\n"))
		// The longest first, so an item's text goes before the labels in it.
		for _, s := range sortedLongestFirst(data) {
			text = strings.ReplaceAll(text, s, " ")
		}
		text = numbers.ReplaceAllString(dates.ReplaceAllString(text, " "), " ")
		if left := i18n.Unmarked(text); len(left) > 0 {
			t.Errorf("%s: text not from the catalogue: %q", path, left)
		}
	}
}

func sortedLongestFirst(in []string) []string {
	out := append([]string(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
