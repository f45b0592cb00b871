package outcome_test

import (
	"testing"

	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
)

// TestMessages: every measure, part and period a report has a label in
// the catalogue, and the note is outcomes.md's, word for word.
func TestMessages(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range outcome.Measures(fiveEpisodes(), outcome.Defaults) {
		ids = append(ids, r.Measure.Key())
		if r.Part != "" {
			ids = append(ids, r.Part.Key())
		}
	}
	for _, p := range outcome.Periods {
		ids = append(ids, p.Key())
	}
	ids = append(ids, "outcome.fewer_than", "outcome.counts_only", "outcome.not_estimable", "outcome.no_data")
	for _, id := range ids {
		if !c.Has(id) {
			t.Errorf("no message %q", id)
		}
	}
	if got := c.Printer("en").T("outcome.note"); got != outcome.Note {
		t.Errorf("outcome.note = %q, want %q", got, outcome.Note)
	}
	if got := c.Printer("en").T("outcome.fewer_than", 5); got != "fewer than 5" {
		t.Errorf("outcome.fewer_than = %q", got)
	}
}
