package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

var (
	chainLinkIDs = regexp.MustCompile(`name="link_id" value="([^"]+)"`)
	chainSolIDs  = regexp.MustCompile(`name="sol_id" value="([^"]+)"`)
	chainHWSol   = regexp.MustCompile(`name="solution" value="([^"]+)"`)
)

// chainSaveForm is the analysis form as a browser without JavaScript
// sends it: every row, filled or blank.
func chainSaveForm(t *testing.T, page string, revision string, sections map[string]string, links [][2]string, sols [][3]string) url.Values {
	t.Helper()
	f := url.Values{"revision": {revision}}
	for k, v := range sections {
		f.Set(k, v)
	}
	lids := chainLinkIDs.FindAllStringSubmatch(page, -1)
	sids := chainSolIDs.FindAllStringSubmatch(page, -1)
	if len(lids) < len(links) || len(sids) < len(sols) {
		t.Fatalf("the form has %d link rows and %d idea rows", len(lids), len(sids))
	}
	for i, m := range lids {
		typ, text := "thought", ""
		if i < len(links) {
			typ, text = links[i][0], links[i][1]
		}
		f.Add("link_id", m[1])
		f.Add("link_pos", "")
		f.Add("link_type", typ)
		f.Add("link_text", text)
	}
	for i, m := range sids {
		var link, skill, text string
		if i < len(sols) {
			link, skill, text = sols[i][0], sols[i][1], sols[i][2]
		}
		f.Add("sol_id", m[1])
		f.Add("sol_link", link)
		f.Add("sol_skill", skill)
		f.Add("sol_text", text)
	}
	return f
}

// TestChainPages walks a chain analysis through its pages without
// JavaScript: lee (with sam's "see and edit" grant) starts one, sam and lee
// write in it (a save from an older revision keeps both), it is marked
// complete and reopened, and an idea becomes homework. Lee with "see" only
// reads but cannot change it; kim and alex never see it.
func TestChainPages(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	base := "/clinic/people/" + sam + "/chains"

	t.Run("ErrForbidden/NoGrantNoStart", func(t *testing.T) {
		res := d.post(t, "lee@example.org", base, url.Values{"id": {string(tend.NewID())}, "day": {"2026-03-01"}, "target": {"a.self_harm"}})
		if res.Code != http.StatusForbidden {
			t.Fatalf("start without a grant: %d", res.Code)
		}
	})
	d.shareArea(t, "sam", "Lee", access.AreaChainAnalysis, access.LevelEdit)

	list := d.get(t, "lee@example.org", base+"?day=2026-03-01&target=a.self_harm")
	for _, want := range []string{`value="2026-03-01"`, `value="a.self_harm"`, "Start a chain analysis", "There are no chain analyses."} {
		if list.Code != http.StatusOK || !strings.Contains(list.Body.String(), want) {
			t.Fatalf("lee's list lacks %q (%d)", want, list.Code)
		}
	}
	id := string(tend.NewID())
	start := url.Values{"id": {id}, "day": {"2026-03-01"}, "target": {"a.self_harm"}}
	for range 2 { // a repeated post opens one analysis
		res := d.post(t, "lee@example.org", base, start)
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != base+"/"+id {
			t.Fatalf("start: %d %s", res.Code, res.Header().Get("Location"))
		}
	}
	if res := d.post(t, "lee@example.org", base, url.Values{"id": {string(tend.NewID())}, "day": {"yesterday"}, "target": {"a.self_harm"}}); res.Code != http.StatusBadRequest ||
		!strings.Contains(res.Body.String(), "year-month-day") {
		t.Fatalf("a bad day: %d", res.Code)
	}

	// Sam finds it in their own list; nothing is pushed to them.
	mine := d.get(t, "sam", "/me/chains").Body.String()
	if strings.Count(mine, `href="/me/chains/`+id+`"`) != 1 || !strings.Contains(mine, "About Sunday 1 March 2026") {
		t.Fatalf("sam's list:\n%s", mine)
	}
	home := d.get(t, "sam", "/me").Body.String()
	if !strings.Contains(home, `<li><a href="/me/chains">My chain analyses</a></li>`) || strings.Contains(home, "About Sunday") {
		t.Error("sam's home page should only link the list")
	}

	page := d.get(t, "sam", "/me/chains/"+id)
	body := page.Body.String()
	for _, want := range []string{"1. The problem behaviour, on Sunday 1 March 2026", "4. Links", "6. Solution analysis", "9. Commitment",
		"Lee (therapist) can read this.", `aria-describedby="who-behaviour"`, "detective work", `<a href="/help">`} {
		if page.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("sam's page lacks %q (%d)", want, page.Code)
		}
	}
	if !strings.Contains(body, tippCaution) {
		t.Error("the form offers TIPP without its caution (safety-rules.md section 8)")
	}
	if strings.Contains(strings.ToLower(body), "how did you") || strings.Contains(strings.ToLower(body), "what did you use") {
		t.Error("the form must never prompt for methods")
	}

	// Sam saves links and a section, from revision 1.
	f := chainSaveForm(t, body, "1", map[string]string{"vulnerability": "Slept badly all week"},
		[][2]string{{"emotion", "Lonely"}, {"thought", "Nobody cares"}}, nil)
	f["link_pos"][0], f["link_pos"][1] = "2", "1" // reorder without JavaScript
	if res := d.post(t, "sam", "/me/chains/"+id, f); res.Code != http.StatusSeeOther || !strings.HasSuffix(res.Header().Get("Location"), "?done=saved") {
		t.Fatalf("sam saves: %d %s", res.Code, res.Header().Get("Location"))
	}
	// Lee saves from revision 1 too: both writers' words are kept.
	lee := d.get(t, "lee@example.org", base+"/"+id).Body.String()
	f = chainSaveForm(t, lee, "1", map[string]string{"vulnerability": "Exams this month"}, nil, nil)
	res := d.post(t, "lee@example.org", base+"/"+id, f)
	if res.Code != http.StatusSeeOther || !strings.HasSuffix(res.Header().Get("Location"), "?merged=1") {
		t.Fatalf("lee's save from an older revision: %d %s", res.Code, res.Header().Get("Location"))
	}
	lee = d.get(t, "lee@example.org", res.Header().Get("Location")).Body.String()
	for _, want := range []string{"Nothing was lost", "Slept badly all week", "Exams this month", "Nobody cares", "Lonely"} {
		if !strings.Contains(lee, want) {
			t.Errorf("after the merge the page lacks %q", want)
		}
	}
	if i, j := strings.Index(lee, "Nobody cares</textarea>"), strings.Index(lee, "Lonely</textarea>"); i < 0 || j < i {
		t.Error("the links are not in the order their numbers gave")
	}

	// A bad link type is re-rendered with its problem, the words kept.
	bad := chainSaveForm(t, lee, "3", map[string]string{"repair": "Say sorry"}, [][2]string{{"method", "x"}}, nil)
	if res := d.post(t, "lee@example.org", base+"/"+id, bad); res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Say sorry") {
		t.Fatalf("a bad link type: %d", res.Code)
	}

	// Lee names a skill for the first link and saves it as complete.
	first := chainLinkIDs.FindStringSubmatch(lee)[1]
	f = chainSaveForm(t, lee, "3", map[string]string{"vulnerability": "Slept badly all week\n\nExams this month"},
		[][2]string{{"thought", "Nobody cares"}, {"emotion", "Lonely"}}, [][3]string{{first, "tipp", "Cold water on my face"}})
	f.Set("then", "complete")
	if res := d.post(t, "lee@example.org", base+"/"+id, f); res.Code != http.StatusSeeOther || !strings.HasSuffix(res.Header().Get("Location"), "?done=complete") {
		t.Fatalf("save and complete: %d %s", res.Code, res.Header().Get("Location"))
	}
	lee = d.get(t, "lee@example.org", base+"/"+id).Body.String()
	if !strings.Contains(lee, "Marked complete on") || strings.Contains(lee, `name="link_text"`) || !strings.Contains(lee, "Reopen to change it") {
		t.Fatal("a complete analysis should be read, with a reopen button")
	}
	if !strings.Contains(lee, tippCaution) {
		t.Error("an idea naming TIPP is shown without its caution (safety-rules.md section 8)")
	}
	sol := chainHWSol.FindStringSubmatch(lee)
	if sol == nil {
		t.Fatal("no homework form for the idea that names a skill")
	}
	if res := d.post(t, "lee@example.org", base+"/"+id+"/homework", url.Values{"solution": {sol[1]}, "per_week": {"3"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("make homework: %d", res.Code)
	}
	hw, _, err := d.skills.List(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}, d.people["sam"], true)
	if err != nil || len(hw) != 1 || hw[0].SkillID != "tipp" || hw[0].PerWeek != 3 {
		t.Fatalf("sam's homework: %+v %v", hw, err)
	}
	if res := d.post(t, "sam", "/me/chains/"+id+"/homework", url.Values{"solution": {sol[1]}, "per_week": {"3"}}); res.Code != http.StatusMethodNotAllowed && res.Code != http.StatusNotFound {
		t.Errorf("the person sets homework: %d", res.Code)
	}

	// Sam reopens it.
	res = d.post(t, "sam", "/me/chains/"+id+"/state", url.Values{"state": {"draft"}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("sam reopens: %d", res.Code)
	}
	if body := d.get(t, "sam", res.Header().Get("Location")).Body.String(); !strings.Contains(body, "Reopened") || !strings.Contains(body, `name="link_text"`) {
		t.Error("a reopened analysis is a form again")
	}

	t.Run("ErrForbidden/SeeOnly", func(t *testing.T) {
		d.shareArea(t, "sam", "Lee", access.AreaChainAnalysis, access.LevelSee)
		body := d.get(t, "lee@example.org", base+"/"+id).Body.String()
		if !strings.Contains(body, "Nobody cares") || strings.Contains(body, `name="link_text"`) {
			t.Error("lee with see only should read, without the form")
		}
		if list := d.get(t, "lee@example.org", base).Body.String(); strings.Contains(list, `name="target"`) {
			t.Error("lee with see only is offered the start form")
		}
		f := chainSaveForm(t, d.get(t, "sam", "/me/chains/"+id).Body.String(), "6", map[string]string{"repair": "x"}, nil, nil)
		if res := d.post(t, "lee@example.org", base+"/"+id, f); res.Code != http.StatusForbidden {
			t.Errorf("lee with see saves: %d", res.Code)
		}
		if res := d.post(t, "lee@example.org", base+"/"+id+"/state", url.Values{"state": {"complete"}}); res.Code != http.StatusForbidden {
			t.Errorf("lee with see completes: %d", res.Code)
		}
	})
	t.Run("ErrNotFound/Others", func(t *testing.T) {
		for who, path := range map[string]string{"kim@example.org": base + "/" + id, "alex": "/me/chains/" + id} {
			if res := d.get(t, who, path); res.Code != http.StatusNotFound || strings.Contains(res.Body.String(), "Nobody cares") {
				t.Errorf("%s: %d", who, res.Code)
			}
		}
	})
}
