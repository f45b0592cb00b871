package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/testenv"
)

// syncBuffer is a bytes.Buffer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// baseEnv points the database at PostgreSQL when the suite runs there.
func baseEnv(t *testing.T, data string) map[string]string {
	m := map[string]string{"TEND_DATA": data, "TEND_ADDR": "127.0.0.1:0", "TEND_LOG_LEVEL": "warn"}
	if testenv.PostgresURL() != "" {
		m["TEND_DB"] = testenv.EmptyDSN(t)
	}
	return m
}

// start runs tend with args until the test ends, and returns its base URL.
func start(t *testing.T, env map[string]string, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, envOf(env), strings.NewReader(""), out, errOut) }()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			var once sync.Once
			var stopErr error
			stop := func() error {
				once.Do(func() {
					cancel()
					select {
					case stopErr = <-done:
					case <-time.After(30 * time.Second):
						t.Error("tend did not stop within 30 s")
					}
				})
				return stopErr
			}
			t.Cleanup(func() { _ = stop() })
			return m[1], stop
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("tend exited early: %v\nstderr:\n%s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("tend did not start within 60 s\nstderr:\n%s", errOut.String())
	return "", nil
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url) // #nosec G107 -- test server on loopback
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeDemo(t *testing.T) {
	data := t.TempDir()
	env := baseEnv(t, data)
	url, stop := start(t, env, "serve", "--demo")
	for path, want := range map[string]string{"/help": "Samaritans", "/healthz": "ok", "/readyz": "ready", "/": "Demo: this Tend holds made-up data"} {
		if code, body := fetch(t, url+path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d, want 200 with %q", path, code, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "tend.key")); err != nil {
		t.Errorf("demo key file: %v", err)
	}
	// A demo database is never served as live.
	env["TEND_PUBLIC_URL"] = "https://tend.example.org"
	err := run(context.Background(), []string{"serve"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds demo data") {
		t.Errorf("serve without --demo on a demo database = %v", err)
	}
}

func TestServeRefusesIncompleteDeployment(t *testing.T) {
	env := baseEnv(t, t.TempDir())
	err := run(context.Background(), []string{"serve"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil {
		t.Fatal("serve started outside demo mode with nothing set")
	}
	for _, want := range []string{"TEND_PUBLIC_URL", "tend keys init", "tend setup"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not name %q:\n%v", want, err)
		}
	}
	// A live database cannot then be served as a demo.
	err = run(context.Background(), []string{"serve", "--demo"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds real data") {
		t.Errorf("serve --demo on a live database = %v", err)
	}
}

func TestSetupKeysAndServe(t *testing.T) {
	data := t.TempDir()
	env := baseEnv(t, data)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"keys", "init"}, envOf(env), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(data, "tend.key")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", info, err)
	}
	if err := run(ctx, []string{"keys", "init"}, envOf(env), nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second keys init = %v, want a refusal", err)
	}

	// Setup names every missing setting and saves nothing.
	err := run(ctx, []string{"setup", "--name", "Riverside"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard)
	for _, want := range []string{"out_of_hours", "emergency", "working_hours", "time_zone"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("setup with only a name: %v; want it to name %s", err, want)
		}
	}
	// Questions fill in what flags leave out.
	answers := strings.Join([]string{"GB", "Europe/London", "en-GB", "mon-fri 09:00-17:00", "", "Call the Riverside duty line on 01632 960 000", "Call 999 or go to Riverside A&E"}, "\n")
	if err := run(ctx, []string{"setup", "--ask", "--name", "Riverside"}, envOf(env), strings.NewReader(answers), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	env["TEND_PUBLIC_URL"] = "https://tend.example.org"
	url, stop := start(t, env, "serve")
	code, body := fetch(t, url+"/help")
	if code != 200 || !strings.Contains(body, "Call the Riverside duty line") || strings.Contains(body, "Demo:") {
		t.Errorf("live help page = %d", code)
	}
	if strings.Contains(body, "Samaritans") {
		t.Error("lines the service has not confirmed are shown outside demo mode")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestSettingsFile(t *testing.T) {
	data := t.TempDir()
	env := baseEnv(t, data)
	file := filepath.Join(data, "settings.json")
	if err := os.WriteFile(file, []byte(`{"name":"Riverside","country":"GB","time_zone":"Europe/London","locale":"en-GB","working_hours":"mon-fri 09:00-17:00","out_of_hours":"Call NHS 111","emergency":"Call 999","typo_field":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env["TEND_SETTINGS_FILE"] = file
	env["TEND_PUBLIC_URL"] = "https://tend.example.org"
	if err := run(context.Background(), []string{"keys", "init"}, envOf(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve"}, envOf(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `unknown field "typo_field"`) {
		t.Fatalf("a settings file with an unknown field = %v", err)
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envOf(nil), nil, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "tend ") {
		t.Errorf("version: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("an unknown command succeeded")
	}
}
