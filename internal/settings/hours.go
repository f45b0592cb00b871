package settings

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Window is one stretch of working time on one weekday, in the service's
// time zone. Start and End are minutes after midnight.
type Window struct {
	Day        time.Weekday
	Start, End int
}

// Hours are the service's working hours, written as text such as
// "mon-fri 09:00-17:00; sat 10:00-12:00".
type Hours []Window

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseHours reads working hours from text: groups separated by ";", each a
// day or day range and a time range.
func ParseHours(text string) (Hours, error) {
	var h Hours
	for _, group := range strings.Split(text, ";") {
		group = strings.TrimSpace(strings.ToLower(group))
		if group == "" {
			continue
		}
		days, span, ok := strings.Cut(group, " ")
		if !ok {
			return nil, fmt.Errorf("%q: write a day range and times, such as mon-fri 09:00-17:00", group)
		}
		first, last, err := parseDays(days)
		if err != nil {
			return nil, err
		}
		from, to, ok := strings.Cut(strings.TrimSpace(span), "-")
		if !ok {
			return nil, fmt.Errorf("%q: write times as 09:00-17:00", span)
		}
		start, err1 := parseClock(from)
		end, err2 := parseClock(to)
		if err1 != nil || err2 != nil || end <= start {
			return nil, fmt.Errorf("%q: write times as 09:00-17:00, the end after the start", span)
		}
		for d := first; ; d = (d + 1) % 7 {
			h = append(h, Window{Day: d, Start: start, End: end})
			if d == last {
				break
			}
		}
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("no working hours given")
	}
	return h, nil
}

func parseDays(s string) (time.Weekday, time.Weekday, error) {
	a, b, isRange := strings.Cut(s, "-")
	first, ok1 := dayIndex(a)
	last, ok2 := first, true
	if isRange {
		last, ok2 = dayIndex(b)
	}
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("%q: days are mon, tue, wed, thu, fri, sat, sun", s)
	}
	return first, last, nil
}

func dayIndex(s string) (time.Weekday, bool) {
	for i, n := range dayNames {
		if s == n {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// String writes the hours in the form ParseHours reads, one group per window.
func (h Hours) String() string {
	parts := make([]string, len(h))
	for i, w := range h {
		parts[i] = fmt.Sprintf("%s %02d:%02d-%02d:%02d", dayNames[w.Day], w.Start/60, w.Start%60, w.End/60, w.End%60)
	}
	return strings.Join(parts, "; ")
}

// MarshalJSON writes the hours as their text form.
func (h Hours) MarshalJSON() ([]byte, error) { return json.Marshal(h.String()) }

// UnmarshalJSON reads the text form.
func (h *Hours) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*h = nil
		return nil
	}
	parsed, err := ParseHours(s)
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// Open reports whether the service is open at t, given its time zone and
// holidays.
func (s Settings) Open(t time.Time) bool {
	local := t.In(s.Location())
	date := local.Format(time.DateOnly)
	for _, d := range s.Holidays {
		if d == date {
			return false
		}
	}
	m := local.Hour()*60 + local.Minute()
	for _, w := range s.WorkingHours {
		if w.Day == local.Weekday() && m >= w.Start && m < w.End {
			return true
		}
	}
	return false
}

// NextOpen returns the next instant at or after t when the service opens,
// or the zero time when it never does within two weeks.
func (s Settings) NextOpen(t time.Time) time.Time {
	loc := s.Location()
	local := t.In(loc)
	if s.Open(local) {
		return t
	}
	for i := 0; i < 15; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		if s.holiday(day) {
			continue
		}
		best := -1
		for _, w := range s.WorkingHours {
			if w.Day != day.Weekday() {
				continue
			}
			start := day.Add(time.Duration(w.Start) * time.Minute)
			if i == 0 && start.Before(local) {
				continue
			}
			if best < 0 || w.Start < best {
				best = w.Start
			}
		}
		if best >= 0 {
			return time.Date(day.Year(), day.Month(), day.Day(), best/60, best%60, 0, 0, loc)
		}
	}
	return time.Time{}
}

func (s Settings) holiday(day time.Time) bool {
	date := day.Format(time.DateOnly)
	for _, d := range s.Holidays {
		if d == date {
			return true
		}
	}
	return false
}

// Group is a run of consecutive weekdays with the same working time.
type Group struct {
	First, Last time.Weekday
	Start, End  int
}

// Groups merges consecutive days with identical windows, in the order the
// hours were written, so "mon-fri 09:00-17:00" reads back as one group.
func (h Hours) Groups() []Group {
	var out []Group
	for _, w := range h {
		if n := len(out); n > 0 {
			g := &out[n-1]
			if g.Start == w.Start && g.End == w.End && (g.Last+1)%7 == w.Day && g.First != w.Day {
				g.Last = w.Day
				continue
			}
		}
		out = append(out, Group{First: w.Day, Last: w.Day, Start: w.Start, End: w.End})
	}
	return out
}

// workingSearchDays bounds how far ahead working time is looked for: a year
// of closed days means the hours are wrong, not that work waits a year.
const workingSearchDays = 400

// AddWorkingDays returns the start of the nth working day after the day t
// falls on in the service's time zone: a day with working hours that is
// not a holiday. A task opened on a Friday afternoon, with Monday a
// holiday, reaches one working day at Tuesday's opening. n below 1 returns
// t; the zero time when no such day comes within a year.
func (s Settings) AddWorkingDays(t time.Time, n int) time.Time {
	if n < 1 {
		return t
	}
	loc := s.Location()
	local := t.In(loc)
	for i := 1; i <= workingSearchDays; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		start, ok := s.dayStart(day)
		if !ok {
			continue
		}
		if n--; n == 0 {
			return start
		}
	}
	return time.Time{}
}

// dayStart returns when the service opens on day (a local midnight), and
// false on a holiday or a day without working hours.
func (s Settings) dayStart(day time.Time) (time.Time, bool) {
	if s.holiday(day) {
		return time.Time{}, false
	}
	best := -1
	for _, w := range s.WorkingHours {
		if w.Day == day.Weekday() && (best < 0 || w.Start < best) {
			best = w.Start
		}
	}
	if best < 0 {
		return time.Time{}, false
	}
	return time.Date(day.Year(), day.Month(), day.Day(), best/60, best%60, 0, 0, day.Location()), true
}

// AddWorkingTime returns the instant when d of working time has passed
// after t: only the service's working hours count, in its time zone, and
// holidays not at all. "4 working hours" from Friday 15:00, with hours
// mon-fri 09:00-17:00, ends on Monday at 11:00. d of zero or less returns
// t; the zero time when the time cannot pass within a year.
func (s Settings) AddWorkingTime(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	loc := s.Location()
	local := t.In(loc)
	left := d
	for i := 0; i <= workingSearchDays; i++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+i, 0, 0, 0, 0, loc)
		if s.holiday(day) {
			continue
		}
		var ws []Window
		for _, w := range s.WorkingHours {
			if w.Day == day.Weekday() {
				ws = append(ws, w)
			}
		}
		slices.SortFunc(ws, func(a, b Window) int { return a.Start - b.Start })
		cursor := t
		for _, w := range ws {
			from := time.Date(day.Year(), day.Month(), day.Day(), w.Start/60, w.Start%60, 0, 0, loc)
			to := time.Date(day.Year(), day.Month(), day.Day(), w.End/60, w.End%60, 0, 0, loc)
			if from.Before(cursor) {
				from = cursor // windows written twice, or t inside this one
			}
			if !from.Before(to) {
				continue
			}
			if avail := to.Sub(from); left <= avail {
				return from.Add(left)
			} else {
				left -= avail
			}
			cursor = to
		}
	}
	return time.Time{}
}
