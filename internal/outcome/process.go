package outcome

import (
	"math"
	"time"
)

// followUp is reached of due at one follow-up point: due are the people
// who consented and whose window is over (the period is present), reached
// those of them with a questionnaire in the window or at least the minimum
// coverage of diary cards in it.
func (sh *sheet) followUp(p Period) {
	due := periodKey("has", p)
	reached := periodKey("reached", p)
	set := sh.sub(reached, due, func(e *Episode) bool {
		return e.FollowUpQuestionnaire[p] || e.Periods[p].Covered(sh.s.MinCoverage)
	})
	sh.split(due, reached)
	sh.add(Row{Measure: MeasureFollowUp, Period: p}, countFigure(sh.sets[due], set), due, reached)
}

// qs34 is NICE QS34 statement 7: the people accepting referral who
// attended at least 3 sessions, of those accepting referral.
func (sh *sheet) qs34() {
	accepted := sh.sub("accepted", "people", func(e *Episode) bool { return e.Accepted })
	sh.split("people", "accepted")
	three := sh.sub("qs34", "accepted", func(e *Episode) bool { return e.SessionsAttended >= 3 })
	sh.split("accepted", "qs34")
	sh.add(Row{Measure: MeasureQS34}, countFigure(accepted, three), "accepted", "qs34")
}

// referral is the median number of days from referral to the first
// therapy session, with its interquartile range, over the episodes that
// started.
func (sh *sheet) referral() {
	started := sh.sub("started", "people", func(e *Episode) bool { return e.StartedOn != nil })
	sh.split("people", "started")
	days := make([]float64, 0, len(started))
	for _, i := range started {
		e := &sh.eps[i]
		days = append(days, float64(civilDays(e.ReferredOn, *e.StartedOn)))
	}
	f := Figure{Kind: KindDays, N: len(started), State: NoData}
	if med, q1, q3, ok := Spread(days); ok {
		f.Value, f.Low, f.High, f.State = med, q1, q3, Shown
	}
	sh.add(Row{Measure: MeasureReferral}, f, "started", "")
}

// engagement is the share of treatment days with a card, pooled over the
// episodes with treatment days.
func (sh *sheet) engagement() {
	treated := sh.sub("treated", "people", func(e *Episode) bool { return e.TreatmentDays > 0 })
	sh.split("people", "treated")
	f := Figure{Kind: KindShare, N: len(treated), State: NoData}
	for _, i := range treated {
		f.Observed += sh.eps[i].TreatmentObserved
		f.Days += sh.eps[i].TreatmentDays
	}
	if f.Days > 0 {
		f.Value, f.State = float64(f.Observed)/float64(f.Days), Shown
	}
	sh.add(Row{Measure: MeasureEngagement}, f, "treated", "")
}

// civilDays is the number of days from the civil date of a to that of b.
func civilDays(a, b time.Time) int {
	day := func(t time.Time) time.Time {
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return int(math.Round(day(b).Sub(day(a)).Hours() / 24))
}
