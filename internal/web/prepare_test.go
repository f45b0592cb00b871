package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/testenv"
)

// prepSeed gives sam what a session preparation page gathers: a DBT
// episode started five weeks ago with the last session attended a week ago
// and the next one planned; priya's medication; a diary card today with
// an act (which opens a follow-up task) and medication taken; two PHQ-9
// totals (18, then 11); homework practised since the session; a safety
// plan lee reviewed; and jo's group, attended since the session.
func prepSeed(t *testing.T, d *demoServer) {
	t.Helper()
	ctx := context.Background()
	samID := d.people["sam"]
	lee, priya, jo, sam := staffActor(t, d, "lee@example.org"), staffActor(t, d, "priya@example.org"), staffActor(t, d, "jo@example.org"), personActor(d, "sam")
	d.backdateJoining(t, "sam", 60)

	e, err := d.episodes.Refer(ctx, lee, samID, episodes.NewReferral{ReferredOn: demoDay(-50), Source: episodes.SourcePrimary, Modality: "DBT"})
	if err != nil {
		t.Fatal(err)
	}
	accepted := true
	if err := d.episodes.Decide(ctx, lee, samID, e.ID, &accepted, demoDay(-45)); err != nil {
		t.Fatal(err)
	}
	if err := d.episodes.Start(ctx, lee, samID, e.ID, demoDay(-35)); err != nil {
		t.Fatal(err)
	}
	for i, s := range []struct {
		day int
		att episodes.Attendance
	}{{-14, episodes.Attended}, {-7, episodes.Attended}, {-3, episodes.DidNotAttend}, {4, episodes.AttendancePlanned}} {
		if _, _, err := d.episodes.RecordSession(ctx, lee, samID, episodes.NewSession{HeldOn: demoDay(s.day), Kind: episodes.SessionIndividual,
			Attendance: s.att, Key: "prep-session-" + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}

	if _, _, err := d.medication.Add(ctx, priya, samID, medication.New{Name: "Sertraline", Dose: "50 mg", Schedule: "Once a day", StartedOn: demoDay(-40)}); err != nil {
		t.Fatal(err)
	}
	// Two cards in the baseline (the first 28 days from the start): one
	// act once with a strong urge, one strong urge ridden out.
	d.gridSave(t, "sam", dayOf(t, demoDay(-30)), "", map[diary.Field]int{
		diary.UrgeField("u.self_harm"): 4, diary.ActField("a.self_harm"): diary.Yes, diary.CountField("a.self_harm"): 1,
		diary.EmotionField("e.sadness"): 3, diary.FieldSkills: 5,
	})
	d.gridSave(t, "sam", dayOf(t, demoDay(-25)), "", map[diary.Field]int{
		diary.UrgeField("u.self_harm"): 4, diary.ActField("a.self_harm"): diary.No,
		diary.EmotionField("e.sadness"): 2, diary.FieldSkills: 1,
	})
	if _, _, err := d.episodes.RecordIncident(ctx, lee, samID, episodes.NewIncident{OccurredOn: demoDay(-20), Kind: episodes.IncidentEmergency,
		MedicalCare: episodes.MedicalYes, Key: "prep-incident"}); err != nil {
		t.Fatal(err)
	}
	d.gridSave(t, "sam", dayOf(t, demoDay(0)), "A note for today", map[diary.Field]int{
		diary.UrgeField("u.self_harm"): 4, diary.ActField("a.self_harm"): diary.Yes, diary.CountField("a.self_harm"): 2,
		diary.FieldMedication: diary.Yes, diary.FieldSkills: 5,
	})

	res := d.post(t, "lee@example.org", "/clinic/people/"+string(samID)+"/questionnaires/assign", url.Values{"instrument": {measure.PHQ9().ID}, "schedule": {"every_weeks"}, "weeks": {"2"}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("lee assigns PHQ-9: %d", res.Code)
	}
	a := d.qcAssignmentOf(t, measure.PHQ9().ID)
	d.qcAnswer(t, d.qcDueOn(t, a, dayOf(t, demoDay(-28))), 2, 2, 2, 2, 2, 2, 2, 2, 2)
	d.qcAnswer(t, d.qcLatestDue(t, a), 1, 1, 1, 1, 1, 2, 2, 2, 0)

	hw, err := d.skills.Assign(ctx, lee, samID, skills.Assignment{Item: "skill:stop", PerWeek: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.skills.LogPractice(ctx, sam, samID, hw.ID, "", skills.NewPractice{Key: "prep-practice", Helpful: skills.HelpfulYes}); err != nil {
		t.Fatal(err)
	}

	var c safetyplan.Content
	c.Steps[0] = []string{"Feeling cut off"}
	if _, err := d.plans.Save(ctx, sam, samID, "", c); err != nil {
		t.Fatal(err)
	}
	if _, err := d.plans.MarkReviewed(ctx, lee, samID, "1"); err != nil {
		t.Fatal(err)
	}

	g, err := d.groups.Create(ctx, jo, "Tuesday skills group", "DBT skills group", "Tuesdays")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.groups.Enrol(ctx, jo, string(g.ID), string(samID)); err != nil {
		t.Fatal(err)
	}
	for i, m := range []struct {
		day    int
		status groups.Status
	}{{-10, groups.StatusAbsent}, {-2, groups.StatusAttended}} {
		if _, err := d.groups.Record(ctx, jo, string(g.ID), groups.Marks{HeldOn: demoDay(m.day), Key: "prep-group-" + string(rune('a'+i)),
			Status: map[tend.ID]groups.Status{samID: m.status}}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPrepare: lee, sam's therapist, opens sam's session preparation page
// and finds each section: the week's grid, the task the act opened (with
// a way to its day, since sam shares the diary with lee), the PHQ-9 change
// with its rule named, the homework practised since the last session, the
// safety plan's review, medication taken by the card's days, group
// attendance since the session, and the outcome measures section. Casey,
// whom sam shares nothing with, sees "not shared" for the diary and no
// figure from it; kim, morgan (a lead), the admin and sam get 404; each
// read is audited by the services.
func TestPrepare(t *testing.T) {
	d := newDemoServer(t)
	prepSeed(t, d)
	samID := d.people["sam"]
	path := "/clinic/people/" + string(samID) + "/prepare"
	readsBefore := d.auditCount(t, "sam", "diary.read", "episode.read", "questionnaires.read", "homework.read", "safety_plan.read",
		"medication.read", "group_attendance.read", "task_meta.read")

	res := d.get(t, "lee@example.org", path)
	page := res.Body.String()
	if res.Code != http.StatusOK {
		t.Fatalf("lee opens sam's preparation page: %d\n%s", res.Code, page)
	}
	t.Run("Header", func(t *testing.T) {
		mustContain(t, "the header", page, "Session preparation: sam", "Episode of care: DBT, started on",
			"Since the last session attended: "+dayOf(t, demoDay(-7)).Format("Monday 2 January 2006"),
			"Next session: "+dayOf(t, demoDay(4)).Format("Monday 2 January 2006"), `href="/static/css/prepare.css"`)
	})
	t.Run("DiaryGrid", func(t *testing.T) {
		mustContain(t, "the diary section", page, `<h2 id="prep-diary">Diary card this week</h2>`, `<table class="diary-grid">`,
			`<time datetime="`+demoDay(0)+`">`, "Yes, 2 times", "A note for today")
		// The read-only grid: no flag forms, no chain links.
		if strings.Contains(page, `/diary/flag"`) {
			t.Error("the grid on the preparation page carries the flag forms")
		}
	})
	t.Run("Tasks", func(t *testing.T) {
		section := between(t, page, `id="prep-tasks"`, `id="prep-questionnaires"`)
		mustContain(t, "the tasks section", section, "Opened ", "sam recorded a self-harm act, recorded ", "See the diary card", `href="/clinic/tasks/`)
	})
	t.Run("Questionnaires", func(t *testing.T) {
		section := between(t, page, `id="prep-questionnaires"`, `id="prep-homework"`)
		mustContain(t, "the questionnaires section", section, "PHQ-9", "11 on", "reliably improved", "6 or more points")
	})
	t.Run("Homework", func(t *testing.T) {
		section := between(t, page, `id="prep-homework"`, `id="prep-plan"`)
		mustContain(t, "the homework section", section, "STOP", "Practised once since the last session")
	})
	t.Run("SafetyPlan", func(t *testing.T) {
		section := between(t, page, `id="prep-plan"`, `id="prep-medication"`)
		mustContain(t, "the safety plan section", section, "Version 1", "Last reviewed on ", "with Lee")
		// When it was reviewed, never what it says.
		mustNotContain(t, "the safety plan section", section, "Feeling cut off")
	})
	t.Run("Medication", func(t *testing.T) {
		section := between(t, page, `id="prep-medication"`, `id="prep-groups"`)
		mustContain(t, "the medication section", section, "Sertraline, 50 mg: Once a day",
			`<tr><th scope="row">Taken as prescribed</th><td>1</td></tr>`, `<tr><th scope="row">Card not filled in</th><td>7</td></tr>`)
	})
	t.Run("Groups", func(t *testing.T) {
		section := between(t, page, `id="prep-groups"`, `id="prep-outcomes"`)
		mustContain(t, "the groups section", section, "Enrolled in: Tuesday skills group", "Attended 1, absent 0, cancelled 0.")
	})
	t.Run("Outcomes", func(t *testing.T) {
		at := strings.Index(page, `id="prep-outcomes"`)
		if at < 0 {
			t.Fatal("the page has no outcomes section")
		}
		section := page[at:]
		mustContain(t, "the outcomes section", section, "Outcome measures for this episode", "Episode of care: DBT, started on",
			"baseline (first 28 days)", "2 of 28 days recorded (7%)", "3.5 per week (once in 2 days recorded)",
			"2.5 (on 2 days rated)", "1 of 2 days with a strong urge (50%)", "<td>1 of 2 days (50%)</td>",
			"Incidents recorded by clinicians during the episode: 1.", "These are observational figures with no comparison group.")
		// The skills categories as shares of days, never a mean of codes;
		// clinicians' incidents apart from the diary's count.
		mustContain(t, "the outcomes section", section, `<th scope="row">used and helped</th>`, `<th scope="colgroup" colspan="2" class="prep-group">Recorded by clinicians`)
	})
	t.Run("NoRiskWords", func(t *testing.T) {
		lower := strings.ToLower(page)
		for _, bad := range []string{"risk", "high", "moderate risk", "low risk", "red", "amber", "streak"} {
			if regexp.MustCompile(`\b` + bad + `\b`).MatchString(lower) {
				t.Errorf("the page says %q", bad)
			}
		}
		if regexp.MustCompile(`style=`).MatchString(page) {
			t.Error("the page styles something inline")
		}
	})
	t.Run("Audited", func(t *testing.T) {
		after := d.auditCount(t, "sam", "diary.read", "episode.read", "questionnaires.read", "homework.read", "safety_plan.read",
			"medication.read", "group_attendance.read", "task_meta.read")
		if after-readsBefore < 8 {
			t.Errorf("%d reads audited for the page, want one at least per section", after-readsBefore)
		}
	})

	t.Run("NotShared", func(t *testing.T) {
		res := d.get(t, "casey@example.org", path)
		body := res.Body.String()
		if res.Code != http.StatusOK {
			t.Fatalf("casey, sam's care coordinator: %d", res.Code)
		}
		mustContain(t, "casey's page", body, "Not shared: sam does not share their diary card with you.",
			"Not shared: sam does not share their questionnaires with you.", "Not shared: sam does not share their safety plan with you.",
			"Not shared: your role on the care team of sam does not include their group attendance.",
			"Sertraline", "Opened ")
		// No figure from the diary: no grid, no note, no day counted, no
		// way to the diary from the task.
		mustNotContain(t, "casey's page", body, `class="diary-grid"`, "A note for today", "Yes, 2 times", `<th scope="row">Taken as prescribed</th>`,
			"See the diary card", "reliably improved", "days recorded")
	})
	t.Run("NotFound", func(t *testing.T) {
		for _, who := range []string{"kim@example.org", "morgan@example.org", "admin@example.org", "nia@example.org", "dana@example.org", "sam", "alex"} {
			res := d.get(t, who, path)
			if res.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", who, res.Code)
			}
			if strings.Contains(res.Body.String(), "A note for today") || strings.Contains(res.Body.String(), "Sertraline") {
				t.Errorf("%s's answer holds sam's data", who)
			}
		}
	})
	t.Run("Linked", func(t *testing.T) {
		mustContain(t, "sam's page", d.get(t, "lee@example.org", "/clinic/people/"+string(samID)).Body.String(), `<a href="`+path+`">Prepare for the session</a>`)
		mustContain(t, "lee's caseload", d.get(t, "lee@example.org", "/clinic").Body.String(), `<a href="`+path+`">Prepare`)
	})
	t.Run("NoEpisode", func(t *testing.T) {
		res := d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["alex"])+"/prepare")
		if res.Code != http.StatusOK {
			t.Fatalf("lee opens alex's page: %d", res.Code)
		}
		mustContain(t, "alex's page", res.Body.String(), "Session preparation: alex", "No episode of care is recorded yet.",
			"The page looks back four weeks, to "+dayOf(t, demoDay(-27)).Format("2 January 2006"),
			"No episode of care has started yet, so there are no outcome measures.", "No follow-up task since the last session.")
		mustNotContain(t, "alex's page", res.Body.String(), "Sertraline", "A note for today", "Tuesday skills group")
	})
	t.Run("OtherWeek", func(t *testing.T) {
		week := diary.WeekStart(dayOf(t, demoDay(-7))).Format(diary.DayLayout)
		body := d.get(t, "lee@example.org", path+"?week="+week).Body.String()
		mustContain(t, "last week's page", body, `<time datetime="`+week+`">`)
		mustNotContain(t, "last week's page", body, "A note for today")
		if res := d.get(t, "lee@example.org", path+"?week=someday"); res.Code != http.StatusBadRequest {
			t.Errorf("a week that is no date: %d, want 400", res.Code)
		}
	})
}

// between returns the part of page from the first from to the next to.
func between(t *testing.T, page, from, to string) string {
	t.Helper()
	i := strings.Index(page, from)
	if i < 0 {
		t.Fatalf("the page lacks %q", from)
	}
	j := strings.Index(page[i:], to)
	if j < 0 {
		t.Fatalf("the page lacks %q after %q", to, from)
	}
	return page[i : i+j]
}

// TestPreparePseudoLocale renders lee's and casey's preparation pages in
// the pseudo-locale: any visible words that are neither from the
// catalogue nor data were hard-coded.
func TestPreparePseudoLocale(t *testing.T) {
	d := newDemoServerIn(t, testenv.Discard(), i18n.PseudoLocale)
	prepSeed(t, d)
	data := []string{"sam", "Lee", "Jo", "Priya", "Casey", "DBT", "Sertraline", "50 mg", "Once a day", "Tuesday skills group", "DBT skills group",
		"A note for today", "PHQ-9", "Patient Health Questionnaire (PHQ-9)", "en",
		"moderately severe", "moderate", "mild"} // instrument wording is the instrument's own, versioned per language
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
	dates := regexp.MustCompile(`\d{1,2} [A-Z][a-z]{2,8}( \d{4})?( \d{2}:\d{2})?`)
	for _, who := range []string{"lee@example.org", "casey@example.org"} {
		res := d.get(t, who, "/clinic/people/"+string(d.people["sam"])+"/prepare")
		if res.Code != http.StatusOK {
			t.Fatalf("%s: %d", who, res.Code)
		}
		body := res.Body.String()
		body = body[strings.Index(body, "<main"):strings.Index(body, "</main>")]
		text := html.UnescapeString(tags.ReplaceAllString(body, "\n"))
		text = dates.ReplaceAllString(text, " ")
		for _, s := range data {
			text = strings.ReplaceAll(text, s, " ")
		}
		if left := i18n.Unmarked(text); len(left) > 0 {
			t.Errorf("%s: text not from the catalogue: %q", who, left)
		}
	}
}
