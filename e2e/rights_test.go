package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDataRightsPages asks for a download and goes through the erase form
// in Chromium with scripts off, as a person without JavaScript would: the
// download is made by the background job of the running Tend and appears
// on the page; a wrong password erases nothing and says so in place; the
// erase form needs no script. Each page passes axe-core (WCAG 2.2 AA), run
// in a second tab with scripts on (axe-core is a script).
func TestDataRightsPages(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)
	ctx := newTab(t, browser)
	disableJavaScript(t, ctx)
	signInAt(t, ctx, srv, "sam", "/me")
	withJS := newTab(t, browser)
	signInAt(t, withJS, srv, "sam", "/me")
	// axeAt checks the page at path in the tab with scripts on.
	axeAt := func(t *testing.T, path, label string) {
		t.Helper()
		if err := chromedp.Do(withJS, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, withJS, axe, label)
	}

	t.Run("download", func(t *testing.T) {
		axeAt(t, "/me/data", "your information")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/data"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/me/data/exports"] button[type=submit]`))); err != nil {
			t.Fatal(err)
		}
		// The tab is on /me/data before and after the post, so the path
		// says nothing: the notice the redirect shows does.
		waitForText(t, ctx, "We are gathering your information")
		// The job runs in the background (SQLite polls for jobs, so it
		// may take a few seconds); reload until the link is there.
		ready := false
		for range 120 {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/data"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			p := readPage(t, ctx)
			for _, l := range p.Links {
				ready = ready || strings.Contains(l.Href, "/me/data/exports/")
			}
			if ready {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		if !ready {
			t.Fatal("the download did not become ready within a minute")
		}
		axeAt(t, "/me/data", "your information, download ready")
		screenshot(t, ctx, "data-rights-download-ready")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		if p := readPage(t, ctx); !strings.Contains(p.Main, "Your information is ready to download.") {
			t.Errorf("no ready notice on the home page:\n%s", p.Main)
		}
	})

	t.Run("erase confirm", func(t *testing.T) {
		axeAt(t, "/me/data/erase", "erase my account")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/data/erase"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		p := readPage(t, ctx)
		for _, want := range []string{"What is erased", "What stays, and why", "You do not need to give a reason"} {
			if !strings.Contains(p.Main, want) {
				t.Errorf("the erase page lacks %q", want)
			}
		}
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#password"), "not the password"),
			chromedp.Click(chromedp.CSS(`form[action="/me/data/erase"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#password-error")),
		); err != nil {
			t.Fatal(err)
		}
		p2 := readPage(t, ctx)
		screenshot(t, ctx, "data-rights-erase-wrong-password")
		if !strings.Contains(p2.Main, "That password is not right") {
			t.Fatalf("a wrong password:\n%s", p2.Main)
		}
		// The same refusal in the tab with scripts on, for axe-core.
		if err := chromedp.Do(withJS,
			chromedp.SetValue(chromedp.CSS("#password"), "not the password"),
			chromedp.Click(chromedp.CSS(`form[action="/me/data/erase"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#password-error")),
		); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, withJS, axe, "erase my account, wrong password")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		if p := readPage(t, ctx); strings.Contains(p.Main, "set to be erased") {
			t.Error("a wrong password started an erasure")
		}
	})
}
