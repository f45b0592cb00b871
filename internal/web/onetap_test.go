package web_test

import (
	"strings"
	"testing"
)

// TestOneTapFromEveryPersonPage: every page of the router a person can
// open (GET /me... without path parameters) links to the help page, the
// safety plan and the toolbox, and carries the quick exit (safety-rules.md
// sections 2 and 9; issue 4 "one tap from every page").
func TestOneTapFromEveryPersonPage(t *testing.T) {
	d := newDemoServer(t)
	checked := 0
	for _, p := range d.srv.Patterns() {
		path, ok := strings.CutPrefix(p, "GET ")
		if !ok || !strings.HasPrefix(path, "/me") || strings.Contains(path, "{") {
			continue
		}
		res := d.get(t, "sam", path)
		if res.Code != 200 {
			continue // a redirect (unlock, the notice) leads to a page checked here
		}
		if !strings.HasPrefix(res.Header().Get("Content-Type"), "text/html") {
			continue
		}
		checked++
		mustContain(t, path, res.Body.String(), `class="help-link" href="/help"`, `href="/me/plan"`, `href="/me/toolbox"`, "data-quick-exit")
	}
	if checked < 15 {
		t.Fatalf("only %d person pages checked", checked)
	}
}
