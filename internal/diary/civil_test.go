package diary_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
)

// TestCivilDatesAcrossZones files entries made around midnight and around
// the clocks changing, in zones east and west, with half-hour and
// quarter-hour offsets and on both hemispheres' daylight-saving calendars:
// "today" is always the person's own date at the moment of the entry, the
// "yesterday" an entry just after midnight offers is the day before, the
// next day is refused as not yet happened, and the card keeps the zone.
func TestCivilDatesAcrossZones(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	zones := []string{"Europe/London", "Australia/Sydney", "America/New_York", "Pacific/Auckland", "Asia/Kolkata",
		"America/St_Johns", "Pacific/Chatham", "Asia/Kathmandu", "America/Santiago", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"}
	// The days of 2026 on which some of these zones' clocks change, and
	// ordinary days.
	days := []string{"2026-03-08", "2026-03-29", "2026-04-05", "2026-04-06", "2026-09-06", "2026-09-27", "2026-10-04",
		"2026-10-25", "2026-11-01", "2026-02-14", "2026-06-21", "2026-12-31"}
	rng := rand.New(rand.NewPCG(6, 2026))
	for i := range 400 {
		zone := zones[rng.IntN(len(zones))]
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := time.Parse(diary.DayLayout, days[rng.IntN(len(days))])
		// An instant within three hours either side of a local midnight,
		// or any time of that day.
		var at time.Time
		if rng.IntN(4) > 0 {
			at = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Add(time.Duration(rng.IntN(6*60)-3*60) * time.Minute)
		} else {
			at = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Add(time.Duration(rng.IntN(24*60)) * time.Minute)
		}
		f.clock.Set(at)
		// What the person's own calendar says, worked out apart from the
		// code under test.
		y, m, dd := at.In(loc).Date()
		want := fmt.Sprintf("%04d-%02d-%02d", y, m, dd)
		today := diary.Today(at, loc)
		if today.Format(diary.DayLayout) != want {
			t.Fatalf("%s at %s: today = %s, want %s", zone, at.In(loc), today.Format(diary.DayLayout), want)
		}
		day := want
		if diary.OfferYesterday(at, loc) {
			if at.In(loc).Hour() >= diary.YesterdayHours {
				t.Fatalf("%s at %s: offered yesterday", zone, at.In(loc))
			}
			day = time.Date(y, m, dd-1, 12, 0, 0, 0, time.UTC).Format(diary.DayLayout)
		}
		out, err := f.diary.Save(ctx, f.sam, f.sam.ID, diary.Input{Day: day, TimeZone: zone, Key: fmt.Sprintf("k%d", i),
			Changes: []diary.Change{change(diary.EmotionField("e.joy"), i%6, time.Time{})}})
		if err != nil {
			t.Fatalf("%s at %s: saving %s: %v", zone, at.In(loc), day, err)
		}
		if got := out.Card.Day.Format(diary.DayLayout); got != day {
			t.Fatalf("%s at %s: filed on %s, want %s", zone, at.In(loc), got, day)
		}
		if out.Created && out.Card.TimeZone != zone {
			t.Fatalf("card's zone = %q, want %q", out.Card.TimeZone, zone)
		}
		tomorrow := time.Date(y, m, dd+1, 12, 0, 0, 0, time.UTC).Format(diary.DayLayout)
		_, err = f.diary.Save(ctx, f.sam, f.sam.ID, diary.Input{Day: tomorrow, TimeZone: zone, Key: fmt.Sprintf("t%d", i),
			Changes: []diary.Change{change(diary.EmotionField("e.joy"), 1, time.Time{})}})
		if tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("%s at %s: tomorrow (%s) was not refused: %v", zone, at.In(loc), tomorrow, err)
		}
	}
}
