package e2e_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestEvidencePage opens the public evidence page in Chromium at 390 px,
// signed out, from the help page's link: it leads with the service's
// statement, the figures wait folded under "See the research figures";
// opened, they show each review's rows with their certainty in words, and
// the page passes axe-core, fits the phone's width and asks nothing of
// another origin.
func TestEvidencePage(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := startTend(t, serveOptions{})
	ctx := newTab(t, browser)

	var mu sync.Mutex
	var requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(srv.URL+"/help"),
	); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, ctx); !p.hasLink("/evidence") {
		t.Fatalf("the help page does not link the evidence page; links: %v", p.Links)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/evidence"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	p := readPage(t, ctx)
	if p.H1 != "What research says about therapy for self-harm" {
		t.Errorf("heading %q", p.H1)
	}
	if !strings.Contains(p.Main, "Therapy helps many people who self-harm, and there is more than one kind that works.") {
		t.Errorf("the page does not lead with the statement:\n%s", p.Main)
	}
	if !p.hasLink("/help") {
		t.Error("no link to the help page")
	}
	// Folded: innerText leaves out what a closed <details> hides.
	if strings.Contains(p.Main, "DBT for adolescents (DBT-A)") {
		t.Errorf("the figures show before the reader asks for them:\n%s", p.Main)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("details.figures > summary")),
		chromedp.WaitVisible(chromedp.CSS("details.figures table.evidence")),
	); err != nil {
		t.Fatal(err)
	}
	p = readPage(t, ctx)
	for _, want := range []string{
		"Selected findings", "high certainty", "very low certainty: too little evidence to tell", "moderate certainty",
		"certainty not given", "DBT for adolescents (DBT-A)", "OR 0.46 (CI 0.26 to 0.82)", "66.0% vs 68.2% repeated",
		"earlier review (2016), since updated", "mean difference -18.80 episodes (-36.70 to -0.95)",
		"Guthrie et al. 2001, BMJ 323:135", "What the figures do not show",
		"Talk to your clinician or care team about which therapy fits you.",
	} {
		if !strings.Contains(p.Main, want) {
			t.Errorf("the opened figures lack %q", want)
		}
	}
	for _, href := range []string{"https://doi.org/10.1002/14651858.CD013667.pub2", "https://pmc.ncbi.nlm.nih.gov/articles/PMC34723"} {
		if !p.hasLink(href) {
			t.Errorf("no link to %s", href)
		}
	}
	// Reflow (WCAG 1.4.10): the tables scroll in their own boxes; the page
	// never makes people scroll sideways.
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if w > 390 {
		t.Errorf("page is %d px wide in a 390 px viewport", w)
	}
	checkAxe(t, ctx, axe, "evidence page, figures open")
	screenshot(t, ctx, "evidence-390")

	mu.Lock()
	defer mu.Unlock()
	if len(requests) < 3 {
		t.Fatalf("saw only %d requests: was the network watched? %v", len(requests), requests)
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page asked another origin: %s", u)
		}
	}
}
