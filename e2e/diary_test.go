package e2e_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	_ "modernc.org/sqlite"
)

// londonDay is the civil date days from today in the demo's zone.
func londonDay(t *testing.T, days int) string {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days).Format("2006-01-02")
}

// openStore opens the SQLite database of a stopped server's data folder.
func openStore(t *testing.T, data string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "tend.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// pressKey sends one key, as a person at the keyboard would.
func pressKey(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(key)); err != nil {
		t.Fatal(err)
	}
}

// tabTo presses Tab until the focused element matches sel (focus wraps
// round the page): the keyboard is the only way the test moves on it.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	check := `(() => { const a = document.activeElement; return !!a && a.matches(` + jsString(sel) + `); })()`
	for i := 0; i < 250; i++ {
		ok, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[bool](check))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		pressKey(t, ctx, kb.Tab)
	}
	p := readPage(t, ctx)
	t.Fatalf("Tab never reached %s on %s (%q):\n%s", sel, p.URL, p.H1, p.Main)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// rate chooses value in a radio group with the keyboard: Tab to the group,
// Space to choose the focused option, arrows (which wrap) to the value.
func rate(t *testing.T, ctx context.Context, field string, value int) {
	t.Helper()
	tabTo(t, ctx, `input[type=radio][name="`+field+`"]`)
	pressKey(t, ctx, " ")
	want := strconv.Itoa(value)
	checked := `(document.querySelector('input[name="` + field + `"]:checked') || {}).value || ""`
	for i := 0; i < 12; i++ {
		got, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[string](checked))
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		pressKey(t, ctx, kb.ArrowRight)
	}
	t.Fatalf("%s: the keyboard never chose %s", field, want)
}

// fillCard fills in the card on the tab with the keyboard only, and sends it.
func fillCard(t *testing.T, ctx context.Context, urge, sadness int, note string) {
	t.Helper()
	rate(t, ctx, "urge:u.self_harm", urge)
	rate(t, ctx, "act:a.self_harm", 0) // no
	rate(t, ctx, "emotion:e.sadness", sadness)
	rate(t, ctx, "skills", 5)
	tabTo(t, ctx, "textarea#note")
	if err := chromedp.Do(ctx, chromedp.KeyEvent(note)); err != nil {
		t.Fatal(err)
	}
	tabTo(t, ctx, `#diary-card button[type=submit]`)
	pressKey(t, ctx, kb.Enter)
}

// waitText waits until the page's main content says text (through
// navigations).
func waitText(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	js := `(document.querySelector("main") || {innerText: ""}).innerText.includes(` + jsString(text) + `)`
	for i := 0; i < 300; i++ {
		if ok, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[bool](js)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p := readPage(t, ctx)
	t.Fatalf("the page at %s never said %q:\n%s", p.URL, text, p.Main)
}

// waitCard waits (through navigations) until the tab shows the card form.
func waitCard(t *testing.T, ctx context.Context) {
	t.Helper()
	for i := 0; i < 300; i++ {
		ok, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[bool](`document.readyState === "complete" && !!document.getElementById("diary-card")`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p := readPage(t, ctx)
	t.Fatalf("no card at %s:\n%s", p.URL, p.Main)
}

// readNotice reads the first-use notice when the card shows it (sam may
// have read it before a first request for contact), with the keyboard.
func readNotice(t *testing.T, ctx context.Context) {
	t.Helper()
	notice, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/me/diary/notice"]') !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if notice {
		tabTo(t, ctx, `form[action="/me/diary/notice"] button`)
		pressKey(t, ctx, kb.Enter)
	}
}

type dayCount struct{ cards, saves int }

// diarySaves counts sam's cards and saves (history rows) for each day.
func diarySaves(t *testing.T, db *sql.DB, days ...string) map[string]dayCount {
	t.Helper()
	out := map[string]dayCount{}
	for _, day := range days {
		var c dayCount
		if err := db.QueryRow(`SELECT COUNT(*) FROM diary_cards c JOIN people p ON p.id = c.person_id WHERE p.username = 'sam' AND c.day = $1`, day).Scan(&c.cards); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM diary_saves s JOIN people p ON p.id = s.person_id WHERE p.username = 'sam' AND s.day = $1`, day).Scan(&c.saves); err != nil {
			t.Fatal(err)
		}
		out[day] = c
	}
	return out
}

// TestDiaryCardOffline: sam fills in a day's card on a 390 px screen with
// the keyboard only; the server stops; sam fills in the next day, which
// waits on the device; the server starts again, and both cards arrive
// exactly once (issue 6, done when).
func TestDiaryCardOffline(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	data := t.TempDir()
	opt := serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword},
		args: []string{"--addr", freeAddr(t), "--data", data}}
	srv := startTend(t, opt)
	// Sam joined at least two days ago, so yesterday has a card; the demo
	// may have filled in days already: count what this test adds.
	srv.Stop()
	yesterday, today := londonDay(t, -1), londonDay(t, 0)
	db := openStore(t, data)
	joined := time.Now().UTC().AddDate(0, 0, -2)
	if _, err := db.Exec(`UPDATE people SET created_at = $1 WHERE username = 'sam' AND created_at > $1`, joined); err != nil {
		t.Fatal(err)
	}
	before := diarySaves(t, db, yesterday, today)
	_ = db.Close()
	srv = startTend(t, opt)

	ctx := newTab(t, browser)
	offlineSignIn(t, ctx, srv, "sam")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/diary/"+yesterday), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	// The first-use notice, then the card.
	readNotice(t, ctx)
	waitCard(t, ctx)
	waitForServiceWorker(t, ctx)
	// Under the service worker, the card page keeps the blank card here.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitCard(t, ctx)
	for i := 0; ; i++ {
		if kept := keptPages(t, ctx); len(kept) == 1 && strings.HasSuffix(kept[0], "/me/diary/blank") {
			break
		}
		if i > 100 {
			t.Fatalf("the blank card is not kept on this device: %q", keptPages(t, ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkAxe(t, ctx, axe, "diary card")
	screenshot(t, ctx, "diary-card")
	if h, err := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[float64](`document.getElementById("diary-card").getBoundingClientRect().height`)); err == nil {
		t.Logf("the card form is %.0f px tall at 390 px wide", h)
	}

	fillCard(t, ctx, 2, 3, "a calm evening")
	waitText(t, ctx, "Saved. Thank you for filling in your card.")
	waitPath(t, ctx, "/me/diary/"+yesterday)
	if p := readPage(t, ctx); !strings.Contains(p.Main, "Saved. Thank you for filling in your card.") {
		t.Fatalf("after saving yesterday's card the page says:\n%s", p.Main)
	}

	killServer(t, srv)
	// The next day, offline: its link leads to the card kept on the device.
	tabTo(t, ctx, `a[rel=next]`)
	pressKey(t, ctx, kb.Enter)
	waitPath(t, ctx, "/me/diary/"+today)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#diary-card[data-day="`+today+`"]`))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, axe, "diary card offline")
	fillCard(t, ctx, 1, 2, "rested")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#offline-queue`))); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, ctx); !strings.Contains(p.Main, "Saved on this device. It will be sent when you are back online.") {
		t.Errorf("the card sent offline does not say it waits:\n%s", p.Main)
	}
	if q := waitQueue(t, ctx, "one waiting card", func(q []queued) bool { return len(q) == 1 && q[0].State == "waiting" }); !strings.HasSuffix(q[0].Action, "/me/diary/"+today) {
		t.Errorf("the queued entry goes to %s", q[0].Action)
	}
	if hidden, _ := chromedp.Run(ctx, chromedp.EvaluateAsDevTools[bool](`document.getElementById("offline-safety").hidden`)); !hidden {
		t.Error("a card with nothing that needs it showed the safety screen")
	}

	srv = startTend(t, opt)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	waitQueue(t, ctx, "empty once sent", func(q []queued) bool { return len(q) == 0 })

	// The progress page, while the server runs.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/progress?span=4w"), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	if p := readPage(t, ctx); !strings.Contains(p.Main, "Cards you filled in:") || !strings.Contains(p.Main, "Urges you noticed and rode out:") {
		t.Errorf("progress does not say what sam did:\n%s", p.Main)
	}
	checkAxe(t, ctx, axe, "progress")
	screenshot(t, ctx, "progress")

	srv.Stop()
	db = openStore(t, data)
	after := diarySaves(t, db, yesterday, today)
	for _, day := range []string{yesterday, today} {
		if after[day].cards != 1 || after[day].saves != before[day].saves+1 {
			t.Errorf("%s: %d cards, %d saves (%d before); want one card and exactly one save more", day, after[day].cards, after[day].saves, before[day].saves)
		}
	}
	var urge int
	if err := db.QueryRow(`SELECT v.value FROM diary_values v JOIN diary_cards c ON c.id = v.card_id JOIN people p ON p.id = c.person_id
		WHERE p.username = 'sam' AND c.day = $1 AND v.field = 'urge:u.self_harm'`, today).Scan(&urge); err != nil || urge != 1 {
		t.Errorf("the card sent from the device holds urge %d (%v), want 1", urge, err)
	}
}

// TestDiarySafetyScreen: recording a self-harm act for today shows physical
// safety first, then the plan (safety-rules.md section 4); offline, the
// device shows it at once.
func TestDiarySafetyScreen(t *testing.T) {
	axe := loadAxe(t)
	browser := newBrowser(t)
	opt := serveOptions{env: []string{"TEND_DEMO_PASSWORD=" + demoPassword},
		args: []string{"--addr", freeAddr(t), "--data", t.TempDir()}}
	srv := startTend(t, opt)
	ctx := newTab(t, browser)
	offlineSignIn(t, ctx, srv, "sam")
	today := londonDay(t, 0)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/diary/"+today), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	readNotice(t, ctx)
	waitCard(t, ctx)
	rate(t, ctx, "act:a.self_harm", 1) // yes
	tabTo(t, ctx, `#diary-card button[type=submit]`)
	pressKey(t, ctx, kb.Enter)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`section[aria-labelledby="hurt"]`))); err != nil {
		t.Fatal(err)
	}
	p := readPage(t, ctx)
	hurt, plan := strings.Index(p.Main, "Are you hurt, or have you taken anything?"), strings.Index(p.Main, "My safety plan")
	if p.H1 != "Are you hurt, or have you taken anything?" || hurt < 0 || plan < hurt {
		t.Errorf("after recording an act today: heading %q; want physical safety first, then the plan:\n%s", p.H1, p.Main)
	}
	if !p.hasLink("/help") {
		t.Error("the safety screen has no link to help")
	}
	checkAxe(t, ctx, axe, "safety screen after an act")

	// Offline: the device decides at once.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/me/diary/"+today), chromedp.WaitVisible(chromedp.CSS("#diary-card"))); err != nil {
		t.Fatal(err)
	}
	waitForServiceWorker(t, ctx)
	killServer(t, srv)
	rate(t, ctx, "urge:u.die", 5)
	tabTo(t, ctx, `#diary-card button[type=submit]`)
	pressKey(t, ctx, kb.Enter)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#offline-safety`))); err != nil {
		t.Fatal(err)
	}
	waitScrollSettled(t, ctx, "#offline-safety") // let the page settle where focus moved it
	p = readPage(t, ctx)
	if !strings.Contains(p.Main, "Open my safety plan") || !p.hasLink("/me/plan") {
		t.Errorf("offline, an urge to end my life at 5 does not lead to the plan:\n%s", p.Main)
	}
	if strings.Contains(p.Main, "Are you hurt") {
		t.Error("offline, an urge with no act asks about physical safety")
	}
	checkAxe(t, ctx, axe, "safety screen offline (urge)")

	// An act recorded today, offline: physical safety first, on the device.
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitCard(t, ctx)
	rate(t, ctx, "act:a.attempt", 1)
	tabTo(t, ctx, `#diary-card button[type=submit]`)
	pressKey(t, ctx, kb.Enter)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#offline-safety [data-physical]`))); err != nil {
		t.Fatal(err)
	}
	waitScrollSettled(t, ctx, "#offline-safety")
	p = readPage(t, ctx)
	hurt, plan = strings.Index(p.Main, "Are you hurt, or have you taken anything?"), strings.Index(p.Main, "Open my safety plan")
	if hurt < 0 || plan < hurt || !strings.Contains(p.Main, "Call 999") {
		t.Errorf("offline, an act today: want physical safety first (with the emergency number), then the plan:\n%s", p.Main)
	}
	checkAxe(t, ctx, axe, "safety screen offline (act)")
}

// waitScrollSettled waits until focus has brought the element sel into
// view and a smooth scroll has come to rest, so that checks of what covers
// what see the page as the person does once it stops moving.
func waitScrollSettled(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	js := `(() => { const r = document.querySelector(` + "`" + sel + "`" + `).getBoundingClientRect();
		return r.top >= 0 && r.top < window.innerHeight / 2 ? window.scrollY : -1; })()`
	last, still := -1.0, 0
	for range 100 {
		y, err := chromedp.Run(ctx, chromedp.Evaluate[float64](js))
		if err != nil {
			t.Fatal(err)
		}
		if y >= 0 && y == last {
			if still++; still >= 3 {
				return
			}
		} else {
			last, still = y, 0
		}
		time.Sleep(100 * time.Millisecond)
	}
	where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const r = document.querySelector(`+"`"+sel+"`"+`).getBoundingClientRect();
		return "top " + r.top + " height " + r.height + " scrollY " + window.scrollY + " viewport " + window.innerHeight + " active " + (document.activeElement && document.activeElement.id); })()`))
	t.Fatalf("%s did not come to rest in view within 10 s: %s", sel, where)
}
