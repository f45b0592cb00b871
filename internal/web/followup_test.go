package web_test

import (
	"context"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

// caches remembers each demo server's settings cache by its database, so a
// test can change a setting and refresh the cache as an admin's save does.
var caches sync.Map // *store.DB -> *settings.Cache

// newFollowUp wires the follow-up service as serve does: the duty team is
// read from the settings cache at each call.
func newFollowUp(db *store.DB, checker *access.Checker, v *vault.Vault, clock tend.Clock, cache *settings.Cache) *followup.Service {
	caches.Store(db, cache)
	return followup.NewService(store.For[followup.Tx](db), checker, v, clock, cache.FollowUp, nil)
}

// setDutyTeam makes the team named name the service's duty team.
func (d *demoServer) setDutyTeam(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	teams, err := d.db.FindTeams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := d.db.FindSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Name == name {
			st.DutyTeam = tm.ID
		}
	}
	if st.DutyTeam == "" {
		t.Fatalf("no team %q", name)
	}
	if err := settings.Save(ctx, d.db, st); err != nil {
		t.Fatal(err)
	}
	c, _ := caches.Load(d.db)
	if err := c.(*settings.Cache).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

var keyField = regexp.MustCompile(`name="idempotency_key" value="([0-9a-f]+)"`)

// contactKey opens the form and returns the key it carries.
func (d *demoServer) contactKey(t *testing.T, who string) string {
	t.Helper()
	res := d.get(t, who, "/me/contact")
	m := keyField.FindStringSubmatch(res.Body.String())
	if res.Code != 200 || m == nil {
		t.Fatalf("%s's contact form: %d, no key\n%s", who, res.Code, res.Body.String())
	}
	return m[1]
}

func (d *demoServer) askContact(t *testing.T, who, key, method string) {
	t.Helper()
	res := d.post(t, who, "/me/contact", url.Values{"idempotency_key": {key}, "method": {method}, "recorded_at": {"2026-11-27T10:00:00Z"}})
	if res.Code != 303 || res.Header().Get("Location") != "/me/contact/sent?how="+method {
		t.Fatalf("%s asks for contact: %d %s\n%s", who, res.Code, res.Header().Get("Location"), res.Body.String())
	}
}

func (d *demoServer) auditCount(t *testing.T, person string, actions ...string) int {
	t.Helper()
	id := d.people[person]
	events, err := d.db.FindAuditEvents(context.Background(), store.AuditFilter{PersonID: &id, Actions: actions})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustNotContain(t *testing.T, what, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s contains %q", what, b)
		}
	}
}

var taskLink = regexp.MustCompile(`href="/clinic/tasks/([0-9a-f-]{36})"`)

// TestFollowUpTasks walks issue 4's "Done when" lines for "Ask my care team
// to contact me" and discharge routing. Expectations are written by hand.
func TestFollowUpTasks(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	d.setDutyTeam(t, "Duty team")

	// Sam shares nothing with Lee: the task still reaches Lee, with only
	// the kind of trigger and the times.
	lee := tend.ID(d.memberID(t, "sam", "Lee"))
	var none []careteam.GrantChange
	for _, a := range access.Areas {
		if a.Shareable() {
			none = append(none, careteam.GrantChange{MemberID: lee, Area: a, Level: access.LevelNone})
		}
	}
	if err := d.careTeam.SetGrants(ctx, tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}, d.people["sam"], none); err != nil {
		t.Fatal(err)
	}

	home := d.get(t, "sam", "/me").Body.String()
	mustContain(t, "sam's home", home, `href="/me/contact"`, "Ask my care team to contact me")

	// The first-use notice comes before anything can raise a task.
	first := d.get(t, "sam", "/me/contact").Body.String()
	mustContain(t, "the first visit", first, "Before you ask: what happens", "nobody is called automatically", `action="/me/contact/notice"`, "Leave this site quickly")
	mustNotContain(t, "the first visit", first, "idempotency_key")
	if res := d.post(t, "sam", "/me/contact", url.Values{"idempotency_key": {"abc123"}, "method": {"call"}}); res.Code != 400 {
		t.Errorf("a request before the notice: %d, want 400", res.Code)
	}
	if res := d.post(t, "sam", "/me/contact/notice", nil); res.Code != 303 {
		t.Fatalf("notice seen: %d", res.Code)
	}

	// Three presses, then a retry of the first: one task, three entries.
	k1 := d.contactKey(t, "sam")
	d.askContact(t, "sam", k1, "call")
	d.askContact(t, "sam", d.contactKey(t, "sam"), "text")
	d.askContact(t, "sam", d.contactKey(t, "sam"), "next_session")
	d.askContact(t, "sam", k1, "call")

	sent := d.get(t, "sam", "/me/contact/sent?how=call")
	body := sent.Body.String()
	danger, talk, when := strings.Index(body, "In danger now or hurt?"), strings.Index(body, "Need to talk now?"), strings.Index(body, "When your care team will see this")
	if sent.Code != 200 || danger < 0 || talk < danger || when < talk {
		t.Errorf("the confirmation leads with danger, then talk, then when (%d: %d, %d, %d)", sent.Code, danger, talk, when)
	}
	st, _, _ := d.db.FindSettings(ctx)
	mustContain(t, "the confirmation", body, `href="tel:999"`, template.HTMLEscapeString(st.Emergency), "Your care team ", "It is not watched in real time", "You asked them to: by phone call.", "Leave this site quickly")
	mustNotContain(t, "the confirmation", body, "won&#39;t see this")

	inbox := d.get(t, "lee@example.org", "/clinic/tasks").Body.String()
	mustContain(t, "lee's inbox", inbox, "<td>sam</td>", "asked to be contacted (by phone call)", "asked to be contacted (by text message)", "asked to be contacted (at the next session)",
		"recorded Fri 27 Nov 2026 10:00", "received ")
	if n := strings.Count(inbox, "asked to be contacted"); n != 3 {
		t.Errorf("lee's inbox lists %d requests, want 3", n)
	}
	mustNotContain(t, "lee's inbox", inbox, "risk", "red", "amber", "score")
	m := taskLink.FindStringSubmatch(inbox)
	if m == nil {
		t.Fatal("no task link in lee's inbox")
	}
	task := "/clinic/tasks/" + m[1]

	// kim has no tie to sam; morgan leads sam's team; dana's duty team has
	// no task of sam's yet.
	if res := d.get(t, "kim@example.org", task); res.Code != 404 {
		t.Errorf("kim opens the task: %d, want 404", res.Code)
	}
	mustNotContain(t, "kim's inbox", d.get(t, "kim@example.org", "/clinic/tasks").Body.String(), "sam")
	if res := d.post(t, "kim@example.org", task+"/acknowledge", nil); res.Code != 404 {
		t.Errorf("kim acknowledges: %d, want 404", res.Code)
	}
	if res := d.get(t, "dana@example.org", task); res.Code != 404 {
		t.Errorf("dana opens a task not routed to her: %d, want 404", res.Code)
	}
	res := d.get(t, "morgan@example.org", task)
	if res.Code != 200 {
		t.Errorf("morgan opens the task: %d, want 200", res.Code)
	}
	mustContain(t, "morgan's view", res.Body.String(), "<dd>sam</dd>", "asked to be contacted", "<dd>Open</dd>")
	mustNotContain(t, "morgan's view", res.Body.String(), "/acknowledge", "/resolve")
	if res := d.post(t, "morgan@example.org", task+"/acknowledge", nil); res.Code != 403 {
		t.Errorf("morgan acknowledges: %d, want 403", res.Code)
	}

	// Lee acknowledges and resolves; each step is audited.
	if res := d.post(t, "lee@example.org", task+"/acknowledge", nil); res.Code != 303 {
		t.Fatalf("lee acknowledges: %d", res.Code)
	}
	mustContain(t, "the acknowledged task", d.get(t, "lee@example.org", task).Body.String(), "<dd>Acknowledged</dd>")
	if res := d.post(t, "lee@example.org", task+"/resolve", url.Values{"note": {""}}); res.Code != 400 {
		t.Errorf("resolve without a note: %d, want 400", res.Code)
	}
	if res := d.post(t, "lee@example.org", task+"/resolve", url.Values{"note": {"Rang sam back"}}); res.Code != 303 {
		t.Fatalf("lee resolves: %d", res.Code)
	}
	if n := d.auditCount(t, "sam", followup.AuditTaskAcknowledged); n != 1 {
		t.Errorf("%d acknowledge events", n)
	}
	if n := d.auditCount(t, "sam", followup.AuditTaskResolved); n != 1 {
		t.Errorf("%d resolve events", n)
	}
	if n := d.auditCount(t, "sam", followup.AuditTaskEntryAdded); n != 3 {
		t.Errorf("%d entry events, want 3", n)
	}
	mustContain(t, "lee's inbox after resolving", d.get(t, "lee@example.org", "/clinic/tasks").Body.String(), "No open follow-up tasks.")

	// Discharged: a new request reaches the duty team.
	if _, err := d.db.Writer().ExecContext(ctx, `UPDATE people SET state = 'discharged' WHERE id = $1`, string(d.people["sam"])); err != nil {
		t.Fatal(err)
	}
	d.askContact(t, "sam", d.contactKey(t, "sam"), "call")
	mustContain(t, "the confirmation after discharge", d.get(t, "sam", "/me/contact/sent?how=call").Body.String(), "duty team will see this")
	duty := d.get(t, "dana@example.org", "/clinic/tasks").Body.String()
	mustContain(t, "dana's inbox", duty, "<td>sam</td>", "asked to be contacted (by phone call)")
	mustContain(t, "lee's inbox after discharge", d.get(t, "lee@example.org", "/clinic/tasks").Body.String(), "No open follow-up tasks.")
	if m := taskLink.FindStringSubmatch(duty); m == nil || d.get(t, "dana@example.org", "/clinic/tasks/"+m[1]).Code != 200 {
		t.Error("dana cannot open the task routed to her duty team")
	}

	// A duty team with no active staff: sam is told no one will see it.
	if _, err := d.db.Writer().ExecContext(ctx, `UPDATE staff SET disabled_at = CURRENT_TIMESTAMP WHERE email = 'dana@example.org'`); err != nil {
		t.Fatal(err)
	}
	form := d.get(t, "sam", "/me/contact").Body.String()
	mustContain(t, "the form with no route", form, "Your care team won&#39;t see this.")
	d.askContact(t, "sam", d.contactKey(t, "sam"), "text")
	body = d.get(t, "sam", "/me/contact/sent?how=text").Body.String()
	mustContain(t, "the confirmation with no route", body, "In danger now or hurt?", "Need to talk now?", "Your care team won&#39;t see this.", `href="/help"`)
	mustNotContain(t, "the confirmation with no route", body, "will see this on", "will see this today", "is working now", "duty team will see")
}
