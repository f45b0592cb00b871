package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDemoData(t *testing.T) {
	ctx := context.Background()
	env := baseEnv(t, t.TempDir())
	env["TEND_DEMO_PASSWORD"] = "a demo password for the demo data"
	demoData := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"demo-data"}, args...), envOf(env), strings.NewReader(""), &out, io.Discard)
		return out.String(), err
	}
	out, err := demoData("--people", "3", "--days", "30", "--seed", "5")
	if err != nil || !strings.Contains(out, "Made 3 made-up people, demo-person-0001 to demo-person-0003") {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	// Again: more people after the first ones, in the same demo database.
	out, err = demoData("--people", "2", "--days", "30", "--therapist", "lee@example.org")
	if err != nil || !strings.Contains(out, "demo-person-0004 to demo-person-0005") {
		t.Fatalf("second run: %v\n%s", err, out)
	}

	// The demo serves them, and they sign in with the demo password.
	base, stop := start(t, env, "serve", "--demo")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/signin", url.Values{"identifier": {"demo-person-0004"}, "password": {env["TEND_DEMO_PASSWORD"]}})
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	signedIn := false
	for _, c := range res.Cookies() {
		signedIn = signedIn || c.Name == "tend_session" && c.Value != ""
	}
	if res.StatusCode != http.StatusSeeOther || !signedIn {
		t.Errorf("demo-person-0004 signs in: %d, session %v", res.StatusCode, signedIn)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrInvalid/Flags", func(t *testing.T) {
		for _, args := range [][]string{{"--people", "0"}, {"--days", "0"}, {"--days", "5000"}, {"extra"}, {"--therapist", "nobody@example.org"}} {
			if _, err := demoData(args...); err == nil {
				t.Errorf("demo-data %v ran", args)
			}
		}
	})
	t.Run("Usage", func(t *testing.T) {
		var errOut bytes.Buffer
		err := run(ctx, []string{"demo-data", "-h"}, envOf(env), nil, io.Discard, &errOut)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "Usage:\n  tend demo-data") || !strings.Contains(errOut.String(), "-seed") {
			t.Errorf("usage: %v\n%s", err, errOut.String())
		}
	})
}

// TestDemoDataRefusesLive: a database that holds real data gets no
// made-up people unless --allow-live says so, with a clinician named.
func TestDemoDataRefusesLive(t *testing.T) {
	ctx := context.Background()
	env := baseEnv(t, t.TempDir())
	// serve outside demo mode claims the new database as live before it
	// refuses to start without settings.
	if err := run(ctx, []string{"serve"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Fatal("serve started with nothing set")
	}
	err := run(ctx, []string{"demo-data", "--people", "1", "--days", "1"}, envOf(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds real data") {
		t.Fatalf("demo-data on a live database = %v", err)
	}
	err = run(ctx, []string{"demo-data", "--people", "1", "--days", "1", "--allow-live"}, envOf(env), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--therapist") {
		t.Fatalf("demo-data --allow-live without a clinician = %v", err)
	}
}
