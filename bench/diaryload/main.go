// Command diaryload measures the diary card's budgets (DESIGN.md "Budgets")
// against a real 'tend serve --demo' on loopback, filled by 'tend
// demo-data':
//
//   - saving a card, HTTP to durable commit (SQLite synchronous=FULL, River
//     running in the server): latency at a steady rate (budget p99 < 50 ms
//     at 50 requests/s), and throughput at saturation against a bare
//     single-row SQLite commit (WAL, synchronous=FULL) on the same disk in
//     the same run (budget: at least half);
//   - the clinician's weekly grid for a caseload with a year of cards
//     (budget p95 < 30 ms of the server's own time, read from its request
//     log), side by side with a bare net/http handler in a process of its
//     own on loopback, read by the same client in the same run, one grid
//     request and one bare request in turn: the ratio is Tend's cost over a
//     bare HTTP round-trip of the same size.
//
// With -postgres the server runs on PostgreSQL, and the bare commit is a
// single-row INSERT committed over one connection to the same server.
//
// bench/diary.sh builds Tend, makes the data, starts the server and runs
// this with the right flags:
//
//	bash bench/diary.sh
//
// By hand, against a server already running on demo-data people:
//
//	go run ./bench/diaryload -base http://127.0.0.1:18183 -password PW -disk DIR
//	go run ./bench/diaryload -base http://127.0.0.1:18183 -password PW -postgres URL
//
// Every phase is bounded in time; it prints its figures and exits 1 when a
// budget is missed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the bare-commit baseline on PostgreSQL uses the same driver as Tend
	"github.com/pquerna/otp/totp"
	_ "modernc.org/sqlite" // the bare-commit baseline uses the same driver as Tend
)

type options struct {
	base, password, clinician, disk, zone string
	serverLog, postgres, engine           string
	people, rate, workers, gridWeeks      int
	steady, saturate, bare                time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.base, "base", "http://127.0.0.1:18183", "the server's base URL (loopback)")
	flag.StringVar(&o.password, "password", "", "the demo password the demo-data people and staff sign in with")
	flag.StringVar(&o.clinician, "clinician", "lee@example.org", "the clinician whose caseload the grid is read for")
	flag.StringVar(&o.disk, "disk", "", "a folder on the server's disk for the bare SQLite commit (required)")
	flag.StringVar(&o.serverLog, "server-log", "", "the server's JSON log at level info, to read the server's own time per request (optional)")
	flag.StringVar(&o.zone, "zone", "Europe/London", "the people's time zone (for today's date)")
	flag.IntVar(&o.people, "people", 50, "demo-data people who save cards (demo-person-0001 on)")
	flag.IntVar(&o.rate, "rate", 50, "saves a second in the steady phase")
	flag.IntVar(&o.workers, "workers", 16, "concurrent savers in the saturation phase")
	flag.IntVar(&o.gridWeeks, "grid-weeks", 10, "weeks of each caseload person's grid to read")
	flag.DurationVar(&o.steady, "steady", 20*time.Second, "length of the steady phase")
	flag.DurationVar(&o.saturate, "saturate", 10*time.Second, "length of the saturation phase")
	flag.DurationVar(&o.bare, "bare", 5*time.Second, "length of the bare commit phase")
	flag.StringVar(&o.postgres, "postgres", "", "the server runs on this PostgreSQL URL: the bare commit is made there, over one connection, instead of on -disk")
	serveBare := flag.String("serve-bare-http", "", "internal: serve the bare net/http handler on this loopback address")
	bareBody := flag.Int("bare-body", 0, "internal: the bare handler's body size in bytes")
	flag.Parse()
	if *serveBare != "" {
		if err := serveBareHTTP(*serveBare, *bareBody); err != nil {
			fmt.Fprintln(os.Stderr, "diaryload:", err)
			os.Exit(1)
		}
		return
	}
	if o.password == "" || (o.disk == "" && o.postgres == "") {
		fmt.Fprintln(os.Stderr, "diaryload: -password and one of -disk or -postgres are required")
		os.Exit(2)
	}
	o.engine = "sqlite"
	if o.postgres != "" {
		o.engine = "postgres"
	}
	ok, err := runAll(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "diaryload:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// client is one signed-in browser: its own cookie, no redirects followed.
type client struct {
	base   string
	cookie *http.Cookie
	hc     *http.Client
}

var transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}

func newClient(base string) *client {
	return &client{base: base, hc: &http.Client{Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(ctx context.Context, method, path string, body io.Reader, header map[string]string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.Name == "tend_session" && ck.Value != "" {
			c.cookie = ck
		}
	}
	return res.StatusCode, b, err
}

func (c *client) form(ctx context.Context, path string, v url.Values) (int, error) {
	code, _, err := c.do(ctx, http.MethodPost, path, strings.NewReader(v.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	return code, err
}

// signIn signs a person in with a password.
func signIn(ctx context.Context, base, username, password string) (*client, error) {
	c := newClient(base)
	code, err := c.form(ctx, "/signin", url.Values{"identifier": {username}, "password": {password}})
	if err != nil {
		return nil, err
	}
	if code != http.StatusSeeOther || c.cookie == nil {
		return nil, fmt.Errorf("sign in as %s: status %d", username, code)
	}
	return c, nil
}

var secretRE = regexp.MustCompile(`<code>([A-Z2-7]{16,})</code>`)

// signInStaff signs a staff member in and, when asked, enrols and passes
// their second factor.
func signInStaff(ctx context.Context, base, email, password string) (*client, error) {
	c, err := signIn(ctx, base, email, password)
	if err != nil {
		return nil, err
	}
	code, page, err := c.do(ctx, http.MethodGet, "/signin/mfa", nil, nil)
	if err != nil {
		return nil, err
	}
	if code == http.StatusSeeOther {
		return c, nil // no second factor asked (demo mode)
	}
	m := secretRE.FindSubmatch(page)
	if code != http.StatusOK || m == nil {
		return nil, fmt.Errorf("%s: no authenticator secret to enrol with (status %d); use a fresh demo", email, code)
	}
	otp, err := totp.GenerateCode(string(m[1]), time.Now())
	if err != nil {
		return nil, err
	}
	if code, err := c.form(ctx, "/signin/mfa", url.Values{"code": {otp}}); err != nil || code != http.StatusSeeOther {
		return nil, fmt.Errorf("%s: second factor: status %d, %v", email, code, err)
	}
	return c, nil
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu  sync.Mutex
	d   []time.Duration
	bad atomic.Int64
	why sync.Map // status -> count of unexpected answers
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) fail(status string) {
	l.bad.Add(1)
	n, _ := l.why.LoadOrStore(status, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}

func (l *latencies) failures() string {
	var out []string
	l.why.Range(func(k, v any) bool {
		out = append(out, fmt.Sprintf("%v x%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "OVER BUDGET"
}

// saver makes save requests for the signed-in people.
type saver struct {
	people []*client
	today  time.Time
	seq    atomic.Int64
}

// fields a save changes: ratings that raise no safety prompt, so the load
// measures the save itself.
var fields = []struct {
	name string
	max  int
}{{"urge:u.self_harm", 3}, {"urge:u.thoughts", 2}, {"urge:u.substances", 3}, {"emotion:e.sadness", 5}, {"emotion:e.joy", 5},
	{"emotion:e.fear", 5}, {"skills", 7}}

// save sends one save of a random field or three on a random day of the
// last four weeks, for a random person, and returns its status.
func (s *saver) save(ctx context.Context, r *mrand.Rand) (int, error) {
	c := s.people[r.IntN(len(s.people))]
	day := s.today.AddDate(0, 0, -r.IntN(28)).Format(time.DateOnly)
	type change struct {
		Field string `json:"field"`
		Value int    `json:"value"`
	}
	var body struct {
		Changes []change `json:"changes"`
	}
	for _, i := range r.Perm(len(fields))[:1+r.IntN(3)] {
		body.Changes = append(body.Changes, change{fields[i].name, r.IntN(fields[i].max + 1)})
	}
	b, _ := json.Marshal(body)
	key := make([]byte, 12)
	_, _ = rand.Read(key)
	code, _, err := c.do(ctx, http.MethodPut, "/api/v1/me/diary/"+day, bytes.NewReader(b),
		map[string]string{"Content-Type": "application/json", "Idempotency-Key": hex.EncodeToString(key)})
	s.seq.Add(1)
	return code, err
}

func runAll(ctx context.Context, o options) (bool, error) {
	loc, err := time.LoadLocation(o.zone)
	if err != nil {
		return false, err
	}
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	allOK := true
	sum := &summary{engine: o.engine}
	defer sum.print()

	// a. Saving a card.
	s := &saver{today: today}
	t0 := time.Now()
	for i := 1; i <= o.people; i++ {
		c, err := signIn(ctx, o.base, fmt.Sprintf("demo-person-%04d", i), o.password)
		if err != nil {
			return false, err
		}
		s.people = append(s.people, c)
	}
	fmt.Printf("signed in %d demo-data people in %.1f s\n", len(s.people), time.Since(t0).Seconds())
	r := mrand.New(mrand.NewPCG(1, 2)) // #nosec G404 -- load shape only
	if code, err := s.save(ctx, r); err != nil || code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
		fmt.Printf("save a card: PUT /api/v1/me/diary/{date} answers %d (%v): the route is not there yet; no save figures\n", code, err)
		allOK = false
	} else {
		// Two seconds of the same load first, not counted: connections
		// and caches warm up as they would on a server in use.
		var wg sync.WaitGroup
		warm := time.Now().Add(2 * time.Second)
		for time.Now().Before(warm) {
			seed := r.Uint64()
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = s.save(ctx, mrand.New(mrand.NewPCG(seed, 3))) // #nosec G404 -- load shape only
			}()
			time.Sleep(time.Second / time.Duration(o.rate))
		}
		wg.Wait()
		steady := &latencies{}
		steadyLog := logSize(o.serverLog)
		tick := time.NewTicker(time.Second / time.Duration(o.rate))
		end := time.Now().Add(o.steady)
		sent := 0
		for t := range tick.C {
			if t.After(end) {
				break
			}
			sent++
			seed := r.Uint64()
			wg.Add(1)
			go func() {
				defer wg.Done()
				rr := mrand.New(mrand.NewPCG(seed, 3)) // #nosec G404 -- load shape only
				start := time.Now()
				code, err := s.save(ctx, rr)
				switch {
				case err != nil:
					steady.fail(err.Error())
				case code != http.StatusOK && code != http.StatusCreated:
					steady.fail(fmt.Sprint(code))
				default:
					steady.add(time.Since(start))
				}
			}()
		}
		tick.Stop()
		wg.Wait()
		p99 := steady.pct(99)
		ok := p99 < 50*time.Millisecond && steady.bad.Load() == 0
		allOK = allOK && ok
		fmt.Printf("save a card, PUT /api/v1/me/diary/{date} at %d requests/s for %s: %d sent, %d failed %s\n  latency p50 %s, p95 %s, p99 %s, max %s (budget p99 < 50 ms): %s\n",
			o.rate, o.steady, sent, steady.bad.Load(), steady.failures(), ms(steady.pct(50)), ms(steady.pct(95)), ms(p99), ms(steady.pct(100)), verdict(ok))
		if _, err := printServerTimes(o.serverLog, steadyLog, "PUT /api/v1/me/diary/{date}"); err != nil {
			return false, err
		}

		// Saturation: closed loop, as fast as the server answers.
		sat := &latencies{}
		var done atomic.Int64
		end = time.Now().Add(o.saturate)
		start := time.Now()
		for w := range o.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rr := mrand.New(mrand.NewPCG(uint64(w), 4)) // #nosec G404,G115 -- load shape only
				for time.Now().Before(end) {
					t := time.Now()
					code, err := s.save(ctx, rr)
					if err != nil || (code != http.StatusOK && code != http.StatusCreated) {
						sat.fail(fmt.Sprint(code, err))
						continue
					}
					sat.add(time.Since(t))
					done.Add(1)
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start).Seconds()
		saves := float64(done.Load()) / elapsed
		fmt.Printf("save throughput at saturation (%d concurrent savers, %s): %.0f saves/s (p50 %s, p99 %s, %d failed %s)\n",
			o.workers, o.saturate, saves, ms(sat.pct(50)), ms(sat.pct(99)), sat.bad.Load(), sat.failures())

		var commits float64
		var what string
		if o.postgres != "" {
			commits, what, err = barePostgresCommits(ctx, o.postgres, o.bare)
		} else {
			commits, err = bareCommits(ctx, o.disk, o.bare)
			what = "bare SQLite single-row commit (WAL, synchronous=FULL, one connection, same disk)"
		}
		if err != nil {
			return false, err
		}
		ratio := saves / commits
		ok = ratio >= 0.5
		allOK = allOK && ok
		fmt.Printf("%s, %s: %.0f commits/s\n  save throughput / bare commit = %.2f (budget >= 0.5): %s\n",
			what, o.bare, commits, ratio, verdict(ok))
		sum.add("save p99 at %d/s (client)", []any{o.rate}, ms(p99), "-", "-", "< 50 ms", verdict(p99 < 50*time.Millisecond && steady.bad.Load() == 0))
		sum.add("save throughput at saturation", nil, fmt.Sprintf("%.0f /s", saves), fmt.Sprintf("%.0f commits/s", commits),
			fmt.Sprintf("%.2f", ratio), ">= 0.5", verdict(ok))
	}

	// b. The clinician's grid.
	lee, err := signInStaff(ctx, o.base, o.clinician, o.password)
	if err != nil {
		return false, err
	}
	code, body, err := lee.do(ctx, http.MethodGet, "/api/v1/caseload", nil, nil)
	if err != nil || code != http.StatusOK {
		return false, fmt.Errorf("caseload: status %d, %v", code, err)
	}
	var caseload struct {
		Cases []struct {
			PersonID string `json:"person_id"`
			Username string `json:"username"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(body, &caseload); err != nil {
		return false, fmt.Errorf("caseload: %w", err)
	}
	var ids []string
	for _, c := range caseload.Cases {
		if strings.HasPrefix(c.Username, "demo-person-") {
			ids = append(ids, c.PersonID)
		}
	}
	if len(ids) == 0 {
		return false, errors.New("the clinician's caseload holds no demo-data people: run demo-data with --therapist")
	}
	// The grid is there for the people who share their diary with the
	// clinician and are in their care now; the others answer 404.
	readable := ids[:0]
	for _, id := range ids {
		code, _, err := lee.do(ctx, http.MethodGet, "/clinic/people/"+id+"/diary", nil, nil)
		if err != nil {
			return false, err
		}
		if code == http.StatusOK {
			readable = append(readable, id)
		}
	}
	if len(readable) == 0 {
		fmt.Printf("clinician grid: GET /clinic/people/{id}/diary answers no demo-data person on the caseload; no grid figures\n")
		return false, nil
	}
	if len(readable) < len(ids) {
		fmt.Printf("clinician grid: %d of the %d demo-data people on the caseload show their grid (the others are discharged or do not share it)\n", len(readable), len(ids))
	}
	ids = readable
	// The bare handler answers with a body the size of a grid page, so
	// that both carry the same bytes over the same loopback.
	_, page, err := lee.do(ctx, http.MethodGet, "/clinic/people/"+ids[0]+"/diary?week="+today.Format(time.DateOnly), nil, nil)
	if err != nil {
		return false, err
	}
	bare, stopBare, err := startBareHTTP(ctx, len(page))
	if err != nil {
		return false, err
	}
	defer stopBare()
	bareClient := &client{base: bare, cookie: lee.cookie, hc: lee.hc}
	logFrom := logSize(o.serverLog)
	grid, bareHTTP := &latencies{}, &latencies{}
	for w := range o.gridWeeks {
		for _, id := range ids {
			week := today.AddDate(0, 0, -7*((w*7+len(id))%52)).Format(time.DateOnly)
			start := time.Now()
			code, _, err := lee.do(ctx, http.MethodGet, "/clinic/people/"+id+"/diary?week="+week, nil, nil)
			if err != nil || code != http.StatusOK {
				grid.fail(fmt.Sprint(code, err))
			} else {
				grid.add(time.Since(start))
			}
			start = time.Now()
			code, _, err = bareClient.do(ctx, http.MethodGet, "/clinic/people/"+id+"/diary?week="+week, nil, nil)
			if err != nil || code != http.StatusOK {
				bareHTTP.fail(fmt.Sprint(code, err))
			} else {
				bareHTTP.add(time.Since(start))
			}
		}
	}
	p95 := grid.pct(95)
	fmt.Printf("clinician grid, GET /clinic/people/{id}/diary?week=..., %d people x %d weeks of a year, one clinician: %d read, %d failed %s\n  latency at the client p50 %s, p95 %s, p99 %s, max %s\n",
		len(ids), o.gridWeeks, len(grid.d), grid.bad.Load(), grid.failures(), ms(grid.pct(50)), ms(p95), ms(grid.pct(99)), ms(grid.pct(100)))
	fmt.Printf("bare net/http handler (own process, loopback, %d-byte body, same client, in turn with the grid): %d read, %d failed %s\n  latency at the client p50 %s, p95 %s, p99 %s, max %s\n",
		len(page), len(bareHTTP.d), bareHTTP.bad.Load(), bareHTTP.failures(), ms(bareHTTP.pct(50)), ms(bareHTTP.pct(95)), ms(bareHTTP.pct(99)), ms(bareHTTP.pct(100)))
	server, err := printServerTimes(o.serverLog, logFrom, "GET /clinic/people/{id}/diary")
	if err != nil {
		return false, err
	}
	// The budget is on the server's own time; without its log, the
	// client's time stands in for it (an upper bound).
	judged, of := p95, "client"
	if server != nil && len(server.d) > 0 {
		judged, of = server.pct(95), "server"
	}
	ok := judged < 30*time.Millisecond && grid.bad.Load() == 0 && bareHTTP.bad.Load() == 0
	allOK = allOK && ok
	ratio := float64(p95) / float64(max(bareHTTP.pct(95), time.Microsecond))
	fmt.Printf("  grid p95 (%s's time) %s (budget < 30 ms): %s; grid p95 / bare handler p95 at the client = %.1f\n", of, ms(judged), verdict(ok), ratio)
	sum.add("grid p95 (%s)", []any{of}, ms(judged), "-", "-", "< 30 ms", verdict(ok))
	sum.add("grid p95 vs bare net/http (client)", nil, ms(p95), ms(bareHTTP.pct(95)), fmt.Sprintf("%.1f", ratio), "-", "-")
	sum.add("grid p50 vs bare net/http (client)", nil, ms(grid.pct(50)), ms(bareHTTP.pct(50)),
		fmt.Sprintf("%.1f", float64(grid.pct(50))/float64(max(bareHTTP.pct(50), time.Microsecond))), "-", "-")
	return allOK, nil
}

// summary gathers each figure beside its baseline, printed as one table at
// the end.
type summary struct {
	engine string
	rows   [][]string
}

func (s *summary) add(format string, args []any, tend, baseline, ratio, budget, verdict string) {
	s.rows = append(s.rows, []string{fmt.Sprintf(format, args...), tend, baseline, ratio, budget, verdict})
}

func (s *summary) print() {
	if len(s.rows) == 0 {
		return
	}
	fmt.Printf("summary (%s):\n  %-36s %-14s %-18s %-6s %-8s %s\n", s.engine, "figure", "Tend", "baseline", "ratio", "budget", "verdict")
	for _, r := range s.rows {
		fmt.Printf("  %-36s %-14s %-18s %-6s %-8s %s\n", r[0], r[1], r[2], r[3], r[4], r[5])
	}
}

// startBareHTTP starts this program again as a bare net/http handler on a
// free loopback port, in a process of its own as Tend is, and returns its
// base URL and a function that stops it.
func startBareHTTP(ctx context.Context, body int) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	cmd := exec.CommandContext(ctx, self, "-serve-bare-http", addr, "-bare-body", strconv.Itoa(body)) // #nosec G204 -- this program itself
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	base := "http://" + addr
	for range 500 {
		if res, err := transport.RoundTrip(mustRequest(base + "/")); err == nil {
			_ = res.Body.Close()
			return base, stop, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	return "", nil, errors.New("the bare net/http handler did not start")
}

func mustRequest(u string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return req
}

// serveBareHTTP is the baseline of the grid: a net/http server whose
// handler writes a fixed HTML body of the given size, and nothing else.
func serveBareHTTP(addr string, size int) error {
	body := bytes.Repeat([]byte("x"), size)
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(body)
		})}
	return srv.ListenAndServe()
}

// printServerTimes prints the server's own times for route since offset,
// when there is a server log to read, and returns them.
func printServerTimes(path string, offset int64, route string) (*latencies, error) {
	if path == "" {
		return nil, nil
	}
	server, err := serverTimes(path, offset, route)
	if err != nil {
		return nil, err
	}
	if len(server.d) == 0 {
		fmt.Printf("  (the server log holds no %s requests: is it at level info, in JSON?)\n", route)
		return server, nil
	}
	fmt.Printf("  server's own time (its request log), %d requests: p50 %s, p95 %s, p99 %s, max %s\n",
		len(server.d), ms(server.pct(50)), ms(server.pct(95)), ms(server.pct(99)), ms(server.pct(100)))
	return server, nil
}

// logSize is the server log's length now, where a phase's lines start.
func logSize(path string) int64 {
	if path == "" {
		return 0
	}
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// serverTimes reads the durations the server logged for route from offset
// on (its JSON request log: msg "request", route, duration_ms).
func serverTimes(path string, offset int64, route string) (*latencies, error) {
	f, err := os.Open(path) // #nosec G304 -- the benchmark's own log file
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	out := &latencies{}
	dec := json.NewDecoder(f)
	for {
		var line struct {
			Msg        string  `json:"msg"`
			Route      string  `json:"route"`
			DurationMS float64 `json:"duration_ms"`
		}
		if err := dec.Decode(&line); err == io.EOF {
			return out, nil
		} else if err != nil {
			return out, nil // a line cut short at the end, or a non-JSON line: stop there
		}
		if line.Msg == "request" && line.Route == route {
			out.add(time.Duration(line.DurationMS * float64(time.Millisecond)))
		}
	}
}

// bareCommits measures single-row commits a second on a fresh SQLite file
// in dir, opened as Tend opens its own (WAL, synchronous=FULL, immediate
// transactions), one connection, for d.
func bareCommits(ctx context.Context, dir string, d time.Duration) (float64, error) {
	path := filepath.Join(dir, "bare-commit.db")
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		_ = os.Remove(p)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var syncMode int
	if err := db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&syncMode); err != nil || syncMode != 2 {
		return 0, fmt.Errorf("bare commit: synchronous is %d (%v), want FULL", syncMode, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, at TIMESTAMP NOT NULL)`); err != nil {
		return 0, err
	}
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO t (v, at) VALUES ($1, $2)`, "a row of about the size of a diary value", time.Now()); err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// barePostgresCommits measures single-row INSERTs a second, each in its
// own transaction (BEGIN, INSERT, COMMIT, as a save commits), over one
// connection to the PostgreSQL server in u, on a new logged table, for d.
// It also says which durability settings the server runs with.
func barePostgresCommits(ctx context.Context, u string, d time.Duration) (float64, string, error) {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return 0, "", err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var syncCommit, fsync, walSync string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('synchronous_commit'), current_setting('fsync'), current_setting('wal_sync_method')`).
		Scan(&syncCommit, &fsync, &walSync); err != nil {
		return 0, "", err
	}
	what := fmt.Sprintf("bare PostgreSQL single-row INSERT commit (one connection to the same server; synchronous_commit=%s, fsync=%s, wal_sync_method=%s)",
		syncCommit, fsync, walSync)
	table := fmt.Sprintf("bench_bare_commit_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, `CREATE TABLE `+table+` (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL, at TIMESTAMPTZ NOT NULL)`); err != nil {
		return 0, "", err
	}
	defer func() { _, _ = db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE `+table) }()
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, "", err
		}
		// #nosec G202 -- table is the benchmark's own name, made above from the clock
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (v, at) VALUES ($1, $2)`, "a row of about the size of a diary value", time.Now()); err != nil {
			_ = tx.Rollback()
			return 0, "", err
		}
		if err := tx.Commit(); err != nil {
			return 0, "", err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), what, nil
}
