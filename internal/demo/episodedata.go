package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
)

// This file lays out the episode of care of each person 'tend demo-data'
// makes, so that the service outcomes report has something to show: most
// episodes start and end within the days of cards (their ends fall in
// calendar quarters and years), some people are still in treatment, a few
// referrals are never accepted, most people consent to follow-up at
// discharge and some go on filling in cards after it. One team x modality
// cell of the report's year is small on purpose (SmallCellPeople people),
// so that disclosure control has something to hide.

// Stage is where a demo person's episode of care stands today.
type Stage string

// The stages.
const (
	// StageEnded: started and discharged within the days of cards.
	StageEnded Stage = "ended"
	// StageInTreatment: started, not yet discharged.
	StageInTreatment Stage = "in_treatment"
	// StageNotAccepted: referred, and the referral was not accepted.
	StageNotAccepted Stage = "not_accepted"
)

// The small cell: people numbered 1 to SmallCellPeople are placed in the
// clinic's first team with SmallCellModality, and their episodes end in
// the report's year (Population.ReportYear). Nobody else's episode with
// that modality ends there, so the report's cell for that team and
// modality holds exactly SmallCellPeople people (or fewer, when fewer
// people are made), and shows as "fewer than 5".
const (
	SmallCellPeople   = 3
	SmallCellModality = "MBT"
)

// Share is one modality of a team's mix and its weight.
type Share struct {
	Modality string
	Weight   int
}

// defaultMix is the modality mix of a team that gives none.
var defaultMix = []Share{{"DBT", 5}, {"CBT", 3}, {"psychodynamic", 2}}

// openOnly are modalities given only to some episodes still open, so that
// the whole list shows up on the clinic pages without making small cells
// in the reports of ended episodes.
var openOnly = []string{"MBT", "other"}

// Proportions of the people outside the small cell.
const (
	notAcceptedEvery = 25   // one referral in 25 was never accepted: the 25th, 50th, 75th person...
	shareInTreatment = 0.16 // still in treatment today
	shareEndOutside  = 0.10 // of the ended: episodes ending outside the report's year
	shareDropOut     = 0.08 // of the ended: left after a few weeks, fewer than 3 sessions attended
	shareConsent     = 0.80 // of the ended: consented to follow-up at discharge
	shareRelapse     = 0.25 // of the ended: some of the gains fade after discharge
)

// Treatment lasts 12 to 30 weeks, and ends at least two weeks before today
// (so the end-of-treatment period is over and a little after it is seen).
const (
	minTreatmentDays = 12 * 7
	maxTreatmentDays = 30 * 7
	endBeforeToday   = 14
)

// span is the stretch of days a population's cards cover, and where its
// episodes can end.
type span struct {
	first, today   time.Time
	minDur, maxDur int // treatment lengths in days
	canEnd         bool
	endFrom, endTo time.Time // every possible end day
	year           int       // the report's year: the calendar year holding most of them
	yearFrom       time.Time // the end days in that year
	yearTo         time.Time
}

func (p Population) span(loc *time.Location) span {
	s := span{today: diary.Today(p.Now, loc)}
	days := max(p.Days, 1)
	s.first = s.today.AddDate(0, 0, -(days - 1))
	s.maxDur = min(maxTreatmentDays, days-1-endBeforeToday)
	s.minDur = min(minTreatmentDays, s.maxDur/2)
	s.canEnd = s.maxDur >= 28
	s.year = s.today.Year()
	if !s.canEnd {
		return s
	}
	s.endFrom, s.endTo = s.first.AddDate(0, 0, s.minDur), s.today.AddDate(0, 0, -endBeforeToday)
	most := -1
	for y := s.endFrom.Year(); y <= s.endTo.Year(); y++ {
		from := later(s.endFrom, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		to := earlier(s.endTo, time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
		if n := diary.DaysBetween(from, to); n > most {
			most, s.year, s.yearFrom, s.yearTo = n, y, from, to
		}
	}
	return s
}

// ReportYear returns the calendar year in which most of the population's
// episodes end, and the small cell's do: the year whose outcomes report
// the demo is made for. It is the year of today when no episode can end
// within the days of cards.
func (p Population) ReportYear(timeZone string) (int, error) {
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return 0, err
	}
	return p.span(loc).year, nil
}

// endDay draws an end day in the report's year, or (outside) one of the
// other end days when there are any.
func (s span) endDay(r *rand.Rand, outside bool) time.Time {
	inYear := diary.DaysBetween(s.yearFrom, s.yearTo) + 1
	all := diary.DaysBetween(s.endFrom, s.endTo) + 1
	if !outside || all == inYear {
		return s.yearFrom.AddDate(0, 0, r.IntN(inYear))
	}
	k := r.IntN(all - inYear)
	before := diary.DaysBetween(s.endFrom, s.yearFrom)
	if k < before {
		return s.endFrom.AddDate(0, 0, k)
	}
	return s.yearTo.AddDate(0, 0, 1+k-before)
}

// plan is one person's episode of care, as dates.
type plan struct {
	stage                     Stage
	referred, decided, joined time.Time // civil dates
	started, ended            time.Time // zero when not
	consent                   bool      // to follow-up, at discharge
	dropOut                   bool
	relapse                   bool
	cardsFrom, cardsTo        time.Time // cards are filled in from and to (zero: none)
}

// planCare draws the episode dates of person n.
func (s span) planCare(r *rand.Rand, n int, small bool) plan {
	var pl plan
	x := r.Float64()
	switch {
	case small && s.canEnd:
		pl.stage = StageEnded
	case n%notAcceptedEvery == 0:
		pl.stage = StageNotAccepted
	case x < shareInTreatment || !s.canEnd:
		pl.stage = StageInTreatment
	default:
		pl.stage = StageEnded
	}
	days := diary.DaysBetween(s.first, s.today) + 1
	switch pl.stage {
	case StageNotAccepted:
		pl.referred = s.first.AddDate(0, 0, r.IntN(max(days-28, 1)))
		pl.joined = pl.referred.AddDate(0, 0, r.IntN(4))
		pl.decided = earlier(pl.joined.AddDate(0, 0, 7+r.IntN(15)), s.today)
		return pl
	case StageInTreatment:
		if r.Float64() < 0.5 {
			// In longer-term therapy, begun before the first day of cards.
			pl.started = s.first.AddDate(0, 0, -1-r.IntN(120))
		} else {
			pl.started = s.first.AddDate(0, 0, r.IntN(max(days-1, 1)))
		}
	case StageEnded:
		pl.ended = s.endDay(r, !small && r.Float64() < shareEndOutside)
		// Most start within the first three months of cards, so that
		// most people have cards for most of the days.
		longest := min(s.maxDur, diary.DaysBetween(s.first, pl.ended))
		shortest := max(s.minDur, longest-90)
		dur := shortest + r.IntN(longest-shortest+1)
		if pl.dropOut = !small && r.Float64() < shareDropOut; pl.dropOut {
			dur = min(14+r.IntN(22), longest)
		}
		pl.started = pl.ended.AddDate(0, 0, -dur)
		pl.consent = small || r.Float64() < shareConsent
		pl.relapse = r.Float64() < shareRelapse
	}
	// Three to seventeen weeks from referral to the first session; the
	// person joins Tend once accepted, and may fill in cards while waiting.
	wait := 21 + r.IntN(100)
	pl.referred = pl.started.AddDate(0, 0, -wait)
	pl.decided = pl.referred.AddDate(0, 0, 7+r.IntN(15))
	pl.joined = earlier(pl.decided.AddDate(0, 0, r.IntN(7)), pl.started.AddDate(0, 0, -1))
	pl.cardsFrom, pl.cardsTo = later(s.first, pl.joined), s.today
	if pl.stage == StageEnded {
		// Some go on filling in cards after discharge (the person's own
		// tools never switch off), more of those who agreed to follow-up.
		keep := 0.35
		if pl.consent {
			keep = 0.75
		}
		if r.Float64() >= keep {
			pl.cardsTo = earlier(pl.ended.AddDate(0, 0, r.IntN(11)), s.today)
		}
	}
	return pl
}

// progress is how far along its course a person's day is: 0 before and at
// the start of treatment, rising to 1 at its end (or over about half a
// year for those still in treatment), staying there after discharge, or
// fading back part of the way for the few whose gains fade.
func (pl plan) progress(day time.Time) float64 {
	if pl.started.IsZero() || !day.After(pl.started) {
		return 0
	}
	if pl.ended.IsZero() || !day.After(pl.ended) {
		length := 182
		if !pl.ended.IsZero() {
			length = max(diary.DaysBetween(pl.started, pl.ended), 1)
		}
		return min(float64(diary.DaysBetween(pl.started, day))/float64(length), 1)
	}
	if pl.relapse {
		return 1 - 0.4*min(float64(diary.DaysBetween(pl.ended, day))/120, 1)
	}
	return 1
}

// modality draws the episode's modality from the team's mix (DBT-A for the
// under-18s in a team that offers DBT); the small cell's people get
// SmallCellModality, and some open episodes a modality of openOnly.
func (c Clinic) modality(r *rand.Rand, team CareTeamPlan, under18, open, small bool) string {
	list := c.Modalities
	if len(list) == 0 {
		list = episodes.DefaultModalities
	}
	x := r.Float64()
	if small {
		if slices.Contains(list, SmallCellModality) {
			return SmallCellModality
		}
		return list[len(list)-1]
	}
	if open && x < 0.15 {
		if m := openOnly[r.IntN(len(openOnly))]; slices.Contains(list, m) {
			return m
		}
	}
	mix := team.Modalities
	if len(mix) == 0 {
		mix = defaultMix
	}
	total := 0
	var offered []Share
	for _, s := range mix {
		if s.Weight > 0 && slices.Contains(list, s.Modality) {
			offered = append(offered, s)
			total += s.Weight
		}
	}
	if total == 0 {
		return list[r.IntN(len(list))]
	}
	k := r.IntN(total)
	for _, s := range offered {
		if k < s.Weight {
			if s.Modality == "DBT" && under18 && slices.Contains(list, "DBT-A") {
				return "DBT-A"
			}
			return s.Modality
		}
		k -= s.Weight
	}
	return offered[len(offered)-1].Modality
}

// incidentSeedSalt keeps the incidents' draws apart from the cards'.
const incidentSeedSalt = 0x2545f4914f6cdd1d

// incidents draws the few incidents a clinician records for a person in
// treatment: one for about one in twelve people, two for a few, from the
// start of treatment to three months after discharge. Fixed kinds only,
// never any detail.
func (p Population) incidents(person Person, pl plan, today time.Time, loc *time.Location, therapist tend.ID) []episodes.Incident {
	if pl.started.IsZero() {
		return nil
	}
	r := rand.New(rand.NewPCG(p.Seed^incidentSeedSalt, uint64(max(person.Number, 0)))) // #nosec G404 G115 -- synthetic data, reproducible by design
	count := 0
	switch x := r.Float64(); {
	case x < 0.02:
		count = 2
	case x < 0.1:
		count = 1
	}
	from := later(pl.started, pl.cardsFrom)
	to := today.AddDate(0, 0, -1)
	if !pl.ended.IsZero() {
		to = earlier(pl.ended.AddDate(0, 0, 90), to)
	}
	if to.Before(from) {
		return nil
	}
	var out []episodes.Incident
	for range count {
		on := from.AddDate(0, 0, r.IntN(diary.DaysBetween(from, to)+1))
		kind := episodes.IncidentEmergency
		switch x := r.Float64(); {
		case x < 0.15:
			kind = episodes.IncidentAdmission
		case x < 0.3:
			kind = episodes.IncidentPrimary
		case x < 0.4:
			kind = episodes.IncidentOther
		}
		care := episodes.MedicalYes
		switch x := r.Float64(); {
		case kind == episodes.IncidentOther && x < 0.6, kind == episodes.IncidentPrimary && x < 0.3:
			care = episodes.MedicalNo
		case x > 0.8:
			care = episodes.MedicalNotSure
		}
		recorded := at(earlier(on.AddDate(0, 0, 1+r.IntN(3)), today), loc, 9*60+r.IntN(8*60))
		if recorded.After(p.Now) {
			recorded = p.Now.Add(-time.Hour).UTC()
		}
		out = append(out, episodes.Incident{ID: newID(r, recorded), PersonID: person.Account.ID, OccurredOn: on, Kind: kind,
			MedicalCare: care, RecordedBy: therapist, RecordedAt: recorded})
	}
	slices.SortFunc(out, func(a, b episodes.Incident) int { return a.OccurredOn.Compare(b.OccurredOn) })
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
