package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/demo"
)

// TestAdminNudgeSettings: the reminders of unacknowledged tasks are set on
// the settings page, in words; text that is not a working time is named
// next to its field and nothing is saved.
func TestAdminNudgeSettings(t *testing.T) {
	d := newDemoServer(t)
	d.run(t, []adminCase{
		{name: "Shown", who: "admin@example.org", method: "GET", path: "/admin/settings", wantStatus: 200,
			wantContains: []string{`<input id="nudges.team" name="nudges.team" value=""`, `<input id="nudges.lead" name="nudges.lead" value=""`,
				"Leave empty for 1 working day."}},
		{name: "ErrNotAWorkingTime", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form: settingsForm(t, func(f url.Values) { f.Set("nudges.team", "tomorrow-ish") }), wantStatus: 400,
			wantContains: []string{`<span class="field-error" id="nudges.team-error">Care team reminder: write a time such as`,
				`value="tomorrow-ish" aria-describedby="nudges.team-hint nudges.team-error" aria-invalid="true"`}},
		{name: "ErrTooLong", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form: settingsForm(t, func(f url.Values) { f.Set("nudges.lead", "30 working days") }), wantStatus: 400,
			wantContains: []string{`id="nudges.lead-error">Team lead reminder: at most 10 working days.`}},
		{name: "NothingSaved", who: "admin@example.org", method: "GET", path: "/admin/settings", wantStatus: 200,
			wantContains: []string{`<input id="nudges.team" name="nudges.team" value=""`}},
		{name: "Save", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form:       settingsForm(t, func(f url.Values) { f.Set("nudges.team", "4 Working Hours"); f.Set("nudges.lead", "off") }),
			wantStatus: 303, wantLocation: "/admin/settings?saved=1"},
		{name: "SavedShown", who: "admin@example.org", method: "GET", path: "/admin/settings?saved=1", wantStatus: 200,
			wantContains: []string{`name="nudges.team" value="4 working hours"`, `name="nudges.lead" value="off"`}},
	})
	st, _ := d.cache.Get()
	if st.Nudges.Team.Hours != 4 || !st.Nudges.Lead.Off {
		t.Fatalf("saved %+v", st.Nudges)
	}
}

// TestAdminHomeLeadMissing: the admin home names the teams without an
// active lead, whom the second reminder of an unacknowledged task would
// reach; Tend never sends it to someone else instead.
func TestAdminHomeLeadMissing(t *testing.T) {
	d := newDemoServer(t)
	if _, err := d.db.Writer().Exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t-leadless', 'Leadless Lane', 'care', $1)`, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	body := d.get(t, "admin@example.org", "/admin").Body.String()
	if !strings.Contains(body, `id="lead-missing">These teams have no active lead`) || !strings.Contains(body, "Leadless Lane") {
		t.Fatalf("the admin home does not name the team without a lead:\n%s", body)
	}
	if strings.Contains(body, demo.TeamRiverside+",") || strings.Contains(body, ": "+demo.TeamRiverside+".") {
		t.Error("a team with a lead is named")
	}
	if res := d.get(t, "morgan@example.org", "/admin"); strings.Contains(res.Body.String(), "Leadless Lane") {
		t.Error("a lead who is not an admin sees the admin notice")
	}
}
