package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tendcare/tend/internal/testenv"
)

// TestSSOSignIn: an admin links Lee to an identity at an identity provider
// started in the test, and Lee signs in by clicking "Sign in with Example
// ID": through the provider (which approves at once) and back to the clinic.
// The sign-in page with the button and the admin's staff page pass axe-core.
func TestSSOSignIn(t *testing.T) {
	axe := loadAxe(t)
	idp := testenv.NewIdP(t)
	idp.SignInAs("lee-at-provider", nil)
	srv := startTend(t, serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword,
		"TEND_OIDC_ISSUER=" + idp.Issuer(), "TEND_OIDC_CLIENT_ID=" + idp.ClientID, "TEND_OIDC_CLIENT_SECRET=" + idp.ClientSecret,
		"TEND_OIDC_NAME=Example ID"}})
	browser := newBrowser(t)

	// The admin links Lee on the staff page.
	admin := newTab(t, browser)
	signIn(t, admin, srv, "admin@example.org")
	if err := chromedp.Do(admin, chromedp.Navigate(srv.URL+"/admin/staff"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, admin, axe, "admin staff page with single sign-on")
	const findInput = `[...document.querySelectorAll("tbody tr")].find(r => r.textContent.includes("lee@example.org")).querySelector("input[name=subject]").id`
	id, err := chromedp.Run(admin, chromedp.Evaluate[string](findInput))
	if err != nil || id == "" {
		t.Fatalf("Lee's subject field: %q, %v", id, err)
	}
	if err := chromedp.Do(admin,
		chromedp.SetValue(chromedp.CSS("#"+id), "lee-at-provider"),
		chromedp.Click(chromedp.CSS(`form:has(#`+id+`) button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.card[role=status]`)),
	); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, admin); !strings.Contains(p.Main, "Single sign-on is linked") || !strings.Contains(p.Main, "lee-at-provider") {
		t.Fatalf("after linking, the staff page reads:\n%s", p.Main)
	}

	// Lee, in a browser context of their own, clicks the button.
	lee := newTab(t, browser)
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`a[href="/signin/oidc"]`))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, lee, axe, "sign-in page with single sign-on")
	screenshot(t, lee, "sso-signin")
	if err := chromedp.Do(lee, chromedp.Click(chromedp.CSS(`a[href="/signin/oidc"]`))); err != nil {
		t.Fatal(err)
	}
	var at string
	for range 200 {
		u, err := chromedp.Run(lee, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if at = strings.SplitN(u, "?", 2)[0]; strings.HasSuffix(at, "/clinic") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.HasSuffix(at, "/clinic") {
		t.Fatalf("single sign-on ended at %s, want the clinic", at)
	}
	if err := chromedp.Do(lee, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, lee); !strings.Contains(p.Main, "sam") {
		t.Errorf("Lee's clinic after single sign-on does not list sam:\n%s", p.Main)
	}
	if idp.Authorized() != 1 {
		t.Errorf("the provider approved %d sign-ins, want 1", idp.Authorized())
	}
}
