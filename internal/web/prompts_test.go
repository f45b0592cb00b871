package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/store"
)

var flagForm = regexp.MustCompile(`action="(/clinic/people/[0-9a-f-]{36}/flags/[0-9a-f-]{36}/discussed)"`)

// TestSafetyPromptPages: Lee changes what a recorded act does for Sam; Sam
// sees the change with Lee's name; the act is then kept for the next
// session, where Lee sees it (kind and time only) and marks it gone
// through. Each step is audited.
func TestSafetyPromptPages(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	sam := d.people["sam"]
	page := "/clinic/people/" + string(sam) + "/safety-prompts"

	res := d.get(t, "sam", "/me/safety-prompts")
	mustContain(t, "sam's safety prompts", res.Body.String(), "Your care team gets a follow-up task", "When you rate an urge to end your life at 4 or more", "/help", "/me/plan")
	mustNotContain(t, "sam's safety prompts", res.Body.String(), "changed this for you")

	res = d.post(t, "lee@example.org", page, url.Values{"prompt.act": {"next_session"}, "prompt.urge_to_die": {""}})
	if res.Code != 303 {
		t.Fatalf("lee saves: %d\n%s", res.Code, res.Body.String())
	}
	if n := d.auditCount(t, "sam", followup.AuditPersonRuleSet); n != 1 {
		t.Errorf("%d rule changes audited, want 1 (only the changed prompt)", n)
	}
	res = d.post(t, "lee@example.org", page, url.Values{"prompt.act": {"whenever"}})
	if res.Code != 400 {
		t.Errorf("an unknown response: %d, want 400", res.Code)
	}
	res = d.post(t, "morgan@example.org", page, url.Values{"prompt.act": {"none"}})
	if res.Code != 403 {
		t.Errorf("the lead changes a person's prompts: %d, want 403", res.Code)
	}
	res = d.get(t, "sam", "/me/safety-prompts")
	mustContain(t, "sam's safety prompts after the change", res.Body.String(), "It is kept for your next session", "changed this for you on")

	// A recorded act (as the diary will raise it) is kept for the session.
	err := d.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := d.followUp.Raise(ctx, tx, tend.Actor{Kind: tend.KindPerson, ID: sam}, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: tend.NewID()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res = d.get(t, "lee@example.org", page)
	body := res.Body.String()
	mustContain(t, "lee's view", body, "recorded a self-harm act", "recorded ", "received ")
	m := flagForm.FindStringSubmatch(body)
	if res.Code != 200 || m == nil {
		t.Fatalf("lee's view: %d, no flag\n%s", res.Code, body)
	}
	if res := d.get(t, "kim@example.org", page); res.Code != 404 {
		t.Errorf("kim: %d", res.Code)
	}
	if res := d.post(t, "morgan@example.org", m[1], nil); res.Code != 403 {
		t.Errorf("morgan marks the flag: %d, want 403", res.Code)
	}
	if res := d.post(t, "lee@example.org", m[1], nil); res.Code != 303 {
		t.Fatalf("lee marks the flag: %d", res.Code)
	}
	if res := d.get(t, "lee@example.org", page); flagForm.MatchString(res.Body.String()) {
		t.Error("the flag is still listed after it was gone through")
	}
	if n := d.auditCount(t, "sam", followup.AuditFlagAdded, followup.AuditFlagDiscussed); n != 2 {
		t.Errorf("%d flag events audited, want 2", n)
	}
}

// TestStaffAlertAndQueue: a contact request gives Lee a neutral alert on
// every staff page until Lee opens the tasks; with the care team gone and no
// duty team, the lead finds the task in the team queue.
func TestStaffAlertAndQueue(t *testing.T) {
	d := newDemoServer(t)
	if res := d.post(t, "sam", "/me/contact/notice", nil); res.Code != 303 {
		t.Fatalf("notice: %d", res.Code)
	}
	key := d.contactKey(t, "sam")
	d.askContact(t, "sam", key, "call")
	res := d.get(t, "lee@example.org", "/clinic")
	mustContain(t, "lee's clinic page", res.Body.String(), "Follow-up tasks waiting for you: 1")
	mustNotContain(t, "lee's clinic page", res.Body.String(), "by phone call")
	if res := d.get(t, "kim@example.org", "/clinic"); regexp.MustCompile(`waiting for you`).MatchString(res.Body.String()) {
		t.Error("kim is alerted to sam's task")
	}
	d.get(t, "lee@example.org", "/clinic/tasks")
	mustNotContain(t, "lee's clinic page after opening the tasks", d.get(t, "lee@example.org", "/clinic").Body.String(), "waiting for you")

	if _, err := d.db.Writer().Exec(`UPDATE care_team_members SET state = 'ended' WHERE person_id = $1`, string(d.people["sam"])); err != nil {
		t.Fatal(err)
	}
	res = d.get(t, "morgan@example.org", "/clinic/queue")
	m := regexp.MustCompile(`action="(/clinic/tasks/[0-9a-f-]{36}/reroute)"`).FindStringSubmatch(res.Body.String())
	if res.Code != 200 || m == nil {
		t.Fatalf("morgan's queue: %d\n%s", res.Code, res.Body.String())
	}
	mustContain(t, "morgan's queue", res.Body.String(), "sam", "asked to be contacted")
	if res := d.get(t, "nia@example.org", "/clinic/queue"); regexp.MustCompile(`/reroute`).MatchString(res.Body.String()) {
		t.Error("the lead of another team sees sam's task in the queue")
	}
	if res := d.post(t, "morgan@example.org", m[1], nil); res.Code != 409 {
		t.Errorf("sending on with nobody to take it: %d, want 409", res.Code)
	}
	d.setDutyTeam(t, "Duty team")
	if res := d.post(t, "morgan@example.org", m[1], nil); res.Code != 303 {
		t.Errorf("sending on to the duty team: %d", res.Code)
	}
	mustContain(t, "dana's clinic page", d.get(t, "dana@example.org", "/clinic").Body.String(), "Follow-up tasks waiting for you: 1")
}

// TestSafetyScreen: what the person sees at once after a save with a
// trigger (safety-rules.md section 4).
func TestSafetyScreen(t *testing.T) {
	d := newDemoServer(t)
	screen := func(out followup.Outcome, act *time.Time) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/me/safety", nil)
		req.AddCookie(d.session(t, "sam"))
		rec := httptest.NewRecorder()
		d.srv.SafetyScreen(out, act).ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("safety screen: %d\n%s", rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	task := followup.Outcome{Response: followup.ResponseTask, Route: followup.RouteCareTeam, Added: true}
	today := time.Now()
	body := screen(task, &today)
	mustContain(t, "an act today", body, "Are you hurt, or have you taken anything?", "even if you feel fine", "won&#39;t stop bleeding", `href="tel:`,
		"Your care team", "not watched in real time", `href="/help"`)
	if strings.Index(body, "Are you hurt") > strings.Index(body, "Who will see this") {
		t.Error("physical safety does not come first")
	}
	yesterday := today.AddDate(0, 0, -1)
	mustContain(t, "an act yesterday", screen(task, &yesterday), "Are you hurt, or have you taken anything?")
	earlier := today.AddDate(0, 0, -5)
	body = screen(task, &earlier)
	mustContain(t, "an act five days ago", body, "Thank you for writing this down. Your care team will go through it with you.", `href="/help"`)
	mustNotContain(t, "an act five days ago", body, "Are you hurt")

	// Other triggers: the plan (sam has one in the demo) and help, calmly.
	body = screen(task, nil)
	mustContain(t, "an urge", body, "My safety plan", `href="/help"`)
	mustNotContain(t, "an urge", body, "Are you hurt", "Thank you for writing")
	mustContain(t, "kept for the next session", screen(followup.Outcome{Response: followup.ResponseNextSession, Route: followup.RouteCareTeam}, nil),
		"at your next session")
	mustContain(t, "nothing sent", screen(followup.Outcome{Response: followup.ResponseNone, Route: followup.RouteNone}, nil), "Nothing is sent to your care team")
	mustContain(t, "no route", screen(followup.Outcome{Response: followup.ResponseTask, Route: followup.RouteNone}, nil), "Your care team won&#39;t see this.")

	// Without a plan: the default card, never an empty plan.
	req := httptest.NewRequest(http.MethodGet, "/me/safety", nil)
	req.AddCookie(d.session(t, "riley"))
	rec := httptest.NewRecorder()
	d.srv.SafetyScreen(task, nil).ServeHTTP(rec, req)
	mustContain(t, "riley without a plan", rec.Body.String(), "You and your clinician can make your own plan together")
}
