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
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/toolbox"
)

var (
	toolboxKeyField = regexp.MustCompile(`name="idempotency_key" value="([^"]*)"`)
	// toolboxOwnIDs finds the ids of the person's own activities on the
	// manage page.
	toolboxOwnIDs = regexp.MustCompile(`action="/me/toolbox/activities/(own-[^"]+)"`)
)

// toolboxStep posts one step of the no-JavaScript flow and returns the page.
func (d *demoServer) toolboxStep(t *testing.T, who string, want int, form url.Values) string {
	t.Helper()
	res := d.post(t, who, "/me/toolbox/step", form)
	if res.Code != want {
		t.Fatalf("step %v: %d, want %d\n%s", form, res.Code, want, res.Body.String())
	}
	return res.Body.String()
}

// toolboxUse walks the whole no-JavaScript flow as who and saves the use;
// it returns where the saved use answered.
func (d *demoServer) toolboxUse(t *testing.T, who, before, activity, after string) string {
	t.Helper()
	f := url.Values{"question": {"urge"}, "urge_before": {before}, "kind": {"breathe"}, "activity": {activity}, "minutes": {"5"}}
	f.Set("step", "timer")
	page := d.toolboxStep(t, who, http.StatusOK, f)
	m := toolboxKeyField.FindStringSubmatch(page)
	if m == nil || m[1] == "" {
		t.Fatal("the last step carries no idempotency key")
	}
	res := d.post(t, who, "/me/toolbox/uses", url.Values{"question": {"urge"}, "urge_before": {before}, "activity": {activity}, "minutes": {"5"},
		"idempotency_key": {m[1]}, "urge_after": {after}, "helpful": {"no"}, "recorded_at": {""}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("saving the use: %d\n%s", res.Code, res.Body.String())
	}
	return res.Header().Get("Location")
}

// TestToolboxWithoutJavaScript walks the toolbox as a sequence of forms,
// as a browser without JavaScript does (skills.md "The toolbox").
func TestToolboxWithoutJavaScript(t *testing.T) {
	d := newDemoServer(t)

	t.Run("start page carries the whole flow for the device", func(t *testing.T) {
		res := d.get(t, "sam", "/me/toolbox")
		if res.Code != http.StatusOK {
			t.Fatalf("status %d", res.Code)
		}
		if got := res.Header().Get("Tend-Offline"); got != "keep" {
			t.Errorf("Tend-Offline = %q, want keep", got)
		}
		body := res.Body.String()
		mustContain(t, "the start page", body, "Is this an urge to hurt yourself, or thoughts of ending your life?", "data-toolbox",
			`<form method="post" action="/me/toolbox/uses" data-offline-queue>`, `name="idempotency_key"`, `src="/static/js/toolbox.js"`,
			"Count backwards from 100 in sevens.", "Go for a brisk walk, or dance to one song.", "Very cold water slows the heart quickly",
			`data-screen="thoughts" aria-labelledby="tb-thoughts-h" hidden`, `href="/me/plan"`)
		for _, asset := range []string{"/static/js/toolbox.js", "/static/css/toolbox.css", "/static/css/tend.css"} {
			if got := d.get(t, "sam", asset).Header().Get("Tend-Offline"); got != "keep" {
				t.Errorf("%s: Tend-Offline = %q, want keep", asset, got)
			}
		}
	})

	t.Run("one tap from every person page", func(t *testing.T) {
		for _, p := range []string{"/me", "/me/plan", "/me/settings", "/me/toolbox/log"} {
			if body := d.get(t, "sam", p).Body.String(); !strings.Contains(body, `href="/me/toolbox"`) {
				t.Errorf("%s has no link to the toolbox", p)
			}
		}
	})

	t.Run("thoughts of ending your life: the plan and help first", func(t *testing.T) {
		body := d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"question"}, "question": {"thoughts"}})
		plan, help, tb := strings.Index(body, `href="/me/plan"`), strings.Index(body, `href="tel:`), strings.Index(body, ">Use the toolbox<")
		if plan < 0 || help < 0 || tb < 0 || plan > tb || help > tb {
			t.Fatalf("plan at %d, help at %d, toolbox at %d: want the plan and help before the toolbox", plan, help, tb)
		}
		mustContain(t, "the thoughts screen", body, "All the help options")
		// The toolbox stays one option: on to the urge, keeping the answer.
		body = d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"thoughts"}, "question": {"thoughts"}})
		mustContain(t, "the urge screen", body, "How strong is the urge right now?", `name="question" value="thoughts"`)
	})

	t.Run("an urge, rated, an activity, the timer, re-rated not lower", func(t *testing.T) {
		body := d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"question"}, "question": {"urge"}})
		mustContain(t, "the urge screen", body, "How strong is the urge right now?", `name="urge_before" value="10"`)
		if strings.Contains(body, "data-toolbox") {
			t.Error("a step without JavaScript carries the whole flow")
		}
		body = d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"urge"}, "question": {"urge"}, "urge_before": {"8"}})
		mustContain(t, "the kind screen", body, "What would you like to do?", "Comfort", "Distract", "Express", "Move", "Breathe", "Pick one for me",
			`name="urge_before" value="8"`)
		body = d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"kind"}, "question": {"urge"}, "urge_before": {"8"}, "kind": {"breathe"}})
		mustContain(t, "the activity screen", body, "Paced breathing", "5 minutes", "10 minutes", "15 minutes")
		if strings.Contains(body, "Count backwards") {
			t.Error("the breathe screen offers a distraction")
		}
		body = d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"activity"}, "question": {"urge"}, "urge_before": {"8"}, "kind": {"breathe"},
			"activity": {"breathe.paced"}, "minutes": {"5"}})
		mustContain(t, "the timer screen", body, "Your 5 minutes end at", "I&#39;m done", ">Stop<", `class="tb-help" href="/help"`,
			"Breathe in slowly while you count to 4. Breathe out slowly while you count to 6.", "The guide makes no sound.")
		loc := d.toolboxUse(t, "sam", "8", "breathe.paced", "8")
		if !regexp.MustCompile(`^/me/toolbox/uses/[0-9a-f-]+$`).MatchString(loc) {
			t.Fatalf("the use answered at %q: want its id and nothing else in the address", loc)
		}
		body = d.get(t, "sam", loc).Body.String()
		mustContain(t, "the page after a use", body, "The urge is still strong", "Try another activity", `href="/me/plan"`, `href="tel:`,
			`name="urge_before" value="8"`)
		if strings.Contains(body, "You rode that wave") {
			t.Error("an urge as strong as before is recognised as lower")
		}
		body = d.get(t, "sam", "/me/toolbox/log").Body.String()
		mustContain(t, "the log", body, "Paced breathing", "You stayed with it.", "For an urge to hurt yourself")
		// Another person's use is theirs alone.
		if d.get(t, "alex", loc).Code != http.StatusNotFound {
			t.Error("alex opens sam's use")
		}
	})

	t.Run("a lower urge is recognised", func(t *testing.T) {
		body := d.get(t, "sam", d.toolboxUse(t, "sam", "7", "breathe.paced", "3")).Body.String()
		mustContain(t, "the page after a use", body, "You rode that wave")
	})

	t.Run("a retried use is stored once", func(t *testing.T) {
		form := url.Values{"question": {"urge"}, "urge_before": {"6"}, "activity": {"distract.sevens"}, "minutes": {"10"},
			"idempotency_key": {"retry-key"}, "urge_after": {"5"}, "helpful": {"yes"}, "recorded_at": {"2026-03-02T08:50:00Z"}}
		first := d.post(t, "sam", "/me/toolbox/uses", form)
		again := d.post(t, "sam", "/me/toolbox/uses", form)
		if first.Code != http.StatusSeeOther || again.Code != http.StatusSeeOther || first.Header().Get("Location") != again.Header().Get("Location") {
			t.Fatalf("first %d %q, again %d %q", first.Code, first.Header().Get("Location"), again.Code, again.Header().Get("Location"))
		}
		if n := strings.Count(d.get(t, "sam", "/me/toolbox/log").Body.String(), "Count backwards"); n != 1 {
			t.Errorf("the log shows the retried use %d times, want 1", n)
		}
	})

	t.Run("bad input gets a clear message and changes nothing", func(t *testing.T) {
		entries := func() int {
			return strings.Count(d.get(t, "sam", "/me/toolbox/log").Body.String(), `<li class="card">`)
		}
		before := entries()
		body := d.toolboxStep(t, "sam", http.StatusBadRequest, url.Values{"step": {"question"}})
		mustContain(t, "a missing answer", body, "Choose one of the two answers.")
		body = d.toolboxStep(t, "sam", http.StatusBadRequest, url.Values{"step": {"urge"}, "question": {"urge"}, "urge_before": {"11"}})
		mustContain(t, "an urge out of range", body, "Choose how strong the urge is, from 0 to 10.")
		res := d.post(t, "sam", "/me/toolbox/uses", url.Values{"question": {"urge"}, "urge_before": {"6"}, "activity": {"distract.sevens"},
			"minutes": {"10"}, "idempotency_key": {"bad-1"}, "helpful": {"yes"}})
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "from 0 to 10") {
			t.Errorf("a use without the second rating: %d", res.Code)
		}
		if after := entries(); after != before || before == 0 {
			t.Errorf("the log held %d uses before bad input, %d after", before, after)
		}
	})
}

// TestToolboxArrange hides, pins, adds and accepts the caution through the
// manage page; "pick one for me" then never picks a hidden activity nor
// one whose caution is not accepted.
func TestToolboxArrange(t *testing.T) {
	d := newDemoServer(t)
	choose := func(id, change string) {
		t.Helper()
		if res := d.post(t, "sam", "/me/toolbox/activities/"+id, url.Values{"change": {change}}); res.Code != http.StatusSeeOther {
			t.Fatalf("%s %s: %d", change, id, res.Code)
		}
	}
	for _, a := range toolbox.Starters {
		if a.ID != "distract.sevens" && a.ID != "move.walk_dance" {
			choose(a.ID, "hide")
		}
	}
	pick := func() string {
		t.Helper()
		body := d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"kind"}, "question": {"urge"}, "urge_before": {"5"}, "kind": {"pick"}})
		m := regexp.MustCompile(`name="activity" value="([^"]+)" required checked`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("pick one for me chose nothing:\n%s", body)
		}
		return m[1]
	}
	for range 12 {
		if got := pick(); got != "distract.sevens" {
			t.Fatalf("pick one for me chose %s: hidden, or with a caution not accepted", got)
		}
	}
	if res := d.post(t, "sam", "/me/toolbox/caution", url.Values{"accepted": {"yes"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("accepting the caution: %d", res.Code)
	}
	choose("distract.sevens", "hide")
	if got := pick(); got != "move.walk_dance" {
		t.Fatalf("after accepting the caution pick one for me chose %s, want the brisk walk", got)
	}
	// A person's own activity, pinned, comes first in its kind.
	if res := d.post(t, "sam", "/me/toolbox/activities", url.Values{"kind": {"comfort"}, "text": {"Stroke the cat"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("adding an own activity: %d", res.Code)
	}
	choose("comfort.song", "show")
	page := d.get(t, "sam", "/me/toolbox/manage").Body.String()
	own := toolboxOwnIDs.FindStringSubmatch(page)
	if own == nil {
		t.Fatal("the manage page lacks the own activity")
	}
	choose(own[1], "pin")
	body := d.toolboxStep(t, "sam", http.StatusOK, url.Values{"step": {"kind"}, "question": {"urge"}, "urge_before": {"5"}, "kind": {"comfort"}})
	cat, song := strings.Index(body, "Stroke the cat"), strings.Index(body, "Listen to a song")
	if cat < 0 || song < 0 || cat > song {
		t.Errorf("the pinned own activity (at %d) is not before the song (at %d)", cat, song)
	}
	if strings.Contains(body, "Wrap yourself up") {
		t.Error("a hidden activity is offered")
	}
	if res := d.post(t, "sam", "/me/toolbox/activities", url.Values{"kind": {"comfort"}, "text": {"   "}}); res.Code != http.StatusBadRequest {
		t.Errorf("an empty own activity: %d, want 400", res.Code)
	}
}

// TestToolboxSharing: lee sees sam's toolbox log only while sam shares it,
// every read audited; kim never.
func TestToolboxSharing(t *testing.T) {
	d := newDemoServer(t)
	d.toolboxUse(t, "sam", "8", "breathe.paced", "8")
	path := "/clinic/people/" + string(d.people["sam"]) + "/toolbox"
	if res := d.get(t, "lee@example.org", path); res.Code != http.StatusForbidden || strings.Contains(res.Body.String(), "Paced breathing") {
		t.Fatalf("lee before sam shares: %d", res.Code)
	}
	share := func(level access.Level) {
		t.Helper()
		err := d.careTeam.SetGrants(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}, d.people["sam"],
			[]careteam.GrantChange{{MemberID: memberID(t, d, "sam", "Lee"), Area: access.AreaToolboxLog, Level: level}})
		if err != nil {
			t.Fatal(err)
		}
	}
	share(access.LevelSee)
	reads := d.auditCount(t, "sam", string(access.ToolboxLogRead))
	res := d.get(t, "lee@example.org", path)
	if res.Code != http.StatusOK {
		t.Fatalf("lee while sam shares: %d", res.Code)
	}
	mustContain(t, "lee's view", res.Body.String(), "Paced breathing", "urge to self-harm", "<td>8</td>")
	if got := d.auditCount(t, "sam", string(access.ToolboxLogRead)); got != reads+1 {
		t.Errorf("lee's read audited %d times, want 1", got-reads)
	}
	if res := d.get(t, "kim@example.org", path); res.Code != http.StatusNotFound {
		t.Errorf("kim: %d, want 404", res.Code)
	}
	share(access.LevelNone)
	if res := d.get(t, "lee@example.org", path); res.Code != http.StatusForbidden {
		t.Errorf("lee after sam stopped sharing: %d, want 403", res.Code)
	}
}

// TestToolboxServiceActivities: an admin adds an activity only with the
// confirmation, never one section 7 forbids; people see it at once.
func TestToolboxServiceActivities(t *testing.T) {
	d := newDemoServer(t)
	for _, tt := range []struct {
		name string
		form url.Values
		want int
	}{
		{"ErrInvalid/NoConfirmation", url.Values{"kind": {"comfort"}, "text": {"Stroke a pet"}}, http.StatusBadRequest},
		{"ErrInvalid/RubberBand", url.Values{"kind": {"move"}, "text": {"Snap a rubber band"}, "safe": {"yes"}}, http.StatusBadRequest},
		{"ErrInvalid/IceOnSkin", url.Values{"kind": {"comfort"}, "text": {"Hold ice on your skin"}, "safe": {"yes"}}, http.StatusBadRequest},
		{"OK", url.Values{"kind": {"comfort"}, "text": {"Stroke a pet"}, "safe": {"yes"}}, http.StatusSeeOther},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := d.post(t, "admin@example.org", "/admin/toolbox", tt.form); res.Code != tt.want {
				t.Fatalf("%d, want %d", res.Code, tt.want)
			}
		})
	}
	if res := d.post(t, "lee@example.org", "/admin/toolbox", url.Values{"kind": {"comfort"}, "text": {"Sing"}, "safe": {"yes"}}); res.Code != http.StatusForbidden {
		t.Errorf("a clinician adds a service activity: %d", res.Code)
	}
	page := d.get(t, "admin@example.org", "/admin/toolbox").Body.String()
	if strings.Contains(page, "Snap a rubber band") || !strings.Contains(page, "Stroke a pet") {
		t.Error("the admin page lists a refused activity, or lacks the added one")
	}
	if !strings.Contains(d.get(t, "sam", "/me/toolbox").Body.String(), "Stroke a pet") {
		t.Error("sam's toolbox lacks the service's activity")
	}
}
