package diary

import (
	"context"
	"time"

	"github.com/tendcare/tend"
)

// WeekDay is one day of the weekly grid.
type WeekDay struct {
	Day  time.Time
	Card *Card // nil: not filled in
	Flag *Flag
}

// Week is the weekly grid (clinical/diary-card.md "The weekly grid"):
// seven days from a Monday, by real dates.
type Week struct {
	Config Config
	Start  time.Time
	Days   []WeekDay
	// Today is the person's civil date now: later days are not shown as
	// missing, they have not happened yet.
	Today time.Time
}

// Week returns the week that holds day. Errors as Config; a staff read is
// audited (one event for the week).
func (s *Service) Week(ctx context.Context, actor tend.Actor, personID tend.ID, day time.Time) (Week, error) {
	start := WeekStart(day)
	end := start.AddDate(0, 0, 6)
	if err := s.read(ctx, actor, personID, "diary_week:"+string(personID)+":"+start.Format(DayLayout)); err != nil {
		return Week{}, err
	}
	rec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return Week{}, err
	}
	cfg, err := s.config(ctx, personID, rec)
	if err != nil {
		return Week{}, err
	}
	loc, err := zone(cfg.TimeZone)
	if err != nil || cfg.TimeZone == "" {
		loc = time.UTC
	}
	w := Week{Config: cfg, Start: start, Today: Today(s.clock.Now(), loc)}
	cards, err := s.store.FindDiaryCards(ctx, personID, start, end)
	if err != nil {
		return Week{}, err
	}
	flags, err := s.store.FindDiaryFlags(ctx, personID, start, end)
	if err != nil {
		return Week{}, err
	}
	byDay := map[time.Time]CardRecord{}
	for _, c := range cards {
		byDay[c.Day] = c
	}
	for i := range 7 {
		d := WeekDay{Day: start.AddDate(0, 0, i)}
		if r, ok := byDay[d.Day]; ok {
			c, err := s.openCard(ctx, r)
			if err != nil {
				return Week{}, err
			}
			d.Card = &c
		}
		for _, f := range flags {
			if f.Day.Equal(d.Day) {
				d.Flag = &f
			}
		}
		w.Days = append(w.Days, d)
	}
	return w, nil
}

// Span is how far back progress looks.
type Span string

// The spans the progress page offers.
const (
	Span4Weeks  Span = "4w"
	Span3Months Span = "3m"
	SpanYear    Span = "1y"
)

// Spans lists the spans in the order pages offer them.
var Spans = []Span{Span4Weeks, Span3Months, SpanYear}

// days returns how many days a span covers and the days per bucket.
func (s Span) days() (int, int) {
	switch s {
	case Span3Months:
		return 13 * 7, 7
	case SpanYear:
		return 52 * 7, 7
	}
	return 4 * 7, 1
}

// Valid reports whether s is a span.
func (s Span) Valid() bool { return s == Span4Weeks || s == Span3Months || s == SpanYear }

// Bucket is one point of the progress charts: a day (4 weeks) or a week.
type Bucket struct {
	From, To time.Time
	// Days is the number of days in the bucket up to today; Filled how
	// many have a card.
	Days, Filled int
	// Urges holds the highest rating of each urge row in the bucket;
	// Actions the number of days each action was done; Emotions the
	// highest rating of each emotion. Rows with nothing recorded are
	// absent.
	Urges, Actions, Emotions map[string]int
	// Skills counts the days in each skills category (never an average
	// of the 0-7 codes).
	Skills map[Category]int
	// RiddenOut counts urges at or above the ridden-out level whose
	// linked action was not done.
	RiddenOut int
}

// Progress is the person's progress over a span, shown without shame
// (safety-rules.md section 6): what they did for themselves, and "not
// filled in" for missing days, nothing more.
type Progress struct {
	Config  Config
	Span    Span
	From    time.Time
	To      time.Time
	Buckets []Bucket
	// Level is the ridden-out level the counts used.
	Level int
	// Totals over the span.
	Filled, RiddenOut, SkillsUsed int
}

// Progress returns the person's progress over span, up to today in their
// time zone. Errors as Config; EINVALID for an unknown span.
func (s *Service) Progress(ctx context.Context, actor tend.Actor, personID tend.ID, span Span) (Progress, error) {
	if !span.Valid() {
		return Progress{}, tend.Errorf(tend.EINVALID, "Choose 4 weeks, 3 months or a year.")
	}
	if err := s.read(ctx, actor, personID, "diary_progress:"+string(personID)+":"+string(span)); err != nil {
		return Progress{}, err
	}
	rec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return Progress{}, err
	}
	cfg, err := s.config(ctx, personID, rec)
	if err != nil {
		return Progress{}, err
	}
	loc, err := zone(cfg.TimeZone)
	if err != nil || cfg.TimeZone == "" {
		loc = time.UTC
	}
	today := Today(s.clock.Now(), loc)
	total, per := span.days()
	from := today.AddDate(0, 0, 1-total)
	if per == 7 {
		// Weeks run Monday to Sunday, by real dates.
		from = WeekStart(from)
	}
	recs, err := s.store.FindDiaryCards(ctx, personID, from, today)
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Config: cfg, Span: span, From: from, To: today, Level: s.settings().Level()}
	for d := from; !d.After(today); d = d.AddDate(0, 0, per) {
		end := d.AddDate(0, 0, per-1)
		b := Bucket{From: d, To: end, Urges: map[string]int{}, Actions: map[string]int{}, Emotions: map[string]int{}, Skills: map[Category]int{}}
		if end.After(today) {
			b.Days = DaysBetween(d, today) + 1
		} else {
			b.Days = per
		}
		p.Buckets = append(p.Buckets, b)
	}
	for _, r := range recs {
		i := DaysBetween(from, r.Day) / per
		if i < 0 || i >= len(p.Buckets) {
			continue
		}
		b := &p.Buckets[i]
		b.Filled++
		p.Filled++
		sum := Summarize(cfg, r.Values, p.Level)
		b.RiddenOut += sum.RiddenOut
		p.RiddenOut += sum.RiddenOut
		if sum.Skills != "" {
			b.Skills[sum.Skills]++
			if sum.Skills == CategoryUsed || sum.Skills == CategoryUsedHelped {
				p.SkillsUsed++
			}
		}
		for _, t := range cfg.Targets {
			switch t.Section {
			case SectionUrge:
				if v, ok := value(r.Values, UrgeField(t.ID)); ok {
					if cur, seen := b.Urges[t.ID]; !seen || v > cur {
						b.Urges[t.ID] = v
					}
				}
			case SectionEmotion:
				if v, ok := value(r.Values, EmotionField(t.ID)); ok {
					if cur, seen := b.Emotions[t.ID]; !seen || v > cur {
						b.Emotions[t.ID] = v
					}
				}
			case SectionAction:
				if Done(r.Values, t.ID) {
					b.Actions[t.ID]++
				} else if _, ok := value(r.Values, ActField(t.ID)); ok {
					b.Actions[t.ID] += 0
				}
			}
		}
	}
	return p, nil
}

func value(values map[Field]Value, f Field) (int, bool) {
	v, ok := values[f]
	if !ok || v.V == nil {
		return 0, false
	}
	return *v.V, true
}
