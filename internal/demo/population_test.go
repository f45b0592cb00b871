package demo_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/measure"
)

// TestDemoPopulation: demo-data's people are made-up, placed with the
// clinic's clinicians with the default sharing, each with an episode of
// care as the episodes service would leave it (ended with or without
// consent to follow-up, in treatment, or a referral not accepted), its
// sessions, a few incidents, and cards from the day they joined whose
// summaries are the values' own; the same seed makes the same people.
func TestDemoPopulation(t *testing.T) {
	t.Parallel()
	pop := demo.Population{People: 120, Days: 365, Seed: 7, First: 1, Now: popNow}
	c := popClinic()
	people := makePeople(t, pop, c)

	t.Run("SameSeedSamePeople", func(t *testing.T) {
		if again := makePeople(t, pop, c); !reflect.DeepEqual(people, again) {
			t.Fatal("the same seed made different people")
		}
		other := pop
		other.Seed++
		if reflect.DeepEqual(people, makePeople(t, other, c)) {
			t.Fatal("another seed made the same people")
		}
		// A person is the same whatever batch makes them.
		p, _ := pop.Person(context.Background(), c, 42)
		if !reflect.DeepEqual(p, people[41]) {
			t.Fatal("person 42 depends on the people made before")
		}
	})

	loc := mustZone(t, "Europe/London")
	today := diary.Today(popNow, loc)
	first := today.AddDate(0, 0, -(pop.Days - 1))
	stages := map[demo.Stage]int{}
	patterns := map[demo.Pattern]int{}
	var fewSessions, incidents, keptRecording, stopped, consented int
	for _, p := range people {
		a, e := p.Account, p.Episode
		stages[p.Stage]++
		patterns[p.Pattern]++
		if !strings.HasPrefix(a.Username, demo.UsernamePrefix) || auth.CheckUsername(a.Username) != nil || a.PasswordHash != "hash" ||
			a.TimeZone != "Europe/London" || e.PersonID != a.ID || !slices.Contains(episodes.DefaultModalities, e.Modality) {
			t.Fatalf("account %+v, episode %+v", a, e)
		}
		if a.AgeBand == auth.AgeUnder18 && e.Modality == "DBT" || a.AgeBand != auth.AgeUnder18 && e.Modality == "DBT-A" {
			t.Fatalf("%s: %s in %s", a.Username, a.AgeBand, e.Modality)
		}
		if e.ReferredOn.After(*e.DecidedOn) || !a.CreatedAt.After(e.ReferredOn) {
			t.Fatalf("%s: referred %v, decided %v, joined %v", a.Username, e.ReferredOn, e.DecidedOn, a.CreatedAt)
		}
		// The episode and the person's state as the episodes service
		// leaves them.
		wantState := map[demo.Stage]tend.PersonState{demo.StageInTreatment: tend.StateInTreatment, demo.StageNotAccepted: tend.StateClosed}[p.Stage]
		switch p.Stage {
		case demo.StageNotAccepted:
			if e.Decision != episodes.DecisionNotAccepted || e.StartedOn != nil || len(p.Members) != 0 || len(p.Cards) != 0 || len(p.Sessions) != 0 {
				t.Fatalf("%s: not accepted, but %+v with %d members, %d cards", a.Username, e, len(p.Members), len(p.Cards))
			}
		case demo.StageInTreatment:
			if !e.Open() || e.StartedOn == nil || e.StartedOn.After(today) {
				t.Fatalf("%s: in treatment, but %+v", a.Username, e)
			}
		case demo.StageEnded:
			if e.StartedOn == nil || e.EndedOn == nil || e.FollowUpConsent == nil || e.StartedOn.Before(first) ||
				e.EndedOn.After(today.AddDate(0, 0, -14)) || diary.DaysBetween(*e.StartedOn, *e.EndedOn) < 14 {
				t.Fatalf("%s: ended, but %+v", a.Username, e)
			}
			wantState = tend.StateDischarged
			if *e.FollowUpConsent {
				wantState = tend.StateFollowUp
				consented++
			}
			last := p.Cards[len(p.Cards)-1].Day
			switch {
			case last.After(e.EndedOn.AddDate(0, 0, 60)):
				keptRecording++
			case !last.After(e.EndedOn.AddDate(0, 0, 10)):
				stopped++
			}
		default:
			t.Fatalf("%s: stage %q", a.Username, p.Stage)
		}
		if a.State != wantState {
			t.Fatalf("%s: state %s at stage %s", a.Username, a.State, p.Stage)
		}
		if p.Stage == demo.StageNotAccepted {
			continue
		}

		// The care team: the therapist first, follow-up only after a
		// discharge with consent, ended (without grants) after one without.
		m := p.Members[0]
		if m.Role != tend.CareTherapist || m.AddedBy != "admin" || (a.TeamID == "riverside") != (m.StaffID == "lee") {
			t.Fatalf("%s: members %+v in team %s", a.Username, p.Members, a.TeamID)
		}
		wantMember, wantGrants := access.MemberActive, 2
		if p.Stage == demo.StageEnded {
			if *e.FollowUpConsent {
				wantMember = access.MemberFollowUp
			} else {
				wantMember, wantGrants = access.MemberEnded, 0
			}
		}
		if m.State != wantMember || (m.State == access.MemberEnded) != (m.EndedAt != nil) || m.FollowUpConsent != (m.State == access.MemberFollowUp) {
			t.Fatalf("%s: therapist's membership %+v at stage %s", a.Username, m, p.Stage)
		}
		grants := 0
		for _, g := range p.Grants {
			if g.MemberID == m.ID {
				grants++
			}
		}
		if grants != wantGrants {
			t.Fatalf("%s: %d grants for the therapist, want %d", a.Username, grants, wantGrants)
		}

		// Sessions from the start, weekly, up to the end.
		attended := 0
		for _, s := range p.Sessions {
			if s.EpisodeID != e.ID || s.HeldOn.Before(*e.StartedOn) || e.EndedOn != nil && s.HeldOn.After(*e.EndedOn) {
				t.Fatalf("%s: session %+v outside %+v", a.Username, s, e)
			}
			if s.Attendance == episodes.Attended {
				attended++
			}
		}
		if attended < 3 {
			fewSessions++
		}
		for _, in := range p.Incidents {
			incidents++
			if !in.Kind.Valid() || !in.MedicalCare.Valid() || in.OccurredOn.Before(*e.StartedOn) || !in.OccurredOn.Before(today) ||
				in.RecordedAt.After(popNow) || in.PersonID != a.ID {
				t.Fatalf("%s: incident %+v", a.Username, in)
			}
		}

		// Cards from the day the person joined, up to today at the latest.
		if len(p.Cards) == 0 || p.Cards[0].Day.Before(first) || p.Cards[0].Day.Before(diary.Today(a.CreatedAt, loc)) ||
			p.Cards[len(p.Cards)-1].Day.After(today) {
			t.Fatalf("%s: %d cards from %v, joined %v", a.Username, len(p.Cards), p.Cards[0].Day, a.CreatedAt)
		}
		for _, card := range p.Cards {
			if card.FirstSavedAt.After(popNow) || card.FirstSavedAt.Before(card.Day) || card.Note != nil {
				t.Fatalf("%s %s: saved %v, note %v", a.Username, card.Day, card.FirstSavedAt, card.Note != nil)
			}
			if want := diary.Summarize(diary.Config{Targets: diary.Defaults()}, card.Values, diary.DefaultRiddenOutLevel); card.Summary != want {
				t.Fatalf("%s %s: summary %+v, want %+v", a.Username, card.Day, card.Summary, want)
			}
		}
		filled := float64(len(p.Cards)) / float64(diary.DaysBetween(p.Cards[0].Day, p.Cards[len(p.Cards)-1].Day)+1)
		if p.Pattern == demo.PatternPatchy && filled > 0.75 || p.Pattern != demo.PatternPatchy && filled < 0.6 {
			t.Errorf("%s (%s) filled in %.0f%% of their days", a.Username, p.Pattern, 100*filled)
		}
	}
	for _, pat := range []demo.Pattern{demo.PatternImproving, demo.PatternNotImproving, demo.PatternPatchy} {
		if patterns[pat] == 0 {
			t.Errorf("no one %s among %d people", pat, len(people))
		}
	}
	// Most ended, some are in treatment, a few referrals were not accepted;
	// most ended consented to follow-up; some went on with their cards
	// after discharge and some stopped; a few had fewer than 3 sessions
	// and a few incidents were recorded.
	if stages[demo.StageEnded] < len(people)/2 || stages[demo.StageInTreatment] == 0 || stages[demo.StageNotAccepted] == 0 ||
		consented < stages[demo.StageEnded]/2 || keptRecording == 0 || stopped == 0 || fewSessions == 0 || incidents == 0 {
		t.Errorf("stages %v, %d consented, %d kept recording, %d stopped, %d with fewer than 3 sessions, %d incidents",
			stages, consented, keptRecording, stopped, fewSessions, incidents)
	}
}

// TestDemoPopulationImproving: the improving ease over their treatment:
// fewer strong urges and more skills used in the last four weeks before
// discharge than in the first four from the start; and some acts of
// self-harm are recorded.
func TestDemoPopulationImproving(t *testing.T) {
	t.Parallel()
	pop := demo.Population{People: 80, Days: 365, Seed: 5, First: 1, Now: popNow}
	var early, late struct{ urge, used, n float64 }
	acts := 0
	for _, p := range makePeople(t, pop, popClinic()) {
		for _, card := range p.Cards {
			acts += card.Summary.SelfHarm
		}
		e := p.Episode
		if p.Pattern != demo.PatternImproving || e.EndedOn == nil || diary.DaysBetween(*e.StartedOn, *e.EndedOn) < 70 {
			continue
		}
		for _, card := range p.Cards {
			s := &early
			switch {
			case diary.DaysBetween(*e.StartedOn, card.Day) >= 0 && diary.DaysBetween(*e.StartedOn, card.Day) < 28:
			case diary.DaysBetween(card.Day, *e.EndedOn) >= 0 && diary.DaysBetween(card.Day, *e.EndedOn) < 28:
				s = &late
			default:
				continue
			}
			u, _ := diary.Card{Values: card.Values}.Get(diary.UrgeField("u.self_harm"))
			s.urge += float64(u)
			if card.Summary.Skills == diary.CategoryUsed || card.Summary.Skills == diary.CategoryUsedHelped {
				s.used++
			}
			s.n++
		}
	}
	if early.n == 0 || late.n == 0 || late.urge/late.n >= early.urge/early.n-0.5 || late.used/late.n <= early.used/early.n+0.2 {
		t.Errorf("the improving do not improve: early %+v, late %+v", early, late)
	}
	if acts == 0 {
		t.Error("no self-harm acts recorded by anyone")
	}
}

// TestDemoPopulationSmallCell: the first SmallCellPeople people have
// episodes of SmallCellModality in the first team that end in the
// report's year, and nobody else's episode of that modality ends in that
// year in any team; the other team x modality cells of that year hold
// more people than disclosure control hides.
func TestDemoPopulationSmallCell(t *testing.T) {
	t.Parallel()
	c := popClinic()
	c.Teams[0].Modalities = []demo.Share{{Modality: "DBT", Weight: 7}, {Modality: "CBT", Weight: 3}}
	c.Teams[1].Modalities = []demo.Share{{Modality: "CBT", Weight: 1}, {Modality: "psychodynamic", Weight: 1}}
	for _, tt := range []struct {
		name string
		now  time.Time
	}{{"June", popNow}, {"January", time.Date(2027, 1, 20, 20, 0, 0, 0, time.UTC)}, {"December", time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC)}} {
		t.Run(tt.name, func(t *testing.T) {
			pop := demo.Population{People: 200, Days: 365, Seed: 1, First: 1, Now: tt.now}
			year, err := pop.ReportYear(c.TimeZone)
			if err != nil {
				t.Fatal(err)
			}
			cells := map[string]int{}
			for _, p := range makePeople(t, pop, c) {
				e := p.Episode
				if e.EndedOn == nil || e.EndedOn.Year() != year {
					if p.Number <= demo.SmallCellPeople {
						t.Fatalf("%s: %+v does not end in %d", p.Account.Username, e, year)
					}
					continue
				}
				cells[string(p.Account.TeamID)+" "+e.Modality]++
			}
			for cell, n := range cells {
				switch {
				case cell == "riverside "+demo.SmallCellModality:
					if n != demo.SmallCellPeople {
						t.Errorf("%s holds %d people in %d, want %d", cell, n, year, demo.SmallCellPeople)
					}
				case n <= 10:
					t.Errorf("%s holds only %d people in %d", cell, n, year)
				}
			}
			t.Logf("cells of %d: %v", year, cells)
			if cells["riverside "+demo.SmallCellModality] == 0 || len(cells) < 4 {
				t.Errorf("cells of %d: %v", year, cells)
			}
		})
	}
}

// TestDemoPopulationQuestionnaires: demo-data's people have PHQ-9 and
// GAD-7 every two weeks from the start of their episode to its end, most
// answered and scored by the instrument, none dated after now, PHQ-9 item
// 9 always 0; after a discharge with consent they are assigned at the
// follow-up points, and some are answered there; the improving get better
// on the whole.
func TestDemoPopulationQuestionnaires(t *testing.T) {
	t.Parallel()
	pop := demo.Population{People: 40, Days: 365, Seed: 11, First: 1, Now: popNow}
	people := makePeople(t, pop, popClinic())
	instruments := map[string]measure.Instrument{"phq-9.1.en": measure.PHQ9(), "gad-7.1.en": measure.GAD7()}
	var firstSum, lastSum float64
	improving, followUps := 0, 0
	for _, p := range people {
		q, e := p.Questionnaires, p.Episode
		if e.StartedOn == nil {
			if len(q.Assignments)+len(q.Due)+len(q.Responses) != 0 {
				t.Fatalf("%s: questionnaires without an episode", p.Account.Username)
			}
			continue
		}
		want := 2
		if e.EndedOn != nil && *e.FollowUpConsent {
			want = 4
		}
		if len(q.Assignments) != want {
			t.Fatalf("%s: %d assignments, want %d", p.Account.Username, len(q.Assignments), want)
		}
		kinds := map[tend.ID]measure.ScheduleKind{}
		for _, a := range q.Assignments {
			kinds[a.ID] = a.Schedule.Kind
			if a.Schedule.Kind == measure.ScheduleEveryWeeks && (a.EndedAt != nil) != (e.EndedOn != nil) {
				t.Fatalf("%s: assignment %+v for episode %+v", p.Account.Username, a, e)
			}
		}
		due := map[tend.ID]measure.Due{}
		for _, d := range q.Due {
			due[d.ID] = d
			if kinds[d.AssignmentID] == measure.ScheduleEveryWeeks && (d.On.Before(*e.StartedOn) || e.EndedOn != nil && !d.On.Before(*e.EndedOn)) {
				t.Fatalf("%s: due %+v outside the treatment", p.Account.Username, d)
			}
		}
		if len(q.Responses) == 0 && len(q.Due) > 4 {
			t.Fatalf("%s: %d due, none answered", p.Account.Username, len(q.Due))
		}
		var phq []float64
		for _, r := range q.Responses {
			in := instruments[r.InstrumentID]
			d, ok := due[r.DueID]
			if !ok || d.PersonID != p.Account.ID || r.PersonID != p.Account.ID || !r.Finished || r.FinishedAt == nil || r.FinishedAt.After(popNow) ||
				r.FinishedAt.Before(d.On) {
				t.Fatalf("%s: response %+v for due %+v", p.Account.Username, r, d)
			}
			if err := in.Check(r.Answers); err != nil || len(r.Answers) != len(in.Items) {
				t.Fatalf("%s: answers %v: %v", p.Account.Username, r.Answers, err)
			}
			if want := in.Score(r.Answers); r.Score.Total == nil || *r.Score.Total != *want.Total || r.Score.Band != want.Band {
				t.Fatalf("%s: score %+v, want %+v", p.Account.Username, r.Score, want)
			}
			if r.InstrumentID == "phq-9.1.en" && r.Answers["9"] != 0 {
				t.Fatalf("%s: PHQ-9 item 9 = %d", p.Account.Username, r.Answers["9"])
			}
			if kinds[d.AssignmentID] == measure.ScheduleFollowUp {
				followUps++
			} else if r.InstrumentID == "phq-9.1.en" {
				phq = append(phq, *r.Score.Total)
			}
		}
		if p.Pattern == demo.PatternImproving && e.EndedOn != nil && len(phq) >= 6 {
			improving++
			firstSum += (phq[0] + phq[1]) / 2
			lastSum += (phq[len(phq)-1] + phq[len(phq)-2]) / 2
		}
	}
	if improving == 0 || lastSum >= firstSum-3*float64(improving) {
		t.Errorf("the improving (%d) go from a mean PHQ-9 of %.1f to %.1f", improving, firstSum/float64(max(improving, 1)), lastSum/float64(max(improving, 1)))
	}
	if followUps == 0 {
		t.Error("no questionnaire answered at a follow-up point")
	}
}
