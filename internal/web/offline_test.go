package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// keepCookie returns the tend_keep_plan cookie res sets, or nil.
func keepCookie(res *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range res.Result().Cookies() {
		if c.Name == "tend_keep_plan" {
			return c
		}
	}
	return nil
}

// getWith fetches path as who with extra cookies (this device's choices).
func (d *demoServer) getWith(t *testing.T, who, path string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return d.do(t, who, req)
}

// TestPlanKeptOnDevice: the person chooses whether their safety plan is
// kept on this device (safety-rules.md section 9, DESIGN.md "Offline");
// only then does /me/plan carry Tend-Offline: keep, which the service
// worker needs to keep a copy. Written by hand from those documents.
func TestPlanKeptOnDevice(t *testing.T) {
	d := newDemoServer(t)
	var kept *http.Cookie

	t.Run("NotKeptUntilChosen", func(t *testing.T) {
		res := d.get(t, "sam", "/me/plan")
		if res.Code != http.StatusOK {
			t.Fatalf("status %d", res.Code)
		}
		if h := res.Header().Get("Tend-Offline"); h != "" {
			t.Errorf("Tend-Offline %q before sam chose to keep the plan", h)
		}
		if cc := res.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		body := res.Body.String()
		for _, want := range []string{`action="/me/plan/device"`, `name="keep" value="1"`, "Keep a copy of my plan on this device",
			"Anyone holding this device can then open your plan."} {
			if !strings.Contains(body, want) {
				t.Errorf("plan page lacks %q", want)
			}
		}
		if strings.Contains(body, "Saved on this device at") {
			t.Error("plan page says it is saved on this device before sam chose it")
		}
	})

	t.Run("Keep", func(t *testing.T) {
		res := d.post(t, "sam", "/me/plan/device", url.Values{"keep": {"1"}})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/plan#device" {
			t.Fatalf("keep: %d to %q, want 303 to /me/plan#device", res.Code, res.Header().Get("Location"))
		}
		kept = keepCookie(res)
		if kept == nil {
			t.Fatal("keep set no tend_keep_plan cookie")
		}
		if !kept.HttpOnly || kept.SameSite != http.SameSiteLaxMode || kept.Path != "/" || kept.MaxAge < 300*24*3600 || kept.Secure {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, long-lived, not Secure on http", kept)
		}
		if strings.Contains(kept.Value, string(d.people["sam"])) || strings.Contains(kept.Value, "sam") {
			t.Errorf("cookie value %q names sam", kept.Value)
		}
	})
	if kept == nil {
		t.FailNow()
	}

	t.Run("KeptPageCarriesTheHeader", func(t *testing.T) {
		res := d.getWith(t, "sam", "/me/plan", kept)
		if h := res.Header().Get("Tend-Offline"); h != "keep" {
			t.Errorf("Tend-Offline %q, want keep", h)
		}
		if cc := res.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store (the HTTP cache keeps nothing)", cc)
		}
		body := res.Body.String()
		for _, want := range []string{"Saved on this device at", `name="keep" value="0"`, "Stop keeping it on this device",
			`data-offline-forget="/me/plan"`, `href="/help"`, `href="tel:`} {
			if !strings.Contains(body, want) {
				t.Errorf("kept plan page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`Saved on this device at \d{1,2} \w+ \d{4}, \d\d:\d\d\.`).MatchString(body) {
			t.Error("kept plan page does not say when it was saved")
		}
		// Notices in the address change nothing about keeping.
		if h := d.getWith(t, "sam", "/me/plan?saved=1", kept).Header().Get("Tend-Offline"); h != "keep" {
			t.Errorf("/me/plan?saved=1: Tend-Offline %q, want keep", h)
		}
	})

	t.Run("OnlyThePlan", func(t *testing.T) {
		for _, p := range []string{"/me", "/me/plan/edit", "/me/plan/history", "/me/settings"} {
			if h := d.getWith(t, "sam", p, kept).Header().Get("Tend-Offline"); h != "" {
				t.Errorf("%s: Tend-Offline %q, want none", p, h)
			}
		}
	})

	t.Run("AnotherPersonDoesNotInheritTheChoice", func(t *testing.T) {
		res := d.getWith(t, "alex", "/me/plan", kept)
		if res.Code != http.StatusOK {
			t.Fatalf("status %d", res.Code)
		}
		if h := res.Header().Get("Tend-Offline"); h != "" {
			t.Errorf("alex, on a device where sam chose to keep sam's plan: Tend-Offline %q", h)
		}
		if strings.Contains(res.Body.String(), "Saved on this device at") {
			t.Error("alex's plan page says it is kept on this device")
		}
		if res := d.getWith(t, "lee@example.org", "/me/plan", kept); res.Code != http.StatusNotFound || res.Header().Get("Tend-Offline") != "" {
			t.Errorf("lee: %d, Tend-Offline %q; want 404 and none", res.Code, res.Header().Get("Tend-Offline"))
		}
		if res := d.getWith(t, "", "/me/plan", kept); res.Code != http.StatusSeeOther || res.Header().Get("Tend-Offline") != "" {
			t.Errorf("signed out: %d, Tend-Offline %q; want 303 to sign in and none", res.Code, res.Header().Get("Tend-Offline"))
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, v := range []url.Values{{}, {"keep": {"yes"}}} {
			res := d.post(t, "sam", "/me/plan/device", v)
			if res.Code != http.StatusBadRequest || keepCookie(res) != nil {
				t.Errorf("keep=%q: %d, cookie %v; want 400 and no cookie", v.Get("keep"), res.Code, keepCookie(res))
			}
		}
	})

	t.Run("Stop", func(t *testing.T) {
		res := d.post(t, "sam", "/me/plan/device", url.Values{"keep": {"0"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("stop: %d", res.Code)
		}
		if c := keepCookie(res); c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("stop: cookie %+v, want it cleared", c)
		}
		// The browser drops the cookie: the next answer has no header, which
		// tells the service worker to remove its copy.
		if h := d.get(t, "sam", "/me/plan").Header().Get("Tend-Offline"); h != "" {
			t.Errorf("after stopping: Tend-Offline %q", h)
		}
	})

	t.Run("SignOutEndsTheChoice", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/signout", strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(kept)
		res := d.do(t, "sam", req)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("sign out: %d", res.Code)
		}
		if c := keepCookie(res); c == nil || c.MaxAge >= 0 {
			t.Errorf("sign-out: keep cookie %+v, want it cleared", c)
		}
	})
}

// TestOfflineQueueOwner: signed-in pages tag their account for the offline
// queue (an entry is sent only by the account that wrote it) and carry the
// queue's words from the catalogue; public pages carry neither.
func TestOfflineQueueOwner(t *testing.T) {
	d := newDemoServer(t)
	owner := regexp.MustCompile(`<body data-owner="([0-9a-f]+)">`)
	tag := func(who, path string) string {
		m := owner.FindStringSubmatch(d.get(t, who, path).Body.String())
		if m == nil {
			return ""
		}
		return m[1]
	}
	sam, alex, lee := tag("sam", "/me"), tag("alex", "/me"), tag("lee@example.org", "/clinic")
	if sam == "" || alex == "" || lee == "" {
		t.Fatalf("owner tags: sam %q, alex %q, lee %q; want one on every signed-in page", sam, alex, lee)
	}
	if sam == alex || sam == lee {
		t.Errorf("two accounts share an owner tag: sam %q, alex %q, lee %q", sam, alex, lee)
	}
	if again := tag("sam", "/me/plan"); again != sam {
		t.Errorf("sam's tag changes between pages: %q, %q", sam, again)
	}
	if strings.Contains(sam, string(d.people["sam"])) {
		t.Errorf("owner tag %q is sam's id", sam)
	}
	body := d.get(t, "sam", "/me").Body.String()
	for _, want := range []string{`id="offline-text"`, "Saved on this device. It will be sent when you are back online.",
		`data-unsent-many="{n} entries on this device have not been sent yet. Sign out anyway and lose them?"`, "data-sign-out"} {
		if !strings.Contains(body, want) {
			t.Errorf("sam's home page lacks %q", want)
		}
	}
	for _, p := range []string{"/help", "/signin"} {
		body := d.get(t, "", p).Body.String()
		if strings.Contains(body, "data-owner") || strings.Contains(body, `id="offline-text"`) {
			t.Errorf("%s, signed out, carries the offline queue's owner or words", p)
		}
	}
}
