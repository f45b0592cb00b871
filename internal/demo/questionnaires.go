package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/measure"
)

// demoQuestionnaire is one questionnaire of the regular demo: assigned
// once by Lee and finished by the person the same evening, some days ago.
type demoQuestionnaire struct {
	instrument string
	ago        int
	answers    measure.Answers
}

// samQuestionnaires are sam's PHQ-9 and GAD-7 from about four weeks ago:
// 16 ("moderately severe") and 12 ("moderate"), item 9 answered 0. Nothing
// is assigned to sam now, so a clinician's new assignment is the only one
// waiting.
var samQuestionnaires = []demoQuestionnaire{
	{instrument: "phq-9.1.en", ago: 28, answers: measure.Answers{"1": 2, "2": 2, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 1, "9": 0, "10": 1}},
	{instrument: "gad-7.1.en", ago: 28, answers: measure.Answers{"1": 2, "2": 2, "3": 2, "4": 1, "5": 1, "6": 2, "7": 2}},
}

// alexQuestionnaires is alex's first PHQ-9, two weeks ago: 9 ("mild").
var alexQuestionnaires = []demoQuestionnaire{
	{instrument: "phq-9.1.en", ago: 14, answers: measure.Answers{"1": 1, "2": 2, "3": 1, "4": 2, "5": 1, "6": 1, "7": 1, "8": 0, "9": 0, "10": 1}},
}

// seedQuestionnaires gives sam an earlier PHQ-9 and GAD-7 and alex an
// earlier PHQ-9, each assigned once by Lee on its day, answered and
// finished by the person through the measure service running on that
// day's clock (finishing ends an assignment made once), so the scores page
// has a first point and nothing is waiting.
func seedQuestionnaires(ctx context.Context, measureAt func(tend.Clock) *measure.Service, leeID, samID, alexID tend.ID) error {
	today := time.Now().UTC()
	lee := staffActor(leeID)
	for _, p := range []struct {
		id   tend.ID
		name string
		qs   []demoQuestionnaire
	}{{samID, "sam", samQuestionnaires}, {alexID, "alex", alexQuestionnaires}} {
		me := tend.Actor{Kind: tend.KindPerson, ID: p.id}
		for _, q := range p.qs {
			day := today.AddDate(0, 0, -q.ago)
			morning := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, time.UTC)
			a, err := measureAt(clockAt(morning)).Assign(ctx, lee, p.id, measure.NewAssignment{InstrumentID: q.instrument, Schedule: measure.Schedule{Kind: measure.ScheduleOnce}})
			if err != nil {
				return fmt.Errorf("demo: questionnaires: assign %s to %s: %w", q.instrument, p.name, err)
			}
			evening := clockAt(morning.Add(9 * time.Hour))
			svc := measureAt(evening)
			waiting, err := svc.Waiting(ctx, me, p.id)
			if err != nil {
				return fmt.Errorf("demo: questionnaires: %s's waiting: %w", p.name, err)
			}
			var due tend.ID
			for _, d := range waiting {
				if d.Due.AssignmentID == a.ID {
					due = d.Due.ID
				}
			}
			if due == "" {
				return fmt.Errorf("demo: questionnaires: %s's %s is not waiting", p.name, q.instrument)
			}
			if _, err := svc.Save(ctx, me, p.id, due, q.answers, true); err != nil {
				return fmt.Errorf("demo: questionnaires: %s answers %s: %w", p.name, q.instrument, err)
			}
		}
	}
	return nil
}

// Questionnaires are what 'tend demo-data' writes of a person's
// questionnaires: PHQ-9 and GAD-7 every two weeks in treatment, most of
// them answered, and after discharge, with consent, at the follow-up
// points.
type Questionnaires struct {
	Assignments []measure.Assignment
	Due         []measure.Due
	Responses   []measure.Response // finished, scored by their instrument
}

// questionnaireSeedSalt keeps the questionnaires' draws apart from the
// cards', so adding them left every card of a seed as it was.
const questionnaireSeedSalt = 0x9e3779b97f4a7c15

// questionnaires draws the person's PHQ-9 and GAD-7 history: every two
// weeks from the first session to discharge (or today), following the
// person's course over the treatment (easing for the improving, level with
// swings for the rest), about one in eight missed (more when the cards are
// patchy). After a discharge with consent to follow-up, each instrument is
// assigned at the follow-up points; most of those who still fill in cards
// answer them, few of the others. Item 9 of the PHQ-9 is always 0: a bulk
// insert raises no safety prompt, so the made-up data holds none to raise.
func (p Population) questionnaires(person Person, pl plan, today time.Time, loc *time.Location, therapist tend.ID) Questionnaires {
	r := rand.New(rand.NewPCG(p.Seed^questionnaireSeedSalt, uint64(max(person.Number, 0)))) // #nosec G404 G115 -- synthetic data, reproducible by design
	var out Questionnaires
	if person.Episode.StartedOn == nil {
		return out
	}
	start := *person.Episode.StartedOn
	from, to, wave := 0.45+0.3*r.Float64(), 0.0, 0.1
	switch person.Pattern {
	case PatternImproving:
		from, wave = 0.6+0.25*r.Float64(), 0.03
		to = 0.1 + 0.2*r.Float64()
	default:
		to = from + 0.1*(r.Float64()-0.5)
	}
	missed := 0.12
	if person.Pattern == PatternPatchy {
		missed = 0.4
	}
	answerFollowUp := 0.3
	if !pl.ended.IsZero() && pl.cardsTo.After(pl.ended.AddDate(0, 0, 30)) {
		answerFollowUp = 0.85
	}
	through := today.AddDate(0, 0, measure.LeadDays)
	cal := measure.Calendar{Episodes: []episodes.Episode{person.Episode}, WindowWeeks: episodes.DefaultWindowWeeks}
	for _, in := range []measure.Instrument{measure.PHQ9(), measure.GAD7()} {
		created := at(start, loc, 16*60+r.IntN(90))
		a := measure.Assignment{ID: newID(r, created), PersonID: person.Account.ID, InstrumentID: in.ID,
			Schedule: measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2}, StartsOn: start, CreatedBy: therapist, CreatedAt: created}
		assignments := []measure.Assignment{a}
		if e := person.Episode; e.EndedOn != nil {
			// Discharge ends the fortnightly one; with consent, the
			// follow-up points take over.
			ended := at(*e.EndedOn, loc, 17*60+30)
			assignments[0].EndedAt, assignments[0].EndedBy = &ended, therapist
			if pl.consent {
				assignments = append(assignments, measure.Assignment{ID: newID(r, ended), PersonID: person.Account.ID, InstrumentID: in.ID,
					Schedule: measure.Schedule{Kind: measure.ScheduleFollowUp}, StartsOn: *e.EndedOn, CreatedBy: therapist, CreatedAt: ended})
			}
		}
		for _, a := range assignments {
			out.Assignments = append(out.Assignments, a)
			followUp := a.Schedule.Kind == measure.ScheduleFollowUp
			for _, d := range a.DueDates(cal, through) {
				made := a.CreatedAt
				if d.On.After(a.StartsOn) {
					made = at(d.On.AddDate(0, 0, -measure.LeadDays), loc, 2*60)
				}
				if made.After(p.Now) {
					made = p.Now.UTC()
				}
				due := measure.Due{ID: newID(r, made), AssignmentID: a.ID, PersonID: a.PersonID, InstrumentID: in.ID, On: d.On, Reason: d.Reason, CreatedAt: made}
				out.Due = append(out.Due, due)
				late, skip := r.IntN(3), r.Float64() < missed
				if followUp {
					late, skip = r.IntN(15), r.Float64() >= answerFollowUp
				}
				finished := at(d.On.AddDate(0, 0, late), loc, 18*60+r.IntN(240))
				if skip || finished.After(p.Now) {
					continue
				}
				t := pl.progress(d.On)
				sev := from + (to-from)*t + wave*math.Sin(2*math.Pi*float64(diary.DaysBetween(start, d.On))/60) + 0.08*r.NormFloat64()
				answers := drawAnswers(r, in, min(max(sev, 0), 1))
				started := finished.Add(-time.Duration(2+r.IntN(6)) * time.Minute)
				out.Responses = append(out.Responses, measure.Response{ID: newID(r, started), DueID: due.ID, PersonID: a.PersonID,
					InstrumentID: in.ID, Version: in.Version, Answers: answers, Score: in.Score(answers), Finished: true,
					StartedAt: started, UpdatedAt: finished, FinishedAt: &finished, EnteredBy: a.PersonID})
			}
		}
	}
	return out
}

// drawAnswers answers every item around severity sev (0 calm to 1 very
// hard); PHQ-9 item 9 stays 0 (see questionnaires).
func drawAnswers(r *rand.Rand, in measure.Instrument, sev float64) measure.Answers {
	out := measure.Answers{}
	for _, it := range in.Items {
		lo, hi := it.Options[0].Value, it.Options[len(it.Options)-1].Value
		v := int(math.Round(float64(lo) + float64(hi-lo)*sev + 0.7*r.NormFloat64()))
		out[it.LinkID] = min(max(v, lo), hi)
	}
	for _, p := range in.Scoring.Prompts {
		it, _ := in.Item(p.LinkID)
		out[p.LinkID] = it.Options[0].Value
	}
	return out
}
