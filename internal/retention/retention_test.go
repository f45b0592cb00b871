package retention_test

import (
	"testing"

	"github.com/tendcare/tend/internal/retention"
)

func TestSettings(t *testing.T) {
	tests := []struct {
		name    string
		days    int
		want    int
		invalid bool
	}{
		{"Default", 0, retention.DefaultDraftDays, false},
		{"Set", 30, 30, false},
		{"ErrTooShort", 6, 6, true},
		{"ErrTooLong", retention.MaxDraftDays + 1, retention.MaxDraftDays + 1, true},
		{"ErrNotANumber", -1, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := retention.Settings{DraftDays: tt.days}
			if got := s.Days(); got != tt.want {
				t.Errorf("Days() = %d, want %d", got, tt.want)
			}
			if got := s.Validate() != ""; got != tt.invalid {
				t.Errorf("Validate() = %q, want invalid %v", s.Validate(), tt.invalid)
			}
		})
	}
}
