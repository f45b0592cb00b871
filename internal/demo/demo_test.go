package demo_test

import (
	"testing"

	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
)

// TestSettings: the demo service is complete, and works in a country whose
// crisis lines the clinical file lists, so its help page shows them.
func TestSettings(t *testing.T) {
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dir.Lookup(s.Country); !ok {
		t.Errorf("the demo country %s has no crisis lines", s.Country)
	}
	if len(s.WorkingHours) == 0 || s.OutOfHours == "" || s.Emergency == "" {
		t.Errorf("demo settings incomplete: %+v", s)
	}
}
