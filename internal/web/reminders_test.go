package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRemindersPage drives the reminders form as a browser without
// JavaScript: a plain POST, a redirect, and the saved values shown again.
func TestRemindersPage(t *testing.T) {
	d := newDemoServer(t)

	page := d.get(t, "alex", "/me/reminders")
	if page.Code != http.StatusOK {
		t.Fatalf("GET /me/reminders: %d", page.Code)
	}
	body := page.Body.String()
	for _, want := range []string{
		`<form method="post" action="/me/reminders">`,
		`You have a reminder`,
		`discreet mode`,
		`data-push-enable hidden`,
		`src="/static/js/push.js"`,
		`href="/me/settings#email-heading"`,
		`value="20:00"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Opt-in: nothing is ticked until the person turns it on.
	if strings.Contains(body, " checked") {
		t.Error("a reminder is ticked before the person turned any on")
	}

	res := d.post(t, "alex", "/me/reminders", url.Values{"diary": {"on"}, "questionnaires": {"on"}, "at": {"19:45"},
		"weekly_day": {"3"}, "quiet_from": {"22:00"}, "quiet_to": {"07:00"}})
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/reminders?saved=1" {
		t.Fatalf("saving: %d %s\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
	}
	body = d.get(t, "alex", "/me/reminders?saved=1").Body.String()
	for _, want := range []string{
		`Your reminders are saved.`,
		`id="diary" name="diary" type="checkbox" value="on" checked`,
		`id="questionnaires" name="questionnaires" type="checkbox" value="on" checked`,
		`id="at" name="at" type="time" value="19:45"`,
		`<option value="3" selected>`,
		`value="22:00"`, `value="07:00"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("saved page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="homework" name="homework" type="checkbox" value="on" checked`) {
		t.Error("homework reminders on, though alex left them off")
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		res := d.post(t, "alex", "/me/reminders", url.Values{"diary": {"on"}, "at": {"7pm"}, "weekly_day": {"0"}, "quiet_from": {"22:00"}})
		if res.Code != http.StatusBadRequest {
			t.Fatalf("bad time: %d, want 400", res.Code)
		}
		body := res.Body.String()
		for _, want := range []string{`href="#at"`, `id="at-error"`, `aria-invalid="true"`, `href="#quiet_from"`, `id="quiet_from-error"`} {
			if !strings.Contains(body, want) {
				t.Errorf("problem page lacks %q", want)
			}
		}
		// What was entered is kept, and the saved preferences unchanged.
		if !strings.Contains(body, `value="7pm"`) {
			t.Error("the entered time is not shown back")
		}
		if saved := d.get(t, "alex", "/me/reminders").Body.String(); !strings.Contains(saved, `value="19:45"`) {
			t.Error("a refused form changed the saved time")
		}
	})

	t.Run("OnlyTheirOwn", func(t *testing.T) {
		// Sam sees their own (all off), never alex's.
		body := d.get(t, "sam", "/me/reminders").Body.String()
		if strings.Contains(body, `value="19:45"`) {
			t.Error("sam's page shows alex's reminder time")
		}
		if res := d.get(t, "lee@example.org", "/me/reminders"); res.Code != http.StatusNotFound {
			t.Errorf("staff: %d, want 404", res.Code)
		}
		if res := d.post(t, "lee@example.org", "/me/reminders", url.Values{"at": {"08:00"}}); res.Code != http.StatusNotFound {
			t.Errorf("staff saving: %d, want 404", res.Code)
		}
	})

	t.Run("Linked", func(t *testing.T) {
		for _, path := range []string{"/me", "/me/settings"} {
			if !strings.Contains(d.get(t, "alex", path).Body.String(), `href="/me/reminders"`) {
				t.Errorf("%s does not link to the reminders page", path)
			}
		}
	})
}
