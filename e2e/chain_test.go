package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChainAnalysisInBrowser: in Chromium, sam opens the demo chain
// analysis from their own list, reads it, reopens it and sees the form to
// work on it; Lee reads it on sam's staff pages. Each page passes axe-core
// (WCAG 2.2 AA).
func TestChainAnalysisInBrowser(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	ctx := newTab(t, browser)
	signIn(t, ctx, srv, "sam")
	p := visit(t, ctx, srv, "/me/chains")
	checkAxe(t, ctx, axe, "my chain analyses")
	href, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](`document.querySelector('main a[href^="/me/chains/"]')?.getAttribute("href") ?? ""`))
	if err != nil || href == "" {
		t.Fatalf("no chain analysis in sam's list (%v):\n%s", err, p.Main)
	}
	p = visit(t, ctx, srv, href)
	if !strings.Contains(p.Main, "1. The problem behaviour, on") || !strings.Contains(p.Main, "Marked complete on") {
		t.Fatalf("the chain analysis page:\n%s", p.Main)
	}
	checkAxe(t, ctx, axe, "chain analysis, complete")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action$="/state"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#f-behaviour"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, axe, "chain analysis form")

	staff := newTab(t, browser)
	signIn(t, staff, srv, "lee@example.org")
	person := personPath(t, staff, srv, "sam")
	visit(t, staff, srv, person+"/chains")
	checkAxe(t, staff, axe, "chain analyses of sam (staff)")
	p = visit(t, staff, srv, person+strings.TrimPrefix(href, "/me"))
	if !strings.Contains(p.Main, "Lonely, then ashamed.") {
		t.Fatalf("Lee's view of sam's chain analysis:\n%s", p.Main)
	}
	checkAxe(t, staff, axe, "chain analysis form (staff)")
}
