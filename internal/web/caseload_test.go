package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/skills"
)

// TestCaseload: Lee's caseload shows each person's open follow-up task
// (linked), homework and next-session columns, ordered by open task
// (oldest first) by default or by the clinician's choice, remembered on
// the device; never a score. Morgan (lead) sees the teams' open tasks by
// age in the inbox; Lee gets the working-hours notice.
func TestCaseload(t *testing.T) {
	d := newDemoServer(t)
	lee := tend.Actor{Kind: tend.KindStaff, ID: tend.ID(d.staffID(t, "lee@example.org")), Role: tend.RoleClinician, MFA: true}
	if _, err := d.skills.Assign(context.Background(), lee, d.people["sam"], skills.Assignment{Item: "skill:stop", PerWeek: 3}); err != nil {
		t.Fatal(err)
	}
	// A planned session for sam, a week ahead.
	ctx := context.Background()
	today := time.Now()
	ep, err := d.episodes.Refer(ctx, lee, d.people["sam"], episodes.NewReferral{ReferredOn: today.AddDate(0, 0, -14).Format(time.DateOnly), Source: episodes.SourceSelf, Modality: "DBT"})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := d.episodes.Decide(ctx, lee, d.people["sam"], ep.ID, &yes, today.AddDate(0, 0, -7).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	next := today.AddDate(0, 0, 7)
	if _, _, err := d.episodes.RecordSession(ctx, lee, d.people["sam"], episodes.NewSession{HeldOn: next.Format(time.DateOnly), Kind: episodes.SessionIndividual, Key: "k"}); err != nil {
		t.Fatal(err)
	}
	body := d.get(t, "lee@example.org", "/clinic").Body.String()
	mustContain(t, "lee's caseload", body, "STOP, 3 times a week", "None open", `<option value="tasks" selected>`,
		next.Format("Mon 2 Jan")+" (Individual)")
	if strings.Index(body, ">alex<") > strings.Index(body, ">sam<") {
		t.Error("without tasks the caseload is not by name")
	}

	// Sam asks to be contacted: sam's row leads, with the task linked.
	if res := d.post(t, "sam", "/me/contact/notice", nil); res.Code != 303 {
		t.Fatalf("notice: %d", res.Code)
	}
	d.askContact(t, "sam", d.contactKey(t, "sam"), "call")
	body = d.get(t, "lee@example.org", "/clinic").Body.String()
	if !taskLink.MatchString(body) {
		t.Fatalf("lee's caseload has no link to sam's task\n%s", body)
	}
	mustContain(t, "lee's caseload with a task", body, "Open since")
	if strings.Index(body, ">sam<") > strings.Index(body, ">alex<") {
		t.Error("the person with an open task does not come first")
	}
	mustNotContain(t, "lee's caseload", body, "risk", "score")

	// The clinician's own order, kept on the device.
	res := d.get(t, "lee@example.org", "/clinic?order=name")
	if c := res.Header().Get("Set-Cookie"); !strings.Contains(c, "tend_caseload_order=name") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("order cookie: %q", c)
	}
	body = res.Body.String()
	mustContain(t, "by name", body, `<option value="name" selected>`)
	if strings.Index(body, ">alex<") > strings.Index(body, ">sam<") {
		t.Error("?order=name is not by name")
	}

	mustNotContain(t, "kim's caseload", d.get(t, "kim@example.org", "/clinic").Body.String(), ">sam<", "STOP")

	// The inbox: the working-hours notice for everyone, the team view for leads.
	mustContain(t, "lee's inbox", d.get(t, "lee@example.org", "/clinic/tasks").Body.String(), "Your service is")
	mustNotContain(t, "lee's inbox", d.get(t, "lee@example.org", "/clinic/tasks").Body.String(), "Your teams&#39; open tasks")
	body = d.get(t, "morgan@example.org", "/clinic/tasks").Body.String()
	mustContain(t, "morgan's inbox", body, "Your teams&#39; open tasks", ">sam<")
	mustNotContain(t, "morgan's inbox", body, "by phone call")
	mustContain(t, "nia's inbox", d.get(t, "nia@example.org", "/clinic/tasks").Body.String(), "Your teams have no open follow-up tasks.")
}

// TestNoteForASession: a note can belong to one of the person's sessions,
// chosen from a list; an id that is not one of them changes nothing.
func TestNoteForASession(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	lee := tend.Actor{Kind: tend.KindStaff, ID: tend.ID(d.staffID(t, "lee@example.org")), Role: tend.RoleClinician, MFA: true}
	sam := d.people["sam"]
	today := time.Now()
	ep, err := d.episodes.Refer(ctx, lee, sam, episodes.NewReferral{ReferredOn: today.AddDate(0, 0, -14).Format(time.DateOnly), Source: episodes.SourceSelf, Modality: "DBT"})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := d.episodes.Decide(ctx, lee, sam, ep.ID, &yes, today.AddDate(0, 0, -7).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	ses, _, err := d.episodes.RecordSession(ctx, lee, sam, episodes.NewSession{HeldOn: today.Format(time.DateOnly), Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	page := "/clinic/people/" + string(sam) + "/notes"
	mustContain(t, "the notes form", d.get(t, "lee@example.org", page).Body.String(), `<option value="`+string(ses.ID)+`"`, "Not tied to a session")
	if res := d.post(t, "lee@example.org", page, url.Values{"kind": {"note"}, "session": {string(tend.NewID())}, "text": {"A note for no session of sam's"}}); res.Code != 400 {
		t.Errorf("a session that is not sam's: %d, want 400", res.Code)
	}
	if res := d.post(t, "lee@example.org", page, url.Values{"kind": {"note"}, "session": {string(ses.ID)}, "text": {"Went through the week together."}}); res.Code != 303 {
		t.Fatalf("note for the session: %d\n%s", res.Code, res.Body.String())
	}
	body := d.get(t, "lee@example.org", page).Body.String()
	mustContain(t, "the notes", body, "for the session of "+today.Format("Mon 2 Jan 2006"), "Went through the week together.")
	mustNotContain(t, "the notes", body, "A note for no session of sam&#39;s")
}
