package web_test

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/web"
)

// evidenceSource is the checked-in copy of clinical/evidence.md, the only
// source of what the evidence page may show.
func evidenceSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../evidence/testdata/evidence.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// evidenceTables reads evidence.md's markdown tables in order, each a list
// of rows of cells, without the header and rule.
func evidenceTables(md string) [][][]string {
	var out [][][]string
	in, header := false, false
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case !strings.HasPrefix(line, "|"):
			in = false
		case !in:
			in, header = true, true
			out = append(out, nil)
		case header:
			header = false // the |---| rule
		default:
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			out[len(out)-1] = append(out[len(out)-1], cells)
		}
	}
	return out
}

var (
	pageTags    = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]+>`)
	spaces      = regexp.MustCompile(`\s+`)
	tableRows   = regexp.MustCompile(`(?s)<tbody[^>]*>.*?</tbody>`)
	rowRe       = regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	firstCell   = regexp.MustCompile(`(?s)^\s*<td[^>]*>(.*?)</td>`)
	numberToken = regexp.MustCompile(`\d+(?:[.,]\d+)*`)
)

// visible is the text a reader sees in a piece of HTML, spaces folded.
func visible(s string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(pageTags.ReplaceAllString(s, " ")), " "))
}

// evidenceCitations are the citations each table of evidence.md names,
// written by hand from its headings; the single trials cite themselves.
var evidenceCitations = []string{"Witt KG et al. 2021", "Witt KG et al. 2021", "Hawton K et al. 2016", ""}

// TestEvidencePage: signed out, the page leads with the service's
// statement and the help link, folds the figures under "See the research
// figures", and shows every row of evidence.md with its citation and its
// certainty first (in words, or "certainty not given"); no number on it is
// one that evidence.md lacks, and it loads nothing from another origin.
func TestEvidencePage(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(t, get("/evidence"))
	if res.status != http.StatusOK {
		t.Fatalf("GET /evidence: %d", res.status)
	}
	body := res.body
	md := evidenceSource(t)
	for _, want := range []string{
		`<p class="statement">Therapy helps many people who self-harm, and there is more than one kind that works.</p>`,
		`<a class="help-link" href="/help">Get help now</a>`,
		`<details class="figures">`, `<summary>See the research figures</summary>`,
		`Selected findings`, `What the figures do not show`, `Single trials: examples, not pooled evidence`,
		`Talk to your clinician or care team about which therapy fits you.`,
		`<a href="https://doi.org/10.1002/14651858.CD013667.pub2">`, `<a href="https://doi.org/10.1002/14651858.CD013668.pub2">`,
		// html/template escapes the brackets of the Lancet's address.
		`<a href="https://www.thelancet.com/journals/lanpsy/article/PIIS2215-0366%2816%2930070-0/fulltext">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if i, j := strings.Index(body, `class="statement"`), strings.Index(body, "<details"); i < 0 || j < i {
		t.Error("the statement does not come before the figures")
	}
	if strings.Contains(body, `href="/me/care"`) {
		t.Error("signed out, the page links to a person's care page")
	}

	// Every row of evidence.md, in a row of the page's tables.
	var rows []string
	for _, tb := range tableRows.FindAllString(body, -1) {
		for _, m := range rowRe.FindAllStringSubmatch(tb, -1) {
			rows = append(rows, m[1])
		}
	}
	tables := evidenceTables(md)
	want := 0
	for _, tbl := range tables {
		want += len(tbl)
	}
	if len(tables) != 4 || len(rows) != want {
		t.Fatalf("the page has %d table rows; evidence.md has %d tables with %d rows", len(rows), len(tables), want)
	}
	n := 0
	for ti, tbl := range tables {
		for _, cells := range tbl {
			row := rows[n]
			n++
			text := visible(row)
			cert := firstCell.FindStringSubmatch(row)
			if cert == nil {
				t.Errorf("row %q: the certainty is not its first cell", text)
				continue
			}
			certainty := visible(cert[1])
			for ci, c := range cells {
				switch {
				case c == "-" || strings.Contains(c, "do not show N"):
					continue // nothing given, or not to be shown
				case strings.HasPrefix(c, "https://"):
					if !strings.Contains(row, `href="`+html.EscapeString(c)+`"`) {
						t.Errorf("row %q does not link %s", text, c)
					}
					continue
				case ti == 0 && ci == 6 || ti == 1 && ci == 6:
					// The certainty column, in words and first.
					if !strings.HasPrefix(certainty, c+" certainty") {
						t.Errorf("row %q: certainty %q, want %q first", text, certainty, c+" certainty")
					}
					continue
				}
				if !strings.Contains(text, c) {
					t.Errorf("row %q lacks %q", text, c)
				}
			}
			hasCertainty := (ti == 0 || ti == 1) && cells[6] != "-"
			if !hasCertainty && certainty != "certainty not given" {
				t.Errorf("row %q: certainty %q, but evidence.md gives none", text, certainty)
			}
			if c := evidenceCitations[ti]; c != "" && !strings.Contains(text, c) {
				t.Errorf("row %q lacks its citation %q", text, c)
			}
			if earlier := strings.Contains(text, "earlier review (2016), since updated"); earlier != (ti == 2) {
				t.Errorf("row %q: labelled earlier review: %v", text, earlier)
			}
		}
	}
	if strings.Contains(body, "do not show N") || strings.Contains(body, "versions differ;") {
		t.Error("the page shows evidence.md's note to its readers instead of following it")
	}

	// No number on the page that evidence.md lacks.
	known := map[string]bool{}
	for _, tok := range numberToken.FindAllString(md, -1) {
		known[tok] = true
	}
	text := visible(body)
	toks := numberToken.FindAllString(text, -1)
	if len(toks) < 60 {
		t.Fatalf("found only %d numbers on the page", len(toks))
	}
	for _, tok := range toks {
		if !known[tok] {
			t.Errorf("the page shows %q, which is not a number in evidence.md", tok)
		}
	}

	// Nothing from another origin: stylesheets, scripts and images are the
	// service's own.
	for _, m := range regexp.MustCompile(`<(?:link|script|img|iframe)[^>]*(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("the page loads %s", m[1])
		}
	}
}

// TestEvidenceStatement: the service's own statement replaces Tend's.
func TestEvidenceStatement(t *testing.T) {
	f := newFixture(t, nil)
	s := f.store.s
	s.EvidenceStatement = "  Many people find a therapy that helps them. We will find one with you.  "
	if err := settings.Save(t.Context(), f.store, s); err != nil {
		t.Fatal(err)
	}
	f = newFixture(t, func(o *web.Options) {
		c := settings.NewCache(f.store)
		if err := c.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		o.Settings = c
	})
	body := f.do(t, get("/evidence")).body
	if !strings.Contains(body, `<p class="statement">Many people find a therapy that helps them. We will find one with you.</p>`) {
		t.Errorf("the service's statement is not shown:\n%s", grep(body, "statement"))
	}
	if strings.Contains(body, "there is more than one kind that works") {
		t.Error("Tend's default statement is shown beside the service's")
	}
}

// TestEvidenceSignedIn: a signed-in person's page links "talk to your
// clinician" to their care page, with the quick exit of every person
// page; the help page and the person's progress page link the evidence
// page.
func TestEvidenceSignedIn(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	res := d.get(t, "sam", "/evidence")
	if res.Code != http.StatusOK {
		t.Fatalf("GET /evidence as sam: %d", res.Code)
	}
	body := res.Body.String()
	for _, want := range []string{`<a href="/me/care">Talk to your clinician about which therapy fits you</a>`, `data-quick-exit`} {
		if !strings.Contains(body, want) {
			t.Errorf("sam's evidence page lacks %q", want)
		}
	}
	staff := d.get(t, "lee@example.org", "/evidence").Body.String()
	if strings.Contains(staff, `href="/me/care"`) {
		t.Error("a staff member's evidence page links a person's care page")
	}
	link := `<a href="/evidence">What research says about therapy for self-harm</a>`
	if !strings.Contains(d.get(t, "", "/help").Body.String(), link) {
		t.Error("the help page does not link the evidence page")
	}
	if !strings.Contains(d.get(t, "sam", "/me/progress").Body.String(), link) {
		t.Error("sam's progress page does not link the evidence page")
	}
}

// TestEvidenceStatementAdmin: the admin writes the statement in the
// settings form; it leads the evidence page and stays in the form; a
// statement over the limit is refused next to its field.
func TestEvidenceStatementAdmin(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	statement := "Most people who get help find something that works for them."
	res := d.post(t, "admin@example.org", "/admin/settings", settingsForm(t, func(f url.Values) { f.Set("evidence_statement", " "+statement+" ") }))
	if res.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.Code, grep(res.Body.String(), "error"))
	}
	if body := d.get(t, "", "/evidence").Body.String(); !strings.Contains(body, `<p class="statement">`+statement+`</p>`) {
		t.Errorf("the evidence page does not lead with the admin's statement:\n%s", grep(body, "statement"))
	}
	form := d.get(t, "admin@example.org", "/admin/settings").Body.String()
	if !strings.Contains(form, `name="evidence_statement"`) || !strings.Contains(form, ">"+statement+"</textarea>") {
		t.Errorf("the settings form does not hold the statement:\n%s", grep(form, "evidence_statement"))
	}
	long := strings.Repeat("a", settings.MaxEvidenceStatementChars+1)
	res = d.post(t, "admin@example.org", "/admin/settings", settingsForm(t, func(f url.Values) { f.Set("evidence_statement", long) }))
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Keep the statement to 300 characters.") {
		t.Errorf("a long statement: %d\n%s", res.Code, grep(res.Body.String(), "statement"))
	}
	if body := d.get(t, "", "/evidence").Body.String(); !strings.Contains(body, statement) {
		t.Error("a refused save changed the statement")
	}
}
