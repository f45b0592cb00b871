package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
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
	// For load tests: a card on every one of the days for everyone.
	out, err = demoData("--people", "3", "--days", "200", "--every-day")
	if err != nil || !strings.Contains(out, "demo-person-0006 to demo-person-0008, with 600 diary cards over 200 days") {
		t.Fatalf("--every-day: %v\n%s", err, out)
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
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "Usage:\n  tend demo-data") || !strings.Contains(errOut.String(), "-seed") ||
			!strings.Contains(errOut.String(), "every person fills in a card on every one of the D days, with no gaps") {
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

// TestDemoDataOutcomes: demo-data makes what the outcomes report needs:
// episodes that ended in the report's year in at least two modalities,
// most with consent to follow-up, in the teams morgan@example.org leads,
// with one team x modality cell of 1 to 4 people; cards with every
// summary column the report reads, sessions, incidents and questionnaires
// at the follow-up points; and the same seed and day make the same data.
func TestDemoDataOutcomes(t *testing.T) {
	ctx := context.Background()
	fill := func() (map[string]string, string) {
		env := baseEnv(t, t.TempDir())
		env["TEND_DEMO_PASSWORD"] = "a demo password for the demo data"
		var out bytes.Buffer
		err := run(ctx, []string{"demo-data", "--people", "40", "--days", "365", "--seed", "3", "--today", "2026-06-10"}, envOf(env),
			strings.NewReader(""), &out, io.Discard)
		if err != nil {
			t.Fatalf("demo-data: %v\n%s", err, out.String())
		}
		return env, out.String()
	}
	env, out := fill()
	if !strings.Contains(out, "The outcomes report for 2026 has a small cell: demo-person-0001 to demo-person-0003, MBT in the Riverside DBT team") {
		t.Errorf("demo-data says:\n%s", out)
	}
	db := openDemoDB(t, env)

	cells := map[string]int{}
	modalities := map[string]bool{}
	consented := 0
	rows, err := db.Writer().QueryContext(ctx, `SELECT t.name, e.modality, e.follow_up_consent FROM episodes e
		JOIN people p ON p.id = e.person_id JOIN teams t ON t.id = p.team_id
		WHERE p.username LIKE 'demo-person-%' AND e.ended_on >= '2026-01-01' AND e.ended_on <= '2026-12-31'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var team, modality string
		var consent bool
		if err := rows.Scan(&team, &modality, &consent); err != nil {
			t.Fatal(err)
		}
		cells[team+" x "+modality]++
		modalities[modality] = true
		if consent {
			consented++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close() //nolint:sqlclosecheck // closed here, before the next query on the same connection
	ended := 0
	for _, n := range cells {
		ended += n
	}
	if len(modalities) < 2 || consented == 0 || consented < ended/2 {
		t.Errorf("ended in 2026: %v; %d of %d consented to follow-up", cells, consented, ended)
	}
	if n := cells["Riverside DBT team x MBT"]; n < 1 || n > 4 {
		t.Errorf("the small cell holds %d people: %v", n, cells)
	}
	var led int
	if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM people p JOIN staff_teams st ON st.team_id = p.team_id
		JOIN staff s ON s.id = st.staff_id WHERE s.email = 'morgan@example.org' AND p.username LIKE 'demo-person-%'`).Scan(&led); err != nil {
		t.Fatal(err)
	}
	if led < 40/2 {
		t.Errorf("%d of 40 people in teams morgan@example.org leads", led)
	}
	// The rest of what the report reads.
	for _, q := range []struct{ what, query string }{
		{"cards without the strong-urges summary", `SELECT COUNT(*) FROM diary_cards WHERE strong_urges IS NULL`},
	} {
		var n int
		if err := db.Writer().QueryRowContext(ctx, q.query).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", q.what, n, err)
		}
	}
	for _, q := range []struct{ what, query string }{
		{"strong urges", `SELECT COUNT(*) FROM diary_cards WHERE strong_urges > 0`},
		{"sessions attended", `SELECT COUNT(*) FROM care_sessions WHERE attendance = 'attended'`},
		{"incidents", `SELECT COUNT(*) FROM incidents`},
		{"referrals not accepted", `SELECT COUNT(*) FROM episodes WHERE decision = 'not_accepted'`},
		{"episodes in treatment", `SELECT COUNT(*) FROM episodes WHERE started_on IS NOT NULL AND ended_on IS NULL`},
		{"questionnaires at follow-up", `SELECT COUNT(*) FROM measure_responses r JOIN measure_due d ON d.id = r.due_id
			WHERE d.reason LIKE 'follow_up%' AND r.finished`},
		{"cards after discharge", `SELECT COUNT(*) FROM diary_cards c JOIN episodes e ON e.person_id = c.person_id WHERE c.day > e.ended_on`},
	} {
		var n int
		if err := db.Writer().QueryRowContext(ctx, q.query).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s: %d (%v)", q.what, n, err)
		}
	}

	// The lead's report shows the small cell as "fewer than 5".
	t.Run("SmallCellSuppressed", func(t *testing.T) {
		db.SetAuditChain(testenv.AuditChain())
		cache := settings.NewCache(db)
		if err := cache.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		svc := report.NewService(store.For[report.Tx](db), access.NewChecker(db), tend.SystemClock{}, reportSettings(cache))
		morgan, err := db.FindStaffAccountByEmail(ctx, "morgan@example.org")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Outcomes(ctx, tend.Actor{Kind: tend.KindStaff, ID: morgan.ID, Role: morgan.Role, MFA: true}, outcome.Cohort{Year: 2026})
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(rep.Columns, "MBT")
		found := false
		for _, sc := range rep.Scopes {
			for _, row := range sc.Rows {
				if sc.Name == demo.TeamRiverside && row.Measure == outcome.MeasurePeople && col >= 0 {
					found = true
					if st := row.Cells[col].State; st != outcome.Suppressed {
						t.Errorf("MBT people in the Riverside DBT team: %s, want %s", st, outcome.Suppressed)
					}
				}
			}
		}
		if !found {
			t.Errorf("no MBT people row for the Riverside DBT team in %v", rep.Columns)
		}
	})

	t.Run("SameSeedSameData", func(t *testing.T) {
		again, _ := fill()
		a, b := demoDump(t, db), demoDump(t, openDemoDB(t, again))
		for table, rows := range a {
			if len(rows) == 0 || strings.Join(rows, "\n") != strings.Join(b[table], "\n") {
				t.Errorf("%s: %d rows, then %d different ones", table, len(rows), len(b[table]))
			}
		}
	})
}

// openDemoDB opens the database demo-data filled with env.
func openDemoDB(t *testing.T, env map[string]string) *store.DB {
	t.Helper()
	dsn := env["TEND_DB"]
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(env["TEND_DATA"], "tend.db")
	}
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// demoDump reads the made-up people's data with staff and teams by name
// (their ids differ from one demo service to another), in a fixed order.
func demoDump(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"people": `SELECT p.id, p.username, t.name, p.state, p.age_band, p.created_at FROM people p JOIN teams t ON t.id = p.team_id
			WHERE p.username LIKE 'demo-person-%' ORDER BY p.username`,
		"episodes": `SELECT e.id, e.person_id, e.modality, e.source, e.referred_on, e.decision, e.decided_on, e.started_on, e.ended_on,
			e.follow_up_consent FROM episodes e JOIN people p ON p.id = e.person_id WHERE p.username LIKE 'demo-person-%' ORDER BY e.id`,
		"members": `SELECT m.id, m.person_id, s.email, m.care_role, m.state, m.started_at, m.ended_at FROM care_team_members m
			JOIN staff s ON s.id = m.staff_id JOIN people p ON p.id = m.person_id WHERE p.username LIKE 'demo-person-%' ORDER BY m.id`,
		"sessions": `SELECT c.id, c.episode_id, c.held_on, c.kind, c.attendance FROM care_sessions c JOIN people p ON p.id = c.person_id
			WHERE p.username LIKE 'demo-person-%' ORDER BY c.id`,
		"incidents": `SELECT i.id, i.person_id, i.occurred_on, i.kind, i.medical_care, i.recorded_at FROM incidents i ORDER BY i.id`,
		"cards": `SELECT c.id, c.person_id, c.day, c.first_saved_at, c.self_harm, c.attempt, c.max_emotion, c.skills_category, c.ridden_out,
			c.strong_urges FROM diary_cards c JOIN people p ON p.id = c.person_id WHERE p.username LIKE 'demo-person-%' ORDER BY c.id`,
		"values": `SELECT v.card_id, v.field, v.value FROM diary_values v JOIN diary_cards c ON c.id = v.card_id JOIN people p ON p.id = c.person_id
			WHERE p.username LIKE 'demo-person-%' ORDER BY v.card_id, v.field`,
		"responses": `SELECT r.id, r.person_id, r.instrument_id, r.total, r.finished_at, d.due_on, d.reason FROM measure_responses r
			JOIN measure_due d ON d.id = r.due_id JOIN people p ON p.id = r.person_id WHERE p.username LIKE 'demo-person-%' ORDER BY r.id`,
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := db.Writer().Query(q)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				switch x := v.(type) {
				case time.Time:
					vals[i] = x.UTC().Format(time.RFC3339Nano)
				case []byte:
					vals[i] = string(x)
				}
			}
			out[table] = append(out[table], fmt.Sprint(vals...))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rows.Close() //nolint:sqlclosecheck // closed here, before the next query on the same connection
	}
	return out
}
