package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestKillNineLoop is the durability suite (docs/durability.md): a real
// `tend serve` process takes diary saves over the API from several savers
// at once and is killed with SIGKILL at a random moment, again and again.
// After each restart every save the server acknowledged is there with its
// content, the saves that were in flight at the kill and some acknowledged
// ones are sent again with the same Idempotency-Key and add nothing twice,
// and on SQLite the file passes PRAGMA integrity_check after the last kill
// and after the final stop. The durability settings serve enforces are
// checked on the running process's database, and on PostgreSQL serve is
// shown to refuse a session with synchronous_commit off.
//
// It runs only when TEND_DURABILITY_KILLS gives the number of kills per
// engine (CI's durability stage: 30), on SQLite and, when
// TEND_TEST_POSTGRES is set, on PostgreSQL as well. The sqlite and
// postgres stages run this package under -race, where seeding the demo
// and a few restarts of a race-built tend alone take tens of seconds; the
// durability stage runs it on tend as shipped.
func TestKillNineLoop(t *testing.T) {
	v := os.Getenv("TEND_DURABILITY_KILLS")
	if v == "" {
		t.Skip("the durability loop runs with TEND_DURABILITY_KILLS=N (CI's durability stage: 30)")
	}
	kills, err := strconv.Atoi(v)
	if err != nil || kills < 1 {
		t.Fatalf("TEND_DURABILITY_KILLS=%q: want a whole number of kills, 1 or more", v)
	}
	engines := []store.Engine{store.SQLite}
	if testenv.PostgresURL() != "" {
		engines = append(engines, store.Postgres)
	}
	bin := buildTend(t)
	for _, engine := range engines {
		t.Run(string(engine), func(t *testing.T) {
			// The engines run side by side: much of a restart is spent
			// waiting on the disk and the database, not on the processor.
			t.Parallel()
			began := time.Now()
			k := newKillLoop(t, bin, engine)
			k.run(t, kills)
			t.Logf("%s: %d kills (SIGKILL) under load; %d saves acknowledged, %d of them lost; %d requests in flight at the kills (%d had been saved before the kill, %d were saved when sent again); %d acknowledged saves sent again with the same key; %d duplicate saves; tend started %d times in %v on average; %v in all",
				engine, k.kills, len(k.acked), k.lost, k.inflight, k.inflightSaved, k.inflightApplied, k.resent, k.duplicates,
				k.starts, (k.startTime / time.Duration(max(k.starts, 1))).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
		})
	}
}

// k9Save is one diary save as sent: whose card, for which day, its
// Idempotency-Key and its content.
type k9Save struct {
	person, day, key, note string
	value                  int
}

func (s k9Save) card() string { return s.person + "/" + s.day }

// k9Saver sends one person's saves one after another over its own days,
// so that no two savers touch the same card and each card's content is
// that of its saver's last save to it.
type k9Saver struct {
	person string
	n      int // the saver's number for that person
	days   []string
}

type killLoop struct {
	c       *cluster
	engine  store.Engine
	dsn     string // PostgreSQL: the database serve uses
	file    string // SQLite: the database file serve uses
	savers  []k9Saver
	session map[string]*http.Cookie
	from    string
	to      string

	acked    map[string]k9Save // by Idempotency-Key, every save acknowledged so far
	last     map[string]k9Save // by card, the last save known to be in it
	pending  []k9Save          // sent but unanswered when the server was killed
	sequence map[string]int    // next save number per saver

	kills, starts                            int
	startTime                                time.Duration
	lost, duplicates, resent                 int
	inflight, inflightSaved, inflightApplied int
}

func newKillLoop(t *testing.T, bin string, engine store.Engine) *killLoop {
	t.Helper()
	dir := t.TempDir()
	k := &killLoop{engine: engine, session: map[string]*http.Cookie{}, acked: map[string]k9Save{},
		last: map[string]k9Save{}, sequence: map[string]int{}}
	env := map[string]string{"TEND_DEMO": "true", "TEND_DEMO_PASSWORD": drillPassword, "TEND_LOG_LEVEL": "warn"}
	if engine == store.Postgres {
		k.dsn = testenv.EmptyDSN(t)
		env["TEND_DB"] = k.dsn
	} else {
		// The default database of the data folder cluster.start gives node "k9".
		k.file = filepath.Join(dir, "node-k9", "tend.db")
	}
	k.c = &cluster{bin: bin, dir: dir, env: env}
	// sam and alex joined the demo weeks ago (riley only today): three
	// savers each, each over four days of its own from two to thirteen
	// days ago.
	today := time.Now().UTC()
	for _, p := range []string{"sam", "alex"} {
		for n := range 3 {
			s := k9Saver{person: p, n: n}
			for d := range 4 {
				s.days = append(s.days, today.AddDate(0, 0, -(2+4*n+d)).Format(time.DateOnly))
			}
			k.savers = append(k.savers, s)
		}
	}
	k.from, k.to = today.AddDate(0, 0, -13).Format(time.DateOnly), today.AddDate(0, 0, -2).Format(time.DateOnly)
	return k
}

// start runs serve on the loop's data folder and waits until it listens.
func (k *killLoop) start(t *testing.T) *node {
	t.Helper()
	began := time.Now()
	n := k.c.start(t, "k9")
	k.startTime += time.Since(began)
	k.starts++
	return n
}

func (k *killLoop) run(t *testing.T, kills int) {
	n := k.start(t)
	for _, p := range []string{"sam", "alex"} {
		k.session[p] = signInAs(t, n.url, p)
	}
	k.checkSettings(t)
	if k.engine == store.Postgres {
		k.checkRefusal(t)
	}
	for round := range kills {
		if round > 0 {
			n = k.start(t)
			k.verify(t, n)
		}
		k.load(t, n, round)
		if t.Failed() {
			return
		}
	}
	if k.engine == store.SQLite {
		// Straight after the last kill, as the next start would find it.
		k.integrity(t, "after the last kill")
	}
	n = k.start(t)
	k.verify(t, n)
	k.checkSettings(t)
	n.stop(t)
	if k.engine == store.SQLite {
		k.integrity(t, "after the final stop")
	}
	if k.kills < kills {
		t.Errorf("%d kills, want %d", k.kills, kills)
	}
}

// load runs every saver against n until n is killed, a random 100 to
// 600 ms after the first save was acknowledged, and records what was
// acknowledged and what was in flight.
func (k *killLoop) load(t *testing.T, n *node, round int) {
	t.Helper()
	var mu sync.Mutex
	var acked []k9Save
	var failures []string
	var wg sync.WaitGroup
	pending := make([]*k9Save, len(k.savers))
	firstAck, ended := make(chan struct{}), make(chan struct{})
	var once sync.Once
	names := make([]string, len(k.savers))
	next := make([]int, len(k.savers))
	for i, s := range k.savers {
		names[i] = fmt.Sprintf("%s-%d", s.person, s.n)
		next[i] = k.sequence[names[i]]
	}
	for i, s := range k.savers {
		name, first := names[i], next[i]
		wg.Go(func() {
			for seq := first; ; seq++ {
				sv := k9Save{person: s.person, day: s.days[seq%len(s.days)], value: seq % 8,
					key:  fmt.Sprintf("k9-%s-%d", name, seq),
					note: fmt.Sprintf("kill loop, %s saver %d, save %d", s.person, s.n, seq)}
				mu.Lock()
				pending[i] = &sv
				next[i] = seq + 1
				mu.Unlock()
				code, body, err := saveCard(n.url, k.session[s.person], sv.day, sv.key, sv.note, sv.value)
				mu.Lock()
				switch {
				case err != nil:
					// The server is gone: this save stays in flight.
					mu.Unlock()
					return
				case code != http.StatusOK && code != http.StatusCreated:
					failures = append(failures, fmt.Sprintf("save %s: %d %.300s", sv.key, code, body))
					pending[i] = nil
					mu.Unlock()
					return
				}
				acked = append(acked, sv)
				pending[i] = nil
				mu.Unlock()
				once.Do(func() { close(firstAck) })
			}
		})
	}
	go func() { wg.Wait(); close(ended) }()
	select {
	case <-firstAck:
	case <-ended: // every saver failed: reported below
	case <-time.After(30 * time.Second):
		t.Errorf("round %d: no save acknowledged within 30 s", round)
	}
	time.Sleep(100*time.Millisecond + rand.N(501*time.Millisecond)) // #nosec G404 -- a test's timing, not a secret.
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-n.done //nolint:errcheck // a killed process exits with an error that says only that
	k.kills++
	<-ended
	for i, name := range names {
		k.sequence[name] = next[i]
	}
	for _, f := range failures {
		t.Errorf("round %d: %s", round, f)
	}
	if len(acked) == 0 {
		t.Errorf("round %d: no save was acknowledged before the kill", round)
	}
	for _, s := range acked {
		k.acked[s.key] = s
		k.last[s.card()] = s // in each saver's order: its cards are its own
	}
	k.pending = k.pending[:0]
	for _, p := range pending {
		if p != nil {
			k.pending = append(k.pending, *p)
		}
	}
	k.inflight += len(k.pending)
}

// verify checks, on a restarted server, that every acknowledged save is
// there with its content, then sends the saves that were in flight and
// some acknowledged ones again with the same key.
func (k *killLoop) verify(t *testing.T, n *node) {
	t.Helper()
	saved, saves, cards := k.counts(t)
	lost := 0
	for key := range k.acked {
		if !saved[key] {
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged save %s is not in the database after the restart", key)
			}
		}
	}
	k.lost += lost

	// Each card holds its last acknowledged save, or the save in flight to
	// it at the kill when that one was written before the kill.
	inFlight := map[string]k9Save{}
	for _, p := range k.pending {
		inFlight[p.card()] = p
	}
	got := k.cards(t, n)
	for card, want := range k.last {
		have, ok := got[card]
		if f, flying := inFlight[card]; flying && ok && have == (k9Content{f.note, f.value}) {
			continue
		}
		if !ok || have != (k9Content{want.note, want.value}) {
			t.Errorf("card %s after the restart holds %+v, want the acknowledged save %s (%q, %d)", card, have, want.key, want.note, want.value)
		}
	}

	// The saves in flight, sent again: saved once, whether or not the
	// first attempt had reached the database.
	addSaves, addCards := 0, 0
	for _, p := range k.pending {
		r := k.send(t, n, p)
		if r.Replay {
			k.inflightSaved++
		} else {
			k.inflightApplied++
			addSaves++
			if r.Created {
				addCards++
			}
		}
		k.acked[p.key] = p
		k.last[p.card()] = p // its saver's last save
	}
	// Acknowledged saves sent again: the latest few and some older ones,
	// each answered as the save already made.
	var again []k9Save
	for _, s := range k.last {
		if len(again) == 6 {
			break
		}
		if !slicesContainKey(k.pending, s.key) {
			again = append(again, s)
		}
	}
	for _, s := range k.acked {
		if len(again) == 10 {
			break
		}
		again = append(again, s)
	}
	for _, s := range again {
		r := k.send(t, n, s)
		if !r.Replay {
			t.Errorf("acknowledged save %s sent again was saved a second time", s.key)
		}
		k.resent++
	}
	k.pending = nil

	saved2, saves2, cards2 := k.counts(t)
	if d := saves2 - saves - addSaves; d != 0 {
		k.duplicates += max(d, 0)
		t.Errorf("the retries added %d saves, want %d (the in-flight saves not yet written)", saves2-saves, addSaves)
	}
	if cards2-cards != addCards {
		t.Errorf("the retries added %d cards, want %d", cards2-cards, addCards)
	}
	if len(saved2) != len(k.acked) {
		t.Errorf("the database holds %d saves from this test, want %d (one per save sent, however often)", len(saved2), len(k.acked))
	}
	got = k.cards(t, n)
	for card, want := range k.last {
		if have := got[card]; have != (k9Content{want.note, want.value}) {
			t.Errorf("card %s after the retries holds %+v, want save %s (%q, %d)", card, have, want.key, want.note, want.value)
		}
	}
}

func slicesContainKey(saves []k9Save, key string) bool {
	for _, s := range saves {
		if s.key == key {
			return true
		}
	}
	return false
}

type k9Answer struct {
	Created bool `json:"created"`
	Replay  bool `json:"replay"`
}

// send sends s again, with its Idempotency-Key, and returns the answer.
func (k *killLoop) send(t *testing.T, n *node, s k9Save) k9Answer {
	t.Helper()
	code, body, err := saveCard(n.url, k.session[s.person], s.day, s.key, s.note, s.value)
	if err != nil {
		t.Fatalf("sending save %s again: %v", s.key, err)
	}
	var a k9Answer
	if code != http.StatusOK && code != http.StatusCreated || json.Unmarshal([]byte(body), &a) != nil {
		t.Fatalf("sending save %s again: %d %.300s", s.key, code, body)
	}
	if a.Replay && code != http.StatusOK {
		t.Errorf("save %s sent again: a replay answered %d, want 200", s.key, code)
	}
	return a
}

type k9Content struct {
	note  string
	value int
}

// cards reads sam's and alex's cards of the savers' days over the API, by
// card.
func (k *killLoop) cards(t *testing.T, n *node) map[string]k9Content {
	t.Helper()
	out := map[string]k9Content{}
	for person, session := range k.session {
		req, err := http.NewRequest(http.MethodGet, n.url+"/api/v1/me/diary?from="+k.from+"&to="+k.to, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		req.AddCookie(session)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var list struct {
			Cards []struct {
				Date   string `json:"date"`
				Note   string `json:"note"`
				Values map[string]struct {
					Value *int `json:"value"`
				} `json:"values"`
			} `json:"cards"`
		}
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil {
			t.Fatalf("GET %s's cards: %d %.300s", person, res.StatusCode, body)
		}
		for _, c := range list.Cards {
			v := -1
			if p := c.Values["skills"].Value; p != nil {
				v = *p
			}
			out[person+"/"+c.Date] = k9Content{note: c.Note, value: v}
		}
	}
	return out
}

// direct opens the database serve uses, for reading. A SQLite connection
// is opened for each use and closed before the next kill, so that serve is
// the only process on the file when it dies, as in production.
func (k *killLoop) direct(t *testing.T) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if k.engine == store.SQLite {
		db, err = sql.Open("sqlite", "file:"+k.file+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	} else {
		db, err = sql.Open("pgx", k.dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// counts reads the Idempotency-Keys of this test's saves, and the numbers
// of saves and cards in the database.
func (k *killLoop) counts(t *testing.T) (keys map[string]bool, saves, cards int) {
	t.Helper()
	db := k.direct(t)
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT idem_key FROM diary_saves WHERE idem_key LIKE 'k9-%'`)
	if err != nil {
		t.Fatal(err)
	}
	keys = map[string]bool{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		keys[key] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close() //nolint:sqlclosecheck // closed here, before the next query on the same connection
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM diary_saves`).Scan(&saves); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM diary_cards`).Scan(&cards); err != nil {
		t.Fatal(err)
	}
	return keys, saves, cards
}

// checkSettings checks, on the database of the running serve, the
// settings serve enforces at start (store.CheckDurability): SQLite in WAL
// with synchronous FULL, PostgreSQL with fsync, synchronous_commit and
// full_page_writes on.
func (k *killLoop) checkSettings(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if k.engine == store.SQLite {
		// The journal mode is the file's own: what serve left it in.
		db := k.direct(t)
		var mode string
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
		_ = db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("the database file of the running serve is in journal mode %q, want wal", mode)
		}
		// synchronous belongs to each connection: read it on one opened as
		// serve opens its own, from the same TEND_DB.
		sdb, err := store.Open(ctx, "sqlite:"+k.file, store.Options{})
		if err != nil {
			t.Fatalf("opening the database as serve does: %v", err)
		}
		var sync int
		err = sdb.Writer().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync)
		_ = sdb.Close()
		if err != nil {
			t.Fatal(err)
		}
		if sync != 2 {
			t.Errorf("PRAGMA synchronous on serve's connections = %d, want 2 (FULL)", sync)
		}
		return
	}
	db := k.direct(t)
	defer db.Close()
	for _, name := range []string{"fsync", "synchronous_commit", "full_page_writes"} {
		var v string
		if err := db.QueryRowContext(ctx, `SHOW `+name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != "on" {
			t.Errorf("PostgreSQL %s is %q in serve's database, want on", name, v)
		}
	}
}

// checkRefusal starts serve with synchronous_commit off for its sessions
// (the PostgreSQL options parameter of TEND_DB, which any operator could
// set) and expects it to refuse to start.
func (k *killLoop) checkRefusal(t *testing.T) {
	t.Helper()
	sep := "?"
	if strings.Contains(k.dsn, "?") {
		sep = "&"
	}
	weak := &cluster{bin: k.c.bin, dir: t.TempDir(), env: map[string]string{}}
	for key, v := range k.c.env {
		weak.env[key] = v
	}
	weak.env["TEND_DB"] = k.dsn + sep + "options=-c%20synchronous_commit%3Doff"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, weak.bin, "serve") // #nosec G204 -- the binary this test built.
	cmd.Env = weak.environ(filepath.Join(weak.dir, "data"), "127.0.0.1:0")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "synchronous_commit is off") {
		t.Errorf("serve with synchronous_commit off for its sessions: %v, want a refusal naming synchronous_commit\n%.600s", err, out)
	}
}

// integrity runs SQLite's integrity and foreign key checks on the file.
func (k *killLoop) integrity(t *testing.T, when string) {
	t.Helper()
	if _, err := store.CheckFile(context.Background(), k.file); err != nil {
		t.Errorf("%s: %v", when, err)
		return
	}
	t.Logf("PRAGMA integrity_check %s: ok", when)
}
