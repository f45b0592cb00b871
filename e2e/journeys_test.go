package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// journeyTimeout bounds the whole of TestJourneys in the browser.
const journeyTimeout = 10 * time.Minute

// journeyWidth is one screen the journeys are walked on.
type journeyWidth struct {
	name          string
	width, height int64
	mobile        bool
	// keys: the keyboard only (Tab, Shift+Tab, Enter, Space, arrows and
	// typing), every element that takes focus checked for a visible focus
	// indicator, and prefers-reduced-motion emulated.
	keys bool
}

var journeyWidths = []journeyWidth{
	{name: "390px", width: 390, height: 844, mobile: true, keys: true},
	{name: "1280px", width: 1280, height: 900},
}

// journeyCounts are what the journeys checked, logged at the end.
type journeyCounts struct {
	journeys, pages, axe, zoom, motion, focusStops, controls int
}

// add adds what another width's walks checked.
func (c *journeyCounts) add(o journeyCounts) {
	c.journeys += o.journeys
	c.pages += o.pages
	c.axe += o.axe
	c.zoom += o.zoom
	c.motion += o.motion
	c.focusStops += o.focusStops
	c.controls += o.controls
}

// journeys is what the role journeys at one width share: one server, one
// browser, one tab per role, and what one role leaves for another (the
// invite code, the note on sam's card).
type journeys struct {
	top     *testing.T
	browser context.Context
	axe     string
	opt     serveOptions
	srv     *tend
	tabs    map[string]context.Context
	checked map[string]bool // pages checked, by width, role and state
	counts  journeyCounts
	invite  string // made by the admin, redeemed by the new person
	samPath string // sam's staff page, /clinic/people/<id>
	note    string // the note on sam's card for today
}

// journey is one role's walk at one width.
type journey struct {
	*journeys
	t     *testing.T
	ctx   context.Context
	w     journeyWidth
	role  string
	step  int
	label string // the page the journey is on, for messages
}

// start returns the role's journey at width w in the role's tab, opened on first use and set to the width.
func (js *journeys) start(t *testing.T, role string, w journeyWidth) *journey {
	t.Helper()
	ctx, ok := js.tabs[role]
	if !ok {
		ctx = newTab(js.top, js.browser) // kept for the role's later walks, so closed when the width's walks end
		js.tabs[role] = ctx
	}
	var opts []chromedp.EmulateViewportOption
	if w.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	motion := "no-preference"
	if w.keys {
		motion = "reduce"
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height, opts...)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: motion}}}); err != nil {
		t.Fatalf("emulate prefers-reduced-motion: %s: %v", motion, err)
	}
	js.counts.journeys++
	return &journey{journeys: js, t: t, ctx: ctx, w: w, role: role}
}

// eval runs js in the tab's page.
func eval[T any](j *journey, js string) T {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.EvaluateAsDevTools[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		j.t.Fatalf("%s: %v\n%s", j.label, err, js)
	}
	return v
}

// journeyLib is the page side of the checks, installed on each page before
// the first key press: it keeps every focusable element's look while
// unfocused, so the look it has once Tab reaches it can be compared.
const journeyLib = `(() => {
	if (window.__tj) return;
	const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
	const look = el => {
		const s = getComputedStyle(el);
		return {
			outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1 ? s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor : "",
			shadow: s.boxShadow === "none" ? "" : s.boxShadow,
		};
	};
	const unfocused = new Map();
	const keep = el => { if (el && !unfocused.has(el) && el !== document.activeElement) unfocused.set(el, look(el)); };
	for (const el of document.querySelectorAll(sel)) { keep(el); keep(el.nextElementSibling); for (const l of el.labels || []) keep(l); }
	const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "") +
		(el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "") + ' "' + (el.innerText || el.value || "").trim().slice(0, 40) + '"';
	// What shows the focus: the element itself, or for an input drawn by
	// its label or the span after it (opacity 0 over it), those.
	const shown = el => {
		const s = getComputedStyle(el);
		const r = el.getBoundingClientRect();
		if (s.opacity === "0" || r.width < 2 || r.height < 2) return [el.nextElementSibling, ...(el.labels || [])].filter(Boolean);
		return [el];
	};
	const seen = new Set();
	window.__tj = {
		step(target) {
			const a = document.activeElement;
			const r = {match: false, back: false, checked: false, problem: ""};
			if (a && a !== document.body && a !== document.documentElement) {
				if (!seen.has(a)) {
					seen.add(a);
					if (unfocused.has(a) || a.matches(sel)) {
						r.checked = true;
						const ok = shown(a).some(el => {
							const f = look(el), u = unfocused.get(el) || {outline: "", shadow: ""};
							return (f.outline !== "" && f.outline !== u.outline) || (f.shadow !== "" && f.shadow !== u.shadow);
						});
						if (!ok) r.problem = name(a) + ": no visible focus (outline " + JSON.stringify(shown(a).map(look)) + ")";
					}
				}
				r.match = a.matches(target);
				if (!r.match) {
					const t = Array.from(document.querySelectorAll(target)).find(el => el.getClientRects().length > 0);
					r.back = !!t && !!(t.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
				}
			}
			return r;
		},
	};
})()`

// zoomCheck doubles the root font size (200% text), reports what is lost,
// and puts the size back.
const zoomCheck = `(() => {
	const root = document.documentElement;
	const shown = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
		return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !el.closest("[hidden], details:not([open]) > :not(summary)"); };
	const controls = Array.from(document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')).filter(shown);
	const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ' "' + (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40) + '"';
	const before = root.style.fontSize;
	root.style.fontSize = (parseFloat(getComputedStyle(root).fontSize) * 2) + "px";
	const problems = [];
	if (root.scrollWidth > root.clientWidth + 1) {
		// Name the outermost elements that stick out, for the message.
		const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
		const out = Array.from(document.body.querySelectorAll("*")).filter(el => el.getBoundingClientRect().right > root.clientWidth + 1 && !scrolls(el) &&
			!(el.parentElement && el.parentElement.getBoundingClientRect().right > root.clientWidth + 1));
		problems.push("the page scrolls sideways: " + root.scrollWidth + " > " + root.clientWidth + " px, from " + out.slice(0, 3).map(name).join(", "));
	}
	for (const el of document.body.querySelectorAll("*")) {
		const s = getComputedStyle(el);
		const clips = v => v === "hidden" || v === "clip";
		if (!clips(s.overflowX) && !clips(s.overflowY)) continue;
		if (el.clientWidth <= 2 || el.clientHeight <= 2 || s.clipPath !== "none" || !el.innerText || !el.innerText.trim()) continue; // visually hidden text
		if (el.scrollWidth > el.clientWidth + 1 || (clips(s.overflowY) && el.scrollHeight > el.clientHeight + 1))
			problems.push("text clipped in " + name(el) + ": " + el.scrollWidth + "x" + el.scrollHeight + " in " + el.clientWidth + "x" + el.clientHeight);
	}
	for (const el of controls) {
		if (!shown(el)) { problems.push("control gone: " + name(el)); continue; }
		const r = el.getBoundingClientRect();
		const left = r.left + window.scrollX;
		let clipped = false, scroller = false;
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const s = getComputedStyle(p);
			if (s.overflowX === "auto" || s.overflowX === "scroll") { scroller = true; break; } // reachable by scrolling that region
			if (s.overflowX === "hidden" || s.overflowX === "clip") {
				const pr = p.getBoundingClientRect();
				if (r.right > pr.right + 1 || r.left < pr.left - 1) clipped = true;
			}
		}
		if (clipped || (!scroller && (left < -1 || left + r.width > root.scrollWidth + 1))) problems.push("control out of reach: " + name(el));
	}
	const n = controls.length;
	root.style.fontSize = before;
	return {problems: problems.slice(0, 10), controls: n};
})()`

// motionCheck lists what moves. With reduce, nothing may animate or
// transition for longer than 0.01 s, nor scroll smoothly; without it, an
// animated element must say in words what it shows (or be decoration).
const motionCheck = `((reduce) => {
	const secs = v => Math.max(...v.split(",").map(x => x.trim()).map(x => x.endsWith("ms") ? parseFloat(x) / 1000 : parseFloat(x) || 0));
	const problems = [];
	const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "");
	for (const el of [document.documentElement, ...document.querySelectorAll("*")]) {
		for (const pseudo of [null, "::before", "::after"]) {
			const s = getComputedStyle(el, pseudo);
			const anim = s.animationName !== "none" && secs(s.animationDuration) > 0.01;
			const trans = s.transitionProperty !== "none" && secs(s.transitionDuration) > 0.01;
			if (reduce) {
				if (anim) problems.push(name(el) + (pseudo || "") + ": animation " + s.animationName + " " + s.animationDuration);
				if (trans) problems.push(name(el) + (pseudo || "") + ": transition " + s.transitionProperty + " " + s.transitionDuration);
				if (!pseudo && s.scrollBehavior === "smooth") problems.push(name(el) + ": scroll-behavior smooth");
			} else if (anim && !pseudo && !el.closest('[aria-hidden="true"]') && !(el.innerText || el.getAttribute("aria-label") || "").trim()) {
				problems.push(name(el) + ": animated with no words for what it shows");
			}
		}
	}
	return problems.slice(0, 10);
})`

// page checks the page the journey has arrived on: its heading, the help
// link, what the user relies on (want), axe-core, a screenshot, 200% text,
// motion; with the keyboard, it readies the focus checks.
func (j *journey) page(name string, want ...string) pageState {
	j.t.Helper()
	j.step++
	j.label = fmt.Sprintf("%s %s step %d (%s)", j.role, j.w.name, j.step, name)
	j.do("wait for the heading", chromedp.WaitVisible(chromedp.CSS("main h1")))
	p := readPage(j.t, j.ctx)
	for _, s := range want {
		if !strings.Contains(p.Main, s) {
			j.t.Errorf("%s: the page at %s does not say %q:\n%s", j.label, p.URL, s, p.Main)
		}
	}
	if !p.hasLink("/help") {
		j.t.Errorf("%s: no link to the help page", j.label)
	}
	j.counts.pages++
	screenshot(j.t, j.ctx, fmt.Sprintf("journey-%s-%s-%02d-%s", j.w.name, j.role, j.step, name))
	// A page seen before in the same state at this width (the same shape of
	// address, heading and notice, for the same role) is not checked again.
	u, err := url.Parse(p.URL)
	if err != nil {
		j.t.Fatal(err)
	}
	who := j.role
	if u.Path == "/signin" || u.Path == "/join" {
		who = ""
	}
	notice := eval[bool](j, `!!document.querySelector("main .notice, main [role=status], main [role=alert], #offline-queue:not([hidden])")`)
	key := fmt.Sprintf("%s|%s|%s|%s|%v", j.w.name, who, pathShape(u.Path), strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, p.H1), notice)
	if j.checked[key] {
		if j.w.keys {
			eval[bool](j, journeyLib+"; true")
		}
		return p
	}
	j.checked[key] = true
	j.counts.axe++
	checkAxe(j.t, j.ctx, j.axe, j.label)
	type zoom struct {
		Problems []string `json:"problems"`
		Controls int      `json:"controls"`
	}
	z := eval[zoom](j, zoomCheck)
	j.counts.zoom++
	j.counts.controls += z.Controls
	for _, pr := range z.Problems {
		j.t.Errorf("%s: at 200%% text: %s", j.label, pr)
	}
	for _, pr := range eval[[]string](j, fmt.Sprintf("%s(%v)", motionCheck, j.w.keys)) {
		j.t.Errorf("%s: motion (prefers-reduced-motion %v): %s", j.label, j.w.keys, pr)
	}
	j.counts.motion++
	if j.w.keys {
		eval[bool](j, journeyLib+"; true")
	}
	return p
}

// tabTo moves focus to the first element sel matches with Tab (or
// Shift+Tab when it lies behind), checking each element focus reaches.
func (j *journey) tabTo(sel string) {
	j.t.Helper()
	eval[bool](j, journeyLib+"; true")
	type stepResult struct {
		Match   bool   `json:"match"`
		Back    bool   `json:"back"`
		Checked bool   `json:"checked"`
		Problem string `json:"problem"`
	}
	back := false
	for range 400 {
		r := eval[stepResult](j, "window.__tj.step("+jsString(sel)+")")
		if r.Checked {
			j.counts.focusStops++
		}
		if r.Problem != "" {
			j.t.Errorf("%s: %s", j.label, r.Problem)
		}
		if r.Match {
			return
		}
		if r.Back && !back {
			back = true // go back once; if that overshoots, wrap forward
		} else if !r.Back {
			back = false
		}
		key := chromedp.KeyEvent(kb.Tab)
		if back {
			key = chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
		}
		if err := chromedp.Do(j.ctx, key); err != nil {
			j.t.Fatal(err)
		}
	}
	p := readPage(j.t, j.ctx)
	j.t.Fatalf("%s: the keyboard never reached %s on %s:\n%s", j.label, sel, p.URL, p.Main)
}

// do runs actions that wait for an element, bounded so that a missing
// element fails the step instead of the rest of the test.
func (j *journey) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	ctx, cancel := context.WithTimeout(j.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		j.t.Fatalf("%s: %s: %v", j.label, what, err)
	}
}

// press activates the element sel matches: Tab to it and Enter (Space for
// a checkbox), or a mouse click.
func (j *journey) press(sel string) {
	j.t.Helper()
	if !j.w.keys {
		j.do("click "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		return
	}
	j.tabTo(sel)
	key := kb.Enter
	if eval[bool](j, `document.activeElement.type === "checkbox"`) {
		key = " "
	}
	pressKey(j.t, j.ctx, key)
}

// follow presses sel and waits for the next page (a new document).
func (j *journey) follow(sel string) {
	j.t.Helper()
	eval[bool](j, "window.__tjOld = true")
	j.press(sel)
	for range 400 {
		ok, err := chromedp.Run(j.ctx, chromedp.EvaluateAsDevTools[bool](`!window.__tjOld && document.readyState === "complete" && !!document.querySelector("main h1")`))
		if err == nil && ok {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	p := readPage(j.t, j.ctx)
	j.t.Fatalf("%s: pressing %s led to no new page (at %s):\n%s", j.label, sel, p.URL, p.Main)
}

// open goes to path as if typed into the address bar.
func (j *journey) open(path string) {
	j.t.Helper()
	j.do("open "+path, chromedp.Navigate(j.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// toolboxScreen chooses value for field on the toolbox's screen, goes on,
// and waits for the next screen.
func (j *journey) toolboxScreen(screen, field, value, next string) {
	j.t.Helper()
	j.choose(field, value)
	j.press(`[data-screen="` + screen + `"] button[value="` + screen + `"]`)
	waitScreen(j.t, j.ctx, next)
}

// link follows the link to href.
func (j *journey) link(href string) { j.t.Helper(); j.follow(`a[href="` + href + `"]`) }

// typeIn types text into the field sel matches.
func (j *journey) typeIn(sel, text string) {
	j.t.Helper()
	if j.w.keys {
		j.tabTo(sel)
	} else {
		j.do("click "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	if err := chromedp.Do(j.ctx, chromedp.KeyEvent(text)); err != nil {
		j.t.Fatal(err)
	}
}

// choose checks the radio button of group name with value: with the
// keyboard, Tab into the group, Space, then arrows (which wrap).
func (j *journey) choose(name, value string) {
	j.t.Helper()
	sel := `input[type=radio][name="` + name + `"]`
	if !j.w.keys {
		opt := sel + `[value="` + value + `"]`
		j.do("choose "+opt, chromedp.ScrollIntoView(chromedp.CSS(opt)), chromedp.Click(chromedp.CSS(opt), chromedp.NodeVisible))
		return
	}
	j.tabTo(sel)
	pressKey(j.t, j.ctx, " ")
	checked := `(document.querySelector('input[name="` + name + `"]:checked') || {}).value || ""`
	for range 15 {
		if eval[string](j, checked) == value {
			return
		}
		pressKey(j.t, j.ctx, kb.ArrowRight)
	}
	j.t.Fatalf("%s: the keyboard never chose %s in %s", j.label, value, name)
}

// pick selects the option with value in the select sel matches: with the
// keyboard, arrow keys on the focused select.
func (j *journey) pick(sel, value string) {
	j.t.Helper()
	if !j.w.keys {
		j.do("pick "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
		return
	}
	j.tabTo(sel)
	index := eval[int](j, `(() => { const s = document.activeElement; return Array.from(s.options).findIndex(o => o.value === `+jsString(value)+`) - s.selectedIndex; })()`)
	key := kb.ArrowDown
	if index < 0 {
		key, index = kb.ArrowUp, -index
	}
	for range index {
		pressKey(j.t, j.ctx, key)
	}
	if got := eval[string](j, `document.activeElement.value`); got != value {
		j.t.Fatalf("%s: the keyboard chose %q in %s, want %q", j.label, got, sel, value)
	}
}

// signIn signs who in through the form and lands on home.
func (j *journey) signIn(who, home string) {
	j.t.Helper()
	j.open("/signin")
	j.page("signin")
	j.typeIn("#identifier", who)
	j.typeIn("#password", demoPassword)
	j.follow(`form[action="/signin"] button[type=submit]`)
	waitPath(j.t, j.ctx, home)
}

// signOut signs out with the header's button.
func (j *journey) signOut() {
	j.t.Helper()
	j.follow(`form[action="/signout"] button`)
	waitPath(j.t, j.ctx, "/signin")
}

// TestJourneys walks each role's journey in Chromium at 390 px (keyboard
// only, prefers-reduced-motion, focus checked at every Tab) and at 1280 px
// (mouse), with axe-core, a screenshot, 200% text and motion checks on
// every page, and asserts what each step is for: the admin makes the
// invite the new person joins with; the card sam saves offline reaches
// Lee's diary grid; sam's PHQ-9 item 9 answer leads to the safety screen,
// never a score, and to a follow-up task in Lee's inbox; the download is a
// zip.
func TestJourneys(t *testing.T) {
	axe := loadAxe(t)
	started := time.Now()
	var (
		mu    sync.Mutex
		total journeyCounts
	)
	// The widths are walked side by side, each on its own server and
	// browser; the totals are logged once both are done.
	t.Cleanup(func() {
		t.Logf("journeys: %d (7 roles' walks x %d widths); steps on a page: %d; distinct pages checked by axe-core: %d, with 200%% text: %d (%d controls), for motion: %d; focus stops checked: %d; in %s",
			total.journeys, len(journeyWidths), total.pages, total.axe, total.zoom, total.controls, total.motion, total.focusStops, time.Since(started).Round(time.Second))
	})
	for _, w := range journeyWidths {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			js := &journeys{top: t, axe: axe, tabs: map[string]context.Context{}, checked: map[string]bool{}}
			js.browser = newBrowserFor(t, journeyTimeout)
			js.opt = serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword},
				args: []string{"--addr", freeAddr(t), "--data", t.TempDir()}}
			js.srv = startTend(t, js.opt)
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				total.add(js.counts)
			}()
			for _, role := range []struct {
				name string
				walk func(*journey)
			}{
				{"admin", journeyAdmin},
				{"clinician", journeyClinician},
				{"person", journeyPerson},
				{"clinician-follow-up", journeyFollowUp},
				{"prescriber", journeyPrescriber},
				{"facilitator", journeyFacilitator},
				{"lead", journeyLead},
			} {
				if !t.Run(role.name, func(t *testing.T) { role.walk(js.start(t, role.name, w)) }) {
					t.Fatalf("%s at %s failed: the journeys after it depend on it", role.name, w.name)
				}
			}
		})
	}
}

// journeyAdmin: the admin confirms a country's crisis lines, adds a staff
// member, makes an invite (left for the new person), reads the care teams
// and saves the settings.
func journeyAdmin(j *journey) {
	j.signIn("admin@example.org", "/admin")
	j.page("admin-home", "Crisis lines to confirm")
	country := map[bool]string{true: "GB", false: "US"}[j.w.keys]
	j.follow(`form[action="/admin/crisis-lines/` + country + `/confirm"] button`)
	if p := j.page("crisis-lines-confirmed"); strings.Contains(p.Main, "I have checked the lines for "+map[string]string{"GB": "United Kingdom", "US": "United States"}[country]) {
		j.t.Errorf("%s: the confirmed country is still listed to confirm", j.label)
	}

	j.link("/admin/staff")
	j.page("staff", "Add a staff member")
	email := "alex." + j.w.name + "@example.org"
	j.typeIn("#email", email)
	j.typeIn("#name", "Alex "+j.w.name)
	j.follow(`form[action="/admin/staff"] button[type=submit]`)
	j.page("staff-added", "Account created", email)

	j.link("/admin/invites")
	j.page("invites")
	j.pick("#team", "Riverside DBT team")
	j.pick("#age_band", "over_25")
	j.follow(`form[action="/admin/invites"] button[type=submit]`)
	j.page("invite-made", "Invite code for Riverside DBT team")
	j.invite = eval[string](j, `(document.querySelector('main [role=status] code') || {}).textContent || ""`)
	if j.invite == "" {
		j.t.Fatalf("%s: no invite code on the page", j.label)
	}

	j.link("/admin/care-teams")
	j.page("care-teams", "sam", "Lee")
	j.link("/admin/settings")
	j.page("settings")
	j.follow(`main form[action="/admin/settings"] button[type=submit]`)
	j.page("settings-saved", "The settings were saved.")
	j.signOut()
}

// journeyClinician: Lee finds sam on the caseload and, before a session,
// assigns a PHQ-9 and homework, reads the chain analysis, writes a note
// and opens the session preparation.
func journeyClinician(j *journey) {
	j.signIn("lee@example.org", "/clinic")
	j.page("caseload", "sam", "alex")
	if j.samPath == "" {
		j.samPath = eval[string](j, `[...document.querySelectorAll('main a[href^="/clinic/people/"]')].find(a => a.textContent.trim() === "sam")?.getAttribute("href") ?? ""`)
	}
	j.link(j.samPath)
	j.page("person", "Care team")

	j.link(j.samPath + "/questionnaires")
	j.page("questionnaires", "PHQ-9")
	j.pick("#q-instrument", "phq-9.1.en")
	j.choose("schedule", "once")
	j.follow(`form[action$="/questionnaires/assign"] button[type=submit]`)
	j.page("questionnaire-assigned")
	j.link(j.samPath)
	j.page("person-again")

	j.link(j.samPath + "/chains")
	j.page("chains", "Chain analyses")
	j.follow(`main li a[href^="` + j.samPath + `/chains/"]`)
	j.page("chain")
	j.link(j.samPath + "/chains")
	j.page("chains-again")
	j.link(j.samPath)
	j.page("person-after-chain")

	j.link(j.samPath + "/notes")
	j.page("notes", "Write a note")
	note := "Went over the plan together (" + j.w.name + ")."
	j.typeIn("#note-text", note)
	j.follow(`form[action$="/notes"] button[type=submit]`)
	j.page("note-saved", note)
	j.link(j.samPath)
	j.page("person-after-note")

	// Session preparation, and the homework from there.
	j.link(j.samPath + "/prepare")
	j.page("prepare", "Diary card this week", "Follow-up tasks since the last session", "Safety plan")
	j.link(j.samPath + "/homework")
	j.page("homework", "Assign homework")
	item := eval[string](j, `document.querySelector("#hw-item").options[1].value`)
	j.pick("#hw-item", item)
	j.pick("#hw-per-week", eval[string](j, `document.querySelector("#hw-per-week").options[2].value`))
	j.follow(`form[action$="/homework"] button[type=submit]`)
	j.page("homework-assigned", "Homework assigned.")
	j.signOut()
}

// journeyPerson: a new person joins with the admin's invite and opens who
// sees what; then sam sets their sharing, fills in a week of diary cards
// (at 390 px the last one offline), uses the toolbox, opens the safety
// plan, answers the PHQ-9 with item 9 above 0, sees their progress and
// downloads their data.
func journeyPerson(j *journey) {
	j.open("/join")
	j.page("join")
	j.typeIn("#code", j.invite)
	j.follow(`form[action="/join"] button[type=submit]`)
	p := j.page("join-notice")
	if eval[bool](j, `!!document.querySelector('form[action="/join"] input[name=acknowledged]') && !document.querySelector("#username")`) {
		j.follow(`form[action="/join"] button[type=submit]`)
		p = j.page("join-account")
	}
	_ = p
	j.typeIn("#username", "robin."+strings.TrimSuffix(j.w.name, "px"))
	j.typeIn("#password", demoPassword)
	j.follow(`form[action="/join"] button[type=submit]`)
	waitPath(j.t, j.ctx, "/me")
	j.page("new-person-home")
	j.link("/me/sharing")
	j.page("new-person-sharing", "Who sees what")
	j.signOut()

	j.signIn("sam", "/me")
	j.page("home", "Your space")
	j.link("/me/sharing")
	j.page("sharing", "Lee (therapist)")
	j.pick(`select[name$=".toolbox_log"]`, "see")
	j.follow(`form[action="/me/sharing"] button[type=submit]`)
	j.page("sharing-saved", "Saved. Your care team sees the change from now on.")
	j.open("/me")
	j.page("home-again")

	journeyDiaryWeek(j)

	// The toolbox: an urge at 6, comfort, five minutes, then lower.
	j.link("/me/toolbox")
	j.page("toolbox")
	waitScreen(j.t, j.ctx, "question")
	j.toolboxScreen("question", "question", "urge", "urge")
	j.toolboxScreen("urge", "urge_before", "6", "kind")
	j.toolboxScreen("kind", "kind", "comfort", "activity")
	j.toolboxScreen("activity", "activity", "comfort.hot_drink", "timer")
	j.page("toolbox-timer", "Need help now? Get help")
	j.press(`[data-screen="timer"] button[value="timer"]:not([data-stop])`)
	waitScreen(j.t, j.ctx, "after")
	j.choose("urge_after", "2")
	j.choose("helpful", "yes")
	j.follow(`[data-screen="after"] button[type=submit]`)
	j.page("toolbox-done")
	// The plan, from the bar on every page.
	j.follow(`nav.plan-link-bar a[href="/me/plan"]`)
	p = j.page("safety-plan", "If things get worse")
	var call bool
	for _, l := range p.Links {
		call = call || strings.HasPrefix(l.Href, "tel:")
	}
	if !call {
		j.t.Errorf("%s: the plan offers no number to call", j.label)
	}

	// PHQ-9 with item 9 above 0: the safety screen, never a score.
	j.open("/me")
	home := j.page("home-questionnaire", "PHQ-9")
	var form string
	for _, l := range home.Links {
		if strings.HasPrefix(l.Href, "/me/questionnaires/") && l.Href != "/me/questionnaires/scores" {
			form = l.Href
		}
	}
	if form == "" {
		j.t.Fatalf("%s: the home page offers no questionnaire:\n%s", j.label, home.Main)
	}
	j.link(form)
	j.page("phq9", "Over the last 2 weeks")
	for i := 1; i <= 8; i++ {
		j.choose(fmt.Sprintf("q:%d", i), "0")
	}
	j.choose("q:9", "1")
	j.follow(`button[name=finish][value="1"]`)
	p = j.page("phq9-safety", "safety plan")
	if regexp.MustCompile(`(?i)\bscore|\btotal|\b1 point`).MatchString(p.Main) {
		j.t.Errorf("%s: after item 9 above 0 the page shows a score:\n%s", j.label, p.Main)
	}

	j.open("/me")
	j.page("home-progress")
	j.link("/me/progress")
	j.page("progress", "Cards you filled in:")

	j.open("/me")
	j.page("home-data")
	j.link("/me/data")
	j.page("data")
	j.follow(`form[action="/me/data/exports"] button[type=submit]`)
	j.page("data-asked")
	var href string
	for range 120 {
		href = eval[string](j, `(document.querySelector('main a[href^="/me/data/exports/"]') || {getAttribute: () => ""}).getAttribute("href")`)
		if href != "" {
			break
		}
		time.Sleep(500 * time.Millisecond)
		j.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1")))
	}
	if href == "" {
		j.t.Fatalf("%s: the download did not become ready within a minute", j.label)
	}
	j.page("data-ready")
	type download struct {
		Type  string `json:"type"`
		Magic string `json:"magic"`
	}
	d := eval[download](j, `fetch(`+jsString(href)+`).then(r => r.arrayBuffer().then(b => ({type: r.headers.get("content-type"), magic: Array.from(new Uint8Array(b.slice(0, 4))).join(",")})))`)
	if d.Magic != "80,75,3,4" || !strings.Contains(d.Type, "zip") {
		j.t.Errorf("%s: the download is %q starting %s, want a zip (PK\\3\\4)", j.label, d.Type, d.Magic)
	}
	j.signOut()
}

// journeyDiaryWeek: sam fills in the cards of the last seven days, from six
// days ago to today; at 390 px today's is filled in with the server down,
// waits on the device, and is sent once the server is back.
func journeyDiaryWeek(j *journey) {
	j.link("/me/diary")
	j.page("diary-today")
	if eval[bool](j, `document.querySelector('form[action="/me/diary/notice"]') !== null`) {
		j.follow(`form[action="/me/diary/notice"] button`)
	}
	waitCard(j.t, j.ctx)
	offline := j.w.keys
	if offline {
		waitForServiceWorker(j.t, j.ctx)
	}
	for i := -1; i >= -6; i-- {
		j.press(`a[rel=prev]`)
		waitPath(j.t, j.ctx, "/me/diary/"+londonDay(j.t, i))
		waitCard(j.t, j.ctx)
	}
	j.page("diary-six-days-ago")
	for i := -6; i <= 0; i++ {
		day := londonDay(j.t, i)
		j.do("wait for the card of "+day, chromedp.WaitVisible(chromedp.CSS(`#diary-card[data-day="`+day+`"]`)))
		note := fmt.Sprintf("a walk by the river, %s, %s", j.w.name, day)
		if i == 0 {
			j.note = note
			if offline {
				killServer(j.t, j.srv)
			}
		}
		j.choose("urge:u.self_harm", fmt.Sprint(2+i%2))
		j.choose("act:a.self_harm", "0")
		j.choose("emotion:e.sadness", "2")
		j.choose("skills", "5")
		if j.w.keys {
			j.tabTo("textarea#note")
		} else {
			j.do("click the note", chromedp.ScrollIntoView(chromedp.CSS("textarea#note")), chromedp.Click(chromedp.CSS("textarea#note"), chromedp.NodeVisible))
		}
		// Select what the note holds (a day filled in before) and type over it.
		j.do("type the note", chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl), selectAll), chromedp.KeyEvent(note))
		j.press(`#diary-card button[type=submit]`)
		if i == 0 && offline {
			j.do("wait for the offline queue", chromedp.WaitVisible(chromedp.CSS(`#offline-queue`)))
			j.page("diary-offline", "Saved on this device. It will be sent when you are back online.")
			waitQueue(j.t, j.ctx, "one waiting card", func(q []queued) bool { return len(q) == 1 && q[0].State == "waiting" })
			j.srv = startTend(j.top, j.opt)
			j.open("/me")
			waitQueue(j.t, j.ctx, "empty once sent", func(q []queued) bool { return len(q) == 0 })
			j.page("home-after-sending")
			return
		}
		waitText(j.t, j.ctx, "Saved. Thank you for filling in your card.")
		waitPath(j.t, j.ctx, "/me/diary/"+day)
		if i == -6 || i == 0 {
			j.page("diary-saved-" + fmt.Sprint(-i) + "-days-ago")
		} else {
			screenshot(j.t, j.ctx, fmt.Sprintf("journey-%s-%s-%02d-diary-saved-%d-days-ago", j.w.name, j.role, j.step, -i))
		}
		if i < 0 {
			j.press(`a[rel=next]`)
			waitPath(j.t, j.ctx, "/me/diary/"+londonDay(j.t, i+1))
			waitCard(j.t, j.ctx)
		}
	}
	j.open("/me")
	j.page("home-after-diary")
}

// selectAll makes a Ctrl+A key press select all, as it does for a person
// (DevTools key events carry no editing command of their own).
func selectAll(p *input.DispatchKeyEventParams) {
	if p.Type == input.DispatchKeyEventTypeKeyDown || p.Type == input.DispatchKeyEventTypeRawKeyDown {
		p.Commands = []string{"selectAll"}
	}
}

// journeyFollowUp: Lee finds the follow-up task sam's PHQ-9 answer opened,
// acknowledges and resolves it, and sees today's card in the diary grid
// and the toolbox use sam now shares.
func journeyFollowUp(j *journey) {
	const kind = "answered the questionnaire item about being better off dead or hurting themselves"
	j.signIn("lee@example.org", "/clinic")
	j.page("caseload-after")
	j.link("/clinic/tasks")
	j.page("task-inbox", kind, "sam")
	task := eval[string](j, `(() => { const row = [...document.querySelectorAll("main tr")].find(r => r.innerText.includes(`+jsString(kind)+`)); return row ? row.querySelector('a[href^="/clinic/tasks/"]').getAttribute("href") : ""; })()`)
	if task == "" {
		j.t.Fatalf("%s: no link to the task", j.label)
	}
	j.link(task)
	j.page("task", kind)
	j.follow(`form[action$="/acknowledge"] button`)
	j.page("task-acknowledged")
	j.typeIn(`form[action$="/resolve"] textarea`, "Called sam; sam is safe and we went over the plan.")
	j.follow(`form[action$="/resolve"] button[type=submit]`)
	j.page("task-resolved")

	j.open("/clinic")
	j.page("caseload-again")
	j.link(j.samPath + "/diary")
	j.page("diary-grid", j.note)
	j.link(j.samPath)
	j.page("person-toolbox")
	j.link(j.samPath + "/toolbox")
	j.page("toolbox-log", "Make a hot drink")
	j.signOut()
}

// journeyPrescriber: Priya adds a medication to sam's list.
func journeyPrescriber(j *journey) {
	j.signIn("priya@example.org", "/clinic")
	j.page("caseload", "sam")
	j.link(j.samPath)
	j.page("person")
	j.link(j.samPath + "/medication")
	j.page("medication", "Sertraline")
	name := "Vitamin D " + j.w.name
	j.typeIn("#med-name", name)
	j.typeIn("#med-dose", "1000 units")
	j.typeIn("#med-schedule", "Once a day")
	if j.w.keys {
		// A date field takes its parts as typed, in the browser's order
		// (month, day, year here).
		j.typeIn("#med-start", "02012026")
	} else if err := chromedp.Do(j.ctx, chromedp.SetValue(chromedp.CSS("#med-start"), "2026-02-01")); err != nil {
		j.t.Fatal(err)
	}
	if got := eval[string](j, `document.querySelector("#med-start").value`); got != "2026-02-01" {
		j.t.Fatalf("%s: the start date reads %q after typing, want 2026-02-01", j.label, got)
	}
	j.follow(`form[action$="/medication"] button[type=submit]`)
	j.page("medication-added", "The medication was added.", name)
	j.signOut()
}

// journeyFacilitator: Jo records attendance at the skills group.
func journeyFacilitator(j *journey) {
	j.signIn("jo@example.org", "/clinic")
	j.page("caseload")
	j.link("/clinic/groups")
	j.page("groups")
	j.follow(`main a[href^="/clinic/groups/"]`)
	j.page("group")
	j.choose(eval[string](j, `document.querySelector('input[name^="status-"]').name`), "attended")
	j.follow(`form[action$="/attendance"] button[type=submit]`)
	j.page("attendance-saved", "Attendance was saved.", "sam: Attended")
	j.signOut()
}

// journeyLead: Morgan reads the service outcomes report.
func journeyLead(j *journey) {
	j.signIn("morgan@example.org", "/clinic")
	j.page("clinic")
	j.link("/clinic/reports/outcomes")
	j.page("outcomes-report", "These are observational figures with no comparison group.")
	j.signOut()
}
