package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tendcare/tend/internal/testenv"
)

// browserTimeout bounds everything one test does in the browser.
const browserTimeout = 90 * time.Second

// axePath is axe-core as `npm ci --prefix e2e` installs it (package.json
// pins the version).
const axePath = "node_modules/axe-core/axe.min.js"

// findChromium returns Debian's Chromium, or skips (fails under
// TEND_REQUIRE_ALL=1) when it is not installed.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.SkipOrFail(t, "Chromium is not installed (apt-get install -y chromium): the browser tests need it")
	return ""
}

// newBrowser starts headless Chromium with a fresh profile and returns a
// context for one tab in it, bounded by browserTimeout. The browser closes
// when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, browserTimeout)
}

// newBrowserFor is newBrowser bounded by timeout instead, for a test that
// walks many pages in one browser.
func newBrowserFor(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	exe := findChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// This machine has no network beyond the registries: without these
		// flags Chromium's own background connections are refused by the
		// dozen and slow everything down.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first Do starts the browser; it must not run under the timeout
	// below, which would close the browser when it ends (chromedp docs).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", exe, err)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancel)
	return tctx
}

// newTab opens another tab in its own browser context (no cookies, cache or
// service worker shared with the other tabs), bounded by browserTimeout.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// disableJavaScript turns script execution off for the tab's pages, as a
// person with JavaScript disabled would browse.
func disableJavaScript(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("disable JavaScript: %v", err)
	}
}

// pageLink is one link on the page.
type pageLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// pageState is what the tests read from a rendered page.
type pageState struct {
	URL      string     `json:"url"`
	Title    string     `json:"title"`
	Lang     string     `json:"lang"`
	H1       string     `json:"h1"`
	Main     string     `json:"main"`     // visible text of <main>
	Headings []string   `json:"headings"` // names of the listed lines (li > h3)
	Links    []pageLink `json:"links"`
	Header   []pageLink `json:"header"` // links in the page's <header>
}

// readPage reads the rendered page through DevTools (this works with the
// page's own scripts disabled and under its CSP).
func readPage(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	const js = `(() => {
	const links = sel => Array.from(document.querySelectorAll(sel)).map(a => ({href: a.getAttribute("href"), text: a.innerText.trim()}));
	const main = document.querySelector("main");
	const h1 = document.querySelector("h1");
	return {
		url: location.href,
		title: document.title,
		lang: document.documentElement.lang,
		h1: h1 ? h1.innerText.trim() : "",
		main: main ? main.innerText : "",
		headings: Array.from(document.querySelectorAll("main li > h3")).map(h => h.innerText.trim()),
		links: links("a[href]"),
		header: links("header a[href]"),
	};
})()`
	p, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[pageState](js))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return p
}

// hasLink reports whether the page links to href.
func (p pageState) hasLink(href string) bool {
	for _, l := range p.Links {
		if l.Href == href {
			return true
		}
	}
	return false
}

// axeViolation is one rule that axe-core found broken.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  json.RawMessage `json:"target"`
		HTML    string          `json:"html"`
		Summary string          `json:"failureSummary"`
	} `json:"nodes"`
}

// loadAxe returns axe-core's source, or skips (fails under
// TEND_REQUIRE_ALL=1) when it is not installed. Tests call it first, so
// that a missing axe-core never leaves a test half run.
func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if errors.Is(err, os.ErrNotExist) {
		testenv.SkipOrFail(t, fmt.Sprintf("axe-core is not installed at e2e/%s: run npm ci --prefix e2e", axePath))
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// checkAxe injects axe-core (src, from loadAxe) into the page and fails the
// test for each WCAG 2.2 A/AA and best-practice violation it reports, naming
// the rule, its impact and the nodes.
func checkAxe(t *testing.T, ctx context.Context, src, label string) {
	t.Helper()
	// DevTools evaluation is not bound by the page's CSP, which forbids
	// inline scripts from the page itself. "void 0" keeps the script's last
	// value (which need not serialise) out of the reply.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src+"\n;void 0")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", label, err)
	}
	const run = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa','best-practice']}})
	.then(r => ({version: axe.version, passes: r.passes.length, violations: r.violations}))`
	type result struct {
		Version    string         `json:"version"`
		Passes     int            `json:"passes"`
		Violations []axeViolation `json:"violations"`
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[result](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", label, err)
	}
	if res.Passes == 0 {
		t.Errorf("%s: axe-core %s passed no rule at all: did it run on the page?", label, res.Version)
	}
	for _, v := range res.Violations {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: axe-core %s: %s (%s): %s <%s>", label, res.Version, v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %s: %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
		t.Error(b.String())
	}
	if len(res.Violations) == 0 {
		t.Logf("%s: axe-core %s: 0 violations, %d rules passed", label, res.Version, res.Passes)
	}
}

// screenshot saves a full-page PNG as name.png in artifactsDir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(artifactsDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil { // #nosec G306 -- a test artifact
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// demoPassword is every demo account's password in the browser tests
// (TEND_DEMO_PASSWORD); demoServer starts a demo Tend with it.
const demoPassword = "a demo password for the browser"

func demoServer(t *testing.T) *tend {
	t.Helper()
	return startTend(t, serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword}})
}

// signIn signs who in through the real form, waits until the browser has
// left the sign-in page and shows a heading, and returns where it landed.
// It reads the address through DevTools, so it works with scripts off.
func signIn(t *testing.T, ctx context.Context, srv *tend, who string) string {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.SetValue(chromedp.CSS("#identifier"), who),
		chromedp.SetValue(chromedp.CSS("#password"), demoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
	); err != nil {
		t.Fatal(err)
	}
	for range 200 {
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(strings.SplitN(u, "?", 2)[0], "/signin") {
			if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
				t.Fatal(err)
			}
			return u
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not get past the sign-in page", who)
	return ""
}
