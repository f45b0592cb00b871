package e2e_test

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHelpWithoutDatabase makes the SQLite database unreadable under a
// running server: /readyz must then say so, and /help must still answer
// with the crisis lines (safety-rules.md section 2: no database read on the
// request).
func TestHelpWithoutDatabase(t *testing.T) {
	t.Parallel()
	srv := startTend(t, serveOptions{})
	// The database is garbage by the end; shutdown's result is not the point.
	t.Cleanup(srv.Kill)

	checkHelp := func(when string) {
		t.Helper()
		code, body, err := srv.get("/help")
		if err != nil {
			t.Fatalf("%s: GET /help: %v", when, err)
		}
		if code != http.StatusOK {
			t.Errorf("%s: GET /help answered %d, want 200", when, code)
		}
		for _, want := range []string{"Samaritans", `href="tel:116123"`, `href="tel:999"`, "Shout", `href="sms:85258?body=SHOUT"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: /help lacks %s", when, want)
			}
		}
	}
	checkHelp("database readable")
	if code, body, err := srv.get("/readyz"); err != nil || code != http.StatusOK {
		t.Fatalf("before: /readyz answered %d %q (%v), want 200", code, body, err)
	}

	// Overwrite the files in place: the server holds them open, so removing
	// them would change nothing it sees, and root ignores permissions.
	garbled := 0
	for _, name := range []string{"tend.db", "tend.db-wal"} {
		if garble(t, filepath.Join(srv.Data, name)) {
			garbled++
		}
	}
	if garbled == 0 {
		t.Fatalf("no database files in %s to garble", srv.Data)
	}

	// The next readiness check must find the database unreadable; allow a
	// moment for connections that still hold pages in memory.
	start := time.Now()
	deadline := start.Add(10 * time.Second)
	for {
		code, body, err := srv.get("/readyz")
		if err != nil {
			t.Fatalf("after: GET /readyz: %v", err)
		}
		if code == http.StatusServiceUnavailable {
			t.Logf("/readyz answered 503 %v after garbling: %q", time.Since(start).Round(time.Millisecond), strings.TrimSpace(body))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after garbling the database /readyz still answers %d %q: the test cannot show that /help works without it", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	checkHelp("database unreadable")
	// And it keeps answering: a settings refresh in the background must not
	// have broken what the page holds in memory.
	time.Sleep(200 * time.Millisecond)
	checkHelp("database unreadable, again")
}

// garble overwrites the whole of path, in place, with bytes that are not a
// SQLite database, page or WAL frame. It reports false when path does not
// exist.
func garble(t *testing.T, path string) bool {
	t.Helper()
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte("not a database "), int(fi.Size())/15+1)[:fi.Size()]
	if _, err := f.WriteAt(junk, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("garbled %s (%d bytes)", filepath.Base(path), fi.Size())
	return true
}
