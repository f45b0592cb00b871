package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/testenv"
)

// The outcomes report's cohort in these tests: made-up people of the demo
// whose episodes of care ended in the second quarter of 2025.
const reportCohort = "2025-Q2"

// writeReportPeople writes the people of the outcomes report: in
// Riverside (led by morgan) 14 on DBT, 3 on CBT (a cell of 1 to 4 people)
// and 11 on MBT; in Northside (led by nia) 6 on CBT.
func writeReportPeople(t *testing.T, d *demoServer) {
	t.Helper()
	on := func(m time.Month, day int) time.Time { return time.Date(2025, m, day, 0, 0, 0, 0, time.UTC) }
	testenv.WriteEnded(t, d.db, 8, 1,
		testenv.Ended{Team: demo.TeamRiverside, Therapist: "lee@example.org", Modality: "DBT", People: 14, EndedOn: on(time.May, 12)},
		testenv.Ended{Team: demo.TeamRiverside, Therapist: "lee@example.org", Modality: "CBT", People: 3, EndedOn: on(time.May, 20)},
		testenv.Ended{Team: demo.TeamRiverside, Therapist: "lee@example.org", Modality: "MBT", People: 11, EndedOn: on(time.June, 3)},
		testenv.Ended{Team: demo.TeamNorthside, Therapist: "kim@example.org", Modality: "CBT", People: 6, EndedOn: on(time.April, 28)})
}

// TestOutcomesReport: morgan (a lead) sees the report of their team by
// modality, with the observational note above the figures, "fewer than 5"
// for the cell of 3 people, and the CSV and JSON exports hold the same
// figures as the page; no subtraction of shown figures recovers a
// suppressed one. Lee (a clinician) and the admin get 404 on the page, the
// exports and the API.
func TestOutcomesReport(t *testing.T) {
	d := newDemoServer(t)
	writeReportPeople(t, d)
	p := sourcePrinterOf(t)

	t.Run("LinkedFromTheLeadsClinicHome", func(t *testing.T) {
		if res := d.get(t, "morgan@example.org", "/clinic"); !strings.Contains(res.Body.String(), `href="/clinic/reports/outcomes"`) {
			t.Error("morgan's clinic home does not link the report")
		}
		if res := d.get(t, "lee@example.org", "/clinic"); strings.Contains(res.Body.String(), "/clinic/reports/outcomes") {
			t.Error("lee's clinic home links the report")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, who := range []string{"lee@example.org", "admin@example.org", "kim@example.org", "dana@example.org", "sam"} {
			for _, path := range []string{"/clinic/reports/outcomes", "/clinic/reports/outcomes?cohort=" + reportCohort,
				"/clinic/reports/outcomes.csv?cohort=" + reportCohort, "/clinic/reports/outcomes.json?cohort=" + reportCohort,
				"/api/v1/reports/outcomes", "/api/v1/reports/outcomes?cohort=" + reportCohort} {
				res := d.get(t, who, path)
				if res.Code != http.StatusNotFound {
					t.Errorf("%s as %s: %d, want 404", path, who, res.Code)
				}
				if body := res.Body.String(); strings.Contains(body, "fewer than") || strings.Contains(body, "DBT") {
					t.Errorf("%s as %s shows report content", path, who)
				}
			}
		}
	})

	t.Run("Page", func(t *testing.T) {
		res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes")
		if res.Code != http.StatusOK {
			t.Fatalf("page: %d\n%s", res.Code, res.Body.String())
		}
		body := res.Body.String()
		note := html.EscapeString(outcome.Note)
		i, j := strings.Index(body, note), strings.Index(body, "<table")
		if i < 0 || j < 0 || i > j {
			t.Fatalf("the note is not above the figures (note at %d, first table at %d)", i, j)
		}
		for _, s := range []string{`<option value="2025" selected>`, `<option value="2025-Q2">`, `aria-current="page"`, "Riverside DBT team",
			`<svg role="img"`, "<title id=", "<desc id=", "fewer than 5", `name="cohort"`} {
			if !strings.Contains(body, s) {
				t.Errorf("the page lacks %q", s)
			}
		}
		if strings.Contains(body, "Northside") {
			t.Error("morgan sees nia's team")
		}
		// The modalities side by side in the service's order, then all:
		// never sorted by outcome.
		tables := reportTables(t, body)
		want := []string{"CBT", "DBT", "DBT-A", "MBT", "psychodynamic", "other", p.T("outcome.all_modalities")}
		for _, tb := range tables {
			if !slices.Equal(tb.columns, want) {
				t.Fatalf("table %q columns %v, want %v", tb.caption, tb.columns, want)
			}
		}
		for _, s := range []string{"demo-person", "risk"} {
			if strings.Contains(strings.ToLower(tagText(body)), s) {
				t.Errorf("the page says %q", s)
			}
		}
		if strings.Contains(body, "fill=") || strings.Contains(body, "style=") {
			t.Error("the page colours something inline")
		}
	})

	t.Run("CohortChooser", func(t *testing.T) {
		res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes?cohort="+reportCohort)
		if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "2025, quarter 2") {
			t.Fatalf("quarter: %d\n%s", res.Code, res.Body.String())
		}
		if res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes?cohort=2025-Q7"); res.Code != http.StatusBadRequest {
			t.Errorf("a cohort that is none: %d, want 400", res.Code)
		}
		if res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes?cohort=2019"); res.Code != http.StatusNotFound {
			t.Errorf("a cohort with no report: %d, want 404", res.Code)
		}
		if res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes?cohort=2025&scope=nope"); res.Code != http.StatusNotFound {
			t.Errorf("a grouping that is none: %d, want 404", res.Code)
		}
	})

	// The exports of the cohort, every grouping.
	res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes.csv?cohort="+reportCohort)
	if res.Code != http.StatusOK {
		t.Fatalf("CSV: %d\n%s", res.Code, res.Body.String())
	}
	if ct, cd := res.Header().Get("Content-Type"), res.Header().Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
		cd != `attachment; filename="outcomes-2025-Q2.csv"` {
		t.Errorf("CSV headers: %q, %q", ct, cd)
	}
	rawCSV := res.Body.Bytes()
	if testing.Verbose() {
		t.Logf("CSV:\n%s", firstLines(string(rawCSV), 12))
	}
	records, err := csv.NewReader(bytes.NewReader(rawCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	jres := d.get(t, "morgan@example.org", "/clinic/reports/outcomes.json?cohort="+reportCohort)
	if jres.Code != http.StatusOK || jres.Header().Get("Content-Disposition") != `attachment; filename="outcomes-2025-Q2.json"` {
		t.Fatalf("JSON: %d %q", jres.Code, jres.Header().Get("Content-Disposition"))
	}
	var rep api.OutcomesJSON
	if err := json.Unmarshal(jres.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}

	t.Run("APIIsTheJSONExport", func(t *testing.T) {
		ares := d.get(t, "morgan@example.org", "/api/v1/reports/outcomes?cohort="+reportCohort)
		if ares.Code != http.StatusOK {
			t.Fatalf("API: %d", ares.Code)
		}
		if !bytes.Equal(ares.Body.Bytes(), jres.Body.Bytes()) {
			t.Error("the API's report differs from the JSON export")
		}
	})

	t.Run("CSVEscaped", func(t *testing.T) {
		if !slices.Equal(records[0], []string{"cohort", "scope", "scope_name", "measure", "measure_label", "detail", "modality", "kind", "state", "figure",
			"people", "count", "share_percent", "value", "low", "high", "observed_days", "days"}) {
			t.Fatalf("header %v", records[0])
		}
		if records[1][3] != "note" || records[1][9] != outcome.Note {
			t.Errorf("the note line: %v", records[1])
		}
		escaped := 0
		for _, rec := range records {
			for _, f := range rec {
				if f != "" && strings.ContainsRune("=+-@\t\r", rune(f[0])) {
					t.Fatalf("an unescaped cell %q in %v", f, rec)
				}
				if strings.HasPrefix(f, "'-") {
					escaped++
				}
			}
		}
		t.Logf("%d lines, %d negative figures escaped", len(records), escaped)
	})

	t.Run("CSVMatchesThePage", func(t *testing.T) {
		type key struct{ scope, caption, row, column string }
		csvCells := map[key][]string{}
		for _, rec := range records[2:] {
			row := rec[5]
			if row == "" {
				row = rec[4]
			}
			k := key{rec[1], rec[4], row, rec[6]}
			if _, dup := csvCells[k]; dup {
				t.Fatalf("two CSV lines for %v", k)
			}
			csvCells[k] = rec
		}
		compared := 0
		for _, sc := range rep.Scopes {
			res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes?cohort="+reportCohort+"&scope="+sc.Scope)
			if res.Code != http.StatusOK {
				t.Fatalf("page of %s: %d", sc.Scope, res.Code)
			}
			for _, tb := range reportTables(t, res.Body.String()) {
				for _, r := range tb.rows {
					for i, c := range r.cells {
						k := key{sc.Scope, tb.caption, r.label, tb.columns[i]}
						rec, ok := csvCells[k]
						if !ok {
							t.Fatalf("no CSV line for the page's cell %v", k)
						}
						delete(csvCells, k)
						compared++
						if got := unquote(rec[9]); got != c.main {
							t.Errorf("%v: CSV figure %q, page %q", k, got, c.main)
						}
						people, cov := "", ""
						// The people row's figure is its people: no second line.
						if rec[10] != "" && rec[8] != string(outcome.NoData) && rec[3] != string(outcome.MeasurePeople) {
							people = p.T("outcome.people", atoi(t, rec[10]))
						}
						if rec[16] != "" {
							cov = p.T("outcome.coverage", atoi(t, rec[16]), atoi(t, rec[17]))
						}
						if people != c.people || cov != c.coverage {
							t.Errorf("%v: CSV %q %q, page %q %q", k, people, cov, c.people, c.coverage)
						}
					}
				}
			}
		}
		if len(csvCells) > 0 || compared == 0 {
			t.Errorf("%d cells compared; %d CSV lines not on any page", compared, len(csvCells))
		}
		t.Logf("%d cells compared between the pages and the CSV", compared)
	})

	t.Run("SmallCellIsFewerThan5", func(t *testing.T) {
		// Riverside's 3 people on CBT, in the CSV and in the JSON.
		var team string
		for _, sc := range rep.Scopes {
			if sc.Name == demo.TeamRiverside {
				team = sc.Scope
			}
		}
		found := false
		for _, rec := range records[2:] {
			if (rec[1] == team || rec[1] == api.ScopeTotal) && rec[3] == string(outcome.MeasurePeople) && rec[6] == "CBT" {
				found = true
				if rec[8] != string(outcome.Suppressed) || rec[9] != "fewer than 5" || strings.Join(rec[10:], "") != "" {
					t.Errorf("CSV: the cell of 3 people is %v", rec)
				}
			}
		}
		if !found {
			t.Fatal("the CSV has no line for Riverside's CBT people")
		}
		for _, sc := range rep.Scopes {
			for _, row := range sc.Rows {
				if row.Measure != string(outcome.MeasurePeople) {
					continue
				}
				c := row.Cells[slices.Index(rep.Modalities, "CBT")]
				if c.State != string(outcome.Suppressed) || c.Text == nil || *c.Text != "fewer than 5" || c.People != nil || c.Count != nil || c.Share != nil {
					t.Errorf("JSON: the cell of 3 people in %s is %+v", sc.Name, c)
				}
			}
		}
		// No figure anywhere is a count of 1 to 4 people.
		for _, sc := range rep.Scopes {
			for _, row := range sc.Rows {
				for _, c := range row.Cells {
					for _, n := range []*int{c.People, c.Count} {
						if n != nil && *n >= 1 && *n < rep.Settings.SuppressBelow {
							t.Errorf("JSON: %s %q shows %d", sc.Name, row.Label, *n)
						}
					}
				}
			}
		}
	})

	t.Run("NoSubtractionRecoversASuppressedCell", func(t *testing.T) {
		hidden := 0
		for _, sc := range rep.Scopes {
			for _, row := range sc.Rows {
				for _, c := range row.Cells {
					if suppressed(c) {
						hidden++
					}
				}
			}
		}
		if hidden == 0 {
			t.Fatal("nothing is suppressed: the data has no small cell")
		}
		t.Logf("%d suppressed cells, none recovered by subtraction", hidden)
		if n := recoverable(rep); len(n) > 0 {
			for _, s := range n {
				t.Error(s)
			}
		}
		// The check itself finds what it should: shown the cell of 3 with
		// the others, the total gives it away.
		leaky := leak(rep)
		if len(recoverable(leaky)) == 0 {
			t.Error("the subtraction check missed a planted leak")
		}
	})
}

// known is a count (or people) of a cell that a reader can take as a
// number: shown, counts only, or no data (nobody).
func known(c api.OutcomeCellJSON, people bool) (int, bool) {
	if c.State == string(outcome.NoData) {
		return 0, true
	}
	v := c.Count
	if people {
		v = c.People
	}
	if v == nil || c.Kind != string(outcome.KindCount) {
		return 0, false
	}
	return *v, true
}

func suppressed(c api.OutcomeCellJSON) bool { return c.State == string(outcome.Suppressed) }

// recoverable tries the subtractions outcomes.md section 6 guards against
// on every count of the report: along a row (all modalities minus the
// other modalities), down the groupings (the total minus the other teams)
// and across the parts of a figure (the people counted minus the other
// parts). It returns each suppressed cell one of them would give away.
func recoverable(rep api.OutcomesJSON) []string {
	var out []string
	try := func(where string, total api.OutcomeCellJSON, parts []api.OutcomeCellJSON, totalPeople bool) {
		t, ok := known(total, totalPeople)
		if !ok || suppressed(total) {
			return
		}
		hidden, sum := 0, 0
		for _, c := range parts {
			if suppressed(c) {
				hidden++
				continue
			}
			v, ok := known(c, false)
			if !ok {
				return
			}
			sum += v
		}
		if hidden == 1 {
			out = append(out, fmt.Sprintf("%s: the suppressed cell is %d - %d", where, t, sum))
		}
	}
	for _, sc := range rep.Scopes {
		for _, row := range sc.Rows {
			if len(row.Cells) == 0 || row.Cells[0].Kind != string(outcome.KindCount) {
				continue
			}
			all := row.Cells[len(row.Cells)-1]
			try(sc.Name+": "+row.Label+" along the row", all, row.Cells[:len(row.Cells)-1], false)
		}
		// The parts of a figure that add up to the people it counts.
		for _, parts := range [][]string{
			{string(outcome.PartFell), string(outcome.PartStayed), string(outcome.PartRose)},
			{string(outcome.PartImproved), string(outcome.PartNoChange), string(outcome.PartWorse)},
		} {
			groups := map[string][]api.OutcomeRowJSON{}
			for _, row := range sc.Rows {
				if row.Part != nil && slices.Contains(parts, *row.Part) {
					k := row.Measure + "|" + fmt.Sprint(row.Comparison) + "|" + deref(row.Instrument)
					groups[k] = append(groups[k], row)
				}
			}
			for _, rows := range groups {
				for col := range rows[0].Cells {
					var cells []api.OutcomeCellJSON
					var denom *api.OutcomeCellJSON
					for _, r := range rows {
						cells = append(cells, r.Cells[col])
						if c := r.Cells[col]; c.People != nil && !suppressed(c) {
							denom = &c
						}
					}
					if denom != nil {
						try(sc.Name+": "+rows[0].MeasureLabel+" across its parts", *denom, cells, true)
					}
				}
			}
		}
	}
	// Down the groupings: the total against its teams.
	if len(rep.Scopes) > 1 {
		total := rep.Scopes[0]
		for i, row := range total.Rows {
			if len(row.Cells) == 0 || row.Cells[0].Kind != string(outcome.KindCount) {
				continue
			}
			for col := range row.Cells {
				var teams []api.OutcomeCellJSON
				for _, sc := range rep.Scopes[1:] {
					teams = append(teams, sc.Rows[i].Cells[col])
				}
				try(row.Label+" down the groupings", row.Cells[col], teams, false)
			}
		}
	}
	return out
}

// leak returns a copy of rep in which the total's people row shows its
// column of all modalities and every modality but one: a subtraction
// away from the hidden one, which the check must catch.
func leak(rep api.OutcomesJSON) api.OutcomesJSON {
	var out api.OutcomesJSON
	b, _ := json.Marshal(rep)
	_ = json.Unmarshal(b, &out)
	row := out.Scopes[0].Rows[0]
	n := len(row.Cells)
	for i := range row.Cells {
		c := &row.Cells[i]
		five := 5
		switch i {
		case 0:
			*c = api.OutcomeCellJSON{Kind: string(outcome.KindCount), State: string(outcome.Suppressed)}
		case n - 1:
			*c = api.OutcomeCellJSON{Kind: string(outcome.KindCount), State: string(outcome.Shown), Count: &five, People: &five}
		default:
			*c = api.OutcomeCellJSON{Kind: string(outcome.KindCount), State: string(outcome.NoData)}
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func unquote(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is no number", s)
	}
	return n
}

func sourcePrinterOf(t *testing.T) *i18n.Printer {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Printer(i18n.Source)
}

// pageCell is one cell of a report table as the page shows it.
type pageCell struct{ main, people, coverage string }

type pageRow struct {
	label string
	cells []pageCell
}

type pageTable struct {
	caption string
	columns []string
	rows    []pageRow
}

var (
	reTable   = regexp.MustCompile(`(?s)<h3 id="(m\d+)-h">(.*?)</h3>.*?<table class="report-table" id="m\d+">(.*?)</table>`)
	reColumn  = regexp.MustCompile(`<th scope="col">(.*?)</th>`)
	reRow     = regexp.MustCompile(`<tr><th scope="row">(.*?)</th>(.*?)</tr>`)
	reCell    = regexp.MustCompile(`<td data-state="[a-z_]+"><span class="fig">(.*?)</span>(?:<span class="fig-n">(.*?)</span>)?(?:<span class="fig-cov">(.*?)</span>)?</td>`)
	reTags    = regexp.MustCompile(`(?s)<[^>]+>`)
	reScripts = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>`)
)

// reportTables reads the report tables of a page.
func reportTables(t *testing.T, body string) []pageTable {
	t.Helper()
	var out []pageTable
	for _, m := range reTable.FindAllStringSubmatch(body, -1) {
		tb := pageTable{caption: html.UnescapeString(m[2])}
		for _, c := range reColumn.FindAllStringSubmatch(m[3], -1)[1:] {
			tb.columns = append(tb.columns, html.UnescapeString(c[1]))
		}
		for _, r := range reRow.FindAllStringSubmatch(m[3], -1) {
			row := pageRow{label: html.UnescapeString(r[1])}
			for _, c := range reCell.FindAllStringSubmatch(r[2], -1) {
				row.cells = append(row.cells, pageCell{html.UnescapeString(c[1]), html.UnescapeString(c[2]), html.UnescapeString(c[3])})
			}
			if len(row.cells) != len(tb.columns) {
				t.Fatalf("table %q row %q: %d cells for %d columns", tb.caption, row.label, len(row.cells), len(tb.columns))
			}
			tb.rows = append(tb.rows, row)
		}
		out = append(out, tb)
	}
	if len(out) == 0 {
		t.Fatal("the page has no report table")
	}
	return out
}

// tagText is the page's text without its tags, scripts and styles.
func tagText(body string) string {
	return html.UnescapeString(reTags.ReplaceAllString(reScripts.ReplaceAllString(body, " "), " "))
}

// TestOutcomesReportPseudoLocale: every word of the report page comes from
// the catalogue; the rest is data (teams, modalities, figures).
func TestOutcomesReportPseudoLocale(t *testing.T) {
	d := newDemoServerIn(t, testenv.Discard(), i18n.PseudoLocale)
	writeReportPeople(t, d)
	res := d.get(t, "morgan@example.org", "/clinic/reports/outcomes?cohort="+reportCohort)
	if res.Code != http.StatusOK {
		t.Fatalf("page: %d", res.Code)
	}
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<option[^>]*>[^<]*</option>|<[^>]+>`)
	text := html.UnescapeString(tags.ReplaceAllString(res.Body.String(), "\n"))
	for _, s := range []string{"Riverside DBT team", "Riverside (demo service)", "psychodynamic", "DBT-A", "DBT", "CBT", "MBT", "other", "PHQ-9", "GAD-7", "Morgan"} {
		text = strings.ReplaceAll(text, s, " ")
	}
	if left := i18n.Unmarked(text); len(left) > 0 {
		t.Errorf("text not from the catalogue: %q", left)
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
