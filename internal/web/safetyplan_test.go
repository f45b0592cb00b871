package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend"
)

// TestSafetyPlanPages walks "My safety plan" as sam, lee, priya and kim.
// Expectations are written by hand from safety-plan.md, safety-rules.md
// section 4 and DESIGN.md "Who sees what".
func TestSafetyPlanPages(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	staffPlan := "/clinic/people/" + sam + "/plan"
	contains := func(t *testing.T, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("page lacks %q", w)
			}
		}
	}
	lacks := func(t *testing.T, body string, unwanted ...string) {
		t.Helper()
		for _, w := range unwanted {
			if strings.Contains(body, w) {
				t.Errorf("page shows %q", w)
			}
		}
	}

	t.Run("default card when there is no plan", func(t *testing.T) {
		res := d.get(t, "sam", "/me/plan")
		if res.Code != http.StatusOK {
			t.Fatalf("status %d", res.Code)
		}
		body := res.Body.String()
		contains(t, body, "If things get worse", "You and your clinician can make your own plan together.",
			"Name five things you can see", "NHS 111 and choose the mental health option", `href="tel:`, `href="sms:`,
			"data-quick-exit", `href="/me/plan/edit"`)
		lacks(t, body, "Step 1:")
	})

	t.Run("one tap from every person page", func(t *testing.T) {
		for _, p := range []string{"/me", "/me/sharing", "/me/settings", "/me/who-looked", "/me/supporters"} {
			if body := d.get(t, "sam", p).Body.String(); !strings.Contains(body, `class="plan-link" href="/me/plan"`) {
				t.Errorf("%s has no one-tap link to the plan", p)
			}
		}
		if body := d.get(t, "lee@example.org", "/clinic").Body.String(); strings.Contains(body, `class="plan-link"`) {
			t.Errorf("a staff page links to /me/plan")
		}
	})

	t.Run("sam saves, lee reads and edits, priya and kim cannot", func(t *testing.T) {
		res := d.post(t, "sam", "/me/plan", url.Values{"version": {"0"}, "step_1": {"Shutting myself away\nNot sleeping"}, "most_important": {"My little brother"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("sam saves: %d\n%s", res.Code, res.Body.String())
		}
		body := d.get(t, "sam", "/me/plan").Body.String()
		contains(t, body, "Shutting myself away", "Not sleeping", "My little brother", "Step 5:", `href="tel:`)
		lacks(t, body, "If things get worse")

		res = d.get(t, "lee@example.org", staffPlan)
		if res.Code != http.StatusOK {
			t.Fatalf("lee reads: %d", res.Code)
		}
		contains(t, res.Body.String(), "Shutting myself away", `action="`+staffPlan+`"`)
		for _, who := range []string{"priya@example.org", "kim@example.org"} {
			res := d.get(t, who, staffPlan)
			if want := map[string]int{"priya@example.org": 403, "kim@example.org": 404}[who]; res.Code != want {
				t.Errorf("%s reads: %d, want %d", who, res.Code, want)
			}
			lacks(t, res.Body.String(), "Shutting myself away")
			if res := d.post(t, who, staffPlan, url.Values{"version": {"1"}, "step_1": {"from " + who}}); res.Code == http.StatusSeeOther {
				t.Errorf("%s saved sam's plan", who)
			}
		}
		res = d.post(t, "lee@example.org", staffPlan, url.Values{"version": {"1"}, "step_1": {"Shutting myself away\nNot sleeping"}, "most_important": {"My little brother"},
			"step_6": {"Mum keeps my tablets and gives me a week at a time"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("lee edits: %d\n%s", res.Code, res.Body.String())
		}
		if res := d.post(t, "lee@example.org", staffPlan+"/reviewed", url.Values{"version": {"2"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("lee marks reviewed: %d", res.Code)
		}
		contains(t, d.get(t, "sam", "/me/plan").Body.String(), "Mum keeps my tablets", "Last looked at with")

		// sam's own reads are not staff reads; lee's are.
		looks, err := d.db.FindStaffReads(context.Background(), d.people["sam"], 50)
		if err != nil {
			t.Fatal(err)
		}
		var planReaders []tend.ID
		for _, e := range looks {
			if e.Action == "safety_plan.read" {
				planReaders = append(planReaders, e.ActorID)
			}
		}
		if len(planReaders) == 0 || slices.Contains(planReaders, d.people["sam"]) {
			t.Errorf("staff reads of the plan: %v, want lee's and never sam's", planReaders)
		}
		if want := tend.ID(d.staffID(t, "lee@example.org")); !slices.Contains(planReaders, want) {
			t.Errorf("staff reads of the plan: %v, want lee (%s)", planReaders, want)
		}
	})

	t.Run("a save based on an older version keeps both texts", func(t *testing.T) {
		res := d.post(t, "sam", "/me/plan", url.Values{"version": {"1"}, "step_1": {"Shutting myself away\nScrolling all night"}})
		if res.Code != http.StatusSeeOther || !strings.Contains(res.Header().Get("Location"), "merged=1") {
			t.Fatalf("stale save: %d to %q, want 303 to merged", res.Code, res.Header().Get("Location"))
		}
		contains(t, d.get(t, "sam", "/me/plan?merged=1").Body.String(), "Nothing was lost", "Not sleeping", "Scrolling all night", "Mum keeps my tablets")
		contains(t, d.get(t, "sam", "/me/plan/history").Body.String(), "Version 1", "Version 2", "Version 3")
	})

	t.Run("an empty plan is not saved", func(t *testing.T) {
		if res := d.post(t, "alex", "/me/plan", url.Values{"version": {"0"}, "step_1": {"  \n "}}); res.Code != http.StatusBadRequest {
			t.Errorf("empty save: %d, want 400", res.Code)
		}
	})
}
