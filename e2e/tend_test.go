package e2e_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Set by TestMain.
var (
	tendBin    string // the tend binary built for this run
	moduleRoot string // the folder holding go.mod
)

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// buildAndRun builds ./cmd/tend once for every test, then runs the tests.
func buildAndRun(m *testing.M) int {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go list -m: %v\n", err)
		return 1
	}
	moduleRoot = strings.TrimSpace(string(out))
	dir, err := os.MkdirTemp("", "tend-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	tendBin = filepath.Join(dir, "tend")
	build := exec.Command("go", "build", "-o", tendBin, "./cmd/tend")
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/tend: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// tend is one running `tend serve` process.
type tend struct {
	t    *testing.T
	URL  string // e.g. http://127.0.0.1:41234
	Data string // its --data folder
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, once done is closed
	out  *lockedBuffer // stdout and stderr, for failure reports
}

// serveOptions change how startTend starts serve.
type serveOptions struct {
	args []string // more flags
	env  []string // TEND_* variables, "NAME=value" (the test's own are dropped)
}

// startTend starts `tend serve --demo --addr 127.0.0.1:0 --data <temp>` and
// waits until it prints the address it listens on. The process is stopped
// with SIGTERM when the test ends, if the test has not stopped it already.
func startTend(t *testing.T, opt serveOptions) *tend {
	t.Helper()
	data := t.TempDir()
	args := append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", data}, opt.args...)
	cmd := exec.Command(tendBin, args...)
	cmd.Env = append(environWithoutTend(), opt.env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &tend{t: t, Data: data, cmd: cmd, done: make(chan struct{}), out: &lockedBuffer{}}
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tend serve: %v", err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.out, line)
			if u, ok := strings.CutPrefix(line, "Tend is listening on "); ok {
				select {
				case urls <- strings.TrimSpace(u):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("output of tend serve (%s):\n%s", p.Data, p.out.String())
		}
	})
	select {
	case p.URL = <-urls:
	case <-p.done:
		t.Fatalf("tend serve exited before listening (%v):\n%s", p.err, p.out.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("tend serve printed no address within 60 s:\n%s", p.out.String())
	}
	return p
}

// Stop sends SIGTERM and waits for a graceful exit; it fails the test when
// the process does not stop in time or exits with an error.
func (p *tend) Stop() {
	p.t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.err != nil {
			p.t.Errorf("tend serve exited with %v after SIGTERM", p.err)
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Errorf("tend serve did not stop within 30 s of SIGTERM")
	}
}

// Kill cuts the process off at once (SIGKILL), as a lost connection or a
// crash would, and waits until it has gone.
func (p *tend) Kill() {
	p.t.Helper()
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Fatal("tend serve still running 10 s after SIGKILL")
	}
}

// PID is the process id, which tend uses in its node name.
func (p *tend) PID() int { return p.cmd.Process.Pid }

// get fetches path and returns the status and body.
func (p *tend) get(path string) (int, string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(p.URL + path)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// waitReady polls /readyz until it answers 200.
func (p *tend) waitReady(timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		code, body, err := p.get("/readyz")
		if err == nil && code == http.StatusOK {
			return
		}
		last = fmt.Sprintf("%d %q %v", code, body, err)
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Fatalf("%s/readyz not 200 within %v (last: %s)", p.URL, timeout, last)
}

// environWithoutTend is the test's environment without TEND_* variables, so
// an operator's settings never leak into the servers under test.
func environWithoutTend() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEND_") {
			env = append(env, kv)
		}
	}
	return env
}

// artifactsDir is where screenshots go: TEND_ARTIFACTS (relative to the
// module root) when set, else the test's temporary folder.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TEND_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(moduleRoot, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// lockedBuffer collects a process's output from two goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
