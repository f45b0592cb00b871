package e2e_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// offlineSignIn signs who in through the real form and waits until the
// browser has left the sign-in page.
func offlineSignIn(t *testing.T, ctx context.Context, srv *tend, who string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	signInAt(t, ctx, srv, who, "/me")
}

// waitPath waits until the tab's address is path and its page has a
// heading. It reads the address through DevTools, so it works with the
// page's JavaScript turned off.
func waitPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	var at string
	for i := 0; i < 200; i++ {
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if at = u; strings.HasSuffix(strings.SplitN(strings.SplitN(u, "#", 2)[0], "?", 2)[0], path) {
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("at %s, want %s", at, path)
}

// keptPages lists the pages this browser keeps in the service worker's
// personal cache (sw.js PERSONAL), without creating that cache.
func keptPages(t *testing.T, ctx context.Context) []string {
	t.Helper()
	const js = `caches.has("tend-personal").then(has => has
		? caches.open("tend-personal").then(c => c.keys()).then(ks => ks.map(r => r.url))
		: [])`
	urls, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[[]string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the personal cache: %v", err)
	}
	return urls
}

// waitKept waits until the personal cache holds exactly want (a page's
// whole URL), or holds nothing when want is "".
func waitKept(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	var got []string
	for i := 0; i < 100; i++ {
		got = keptPages(t, ctx)
		if (want == "" && len(got) == 0) || (len(got) == 1 && got[0] == want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("pages kept on this device: %q, want %q", got, want)
}

// keepPlan opens sam's plan with the service worker in control and
// chooses "Keep a copy of my plan on this device".
func keepPlan(t *testing.T, ctx context.Context, srv *tend) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/plan")); err != nil {
		t.Fatal(err)
	}
	waitForServiceWorker(t, ctx)
	waitKept(t, ctx, "")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/me/plan/device"] button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	waitPath(t, ctx, "/me/plan")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`form[action="/me/plan/device"] input[name=keep][value="0"] ~ button`))); err != nil {
		t.Fatal(err)
	}
	waitKept(t, ctx, srv.URL+"/me/plan")
}

// checkPlanCopy fails t unless the tab shows sam's plan as kept on this
// device: the plan, when it was saved, the help link and tap-to-call links.
func checkPlanCopy(t *testing.T, label string, p pageState) {
	t.Helper()
	if at := strings.SplitN(p.URL, "#", 2)[0]; !strings.HasSuffix(at, "/me/plan") || p.H1 != "My safety plan" {
		t.Errorf("%s: at %s with heading %q, want the safety plan", label, p.URL, p.H1)
	}
	if !strings.Contains(p.Main, "Saved on this device at") {
		t.Errorf("%s: the copy does not say when it was saved on this device", label)
	}
	if !p.hasLink("/help") {
		t.Errorf("%s: no link to the help page", label)
	}
	var call bool
	for _, l := range p.Links {
		call = call || strings.HasPrefix(l.Href, "tel:")
	}
	if !call {
		t.Errorf("%s: no tap-to-call link", label)
	}
}

// killServer cuts the connection for real (DESIGN.md: the service worker's
// own fetches ignore the browser's offline emulation).
func killServer(t *testing.T, srv *tend) {
	t.Helper()
	srv.Kill()
	if code, _, err := srv.get("/help"); err == nil {
		t.Fatalf("the server still answers (%d) after SIGKILL: the test would prove nothing", code)
	}
}

// TestPlanOffline: the safety plan opens without a connection on a device
// where sam chose to keep it, and after sam's session has ended there;
// where sam did not choose it, or signed out, the help page opens instead
// (DESIGN.md "Offline", safety-rules.md section 9).
func TestPlanOffline(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	env := serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword}}

	t.Run("KeptPlanOpensOffline", func(t *testing.T) {
		srv := startTend(t, env)
		ctx := newTab(t, browser)
		offlineSignIn(t, ctx, srv, "sam")
		keepPlan(t, ctx, srv)
		checkPlanCopy(t, "online", readPage(t, ctx))
		checkAxe(t, ctx, axe, "plan kept")

		// The coping toolbox is kept without a choice (DESIGN.md "Offline")
		// once its page carries Tend-Offline: keep.
		type probe struct {
			Status int    `json:"status"`
			Keep   string `json:"keep"`
		}
		toolbox, err := chromedp.Run(ctx, chromedp.Evaluate[probe](`fetch("/me/toolbox", {credentials: "same-origin"})
			.then(r => ({status: r.status, keep: r.headers.get("Tend-Offline") || ""}))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		var toolboxH1 string
		if toolbox.Status != 404 {
			if toolbox.Status != 200 || toolbox.Keep != "keep" {
				t.Errorf("/me/toolbox: %d, Tend-Offline %q; want 200 and keep", toolbox.Status, toolbox.Keep)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/toolbox")); err != nil {
				t.Fatal(err)
			}
			toolboxH1 = readPage(t, ctx).H1
		}

		// The session ends (the server no longer knows it): the plan still
		// opens on this device instead of the sign-in page.
		if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "tend_session", URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
		res, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/me/plan"))
		if err != nil {
			t.Fatal(err)
		}
		if !res.FromServiceWorker {
			t.Errorf("/me/plan after the session ended: not from the service worker")
		}
		checkPlanCopy(t, "session ended", readPage(t, ctx))
		// The server itself, asked without a session, sends to the sign-in page.
		if code, body, err := srv.get("/me/plan"); err != nil || code != 200 || !strings.Contains(body, `action="/signin"`) {
			t.Errorf("the server without a session: %d, %v; want the sign-in page", code, err)
		}

		killServer(t, srv)
		res, err = chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/me/plan"))
		if err != nil {
			t.Fatalf("open /me/plan offline: %v", err)
		}
		if !res.FromServiceWorker || res.Status != 200 {
			t.Errorf("offline /me/plan: status %d, from service worker %v; want 200 from the service worker", res.Status, res.FromServiceWorker)
		}
		checkPlanCopy(t, "offline", readPage(t, ctx))
		checkAxe(t, ctx, axe, "plan offline")
		screenshot(t, ctx, "plan-offline")

		if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/help")); err != nil {
			t.Fatalf("open /help offline: %v", err)
		}
		checkHelpGB(t, "help offline", readPage(t, ctx))

		t.Run("ToolboxOpensOffline", func(t *testing.T) {
			if toolbox.Status == 404 {
				t.Skip("/me/toolbox does not exist yet: this runs once the toolbox page is served with Tend-Offline: keep")
			}
			res, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+"/me/toolbox"))
			if err != nil {
				t.Fatalf("open /me/toolbox offline: %v", err)
			}
			p := readPage(t, ctx)
			if !res.FromServiceWorker || res.Status != 200 || p.H1 != toolboxH1 || !strings.HasSuffix(p.URL, "/me/toolbox") {
				t.Errorf("offline /me/toolbox: %d, from service worker %v, heading %q at %s; want 200 from the service worker, heading %q",
					res.Status, res.FromServiceWorker, p.H1, p.URL, toolboxH1)
			}
			if !p.hasLink("/help") {
				t.Error("offline toolbox: no link to the help page")
			}
		})
	})

	// One server for three devices; each ends offline.
	srv := startTend(t, env)
	notKept, signedOut, signedOutNoJS, stopped := newTab(t, browser), newTab(t, browser), newTab(t, browser), newTab(t, browser)

	t.Run("NotKeptUnlessChosen", func(t *testing.T) {
		offlineSignIn(t, notKept, srv, "sam")
		if err := chromedp.Do(notKept, chromedp.Navigate(srv.URL+"/me/plan")); err != nil {
			t.Fatal(err)
		}
		waitForServiceWorker(t, notKept)
		if err := chromedp.Do(notKept, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		if p := readPage(t, notKept); p.H1 != "My safety plan" || strings.Contains(p.Main, "Saved on this device") {
			t.Errorf("sam's plan, not kept: heading %q; it must not say it is saved on this device", p.H1)
		}
		waitKept(t, notKept, "")
	})

	t.Run("SignOutClearsTheCopy", func(t *testing.T) {
		offlineSignIn(t, signedOut, srv, "sam")
		keepPlan(t, signedOut, srv)
		if err := chromedp.Do(signedOut, chromedp.Click(chromedp.CSS(`form[data-sign-out] button[type=submit]`))); err != nil {
			t.Fatal(err)
		}
		waitPath(t, signedOut, "/signin")
		waitKept(t, signedOut, "")
	})

	t.Run("SignOutWithoutJavaScriptClearsTheCopy", func(t *testing.T) {
		offlineSignIn(t, signedOutNoJS, srv, "sam")
		keepPlan(t, signedOutNoJS, srv)
		disableJavaScript(t, signedOutNoJS)
		if err := chromedp.Do(signedOutNoJS, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1")),
			chromedp.Click(chromedp.CSS(`form[data-sign-out] button[type=submit]`))); err != nil {
			t.Fatal(err)
		}
		waitPath(t, signedOutNoJS, "/signin")
		waitKept(t, signedOutNoJS, "")
	})

	t.Run("StopKeepingWithoutJavaScript", func(t *testing.T) {
		// Without JavaScript the page cannot remove the copy: the next
		// answer for /me/plan, without Tend-Offline, makes the service
		// worker remove it.
		offlineSignIn(t, stopped, srv, "sam")
		keepPlan(t, stopped, srv)
		disableJavaScript(t, stopped)
		if err := chromedp.Do(stopped, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1")),
			chromedp.Click(chromedp.CSS(`form[action="/me/plan/device"] button[type=submit]`))); err != nil {
			t.Fatal(err)
		}
		waitPath(t, stopped, "/me/plan")
		if err := chromedp.Do(stopped, chromedp.WaitVisible(chromedp.CSS(`form[action="/me/plan/device"] input[name=keep][value="1"] ~ button`))); err != nil {
			t.Fatal(err)
		}
		waitKept(t, stopped, "")
	})

	killServer(t, srv)
	for _, tab := range []struct {
		name string
		ctx  context.Context
	}{{"NotKeptUnlessChosen", notKept}, {"SignOutClearsTheCopy", signedOut}, {"SignOutWithoutJavaScriptClearsTheCopy", signedOutNoJS},
		{"StopKeepingWithoutJavaScript", stopped}} {
		t.Run(tab.name+"/Offline", func(t *testing.T) {
			res, err := chromedp.Run(tab.ctx, chromedp.NavigateResponse(srv.URL+"/me/plan"))
			if err != nil {
				t.Fatalf("open /me/plan offline: %v", err)
			}
			p := readPage(t, tab.ctx)
			if p.H1 == "My safety plan" || strings.Contains(p.Main, "Saved on this device") {
				t.Errorf("offline /me/plan showed sam's plan from the device")
			}
			if !res.FromServiceWorker || p.H1 != "Get help now" {
				t.Errorf("offline /me/plan: heading %q, from service worker %v; want the help page from the service worker", p.H1, res.FromServiceWorker)
			}
		})
	}
}

// queued is one entry of the offline queue as the test reads it.
type queued struct {
	ID     int    `json:"id"`
	Action string `json:"action"`
	Key    string `json:"key"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// readQueue returns the offline queue's entries (app.js, IndexedDB).
func readQueue(t *testing.T, ctx context.Context) []queued {
	t.Helper()
	const js = `new Promise((resolve, reject) => {
		const open = indexedDB.open("tend", 1);
		open.onupgradeneeded = () => open.result.createObjectStore("queue", {keyPath: "id", autoIncrement: true});
		open.onerror = () => reject(open.error);
		open.onsuccess = () => {
			const req = open.result.transaction("queue").objectStore("queue").getAll();
			req.onsuccess = () => { open.result.close(); resolve(req.result); };
			req.onerror = () => reject(req.error);
		};
	})`
	q, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[[]queued](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the offline queue: %v", err)
	}
	return q
}

// waitQueue waits until ok holds for the offline queue.
func waitQueue(t *testing.T, ctx context.Context, what string, ok func([]queued) bool) []queued {
	t.Helper()
	var q []queued
	for i := 0; i < 200; i++ {
		if q = readQueue(t, ctx); ok(q) {
			return q
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("offline queue %+v: want %s", q, what)
	return nil
}

// freeAddr returns a local address nothing listens on, so that a server
// can be started again at the same origin (the queue is per origin).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestOfflineQueue: a form marked data-offline-queue that cannot be sent
// is kept on the device and sent, with its idempotency key, once the
// server answers again; the server keeps one request however often it was
// sent. A refused entry stays, with its reason, until the person removes
// it; sign-out warns about entries not sent (DESIGN.md "Offline").
func TestOfflineQueue(t *testing.T) {
	browser := newBrowser(t)
	opt := serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword},
		args: []string{"--addr", freeAddr(t), "--data", t.TempDir()}}
	srv := startTend(t, opt)
	ctx := newTab(t, browser)
	offlineSignIn(t, ctx, srv, "sam")

	// "Ask my care team to contact me" carries an idempotency key; no page
	// marks a form for the queue yet, so the test marks this one.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/contact"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	notice, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/me/contact/notice"]') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if notice {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/me/contact/notice"] button`))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS(`form[action="/me/contact"]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/me/contact"]').setAttribute("data-offline-queue", "idempotency_key")`),
		chromedp.Click(chromedp.CSS(`input[name=method][value=call]`)),
	); err != nil {
		t.Fatal(err)
	}

	killServer(t, srv)
	send := chromedp.Click(chromedp.CSS(`form[action="/me/contact"] button[type=submit]`))
	if err := chromedp.Do(ctx, send, chromedp.WaitVisible(chromedp.CSS(`#offline-queue`))); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, ctx); !strings.Contains(p.Main, "Saved on this device. It will be sent when you are back online.") {
		t.Errorf("after sending offline, the page says:\n%s", p.Main)
	}
	first := waitQueue(t, ctx, "one waiting entry", func(q []queued) bool { return len(q) == 1 && q[0].State == "waiting" })
	// Sent again while offline: still one entry, with the same key.
	if err := chromedp.Do(ctx, send); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if q := readQueue(t, ctx); len(q) != 1 || q[0].Key != first[0].Key || q[0].Key == "" {
		t.Errorf("after a second send offline: %+v, want the one entry with key %q", q, first[0].Key)
	}

	// Back online (the same origin and data): the next page sends it.
	srv = startTend(t, opt)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitQueue(t, ctx, "empty once sent", func(q []queued) bool { return len(q) == 0 })

	t.Run("SentOnce", func(t *testing.T) {
		// The same key once more, as a resend after a lost answer would: nothing is added.
		const again = `fetch("/me/contact", {method: "POST", credentials: "same-origin",
			headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: %q}).then(r => r.status)`
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(again, "idempotency_key="+first[0].Key+"&method=call"), chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
		lee := newTab(t, browser)
		signInAt(t, lee, srv, "lee@example.org", "/clinic")
		if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+"/clinic/tasks"), chromedp.WaitVisible(chromedp.CSS("main h1")),
			chromedp.Click(chromedp.CSS(`main a[href^="/clinic/tasks/"]`)), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		p := readPage(t, lee)
		if n := strings.Count(p.Main, "recorded "); n != 1 {
			t.Errorf("sam's task lists %d requests, want 1:\n%s", n, p.Main)
		}
	})

	t.Run("RefusedStaysUntilRemoved", func(t *testing.T) {
		// An entry the server refuses (a form it cannot take) is kept, with why.
		const add = `new Promise((resolve, reject) => {
			const open = indexedDB.open("tend", 1);
			open.onsuccess = () => {
				const tx = open.result.transaction("queue", "readwrite");
				tx.objectStore("queue").add({action: location.origin + "/me/plan/device", body: "keep=maybe", key: "k1",
					savedAt: new Date().toISOString(), owner: document.body.dataset.owner, state: "waiting"});
				tx.oncomplete = () => { open.result.close(); resolve(true); };
				tx.onerror = () => reject(tx.error);
			};
		})`
		if _, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[bool](add, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		q := waitQueue(t, ctx, "one refused entry", func(q []queued) bool { return len(q) == 1 && q[0].State == "refused" })
		if want := "Choose whether to keep a copy of your plan on this device."; q[0].Reason != want {
			t.Errorf("the refused entry's reason is %q, want the server's %q", q[0].Reason, want)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#offline-queue .problem button`))); err != nil {
			t.Fatal(err)
		}
		if p := readPage(t, ctx); !strings.Contains(p.Main, "Tend did not accept it when it was sent") {
			t.Errorf("the page does not say the entry was refused:\n%s", p.Main)
		}

		// Sign-out warns first; "cancel" keeps the entry and the session.
		dialogs := make(chan string, 4)
		answer := make(chan bool, 4)
		go func() {
			for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
				if err != nil {
					return
				}
				dialogs <- ev.Message
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: <-answer})
			}
		}()
		signOut := chromedp.Click(chromedp.CSS(`form[data-sign-out] button[type=submit]`))
		answer <- false
		if err := chromedp.Do(ctx, signOut); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-dialogs:
			if m != "One entry on this device has not been sent yet. Sign out anyway and lose it?" {
				t.Errorf("sign-out warning %q", m)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("sign-out did not warn about the entry not sent")
		}
		time.Sleep(500 * time.Millisecond)
		if u, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(u, "/me") || len(readQueue(t, ctx)) != 1 {
			t.Errorf("after cancelling: at %s with %d entries, want /me with the entry", u, len(readQueue(t, ctx)))
		}

		// Removing it is the person's choice.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#offline-queue .problem button`))); err != nil {
			t.Fatal(err)
		}
		waitQueue(t, ctx, "empty once removed", func(q []queued) bool { return len(q) == 0 })
		if err := chromedp.Do(ctx, signOut); err != nil {
			t.Fatal(err)
		}
		waitPath(t, ctx, "/signin")
		select {
		case m := <-dialogs:
			t.Errorf("sign-out with nothing unsent warned: %q", m)
		default:
		}
	})
}

// signInAt signs who in through the real form and waits to land on home.
func signInAt(t *testing.T, ctx context.Context, srv *tend, who, home string) {
	t.Helper()
	signIn(t, ctx, srv, who)
	waitPath(t, ctx, home)
}
