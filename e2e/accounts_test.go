package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSignedInPages signs in through the real form as a person, a
// therapist and an admin, in Chromium at phone width, and checks each of
// their pages with axe-core (WCAG 2.2 AA, 0 violations).
func TestSignedInPages(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)
	for _, acct := range []struct {
		who   string
		home  string
		pages []string
	}{
		{"sam", "/me", []string{"/me", "/me/sharing", "/me/who-looked", "/me/settings", "/me/safety-prompts", "/me/contact", "/me/supporters",
			"/me/plan/history", "/me/toolbox/manage", "/me/hope-box", "/me/reminders"}},
		{"lee@example.org", "/clinic", []string{"/clinic", "/clinic/tasks", "/clinic/queue"}},
		{"admin@example.org", "/admin", []string{"/admin", "/admin/staff", "/admin/invites", "/admin/teams", "/admin/care-teams", "/admin/settings",
			"/admin/toolbox", "/admin/journal-prompts", "/admin/jobs"}},
	} {
		t.Run(strings.SplitN(acct.who, "@", 2)[0], func(t *testing.T) {
			ctx := newTab(t, browser)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
				t.Fatal(err)
			}
			url := signIn(t, ctx, srv, acct.who)
			if !strings.HasSuffix(url, acct.home) {
				t.Fatalf("signed in as %s, landed on %s; want %s", acct.who, url, acct.home)
			}
			checkAxe(t, ctx, axe, "signin-"+acct.who)
			pages := acct.pages
			if acct.who == "lee@example.org" {
				// Lee's people: open the first person's page from the caseload.
				href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('main table a[href^="/clinic/people/"]').getAttribute('href')`))
				if err != nil || href == "" {
					t.Fatalf("no person on Lee's caseload: %v", err)
				}
				pages = append(pages, href, href+"/safety-prompts", href+"/homework", href+"/journal/prompts")
			}
			for _, p := range pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+p), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				page := readPage(t, ctx)
				if !page.hasLink("/help") {
					t.Errorf("%s has no link to the help page", p)
				}
				checkAxe(t, ctx, axe, p)
				name := strings.NewReplacer("/", "-").Replace(strings.Trim(p, "/"))
				if rest, ok := strings.CutPrefix(name, "clinic-people-"); ok {
					name = "clinic-person"
					if len(rest) > 37 { // after the person's id
						name += "-" + rest[37:]
					}
				}
				screenshot(t, ctx, "page-"+name)
			}
		})
	}
}
