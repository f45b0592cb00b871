package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/vault"
)

// This file makes the synthetic people of 'tend demo-data': pseudonymous
// demo people ("demo-person-0042") cared for by the demo service's
// clinicians, each with an episode of care (episodedata.go lays it out),
// its sessions, the odd incident, questionnaires and a run of diary cards
// from the day they joined. Everything is drawn from a PCG seeded with the seed
// and the person's number, so a seed always makes the same people, however
// they are batched. Nothing here is about a real person.

// UsernamePrefix starts the username of every person demo-data makes.
const UsernamePrefix = "demo-person-"

// Username returns the username of demo person n ("demo-person-0042").
func Username(n int) string { return fmt.Sprintf("%s%04d", UsernamePrefix, n) }

// Pattern is the course a demo person's cards follow.
type Pattern string

// The patterns.
const (
	// PatternImproving: urges and emotions ease over the days, skills are
	// used more and help more often, self-harm becomes rarer.
	PatternImproving Pattern = "improving"
	// PatternNotImproving: urges stay where they were, with bad spells.
	PatternNotImproving Pattern = "not_improving"
	// PatternPatchy: either course, with many days not filled in.
	PatternPatchy Pattern = "patchy"
)

// Population says how many people to make, over how many days, from which
// seed.
type Population struct {
	People int
	Days   int // days of cards, the last one today
	Seed   uint64
	// First is the number of the first person (1 for demo-person-0001).
	First int
	// Now is the moment the cards run up to; the people's today is its
	// civil date in Clinic.TimeZone. The same seed and Now make the same
	// data.
	Now time.Time
	// EveryDay is for load tests: every person fills in a card on every
	// one of the Days, with no gaps, and joined Tend by the first of them
	// at the latest. The episodes and everything else stay as without it.
	EveryDay bool
}

// CareTeamPlan is one team of the demo service and who in it cares for the
// people placed there.
type CareTeamPlan struct {
	TeamID      tend.ID
	Therapists  []tend.ID // each person gets one, in turn
	Prescriber  tend.ID   // "" for none; some people get one
	Facilitator tend.ID   // "" for none; some DBT people get one
	Weight      int       // share of the people placed here
	// Modalities is the team's mix of modalities, each with its weight
	// (DBT becomes DBT-A for the under-18s); empty: DBT, CBT and
	// psychodynamic therapy. Modalities not in Clinic.Modalities are left
	// out.
	Modalities []Share
}

// Sealer seals a person's text (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
}

// Clinic is where the people are placed and how their records are made.
// The first of Teams holds the small cell (SmallCellPeople).
type Clinic struct {
	Teams []CareTeamPlan
	// Modalities is the service's modality list; empty means
	// episodes.DefaultModalities.
	Modalities []string
	// Defaults are the service's sharing defaults, granted to each member
	// as careteam.Service.AddMember does.
	Defaults []careteam.Default
	// PasswordHash is every person's password hash: one hash of the demo
	// password, made once.
	PasswordHash      string
	TimeZone, Country string
	AddedBy           tend.ID // the admin who put the care teams together
	RiddenOutLevel    int     // the service's ridden-out level (0: the default)
	// Sealer seals the occasional note of the first NotesFor people; nil
	// writes no notes.
	Sealer   Sealer
	NotesFor int
}

// Person is one made-up person and everything about them.
type Person struct {
	Number  int
	Pattern Pattern
	// Stage is where the person's episode of care stands today.
	Stage    Stage
	Account  auth.PersonAccount
	Members  []careteam.Member // none when the referral was not accepted
	Grants   []careteam.Grant
	Episode  episodes.Episode
	Sessions []episodes.Session
	// Incidents are the few incidents a clinician recorded.
	Incidents []episodes.Incident
	Cards     []diary.CardRecord // oldest first; values and summary filled in
	// Questionnaires are the person's PHQ-9 and GAD-7 every two weeks in
	// treatment, and at the follow-up points after it.
	Questionnaires Questionnaires
}

// dayNotes are the few things demo people write under a day: everyday and
// gentle, never a method or a risk.
var dayNotes = []string{
	"Long day at college. Went for a walk after, which helped a bit.",
	"Talked to my sister on the phone tonight.",
	"Tired. Went to bed early.",
	"Used paced breathing on the bus before the appointment.",
	"Hard evening, but I got through it.",
	"Cooked dinner with a friend.",
	"Work was busy. Listened to music on the way home.",
	"Slept badly, felt flat most of the day.",
}

// Person makes demo person number n (Population.First <= n). It fails only
// when sealing a note fails.
func (p Population) Person(ctx context.Context, c Clinic, n int) (Person, error) {
	r := rand.New(rand.NewPCG(p.Seed, uint64(max(n, 0)))) // #nosec G404 G115 -- synthetic data, reproducible by design; n is never negative
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return Person{}, fmt.Errorf("demo: time zone: %w", err)
	}
	sp := p.span(loc)
	today := sp.today
	out := Person{Number: n}

	switch x := r.Float64(); {
	case x < 0.45:
		out.Pattern = PatternImproving
	case x < 0.8:
		out.Pattern = PatternNotImproving
	default:
		out.Pattern = PatternPatchy
	}
	band := auth.Age18To25
	switch x := r.Float64(); {
	case x < 0.25:
		band = auth.AgeUnder18
	case x > 0.7:
		band = auth.AgeOver25
	}
	small := n >= 1 && n <= SmallCellPeople
	team := c.pickTeam(r)
	if small {
		team = c.Teams[0]
	}
	pl := sp.planCare(r, n, small)
	out.Stage = pl.stage
	modality := c.modality(r, team, band == auth.AgeUnder18, pl.stage != StageEnded, small && pl.stage == StageEnded)

	if p.EveryDay {
		pl.joined = earlier(pl.joined, sp.first)
	}
	joined := at(pl.joined, loc, 10*60+r.IntN(7*60))
	id := newID(r, joined)
	state := tend.StateInTreatment
	switch {
	case pl.stage == StageNotAccepted:
		state = tend.StateClosed
	case pl.stage == StageEnded && pl.consent:
		state = tend.StateFollowUp
	case pl.stage == StageEnded:
		state = tend.StateDischarged
	}
	out.Account = auth.PersonAccount{ID: id, Username: Username(n), PasswordHash: c.PasswordHash, TeamID: team.TeamID,
		State: state, AgeBand: band, TimeZone: c.TimeZone, Country: c.Country, CreatedAt: joined}

	therapist := team.Therapists[n%len(team.Therapists)]
	source := []episodes.Source{episodes.SourcePrimary, episodes.SourceSelf, episodes.SourceEmergency, episodes.SourceMental}[r.IntN(4)]
	if band == auth.AgeUnder18 && r.Float64() < 0.5 {
		source = episodes.SourceEducation
	}
	created := at(pl.referred, loc, 9*60+r.IntN(8*60))
	if pl.stage == StageNotAccepted {
		decided := pl.decided
		out.Episode = episodes.Episode{ID: newID(r, created), PersonID: id, Modality: modality, Source: source, ReferredOn: pl.referred,
			Decision: episodes.DecisionNotAccepted, DecidedOn: &decided, CreatedBy: therapist, CreatedAt: created}
		if p.EveryDay {
			if out.Cards, err = p.cards(ctx, r, c, out, pl, today, loc, n); err != nil {
				return Person{}, err
			}
		}
		return out, nil
	}

	roles := []struct {
		staff tend.ID
		role  tend.CareRole
	}{{therapist, tend.CareTherapist}}
	if team.Prescriber != "" && r.Float64() < 0.3 {
		roles = append(roles, struct {
			staff tend.ID
			role  tend.CareRole
		}{team.Prescriber, tend.CarePrescriber})
	}
	facilitator := tend.ID("")
	dbt := modality == "DBT" || modality == "DBT-A"
	if dbt && team.Facilitator != "" && r.Float64() < 0.6 && !pl.dropOut {
		facilitator = team.Facilitator
		roles = append(roles, struct {
			staff tend.ID
			role  tend.CareRole
		}{facilitator, tend.CareGroupFacilitator})
	}
	for i, m := range roles {
		since := joined.Add(time.Duration(30+i) * time.Minute)
		mem := careteam.Member{ID: newID(r, since), PersonID: id, StaffID: m.staff, Role: m.role, State: access.MemberActive,
			StartedAt: since, AddedBy: c.AddedBy}
		// Discharge as episodes.Service.Discharge leaves it: follow-up
		// only with consent, otherwise ended without its grants.
		switch {
		case pl.stage == StageEnded && pl.consent:
			mem.State, mem.FollowUpConsent = access.MemberFollowUp, true
		case pl.stage == StageEnded:
			ended := at(pl.ended, loc, 17*60+i)
			mem.State, mem.EndedAt = access.MemberEnded, &ended
		}
		out.Members = append(out.Members, mem)
		if mem.State == access.MemberEnded {
			continue
		}
		for _, d := range c.Defaults {
			if d.Role == m.role && d.Area.Shareable() && d.Level.AtLeast(access.LevelSee) {
				out.Grants = append(out.Grants, careteam.Grant{MemberID: mem.ID, Area: d.Area, Level: d.Level, UpdatedAt: since})
			}
		}
	}

	decided, started := pl.decided, pl.started
	out.Episode = episodes.Episode{ID: newID(r, created), PersonID: id, Modality: modality, Source: source, ReferredOn: pl.referred,
		Decision: episodes.DecisionAccepted, DecidedOn: &decided, StartedOn: &started, CreatedBy: therapist, CreatedAt: created}
	if pl.stage == StageEnded {
		ended, consent := pl.ended, pl.consent
		out.Episode.EndedOn, out.Episode.FollowUpConsent = &ended, &consent
	}
	out.Sessions = sessions(r, out.Episode, pl, today, loc, therapist, facilitator, dbt)

	out.Cards, err = p.cards(ctx, r, c, out, pl, today, loc, n)
	if err != nil {
		return Person{}, err
	}
	out.Incidents = p.incidents(out, pl, today, loc, therapist)
	out.Questionnaires = p.questionnaires(out, pl, today, loc, therapist)
	return out, nil
}

func (c Clinic) pickTeam(r *rand.Rand) CareTeamPlan {
	total := 0
	for _, t := range c.Teams {
		total += max(t.Weight, 0)
	}
	if total == 0 {
		return c.Teams[0]
	}
	x := r.IntN(total)
	for _, t := range c.Teams {
		if x < max(t.Weight, 0) {
			return t
		}
		x -= max(t.Weight, 0)
	}
	return c.Teams[len(c.Teams)-1]
}

// sessions are weekly individual sessions from the start of the episode
// to its end (most attended; at most two for those who left early), the
// weekly skills group for some DBT people, and for those still in
// treatment the next individual session planned.
func sessions(r *rand.Rand, e episodes.Episode, pl plan, today time.Time, loc *time.Location, therapist, facilitator tend.ID, dbt bool) []episodes.Session {
	var out []episodes.Session
	attended := 0
	attendance := func() episodes.Attendance {
		a := episodes.DidNotAttend
		switch x := r.Float64(); {
		case x < 0.84:
			a = episodes.Attended
		case x < 0.92:
			a = episodes.Cancelled
		}
		if a == episodes.Attended && pl.dropOut && attended >= 2 {
			a = episodes.DidNotAttend
		}
		if a == episodes.Attended {
			attended++
		}
		return a
	}
	add := func(day time.Time, kind episodes.SessionKind, a episodes.Attendance, by tend.ID, recorded time.Time) {
		out = append(out, episodes.Session{ID: newID(r, recorded), PersonID: e.PersonID, EpisodeID: e.ID, HeldOn: day, Kind: kind,
			Attendance: a, RecordedBy: by, RecordedAt: recorded})
	}
	last := today
	if e.EndedOn != nil {
		last = *e.EndedOn
	}
	day := *e.StartedOn
	for ; !day.After(last); day = day.AddDate(0, 0, 7) {
		add(day, episodes.SessionIndividual, attendance(), therapist, at(day, loc, 17*60+r.IntN(120)))
	}
	if e.EndedOn == nil {
		add(day, episodes.SessionIndividual, episodes.AttendancePlanned, therapist, at(today, loc, 9*60))
	}
	if dbt && facilitator != "" {
		for g := e.StartedOn.AddDate(0, 0, 1+r.IntN(6)); !g.After(last); g = g.AddDate(0, 0, 7) {
			add(g, episodes.SessionSkillsGroup, attendance(), facilitator, at(g, loc, 20*60+r.IntN(60)))
		}
	}
	return out
}

// course is one person's daily severity (0 calm to 1 very hard), fill rate
// and skills use.
type course struct {
	from, to float64 // severity at the first and the last day
	wave     float64 // a slow swing, for the not-improving
	period   float64
	fill     float64 // share of days filled in
	stay     float64 // chance a missing day is followed by another
	useFrom  float64 // chance of using skills, first day and last
	useTo    float64
	substUse float64 // how much substances come into it (0: never)
}

func newCourse(r *rand.Rand, pat Pattern) course {
	c := course{period: 10 + 30*r.Float64(), stay: 0.5}
	base := PatternImproving
	if pat == PatternPatchy {
		if r.Float64() < 0.5 {
			base = PatternNotImproving
		}
		c.fill, c.stay = 0.35+0.25*r.Float64(), 0.75
	}
	if pat == PatternNotImproving || base == PatternNotImproving {
		level := 0.45 + 0.3*r.Float64()
		c.from, c.to, c.wave = level, level+0.05*(r.Float64()-0.5), 0.12
		c.useFrom, c.useTo = 0.2+0.15*r.Float64(), 0.2+0.15*r.Float64()
		if c.fill == 0 {
			c.fill = 0.75 + 0.15*r.Float64()
		}
	} else {
		c.from, c.to, c.wave = 0.6+0.25*r.Float64(), 0.1+0.2*r.Float64(), 0.04
		c.useFrom, c.useTo = 0.15+0.1*r.Float64(), 0.7+0.2*r.Float64()
		if c.fill == 0 {
			c.fill = 0.88 + 0.09*r.Float64()
		}
	}
	if r.Float64() < 0.45 {
		c.substUse = 0.3 + 0.5*r.Float64()
	}
	return c
}

// cards draws the person's cards from the day they join (or the first day)
// to today, or to a few days after discharge for those who stop then.
// Urges and emotions follow the course over the treatment (progress);
// after discharge fewer days are filled in.
func (p Population) cards(ctx context.Context, r *rand.Rand, c Clinic, person Person, pl plan, today time.Time, loc *time.Location, n int) ([]diary.CardRecord, error) {
	cfg := diary.Config{PersonID: person.Account.ID, Targets: diary.Defaults(), Set: diary.SkillsDBT, Skills: diary.SetSkills(diary.SkillsDBT)}
	level := c.RiddenOutLevel
	if level <= 0 {
		level = diary.DefaultRiddenOutLevel
	}
	co := newCourse(r, person.Pattern)
	if p.EveryDay {
		s := p.span(loc)
		pl.cardsFrom, pl.cardsTo = s.first, s.today
	}
	if pl.cardsFrom.IsZero() || pl.cardsTo.Before(pl.cardsFrom) {
		return nil, nil
	}
	days := diary.DaysBetween(pl.cardsFrom, pl.cardsTo) + 1
	// Missing days come in runs: a two-state chain whose long-run share of
	// filled days is the fill rate (lower after discharge).
	missIn := (1 - co.fill) * (1 - co.stay) / max(co.fill, 0.01)
	after := co.fill * 0.85
	missAfter := (1 - after) * (1 - co.stay) / max(after, 0.01)
	missing := false
	writesNotes := c.Sealer != nil && n-p.First < c.NotesFor
	out := make([]diary.CardRecord, 0, days)
	for k := range days {
		day := pl.cardsFrom.AddDate(0, 0, k)
		miss := missIn
		if !pl.ended.IsZero() && day.After(pl.ended) {
			miss = missAfter
		}
		if missing {
			missing = r.Float64() < co.stay
		} else {
			missing = r.Float64() < miss
		}
		if missing && !p.EveryDay {
			continue
		}
		t := pl.progress(day)
		sev := co.from + (co.to-co.from)*math.Pow(t, 0.8) + co.wave*math.Sin(2*math.Pi*float64(k)/co.period) + 0.12*r.NormFloat64()
		if r.Float64() < 0.05 {
			sev += 0.25 // a bad day
		}
		sev = min(max(sev, 0), 1)
		use := co.useFrom + (co.useTo-co.useFrom)*t
		values := drawValues(r, cfg, sev, use, t, person.Pattern == PatternImproving, co.substUse)
		late := 0
		switch x := r.Float64(); {
		case x < 0.07:
			late = 1
		case x < 0.1:
			late = 2 + r.IntN(3)
		}
		late = min(late, diary.DaysBetween(day, today))
		saved := at(day.AddDate(0, 0, late), loc, 18*60+r.IntN(330))
		noteDraw := r.Float64()
		noteText := dayNotes[r.IntN(len(dayNotes))]
		if saved.After(p.Now) {
			// Today's card, before this evening: saved a little earlier today.
			saved = p.Now.Add(-time.Duration(5+r.IntN(90)) * time.Minute)
			if diary.Today(saved, loc).Before(day.AddDate(0, 0, late)) {
				if !p.EveryDay {
					continue
				}
				saved = p.Now
			}
		}
		saved = saved.UTC()
		for f, v := range values {
			v.EditedAt = saved
			values[f] = v
		}
		card := diary.CardRecord{ID: newID(r, saved), PersonID: person.Account.ID, Day: day, TimeZone: c.TimeZone,
			ScaleVersion: diary.ScaleVersion, Values: values, LateDays: late, EnteredBy: person.Account.ID,
			FirstSavedAt: saved, UpdatedAt: saved, Summary: diary.Summarize(cfg, values, level)}
		if writesNotes && noteDraw < 0.06 {
			sealed, err := c.Sealer.SealPerson(ctx, card.PersonID, vault.Field{Table: "diary_cards", Column: "note", Row: card.ID}, []byte(noteText))
			if err != nil {
				return nil, fmt.Errorf("demo: seal a note: %w", err)
			}
			card.Note, card.NoteAt = sealed, saved
		}
		out = append(out, card)
	}
	return out, nil
}

// drawValues fills one card: every urge, action and emotion of the default
// card, the skills rating and, when skills were used, a few ticks.
func drawValues(r *rand.Rand, cfg diary.Config, sev, use, t float64, improving bool, subst float64) map[diary.Field]diary.Value {
	v := map[diary.Field]diary.Value{}
	set := func(f diary.Field, n int) {
		n = min(max(n, 0), diary.MaxCount)
		v[f] = diary.Value{V: &n}
	}
	rate := func(x, sd float64) int { return min(max(int(math.Round(x+sd*r.NormFloat64())), 0), diary.MaxRating) }

	selfHarm := rate(5*sev, 0.6)
	thoughts := rate(5*(sev-0.1), 0.7)
	die := 0
	if sev > 0.55 {
		die = min(rate(5*(sev-0.45), 0.6), thoughts+1)
	}
	substances := rate(5*subst*sev, 0.5)
	if subst == 0 {
		substances = 0
	}
	set(diary.UrgeField("u.thoughts"), thoughts)
	set(diary.UrgeField("u.die"), die)
	set(diary.UrgeField("u.self_harm"), selfHarm)
	set(diary.UrgeField("u.substances"), substances)

	act := func(id string, p float64) bool {
		did := r.Float64() < p
		n := diary.No
		if did {
			n = diary.Yes
		}
		set(diary.ActField(id), n)
		return did
	}
	medical := func(id string, yes, unsure float64) {
		switch x := r.Float64(); {
		case x < yes:
			set(diary.MedicalField(id), diary.Yes)
		case x < yes+unsure:
			set(diary.MedicalField(id), diary.Unsure)
		default:
			set(diary.MedicalField(id), diary.No)
		}
	}
	pAttempt := 0.0
	if die >= 4 {
		pAttempt = 0.004
	}
	if act("a.attempt", pAttempt) {
		medical("a.attempt", 0.6, 0.2)
	}
	pHarm := 0.004
	if selfHarm >= 3 {
		pHarm = min(max(0.05+0.4*(sev-0.5), 0.03), 0.3)
	}
	if act("a.self_harm", pHarm) {
		count := 1
		switch x := r.Float64(); {
		case x < 0.07:
			count = 3
		case x < 0.25:
			count = 2
		}
		set(diary.CountField("a.self_harm"), count)
		medical("a.self_harm", 0.05, 0.1)
	}
	pSubst := 0.0
	switch {
	case substances >= 3:
		pSubst = 0.35
	case substances >= 1:
		pSubst = 0.08
	}
	act("a.substances", pSubst)

	set(diary.EmotionField("e.sadness"), rate(5*sev, 0.7))
	set(diary.EmotionField("e.shame"), rate(4.5*sev, 0.8))
	set(diary.EmotionField("e.anger"), rate(3*sev, 1))
	set(diary.EmotionField("e.fear"), rate(4*sev, 0.8))
	set(diary.EmotionField("e.joy"), rate(5*(1-sev)-1, 0.8))

	// The skills rating is a category code, drawn as one: used (4-7), or
	// not (0-3); helped more often as the improving get better.
	helped := 0.35
	if improving {
		helped = 0.4 + 0.4*t
	}
	code := 0
	if r.Float64() < use {
		switch h, auto := r.Float64() < helped, r.Float64() < 0.3; {
		case h && auto:
			code = 7
		case h:
			code = 5
		case auto:
			code = 6
		default:
			code = 4
		}
		for _, i := range r.Perm(len(cfg.Skills))[:1+r.IntN(3)] {
			set(diary.SkillField(cfg.Skills[i]), 1)
		}
	} else if r.Float64() < 0.65 {
		code = 1 + r.IntN(3)
	}
	set(diary.FieldSkills, code)
	return v
}

// at returns the instant minutes after midnight of the civil date day in loc.
func at(day time.Time, loc *time.Location, minutes int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minutes, 0, 0, loc).UTC()
}

// newID makes a version 7 UUID for the instant t from r, so ids sort by
// time as tend.NewID's do and the same seed makes the same ids.
func newID(r *rand.Rand, t time.Time) tend.ID {
	var b [16]byte
	ms := uint64(max(t.UnixMilli(), 0))                   // #nosec G115 -- clamped to zero or more
	binary.BigEndian.PutUint64(b[:8], ms<<16)             // the 48-bit millisecond time in the first six bytes
	binary.BigEndian.PutUint16(b[6:], uint16(r.Uint32())) // #nosec G115 -- random bits
	binary.BigEndian.PutUint64(b[8:], r.Uint64())
	b[6] = 0x70 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return tend.ID(uuid.UUID(b).String())
}
