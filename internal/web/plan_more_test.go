package web_test

import (
	"net/url"
	"testing"
)

// TestPlanWhoHasACopy: the plan page lists the supporters sam gave parts of
// the plan to, with the parts, and links to change them.
func TestPlanWhoHasACopy(t *testing.T) {
	d := newDemoServer(t)
	body := d.get(t, "sam", "/me/plan").Body.String()
	mustContain(t, "sam's plan before", body, "Who has a copy", "Nobody has a copy of your plan", `href="/me/supporters"`)
	res := d.post(t, "sam", "/me/supporters", url.Values{"item": {"safety_plan.steps_3_5", "who_to_call"}})
	if res.Code != 200 {
		t.Fatalf("sam invites a supporter: %d\n%s", res.Code, res.Body.String())
	}
	body = d.get(t, "sam", "/me/plan").Body.String()
	mustContain(t, "sam's plan after", body, "Supporter invited on", "Steps 3 to 5 of my safety plan", "Who to call")
	mustNotContain(t, "sam's plan after", body, "Nobody has a copy of your plan")
	mustNotContain(t, "lee's view of sam's plan", d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/plan").Body.String(), "Who has a copy")
}

// TestPlanReadableWithoutWrites: with the database refusing every write,
// sam's plan still opens (safety-plan.md: readable when the database cannot
// take writes).
func TestPlanReadableWithoutWrites(t *testing.T) {
	d := newDemoServer(t)
	before := d.get(t, "sam", "/me/plan")
	if before.Code != 200 {
		t.Fatalf("plan: %d", before.Code)
	}
	if _, err := d.db.Writer().Exec(`PRAGMA query_only = ON`); err != nil {
		t.Skipf("not SQLite: %v", err)
	}
	t.Cleanup(func() { _, _ = d.db.Writer().Exec(`PRAGMA query_only = OFF`) })
	res := d.get(t, "sam", "/me/plan")
	if res.Code != 200 {
		t.Fatalf("plan with the database refusing writes: %d\n%s", res.Code, res.Body.String())
	}
	mustContain(t, "sam's plan without writes", res.Body.String(), "/help", "tel:")
	if res := d.post(t, "sam", "/me/plan", url.Values{"based_on": {"0"}, "most_important": {"x"}}); res.Code < 500 {
		t.Errorf("a save with the database refusing writes: %d, want a server error", res.Code)
	}
}
