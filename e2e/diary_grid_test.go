package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDiaryGridInBrowser: in Chromium, lee opens sam's weekly diary grid
// from the caseload, moves to the previous week with the date form while
// scripts are off, opens the print view; sam opens the set-up page of
// their card. The grid, its print view and the set-up page pass axe-core
// with no violation, and are photographed.
func TestDiaryGridInBrowser(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	lee := newTab(t, browser)
	signIn(t, lee, srv, "lee@example.org")
	sam := personPath(t, lee, srv, "sam")
	p := visit(t, lee, srv, "/clinic")
	if !p.hasLink(sam + "/diary") {
		t.Fatalf("the caseload does not link sam's diary card")
	}
	p = visit(t, lee, srv, sam)
	if !p.hasLink(sam + "/diary") {
		t.Fatalf("sam's page does not link the diary card")
	}
	p = visit(t, lee, srv, sam+"/diary")
	for _, s := range []string{"Diary card: sam", "Urges and actions", "Filled in", "Previous week", "Key"} {
		if !strings.Contains(p.Main, s) {
			t.Fatalf("the grid lacks %q:\n%s", s, p.Main)
		}
	}
	checkAxe(t, lee, axe, "weekly diary grid")
	screenshot(t, lee, "diary-grid")

	t.Run("date form without JavaScript", func(t *testing.T) {
		tab := newTab(t, browser)
		disableJavaScript(t, tab)
		signIn(t, tab, srv, "lee@example.org")
		visit(t, tab, srv, sam+"/diary?week=2026-03-04")
		if err := chromedp.Do(tab,
			chromedp.SetValue(chromedp.CSS("#week"), "2026-02-25"),
			chromedp.Click(chromedp.CSS(`form[method=get] button[type=submit]`)),
		); err != nil {
			t.Fatal(err)
		}
		var u string
		for range 200 {
			var err error
			if u, err = chromedp.Run(tab, chromedp.Location()); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(u, "week=2026-02-25") {
				break
			}
		}
		if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		if p = readPage(t, tab); !strings.Contains(u, "week=2026-02-25") || !strings.Contains(p.Main, "Monday 23 Feb") {
			t.Fatalf("the date form did not show the week of 25 February: %s\n%s", u, p.Main)
		}
	})

	t.Run("print view", func(t *testing.T) {
		p := visit(t, lee, srv, sam+"/diary/print")
		if strings.Contains(p.Main, "Previous week") || !strings.Contains(p.Main, "Urges and actions") {
			t.Fatalf("the print view:\n%s", p.Main)
		}
		if len(p.Header) == 0 || !strings.Contains(strings.Join(func() []string {
			var out []string
			for _, l := range p.Header {
				out = append(out, l.Href)
			}
			return out
		}(), " "), "/help") {
			t.Error("the print view lacks the help link")
		}
		checkAxe(t, lee, axe, "diary grid print view")
	})

	t.Run("set-up page", func(t *testing.T) {
		ctx := newTab(t, browser)
		signIn(t, ctx, srv, "sam")
		p := visit(t, ctx, srv, "/me/diary/setup")
		if !strings.Contains(p.Main, "This row stays on the card") || !strings.Contains(p.Main, "Skills on the tick list") {
			t.Fatalf("the set-up page:\n%s", p.Main)
		}
		checkAxe(t, ctx, axe, "diary card set-up")
		screenshot(t, ctx, "diary-setup")
	})
}
