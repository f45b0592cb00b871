package web

import (
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/evidence"
)

// The evidence page (clinical/evidence.md "How to present this"): public,
// for anyone, like the help page. It leads with the service's short,
// hopeful statement and the help link; the research figures wait under
// "See the research figures", each exactly as published with its
// certainty first and in words, its comparison, outcome, timepoint and
// citation, and what the figures do not show. Every figure comes from
// package evidence; the page adds none.

// certaintyIDs words each certainty; a finding without one says so.
var certaintyIDs = map[evidence.Certainty]string{
	evidence.CertaintyHigh:     "evidence.certainty.high",
	evidence.CertaintyModerate: "evidence.certainty.moderate",
	evidence.CertaintyLow:      "evidence.certainty.low",
	evidence.CertaintyVeryLow:  "evidence.certainty.very_low",
	"":                         "evidence.certainty.not_given",
}

// groupIDs name who each review's participants were.
var groupIDs = map[evidence.Group]string{
	evidence.GroupYoung:  "evidence.group.young",
	evidence.GroupAdults: "evidence.group.adults",
}

// evidenceMessageIDs are the ids the evidence page chooses in code, for
// the start-up check of the catalogue.
func evidenceMessageIDs() []string {
	ids := []string{"evidence.title", "evidence.statement_default", "evidence.odds_ratio", "evidence.not_given",
		"evidence.n_withheld", "evidence.caption", "evidence.caption_labelled", "evidence.earlier"}
	for _, id := range certaintyIDs {
		ids = append(ids, id)
	}
	for _, id := range groupIDs {
		ids = append(ids, id)
	}
	return ids
}

// evidenceLink is a publication as the page links it.
type evidenceLink struct {
	Text, URL string
}

// evidenceRow is one finding of a review, every cell in words.
type evidenceRow struct {
	Certainty           string
	Therapy, Comparison string
	Outcome, Result     string
	K, N                string
	Plain               string
	Citation            evidenceLink
	Earlier             string // "earlier review (2016), since updated", or ""
}

// evidenceTable is one review's table.
type evidenceTable struct {
	ID        string // the caption's id
	Caption   string
	Reference evidenceLink
	Size      string
	Via       evidenceLink
	Earlier   string
	Rows      []evidenceRow
}

// evidenceGroup is the reviews of one group of people.
type evidenceGroup struct {
	ID, Heading string
	Tables      []evidenceTable
}

type evidencePage struct {
	Base
	Statement string
	// Care links "talk to your clinician" to the person's care page; signed
	// out (or staff), the words point to the care team without a link.
	Care    bool
	Reviews []evidenceLink // the full reviews
	Groups  []evidenceGroup
	Trials  []evidence.Trial
}

// evidenceShow renders the evidence page for anyone, signed in or not. It
// reads nothing but the settings cache, and holds nothing personal.
func (s *Server) evidenceShow(w http.ResponseWriter, r *http.Request) error {
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	a := actorFrom(r)
	page := &evidencePage{Base: Base{Title: p.T("evidence.title"), QuickExit: a.Kind == tend.KindPerson},
		Statement: strings.TrimSpace(st.EvidenceStatement), Care: a.Kind == tend.KindPerson, Trials: evidence.Trials()}
	if page.Statement == "" {
		page.Statement = p.T("evidence.statement_default")
	}
	for _, rv := range evidence.Reviews() {
		src := rv.Source
		link := evidenceLink{Text: src.Citation, URL: src.URL}
		t := evidenceTable{ID: "evidence-" + strings.ToLower(strings.Fields(src.Citation)[0]) + "-" + string(rv.Group),
			Caption: p.T("evidence.caption", p.T(groupIDs[rv.Group]), src.Citation), Reference: evidenceLink{Text: src.Reference, URL: src.URL},
			Size: src.Size, Via: evidenceLink{Text: src.Via, URL: src.ViaURL}}
		if src.Earlier {
			t.Earlier = p.T("evidence.earlier")
			t.Caption = p.T("evidence.caption_labelled", t.Caption, t.Earlier)
		}
		page.Reviews = append(page.Reviews, t.Reference)
		for _, f := range rv.Findings {
			row := evidenceRow{Certainty: p.T(certaintyIDs[f.Certainty]), Therapy: f.Therapy, Comparison: f.Comparison, Outcome: f.Outcome,
				Result: f.Result, K: f.K, N: f.N, Plain: f.Plain, Citation: link, Earlier: t.Earlier}
			if row.Result == "" {
				row.Result = p.T("evidence.odds_ratio", f.OddsRatio, f.Interval)
			}
			if row.K == "" {
				row.K = p.T("evidence.not_given")
			}
			switch {
			case f.NWithheld:
				row.N = p.T("evidence.n_withheld")
			case row.N == "":
				row.N = p.T("evidence.not_given")
			}
			t.Rows = append(t.Rows, row)
		}
		if n := len(page.Groups); n > 0 && page.Groups[n-1].ID == "evidence-"+string(rv.Group) {
			page.Groups[n-1].Tables = append(page.Groups[n-1].Tables, t)
			continue
		}
		page.Groups = append(page.Groups, evidenceGroup{ID: "evidence-" + string(rv.Group), Heading: p.T(groupIDs[rv.Group]), Tables: []evidenceTable{t}})
	}
	// Nothing personal: the page differs only by whether a person is
	// signed in (the link to their care page).
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Add("Vary", "Cookie")
	return s.render(w, r, http.StatusOK, "evidence", page)
}
