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
	// them would change nothing it sees, and root ignores permissions. The
	// shared-memory WAL index goes too: while it still looks valid, open
	// connections keep answering from the pages they hold (for about 5 s
	// when this was written).
	db := filepath.Join(srv.Data, "tend.db")
	if !garble(t, db) {
		t.Fatalf("no database at %s to garble", db)
	}
	garble(t, db+"-wal")
	garble(t, db+"-shm")

	// Readiness must now fail; the bound only keeps a surprise from hanging.
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
	// It still shuts down cleanly on SIGTERM (River retries resigning its
	// leadership for a few seconds first).
	srv.Stop()
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
