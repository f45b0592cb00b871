package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSignedInPages signs in through the real form as a person, a
// therapist and an admin, in Chromium at phone width, and checks each of
// their pages with axe-core (WCAG 2.2 AA, 0 violations).
func TestSignedInPages(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	const password = "a demo password for the browser"
	srv := startTend(t, serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + password}})
	for _, acct := range []struct {
		who   string
		home  string
		pages []string
	}{
		{"sam", "/me", []string{"/me", "/me/sharing", "/me/who-looked", "/me/settings"}},
		{"lee@example.org", "/clinic", []string{"/clinic"}},
		{"admin@example.org", "/admin", []string{"/admin", "/admin/staff", "/admin/invites", "/admin/teams", "/admin/care-teams", "/admin/settings"}},
	} {
		t.Run(strings.SplitN(acct.who, "@", 2)[0], func(t *testing.T) {
			ctx := newTab(t, browser)
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
				chromedp.Navigate(srv.URL+"/signin"),
				chromedp.SetValue(chromedp.CSS("#identifier"), acct.who),
				chromedp.SetValue(chromedp.CSS("#password"), password),
				chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
			); err != nil {
				t.Fatal(err)
			}
			// The sign-in page has a heading too: wait for the address to change.
			var url string
			for i := 0; i < 100; i++ {
				u, err := chromedp.Run(ctx, chromedp.Location())
				if err != nil {
					t.Fatal(err)
				}
				if url = u; !strings.HasSuffix(u, "/signin") {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
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
				pages = append(pages, href)
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
				if strings.HasPrefix(name, "clinic-people-") {
					name = "clinic-person"
				}
				screenshot(t, ctx, "page-"+name)
			}
		})
	}
}
