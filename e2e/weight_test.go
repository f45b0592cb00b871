package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Page budgets from DESIGN.md "Budgets": a person's page, HTML + CSS + JS
// gzipped, under 40 KB; the help page under 10 KB. KB is 1024 bytes and a
// page at the budget is over it, as bench/pageweight.sh counts.
const (
	personPageBudget = 40 * 1024
	helpPageBudget   = 10 * 1024
	crawlCap         = 60 // pages per account
	// maxChildren keeps lists of like pages (the skills, the days of the
	// diary) from filling the crawl: a few of each are weighed.
	maxChildren = 12
)

// pageWeight is what one page costs a first visit.
type pageWeight struct {
	path     string
	html     int // gzipped HTML
	assets   int // gzipped same-origin CSS and JavaScript
	requests int // requests the page made while loading
}

// TestPageWeightAndOrigins opens, in Chromium with its HTTP cache off, every
// page sam reaches from /me by following the links in <main> and <nav>
// (plus /help, /evidence and /), and every page lee reaches from /clinic.
// Any request to another origin, from the page or from the service worker
// (attached to once it runs), fails the test, as does one that the
// Content-Security-Policy stopped before it left; so does a person's page of 40 KB or more gzipped with its
// CSS and JavaScript, or a help page of 10 KB or more. Staff pages are
// weighed and logged, without a budget.
func TestPageWeightAndOrigins(t *testing.T) {
	browser := newBrowser(t)
	srv := demoServer(t)

	t.Run("sam", func(t *testing.T) {
		ctx := newTab(t, browser)
		w := watchNetwork(t, browser, ctx, srv)
		signIn(t, ctx, srv, "sam")
		readDiaryNotice(t, ctx, srv)
		pages := crawlPages(t, ctx, srv, w, "/me", []string{"/me", "/help", "/evidence", "/", "/me/diary/blank", "/me/skills/tipp"})
		logWeights(t, pages)
		for _, p := range pages {
			budget := personPageBudget
			if p.path == "/help" {
				budget = helpPageBudget
			}
			if p.html+p.assets >= budget {
				t.Errorf("%s weighs %d bytes gzipped with its CSS and JavaScript; the budget is under %d", p.path, p.html+p.assets, budget)
			}
		}
		for _, want := range []string{"/me", "/help", "/me/diary", "/me/plan"} {
			if !hasPage(pages, want) {
				t.Errorf("the crawl did not reach %s", want)
			}
		}
		if w.watchWorkers(t) == 0 {
			t.Error("no service worker was running to watch")
		}
		w.check(t)
	})

	t.Run("lee", func(t *testing.T) {
		ctx := newTab(t, browser)
		w := watchNetwork(t, browser, ctx, srv)
		signIn(t, ctx, srv, "lee@example.org")
		pages := crawlPages(t, ctx, srv, w, "/clinic", []string{"/clinic"})
		logWeights(t, pages)
		if len(pages) < 3 {
			t.Errorf("the crawl reached only %d staff pages", len(pages))
		}
		w.check(t)
	})
}

// netWatch records the requests of one tab and of the service workers it
// starts.
type netWatch struct {
	origin   string
	mu       sync.Mutex
	requests []watchedRequest
	last     time.Time // when a request last started or ended
	page     string    // the page being opened
	refused  []string  // requests the Content-Security-Policy stopped

	listen  func(from string) func(ev any)
	browser context.Context
	tab     cdp.BrowserContextID
	workers map[target.ID]bool // service workers attached to
}

type watchedRequest struct {
	url  string
	kind network.ResourceType
	from string // "page" or "service worker"
	page string // the page being opened when it was made
}

// watchNetwork disables the tab's HTTP cache, so each page loads its CSS
// and JavaScript as a first visit would, and records every request.
func watchNetwork(t *testing.T, browser, ctx context.Context, srv *tend) *netWatch {
	t.Helper()
	w := &netWatch{origin: srv.URL, last: time.Now()}
	listen := func(from string) func(ev any) {
		return func(ev any) {
			w.mu.Lock()
			defer w.mu.Unlock()
			switch e := ev.(type) {
			case *network.EventRequestWillBeSent:
				w.requests = append(w.requests, watchedRequest{url: e.Request.URL, kind: e.Type, from: from, page: w.page})
				w.last = time.Now()
			case *network.EventLoadingFinished:
				w.last = time.Now()
			case *network.EventLoadingFailed:
				w.last = time.Now()
			case *cdplog.EventEntryAdded:
				// A request the Content-Security-Policy stops never reaches
				// the network, and in a worker never shows as a request:
				// the refusal is logged instead.
				if strings.Contains(e.Entry.Text, "Content Security Policy") {
					w.refused = append(w.refused, from+" opening "+w.page+": "+e.Entry.Text)
				}
			}
		}
	}
	if err := chromedp.Listen(ctx, listen("page")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatalf("disable the cache: %v", err)
	}
	w.listen = listen
	w.browser = browser
	w.tab = chromedp.FromContext(ctx).BrowserContextID
	w.workers = map[target.ID]bool{}
	return w
}

// watchWorkers attaches to the tab's service workers that are running and
// not yet watched, so what they fetch is recorded too. It returns how many
// are watched.
func (w *netWatch) watchWorkers(t *testing.T) int {
	t.Helper()
	infos, err := chromedp.Targets(w.browser)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if info.Type != "service_worker" || info.BrowserContextID != w.tab || w.workers[info.TargetID] {
			continue
		}
		wctx, cancel := chromedp.NewContext(w.browser, chromedp.WithTargetID(info.TargetID))
		t.Cleanup(cancel)
		if err := chromedp.Do(wctx); err != nil {
			t.Fatalf("attach to the service worker %s: %v", info.URL, err)
		}
		if err := chromedp.Listen(wctx, w.listen("service worker")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(wctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			t.Fatalf("disable the service worker's cache: %v", err)
		}
		w.workers[info.TargetID] = true
	}
	return len(w.workers)
}

// mark notes that page is being opened and returns how many requests have
// been seen so far.
func (w *netWatch) mark(page string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.page = page
	return len(w.requests)
}

// since returns the requests seen after mark m.
func (w *netWatch) since(m int) []watchedRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]watchedRequest(nil), w.requests[m:]...)
}

// settle waits until no request has started or ended for 200 ms, at most
// 2 s, so requests a page's scripts make after load are counted with the
// page. Open requests are not waited for: those the service worker answers
// do not always report their end to the page.
func (w *netWatch) settle() {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		quiet := time.Since(w.last) > 200*time.Millisecond
		w.mu.Unlock()
		if quiet {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// foreign reports whether u is on another origin than the server's;
// data: and blob: URLs stay in the page.
func (w *netWatch) foreign(u string) bool {
	if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
		return false
	}
	return u != w.origin && !strings.HasPrefix(u, w.origin+"/")
}

// check fails the test for every request to another origin, and when too
// few requests were seen for the watch to have worked.
func (w *netWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.requests) < 5 {
		t.Fatalf("saw only %d requests: was the network watched?", len(w.requests))
	}
	fromWorker := 0
	for _, r := range w.requests {
		if r.from != "page" {
			fromWorker++
		}
	}
	t.Logf("%d requests, %d of them from %d service workers", len(w.requests), fromWorker, len(w.workers))
	for _, r := range w.refused {
		t.Errorf("a request stopped by the Content-Security-Policy, from the %s", r)
	}
	for _, r := range w.requests {
		if w.foreign(r.url) {
			t.Errorf("a request from the %s to another origin, opening %s: %s (%s)", r.from, r.page, r.url, r.kind)
		}
	}
}

// readDiaryNotice reads the diary card's first-use notice, when it shows,
// so the card itself is weighed (as bench/pageweight.sh does).
func readDiaryNotice(t *testing.T, ctx context.Context, srv *tend) {
	t.Helper()
	visit(t, ctx, srv, "/me/diary")
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/me/diary/notice"] button') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if !shown {
		return
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/me/diary/notice"] button`))); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		gone, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && document.querySelector('form[action="/me/diary/notice"]') === null`))
		if err == nil && gone {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the diary notice stays after it was read")
}

// crawlPages opens seeds and then, breadth first, every same-origin link in
// <main> and <nav> whose path starts with prefix, one address per path, up
// to crawlCap pages, and weighs each.
func crawlPages(t *testing.T, ctx context.Context, srv *tend, w *netWatch, prefix string, seeds []string) []pageWeight {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.URL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	var cookie []string
	for _, c := range cookies.Cookies {
		cookie = append(cookie, c.Name+"="+c.Value)
	}
	session := strings.Join(cookie, "; ")

	seen := map[string]bool{} // paths and shapes queued
	children := map[string]int{}
	queue := []string{}
	linkedFrom := map[string]string{}
	add := func(ref, from string) {
		u, err := url.Parse(ref)
		if err != nil || (u.Host != "" && srv.URL != u.Scheme+"://"+u.Host) {
			return
		}
		shape := pathShape(u.Path)
		if seen[u.Path] || seen[shape] || !strings.HasPrefix(u.Path, prefix) || strings.Contains(u.Path, "signout") {
			return
		}
		parent := pathShape(u.Path[:strings.LastIndex(u.Path, "/")])
		if parent != pathShape(prefix) && children[parent] >= maxChildren {
			return
		}
		children[parent]++
		seen[u.Path] = true
		seen[shape] = true
		u.Fragment = ""
		queue = append(queue, u.RequestURI())
		linkedFrom[u.RequestURI()] = from
	}
	for _, s := range seeds {
		seen[s] = true
		queue = append(queue, s)
	}

	var pages []pageWeight
	for len(queue) > 0 && len(pages) < crawlCap {
		path := queue[0]
		queue = queue[1:]
		// Only pages: downloads (CSV, PDF, JSON) and redirects stay out.
		html, ctype, code := gzipSize(t, client, srv.URL+path, session)
		if code != http.StatusOK || !strings.HasPrefix(ctype, "text/html") {
			t.Logf("not a page: %s, linked from %s (%d %s)", path, linkedFrom[path], code, ctype)
			continue
		}
		m := w.mark(path)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		w.settle()
		w.watchWorkers(t)
		reqs := w.since(m)
		p := pageWeight{path: path, html: html, requests: len(reqs)}
		counted := map[string]bool{}
		for _, r := range reqs {
			if w.foreign(r.url) || counted[r.url] {
				continue
			}
			if r.kind == network.ResourceTypeStylesheet || r.kind == network.ResourceTypeScript {
				counted[r.url] = true
				n, _, code := gzipSize(t, client, r.url, session)
				if code != http.StatusOK {
					t.Errorf("%s loads %s, which answers %d", path, r.url, code)
				}
				p.assets += n
			}
		}
		pages = append(pages, p)

		// Hidden links (the diary's "next day" on today) are not followed.
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main a[href], nav a[href]")).filter(a => !a.closest("[hidden]")).map(a => a.href)`))
		if err != nil {
			t.Fatalf("read the links of %s: %v", path, err)
		}
		for _, l := range links {
			add(l, path)
		}
	}
	if len(queue) > 0 {
		t.Logf("the crawl stopped at %d pages; %d more not opened: %v", crawlCap, len(queue), queue)
	}
	return pages
}

// gzipSize fetches u with the session cookie, asking for gzip, and returns
// the bytes on the wire, as bench/pageweight.sh counts them (curl
// --size-download): the server compresses, so this is its own gzip.
func gzipSize(t *testing.T, client *http.Client, u, cookie string) (int, string, int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Set by hand, the transport leaves the body compressed.
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("Cookie", cookie)
	res, err := client.Do(req) // #nosec G704 -- the test's own server on loopback
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return int(n), res.Header.Get("Content-Type"), res.StatusCode
}

// pathShape is path with record ids and dates replaced by "*": one page of
// each shape is opened.
func pathShape(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		digits := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0
		if digits && strings.Contains(s, "-") && len(s) >= 10 {
			segs[i] = "*"
		}
	}
	return "shape:" + strings.Join(segs, "/")
}

func hasPage(pages []pageWeight, path string) bool {
	for _, p := range pages {
		if p.path == path {
			return true
		}
	}
	return false
}

// logWeights logs the table of figures and names the heaviest page.
func logWeights(t *testing.T, pages []pageWeight) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%-44s %8s %8s %8s %8s\n", "page", "html", "css+js", "total", "requests")
	heaviest := pageWeight{}
	for _, p := range pages {
		fmt.Fprintf(&b, "%-44s %8d %8d %8d %8d\n", p.path, p.html, p.assets, p.html+p.assets, p.requests)
		if p.html+p.assets > heaviest.html+heaviest.assets {
			heaviest = p
		}
	}
	fmt.Fprintf(&b, "%d pages; the heaviest is %s at %d bytes", len(pages), heaviest.path, heaviest.html+heaviest.assets)
	t.Logf("gzipped bytes:\n%s", b.String())
}
