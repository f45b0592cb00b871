package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestEpisodesDischargeWithFollowUp walks the care team's day in Chromium
// with JavaScript off: alex asks to be contacted; Lee sees it on the
// caseload, works it through the task inbox (acknowledge, resolve with a
// note), opens alex (whose DBT-A episode the demo seeds) from the caseload,
// follows the link to alex's episodes, records a session, writes a
// clinician note and discharges alex with follow-up consent; the care team becomes follow-up
// only and the follow-up points appear. Alex then still opens their safety
// plan and toolbox, and sees their care on /me/care. Every new page passes
// axe-core (WCAG 2.2 AA).
func TestEpisodesDischargeWithFollowUp(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	lee := newTab(t, browser)
	scripts := func(on bool) {
		t.Helper()
		if _, err := chromedp.Call(lee, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
			t.Fatalf("turn scripts on (%v): %v", on, err)
		}
	}
	axeCheck := func(label string) {
		t.Helper()
		scripts(true)
		checkAxe(t, lee, axe, label)
		scripts(false)
	}
	// Alex asks to be contacted.
	alex := newTab(t, browser)
	signInAt(t, alex, srv, "alex", "/me")
	if err := chromedp.Do(alex,
		chromedp.Navigate(srv.URL+"/me/contact"),
		chromedp.Click(chromedp.CSS(`form[action="/me/contact/notice"] button`)),
	); err != nil {
		t.Fatal(err)
	}
	waitForText(t, alex, "How would you like them to contact you?")
	if err := chromedp.Do(alex,
		chromedp.Click(chromedp.CSS(`input[name=method][value=call]`)),
		chromedp.Click(chromedp.CSS(`form[action="/me/contact"] button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitForText(t, alex, "In danger now or hurt?")

	scripts(false)
	signInAt(t, lee, srv, "lee@example.org", "/clinic")
	if p := readPage(t, lee); !strings.Contains(p.Main, "Open since") {
		t.Errorf("the caseload does not show alex's open task:\n%s", p.Main)
	}
	axeCheck("clinic-caseload")

	// The task inbox: open alex's task, acknowledge it, resolve it.
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+"/clinic/tasks")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, "/clinic/tasks")
	axeCheck("clinic-tasks")
	task, err := chromedp.Run(lee, chromedp.Evaluate[string](`(document.querySelector('main a[href^="/clinic/tasks/"]') || {getAttribute: () => ''}).getAttribute('href')`))
	if err != nil || task == "" {
		t.Fatalf("no task in Lee's inbox: %v", err)
	}
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+task)); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, task)
	if p := readPage(t, lee); !strings.Contains(p.Main, "asked to be contacted") {
		t.Errorf("the task page:\n%s", p.Main)
	}
	if err := chromedp.Do(lee, chromedp.Click(chromedp.CSS(`form[action$="/acknowledge"] button`))); err != nil {
		t.Fatal(err)
	}
	waitForText(t, lee, "Acknowledged")
	if err := chromedp.Do(lee,
		chromedp.SetValue(chromedp.CSS(`#note`), "Called alex back; agreed to talk at the next session."),
		chromedp.Click(chromedp.CSS(`form[action$="/resolve"] button`)),
	); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, "/clinic/tasks")
	if p := readPage(t, lee); !strings.Contains(p.Main, "No open follow-up tasks.") {
		t.Errorf("the inbox after resolving:\n%s", p.Main)
	}
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+"/clinic")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, "/clinic")
	href, err := chromedp.Run(lee, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('main a[href^="/clinic/people/"]')).find(a => a.innerText.trim() === 'alex') || {getAttribute: () => ''}).getAttribute('href')`))
	if err != nil || href == "" {
		t.Fatalf("alex is not on Lee's caseload: %v", err)
	}
	person := strings.SplitN(href, "?", 2)[0]
	if parts := strings.Split(strings.TrimPrefix(person, "/clinic/people/"), "/"); len(parts) > 0 {
		person = "/clinic/people/" + parts[0]
	}
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+person)); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, person)
	if err := chromedp.Do(lee, chromedp.Click(chromedp.CSS(`main a[href="`+person+`/episodes"]`))); err != nil {
		t.Fatalf("no link to alex's episodes on the person page: %v", err)
	}
	waitPath(t, lee, person+"/episodes")
	p := readPage(t, lee)
	if !strings.Contains(p.Main, "DBT-A") || !strings.Contains(p.Main, "in treatment") {
		t.Fatalf("alex's episodes page lacks the demo episode:\n%s", p.Main)
	}
	axeCheck("clinic-episodes")

	// Record a session: today, individual, attended.
	if err := chromedp.Do(lee,
		chromedp.Click(chromedp.CSS(`#session-form input[name=attendance][value=attended]`)),
		chromedp.Click(chromedp.CSS(`#session-form button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitForText(t, lee, "The session is recorded.")

	// A clinician note about the session.
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+person+"/notes")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, person+"/notes")
	if err := chromedp.Do(lee,
		chromedp.SetValue(chromedp.CSS(`#note-text`), "Worked on the chain before Tuesday; alex chose two skills to try."),
		chromedp.Click(chromedp.CSS(`form[action$="/notes"] button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitForText(t, lee, "The note was saved.")
	axeCheck("clinic-notes")
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+person+"/episodes")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, person+"/episodes")

	// Discharge with follow-up consent.
	if err := chromedp.Do(lee,
		chromedp.Click(chromedp.CSS(`#discharge input[name=follow_up][value=yes]`)),
		chromedp.Click(chromedp.CSS(`#discharge button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	p = waitForText(t, lee, "The discharge is recorded.")
	for _, s := range []string{"The discharge is recorded.", "follow-up", "Follow-up points", "12 months", "agreed to be contacted for follow-up"} {
		if !strings.Contains(p.Main, s) {
			t.Errorf("after discharge the page lacks %q:\n%s", s, p.Main)
		}
	}
	axeCheck("clinic-episodes-discharged")
	screenshot(t, lee, "clinic-episodes-discharged")

	// Alex keeps their own tools, and sees their care.
	for _, path := range []string{"/me/plan", "/me/toolbox"} {
		if err := chromedp.Do(alex, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		waitPath(t, alex, path)
		if p := readPage(t, alex); p.H1 == "" || strings.Contains(p.Main, "Not found") {
			t.Errorf("after discharge alex cannot use %s:\n%s", path, p.Main)
		}
	}
	if err := chromedp.Do(alex, chromedp.Navigate(srv.URL+"/me/care")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, alex, "/me/care")
	p = readPage(t, alex)
	if !strings.Contains(p.Main, "DBT-A") || !strings.Contains(p.Main, "you came") || !p.hasLink("/help") {
		t.Errorf("alex's care page:\n%s", p.Main)
	}
	checkAxe(t, alex, axe, "me-care")
	screenshot(t, alex, "me-care")
}

// waitForText waits until the page's main text holds text (a form posted
// and its redirect loaded), and returns the page. While the browser is
// between pages there is no document to read: it keeps trying.
func waitForText(t *testing.T, ctx context.Context, text string) pageState {
	t.Helper()
	const js = `(() => { const m = document.querySelector("main"); return m ? m.innerText : ""; })()`
	var main string
	for range 200 {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err == nil && strings.Contains(got, text) {
			return readPage(t, ctx)
		}
		main = got
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the page never showed %q:\n%s", text, main)
	return pageState{}
}
