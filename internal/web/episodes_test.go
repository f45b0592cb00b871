package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/settings"
)

var (
	episodeAction    = regexp.MustCompile(`action="/clinic/people/[^/]+/episodes/([^/]+)/(decision|start|discharge)"`)
	attendanceAction = regexp.MustCompile(`action="(/clinic/people/[^/]+/sessions/[^/]+/attendance)"`)
	sessionKey       = regexp.MustCompile(`(?s)id="session-form".*?name="idempotency_key" value="([^"]+)"`)
)

func (d *demoServer) countRows(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.db.Writer().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// episodeStep posts one form of the episodes page as lee and wants status.
func (d *demoServer) episodeStep(t *testing.T, path string, form url.Values, want int) string {
	t.Helper()
	res := d.post(t, "lee@example.org", path, form)
	if res.Code != want {
		t.Fatalf("POST %s %v: %d, want %d\n%s", path, form, res.Code, want, res.Body.String())
	}
	return res.Body.String()
}

// TestEpisodesWithoutJavaScript walks a person from referral to discharge
// with follow-up consent through the plain forms of the episodes page.
func TestEpisodesWithoutJavaScript(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	sam := d.people["sam"]
	base := "/clinic/people/" + string(sam)
	today := time.Now().UTC().Format(time.DateOnly)
	state := func() tend.PersonState {
		t.Helper()
		s, err := d.db.FindPersonLifecycle(ctx, sam)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	page := func() string {
		t.Helper()
		res := d.get(t, "lee@example.org", base+"/episodes")
		if res.Code != http.StatusOK {
			t.Fatalf("episodes page: %d", res.Code)
		}
		return html.UnescapeString(res.Body.String())
	}

	if p := page(); !strings.Contains(p, "Record a referral") || !strings.Contains(p, `<option value="DBT-A">`) {
		t.Fatalf("no referral form with the default modalities:\n%s", p)
	}
	// A modality off the list is refused in place and changes nothing.
	body := d.episodeStep(t, base+"/episodes", url.Values{"referred_on": {today}, "source": {"self"}, "modality": {"EMDR"}}, http.StatusBadRequest)
	if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "modality") {
		t.Fatalf("no problem shown:\n%s", body)
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM episodes`); n != 0 {
		t.Fatalf("%d episodes after a refused referral", n)
	}
	d.episodeStep(t, base+"/episodes", url.Values{"referred_on": {today}, "source": {"primary_care"}, "modality": {"DBT"}}, http.StatusSeeOther)
	m := episodeAction.FindStringSubmatch(page())
	if m == nil || m[2] != "decision" {
		t.Fatalf("no decision form after the referral")
	}
	ep := base + "/episodes/" + m[1]
	d.episodeStep(t, ep+"/decision", url.Values{"accepted": {"yes"}, "decided_on": {today}}, http.StatusSeeOther)
	d.episodeStep(t, ep+"/start", url.Values{"started_on": {today}}, http.StatusSeeOther)
	if s := state(); s != tend.StateInTreatment {
		t.Fatalf("state %s after the start", s)
	}

	// A session, sent twice with its key (a double click), is one session.
	k := sessionKey.FindStringSubmatch(page())
	if k == nil {
		t.Fatal("the session form carries no idempotency key")
	}
	session := url.Values{"held_on": {today}, "kind": {"individual"}, "attendance": {"attended"}, "idempotency_key": {k[1]}}
	d.episodeStep(t, base+"/sessions", session, http.StatusSeeOther)
	d.episodeStep(t, base+"/sessions", session, http.StatusSeeOther)
	if n := d.countRows(t, `SELECT COUNT(*) FROM care_sessions WHERE person_id = $1`, string(sam)); n != 1 {
		t.Fatalf("%d sessions after a resend", n)
	}
	next := time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly)
	d.episodeStep(t, base+"/sessions", url.Values{"held_on": {next}, "kind": {"skills_group"}, "attendance": {"planned"}, "idempotency_key": {"next-1"}}, http.StatusSeeOther)
	d.episodeStep(t, base+"/incidents", url.Values{"occurred_on": {today}, "kind": {"emergency_department"}, "medical_care": {"not_sure"}, "idempotency_key": {"i-1"}}, http.StatusSeeOther)
	// A session planned for today gets its attendance once held.
	d.episodeStep(t, base+"/sessions", url.Values{"held_on": {today}, "kind": {"phone_coaching"}, "attendance": {"planned"}, "idempotency_key": {"today-1"}}, http.StatusSeeOther)
	due := attendanceAction.FindStringSubmatch(page())
	if due == nil {
		t.Fatal("no attendance form for today's planned session")
	}
	d.episodeStep(t, due[1], url.Values{"attendance": {"late"}}, http.StatusBadRequest)
	d.episodeStep(t, due[1], url.Values{"attendance": {"did_not_attend"}}, http.StatusSeeOther)
	d.episodeStep(t, due[1], url.Values{"attendance": {"attended"}}, http.StatusConflict)
	if n := d.countRows(t, `SELECT COUNT(*) FROM care_sessions WHERE person_id = $1 AND attendance = 'did_not_attend'`, string(sam)); n != 1 {
		t.Fatalf("%d sessions not attended, want the one just recorded", n)
	}
	if p := page(); !strings.Contains(p, "Next session:") || !strings.Contains(p, "Emergency department attendance") {
		t.Fatalf("page lacks the next session or the incident:\n%s", p)
	}

	// Discharge without an answer to the consent question changes nothing.
	body = d.episodeStep(t, ep+"/discharge", url.Values{"ended_on": {today}}, http.StatusBadRequest)
	if !strings.Contains(body, "consent") {
		t.Fatalf("no problem about consent:\n%s", body)
	}
	if s := state(); s != tend.StateInTreatment {
		t.Fatalf("state %s after a refused discharge", s)
	}
	d.episodeStep(t, ep+"/discharge", url.Values{"ended_on": {today}, "follow_up": {"yes"}}, http.StatusSeeOther)
	if s := state(); s != tend.StateFollowUp {
		t.Fatalf("state %s after discharge with consent", s)
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM care_team_members WHERE person_id = $1 AND state = 'active'`, string(sam)); n != 0 {
		t.Fatalf("%d memberships still active after discharge", n)
	}
	// Lee, now follow-up only, still sees the follow-up points.
	p := page()
	if !strings.Contains(p, "Follow-up points") || !strings.Contains(p, "12 months") {
		t.Fatalf("no follow-up points:\n%s", p)
	}
	if strings.Contains(p, "Close the record") || strings.Contains(p, `id="session-form"`) {
		t.Fatal("closing or a session offered while the follow-up windows are still to come")
	}
	// Closing waits for the last follow-up window, and says when.
	body = d.episodeStep(t, base+"/close", url.Values{}, http.StatusConflict)
	if !strings.Contains(body, "The last follow-up window closes on") {
		t.Fatalf("no reason given for refusing to close:\n%s", body)
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM audit_events WHERE actor_id = $1 AND action = 'episode.read' AND person_id = $2`, d.staffID(t, "lee@example.org"), string(sam)); n == 0 {
		t.Fatal("lee's reads of the episodes page were not audited")
	}

	// Sam sees their care, and their own tools stay on.
	res := d.get(t, "sam", "/me/care")
	mine := html.UnescapeString(res.Body.String())
	if res.Code != http.StatusOK || !strings.Contains(mine, "DBT") || !strings.Contains(mine, "you came") || !strings.Contains(mine, "around ") {
		t.Fatalf("/me/care: %d\n%s", res.Code, mine)
	}
	if strings.Contains(mine, "Emergency department") {
		t.Fatal("the person's care page lists incidents the care team recorded")
	}
	for _, path := range []string{"/me/plan", "/me/toolbox", "/me/journal", "/help"} {
		if res := d.get(t, "sam", path); res.Code != http.StatusOK {
			t.Errorf("after discharge %s: %d", path, res.Code)
		}
	}
}

// TestSettingsKeepEpisodeChoices shows the modality list and the follow-up
// window on the admin settings form: a save keeps what the admin wrote, a
// bad window changes nothing, and the episodes page offers the new list.
func TestSettingsKeepEpisodeChoices(t *testing.T) {
	d := newDemoServer(t)
	res := d.get(t, "admin@example.org", "/admin/settings")
	body := res.Body.String()
	if res.Code != http.StatusOK || !strings.Contains(body, `name="modalities"`) || !strings.Contains(body, "DBT-A") || !strings.Contains(body, `name="follow_up_window_weeks"`) {
		t.Fatalf("settings form: %d, lacks the episode settings", res.Code)
	}
	bad := settingsForm(t, func(f url.Values) { f.Set("modalities", "DBT\nCBT"); f.Set("follow_up_window_weeks", "many") })
	if res := d.post(t, "admin@example.org", "/admin/settings", bad); res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "whole number of weeks") {
		t.Fatalf("a bad window: %d", res.Code)
	}
	good := settingsForm(t, func(f url.Values) {
		f.Set("modalities", "DBT\r\n\r\nSchema therapy\n")
		f.Set("follow_up_window_weeks", "2")
	})
	if res := d.post(t, "admin@example.org", "/admin/settings", good); res.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.Code, res.Body.String())
	}
	st, _ := d.srvSettings(t)
	if !slices.Equal(st.Modalities, []string{"DBT", "Schema therapy"}) || st.FollowUpWindowWeeks != 2 {
		t.Fatalf("saved %q, %d weeks", st.Modalities, st.FollowUpWindowWeeks)
	}
	page := html.UnescapeString(d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/episodes").Body.String())
	if !strings.Contains(page, `<option value="Schema therapy">`) || strings.Contains(page, `<option value="MBT">`) {
		t.Fatal("the referral form does not offer the service's own modality list")
	}
}

// srvSettings reads the saved settings back from the database.
func (d *demoServer) srvSettings(t *testing.T) (settings.Settings, int64) {
	t.Helper()
	s, v, err := d.db.FindSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}
