package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/web"
)

// TestExportOutcomes: the operator's export of the outcome figures is the
// outcomes report of a lead of every team, figure for figure, in both
// formats; the small cell stays suppressed; no person's id or name, no
// staff member and no episode is in the file; one aggregate audit event
// records it; and an existing file is never overwritten.
func TestExportOutcomes(t *testing.T) {
	ctx := context.Background()
	env := baseEnv(t, t.TempDir())
	env["TEND_DEMO_PASSWORD"] = "a demo password for the demo data"
	if err := run(ctx, []string{"demo-data", "--people", "40", "--days", "365", "--seed", "3", "--today", "2026-06-10"}, envOf(env),
		strings.NewReader(""), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	export := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append([]string{"export", "outcomes"}, args...), envOf(env), nil, &stdout, &stderr)
		return stdout.String() + stderr.String(), err
	}
	jsonFile, csvFile := filepath.Join(out, "outcomes-2026.json"), filepath.Join(out, "outcomes-2026.csv")
	if msg, err := export("--cohort", "2026", "--format", "json", "--to", jsonFile); err != nil || !strings.Contains(msg, "for the whole service") {
		t.Fatalf("export json: %v\n%s", err, msg)
	}
	if msg, err := export("--cohort", "2026", "--to", csvFile); err != nil {
		t.Fatalf("export csv: %v\n%s", err, msg)
	}
	gotJSON, gotCSV := readExport(t, jsonFile), readExport(t, csvFile)

	// The report a lead of every care team reads: morgan, made a lead of
	// Kim's team too.
	db := openDemoDB(t, env)
	db.SetAuditChain(testenv.AuditChain())
	morgan, err := db.FindStaffAccountByEmail(ctx, "morgan@example.org")
	if err != nil {
		t.Fatal(err)
	}
	northside, err := db.FindTeamIDByName(ctx, demo.TeamNorthside)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)`, string(morgan.ID), string(northside)); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	svc := report.NewService(store.For[report.Tx](db), access.NewChecker(db), tend.SystemClock{}, reportSettings(cache))
	lead := tend.Actor{Kind: tend.KindStaff, ID: morgan.ID, Role: morgan.Role, MFA: true}
	rep, err := svc.Outcomes(ctx, lead, outcome.Cohort{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	st, _ := cache.Get()
	p := cat.Printer(st.Locale)

	t.Run("SameAsTheReport", func(t *testing.T) {
		if len(rep.Scopes) < 3 || !rep.Scopes[0].Whole {
			t.Fatalf("the lead's report is not of the whole service: %d groupings", len(rep.Scopes))
		}
		var want bytes.Buffer
		if err := writeOutcomes(&want, rep, p, "json"); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotJSON, want.Bytes()) {
			t.Errorf("the JSON export differs from the whole service's report:\n%s", firstDifference(gotJSON, want.Bytes()))
		}
		want.Reset()
		if err := web.OutcomesCSV(&want, rep, p); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotCSV, want.Bytes()) {
			t.Errorf("the CSV export differs from the whole service's report:\n%s", firstDifference(gotCSV, want.Bytes()))
		}
	})

	t.Run("SuppressedStaySuppressed", func(t *testing.T) {
		var doc api.OutcomesJSON
		if err := json.Unmarshal(gotJSON, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Cohort != "2026" || len(doc.Scopes) == 0 || !doc.Scopes[0].WholeService || doc.Settings.SuppressBelow != 5 {
			t.Fatalf("export: cohort %q, %d groupings, suppress below %d", doc.Cohort, len(doc.Scopes), doc.Settings.SuppressBelow)
		}
		suppressed, smallCell := 0, false
		for _, sc := range doc.Scopes {
			for _, row := range sc.Rows {
				for _, c := range row.Cells {
					if c.State != string(outcome.Suppressed) {
						continue
					}
					suppressed++
					if c.People != nil || c.Count != nil || c.Share != nil || c.Value != nil || c.Low != nil || c.High != nil ||
						c.ObservedDays != nil || c.Days != nil || c.Text == nil || *c.Text != "fewer than 5" {
						t.Errorf("%s, %s: a suppressed cell shows %+v", sc.Name, row.Label, c)
					}
					if sc.Name == demo.TeamRiverside && row.Measure == string(outcome.MeasurePeople) && c.Modality != nil && *c.Modality == "MBT" {
						smallCell = true
					}
				}
			}
		}
		if suppressed == 0 || !smallCell {
			t.Errorf("%d suppressed cells; the MBT people of the Riverside team suppressed: %v", suppressed, smallCell)
		}
		// The CSV: a suppressed line has its words and no number.
		lines := 0
		for _, line := range strings.Split(string(gotCSV), "\n") {
			if !strings.Contains(line, ",suppressed,") {
				continue
			}
			lines++
			if !strings.HasSuffix(line, ",suppressed,fewer than 5,,,,,,,,") {
				t.Errorf("a suppressed CSV line shows a figure: %s", line)
			}
		}
		if lines != suppressed {
			t.Errorf("%d suppressed CSV lines, %d suppressed JSON cells", lines, suppressed)
		}
	})

	t.Run("NoOneNamed", func(t *testing.T) {
		var words []string
		for _, q := range []string{`SELECT id FROM people`, `SELECT username FROM people`, `SELECT id FROM staff`, `SELECT email FROM staff`,
			`SELECT name FROM staff`, `SELECT id FROM episodes`} {
			words = append(words, column(t, db, q)...)
		}
		if len(words) < 100 {
			t.Fatalf("only %d ids and names to look for", len(words))
		}
		for _, w := range words {
			for name, got := range map[string][]byte{"JSON": gotJSON, "CSV": gotCSV} {
				if containsWord(got, w) {
					t.Errorf("the %s export holds %q", name, w)
				}
			}
		}
	})

	t.Run("OneAuditEvent", func(t *testing.T) {
		var n int
		err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_kind = 'system'
			AND person_id IS NULL AND target = 'outcomes:2026'`, report.AuditOutcomesExported).Scan(&n)
		if err != nil || n != 2 {
			t.Errorf("%d export events for two exports (%v)", n, err)
		}
	})

	t.Run("ErrConflict/NeverOverwrites", func(t *testing.T) {
		msg, err := export("--cohort", "2026", "--format", "json", "--to", jsonFile)
		if err == nil || !strings.Contains(err.Error(), "exists already") {
			t.Errorf("export over a file: %v\n%s", err, msg)
		}
		if !bytes.Equal(readExport(t, jsonFile), gotJSON) {
			t.Error("the file was changed")
		}
	})

	t.Run("ErrInvalid/Flags", func(t *testing.T) {
		for _, args := range [][]string{
			{"--to", filepath.Join(out, "a.csv")},
			{"--cohort", "2026-Q5", "--to", filepath.Join(out, "b.csv")},
			{"--cohort", "2026", "--to", filepath.Join(out, "c.csv"), "--format", "xlsx"},
			{"--cohort", "2026"},
			{"--cohort", "2026", "--to", filepath.Join(out, "d.csv"), "extra"},
		} {
			if _, err := export(args...); err == nil {
				t.Errorf("export outcomes %v ran", args)
			}
		}
		if entries, _ := os.ReadDir(out); len(entries) != 2 {
			t.Errorf("a refused export left a file: %d files", len(entries))
		}
	})

	t.Run("ErrForbidden/OnlyTendItself", func(t *testing.T) {
		for _, a := range []tend.Actor{lead, {Kind: tend.KindStaff, ID: morgan.ID, Role: tend.RoleAdmin, MFA: true}, access.TransferActor()} {
			if _, err := svc.Export(ctx, a, outcome.Cohort{Year: 2026}); tend.ErrorKind(err) != tend.EFORBIDDEN {
				t.Errorf("%+v exports: %v", a, err)
			}
		}
	})
}

// readExport reads an export and checks that only its owner may read it.
func readExport(t *testing.T, path string) []byte {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("%s has permissions %o, want 600", filepath.Base(path), perm)
	}
	b, err := os.ReadFile(path) // #nosec G304 -- the test's own file.
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// column reads one text column of every row query returns.
func column(t *testing.T, db *store.DB, query string) []string {
	t.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstDifference shows where two exports part.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return "got:  ..." + string(got[from:min(len(got), i+80)]) + "\nwant: ..." + string(want[from:min(len(want), i+80)])
}

// TestExportPerson: the operator's transfer export is sam's FHIR Bundle,
// about sam alone, read through the services (never clinician notes, the
// journal or the hope box), audited once as a transfer export of sam, in a
// new file only its owner may read.
func TestExportPerson(t *testing.T) {
	ctx := context.Background()
	env := baseEnv(t, t.TempDir())
	env["TEND_DEMO_PASSWORD"] = "a demo password for the demo data"
	if err := run(ctx, []string{"demo-data", "--people", "2", "--days", "30", "--seed", "4"}, envOf(env), strings.NewReader(""), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	db := openDemoDB(t, env)
	ids := map[string]string{}
	for _, who := range []string{"sam", "alex", "riley"} {
		var id string
		if err := db.Writer().QueryRowContext(ctx, `SELECT id FROM people WHERE username = $1`, who).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[who] = id
	}
	out := t.TempDir()
	export := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append([]string{"export", "person"}, args...), envOf(env), nil, &stdout, &stderr)
		return stdout.String() + stderr.String(), err
	}
	file := filepath.Join(out, "sam.json")
	if msg, err := export("--person", ids["sam"], "--to", file); err != nil || !strings.Contains(msg, "Wrote the FHIR Bundle of person "+ids["sam"]) {
		t.Fatalf("export person: %v\n%s", err, msg)
	}
	got := readExport(t, file)

	var b struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
				ID           string `json:"id"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range b.Entry {
		kinds[e.Resource.ResourceType]++
	}
	t.Logf("sam's transfer Bundle: %v", kinds)
	if b.ResourceType != "Bundle" || kinds["Patient"] != 1 || kinds["Observation"] == 0 || kinds["CareTeam"] != 1 || kinds["Practitioner"] == 0 {
		t.Errorf("sam's Bundle holds %v", kinds)
	}
	for _, text := range []string{ids["alex"], ids["riley"], "First session. We agreed", "helped more than I expected", `"Consent"`} {
		if strings.Contains(string(got), text) {
			t.Errorf("sam's transfer Bundle holds %q", text)
		}
	}

	t.Run("AuditedOnce", func(t *testing.T) {
		var n int
		err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND actor_kind = 'system' AND person_id = $2`,
			string(access.TransferExport), ids["sam"]).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("%d transfer export events for sam (%v)", n, err)
		}
	})
	t.Run("ErrConflict/NeverOverwrites", func(t *testing.T) {
		if _, err := export("--person", ids["alex"], "--to", file); err == nil || !strings.Contains(err.Error(), "exists already") {
			t.Errorf("export over a file: %v", err)
		}
		if !bytes.Equal(readExport(t, file), got) {
			t.Error("the file was changed")
		}
	})
	t.Run("ErrNotFound/NoSuchPerson", func(t *testing.T) {
		other := filepath.Join(out, "nobody.json")
		if _, err := export("--person", string(tend.NewID()), "--to", other); err == nil || !strings.Contains(err.Error(), "Not found") {
			t.Errorf("export of nobody: %v", err)
		}
		if _, err := os.Stat(other); !os.IsNotExist(err) {
			t.Errorf("a refused export left %s (%v)", other, err)
		}
	})
	t.Run("ErrInvalid/Flags", func(t *testing.T) {
		for _, args := range [][]string{{"--person", ids["sam"]}, {"--person", "sam", "--to", filepath.Join(out, "x.json")}, {"--to", filepath.Join(out, "y.json")}} {
			if _, err := export(args...); err == nil {
				t.Errorf("export person %v ran", args)
			}
		}
	})
}

// containsWord reports whether w occurs in b as a whole word, as the
// regular expression \b<w>\b matches it (\b: a boundary between an ASCII
// word character and anything else), found with bytes.Index: a regular
// expression per word over a year of exports takes minutes under -race.
func containsWord(b []byte, w string) bool {
	word := func(k int) bool {
		if k < 0 || k >= len(b) {
			return false
		}
		c := b[k]
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	boundary := func(k int) bool { return word(k-1) != word(k) }
	for off := 0; w != ""; {
		i := bytes.Index(b[off:], []byte(w))
		if i < 0 {
			return false
		}
		i += off
		if boundary(i) && boundary(i+len(w)) {
			return true
		}
		off = i + 1
	}
	return false
}

func TestContainsWord(t *testing.T) {
	for _, c := range []struct {
		text, w string
	}{{"a sam b", "sam"}, {"sam", "sam"}, {"samuel sam_x xsam -sam-", "sam"}, {`"lee@example.org",`, "lee@example.org"}, {"x.lee@example.orgy", "lee@example.org"},
		{"id 01a2-bc", "01a2-bc"}, {"id01a2-bc", "01a2-bc"}, {"", "a"}} {
		want := regexp.MustCompile(`\b` + regexp.QuoteMeta(c.w) + `\b`).MatchString(c.text)
		if got := containsWord([]byte(c.text), c.w); got != want {
			t.Errorf("containsWord(%q, %q) = %v, the regular expression says %v", c.text, c.w, got, want)
		}
	}
}
