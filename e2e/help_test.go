package e2e_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// What the help page must show in demo mode (the demo service is in GB;
// demo mode shows only the 'source-read' entries of
// internal/crisis/crisis-lines.json). Written by hand from that file, so a
// change to the data or to what the page shows has to be looked at here.
var (
	gbLines = []string{"NHS 111, mental health option", "Samaritans", "Shout", "Childline", "PAPYRUS HOPELINE247"}
	gbLinks = []string{"tel:999", "tel:111", "tel:116123", "sms:85258?body=SHOUT", "tel:08001111", "tel:08000684141"}

	ieLines   = []string{"Samaritans", "Pieta"}
	ieLinks   = []string{"tel:116123", "tel:1800247247"}
	ieUnshown = []string{"Text 50808", "Childline"}                    // 'unconfirmed' entries
	ieNoLinks = []string{"tel:112", "sms:50808?body=HELLO", "tel:999"} // unconfirmed entries; GB's emergency number
	fallback  = "call your local emergency number"                     // crisis-lines.json "fallback"
)

// checkHelpGB fails t unless page p is the help page for the United Kingdom
// with its crisis lines and tap-to-call links.
func checkHelpGB(t *testing.T, label string, p pageState) {
	t.Helper()
	if !strings.HasSuffix(p.URL, "/help") && !strings.HasSuffix(p.URL, "/help/GB") {
		t.Errorf("%s: at %s, want the help page", label, p.URL)
	}
	if p.H1 != "Get help now" {
		t.Errorf("%s: h1 %q, want %q", label, p.H1, "Get help now")
	}
	for _, name := range gbLines {
		if !slices.Contains(p.Headings, name) {
			t.Errorf("%s: no crisis line %q; lines shown: %q", label, name, p.Headings)
		}
	}
	for _, href := range gbLinks {
		if !p.hasLink(href) {
			t.Errorf("%s: no link to %s; links: %v", label, href, p.Links)
		}
	}
	if i, j := strings.Index(p.Main, "Call 999"), strings.Index(p.Main, "Samaritans"); i < 0 || j < 0 || i > j {
		t.Errorf("%s: the emergency number must come before the lines (\"Call 999\" at %d, \"Samaritans\" at %d)", label, i, j)
	}
	if !strings.Contains(p.Main, "NHS 111") || !strings.Contains(p.Main, "A&E") {
		t.Errorf("%s: the demo service's out-of-hours route (NHS 111) or emergency wording (A&E) from internal/demo/settings.json is missing:\n%s", label, p.Main)
	}
}

// TestHelpPage opens /help in Chromium at phone and desktop widths, checks
// the crisis lines and runs axe-core; then with JavaScript off it renders
// the page and picks another country with the plain form; and the home page
// header links to it.
func TestHelpPage(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := startTend(t, serveOptions{})

	for _, vp := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"Phone390", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}},
		{"Desktop1280", 1280, 800, nil},
	} {
		t.Run(vp.name, func(t *testing.T) {
			ctx := newTab(t, browser)
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(vp.width, vp.height, vp.opts...),
				chromedp.Navigate(srv.URL+"/help"),
			); err != nil {
				t.Fatal(err)
			}
			checkHelpGB(t, vp.name, readPage(t, ctx))
			// Reflow (WCAG 1.4.10): nothing forces sideways scrolling.
			w, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if w > vp.width {
				t.Errorf("page is %d px wide in a %d px viewport: people must scroll sideways", w, vp.width)
			}
			checkAxe(t, ctx, axe, vp.name)
			screenshot(t, ctx, "help-"+strings.ToLower(vp.name))
		})
	}

	t.Run("WithoutJavaScript", func(t *testing.T) {
		ctx := newTab(t, browser)
		disableJavaScript(t, ctx)
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(srv.URL+"/help"),
		); err != nil {
			t.Fatal(err)
		}
		checkHelpGB(t, "no JavaScript", readPage(t, ctx))
		screenshot(t, ctx, "help-nojs")

		// Choose Ireland in the plain GET form and press its button: the
		// server redirects to /help/IE, no script involved.
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#country-select"), "IE")); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/help"] button[type="submit"]`)))
		if err != nil {
			t.Fatalf("submit the country form: %v", err)
		}
		if res.Status != 200 {
			t.Errorf("country form answered %d", res.Status)
		}
		p := readPage(t, ctx)
		if !strings.HasSuffix(p.URL, "/help/IE") {
			t.Fatalf("country form led to %s, want /help/IE", p.URL)
		}
		if !strings.Contains(p.Main, "Showing help for Ireland.") {
			t.Errorf("page does not say it shows Ireland:\n%s", p.Main)
		}
		if !slices.Equal(p.Headings, ieLines) {
			t.Errorf("Ireland's lines: %q, want %q (demo mode shows only source-read lines)", p.Headings, ieLines)
		}
		for _, name := range ieUnshown {
			if slices.Contains(p.Headings, name) {
				t.Errorf("unconfirmed line %q shown in demo mode", name)
			}
		}
		for _, href := range ieLinks {
			if !p.hasLink(href) {
				t.Errorf("no link to %s; links: %v", href, p.Links)
			}
		}
		for _, href := range ieNoLinks {
			if p.hasLink(href) {
				t.Errorf("link to %s shown for Ireland in demo mode (unconfirmed, or another country's)", href)
			}
		}
		if !strings.Contains(p.Main, fallback) {
			t.Errorf("no fallback sentence in place of Ireland's unconfirmed emergency number:\n%s", p.Main)
		}
		screenshot(t, ctx, "help-ie-nojs")

		// JavaScript really was off: app.js, which registers the service
		// worker on every page, never ran in this tab.
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`navigator.serviceWorker.getRegistrations().then(r => r.length)`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d service workers registered with JavaScript disabled: page scripts ran", n)
		}
	})

	t.Run("YoungFirstWithoutJavaScript", func(t *testing.T) {
		// The "young people first" button is a POST form: it must work with
		// no script and pass the server's cross-origin check.
		ctx := newTab(t, browser)
		disableJavaScript(t, ctx)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/help")); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/help/young"] button[type="submit"]`)))
		if err != nil {
			t.Fatalf("press the young-people button: %v", err)
		}
		if res.Status != 200 {
			t.Errorf("young-people form led to a %d page", res.Status)
		}
		p := readPage(t, ctx)
		want := []string{"Childline", "PAPYRUS HOPELINE247", "NHS 111, mental health option", "Samaritans", "Shout"}
		if !slices.Equal(p.Headings, want) {
			t.Errorf("lines after choosing young people first: %q, want %q", p.Headings, want)
		}
	})

	t.Run("HomeLinksToHelp", func(t *testing.T) {
		ctx := newTab(t, browser)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			t.Fatal(err)
		}
		p := readPage(t, ctx)
		if !slices.Contains(p.Header, pageLink{Href: "/help", Text: "Get help now"}) {
			t.Errorf(`no "Get help now" link to /help in the header of /; header links: %v`, p.Header)
		}
	})
}

// TestHelpOffline visits /help once, waits until the service worker controls
// the page, kills the server and opens /help again: the service worker must
// answer with the crisis lines.
func TestHelpOffline(t *testing.T) {
	axe := loadAxe(t)
	ctx := newBrowser(t)
	srv := startTend(t, serveOptions{})
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(srv.URL+"/help"),
	); err != nil {
		t.Fatal(err)
	}
	checkHelpGB(t, "online", readPage(t, ctx))
	waitForServiceWorker(t, ctx)

	// Cut the connection for real: the service worker's own fetches ignore
	// the browser's offline emulation (DESIGN.md).
	srv.Kill()
	if code, _, err := srv.get("/help"); err == nil {
		t.Fatalf("the server still answers (%d) after SIGKILL: the test would prove nothing", code)
	} else {
		t.Logf("server gone: %v", err)
	}

	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/help"))
	if err != nil {
		t.Fatalf("open /help offline: %v", err)
	}
	if !res.FromServiceWorker || res.Status != 200 {
		t.Errorf("offline /help: status %d, from service worker %v; want 200 from the service worker", res.Status, res.FromServiceWorker)
	}
	checkHelpGB(t, "offline", readPage(t, ctx))
	checkAxe(t, ctx, axe, "offline")
	screenshot(t, ctx, "help-offline")
}

// waitForServiceWorker waits until a service worker controls the page,
// reloading once (a worker that installs after the page loaded controls it
// only once clients.claim runs, or from the next load).
func waitForServiceWorker(t *testing.T, ctx context.Context) {
	t.Helper()
	poll := func() error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`navigator.serviceWorker.controller !== null`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
		return err
	}
	err := poll()
	if errors.Is(err, chromedp.ErrPollingTimeout) {
		t.Log("no service worker after 15 s; reloading once")
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		err = poll()
	}
	if err != nil {
		t.Fatalf("the service worker never controlled /help: %v", err)
	}
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.serviceWorker.controller.scriptURL + " " + navigator.serviceWorker.controller.state`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("service worker: %s", state)
}
