package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/testenv"
)

// postJSON posts body as JSON, as push.js does.
func (d *demoServer) postJSON(t *testing.T, who, path string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	return d.do(t, who, r)
}

func TestNotifyEmailSettingsForm(t *testing.T) {
	d := newDemoServer(t)
	address := strings.ToLower(strings.ReplaceAll(testenv.Canary("email"), "-", "")) + "@example.org"

	// A bad address is re-rendered with the problem linked to the field.
	res := d.post(t, "sam", "/me/settings/email", url.Values{"email": {"not an address"}})
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), `aria-describedby="email-error"`) ||
		!strings.Contains(res.Body.String(), `href="#email"`) {
		t.Fatalf("bad address: %d\n%s", res.Code, res.Body.String())
	}

	res = d.post(t, "sam", "/me/settings/email", url.Values{"email": {address}})
	if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header().Get("Location"), "/me/settings?saved=email_sent") {
		t.Fatalf("add: %d %s\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
	}
	msg := d.smtp.WaitFor(t, 1, 10*time.Second)[0]
	if msg.To[0] != address || strings.Contains(msg.Body, "sam") {
		t.Fatalf("verification e-mail to %v: %q", msg.To, msg.Body)
	}
	page := d.get(t, "sam", "/me/settings").Body.String()
	if !strings.Contains(page, address) || !strings.Contains(page, "Open it within 24 hours") {
		t.Fatalf("the settings page does not show the pending address:\n%s", page)
	}
	// Nobody else sees it.
	for _, who := range []string{"alex", "lee@example.org", "admin@example.org"} {
		for _, path := range []string{"/me/settings", "/clinic/people/" + string(d.people["sam"]), "/admin"} {
			if strings.Contains(d.get(t, who, path).Body.String(), address) {
				t.Errorf("%s sees sam's address at %s", who, path)
			}
		}
	}

	i := strings.Index(msg.Body, "https://tend.example"+notify.VerifyPath+"?t=")
	if i < 0 {
		t.Fatalf("no link in %q", msg.Body)
	}
	link, _ := url.Parse(strings.Fields(msg.Body[i:])[0])
	token := link.Query().Get("t")

	// Opening the link shows a button; it confirms nothing by itself.
	res = d.get(t, "", link.RequestURI())
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), `action="/email/verify"`) {
		t.Fatalf("verify page: %d\n%s", res.Code, res.Body.String())
	}
	if st, _ := d.notify.Email(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}); st.Verified {
		t.Fatal("opening the link confirmed the address")
	}
	res = d.post(t, "", "/email/verify", url.Values{"t": {token}})
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "is confirmed") {
		t.Fatalf("confirm: %d\n%s", res.Code, res.Body.String())
	}
	res = d.post(t, "", "/email/verify", url.Values{"t": {token}})
	if res.Code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(res.Body.String()), "already been used") {
		t.Fatalf("second use: %d", res.Code)
	}
	if page := d.get(t, "sam", "/me/settings").Body.String(); !strings.Contains(page, "Reminders can be sent to "+address) {
		t.Fatalf("not shown as confirmed:\n%s", page)
	}

	res = d.post(t, "sam", "/me/settings/email/remove", nil)
	if res.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.Code)
	}
	if page := d.get(t, "sam", "/me/settings").Body.String(); strings.Contains(page, address) || !strings.Contains(page, "You have not added an e-mail address.") {
		t.Fatal("the address is still shown after removing it")
	}
	if n := d.auditCount(t, "sam", notify.AuditEmailAdded, notify.AuditEmailVerified, notify.AuditEmailRemoved); n != 3 {
		t.Fatalf("%d audit events, want 3", n)
	}
	if testenv.RawContains(t, d.db, address, "audit_events", "person_emails") {
		t.Fatal("the address is stored in plain text")
	}
}

func TestNotifyPushSubscribe(t *testing.T) {
	d := newDemoServer(t)
	push := testenv.NewPushReceiver(t)
	ctx := context.Background()

	res := d.get(t, "", "/push/key")
	var key struct{ Key string }
	if res.Code != http.StatusOK || json.Unmarshal(res.Body.Bytes(), &key) != nil || len(key.Key) < 80 {
		t.Fatalf("key: %d %s", res.Code, res.Body.String())
	}

	sub := push.Subscribe(t)
	for _, who := range []string{"sam", "lee@example.org"} {
		if res := d.postJSON(t, who, "/push", sub.JSON()); res.Code != http.StatusNoContent {
			t.Fatalf("%s subscribe: %d %s", who, res.Code, res.Body.String())
		}
	}
	if res := d.postJSON(t, "", "/push", sub.JSON()); res.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous subscribe: %d", res.Code)
	}
	bad := sub
	bad.Endpoint = "https://push.evil.example/x"
	res = d.postJSON(t, "sam", "/push", bad.JSON())
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "not one this service allows") {
		t.Fatalf("bad host: %d %s", res.Code, res.Body.String())
	}

	sam := tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}
	if n, _ := d.notify.PushCount(ctx, sam); n != 1 {
		t.Fatalf("sam has %d subscriptions, want 1", n)
	}
	r, err := d.notify.Deliver(ctx, notify.Recipient{Kind: tend.KindPerson, ID: sam.ID}, notify.Message{ID: "w1", Kind: notify.KindReminder, Path: "/me"})
	if err != nil || r.Push != 1 {
		t.Fatalf("deliver: %+v %v", r, err)
	}
	if p := push.WaitFor(t, 1, 10*time.Second)[0]; !strings.Contains(string(p.Payload), `"path":"/me"`) {
		t.Fatalf("payload %s", p.Payload)
	}

	if res := d.postJSON(t, "sam", "/push/remove", sub.JSON()); res.Code != http.StatusNoContent {
		t.Fatalf("unsubscribe: %d", res.Code)
	}
	if n, _ := d.notify.PushCount(ctx, sam); n != 0 {
		t.Fatalf("sam has %d subscriptions after unsubscribing", n)
	}
	// Lee's subscription to the same endpoint is lee's own and stays.
	if n, _ := d.notify.PushCount(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.ID(d.staffID(t, "lee@example.org"))}); n != 1 {
		t.Fatalf("lee has %d subscriptions, want 1", n)
	}
}
