package measure_test

import (
	"testing"

	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/measure"
)

// RuleWords names each kind of rule in the catalogue's words, the same for
// the clinician's questionnaire page and the outcome reports.
func TestRuleWords(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	p := cat.Printer("en")
	for _, id := range measure.RuleMessageIDs {
		if p.T(id, "x", "y", "z", "w") == id {
			t.Errorf("message %s is missing", id)
		}
	}
	phq := measure.PHQ9()
	jt := measure.Instrument{Scoring: measure.Scoring{Change: &measure.ReliableChange{SD: 7.5, Reliability: 0.84, Source: "A manual"}}}
	plain := measure.Instrument{Scoring: measure.Scoring{Change: &measure.ReliableChange{Points: 5}}}
	c := measure.Change{RCI: 2.1213}
	for _, tt := range []struct {
		name string
		in   measure.Instrument
		c    *measure.Change
		want string
	}{
		{"FixedPointsWithSource", phq, nil, "Reliable change: 6 or more points (" + phq.Scoring.Change.Source + ")."},
		{"FixedPoints", plain, nil, "Reliable change: 5 or more points."},
		{"JacobsonTruax", jt, nil, "Jacobson & Truax (1991): reliable when |RC| > 1.96 (SD 7.5, reliability 0.84). Source: A manual."},
		{"JacobsonTruaxWithIndex", jt, &c, "Jacobson & Truax (1991): RC = 2.12, reliable when |RC| > 1.96 (SD 7.5, reliability 0.84). Source: A manual."},
		{"NoRule", measure.Instrument{}, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.RuleWords(p, tt.c); got != tt.want {
				t.Errorf("RuleWords = %q, want %q", got, tt.want)
			}
		})
	}
}
