package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/store"
)

// personPageNever are what the person's pages never show about their
// questionnaires (safety-rules.md section 6), besides riskWords: reliable-
// change labels, rates and ratios, thresholds, "worse".
var personPageNever = regexp.MustCompile(`(?i)reliabl|rate ratio|\bratio\b|\brates?\b|threshold|clinical cut|worse|recovered|\d+(?:\.\d+)?\s?%`)

// TestProgressQuestionnaireChange: sam's progress page says nothing of
// questionnaires while sam has one PHQ-9 total; with a second, it words
// the change as the scores page does and links to it, with none of the
// words or figures a person's page never shows.
func TestProgressQuestionnaireChange(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	dv := d.qAssign(t, measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2})
	earlier := measure.Due{ID: tend.NewID(), AssignmentID: dv.Due.AssignmentID, PersonID: d.people["sam"], InstrumentID: dv.Due.InstrumentID,
		On: dv.Due.On.AddDate(0, 0, -14), Reason: measure.ReasonInterval, CreatedAt: time.Now().UTC()}
	if err := store.For[measure.Tx](d.db).InTx(context.Background(), func(tx measure.Tx) error {
		_, err := tx.CreateDue(context.Background(), earlier)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if res := d.post(t, "sam", "/me/questionnaires/"+string(earlier.ID), qForm(true, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0)); res.Code != http.StatusSeeOther {
		t.Fatalf("the earlier PHQ-9: %d", res.Code)
	}
	before := d.get(t, "sam", "/me/progress").Body.String()
	if strings.Contains(before, `id="questionnaire-change"`) {
		t.Error("one PHQ-9 total already shows a change")
	}
	if res := d.post(t, "sam", "/me/questionnaires/"+string(dv.Due.ID), qForm(true, 2, 2, 2, 2, 1, 1, 1, 1, 0, 1)); res.Code != http.StatusSeeOther {
		t.Fatalf("today's PHQ-9: %d", res.Code)
	}
	res := d.get(t, "sam", "/me/progress")
	if res.Code != http.StatusOK {
		t.Fatalf("GET /me/progress: %d", res.Code)
	}
	body := res.Body.String()
	since := earlier.On.Format("2 January 2006")
	words := "PHQ-9: Your scores went up since " + since + ". This is worth talking about with Lee."
	for _, want := range []string{words, `<a href="/me/questionnaires/scores">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the progress page lacks %q", want)
		}
	}
	// The same words as the scores page, not words of its own.
	if scores := d.get(t, "sam", "/me/questionnaires/scores").Body.String(); !strings.Contains(scores, strings.TrimPrefix(words, "PHQ-9: ")) {
		t.Error("the scores page words the change otherwise")
	}
	text := visible(body)
	if m := riskWords.FindString(text); m != "" {
		t.Errorf("sam's progress page says %q", m)
	}
	if m := personPageNever.FindString(text); m != "" {
		t.Errorf("sam's progress page says %q", m)
	}
	// The totals themselves (5, then 12) stay on the scores page.
	section := regexp.MustCompile(`(?s)<section class="card" aria-labelledby="questionnaire-change">.*?</section>`).FindString(body)
	if section == "" {
		t.Fatal("no questionnaire section")
	}
	inWords := strings.ReplaceAll(visible(section), since, "") // the date may hold a 5 or a 12
	if m := regexp.MustCompile(`\b(5|12)\b`).FindString(inWords); m != "" {
		t.Errorf("the change section shows a total: %q in %q", m, inWords)
	}
}
