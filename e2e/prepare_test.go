package e2e_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestPrepareInBrowser: in Chromium, lee finds sam's session preparation
// page from sam's page and from the caseload, and opens it on a phone
// (390 px) and on a desktop (1280 px): every section is there, the page
// itself never scrolls sideways, and axe-core finds no violation. In print
// emulation at the width of A4 portrait the navigation, header and forms
// are gone and the week's grid fits the page; printed to PDF it is A4
// portrait. Each is photographed.
func TestPrepareInBrowser(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	srv := demoServer(t)

	lee := newTab(t, browser)
	signIn(t, lee, srv, "lee@example.org")
	sam := personPath(t, lee, srv, "sam")
	prepare := sam + "/prepare"
	if p := visit(t, lee, srv, "/clinic"); !p.hasLink(prepare) {
		t.Fatalf("the caseload does not link sam's preparation page")
	}
	if p := visit(t, lee, srv, sam); !p.hasLink(prepare) {
		t.Fatalf("sam's page does not link the preparation page")
	}

	sections := []string{"Session preparation: sam", "Diary card this week", "Follow-up tasks since the last session", "Questionnaire change",
		"Homework practice since the last session", "Safety plan", "Medication", "Group attendance since the last session",
		"Outcome measures for this episode", "Since the last session attended"}
	for _, vp := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"390", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch}},
		{"1280", 1280, 900, nil},
	} {
		t.Run("Width"+vp.name, func(t *testing.T) {
			if err := chromedp.Do(lee, chromedp.EmulateViewport(vp.width, vp.height, vp.opts...)); err != nil {
				t.Fatal(err)
			}
			p := visit(t, lee, srv, prepare)
			for _, s := range sections {
				if !strings.Contains(p.Main, s) {
					t.Errorf("the page lacks %q:\n%s", s, p.Main)
				}
			}
			if !strings.Contains(p.Main, "Urges and actions") {
				t.Errorf("the week's grid is missing:\n%s", p.Main)
			}
			sideways, err := chromedp.Run(lee, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			if err != nil {
				t.Fatal(err)
			}
			if sideways {
				t.Error("the page scrolls sideways (the grid should scroll in its own region)")
			}
			checkAxe(t, lee, axe, "session preparation at "+vp.name+" px")
			screenshot(t, lee, "prepare-"+vp.name)
		})
	}

	t.Run("Print", func(t *testing.T) {
		// A4 portrait less 12 mm margins each side is 186 mm: 703 px at 96
		// px to the inch.
		if err := chromedp.Do(lee, chromedp.EmulateViewport(703, 1000)); err != nil {
			t.Fatal(err)
		}
		visit(t, lee, srv, prepare)
		if _, err := chromedp.Call(lee, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		type printed struct {
			Shown   []string `json:"shown"`   // chrome that should not print but does
			GridFit bool     `json:"gridFit"` // the grid is within the page's width
			Grid    bool     `json:"grid"`
		}
		got, err := chromedp.Run(lee, chromedp.Evaluate[printed](`(() => {
	const shown = [...document.querySelectorAll("header, nav, footer, form, .skip-link, .quick-exit-bar")]
		.filter(e => e.getClientRects().length > 0).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
	const grid = document.querySelector(".diary-grid");
	const width = document.documentElement.clientWidth;
	return {shown, grid: !!grid, gridFit: !!grid && grid.getBoundingClientRect().right <= width + 1 && grid.scrollWidth <= grid.parentElement.clientWidth + 1};
})()`))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Shown) > 0 {
			t.Errorf("these print: %v", got.Shown)
		}
		if !got.Grid || !got.GridFit {
			t.Errorf("the week's grid does not fit A4 portrait (grid %v, fits %v)", got.Grid, got.GridFit)
		}
		screenshot(t, lee, "prepare-print")
		if _, err := chromedp.Call(lee, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
		yes := true
		pdf, err := chromedp.Call(lee, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(artifactsDir(t), "prepare.pdf")
		if err := os.WriteFile(path, pdf.Data, 0o644); err != nil { // #nosec G306 -- a test artifact
			t.Fatal(err)
		}
		t.Logf("printed: %s", path)
		// A4 is 595 x 842 points: portrait, as the page's stylesheet asks.
		m := regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)`).FindSubmatch(pdf.Data)
		if m == nil {
			t.Fatal("the PDF names no page size")
		}
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		if w < 590 || w > 600 || h < 838 || h > 846 {
			t.Errorf("printed on %.0f x %.0f points, want A4 portrait (595 x 842)", w, h)
		}
	})
}
