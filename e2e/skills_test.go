package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestSkillsAndHomework walks the skills library and homework in Chromium
// with JavaScript off, on a phone-sized screen: sam finds the homework the
// demo seeds (Lee's STOP, three times a week) on their home page, logs
// practice with a note, searches the library for TIPP through the plain
// search form and sees its medical caution; Lee then reads the practice on
// sam's homework page. Every page passes axe-core (WCAG 2.2 AA).
func TestSkillsAndHomework(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	ctx := newTab(t, browser)
	scripts := func(on bool) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
			t.Fatalf("turn scripts on (%v): %v", on, err)
		}
	}
	// axe-core needs scripts: it runs on each page as it was rendered
	// without them, then they go off again.
	axeCheck := func(label string) {
		t.Helper()
		scripts(true)
		checkAxe(t, ctx, axe, label)
		scripts(false)
	}
	scripts(false)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	signInAt(t, ctx, srv, "sam", "/me")
	home := readPage(t, ctx)
	var homework string
	for _, l := range home.Links {
		if strings.HasPrefix(l.Href, "/me/homework/") {
			homework = l.Href
		}
	}
	if homework == "" || !strings.Contains(home.Main, "STOP") || !strings.Contains(home.Main, "3 times a week") {
		t.Fatalf("sam's home page does not show the demo homework:\n%s", home.Main)
	}
	axeCheck("me-with-homework")

	// The homework page: Lee's note, who reads the practice note, help beside it.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+homework)); err != nil {
		t.Fatal(err)
	}
	waitPath(t, ctx, homework)
	p := readPage(t, ctx)
	for _, s := range []string{"A note from Lee", "Your therapist reads this before your next session, not straight away."} {
		if !strings.Contains(p.Main, s) {
			t.Errorf("the homework page lacks %q", s)
		}
	}
	if !p.hasLink("/help") {
		t.Error("the homework page has no help link")
	}
	axeCheck("me-homework")
	screenshot(t, ctx, "me-homework")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name=helpful][value=yes]`)),
		chromedp.SetValue(chromedp.CSS("#practice-note"), "Stepped back before replying"),
		chromedp.Click(chromedp.CSS(`form.practice-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`main p.notice[role=status]`)),
	); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, ctx); !strings.Contains(p.Main, "Your practice is saved.") || !strings.Contains(p.Main, "Stepped back before replying") {
		t.Errorf("the practice was not saved:\n%s", p.Main)
	}

	// The library: the plain search form finds TIPP, with its caution.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/me/skills"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	); err != nil {
		t.Fatal(err)
	}
	axeCheck("me-skills")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#skills-q"), "TIPP"),
		chromedp.Click(chromedp.CSS(`form.search button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#results`)),
	); err != nil {
		t.Fatal(err)
	}
	p = readPage(t, ctx)
	if !p.hasLink("/me/skills/tipp") || !strings.Contains(p.Main, "Very cold water slows the heart quickly") || p.hasLink("/me/skills/dear_man") {
		t.Errorf("searching for TIPP:\n%s", p.Main)
	}
	axeCheck("me-skills-search")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/skills/tipp")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, ctx, "/me/skills/tipp")
	if p := readPage(t, ctx); !strings.Contains(p.Main, "Never hold ice on your skin.") {
		t.Error("the TIPP page lacks the caution")
	}
	axeCheck("me-skill-tipp")
	screenshot(t, ctx, "me-skill-tipp")

	// Lee reads sam's practice on sam's homework page.
	lee := newTab(t, browser)
	signInAt(t, lee, srv, "lee@example.org", "/clinic")
	href, err := chromedp.Run(lee, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('main table a[href^="/clinic/people/"]')).find(a => a.innerText.trim() === 'sam').getAttribute('href')`))
	if err != nil || href == "" {
		t.Fatalf("sam is not on Lee's caseload: %v", err)
	}
	if err := chromedp.Do(lee, chromedp.Navigate(srv.URL+href+"/homework")); err != nil {
		t.Fatal(err)
	}
	waitPath(t, lee, href+"/homework")
	if p := readPage(t, lee); !strings.Contains(p.Main, "Stepped back before replying") {
		t.Errorf("Lee does not see sam's practice:\n%s", p.Main)
	}
	checkAxe(t, lee, axe, "clinic-homework")
	screenshot(t, lee, "clinic-homework")
}
