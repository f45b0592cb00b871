package evidence_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/evidence"
)

// testdata/evidence.md is a checked-in copy of clinical/evidence.md, the
// only source of what the evidence page may show.
func source(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/evidence.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tables reads the markdown tables of evidence.md in order: each a list of
// rows, each row its cells, header and rule left out.
func tables(md string) [][][]string {
	var out [][][]string
	in := false
	header := false
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			in = false
			continue
		}
		if !in {
			in, header = true, true
			out = append(out, nil)
			continue
		}
		if header && strings.HasPrefix(line, "|---") {
			header = false
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		out[len(out)-1] = append(out[len(out)-1], cells)
	}
	return out
}

// orNone turns evidence.md's "-" (nothing given) into "".
func orNone(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func equal(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %q, evidence.md has %q", what, got, want)
	}
}

// TestReviewsAsPublished: every row of each review's table holds exactly
// the cells of the same row of evidence.md, in the same order, and no row
// is missing or added.
func TestReviewsAsPublished(t *testing.T) {
	md := tables(source(t))
	if len(md) != 4 {
		t.Fatalf("evidence.md has %d tables, want 4 (young people, adults, Hawton 2016, single trials)", len(md))
	}
	reviews := evidence.Reviews()
	if len(reviews) != 3 {
		t.Fatalf("%d reviews, want 3", len(reviews))
	}
	for ti, rv := range reviews {
		rows := md[ti]
		if len(rv.Findings) != len(rows) {
			t.Errorf("%s: %d findings, evidence.md's table has %d rows", rv.Source.Citation, len(rv.Findings), len(rows))
			continue
		}
		for i, f := range rv.Findings {
			c := rows[i]
			equal(t, "therapy", f.Therapy, c[0])
			equal(t, "comparison", f.Comparison, c[1])
			switch ti {
			case 0: // therapy | compared with | OR | CI | k | N | certainty | plain words
				equal(t, "OR", f.OddsRatio, c[2])
				equal(t, "CI", f.Interval, c[3])
				equal(t, "k", f.K, c[4])
				equal(t, "N", f.N, c[5])
				equal(t, "certainty", string(f.Certainty), c[6])
				equal(t, "plain words", f.Plain, c[7])
				equal(t, "result", f.Result, "")
				equal(t, "outcome", f.Outcome, "repetition of self-harm, post-intervention")
			case 1: // therapy | compared with | outcome, timepoint | result | k | N | certainty | plain words
				equal(t, "outcome", f.Outcome, c[2])
				equal(t, "result", f.Result, c[3])
				equal(t, "k", f.K, orNone(c[4]))
				equal(t, "N", f.N, orNone(c[5]))
				equal(t, "certainty", string(f.Certainty), orNone(c[6]))
				equal(t, "plain words", f.Plain, c[7])
			case 2: // therapy | compared with | outcome, timepoint | result | k | N | plain words
				equal(t, "outcome", f.Outcome, c[2])
				equal(t, "result", f.Result, c[3])
				equal(t, "k", f.K, c[4])
				if strings.Contains(c[5], "do not show N") {
					if !f.NWithheld || f.N != "" {
						t.Errorf("%s: evidence.md says not to show N, but N is %q (withheld %v)", f.Outcome, f.N, f.NWithheld)
					}
				} else {
					equal(t, "N", f.N, c[5])
				}
				equal(t, "certainty", string(f.Certainty), "") // the table gives none
				equal(t, "plain words", f.Plain, c[6])
			}
			if f.Result == "" && f.OddsRatio == "" {
				t.Errorf("%s: no result", f.Therapy)
			}
		}
	}
}

// TestSourcesAsPublished: each review's reference, size, source of the
// figures and link are evidence.md's, and only the 2016 review is marked
// as earlier.
func TestSourcesAsPublished(t *testing.T) {
	md := strings.Join(strings.Fields(source(t)), " ")
	if !strings.Contains(md, `label it "earlier review (2016), since updated"`) {
		t.Fatal("evidence.md no longer asks for the 2016 label: look again at which review is earlier")
	}
	for _, rv := range evidence.Reviews() {
		s := rv.Source
		for what, v := range map[string]string{"citation": s.Citation, "reference": s.Reference, "size": s.Size, "via": s.Via, "via link": s.ViaURL} {
			if v != "" && !strings.Contains(md, v) {
				t.Errorf("%s: %s %q is not in evidence.md", s.Citation, what, v)
			}
		}
		if !strings.HasPrefix(s.Reference, s.Citation) {
			t.Errorf("%s: the reference %q does not start with the citation", s.Citation, s.Reference)
		}
		// A review's link is its DOI's, or the address evidence.md gives.
		if _, doi, ok := strings.Cut(s.Reference, "doi:"); ok {
			equal(t, s.Citation+" link", s.URL, "https://doi.org/"+doi)
		} else if !strings.Contains(md, "("+s.URL+")") {
			t.Errorf("%s: link %q is not in evidence.md", s.Citation, s.URL)
		}
		if s.Earlier != strings.HasPrefix(s.Citation, "Hawton K et al. 2016") {
			t.Errorf("%s: earlier is %v", s.Citation, s.Earlier)
		}
	}
}

// TestTrialsAsPublished: the single trials are evidence.md's, cell for
// cell.
func TestTrialsAsPublished(t *testing.T) {
	md := tables(source(t))
	rows := md[len(md)-1]
	trials := evidence.Trials()
	if len(trials) != len(rows) {
		t.Fatalf("%d trials, evidence.md has %d", len(trials), len(rows))
	}
	for i, tr := range trials {
		c := rows[i]
		equal(t, "trial", tr.Citation, c[0])
		equal(t, "who", tr.Who, c[1])
		equal(t, "comparison", tr.Comparison, c[2])
		equal(t, "outcome", tr.Outcome, c[3])
		equal(t, "result", tr.Result, c[4])
		equal(t, "source", tr.URL, c[5])
	}
}

// numbers finds the numbers in a text: "2,280", "0.46", "75", "005".
var numbers = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

// TestNoOtherFigure: every number in the data is one of evidence.md's.
func TestNoOtherFigure(t *testing.T) {
	known := map[string]bool{}
	for _, n := range numbers.FindAllString(source(t), -1) {
		known[n] = true
	}
	var texts []string
	for _, rv := range evidence.Reviews() {
		s := rv.Source
		texts = append(texts, s.Citation, s.Reference, s.URL, s.Size, s.Via, s.ViaURL)
		for _, f := range rv.Findings {
			texts = append(texts, f.Therapy, f.Comparison, f.Outcome, f.Result, f.OddsRatio, f.Interval, f.K, f.N, string(f.Certainty), f.Plain)
		}
	}
	for _, tr := range evidence.Trials() {
		texts = append(texts, tr.Citation, tr.Who, tr.Comparison, tr.Outcome, tr.Result, tr.URL)
	}
	checked := 0
	for _, s := range texts {
		for _, n := range numbers.FindAllString(s, -1) {
			checked++
			if !known[n] {
				t.Errorf("%q in %q is not a number evidence.md gives", n, s)
			}
		}
	}
	if checked < 50 {
		t.Fatalf("checked only %d numbers", checked)
	}
}
