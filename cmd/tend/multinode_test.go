package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestMultiNode runs two real `tend serve` processes on one PostgreSQL
// database, as several nodes behind a load balancer run in production
// (docs/deploy.md "Several nodes on PostgreSQL"), and checks what the
// nodes must share: sessions, rate limits, periodic jobs (once per period
// whatever the number of nodes), settings changes, and reminders (each
// delivered once, also when a node is stopped in the middle of a run).
func TestMultiNode(t *testing.T) {
	// A plain skip even with TEND_REQUIRE_ALL=1: CI's sqlite stage runs
	// this package without TEND_TEST_POSTGRES on purpose, and its postgres
	// stage sets it, where a server that does not answer fails the test
	// (testenv.EmptyDSN).
	if testenv.PostgresURL() == "" {
		t.Skip("PostgreSQL only (TEND_TEST_POSTGRES unset): several serve nodes share one PostgreSQL database")
	}
	if testing.Short() {
		t.Skip("builds tend and runs two nodes for about two minutes")
	}
	// Most of its time is spent waiting for reminders to fall due, so it
	// runs beside the package's other tests.
	t.Parallel()
	began := time.Now()
	c := newCluster(t)
	a := c.start(t, "a")
	b := c.start(t, "b")
	t.Logf("built tend, set up the database and started two nodes in %v", time.Since(began).Round(time.Millisecond))

	// Two rounds of reminders: people whose diary reminder falls due at
	// the next whole minute, and others a minute later. They go out in
	// the background while the other checks run.
	rs := c.reminderServices(t)
	seeded := time.Now()
	round1 := c.reminderPeople(t, rs, "first", reminderRound)
	round2 := c.reminderPeople(t, rs, "second", reminderRound)
	due1 := nextMinute(8 * time.Second)
	due2 := due1.Add(time.Minute)
	setReminders(t, rs, round1, due1)
	setReminders(t, rs, round2, due2)
	want1, want2 := expected(round1), expected(round2)
	t.Logf("made %d people with reminders (push for each, e-mail for half) in %v; due at %s and %s",
		len(round1)+len(round2), time.Since(seeded).Round(time.Millisecond), due1.Format("15:04:05"), due2.Format("15:04:05"))
	before1 := c.counts()

	// A settings change made on one node (here straight in the database,
	// as an admin's save on node A writes it) reaches every node's pages.
	const outOfHours = "Call the Riverside duty line on 01632 960 111"
	c.saveSettings(t, func(s *settings.Settings) { s.OutOfHours = outOfHours })
	changed := time.Now()
	t.Run("SettingsReachEveryNode", func(t *testing.T) {
		took := map[string]time.Duration{}
		waitFor(t, settingsRefresh+15*time.Second, "the changed settings on both nodes", func() (bool, error) {
			for _, n := range []*node{a, b} {
				if _, seen := took[n.name]; seen {
					continue
				}
				if code, body := n.fetch(t, "/help"); code == http.StatusOK && strings.Contains(body, outOfHours) {
					took[n.name] = time.Since(changed).Round(100 * time.Millisecond)
				}
			}
			return len(took) == 2, nil
		})
		t.Logf("the help page showed the change on node a after %v, on node b after %v (each node reads the settings every %v)", took["a"], took["b"], settingsRefresh)
	})

	t.Run("SessionsAreShared", func(t *testing.T) {
		c.person(t, "shared-session", "")
		cookie := signIn(t, a, "shared-session", c.password, "10.0.0.1", http.StatusSeeOther)
		if code := request(t, b, http.MethodGet, "/me", cookie); code != http.StatusOK {
			t.Fatalf("GET /me on node B with node A's session = %d, want 200", code)
		}
		// Signing out on B ends the session on A too.
		if code := request(t, b, http.MethodPost, "/signout", cookie); code != http.StatusSeeOther {
			t.Fatalf("POST /signout on node B = %d", code)
		}
		if code := request(t, a, http.MethodGet, "/me", cookie); code != http.StatusSeeOther {
			t.Errorf("GET /me on node A after signing out on node B = %d, want a redirect to sign in", code)
		}
	})

	t.Run("RateLimitsAreShared", func(t *testing.T) {
		// One account from one address: the fifth wrong password is the
		// last, however the attempts are spread over the nodes.
		c.person(t, "limit-one", "")
		per := auth.DefaultLimits.SignInAccountAddress.Max
		for i := range per {
			n := []*node{a, b}[i%2]
			signIn(t, n, "limit-one", "not the password", "10.1.0.1", http.StatusUnauthorized)
		}
		signIn(t, b, "limit-one", "not the password", "10.1.0.1", http.StatusTooManyRequests)
		signIn(t, a, "limit-one", c.password, "10.1.0.1", http.StatusTooManyRequests)

		// One account from many addresses: the per-account limit.
		c.person(t, "limit-all", "")
		all := auth.DefaultLimits.SignInAccount.Max
		for i := range all {
			n := []*node{a, b}[i%2]
			signIn(t, n, "limit-all", "not the password", fmt.Sprintf("10.2.0.%d", i+1), http.StatusUnauthorized)
		}
		signIn(t, a, "limit-all", "not the password", "10.2.1.1", http.StatusTooManyRequests)
		signIn(t, b, "limit-all", "not the password", "10.2.1.2", http.StatusTooManyRequests)
		t.Logf("per account and address: %d, per account: %d wrong passwords over two nodes", per, all)
	})

	t.Run("PeriodicJobsRunOncePerPeriod", func(t *testing.T) {
		ctx := context.Background()
		const want = 4
		var runs []store.MaintenanceRun
		waitFor(t, 40*time.Second, "prune runs", func() (bool, error) {
			var err error
			runs, err = c.db.FindMaintenanceRuns(ctx, "prune")
			return len(runs) >= want, err
		})
		perNode := map[string]int{}
		for i, r := range runs {
			perNode[r.Node]++
			if i > 0 {
				if gap := r.ScheduledAt.Sub(runs[i-1].ScheduledAt); gap < c.pruneEvery*9/10 {
					t.Errorf("prune runs %d and %d were scheduled %v apart (nodes %s and %s): a period ran twice", i-1, i, gap, runs[i-1].Node, r.Node)
				}
			}
		}
		t.Logf("%d prune runs, one a period of %v, by node: %v", len(runs), c.pruneEvery, perNode)
	})

	t.Run("RemindersOnceEach", func(t *testing.T) {
		// Both nodes work; the receivers answer at once.
		c.waitRound(t, before1, want1, time.Until(due1)+time.Minute)
		c.checkRound(t, round1, before1)
		byNode, err := c.sendsByNode(context.Background(), due1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d reminders due at %s: %d push messages and %d e-mails, each once, all in by %v after; sends by node: %v",
			len(round1), due1.Format("15:04:05"), want1.push, want1.mail, time.Since(due1).Round(time.Millisecond), byNode)
	})

	t.Run("NodeStoppedMidRun", func(t *testing.T) {
		// The receivers now answer slowly, so the round takes a few
		// seconds; node A gets SIGTERM once some have arrived.
		ctx := context.Background()
		c.push.Slow(200 * time.Millisecond)
		c.mail.Slow(200 * time.Millisecond)
		before2 := c.counts()
		waitFor(t, time.Until(due2)+time.Minute, "the second round to start", func() (bool, error) {
			return c.delivered(before2).push >= 10, nil
		})
		started := time.Now()
		atStop := c.delivered(before2)
		a.stop(t)
		stopTook := time.Since(started)
		afterStop := c.delivered(before2)
		if afterStop.push >= want2.push {
			t.Fatalf("the round was over (%d of %d) when node A stopped: the receivers answer too fast to stop a node mid-run", afterStop.push, want2.push)
		}
		c.waitRound(t, before2, want2, time.Minute)
		c.checkRound(t, round2, before2)
		byNode, err := c.sendsByNode(ctx, due2)
		if err != nil {
			t.Fatal(err)
		}
		if byNode["b"] == 0 {
			t.Errorf("node B sent none of the second round: %v", byNode)
		}
		t.Logf("node A got SIGTERM with %d of %d push messages in and had stopped %v later with %d in; node B sent the rest, all in %v after the SIGTERM; sends by node: %v",
			atStop.push, want2.push, stopTook.Round(time.Millisecond), afterStop.push, time.Since(started).Round(time.Millisecond), byNode)
	})

	t.Logf("whole run: %v", time.Since(began).Round(time.Millisecond))
}

// cluster is one database, key store and key file shared by the nodes.
type cluster struct {
	bin, dir   string
	env        map[string]string
	db         *store.DB
	vault      *vault.Vault
	push       *testenv.PushReceiver // the browsers' push service, on loopback
	mail       *testenv.SMTPServer   // the service's SMTP server, on loopback
	svc        services
	password   string
	pruneEvery time.Duration
	nodes      []*node
}

const multiNodePublicURL = "https://tend.example.org"

func newCluster(t *testing.T) *cluster {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	c := &cluster{bin: buildTend(t), dir: dir, password: "a long password for the nodes test", pruneEvery: time.Second,
		push: testenv.NewPushReceiver(t), mail: testenv.NewSMTPServer(t)}
	c.env = map[string]string{
		"TEND_DB":       testenv.EmptyDSN(t),
		"TEND_KEYSTORE": testenv.KeyStoreDSN(t),
		"TEND_KEY_FILE": filepath.Join(dir, "tend.key"),
		// The nodes sit behind a proxy that terminates TLS: the test
		// speaks plain http to them on loopback, as the proxy would, and
		// sends the client's address in X-Forwarded-For.
		"TEND_PUBLIC_URL":       multiNodePublicURL,
		"TEND_TRUSTED_PROXIES":  "127.0.0.1",
		"TEND_LOG_LEVEL":        "warn",
		"TEND_PRUNE_EVERY":      c.pruneEvery.String(),
		"TEND_MIGRATE":          "false",
		"TEND_SHUTDOWN_GRACE":   "20s",
		"TEND_JOB_RESCUE_AFTER": "1m",
	}
	for k, v := range c.reminderEnv() {
		c.env[k] = v
	}
	c.tend(t, "keys", "init")
	c.tend(t, "migrate")
	c.tend(t, "setup", "--name", "Riverside", "--country", "GB", "--time-zone", "Europe/London", "--locale", "en-GB",
		"--working-hours", "mon-fri 09:00-17:00", "--out-of-hours", "Call the Riverside duty line on 01632 960 000",
		"--emergency", "Call 999 or go to Riverside A&E")

	// The test's own view of the same database, as an operator's script
	// would have: people are made through the services, as serve makes them.
	cfg, _, err := config.Load("serve", nil, envOf(c.env), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	kf, err := keys.Load(cfg.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := kf.CurrentKey()
	if err != nil {
		t.Fatal(err)
	}
	db.SetAuditChain(audit.NewChain(sk, "multinode-test"))
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ks.Close() })
	v, err := vault.New(kf, ks, tend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	dirc, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	// A client that only enqueues: units of work that add jobs need one.
	if _, err := jobs.New(db, jobs.Options{Node: "multinode-test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	// Demo wiring here only shares one password hash among the many
	// people this test makes; the nodes themselves run live.
	c.svc = wire(config.Config{Demo: true, DataDir: dir}, db, v, cache, dirc, tend.SystemClock{})
	c.db, c.vault = db, v
	if _, err := c.svc.accounts.CreateTeam(ctx, tend.System, "Riverside DBT team", auth.TeamCare); err != nil {
		t.Fatal(err)
	}
	return c
}

// tend runs one tend command to its end.
func (c *cluster) tend(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(c.bin, args...) // #nosec G204 -- the binary this test built.
	cmd.Env = c.environ(filepath.Join(c.dir, "data"), "")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tend %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// environ is the process environment of a tend command: this process's
// own, without any TEND_* variable, and then the cluster's.
func (c *cluster) environ(data, addr string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEND_") {
			env = append(env, kv)
		}
	}
	for k, v := range c.env {
		env = append(env, k+"="+v)
	}
	env = append(env, "TEND_DATA="+data)
	if addr != "" {
		env = append(env, "TEND_ADDR="+addr)
	}
	return env
}

// saveSettings changes the service settings in the database.
func (c *cluster) saveSettings(t *testing.T, change func(*settings.Settings)) {
	t.Helper()
	ctx := context.Background()
	s, _, err := c.db.FindSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	change(&s)
	if err := settings.Save(ctx, c.db, s); err != nil {
		t.Fatal(err)
	}
}

// person makes a person with the cluster's password and returns their id.
func (c *cluster) person(t testing.TB, username, timeZone string) tend.ID {
	t.Helper()
	ctx := context.Background()
	code, _, err := c.svc.accounts.CreateInvite(ctx, tend.System, auth.NewInvite{Team: "Riverside DBT team", AgeBand: auth.AgeOver25, State: tend.StateInTreatment})
	if err != nil {
		t.Fatal(err)
	}
	j, err := c.svc.accounts.Join(ctx, auth.JoinRequest{Code: code, Username: username, Password: c.password, TimeZone: timeZone},
		auth.Client{Address: "127.0.0.1", Device: "nodes test"})
	if err != nil {
		t.Fatalf("join %s: %v", username, err)
	}
	return j.Person.ID
}

// node is one running `tend serve` process.
type node struct {
	name, url string
	cmd       *exec.Cmd
	out, errb *syncBuffer
	done      chan error
	mu        sync.Mutex
	exited    bool
	exitErr   error
}

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// start runs one node until the test ends.
func (c *cluster) start(t *testing.T, name string) *node {
	t.Helper()
	data := filepath.Join(c.dir, "node-"+name)
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	n := &node{name: name, out: &syncBuffer{}, errb: &syncBuffer{}, done: make(chan error, 1)}
	n.cmd = exec.Command(c.bin, "serve") // #nosec G204 -- the binary this test built.
	n.cmd.Env = c.environ(data, "127.0.0.1:0")
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.errb
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := n.cmd.Wait()
		n.mu.Lock()
		n.exited, n.exitErr = true, err
		n.mu.Unlock()
		n.done <- err
	}()
	t.Cleanup(func() {
		if !n.stopped() {
			_ = n.cmd.Process.Kill()
			<-n.done //nolint:errcheck // a killed node exits with an error that says only that
		}
		if t.Failed() {
			t.Logf("node %s stderr:\n%s", n.name, n.errb.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRE.FindStringSubmatch(n.out.String()); m != nil {
			n.url = m[1]
			c.nodes = append(c.nodes, n)
			return n
		}
		if n.stopped() {
			t.Fatalf("node %s exited: %v\n%s", name, n.exitErr, n.errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("node %s did not start within 60 s\n%s", name, n.errb.String())
	return nil
}

func (n *node) stopped() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.exited
}

// stop sends SIGTERM, as a service manager does, and waits for the node's
// graceful stop.
func (n *node) stop(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-n.done:
		if err != nil {
			t.Errorf("node %s did not stop cleanly: %v\n%s", n.name, err, n.errb.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("node %s did not stop within 60 s of SIGTERM", n.name)
	}
}

// client follows no redirects, so the tests see what each node answers.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (n *node) fetch(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := client.Get(n.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// signIn posts the sign-in form to n from client address addr (sent as
// the proxy would, in X-Forwarded-For), checks the status, and returns the
// session cookie when it signed in.
func signIn(t *testing.T, n *node, identifier, password, addr string, want int) *http.Cookie {
	t.Helper()
	form := url.Values{"identifier": {identifier}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, n.url+"/signin", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", multiNodePublicURL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", addr)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("sign in as %s on node %s = %d, want %d\n%.400s", identifier, n.name, res.StatusCode, want, body)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "tend_session" && ck.Value != "" {
			return ck
		}
	}
	if want == http.StatusSeeOther {
		t.Fatalf("sign in on node %s set no session cookie", n.name)
	}
	return nil
}

// request sends method path to n with the session cookie (the Secure
// cookie a browser sends to the proxy, which passes it on) and returns
// the status. A POST carries the headers of a same-origin form.
func request(t *testing.T, n *node, method, path string, cookie *http.Cookie) int {
	t.Helper()
	req, err := http.NewRequest(method, n.url+path, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", multiNodePublicURL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// waitFor polls cond until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildTend builds the tend binary with the race detector and compiler
// flags this test binary was built with (the packages are then already
// compiled that way, so the build is quick).
func buildTend(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build tend: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "tend")
	flags := sameBuildFlags()
	start := time.Now()
	out, err := exec.Command(goBin, append(append([]string{"build", "-o", bin}, flags...), ".")...).CombinedOutput() // #nosec G204 -- the go command.
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build %v: %v", flags, time.Since(start).Round(time.Millisecond))
	return bin
}

// sameBuildFlags returns the -race and -gcflags settings of this test
// binary's build.
func sameBuildFlags() []string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	var flags []string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "-race" && s.Value == "true":
			flags = append(flags, "-race")
		case s.Key == "-gcflags" && s.Value != "":
			flags = append(flags, "-gcflags="+s.Value)
		}
	}
	return flags
}
