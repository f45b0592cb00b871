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
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/testenv"
)

// tippCaution is the start of safety-rules.md section 8's caution, as a
// page shows it (html/template escapes the apostrophe later in it).
const tippCaution = "Very cold water slows the heart quickly; intense exercise speeds it up. Check with your doctor first if you have a heart problem"

func staffActor(t *testing.T, d *demoServer, email string) tend.Actor {
	t.Helper()
	a, err := d.db.FindStaffAccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleClinician, MFA: true}
}

func personActor(d *demoServer, username string) tend.Actor {
	return tend.Actor{Kind: tend.KindPerson, ID: d.people[username]}
}

// openHomework returns the ids of who's open homework, newest first.
func openHomework(t *testing.T, d *demoServer, who string) []tend.ID {
	t.Helper()
	hw, _, err := d.skills.List(context.Background(), personActor(d, who), d.people[who], true)
	if err != nil {
		t.Fatal(err)
	}
	var out []tend.ID
	for _, h := range hw {
		out = append(out, h.ID)
	}
	return out
}

func wantStatus(t *testing.T, what string, got, want int, body string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: %d, want %d\n%s", what, got, want, body)
	}
}

// TestSkillsLibraryPages: the library, search (by acronym, by a word of a
// description), the TIPP caution wherever TIPP appears, and favourites
// listed first, all with plain forms (no JavaScript).
func TestSkillsLibraryPages(t *testing.T) {
	d := newDemoServer(t)
	t.Run("Library", func(t *testing.T) {
		res := d.get(t, "sam", "/me/skills")
		wantStatus(t, "library", res.Code, 200, res.Body.String())
		body := res.Body.String()
		for _, s := range []string{"Mindfulness", "Distress tolerance", "Emotion regulation", "Interpersonal effectiveness", "Walking the Middle Path",
			"CBT-based skills", "Mentalizing and reflective skills", `href="/me/skills/dear_man"`, `<form method="get" action="/me/skills"`, `name="q"`, `href="/help"`} {
			if !strings.Contains(body, s) {
				t.Errorf("library lacks %q", s)
			}
		}
	})
	tests := []struct {
		name, q      string
		want, absent []string
	}{
		{"SearchAcronym", "DEAR MAN", []string{`href="/me/skills/dear_man"`}, []string{`href="/me/skills/give"`, "Wise mind ACCEPTS"}},
		{"SearchDescriptionWord", "wave", []string{`href="/me/skills/observe"`}, []string{`href="/me/skills/dear_man"`}},
		{"SearchTIPPShowsCaution", "tipp", []string{`href="/me/skills/tipp"`, tippCaution}, nil},
		{"SearchNothing", "zebra", []string{"No skill matches that."}, []string{`href="/me/skills/`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := d.get(t, "sam", "/me/skills?q="+url.QueryEscape(tt.q))
			wantStatus(t, tt.q, res.Code, 200, res.Body.String())
			body := html.UnescapeString(res.Body.String())
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("search %q lacks %q", tt.q, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(body, s) {
					t.Errorf("search %q shows %q", tt.q, s)
				}
			}
		})
	}
	t.Run("SkillPageCaution", func(t *testing.T) {
		res := d.get(t, "riley", "/me/skills/tipp")
		wantStatus(t, "tipp", res.Code, 200, res.Body.String())
		body := html.UnescapeString(res.Body.String())
		if !strings.Contains(body, tippCaution) || !strings.Contains(body, "Never hold ice on your skin.") {
			t.Error("the TIPP page lacks the medical caution")
		}
		if !strings.Contains(body, "Your therapist reads this before your next session, not straight away.") {
			t.Error("the practice note does not say who reads it")
		}
		if res := d.get(t, "riley", "/me/skills/observe"); strings.Contains(res.Body.String(), "Very cold water") {
			t.Error("a skill without a caution shows one")
		}
	})
	t.Run("ErrNotFound/UnknownSkill", func(t *testing.T) {
		if res := d.get(t, "sam", "/me/skills/juggling"); res.Code != 404 {
			t.Errorf("unknown skill: %d", res.Code)
		}
	})
	t.Run("Favourites", func(t *testing.T) {
		res := d.post(t, "sam", "/me/skills/tipp/favourite", url.Values{"on": {"1"}})
		wantStatus(t, "favourite", res.Code, 303, res.Body.String())
		res = d.post(t, "sam", "/me/skills/tipp/favourite", url.Values{"on": {"1"}}) // a resent form changes nothing
		wantStatus(t, "favourite again", res.Code, 303, res.Body.String())
		body := d.get(t, "sam", "/me/skills").Body.String()
		fav, mod := strings.Index(body, "My favourites"), strings.Index(body, `id="module-mindfulness"`)
		if fav < 0 || mod < 0 || fav > mod || !strings.Contains(body[fav:mod], `href="/me/skills/tipp"`) {
			t.Error("TIPP is not listed first among sam's favourites")
		}
		if !strings.Contains(d.get(t, "sam", "/me/skills/tipp").Body.String(), "Remove from my favourites") {
			t.Error("the skill page does not offer to remove the favourite")
		}
		if strings.Contains(d.get(t, "riley", "/me/skills").Body.String(), "My favourites") {
			t.Error("riley sees sam's favourites")
		}
		res = d.post(t, "sam", "/me/skills/tipp/favourite", url.Values{"on": {"0"}})
		wantStatus(t, "unfavourite", res.Code, 303, res.Body.String())
		if strings.Contains(d.get(t, "sam", "/me/skills").Body.String(), "My favourites") {
			t.Error("the favourite stays after removing it")
		}
	})
	t.Run("FreePractice", func(t *testing.T) {
		res := d.post(t, "sam", "/me/skills/observe/practice", url.Values{"idempotency_key": {"free-1"}, "helpful": {"yes"}, "note": {"noticed the bus"}})
		wantStatus(t, "practice", res.Code, 303, res.Body.String())
		if loc := res.Header().Get("Location"); loc != "/me/skills/observe?saved=1" {
			t.Errorf("redirect to %q", loc)
		}
		res = d.post(t, "sam", "/me/skills/observe/practice", url.Values{"helpful": {"yes"}})
		wantStatus(t, "practice without key", res.Code, 400, res.Body.String())
		lee := d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/homework").Body.String()
		if strings.Count(lee, "noticed the bus") != 1 {
			t.Error("sam's therapist does not see sam's practice outside homework once")
		}
		if strings.Contains(d.get(t, "priya@example.org", "/clinic/people/"+string(d.people["sam"])+"/homework").Body.String(), "noticed the bus") {
			t.Error("sam's prescriber sees practice outside homework")
		}
	})
}

// TestHomeworkWeb: lee (sam's therapist) assigns, sam sees it on /me and
// logs practice (a resent form adds nothing), riley cannot see it, kim gets
// 404, and a care-team member who is not the therapist sees only what they
// assigned.
func TestHomeworkWeb(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	clinic := "/clinic/people/" + sam + "/homework"

	res := d.get(t, "lee@example.org", clinic)
	wantStatus(t, "clinic page", res.Code, 200, res.Body.String())
	if body := res.Body.String(); !strings.Contains(body, `<optgroup label="Walking the Middle Path">`) || !strings.Contains(body, `<option value="worksheet:thought_record">`) {
		t.Error("the assign select is not grouped by module with the worksheets")
	}
	res = d.post(t, "lee@example.org", clinic, url.Values{"item": {"skill:tipp"}, "per_week": {"3"}, "note": {"Try it after school"}})
	wantStatus(t, "assign", res.Code, 303, res.Body.String())
	res = d.post(t, "lee@example.org", clinic, url.Values{"item": {"skill:stop"}, "per_week": {"3"}, "due": {"2026-12-01"}})
	wantStatus(t, "assign with both", res.Code, 400, res.Body.String())
	if !strings.Contains(res.Body.String(), "Give either a date or how often, not both.") {
		t.Error("a bad form does not say what is wrong")
	}
	ids := openHomework(t, d, "sam")
	if len(ids) != 1 {
		t.Fatalf("sam has %d pieces of open homework, want 1", len(ids))
	}
	hw := string(ids[0])

	home := d.get(t, "sam", "/me").Body.String()
	for _, s := range []string{`href="/me/homework/` + hw + `"`, "TIPP", "3 times a week"} {
		if !strings.Contains(home, s) {
			t.Errorf("sam's home page lacks %q", s)
		}
	}
	if strings.Contains(d.get(t, "riley", "/me").Body.String(), hw) {
		t.Error("riley's home page shows sam's homework")
	}
	page := d.get(t, "sam", "/me/homework/"+hw)
	wantStatus(t, "homework page", page.Code, 200, page.Body.String())
	body := html.UnescapeString(page.Body.String())
	for _, s := range []string{"Try it after school", tippCaution, "Your therapist reads this before your next session, not straight away.", `href="/help"`,
		`name="idempotency_key"`, "Lee, who set this homework, can read it too."} {
		if !strings.Contains(body, s) {
			t.Errorf("the homework page lacks %q", s)
		}
	}
	for _, who := range []string{"riley", "alex", "lee@example.org"} {
		if res := d.get(t, who, "/me/homework/"+hw); res.Code != 404 {
			t.Errorf("%s opens sam's homework: %d", who, res.Code)
		}
		if res := d.post(t, who, "/me/homework/"+hw+"/practice", url.Values{"idempotency_key": {"x"}}); res.Code != 404 {
			t.Errorf("%s logs practice for sam: %d", who, res.Code)
		}
	}

	// Practice, resent: one entry.
	form := url.Values{"idempotency_key": {"k-1"}, "helpful": {"no"}, "note": {"Hard to find the time"}}
	for range 2 {
		res := d.post(t, "sam", "/me/homework/"+hw+"/practice", form)
		wantStatus(t, "practice", res.Code, 303, res.Body.String())
	}
	if got := strings.Count(d.get(t, "sam", "/me/homework/"+hw).Body.String(), "Hard to find the time"); got != 1 {
		t.Errorf("sam's practice shows %d times, want 1", got)
	}
	lee := d.get(t, "lee@example.org", clinic).Body.String()
	if strings.Count(lee, "Hard to find the time") != 1 || !strings.Contains(lee, "Did not help this time") {
		t.Error("lee does not see sam's practice once")
	}
	if res := d.get(t, "kim@example.org", clinic); res.Code != 404 || strings.Contains(res.Body.String(), "Hard to find") {
		t.Errorf("kim: %d", res.Code)
	}
	if res := d.get(t, "morgan@example.org", clinic); res.Code != 403 || strings.Contains(res.Body.String(), "Hard to find") {
		t.Errorf("morgan: %d", res.Code)
	}

	// Priya (prescriber) sees only what she assigns; lee sees both.
	priya := d.get(t, "priya@example.org", clinic).Body.String()
	if strings.Contains(priya, "Try it after school") || strings.Contains(priya, "Hard to find") || !strings.Contains(priya, "You see the homework you assigned.") {
		t.Error("priya sees homework she did not assign")
	}
	res = d.post(t, "priya@example.org", clinic, url.Values{"item": {"worksheet:thought_record"}, "due": {"2026-12-01"}, "note": {"For our next review"}})
	wantStatus(t, "priya assigns", res.Code, 303, res.Body.String())
	priya = d.get(t, "priya@example.org", clinic).Body.String()
	if !strings.Contains(priya, "For our next review") || strings.Contains(priya, "Try it after school") {
		t.Error("priya's view is not exactly her own homework")
	}
	if lee := d.get(t, "lee@example.org", clinic).Body.String(); !strings.Contains(lee, "For our next review") || !strings.Contains(lee, "Try it after school") {
		t.Error("the therapist does not see all homework")
	}
	if jo := d.get(t, "jo@example.org", clinic).Body.String(); strings.Contains(jo, "For our next review") || strings.Contains(jo, "Try it after school") {
		t.Error("jo sees homework he did not assign")
	}

	// The worksheet: sam fills it in; the answers reach the clinic page.
	ids = openHomework(t, d, "sam")
	ws := string(ids[0])
	wp := d.get(t, "sam", "/me/homework/"+ws).Body.String()
	if !strings.Contains(wp, `name="answer.situation"`) || !strings.Contains(wp, `type="number" id="answer-strength_before" name="answer.strength_before" min="0" max="100"`) {
		t.Error("the thought record form is missing its fields")
	}
	res = d.post(t, "sam", "/me/homework/"+ws+"/practice", url.Values{"idempotency_key": {"w-1"}, "answer.situation": {"A message left unanswered"}, "answer.strength_before": {"300"}})
	wantStatus(t, "bad rating", res.Code, 400, res.Body.String())
	if !strings.Contains(res.Body.String(), "A message left unanswered") {
		t.Error("a refused worksheet loses what sam wrote")
	}
	res = d.post(t, "sam", "/me/homework/"+ws+"/practice", url.Values{"idempotency_key": {"w-1"}, "answer.situation": {"A message left unanswered"}, "answer.strength_before": {"70"}})
	wantStatus(t, "worksheet", res.Code, 303, res.Body.String())
	if !strings.Contains(d.get(t, "priya@example.org", clinic).Body.String(), "A message left unanswered") {
		t.Error("the assigner does not see the worksheet answers")
	}

	// Staff reads are audited: sam sees who looked at their homework.
	if !strings.Contains(d.get(t, "sam", "/me/who-looked").Body.String(), "your homework") {
		t.Error("sam's who-looked page does not show the staff reads of their homework")
	}

	// Priya cannot end Lee's homework; Lee ends it, and it leaves sam's home page.
	res = d.post(t, "priya@example.org", clinic+"/"+hw+"/end", nil)
	wantStatus(t, "priya ends lee's", res.Code, 404, res.Body.String())
	res = d.post(t, "lee@example.org", clinic+"/"+hw+"/end", nil)
	wantStatus(t, "lee ends", res.Code, 303, res.Body.String())
	if strings.Contains(d.get(t, "sam", "/me").Body.String(), `href="/me/homework/`+hw+`"`) {
		t.Error("ended homework stays on sam's home page")
	}
	ended := d.get(t, "sam", "/me/homework/"+hw).Body.String()
	if !strings.Contains(ended, "This homework has ended.") || strings.Contains(ended, `name="idempotency_key"`) {
		t.Error("ended homework still offers the practice form")
	}
}

// TestPseudoLocaleSkills renders the skills and homework pages in the
// pseudo-locale: every visible word comes from the catalogue.
func TestPseudoLocaleSkills(t *testing.T) {
	d := newDemoServerIn(t, testenv.Discard(), i18n.PseudoLocale)
	lee := staffActor(t, d, "lee@example.org")
	h, err := d.skills.Assign(context.Background(), lee, d.people["sam"], skills.Assignment{Item: "worksheet:thought_record", PerWeek: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.skills.LogPractice(context.Background(), personActor(d, "sam"), d.people["sam"], h.ID, "", skills.NewPractice{Key: "p", Helpful: skills.HelpfulYes}); err != nil {
		t.Fatal(err)
	}
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>|<option[^>]*>[^<]*</option>|<[^>]+>`)
	dates := regexp.MustCompile(`\d{1,2} [A-Z][a-z]{2} \d{4}( \d{2}:\d{2})?`)
	for _, tt := range []struct{ who, path string }{
		{"sam", "/me"}, {"sam", "/me/skills"}, {"sam", "/me/skills?q=x"}, {"sam", "/me/skills/tipp"}, {"sam", "/me/skills/thought_record"},
		{"sam", "/me/homework/" + string(h.ID)}, {"lee@example.org", "/clinic/people/" + string(d.people["sam"]) + "/homework"},
	} {
		t.Run(tt.who+tt.path, func(t *testing.T) {
			res := d.get(t, tt.who, tt.path)
			if res.Code != http.StatusOK {
				t.Fatalf("%s as %s: %d", tt.path, tt.who, res.Code)
			}
			text := html.UnescapeString(tags.ReplaceAllString(res.Body.String(), "\n"))
			text = dates.ReplaceAllString(text, " ")
			for _, s := range []string{"sam", "Lee", "Priya", "Jo", "Riverside (demo service)"} {
				text = strings.ReplaceAll(text, s, " ")
			}
			for _, s := range []string{"STOP", "TIPP", "ACCEPTS", "IMPROVE", "PLEASE", "ABC", "DEAR MAN", "GIVE", "FAST", "“x”"} {
				text = strings.ReplaceAll(text, s, " ") // standard acronyms, and the search words echoed back
			}
			if left := i18n.Unmarked(text); len(left) > 0 {
				t.Errorf("text not from the catalogue: %q", left)
			}
		})
	}
}

// plantPractice has therapist set who a thought record, and who log
// practice of it with v as the note (field practice_note) or as a worksheet
// answer (worksheet_answers), through the web form.
func plantPractice(t *testing.T, d *demoServer, who, therapist, field, v string) error {
	t.Helper()
	h, err := d.skills.Assign(context.Background(), staffActor(t, d, therapist), d.people[who], skills.Assignment{Item: "worksheet:thought_record", PerWeek: 1})
	if err != nil {
		return err
	}
	form := url.Values{"idempotency_key": {"canary-" + field}, "helpful": {"yes"}}
	if field == "practice_note" {
		form.Set("note", v)
	} else {
		form.Set("answer.balanced_thought", v)
	}
	if res := d.post(t, who, "/me/homework/"+string(h.ID)+"/practice", form); res.Code != http.StatusSeeOther {
		t.Fatalf("planting %s's %s: %d", who, field, res.Code)
	}
	return nil
}
