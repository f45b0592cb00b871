package e2e_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestOutcomesReportInBrowser: on a demo filled by 'tend demo-data', morgan
// (lead of the Riverside team) follows the link from the clinic home to the
// service outcomes report and reads it on a phone (390 px) and on a desktop
// (1280 px): the observational note above the figures, the modalities side
// by side, a chart with its table, the exports; axe-core finds no
// violation and each width is photographed. Lee, a clinician, gets 404.
func TestOutcomesReportInBrowser(t *testing.T) {
	axe := loadAxe(t)
	data := t.TempDir()
	fill := exec.Command(tendBin, "demo-data", "--data", data, "--people", "60", "--days", "240", "--seed", "1")
	fill.Env = append(environWithoutTend(), "TEND_DEMO_PASSWORD="+demoPassword)
	if out, err := fill.CombinedOutput(); err != nil {
		t.Fatalf("tend demo-data: %v\n%s", err, out)
	}
	srv := startTend(t, serveOptions{args: []string{"--data", data}, env: []string{"TEND_DEMO_PASSWORD=" + demoPassword}})
	browser := newBrowser(t)

	morgan := newTab(t, browser)
	signIn(t, morgan, srv, "morgan@example.org")
	if p := visit(t, morgan, srv, "/clinic"); !p.hasLink("/clinic/reports/outcomes") {
		t.Fatal("morgan's clinic home does not link the outcomes report")
	}
	for _, vp := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"390", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}},
		{"1280", 1280, 900, nil},
	} {
		t.Run("Width"+vp.name, func(t *testing.T) {
			if err := chromedp.Do(morgan, chromedp.EmulateViewport(vp.width, vp.height, vp.opts...)); err != nil {
				t.Fatal(err)
			}
			p := visit(t, morgan, srv, "/clinic/reports/outcomes")
			for _, s := range []string{"These are observational figures with no comparison group.", "All modalities", "DBT", "MBT",
				"Download these figures", "Riverside DBT team"} {
				if !strings.Contains(p.Main, s) {
					t.Errorf("the report lacks %q:\n%s", s, p.Main)
				}
			}
			note, table := strings.Index(p.Main, "These are observational"), strings.Index(p.Main, "All modalities")
			if note < 0 || table < 0 || note > table {
				t.Errorf("the note is not above the figures")
			}
			svgs, err := chromedp.Run(morgan, chromedp.Evaluate[int](`document.querySelectorAll('main svg[role="img"] title').length`))
			if err != nil {
				t.Fatal(err)
			}
			if svgs == 0 {
				t.Error("the report draws no chart")
			}
			// The page itself never scrolls sideways; wide tables scroll
			// in their own region.
			wide, err := chromedp.Run(morgan, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if wide {
				t.Error("the page scrolls sideways")
			}
			checkAxe(t, morgan, axe, "outcomes report at "+vp.name+" px")
			screenshot(t, morgan, "outcomes-report-"+vp.name)
		})
	}

	lee := newTab(t, browser)
	signIn(t, lee, srv, "lee@example.org")
	for _, path := range []string{"/clinic/reports/outcomes", "/clinic/reports/outcomes.csv", "/clinic/reports/outcomes.json", "/api/v1/reports/outcomes"} {
		status, err := chromedp.Run(lee, chromedp.Evaluate[int](`fetch("`+path+`").then(r => r.status)`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if status != 404 {
			t.Errorf("lee opens %s: %d, want 404", path, status)
		}
	}
}
