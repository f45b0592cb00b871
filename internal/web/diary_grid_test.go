package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/diary"
)

// gridLastWeek is the Monday of last week in the demo's zone: a week whose
// days have all happened.
func gridLastWeek(t *testing.T) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return diary.WeekStart(diary.Today(time.Now(), loc).AddDate(0, 0, -7))
}

// gridSave saves who's card for day through the diary service, as the
// person.
func (d *demoServer) gridSave(t *testing.T, who string, day time.Time, note string, values map[diary.Field]int) {
	t.Helper()
	in := diary.Input{Day: day.Format(diary.DayLayout), Key: "grid-" + who + "-" + day.Format(diary.DayLayout), TimeZone: "Europe/London"}
	for f, v := range values {
		in.Changes = append(in.Changes, diary.Change{Field: f, Value: &v})
	}
	if note != "" {
		in.Note = &note
	}
	if _, err := d.diary.Save(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people[who]}, d.people[who], in); err != nil {
		t.Fatal(err)
	}
}

// inOrder reports whether every string is in page, each after the one
// before.
func inOrder(page string, parts ...string) bool {
	at := 0
	for _, p := range parts {
		i := strings.Index(page[at:], p)
		if i < 0 {
			return false
		}
		at += i + len(p)
	}
	return true
}

// TestDiaryGrid: the clinician's weekly grid of sam's card: real dates,
// rows in the order of the DBT target hierarchy, actions marked calmly,
// "not filled in" for missing days and nothing for days to come, skills by
// module, late marks, the dated notes, week navigation, the "may not have
// been written by the person" note, and the print view.
func TestDiaryGrid(t *testing.T) {
	d := newDemoServer(t)
	d.backdateJoining(t, "sam", 30)
	mon := gridLastWeek(t)
	wed := mon.AddDate(0, 0, 2)
	d.gridSave(t, "sam", mon, "A hard Monday", map[diary.Field]int{
		diary.UrgeField("u.self_harm"): 4, diary.ActField("a.self_harm"): diary.Yes, diary.CountField("a.self_harm"): 2,
		diary.MedicalField("a.self_harm"): diary.Unsure, diary.EmotionField("e.sadness"): 3, diary.FieldSkills: 5,
		diary.SkillField("tipp"): 1, diary.SkillField("wise_mind"): 1,
	})
	d.gridSave(t, "sam", wed, "", map[diary.Field]int{diary.UrgeField("u.die"): 1, diary.ActField("a.self_harm"): diary.No, diary.FieldSkills: 0})
	sam := "/clinic/people/" + string(d.people["sam"])
	week := mon.Format(diary.DayLayout)

	res := d.get(t, "lee@example.org", sam+"/diary?week="+wed.Format(diary.DayLayout))
	page := res.Body.String()
	if res.Code != http.StatusOK {
		t.Fatalf("lee opens sam's grid: %d\n%s", res.Code, page)
	}
	t.Run("RealDates", func(t *testing.T) {
		for i := range 7 {
			day := mon.AddDate(0, 0, i).Format(diary.DayLayout)
			if !strings.Contains(page, `<time datetime="`+day+`">`) {
				t.Errorf("the grid lacks the column for %s", day)
			}
		}
		if strings.Contains(page, "Week 1") || strings.Contains(page, "week ten") {
			t.Error("the grid numbers weeks instead of dating them")
		}
	})
	t.Run("RowOrder", func(t *testing.T) {
		// The DBT target hierarchy: life-threatening first, each urge
		// followed by its linked action.
		if !inOrder(page, `<th scope="row">Urge to act on them / to end my life`, `<th scope="row">Suicide attempt`,
			`<th scope="row">Thoughts of suicide`, `<th scope="row">Urge to self-harm`, `<th scope="row">Self-harm`,
			`<th scope="row">Urge to use alcohol or drugs`, `<th scope="row">Used alcohol or drugs`,
			`<th scope="row">Sadness`, `<th scope="row">Joy`, `<th scope="row">Skills used (0 to 7)`) {
			t.Error("the rows are not in the order of the DBT target hierarchy")
		}
	})
	t.Run("CalmActionMarks", func(t *testing.T) {
		if !strings.Contains(page, `<span class="grid-mark" aria-hidden="true">◆</span> Yes, 2 times; not sure about medical care</td>`) {
			t.Error("the act is not marked with a neutral symbol and words")
		}
		if !strings.Contains(page, "<td>No</td>") {
			t.Error("an action not done is not shown as No")
		}
		table := page[strings.Index(page, `<table class="diary-grid">`):strings.Index(page, "</table>")]
		if m := regexp.MustCompile(`class="[^"]*(red|danger|alert|warn|risk)|style=`).FindString(table); m != "" {
			t.Errorf("the grid marks days with %q", m)
		}
		css := d.get(t, "lee@example.org", "/static/css/diary_grid.css").Body.String()
		for _, bad := range []string{"red", "#f00", "#c00", "danger", "orange", "amber", "green"} {
			if strings.Contains(css, bad) {
				t.Errorf("the grid's styles hold %q", bad)
			}
		}
	})
	t.Run("MissingAndLate", func(t *testing.T) {
		if n := strings.Count(page, ">not filled in<"); n != 5 {
			t.Errorf(`"not filled in" %d times, want 5 (the days without a card)`, n)
		}
		late := diary.DaysBetween(mon, diary.Today(time.Now(), mustZone(t)))
		if !strings.Contains(page, "<td>"+strconv.Itoa(late)+" days later</td>") {
			t.Errorf("Monday's card is not marked as filled in %d days later", late)
		}
	})
	t.Run("SkillsByModule", func(t *testing.T) {
		if !strings.Contains(page, "<td>5: Tried, could use them, helped</td>") || !strings.Contains(page, "<td>0: Not thought about or used</td>") {
			t.Error("the skills rating lacks its exact label")
		}
		if !inOrder(page, "<strong>Mindfulness:</strong> Wise mind", "<strong>Distress tolerance:</strong> TIPP") {
			t.Error("the skills practised are not grouped by module")
		}
	})
	t.Run("NotesAndChains", func(t *testing.T) {
		if !inOrder(page, "</table>", "Notes", `<time datetime="`+week+`">`, "A hard Monday") {
			t.Error("the dated note is not under the grid")
		}
		want := `href="` + sam + `/chains?day=` + week + `&amp;target=a.self_harm">Start a chain analysis (Self-harm)</a>`
		if !strings.Contains(page, want) {
			t.Errorf("the day with an act does not link a chain analysis: want %s", want)
		}
		if strings.Count(page, "Start a chain analysis") != 1 {
			t.Error("a chain analysis is offered for a day without an act")
		}
		// Once one is open about the act, the day links to it instead.
		d.shareArea(t, "sam", "Lee", access.AreaChainAnalysis, access.LevelEdit)
		opened, err := d.chains.Open(context.Background(), staffActor(t, d, "lee@example.org"), d.people["sam"], chain.Start{Key: "grid", Day: week, Target: "a.self_harm"})
		if err != nil {
			t.Fatal(err)
		}
		again := d.get(t, "lee@example.org", sam+"/diary?week="+week).Body.String()
		want = `href="` + sam + `/chains/` + string(opened.Analysis.ID) + `">Open the chain analysis (Self-harm)</a>`
		if !strings.Contains(again, want) || strings.Contains(again, "Start a chain analysis") {
			t.Errorf("the day with an act does not link its open chain analysis: want %s", want)
		}
	})
	t.Run("WeekNavigation", func(t *testing.T) {
		for _, s := range []string{
			`href="` + sam + `/diary?week=` + mon.AddDate(0, 0, -7).Format(diary.DayLayout) + `">Previous week</a>`,
			`href="` + sam + `/diary?week=` + mon.AddDate(0, 0, 7).Format(diary.DayLayout) + `">Next week</a>`,
			`<form method="get" action="` + sam + `/diary"`, `<input type="date" id="week" name="week" value="` + week + `">`,
		} {
			if !strings.Contains(page, s) {
				t.Errorf("the week navigation lacks %s", s)
			}
		}
		next := d.get(t, "lee@example.org", sam+"/diary?week="+mon.AddDate(0, 0, 14).Format(diary.DayLayout)).Body.String()
		if strings.Contains(next, "not filled in") && mon.AddDate(0, 0, 14).After(time.Now()) {
			t.Error("days still to come are shown as not filled in")
		}
		if res := d.get(t, "lee@example.org", sam+"/diary?week=last-tuesday"); res.Code != http.StatusBadRequest {
			t.Errorf("a week that is not a date: %d, want 400", res.Code)
		}
	})
	t.Run("BeforeJoining", func(t *testing.T) {
		// Days before sam joined had no card to fill in: nothing is shown.
		joined := diary.Today(time.Now(), mustZone(t)).AddDate(0, 0, -30)
		start := diary.WeekStart(joined)
		page := d.get(t, "lee@example.org", sam+"/diary?week="+start.Format(diary.DayLayout)).Body.String()
		if n, want := strings.Count(page, ">not filled in<"), 7-diary.DaysBetween(start, joined); n != want {
			t.Errorf(`"not filled in" %d times in the week sam joined, want %d`, n, want)
		}
	})
	t.Run("InSession", func(t *testing.T) {
		d.shareArea(t, "sam", "Lee", access.AreaDiary, access.LevelEdit)
		thu := mon.AddDate(0, 0, 3)
		v := 2
		in := diary.Input{Day: thu.Format(diary.DayLayout), Key: "grid-in-session", TimeZone: "Europe/London",
			Changes: []diary.Change{{Field: diary.UrgeField("u.self_harm"), Value: &v}}}
		if _, err := d.diary.Save(context.Background(), tend.Actor{Kind: tend.KindStaff, ID: tend.ID(d.staffID(t, "lee@example.org")), Role: tend.RoleClinician, MFA: true}, d.people["sam"], in); err != nil {
			t.Fatal(err)
		}
		page := d.get(t, "lee@example.org", sam+"/diary?week="+week).Body.String()
		if !strings.Contains(page, "<td>In session</td>") {
			t.Error("a card entered in session is not marked so")
		}
		if !strings.Contains(page, `href="`+sam+`/diary/setup">Set up the card</a>`) {
			t.Error("the grid does not offer the set-up to lee with see and edit")
		}
		d.shareArea(t, "sam", "Lee", access.AreaDiary, access.LevelSee)
	})
	t.Run("Flag", func(t *testing.T) {
		res := d.post(t, "lee@example.org", sam+"/diary/flag", url.Values{"day": {week}, "on": {"1"}})
		if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.Header().Get("Location"), sam+"/diary?week="+week) {
			t.Fatalf("flagging a day: %d %s", res.Code, res.Header().Get("Location"))
		}
		flagged := d.get(t, "lee@example.org", sam+"/diary?week="+week).Body.String()
		if !strings.Contains(flagged, `<p class="grid-flag">May not have been written by the person (Lee)</p>`) {
			t.Error("the grid does not show the flag with who noted it")
		}
		if strings.Count(flagged, "grid-flag") != 1 {
			t.Error("the flag shows on more than the one day")
		}
		if res := d.post(t, "lee@example.org", sam+"/diary/flag", url.Values{"day": {"someday"}, "on": {"1"}}); res.Code != http.StatusBadRequest ||
			!strings.Contains(res.Body.String(), "Choose a day of the week to note.") {
			t.Errorf("flagging no day: %d", res.Code)
		}
		if res := d.post(t, "kim@example.org", sam+"/diary/flag", url.Values{"day": {week}, "on": {"0"}}); res.Code != http.StatusNotFound {
			t.Errorf("kim removes the flag: %d, want 404", res.Code)
		}
		if res := d.post(t, "lee@example.org", sam+"/diary/flag", url.Values{"day": {week}, "on": {"0"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("removing the flag: %d", res.Code)
		}
		if strings.Contains(d.get(t, "lee@example.org", sam+"/diary?week="+week).Body.String(), "grid-flag") {
			t.Error("the flag stays after it was removed")
		}
		if strings.Contains(d.get(t, "sam", "/me/diary/"+week).Body.String(), "May not have been written") {
			t.Error("the person's own card shows the care team's note")
		}
	})
	t.Run("Print", func(t *testing.T) {
		res := d.get(t, "lee@example.org", sam+"/diary/print?week="+week)
		body := res.Body.String()
		if res.Code != http.StatusOK {
			t.Fatalf("print view: %d", res.Code)
		}
		for _, s := range []string{`href="/static/css/diary_print.css"`, `href="/help"`, "Yes, 2 times", "A hard Monday", "not filled in"} {
			if !strings.Contains(body, s) {
				t.Errorf("the print view lacks %s", s)
			}
		}
		for _, s := range []string{"Previous week", `action="` + sam + `/diary/flag"`, "Start a chain analysis", `type="date"`} {
			if strings.Contains(body, s) {
				t.Errorf("the print view holds %s", s)
			}
		}
		css := d.get(t, "lee@example.org", "/static/css/diary_print.css").Body.String()
		if !strings.Contains(css, "@page { size: A4 landscape;") {
			t.Error("the print view is not laid out for A4 landscape")
		}
	})
	t.Run("Linked", func(t *testing.T) {
		if !strings.Contains(d.get(t, "lee@example.org", sam).Body.String(), `href="`+sam+`/diary"`) {
			t.Error("sam's page does not link the diary grid")
		}
		if !strings.Contains(d.get(t, "lee@example.org", "/clinic").Body.String(), `href="`+sam+`/diary"`) {
			t.Error("the caseload does not link sam's diary grid")
		}
	})
}

func mustZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDiaryGridSharing is the "Done when": lee sees sam's grid;
// once sam stops sharing the diary on their sharing page, lee gets 404 on
// the very next request; kim never sees it.
func TestDiaryGridSharing(t *testing.T) {
	d := newDemoServer(t)
	d.gridSave(t, "sam", diary.Today(time.Now(), mustZone(t)), "Walked to the river", map[diary.Field]int{diary.UrgeField("u.self_harm"): 2})
	sam := "/clinic/people/" + string(d.people["sam"])
	if strings.Contains(d.get(t, "sam", "/me/who-looked").Body.String(), "your diary card") {
		t.Fatal("sam's who-looked page names a read of the diary before anyone read it")
	}
	for _, path := range []string{sam + "/diary", sam + "/diary/print"} {
		if res := d.get(t, "lee@example.org", path); res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Walked to the river") {
			t.Fatalf("lee opens %s: %d", path, res.Code)
		}
		if res := d.get(t, "kim@example.org", path); res.Code != http.StatusNotFound || strings.Contains(res.Body.String(), "river") {
			t.Errorf("kim opens %s: %d, want 404", path, res.Code)
		}
	}
	// Each staff read of the diary is audited, and sam can see it.
	if looked := d.get(t, "sam", "/me/who-looked").Body.String(); !strings.Contains(looked, "your diary card") || !strings.Contains(looked, "Lee") {
		t.Error("sam cannot see that lee read the diary card")
	}
	lee := memberID(t, d, "sam", "Lee")
	if res := d.post(t, "sam", "/me/sharing", url.Values{"grant." + string(lee) + ".diary": {"none"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("sam stops sharing the diary with lee: %d\n%s", res.Code, res.Body.String())
	}
	for _, path := range []string{sam + "/diary", sam + "/diary/print"} {
		if res := d.get(t, "lee@example.org", path); res.Code != http.StatusNotFound || strings.Contains(res.Body.String(), "river") {
			t.Errorf("lee opens %s after sam stopped sharing: %d, want 404", path, res.Code)
		}
		if res := d.get(t, "kim@example.org", path); res.Code != http.StatusNotFound {
			t.Errorf("kim opens %s: %d, want 404", path, res.Code)
		}
	}
	if res := d.post(t, "lee@example.org", sam+"/diary/flag", url.Values{"day": {diary.Today(time.Now(), mustZone(t)).Format(diary.DayLayout)}, "on": {"1"}}); res.Code != http.StatusNotFound {
		t.Errorf("lee notes a day after sam stopped sharing: %d, want 404", res.Code)
	}
	if strings.Contains(d.get(t, "lee@example.org", sam).Body.String(), `href="`+sam+`/diary"`) {
		t.Error("sam's page still links the grid lee may no longer see")
	}
}

// TestDiarySetupPages: the person sets up their own card; a care-team
// member does so only with "see and edit" on the diary; the self-harm and
// suicide rows cannot be hidden, and the page says why.
func TestDiarySetupPages(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	samActor := tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}
	config := func() diary.Config {
		c, err := d.diary.Config(ctx, samActor, d.people["sam"])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rowItem := func(page, id string) string {
		m := regexp.MustCompile(`(?s)<li id="row-` + regexp.QuoteMeta(id) + `">.*?</li>`).FindString(page)
		if m == "" {
			t.Fatalf("the set-up page has no row %s", id)
		}
		return m
	}

	page := d.get(t, "sam", "/me/diary/setup").Body.String()
	t.Run("SafetyRowsExplained", func(t *testing.T) {
		for _, id := range []string{"u.thoughts", "u.die", "u.self_harm", "a.attempt", "a.self_harm"} {
			li := rowItem(page, id)
			if strings.Contains(li, `value="hide"`) || !strings.Contains(li, "This row stays on the card") {
				t.Errorf("row %s offers to hide a safety row, or does not say why it stays", id)
			}
		}
		if li := rowItem(page, "u.substances"); !strings.Contains(li, `value="hide"`) {
			t.Error("an ordinary row cannot be hidden")
		}
		if res := d.post(t, "sam", "/me/diary/setup/rows/change", url.Values{"row": {"a.self_harm"}, "op": {"hide"}}); res.Code != http.StatusBadRequest ||
			!strings.Contains(res.Body.String(), "stay on the card") {
			t.Errorf("hiding the self-harm row: %d, want 400 with the reason", res.Code)
		}
		if tg, _ := config().Target("a.self_harm"); tg.Hidden {
			t.Error("the self-harm row was hidden")
		}
	})
	t.Run("AddLinkedRows", func(t *testing.T) {
		if res := d.post(t, "sam", "/me/diary/setup/rows", url.Values{"section": {"urge"}, "kind": {"urge_other"}, "label": {"Urge to skip meals"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("adding an urge: %d\n%s", res.Code, res.Body.String())
		}
		var urge string
		for _, tg := range config().Targets {
			if tg.Label == "Urge to skip meals" {
				urge = tg.ID
			}
		}
		if res := d.post(t, "sam", "/me/diary/setup/rows", url.Values{"section": {"action"}, "kind": {"action_other"}, "label": {"Skipped meals"}, "urge": {urge}}); res.Code != http.StatusSeeOther {
			t.Fatalf("adding a linked action: %d\n%s", res.Code, res.Body.String())
		}
		res := d.post(t, "sam", "/me/diary/setup/rows", url.Values{"section": {"action"}, "kind": {"action_other"}})
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Give the new row a name.") {
			t.Errorf("an other row without a name: %d", res.Code)
		}
		page := d.get(t, "sam", "/me/diary/setup?done=added").Body.String()
		if !strings.Contains(page, "The row was added.") || !strings.Contains(page, "goes with: Urge to skip meals") {
			t.Error("the set-up page does not show the new action with its urge")
		}
		grid := d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/diary").Body.String()
		if !inOrder(grid, `<th scope="row">Used alcohol or drugs`, `<th scope="row">Urge to skip meals <span class="grid-kind">(Other urge)</span>`,
			`<th scope="row">Skipped meals <span class="grid-kind">(Other action)</span>`) {
			t.Error("the grid does not put the new action after its urge")
		}
	})
	t.Run("RenameHideMove", func(t *testing.T) {
		for _, step := range []url.Values{
			{"row": {"u.self_harm"}, "op": {"rename"}, "label": {"Urge to hurt myself"}},
			{"row": {"e.joy"}, "op": {"hide"}},
			{"row": {"e.shame"}, "op": {"up"}},
		} {
			if res := d.post(t, "sam", "/me/diary/setup/rows/change", step); res.Code != http.StatusSeeOther {
				t.Fatalf("%v: %d\n%s", step, res.Code, res.Body.String())
			}
		}
		c := config()
		if tg, _ := c.Target("u.self_harm"); tg.Label != "Urge to hurt myself" {
			t.Errorf("renamed to %q", tg.Label)
		}
		if tg, _ := c.Target("e.joy"); !tg.Hidden {
			t.Error("joy was not hidden")
		}
		var emotions []string
		for _, tg := range c.Section(diary.SectionEmotion, true) {
			emotions = append(emotions, tg.ID)
		}
		if !slices.Equal(emotions[:2], []string{"e.shame", "e.sadness"}) {
			t.Errorf("emotions in order %v, want shame moved above sadness", emotions)
		}
		grid := d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/diary").Body.String()
		if strings.Contains(grid, `<th scope="row">Joy`) || !strings.Contains(grid, `Urge to hurt myself <span class="grid-kind">(Urge to self-harm)</span>`) {
			t.Error("the grid shows a hidden row, or not the new name with its kind")
		}
		if !strings.Contains(d.get(t, "sam", "/me/diary/setup").Body.String(), `value="show"`) {
			t.Error("a hidden row cannot be shown again")
		}
		if res := d.post(t, "sam", "/me/diary/setup/rows/change", url.Values{"row": {"e.joy"}, "op": {"show"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("showing joy again: %d", res.Code)
		}
	})
	t.Run("Skills", func(t *testing.T) {
		if res := d.post(t, "sam", "/me/diary/setup/skills", url.Values{"set": {"dbt"}, "current": {"dbt"}, "skill": {"tipp", "wise_mind"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("choosing skills: %d\n%s", res.Code, res.Body.String())
		}
		if got := config().Skills; !slices.Equal(got, []string{"wise_mind", "tipp"}) && !slices.Equal(got, []string{"tipp", "wise_mind"}) {
			t.Errorf("tick list %v", got)
		}
		if res := d.post(t, "sam", "/me/diary/setup/skills", url.Values{"set": {"dbt_a"}, "current": {"dbt"}, "skill": {"tipp"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("choosing DBT-A: %d", res.Code)
		}
		c := config()
		if c.Set != diary.SkillsDBTA || !slices.Equal(c.Skills, diary.SetSkills(diary.SkillsDBTA)) {
			t.Errorf("DBT-A set %s with %d skills, want all %d", c.Set, len(c.Skills), len(diary.SetSkills(diary.SkillsDBTA)))
		}
		if !strings.Contains(d.get(t, "sam", "/me/diary/setup").Body.String(), "<legend>Walking the Middle Path</legend>") {
			t.Error("the DBT-A tick list lacks its fifth module")
		}
		if res := d.post(t, "sam", "/me/diary/setup/skills", url.Values{"set": {"dbt_a"}, "current": {"dbt_a"}, "skill": {"not_a_skill"}}); res.Code != http.StatusBadRequest {
			t.Errorf("an unknown skill: %d, want 400", res.Code)
		}
	})
	t.Run("Clinician", func(t *testing.T) {
		setup := "/clinic/people/" + string(d.people["sam"]) + "/diary/setup"
		add := url.Values{"section": {"emotion"}, "kind": {"emotion_other"}, "label": {"Loneliness"}}
		// Lee sees sam's diary but may not change it by default.
		if res := d.get(t, "lee@example.org", setup); res.Code != http.StatusForbidden || !strings.Contains(res.Body.String(), "see and edit") {
			t.Errorf("lee without the edit grant: %d, want 403", res.Code)
		}
		if res := d.post(t, "lee@example.org", setup+"/rows", add); res.Code != http.StatusForbidden {
			t.Errorf("lee adds a row without the edit grant: %d, want 403", res.Code)
		}
		if strings.Contains(d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/diary").Body.String(), "Set up the card") {
			t.Error("the grid offers the set-up to someone who may not change it")
		}
		d.shareArea(t, "sam", "Lee", access.AreaDiary, access.LevelEdit)
		res := d.get(t, "lee@example.org", setup)
		if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Set up sam&#39;s diary card") || !strings.Contains(res.Body.String(), `action="`+setup+`/rows"`) {
			t.Fatalf("lee with the edit grant: %d", res.Code)
		}
		if res := d.post(t, "lee@example.org", setup+"/rows", add); res.Code != http.StatusSeeOther || res.Header().Get("Location") != setup+"?done=added" {
			t.Fatalf("lee adds a row: %d %s", res.Code, res.Header().Get("Location"))
		}
		if res := d.post(t, "lee@example.org", setup+"/rows/change", url.Values{"row": {"u.die"}, "op": {"hide"}}); res.Code != http.StatusBadRequest {
			t.Errorf("lee hides the urge-to-die row: %d, want 400", res.Code)
		}
		if !strings.Contains(d.get(t, "sam", "/me/diary/setup").Body.String(), "Loneliness") {
			t.Error("the row lee added is not on sam's card")
		}
		if res := d.get(t, "kim@example.org", setup); res.Code != http.StatusNotFound {
			t.Errorf("kim: %d, want 404", res.Code)
		}
		if res := d.post(t, "kim@example.org", setup+"/rows", add); res.Code != http.StatusNotFound {
			t.Errorf("kim adds a row: %d, want 404", res.Code)
		}
		if res := d.get(t, "lee@example.org", "/me/diary/setup"); res.Code != http.StatusNotFound {
			t.Errorf("staff open /me/diary/setup: %d, want 404", res.Code)
		}
	})
}

// TestDiarySettings: the admin's settings form reads and writes the diary
// settings; a hidden-rows setting lets the safety rows be hidden.
func TestDiarySettings(t *testing.T) {
	d := newDemoServer(t)
	form := d.get(t, "admin@example.org", "/admin/settings").Body.String()
	for _, s := range []string{`<option value="3" selected>3</option>`, `<option value="no" selected>`, `name="diary.ridden_out_level"`, `name="diary.allow_hide_safety_rows"`} {
		if !strings.Contains(form, s) {
			t.Errorf("the settings form lacks %s", s)
		}
	}
	bad := settingsForm(t, func(f url.Values) { f.Set("diary.ridden_out_level", "9") })
	if res := d.post(t, "admin@example.org", "/admin/settings", bad); res.Code != http.StatusBadRequest ||
		!strings.Contains(res.Body.String(), `id="diary.ridden_out_level-error">Enter an urge rating from 1 to 5`) {
		t.Fatalf("a level out of range: %d", res.Code)
	}
	good := settingsForm(t, func(f url.Values) { f.Set("diary.ridden_out_level", "4"); f.Set("diary.allow_hide_safety_rows", "yes") })
	if res := d.post(t, "admin@example.org", "/admin/settings", good); res.Code != http.StatusSeeOther {
		t.Fatalf("saving: %d\n%s", res.Code, res.Body.String())
	}
	st, _ := d.srvSettings(t)
	if st.Diary != (diary.Settings{RiddenOutLevel: 4, AllowHideSafetyRows: true}) {
		t.Fatalf("saved %+v", st.Diary)
	}
	form = d.get(t, "admin@example.org", "/admin/settings").Body.String()
	if !strings.Contains(form, `<option value="4" selected>4</option>`) || !strings.Contains(form, `<option value="yes" selected>`) {
		t.Error("the form does not read the saved diary settings back")
	}
	if res := d.post(t, "sam", "/me/diary/setup/rows/change", url.Values{"row": {"a.self_harm"}, "op": {"hide"}}); res.Code != http.StatusSeeOther {
		t.Errorf("hiding the self-harm row when the service allows it: %d", res.Code)
	}
}
