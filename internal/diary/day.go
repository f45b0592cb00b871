package diary

import (
	"sync"
	"time"

	"github.com/tendcare/tend"
)

// DayLayout is how a civil date is written in routes, forms and the API.
const DayLayout = "2006-01-02"

// Today returns the civil date at instant now in loc, as midnight UTC.
func Today(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// YesterdayHours is how long after midnight the card offers "yesterday"
// first: an entry made at 01:30 is usually about the day before
// (clinical/diary-card.md).
const YesterdayHours = 4

// OfferYesterday reports whether, at now in loc, the person is probably
// still thinking of the day before.
func OfferYesterday(now time.Time, loc *time.Location) bool {
	return now.In(loc).Hour() < YesterdayHours
}

// ParseDay reads a civil date (YYYY-MM-DD). EINVALID for anything else.
func ParseDay(s string) (time.Time, error) {
	d, err := time.Parse(DayLayout, s)
	if err != nil {
		return time.Time{}, tend.Errorf(tend.EINVALID, "That is not a date (use YYYY-MM-DD). Nothing was saved.")
	}
	return d, nil
}

// zones keeps the zones already read: time.LoadLocation reads the zone
// database from disk on every call, and every card needs its zone.
var zones sync.Map // name -> *time.Location

// zone returns the named zone, read once.
func zone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// LoadZone reads an IANA time zone name. EINVALID for a malformed or
// unknown one ("Local" and "" are refused: a card's zone must be named).
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, tend.Errorf(tend.EINVALID, "That time zone is not one Tend knows (use a name such as Europe/London). Nothing was saved.")
	}
	loc, err := zone(name)
	if err != nil {
		return nil, tend.Errorf(tend.EINVALID, "That time zone is not one Tend knows (use a name such as Europe/London). Nothing was saved.")
	}
	return loc, nil
}

// DaysBetween returns the whole days from a to b (civil dates).
func DaysBetween(a, b time.Time) int {
	return int(b.Sub(a) / (24 * time.Hour))
}

// WeekStart returns the Monday on or before day.
func WeekStart(day time.Time) time.Time {
	off := (int(day.Weekday()) + 6) % 7
	return day.AddDate(0, 0, -off)
}
