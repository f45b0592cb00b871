package remind

import (
	"fmt"
	"time"
)

// This file is the schedule: pure functions from preferences, a time zone
// and an instant to the occurrences due. Wall-clock times are the person's
// own; instants are UTC.

// parseHM reads "HH:MM" as minutes after midnight.
func parseHM(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// localAt returns the instant of the wall-clock time min minutes after
// midnight on the date y-m-d in loc. A time in a spring-forward gap is
// normalised by time.Date (it still happens once that day); a time the
// fall-back hour repeats is its first instance.
func localAt(loc *time.Location, y int, m time.Month, d, min int) time.Time {
	t := time.Date(y, m, d, min/60, min%60, 0, 0, loc)
	// time.Date may pick either instance of a repeated wall-clock time;
	// an earlier instant with the same wall clock is the first.
	for _, back := range []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour, 30 * time.Minute} {
		u := t.Add(-back)
		uy, um, ud := u.Date()
		if uy == y && um == m && ud == d && u.Hour() == t.Hour() && u.Minute() == t.Minute() {
			return u
		}
	}
	return t
}

// Occurrence is one time a reminder falls due.
type Occurrence struct {
	Kind Kind
	Key  string    // the local date (daily) or ISO week (weekly)
	At   time.Time // when it goes out: the chosen time, or the end of quiet hours
	Skip string    // SkipQuiet when quiet hours keep it from going out; "" otherwise
}

// plan returns the occurrence of kind on the local date y-m-d, if the
// person has that kind on and (weekly) the date is their chosen day.
func plan(p Preferences, loc *time.Location, kind Kind, y int, m time.Month, d int) (Occurrence, bool) {
	at, ok := parseHM(p.At)
	if !ok {
		return Occurrence{}, false
	}
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	o := Occurrence{Kind: kind, At: localAt(loc, y, m, d, at)}
	switch kind {
	case KindDaily:
		if !p.Daily() {
			return Occurrence{}, false
		}
		o.Key = day.Format(time.DateOnly)
	case KindWeekly:
		if !p.Weekly || day.Weekday() != p.WeeklyDay {
			return Occurrence{}, false
		}
		wy, wk := day.ISOWeek()
		o.Key = fmt.Sprintf("%04d-W%02d", wy, wk)
	default:
		return Occurrence{}, false
	}
	if end, quiet := quietEnd(p, at); quiet {
		// During quiet hours the reminder waits until they end, the
		// same day and within LateBound; otherwise it is skipped.
		if end < 0 {
			o.Skip = SkipQuiet
			return o, true
		}
		later := localAt(loc, y, m, d, end)
		if later.Sub(o.At) > LateBound {
			o.Skip = SkipQuiet
			return o, true
		}
		o.At = later
	}
	return o, true
}

// quietEnd reports whether the wall-clock minute at falls in the quiet
// hours, and when they end that day (minutes after midnight; -1 when they
// end only the next day).
func quietEnd(p Preferences, at int) (int, bool) {
	if !p.Quiet() {
		return 0, false
	}
	from, ok1 := parseHM(p.QuietFrom)
	to, ok2 := parseHM(p.QuietTo)
	if !ok1 || !ok2 || from == to {
		return 0, false
	}
	if from < to {
		if at >= from && at < to {
			return to, true
		}
		return 0, false
	}
	// Wrapping midnight, e.g. 22:00 to 07:00.
	switch {
	case at >= from:
		return -1, true
	case at < to:
		return to, true
	}
	return 0, false
}

var kinds = []Kind{KindDaily, KindWeekly}

// Occurrences returns the person's occurrences that go out in [from, to],
// in order, reading the dates in loc.
func Occurrences(p Preferences, loc *time.Location, from, to time.Time) []Occurrence {
	var out []Occurrence
	y, m, d := from.In(loc).Date()
	start := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	ey, em, ed := to.In(loc).Date()
	end := time.Date(ey, em, ed, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	for day := start; !day.After(end); day = day.AddDate(0, 0, 1) {
		for _, k := range kinds {
			o, ok := plan(p, loc, k, day.Year(), day.Month(), day.Day())
			if ok && !o.At.Before(from) && !o.At.After(to) {
				out = append(out, o)
			}
		}
	}
	return out
}

// Next returns when the person's next occurrence after instant after goes
// out, or nil when every reminder is off.
func Next(p Preferences, loc *time.Location, after time.Time) *time.Time {
	if !p.Any() {
		return nil
	}
	y, m, d := after.In(loc).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	var best *time.Time
	for i := 0; i < 10; i++ {
		for _, k := range kinds {
			o, ok := plan(p, loc, k, day.Year(), day.Month(), day.Day())
			if ok && o.At.After(after) && (best == nil || o.At.Before(*best)) {
				at := o.At.UTC()
				best = &at
			}
		}
		if best != nil {
			// Dates in order go out in order: the first found is the next.
			break
		}
		day = day.AddDate(0, 0, 1)
	}
	return best
}
