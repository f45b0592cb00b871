package e2e_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestQuestionnaireInBrowser: with sam's earlier PHQ-9 in the demo data,
// lee assigns PHQ-9 every 2 weeks; sam finds it on their home page and
// answers it in Chromium (with item 9 above 0: the safety screen follows);
// lee's page shows both scores, their bands and the reliable-change
// judgement with its rule named; kim, not on sam's team, gets 404. The
// questionnaire and score pages pass axe-core with no violation.
func TestQuestionnaireInBrowser(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	lee := newTab(t, browser)
	signIn(t, lee, srv, "lee@example.org")
	sam := personPath(t, lee, srv, "sam")
	p := visit(t, lee, srv, sam)
	if !p.hasLink(sam + "/questionnaires") {
		t.Fatalf("sam's page does not link the questionnaires")
	}
	p = visit(t, lee, srv, sam+"/questionnaires")
	if !strings.Contains(p.Main, "PHQ-9") {
		t.Fatalf("sam's earlier PHQ-9 is not on lee's page:\n%s", p.Main)
	}
	if err := chromedp.Do(lee,
		chromedp.SetValue(chromedp.CSS("#q-instrument"), "phq-9.1.en"),
		chromedp.Click(chromedp.CSS("#q-schedule-every_weeks")),
		chromedp.SetValue(chromedp.CSS("#q-weeks"), "2"),
		chromedp.Click(chromedp.CSS(`form[action$="/questionnaires/assign"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`main p.notice`)),
	); err != nil {
		t.Fatal(err)
	}
	if p = readPage(t, lee); !strings.Contains(p.Main, "Every 2 weeks") {
		t.Fatalf("the assignment is not listed:\n%s", p.Main)
	}
	checkAxe(t, lee, axe, "clinician questionnaires")

	person := newTab(t, browser)
	signIn(t, person, srv, "sam")
	home := visit(t, person, srv, "/me")
	var form string
	for _, l := range home.Links {
		if strings.HasPrefix(l.Href, "/me/questionnaires/") && l.Href != "/me/questionnaires/scores" {
			form = l.Href
		}
	}
	if form == "" || !strings.Contains(home.Main, "PHQ-9") {
		t.Fatalf("sam's home page does not offer the PHQ-9:\n%s", home.Main)
	}
	p = visit(t, person, srv, form)
	if !strings.Contains(p.Main, "Over the last 2 weeks, how often have you been bothered by any of the following problems?") {
		t.Fatalf("the form lacks the stem:\n%s", p.Main)
	}
	checkAxe(t, person, axe, "questionnaire form")
	screenshot(t, person, "questionnaire-form")
	// Eight items answered 1 and item 9 answered 1: a total of 9 ("mild").
	var actions []chromedp.Action[chromedp.Void]
	for i := 1; i <= 9; i++ {
		actions = append(actions, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="q:%d"][value="1"]`, i))))
	}
	actions = append(actions, chromedp.Click(chromedp.CSS(`button[name=finish][value="1"]`)))
	if err := chromedp.Do(person, actions...); err != nil {
		t.Fatal(err)
	}
	// The answer is a new page: wait until the form has gone.
	formH1 := p.H1
	for range 100 {
		// Mid-navigation the document may be gone: errors only mean "not yet".
		h1, err := chromedp.Run(person, chromedp.Evaluate[string](`(() => { const h = document.querySelector("h1"); return h ? h.innerText.trim() : ""; })()`))
		if err == nil && h1 != "" && h1 != formH1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := chromedp.Do(person, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	p = readPage(t, person)
	if !strings.Contains(p.Main, "safety plan") && !strings.Contains(p.Main, "Safety plan") {
		t.Fatalf("item 9 above 0 did not lead to the safety screen:\n%s", p.Main)
	}
	p = visit(t, person, srv, "/me/questionnaires/scores")
	if !strings.Contains(p.Main, "PHQ-9") || strings.Contains(strings.ToLower(p.Main), "reliably") {
		t.Fatalf("sam's scores page:\n%s", p.Main)
	}
	checkAxe(t, person, axe, "person's scores")
	screenshot(t, person, "questionnaire-scores")

	p = visit(t, lee, srv, sam+"/questionnaires")
	for _, s := range []string{"mild", "reliably improved", "6 or more points"} {
		if !strings.Contains(p.Main, s) {
			t.Fatalf("lee's page lacks %q:\n%s", s, p.Main)
		}
	}
	var totals int
	for _, n := range []string{"16", "9"} {
		if strings.Contains(p.Main, n) {
			totals++
		}
	}
	if totals != 2 {
		t.Fatalf("lee's page does not show both totals (16 and 9):\n%s", p.Main)
	}
	checkAxe(t, lee, axe, "clinician questionnaires with scores")
	screenshot(t, lee, "questionnaire-clinician")

	kim := newTab(t, browser)
	signIn(t, kim, srv, "kim@example.org")
	status, err := chromedp.Run(kim, chromedp.Evaluate[int](`fetch(`+"`"+sam+`/questionnaires`+"`"+`).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != 404 {
		t.Fatalf("kim reads sam's questionnaires: %d, want 404", status)
	}
}
