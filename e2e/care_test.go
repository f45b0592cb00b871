package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// personPath returns the staff page of the person named username from the
// signed-in clinician's caseload.
func personPath(t *testing.T, ctx context.Context, srv *tend, username string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/clinic"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](
		`[...document.querySelectorAll('main a[href^="/clinic/people/"]')].find(a => a.textContent.trim() === "`+username+`")?.getAttribute("href") ?? ""`))
	if err != nil || href == "" {
		t.Fatalf("no link to %s on the caseload (%v)", username, err)
	}
	return href
}

// visit opens path and waits for its heading.
func visit(t *testing.T, ctx context.Context, srv *tend, path string) pageState {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	return readPage(t, ctx)
}

// TestCareRecordsInBrowser: in Chromium, priya adds a medication to sam's
// list and marks it stopped, and cannot read sam's journal; jo records
// attendance at the demo skills group and reads no note; sam sees the
// medication list and their groups; lee reads the notes and the
// attendance. Every new page passes axe-core and is photographed.
func TestCareRecordsInBrowser(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	priya := newTab(t, browser)
	signInAt(t, priya, srv, "priya@example.org", "/clinic")
	sam := personPath(t, priya, srv, "sam")

	t.Run("priya keeps sam's medication list", func(t *testing.T) {
		p := visit(t, priya, srv, sam+"/medication")
		if !strings.Contains(p.Main, "Sertraline") || !strings.Contains(p.Main, "Melatonin") {
			t.Fatalf("the demo list is missing:\n%s", p.Main)
		}
		checkAxe(t, priya, axe, "medication (prescriber)")
		if err := chromedp.Do(priya,
			chromedp.SetValue(chromedp.CSS("#med-name"), "Vitamin D"),
			chromedp.SetValue(chromedp.CSS("#med-dose"), "1000 units"),
			chromedp.SetValue(chromedp.CSS("#med-schedule"), "Once a day"),
			chromedp.SetValue(chromedp.CSS("#med-start"), "2026-02-01"),
			chromedp.Click(chromedp.CSS(`form[action$="/medication"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(".notice")),
		); err != nil {
			t.Fatal(err)
		}
		if p := readPage(t, priya); !strings.Contains(p.Main, "The medication was added.") || !strings.Contains(p.Main, "Vitamin D") {
			t.Fatalf("after adding:\n%s", p.Main)
		}
		// Stop it: the form in the card that names it.
		if _, err := chromedp.Run(priya, chromedp.EvaluateAsDevTools[bool](
			`(() => { const c = [...document.querySelectorAll("article.card")].find(a => a.querySelector("h3")?.textContent === "Vitamin D"); c.querySelector("input[type=date]").value = "2026-02-20"; c.querySelector("button[type=submit]").click(); return true })()`)); err != nil {
			t.Fatal(err)
		}
		waitPath(t, priya, sam+"/medication")
		for range 100 {
			if p = readPage(t, priya); strings.Contains(p.Main, "marked as stopped") {
				break
			}
		}
		if !strings.Contains(p.Main, "Started 1 February 2026, stopped 20 February 2026") {
			t.Fatalf("Vitamin D is not listed as stopped:\n%s", p.Main)
		}
		checkAxe(t, priya, axe, "medication after a stop")
		screenshot(t, priya, "care-medication-prescriber")
		if p := visit(t, priya, srv, sam+"/journal"); strings.Contains(p.Main, "walk by the river") {
			t.Error("priya reads sam's journal")
		}
	})

	t.Run("jo records group attendance", func(t *testing.T) {
		jo := newTab(t, browser)
		signInAt(t, jo, srv, "jo@example.org", "/clinic")
		visit(t, jo, srv, "/clinic/groups")
		checkAxe(t, jo, axe, "support groups")
		screenshot(t, jo, "care-groups")
		if err := chromedp.Do(jo, chromedp.Click(chromedp.CSS(`main a[href^="/clinic/groups/"]`)), chromedp.WaitVisible(chromedp.CSS("#held-on"))); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, jo, axe, "a support group")
		if err := chromedp.Do(jo,
			chromedp.SetValue(chromedp.CSS("#held-on"), "2026-03-03"),
			chromedp.Click(chromedp.CSS(`input[name^="status-"][value=attended]`)),
			chromedp.Click(chromedp.CSS(`form[action$="/attendance"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(".notice")),
		); err != nil {
			t.Fatal(err)
		}
		p := readPage(t, jo)
		if !strings.Contains(p.Main, "Attendance was saved.") || !strings.Contains(p.Main, "3 March 2026") || !strings.Contains(p.Main, "sam: Attended") {
			t.Fatalf("after recording:\n%s", p.Main)
		}
		screenshot(t, jo, "care-group-attendance")
		if p := visit(t, jo, srv, sam+"/groups"); !strings.Contains(p.Main, "3 March 2026") {
			t.Errorf("jo's view of sam's attendance:\n%s", p.Main)
		}
		if p := visit(t, jo, srv, sam+"/notes"); strings.Contains(p.Main, "First session") {
			t.Error("jo reads lee's note")
		}
		if p := visit(t, jo, srv, sam+"/medication"); strings.Contains(p.Main, "Sertraline") {
			t.Error("jo reads sam's medication")
		}
	})

	t.Run("lee reads notes and attendance", func(t *testing.T) {
		lee := newTab(t, browser)
		signInAt(t, lee, srv, "lee@example.org", "/clinic")
		if p := visit(t, lee, srv, sam+"/notes"); !strings.Contains(p.Main, "First session") {
			t.Errorf("lee's notes page:\n%s", p.Main)
		}
		checkAxe(t, lee, axe, "clinician notes")
		screenshot(t, lee, "care-notes")
		if p := visit(t, lee, srv, sam+"/groups"); !strings.Contains(p.Main, "Attended") {
			t.Errorf("lee's view of sam's attendance:\n%s", p.Main)
		}
		checkAxe(t, lee, axe, "a person's groups (therapist)")
		screenshot(t, lee, "care-person-groups")
	})

	t.Run("sam sees their medication and groups, never a note", func(t *testing.T) {
		ctx := newTab(t, browser)
		signInAt(t, ctx, srv, "sam", "/me")
		p := visit(t, ctx, srv, "/me/medication")
		if !strings.Contains(p.Main, "Sertraline") || !strings.Contains(p.Main, "Vitamin D") || !strings.Contains(p.Main, "stopped 20 February 2026") {
			t.Errorf("sam's medication:\n%s", p.Main)
		}
		checkAxe(t, ctx, axe, "my medication")
		screenshot(t, ctx, "care-my-medication")
		p = visit(t, ctx, srv, "/me/groups")
		if !strings.Contains(p.Main, "DBT skills group") || !strings.Contains(p.Main, "Attended") {
			t.Errorf("sam's groups:\n%s", p.Main)
		}
		checkAxe(t, ctx, axe, "my groups")
		screenshot(t, ctx, "care-my-groups")
		for _, path := range []string{"/me", "/me/medication", "/me/groups", sam + "/notes", "/api/v1/people/" + strings.TrimPrefix(sam, "/clinic/people/") + "/notes"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
				t.Fatal(err)
			}
			body, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](`document.body.innerText`))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(body, "First session") {
				t.Errorf("sam reads a note at %s", path)
			}
		}
	})
}
