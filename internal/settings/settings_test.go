package settings_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/settings"
)

func TestParseHours(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "WeekdayRange", in: "mon-fri 09:00-17:00", want: "mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00; fri 09:00-17:00"},
		{name: "TwoGroups", in: "Mon 08:30-12:00; sat 10:00-12:00", want: "mon 08:30-12:00; sat 10:00-12:00"},
		{name: "WrapsWeekend", in: "sat-sun 10:00-14:00", want: "sat 10:00-14:00; sun 10:00-14:00"},
		{name: "UntilMidnight", in: "fri 18:00-24:00", want: "fri 18:00-24:00"},
		{name: "ErrUnknownDay", in: "mon-fry 09:00-17:00", wantErr: "days are mon"},
		{name: "ErrEndBeforeStart", in: "mon 17:00-09:00", wantErr: "the end after the start"},
		{name: "ErrNoTimes", in: "mon-fri", wantErr: "write a day range and times"},
		{name: "ErrEmpty", in: " ; ", wantErr: "no working hours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := settings.ParseHours(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseHours(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := h.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestGroups(t *testing.T) {
	h, err := settings.ParseHours("mon-fri 09:00-17:00; sat 10:00-12:00")
	if err != nil {
		t.Fatal(err)
	}
	got := h.Groups()
	want := []settings.Group{{First: time.Monday, Last: time.Friday, Start: 540, End: 1020}, {First: time.Saturday, Last: time.Saturday, Start: 600, End: 720}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Groups = %+v, want %+v", got, want)
	}
}

func TestOpenAndNextOpen(t *testing.T) {
	h, _ := settings.ParseHours("mon-fri 09:00-17:00")
	s := settings.Settings{TimeZone: "Europe/London", WorkingHours: h, Holidays: []string{"2026-12-25", "2026-12-28"}}
	london, _ := time.LoadLocation("Europe/London")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, london) }
	tests := []struct {
		name     string
		t        time.Time
		open     bool
		nextOpen time.Time
	}{
		{"WeekdayMorning", at(2026, 12, 1, 10, 0), true, at(2026, 12, 1, 10, 0)},
		{"BeforeOpening", at(2026, 12, 1, 7, 0), false, at(2026, 12, 1, 9, 0)},
		{"AtClosing", at(2026, 12, 1, 17, 0), false, at(2026, 12, 2, 9, 0)},
		{"FridayNight", at(2026, 12, 4, 22, 0), false, at(2026, 12, 7, 9, 0)},
		{"ChristmasWeekend", at(2026, 12, 24, 18, 0), false, at(2026, 12, 29, 9, 0)},
		// 29 March 2026: clocks go forward in London; 09:00 local is 08:00 UTC.
		{"AfterClockChange", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), false, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Open(tt.t); got != tt.open {
				t.Errorf("Open(%v) = %v, want %v", tt.t, got, tt.open)
			}
			if got := s.NextOpen(tt.t); !got.Equal(tt.nextOpen) {
				t.Errorf("NextOpen(%v) = %v, want %v", tt.t, got, tt.nextOpen)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	h, _ := settings.ParseHours("mon-fri 09:00-17:00")
	good := settings.Settings{Name: "Riverside", Country: "GB", TimeZone: "Europe/London", Locale: "en-GB", WorkingHours: h,
		OutOfHours: "Call NHS 111", Emergency: "Call 999 or go to A&E"}
	if p := good.Validate(); p != nil {
		t.Fatalf("valid settings refused: %v", p)
	}
	withStatement := good
	withStatement.EvidenceStatement = strings.Repeat("é", settings.MaxEvidenceStatementChars)
	if p := withStatement.Validate(); p != nil {
		t.Fatalf("a statement of %d characters refused: %v", settings.MaxEvidenceStatementChars, p)
	}
	tests := []struct {
		name   string
		change func(*settings.Settings)
		field  string
	}{
		{"ErrNoOutOfHours", func(s *settings.Settings) { s.OutOfHours = " " }, "out_of_hours"},
		{"ErrNoEmergency", func(s *settings.Settings) { s.Emergency = "" }, "emergency"},
		{"ErrNoHours", func(s *settings.Settings) { s.WorkingHours = nil }, "working_hours"},
		{"ErrTimeZone", func(s *settings.Settings) { s.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"ErrCountry", func(s *settings.Settings) { s.Country = "United Kingdom" }, "country"},
		{"ErrHoliday", func(s *settings.Settings) { s.Holidays = []string{"25/12/2026"} }, "holidays"},
		{"ErrLineNumber", func(s *settings.Settings) { s.Lines = []settings.Line{{Name: "Duty", Call: "call us"}} }, "lines.0"},
		{"ErrLineNoNumber", func(s *settings.Settings) { s.Lines = []settings.Line{{Name: "Duty"}} }, "lines.0"},
		{"ErrModalityTwice", func(s *settings.Settings) { s.Modalities = []string{"DBT", "dbt"} }, "modalities"},
		{"ErrModalityBlank", func(s *settings.Settings) { s.Modalities = []string{"DBT", ""} }, "modalities"},
		{"ErrModalityLong", func(s *settings.Settings) { s.Modalities = []string{strings.Repeat("x", settings.MaxModalityChars+1)} }, "modalities"},
		{"ErrWindowWide", func(s *settings.Settings) { s.FollowUpWindowWeeks = settings.MaxFollowUpWindow + 1 }, "follow_up_window_weeks"},
		{"ErrWindowNotANumber", func(s *settings.Settings) { s.FollowUpWindowWeeks = -1 }, "follow_up_window_weeks"},
		{"ErrEvidenceStatementLong", func(s *settings.Settings) {
			s.EvidenceStatement = strings.Repeat("é", settings.MaxEvidenceStatementChars+1)
		}, "evidence_statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			tt.change(&s)
			p := s.Validate()
			if _, ok := p[tt.field]; !ok || len(p) != 1 {
				t.Errorf("problems = %v, want exactly one for %s", p, tt.field)
			}
		})
	}
}

func TestHoursJSON(t *testing.T) {
	var s settings.Settings
	if err := json.Unmarshal([]byte(`{"working_hours":"mon-tue 09:00-12:00"}`), &s); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s.WorkingHours)
	if string(b) != `"mon 09:00-12:00; tue 09:00-12:00"` {
		t.Errorf("round trip = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"working_hours":"someday"}`), &s); err == nil {
		t.Error("invalid hours in JSON were accepted")
	}
}
