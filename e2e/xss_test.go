package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// xssLong would run script in every way markup allows if a page ever
// wrote it as markup: a script element, event handlers, an attribute
// breakout with either quote. Each way sets window.__xss or opens a
// dialog, and each element it would make has the class xss-probe.
// xssShort is the same for fields of 60 characters.
const (
	xssLong  = `"><img src=x class=xss-probe onerror=window.__xss=1><script>window.__xss=1</script><svg class=xss-probe onload=alert(1)>' autofocus onfocus=window.__xss=1 x='`
	xssShort = `"><img src=x class=xss-probe onerror=window.__xss=1>`
)

// xssWatch is put into every page of a tab before its own scripts: it
// counts what the page's Content-Security-Policy refused, which an
// injected inline script or handler would be even when it does not run.
const xssWatch = `document.addEventListener("securitypolicyviolation", e => {
	window.__csp = (window.__csp || []).concat(e.violatedDirective + " " + (e.sample || ""));
});`

// xssTab is a signed-in tab that watches for dialogs and refused scripts.
type xssTab struct {
	ctx     context.Context
	dialogs *atomic.Int32
}

func newXSSTab(t *testing.T, browser context.Context, srv *tend, who string) xssTab {
	t.Helper()
	ctx := newTab(t, browser)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: xssWatch}); err != nil {
		t.Fatal(err)
	}
	tab := xssTab{ctx: ctx, dialogs: &atomic.Int32{}}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			tab.dialogs.Add(1)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	signIn(t, ctx, srv, who)
	return tab
}

// post sends a form from the tab's page, as its own form would (same
// origin, the tab's session), and fails on a refusal.
func (x xssTab) post(t *testing.T, path string, form url.Values) {
	t.Helper()
	js := fmt.Sprintf(`fetch(%q, {method: "POST", credentials: "same-origin", redirect: "manual",
		headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: %q}).then(r => r.status)`, path, form.Encode())
	status, err := chromedp.Run(x.ctx, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status >= 400 {
		t.Fatalf("POST %s: %d", path, status)
	}
}

// eval reads a value from the tab's page through DevTools.
func (x xssTab) eval(t *testing.T, js string) string {
	t.Helper()
	v, err := chromedp.Run(x.ctx, chromedp.EvaluateAsDevTools[string](js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// check opens path and fails if anything from a payload ran, opened a
// dialog, was refused by the CSP or became an element; the payload must be
// on the page as text, so that the page did show it.
func (x xssTab) check(t *testing.T, srv *tend, path, shown string) {
	t.Helper()
	before := x.dialogs.Load()
	if err := chromedp.Do(x.ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	type result struct {
		XSS    bool     `json:"xss"`
		CSP    []string `json:"csp"`
		Probes int      `json:"probes"`
		Shown  bool     `json:"shown"`
	}
	r, err := chromedp.Run(x.ctx, chromedp.EvaluateAsDevTools[result](fmt.Sprintf(`({xss: window.__xss !== undefined, csp: window.__csp || [],
		probes: document.querySelectorAll(".xss-probe").length,
		shown: document.body.innerText.includes(%q) || [...document.querySelectorAll("input, textarea")].some(e => e.value.includes(%q))})`, shown, shown)))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case r.XSS:
		t.Errorf("%s: a payload ran (window.__xss is set)", path)
	case x.dialogs.Load() != before:
		t.Errorf("%s: a payload opened a dialog", path)
	case len(r.CSP) > 0:
		t.Errorf("%s: the page's CSP refused %q: markup from a payload", path, r.CSP)
	case r.Probes > 0:
		t.Errorf("%s: %d elements made from a payload", path, r.Probes)
	case !r.Shown:
		t.Errorf("%s does not show the payload as text", path)
	}
}

// TestXSS stores a payload through every kind of free-text field, by the
// forms' own requests from signed-in tabs, and opens each template that
// shows such text in Chromium: nothing runs, no dialog opens, the CSP
// refuses nothing, no element comes from the payload, and the text is
// there as text. The escaping of every field, view, API answer and export
// is checked in Go by TestXSS in internal/web.
func TestXSS(t *testing.T) {
	browser := newBrowser(t)
	srv := demoServer(t)
	sam := newXSSTab(t, browser, srv, "sam")
	lee := newXSSTab(t, browser, srv, "lee@example.org")
	admin := newXSSTab(t, browser, srv, "admin@example.org")
	person := personPath(t, lee.ctx, srv, "sam")
	pages := 0
	check := func(tab xssTab, path, shown string) {
		t.Helper()
		tab.check(t, srv, path, shown)
		pages++
	}

	// The person's own texts.
	if err := chromedp.Do(sam.ctx, chromedp.Navigate(srv.URL+"/me/diary"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	today := sam.eval(t, `location.pathname.split("/").pop()`)
	if len(today) != len("2006-01-02") {
		today = sam.eval(t, `new Date().toISOString().slice(0, 10)`)
	}
	sam.post(t, "/me/diary/"+today, url.Values{"idempotency_key": {"xss-" + today}, "note": {xssLong}, "note_was": {""}})
	if err := chromedp.Do(sam.ctx, chromedp.Navigate(srv.URL+"/me/journal/new"), chromedp.WaitVisible(chromedp.CSS("#text"))); err != nil {
		t.Fatal(err)
	}
	entry := sam.eval(t, `document.querySelector("input[name=id]").value`)
	sam.post(t, "/me/journal", url.Values{"id": {entry}, "revision": {"0"}, "text": {xssLong}})
	sam.post(t, "/me/hope-box/words", url.Values{"text": {xssLong}})
	sam.post(t, "/me/toolbox/activities", url.Values{"kind": {"express"}, "text": {xssLong}})
	sam.post(t, "/me/plan", url.Values{"step_1": {xssLong}, "step_2": {xssLong}, "most_important": {xssLong}, "reasons": {xssLong}, "likely": {xssLong}})
	sam.post(t, "/me/diary/setup/rows", url.Values{"section": {"urge"}, "kind": {"urge_other"}, "label": {xssShort}})

	// The care team's.
	lee.post(t, person+"/notes", url.Values{"kind": {"safety_formulation"}, "text": {xssLong}})
	lee.post(t, person+"/homework", url.Values{"item": {"skill:observe"}, "per_week": {"3"}, "note": {xssLong}})
	lee.post(t, person+"/journal/prompts", url.Values{"prompt": {xssLong}})
	lee.post(t, "/clinic/groups", url.Values{"name": {xssShort}, "kind": {xssShort}, "schedule": {xssLong}})

	// The service's, through the admin's own forms.
	admin.post(t, "/admin/teams", url.Values{"name": {xssShort}, "kind": {"care"}})
	admin.post(t, "/admin/toolbox", url.Values{"kind": {"comfort"}, "text": {xssLong}, "safe": {"yes"}})
	admin.post(t, "/admin/journal-prompts", url.Values{"text": {xssLong}})
	if err := chromedp.Do(admin.ctx, chromedp.Navigate(srv.URL+"/admin/settings"), chromedp.WaitVisible(chromedp.CSS("#out_of_hours")),
		chromedp.SetValue(chromedp.CSS("#out_of_hours"), xssLong), chromedp.SetValue(chromedp.CSS("#line-0-name"), xssShort), chromedp.SetValue(chromedp.CSS("#line-0-call"), "0800 123 456"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/settings"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}

	shown := "window.__xss=1"
	for _, path := range []string{"/me/diary/" + today, "/me/journal/" + entry, "/me/journal", "/me/hope-box", "/me/toolbox/manage",
		"/me/plan", "/me/plan/edit", "/me/diary/setup", "/help"} {
		check(sam, path, shown)
	}
	homework, err := chromedp.Run(sam.ctx, chromedp.Evaluate[string](
		`fetch("/me/skills").then(r => r.text()).then(h => (h.match(/href="(\/me\/homework\/[0-9a-f-]{36})"/) || ["", ""])[1])`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if homework != "" {
		check(sam, homework, shown)
	}
	for _, path := range []string{person + "/diary", person + "/plan", person + "/notes", person + "/homework", person + "/journal/prompts", "/clinic/groups"} {
		check(lee, path, shown)
	}
	for _, path := range []string{"/admin/teams", "/admin/toolbox", "/admin/journal-prompts", "/admin/settings", "/admin/invites"} {
		check(admin, path, shown)
	}
	t.Logf("xss in Chromium: %d pages checked", pages)
}
