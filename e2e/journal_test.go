package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// journalSignIn signs who in and waits for /me.
func journalSignIn(t *testing.T, ctx context.Context, srv *tend, who string) {
	t.Helper()
	signInAt(t, ctx, srv, who, "/me")
}

// TestJournalAutosave types into a new journal entry in Chromium and
// waits, without pressing Save, for the live region to announce the save;
// the entry is then in the journal. With scripts off, the Save button
// saves. Each page passes axe-core (WCAG 2.2 AA).
func TestJournalAutosave(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	t.Run("autosave while typing", func(t *testing.T) {
		ctx := newTab(t, browser)
		journalSignIn(t, ctx, srv, "sam")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/journal/new"), chromedp.WaitVisible(chromedp.CSS("#text"))); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, ctx, axe, "new journal entry")
		live, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](`document.getElementById("save-status").getAttribute("aria-live")`))
		if err != nil || live != "polite" {
			t.Fatalf("save status aria-live = %q (%v), want polite", live, err)
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#text"), "Typed in the browser, never saved by hand")); err != nil {
			t.Fatal(err)
		}
		var status string
		for i := 0; i < 100 && !strings.HasPrefix(status, "Saved at "); i++ {
			time.Sleep(100 * time.Millisecond)
			if status, err = chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](`document.getElementById("save-status").textContent`)); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasPrefix(status, "Saved at ") {
			t.Fatalf("the live region says %q, want \"Saved at …\"", status)
		}
		// More typing saves the same entry again, not a second one.
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#text"), ", and a little more")); err != nil {
			t.Fatal(err)
		}
		var rev string
		for i := 0; i < 100 && rev != "2"; i++ {
			time.Sleep(100 * time.Millisecond)
			if rev, err = chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](`document.querySelector("input[name=revision]").value`)); err != nil {
				t.Fatal(err)
			}
		}
		if rev != "2" {
			t.Fatalf("revision after the second autosave = %q, want 2", rev)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/journal"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		p := readPage(t, ctx)
		if n := strings.Count(p.Main, "Typed in the browser, never saved by hand"); n != 1 {
			t.Errorf("the journal lists the autosaved entry %d times, want once:\n%s", n, p.Main)
		}
		if !strings.Contains(p.Main, ", and a little more") || !strings.Contains(p.Main, "Only you can see this.") {
			t.Errorf("journal page:\n%s", p.Main)
		}
		checkAxe(t, ctx, axe, "journal")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/hope-box"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, ctx, axe, "hope box")
	})

	t.Run("Save button without JavaScript", func(t *testing.T) {
		ctx := newTab(t, browser)
		journalSignIn(t, ctx, srv, "alex")
		disableJavaScript(t, ctx)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/me/journal/new"),
			chromedp.SetValue(chromedp.CSS("#text"), "Written with scripts off"),
			chromedp.Click(chromedp.CSS(`form[action="/me/journal"] button[type=submit]`)),
		); err != nil {
			t.Fatal(err)
		}
		// The address changes before the new page has loaded: wait for the
		// loaded page's notice, not only for the address (an evaluation
		// during the navigation fails, and is tried again).
		const loaded = `location.search.includes("saved=1") && document.readyState === "complete" && !!document.querySelector("main") && document.querySelector("main").innerText.includes("Saved.")`
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](loaded)); err == nil && ok {
				break
			}
		}
		p := readPage(t, ctx)
		if !strings.Contains(p.URL, "saved=1") || !strings.Contains(p.Main, "Saved.") {
			t.Fatalf("after Save: %s\n%s", p.URL, p.Main)
		}
		v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#text")))
		if err != nil || v != "Written with scripts off" {
			t.Errorf("the entry's box holds %q (%v)", v, err)
		}
	})
}
