package settings_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/settings"
)

// workingWeek is mon-fri 09:00-17:00 in London with Monday 9 March 2026 a
// holiday; London moves to summer time on Sunday 29 March 2026.
func workingWeek(t *testing.T, text string) settings.Settings {
	t.Helper()
	h, err := settings.ParseHours(text)
	if err != nil {
		t.Fatal(err)
	}
	return settings.Settings{TimeZone: "Europe/London", WorkingHours: h, Holidays: []string{"2026-03-09"}}
}

func TestAddWorkingDays(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	s := workingWeek(t, "mon-fri 09:00-17:00")
	for _, tt := range []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"friday afternoon, holiday monday", at(3, 6, 15, 0), 1, at(3, 10, 9, 0)},
		{"two days over the holiday", at(3, 6, 15, 0), 2, at(3, 11, 9, 0)},
		{"saturday", at(3, 7, 11, 0), 1, at(3, 10, 9, 0)},
		{"on the holiday", at(3, 9, 10, 0), 1, at(3, 10, 9, 0)},
		{"tuesday before opening is still tuesday", at(3, 10, 8, 0), 1, at(3, 11, 9, 0)},
		{"wednesday evening", at(3, 11, 20, 0), 1, at(3, 12, 9, 0)},
		{"over the clocks going forward", at(3, 27, 16, 0), 1, at(3, 30, 9, 0)},
		{"zero is now", at(3, 6, 15, 0), 0, at(3, 6, 15, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.AddWorkingDays(tt.from, tt.n); !got.Equal(tt.want) {
				t.Errorf("AddWorkingDays(%v, %d) = %v, want %v", tt.from, tt.n, got, tt.want)
			}
		})
	}
	if got := (settings.Settings{TimeZone: "Europe/London"}).AddWorkingDays(at(3, 6, 15, 0), 1); !got.IsZero() {
		t.Errorf("without working hours: %v, want the zero time", got)
	}
}

func TestAddWorkingTime(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	s := workingWeek(t, "mon-fri 09:00-17:00")
	split := workingWeek(t, "mon-fri 09:00-12:00; mon-fri 13:00-17:00")
	for _, tt := range []struct {
		name string
		s    settings.Settings
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within the day", s, at(3, 10, 10, 0), 4 * time.Hour, at(3, 10, 14, 0)},
		{"ends at closing", s, at(3, 10, 13, 0), 4 * time.Hour, at(3, 10, 17, 0)},
		{"over the weekend and the holiday", s, at(3, 6, 15, 0), 4 * time.Hour, at(3, 10, 11, 0)},
		{"from the weekend", s, at(3, 7, 12, 0), 90 * time.Minute, at(3, 10, 10, 30)},
		{"before opening", s, at(3, 11, 7, 0), time.Hour, at(3, 11, 10, 0)},
		{"a full working day and more", s, at(3, 11, 9, 0), 9 * time.Hour, at(3, 12, 10, 0)},
		{"lunch does not count", split, at(3, 10, 11, 0), 2 * time.Hour, at(3, 10, 14, 0)},
		{"over the clocks going forward", s, at(3, 27, 16, 0), 2 * time.Hour, at(3, 30, 10, 0)},
		{"zero is now", s, at(3, 7, 12, 0), 0, at(3, 7, 12, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.AddWorkingTime(tt.from, tt.d); !got.Equal(tt.want) {
				t.Errorf("AddWorkingTime(%v, %v) = %v, want %v", tt.from, tt.d, got, tt.want)
			}
		})
	}
}

func TestNudgeSettings(t *testing.T) {
	var s settings.Settings
	if err := json.Unmarshal([]byte(`{"nudges":{"team":"4 working hours","lead":"off"}}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.Nudges.Team != (followup.Delay{Hours: 4}) || !s.Nudges.Lead.Off {
		t.Fatalf("read %+v", s.Nudges)
	}
	b, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(b), `"nudges":{"team":"4 working hours","lead":"off"}`) {
		t.Fatalf("wrote %s, %v", b, err)
	}
	if b, _ := json.Marshal(settings.Settings{}); strings.Contains(string(b), "nudges") {
		t.Fatalf("default reminders written out: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"nudges":{"team":"soon"}}`), &s); err == nil || !strings.Contains(err.Error(), "working day") {
		t.Fatalf("bad delay: %v", err)
	}
	s.Nudges.Team = followup.Delay{Days: 1, Hours: 4}
	if p := s.Validate(); p["nudges.team"] == "" {
		t.Fatalf("both days and hours accepted: %v", p)
	}
}
