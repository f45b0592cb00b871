package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// fakeTime makes the tab's Date.now() run at window.__tendSpeed times real
// time (1 until a test changes it), so a five-minute timer ends in moments
// without the page knowing.
const fakeTime = `(() => {
	const realNow = Date.now.bind(Date);
	let lastReal = realNow(), virtual = lastReal;
	window.__tendSpeed = 1;
	Date.now = () => {
		const r = realNow();
		virtual += (r - lastReal) * window.__tendSpeed;
		lastReal = r;
		return Math.floor(virtual);
	};
})();`

// toolboxSignIn signs who in on a 360-pixel-wide phone screen.
func toolboxSignIn(t *testing.T, ctx context.Context, srv *tend, who string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, srv, who)
}

// visibleScreen returns the toolbox screen the person sees now ("" for
// none), read through DevTools so it works with scripts off. Without
// scripts every step is a new page, so a read that meets a page being
// replaced returns the error for the caller to try again.
func visibleScreen(ctx context.Context) (string, error) {
	return chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](
		`(Array.from(document.querySelectorAll("[data-screen]")).find(s => !s.hidden && s.offsetParent !== null) || {dataset: {}}).dataset.screen || ""`))
}

// waitScreen waits until the toolbox shows screen.
func waitScreen(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	var at string
	var err error
	for i := 0; i < 200; i++ {
		if at, err = visibleScreen(ctx); err == nil && at == screen {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("read the toolbox screen, want %q: %v", screen, err)
	}
	p := readPage(t, ctx)
	t.Fatalf("the toolbox shows %q, want %q (at %s)\n%s", at, screen, p.URL, p.Main)
}

// click clicks the element sel matches (a label, for the 0-10 buttons).
func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// TestToolboxWalk walks the toolbox as sam, with JavaScript and without:
// an urge to self-harm at 8, Breathe for 5 minutes (time faked), 8 again;
// the safety plan and the help options are offered and the use is logged.
// "Thoughts of ending your life" shows the plan and help first. Lee sees
// the log only while sam shares it. Every screen is checked with axe-core
// and photographed at 360 pixels wide.
func TestToolboxWalk(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	walk := func(t *testing.T, ctx context.Context, js bool) {
		label := "nojs"
		if js {
			label = "js"
		}
		shot := func(screen string) {
			t.Helper()
			if !js {
				// axe-core needs scripts; turning them on now runs none of
				// the page's own, which the parser has already passed.
				setScripts(t, ctx, true)
				defer setScripts(t, ctx, false)
			}
			checkAxe(t, ctx, axe, "toolbox-"+label+"-"+screen)
			screenshot(t, ctx, "toolbox-"+label+"-"+screen)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/toolbox"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		waitScreen(t, ctx, "question")
		shot("question")
		click(t, ctx, "#tb-q-urge")
		click(t, ctx, `[data-screen="question"] button[value="question"]`)
		waitScreen(t, ctx, "urge")
		shot("urge")
		click(t, ctx, `label[for="tb-before-8"]`)
		click(t, ctx, `[data-screen="urge"] button[value="urge"]`)
		waitScreen(t, ctx, "kind")
		shot("kind")
		click(t, ctx, "#tb-kind-breathe")
		click(t, ctx, `[data-screen="kind"] button[value="kind"]`)
		waitScreen(t, ctx, "activity")
		shot("activity")
		click(t, ctx, `input[value="breathe.paced"]`)
		click(t, ctx, `label[for="tb-min-5"]`)
		click(t, ctx, `[data-screen="activity"] button[value="activity"]`)
		waitScreen(t, ctx, "timer")
		p := readPage(t, ctx)
		if !strings.Contains(p.Main, "Breathe in slowly while you count to 4") || !strings.Contains(p.Main, "Need help now? Get help") {
			t.Errorf("the timer screen lacks the breathing guide or the help link:\n%s", p.Main)
		}
		if !p.hasLink("/help") {
			t.Error("the timer screen has no link to help")
		}
		if !js && !strings.Contains(p.Main, "Your 5 minutes end at") {
			t.Errorf("without JavaScript the timer screen does not say when it ends:\n%s", p.Main)
		}
		shot("timer")
		if js {
			// Five minutes pass in a moment; the flow moves on by itself.
			if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__tendSpeed = 1000; void 0`)); err != nil {
				t.Fatal(err)
			}
		} else {
			click(t, ctx, `[data-screen="timer"] button[value="timer"]:not([data-stop])`)
		}
		waitScreen(t, ctx, "after")
		shot("after")
		click(t, ctx, `label[for="tb-after-8"]`)
		click(t, ctx, "#tb-helpful-no")
		click(t, ctx, `[data-screen="after"] button[type=submit]`)
		waitPathPrefix(t, ctx, "/me/toolbox/uses/")
		p = readPage(t, ctx)
		if p.H1 != "The urge is still strong" || !p.hasLink("/me/plan") || !strings.Contains(p.Main, "In danger now or hurt?") ||
			!strings.Contains(p.Main, "Try another activity") {
			t.Errorf("after an urge as strong as before: %q\n%s", p.H1, p.Main)
		}
		for _, l := range p.Links {
			if strings.HasPrefix(l.Href, "tel:") {
				goto called
			}
		}
		t.Error("the help options offer no number to call")
	called:
		shot("outcome")

		// Thoughts of ending your life: the plan and the help first.
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/toolbox"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		click(t, ctx, "#tb-q-thoughts")
		click(t, ctx, `[data-screen="question"] button[value="question"]`)
		waitScreen(t, ctx, "thoughts")
		order, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[[]int](`(() => {
			const s = document.querySelector('[data-screen="thoughts"]');
			const all = Array.from(s.querySelectorAll("a, button"));
			return [all.findIndex(e => e.getAttribute("href") === "/me/plan"),
				all.findIndex(e => (e.getAttribute("href") || "").startsWith("tel:")),
				all.findIndex(e => e.value === "thoughts")];
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if order[0] < 0 || order[1] < 0 || order[2] < 0 || order[0] > order[2] || order[1] > order[2] {
			t.Errorf("thoughts screen order (plan, help, toolbox) = %v: want the plan and help before the toolbox", order)
		}
		shot("thoughts")
	}

	sam := newTab(t, browser)
	if _, err := chromedp.Call(sam, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: fakeTime}); err != nil {
		t.Fatalf("fake the tab's time: %v", err)
	}
	toolboxSignIn(t, sam, srv, "sam")
	t.Run("with JavaScript", func(t *testing.T) { walk(t, sam, true) })

	samNoJS := newTab(t, browser)
	toolboxSignIn(t, samNoJS, srv, "sam")
	disableJavaScript(t, samNoJS)
	t.Run("without JavaScript", func(t *testing.T) { walk(t, samNoJS, false) })

	t.Run("logged", func(t *testing.T) {
		if err := chromedp.Do(sam, chromedp.Navigate(srv.URL+"/me/toolbox/log"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		p := readPage(t, sam)
		if n := strings.Count(p.Main, "Paced breathing"); n != 2 {
			t.Errorf("the log shows %d uses of paced breathing, want 2 (one with JavaScript, one without):\n%s", n, p.Main)
		}
		checkAxe(t, sam, axe, "toolbox-log")
		screenshot(t, sam, "toolbox-log")
		if err := chromedp.Do(sam, chromedp.Navigate(srv.URL+"/me/toolbox/manage"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		checkAxe(t, sam, axe, "toolbox-manage")
		screenshot(t, sam, "toolbox-manage")
	})

	t.Run("lee sees the log only while sam shares it", func(t *testing.T) {
		lee := newTab(t, browser)
		toolboxSignIn(t, lee, srv, "lee@example.org")
		href, err := chromedp.Run(lee, chromedp.Evaluate[string](
			`Array.from(document.querySelectorAll('main a[href^="/clinic/people/"]')).find(a => a.textContent.trim() === "sam").getAttribute("href")`))
		if err != nil || href == "" {
			t.Fatalf("sam is not on lee's caseload: %v", err)
		}
		leeSees := func() bool {
			t.Helper()
			if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+href+"/toolbox"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			return strings.Contains(readPage(t, lee).Main, "Paced breathing")
		}
		setShare := func(level string) {
			t.Helper()
			if err := chromedp.Do(sam, chromedp.Navigate(srv.URL+"/me/sharing"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(sam, chromedp.Evaluate[chromedp.Void](`(() => {
				const f = Array.from(document.querySelectorAll("fieldset")).find(f => f.querySelector("legend").textContent.startsWith("Lee"));
				f.querySelector('select[name$=".toolbox_log"]').value = "`+level+`";
			})()`)); err != nil {
				t.Fatal(err)
			}
			click(t, sam, `form[action="/me/sharing"] button[type=submit]`)
			waitPathPrefix(t, sam, "/me/sharing?saved=1")
		}
		if leeSees() {
			t.Fatal("lee sees sam's toolbox log before sam shares it")
		}
		setShare("see")
		if !leeSees() {
			t.Fatal("lee does not see sam's toolbox log while sam shares it")
		}
		checkAxe(t, lee, axe, "toolbox-clinic")
		screenshot(t, lee, "toolbox-clinic")
		setShare("none")
		if leeSees() {
			t.Fatal("lee still sees sam's toolbox log after sam stopped sharing it")
		}
	})

	t.Run("the service's activities", func(t *testing.T) {
		admin := newTab(t, browser)
		toolboxSignIn(t, admin, srv, "admin@example.org")
		if err := chromedp.Do(admin, chromedp.Navigate(srv.URL+"/admin/toolbox"), chromedp.WaitVisible(chromedp.CSS("main h1")),
			chromedp.SetValue(chromedp.CSS("#tb-text"), "Hold an ice cube"),
			chromedp.Click(chromedp.CSS("#tb-safe")),
			chromedp.Click(chromedp.CSS(`form[action="/admin/toolbox"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(".error-summary"))); err != nil {
			t.Fatal(err)
		}
		if p := readPage(t, admin); !strings.Contains(p.Main, "Substitute behaviours are still self-injury") {
			t.Errorf("an activity with ice was not refused:\n%s", p.Main)
		}
		checkAxe(t, admin, axe, "toolbox-admin")
		screenshot(t, admin, "toolbox-admin")
	})

	// Offline (DESIGN.md "Offline"): after one visit the toolbox opens with
	// the server stopped, runs on the device, shows what follows at once and
	// queues the use to send later.
	t.Run("offline", func(t *testing.T) {
		if err := chromedp.Do(sam, chromedp.Navigate(srv.URL+"/me/toolbox")); err != nil {
			t.Fatal(err)
		}
		waitForServiceWorker(t, sam)
		if err := chromedp.Do(sam, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			kept := keptPages(t, sam)
			if slices.Contains(kept, srv.URL+"/me/toolbox") {
				break
			}
			if i == 100 {
				t.Fatalf("the toolbox is not kept on the device: %q", kept)
			}
			time.Sleep(50 * time.Millisecond)
		}
		killServer(t, srv)
		res, err := chromedp.Run(sam, chromedp.NavigateResponse(srv.URL+"/me/toolbox"))
		if err != nil {
			t.Fatalf("open the toolbox offline: %v", err)
		}
		if !res.FromServiceWorker {
			t.Error("the toolbox did not come from the device")
		}
		waitScreen(t, sam, "question")
		click(t, sam, "#tb-q-urge")
		click(t, sam, `[data-screen="question"] button[value="question"]`)
		click(t, sam, `label[for="tb-before-6"]`)
		click(t, sam, `[data-screen="urge"] button[value="urge"]`)
		click(t, sam, "#tb-kind-pick")
		click(t, sam, `[data-screen="kind"] button[value="kind"]`)
		waitScreen(t, sam, "activity")
		click(t, sam, `[data-screen="activity"] button[value="activity"]`)
		waitScreen(t, sam, "timer")
		click(t, sam, `[data-screen="timer"] button[data-stop]`)
		waitScreen(t, sam, "after")
		click(t, sam, `label[for="tb-after-3"]`)
		click(t, sam, "#tb-helpful-yes")
		click(t, sam, `[data-screen="after"] button[type=submit]`)
		waitScreen(t, sam, "lower")
		q := waitQueue(t, sam, "the use queued", func(q []queued) bool { return len(q) == 1 })
		if !strings.HasSuffix(q[0].Action, "/me/toolbox/uses") || q[0].Key == "" || q[0].State != "waiting" {
			t.Errorf("queued = %+v, want the use with its key, waiting", q[0])
		}
		checkAxe(t, sam, axe, "toolbox-offline-lower")
		screenshot(t, sam, "toolbox-offline-lower")
	})
}

// setScripts turns script execution on or off for the tab.
func setScripts(t *testing.T, ctx context.Context, on bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		t.Fatalf("turn scripts on (%v): %v", on, err)
	}
}

// waitPathPrefix waits until the tab's address starts with prefix.
func waitPathPrefix(t *testing.T, ctx context.Context, prefix string) {
	t.Helper()
	var at string
	for i := 0; i < 200; i++ {
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if at = u; strings.Contains(u, prefix) {
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("at %s, want %s...", at, prefix)
}
