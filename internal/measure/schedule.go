package measure

import (
	"fmt"
	"slices"
	"time"

	"github.com/tendcare/tend/internal/episodes"
)

// ScheduleKind is how often an assigned instrument falls due.
type ScheduleKind string

// The schedules (a clinician chooses one per assignment).
const (
	ScheduleOnce          ScheduleKind = "once"
	ScheduleEveryWeeks    ScheduleKind = "every_weeks"
	ScheduleBeforeSession ScheduleKind = "before_session"
	ScheduleEpisode       ScheduleKind = "episode_start_end"
	ScheduleFollowUp      ScheduleKind = "follow_up"
)

// ScheduleKinds lists the schedules in the order forms offer them.
var ScheduleKinds = []ScheduleKind{ScheduleOnce, ScheduleEveryWeeks, ScheduleBeforeSession, ScheduleEpisode, ScheduleFollowUp}

// Valid reports whether k is one of ScheduleKinds.
func (k ScheduleKind) Valid() bool { return slices.Contains(ScheduleKinds, k) }

// MaxEveryWeeks bounds "every N weeks".
const MaxEveryWeeks = 52

// Schedule is when an assignment falls due.
type Schedule struct {
	Kind ScheduleKind
	// EveryWeeks is N for ScheduleEveryWeeks, else 0.
	EveryWeeks int
}

// Validate names the first problem with a schedule.
func (s Schedule) Validate() error {
	if !s.Kind.Valid() {
		return fmt.Errorf("choose when the questionnaire is due")
	}
	if s.Kind == ScheduleEveryWeeks && (s.EveryWeeks < 1 || s.EveryWeeks > MaxEveryWeeks) {
		return fmt.Errorf("choose every 1 to %d weeks", MaxEveryWeeks)
	}
	if s.Kind != ScheduleEveryWeeks && s.EveryWeeks != 0 {
		return fmt.Errorf("only a schedule of every N weeks takes a number of weeks")
	}
	return nil
}

// Reason says why a questionnaire fell due.
type Reason string

// The reasons.
const (
	ReasonOnce          Reason = "once"
	ReasonInterval      Reason = "interval"
	ReasonSession       Reason = "before_session"
	ReasonEpisodeStart  Reason = "episode_start"
	ReasonEpisodeEnd    Reason = "episode_end"
	ReasonFollowUp3     Reason = "follow_up_3"
	ReasonFollowUp6     Reason = "follow_up_6"
	ReasonFollowUp12    Reason = "follow_up_12"
	LeadDays                   = 3 // a questionnaire is offered this many days before its due date
	maxDuePerAssignment        = 60
)

// DueDate is one date an assignment falls due, with why.
type DueDate struct {
	On     time.Time // a civil date, midnight UTC
	Reason Reason
}

// Calendar is what schedules tied to care fall due from: the person's
// episodes and sessions.
type Calendar struct {
	Episodes    []episodes.Episode
	Sessions    []episodes.Session
	WindowWeeks int
}

// DueDates returns the dates the assignment falls due from its start up to
// and including through, oldest first, each once.
func (a Assignment) DueDates(cal Calendar, through time.Time) []DueDate {
	var out []DueDate
	add := func(on time.Time, r Reason) {
		on = civil(on)
		if on.Before(a.StartsOn) || on.After(through) || a.EndedAt != nil && !on.Before(civil(*a.EndedAt)) {
			return
		}
		for _, d := range out {
			if d.On.Equal(on) {
				return
			}
		}
		out = append(out, DueDate{On: on, Reason: r})
	}
	switch a.Schedule.Kind {
	case ScheduleOnce:
		add(a.StartsOn, ReasonOnce)
	case ScheduleEveryWeeks:
		for on := a.StartsOn; !on.After(through) && len(out) < maxDuePerAssignment*10; on = on.AddDate(0, 0, 7*a.Schedule.EveryWeeks) {
			add(on, ReasonInterval)
		}
	case ScheduleBeforeSession:
		for _, s := range cal.Sessions {
			if s.Attendance == episodes.Cancelled {
				continue
			}
			add(s.HeldOn, ReasonSession)
		}
	case ScheduleEpisode:
		for _, e := range cal.Episodes {
			if e.StartedOn != nil {
				add(*e.StartedOn, ReasonEpisodeStart)
			}
			if e.EndedOn != nil {
				add(*e.EndedOn, ReasonEpisodeEnd)
			}
		}
	case ScheduleFollowUp:
		for _, e := range cal.Episodes {
			for _, p := range e.FollowUpPoints(cal.WindowWeeks) {
				add(p.Due, followUpReason(p.Months))
			}
		}
	}
	slices.SortFunc(out, func(x, y DueDate) int { return x.On.Compare(y.On) })
	if len(out) > maxDuePerAssignment {
		out = out[len(out)-maxDuePerAssignment:]
	}
	return out
}

func followUpReason(months int) Reason {
	switch months {
	case 3:
		return ReasonFollowUp3
	case 6:
		return ReasonFollowUp6
	default:
		return ReasonFollowUp12
	}
}

// civil returns t's date as midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
