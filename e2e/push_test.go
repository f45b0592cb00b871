package e2e_test

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// shownNotification is what the device shows for a push message.
type shownNotification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Tag   string `json:"tag"`
	Path  string `json:"path"`
}

// TestPushNotification hands push messages to Tend's service worker
// through the DevTools protocol, as a push service would after decrypting
// them, and reads back what the device shows: the neutral title, the tag
// that makes a repeat replace the first, and a path on Tend's own origin
// only (docs/notifications.md).
func TestPushNotification(t *testing.T) {
	chrome := newBrowser(t)
	srv := demoServer(t)
	ctx := newTab(t, chrome)
	signIn(t, ctx, srv, "sam")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/reminders"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitForServiceWorker(t, ctx)

	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted,
		Origin: srv.URL, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
	}); err != nil {
		t.Fatalf("grant notifications: %v", err)
	}

	var mu sync.Mutex
	var registration serviceworker.RegistrationID
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range e.Registrations {
				if r.ScopeURL == srv.URL+"/" && !r.IsDeleted {
					registration = r.RegistrationID
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, serviceworker.Enable, struct{}{}); err != nil {
		t.Fatalf("ServiceWorker.enable: %v", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		id := registration
		mu.Unlock()
		if id != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("DevTools named no service worker registration for Tend's origin")
		}
		time.Sleep(100 * time.Millisecond)
	}

	deliver := func(payload map[string]string) {
		t.Helper()
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		id := registration
		mu.Unlock()
		if _, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: srv.URL, RegistrationID: id, Data: string(b),
		}); err != nil {
			t.Fatalf("deliver a push message: %v", err)
		}
	}
	// shown returns the notifications shown once one is tagged tag, or
	// after 10 s, and whether one is.
	shown := func(tag string) ([]shownNotification, bool) {
		t.Helper()
		const read = `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => ({title: n.title, body: n.body, tag: n.tag, path: (n.data && n.data.path) || ""})))`
		deadline := time.Now().Add(10 * time.Second)
		for {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]shownNotification](read, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("read the notifications shown: %v", err)
			}
			found := slices.ContainsFunc(got, func(n shownNotification) bool { return n.Tag == tag })
			if found || time.Now().After(deadline) {
				return got, found
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// deliverShown delivers payload until a notification with its tag is
	// shown, three times at most. DevTools' deliverPushMessage does not
	// retry as a push service does, and on a loaded machine a delivery was
	// seen to show nothing; the same message again (same tag, so it can
	// only replace) tells a lost test delivery from a worker that shows
	// nothing at all.
	deliverShown := func(payload map[string]string) []shownNotification {
		t.Helper()
		for attempt := 1; ; attempt++ {
			deliver(payload)
			got, found := shown(payload["tag"])
			if found || attempt == 3 {
				return got
			}
			t.Logf("no notification tagged %s 10 s after delivery %d of it; delivering it again", payload["tag"], attempt)
		}
	}

	// What Tend sends: the neutral title, no body beyond it, a path and the
	// delivery's id as the tag.
	reminder := map[string]string{"title": "You have a reminder", "body": "You have a reminder.", "path": "/me/diary", "tag": "delivery-1"}
	got := deliverShown(reminder)
	if len(got) != 1 || got[0] != (shownNotification{Title: "You have a reminder", Body: "You have a reminder.", Tag: "delivery-1", Path: "/me/diary"}) {
		t.Fatalf("shown %+v; want one neutral reminder tagged delivery-1 opening /me/diary", got)
	}
	// A retry of the same delivery replaces it rather than adding a second.
	deliver(reminder)
	time.Sleep(500 * time.Millisecond)
	if got, _ := shown("delivery-1"); len(got) != 1 {
		t.Fatalf("after a repeat, %d notifications shown; want the one, replaced", len(got))
	}
	// A path to another origin, or no payload Tend understands, opens
	// Tend's home, under the neutral title.
	got = deliverShown(map[string]string{"title": "", "path": "//elsewhere.example/x", "tag": "delivery-2"})
	var second *shownNotification
	for i := range got {
		if got[i].Tag == "delivery-2" {
			second = &got[i]
		}
	}
	if second == nil || second.Title != "You have a reminder" || second.Path != "/" {
		t.Fatalf("shown %+v; want delivery-2 with the neutral title opening /", got)
	}
}
