package fhir

import (
	"context"
	"slices"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/safetyplan"
)

// Owners finds whose record an id is, so that a read by id can go to the
// right person's service read, which then checks access and audits. It
// reads no content.
type Owners interface {
	// FindRecordOwner returns the person a questionnaire response, a diary
	// card or a care-team membership with id belongs to; ENOTFOUND when no
	// such record exists.
	FindRecordOwner(ctx context.Context, id tend.ID) (tend.ID, error)
}

// Records reads what an actor may see of a person as FHIR R4 resources.
// Every read goes through the domain service that owns the data, so its
// access check and its audit apply: a care-team member gets only the areas
// the person shares with them, clinician notes are never read, and an area
// the actor may not see is left out. It knows nothing of HTTP: the API
// serves it at /fhir/r4, and the person's data download and the
// operator's export call Everything.
type Records struct {
	Accounts    *auth.Service
	CareTeams   *careteam.Service
	SafetyPlans *safetyplan.Service // nil: no CarePlan
	Diary       *diary.Service      // nil: no diary Observations
	Measures    *measure.Service    // nil: no questionnaires
	Owners      Owners
	Clock       tend.Clock
	// BaseURL is the server's FHIR base (the public URL and Prefix): a
	// Bundle entry's fullUrl is BaseURL/Type/id, or Type/id when empty.
	BaseURL string
}

func (r *Records) now() time.Time {
	if r.Clock == nil {
		return time.Now().UTC()
	}
	return r.Clock.Now().UTC()
}

// withheld reports whether err means "this actor may not see this", so
// that the part is left out rather than failing the whole answer.
func withheld(err error) bool {
	k := tend.ErrorKind(err)
	return k == tend.ENOTFOUND || k == tend.EFORBIDDEN
}

// notFound is the answer for a person or record the actor may not see.
func notFound() error { return tend.Errorf(tend.ENOTFOUND, "There is no such record.") }

// subject is the person as the actor may know them: their display name
// and, for staff, the person's page as the care-team service gives it.
type subject struct {
	id    tend.ID
	name  string
	staff *careteam.PersonView
}

// subject reads who the person is through the care-team service, which
// checks access.ProfileRead (the person themselves, their care team, and
// Tend itself only as access.TransferActor) and audits the read. For
// staff and Tend itself it keeps the care-team view, whose memberships
// say which sharing choices are the caller's own.
func (r *Records) subject(ctx context.Context, actor tend.Actor, personID tend.ID) (subject, error) {
	v, err := r.CareTeams.Person(ctx, actor, personID)
	if err != nil {
		return subject{}, err
	}
	s := subject{id: personID, name: v.Username}
	if actor.Kind != tend.KindPerson {
		s.staff = &v
	}
	return s, nil
}

// Patient is the person as an R4 Patient, as the actor may see them.
func (r *Records) Patient(ctx context.Context, actor tend.Actor, personID tend.ID) (Patient, error) {
	s, err := r.subject(ctx, actor, personID)
	if err != nil {
		return Patient{}, err
	}
	return PatientFrom(s.id, s.name), nil
}

// Patients are the people the actor may see: a person themselves, staff
// the people on their caseload (each read audited by the care-team
// service). Other actors see nobody.
func (r *Records) Patients(ctx context.Context, actor tend.Actor) ([]Patient, error) {
	switch actor.Kind {
	case tend.KindPerson:
		p, err := r.Patient(ctx, actor, actor.ID)
		if err != nil {
			return nil, err
		}
		return []Patient{p}, nil
	case tend.KindStaff:
		cases, err := r.CareTeams.Caseload(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := make([]Patient, 0, len(cases))
		for _, c := range cases {
			out = append(out, PatientFrom(c.PersonID, c.Username))
		}
		return out, nil
	}
	return nil, nil
}

// Practitioner is a staff member: staff read themselves, a person the
// members of their own care team. Anything else is ENOTFOUND.
func (r *Records) Practitioner(ctx context.Context, actor tend.Actor, staffID tend.ID) (Practitioner, error) {
	switch actor.Kind {
	case tend.KindStaff:
		if actor.ID != staffID {
			return Practitioner{}, notFound()
		}
		acc, err := r.Accounts.Account(ctx, actor)
		if err != nil {
			return Practitioner{}, err
		}
		return PractitionerFrom(staffID, acc.Name), nil
	case tend.KindPerson:
		members, err := r.CareTeams.TeamMembers(ctx, actor, actor.ID)
		if err != nil {
			return Practitioner{}, err
		}
		for _, m := range members {
			if m.StaffID == staffID {
				return PractitionerFrom(m.StaffID, m.StaffName), nil
			}
		}
	}
	return Practitioner{}, notFound()
}

// CareTeam is the person's care team and its members as Practitioners
// (access.CareTeamRead; a staff read is audited).
func (r *Records) CareTeam(ctx context.Context, actor tend.Actor, personID tend.ID) (CareTeam, []Practitioner, error) {
	members, err := r.CareTeams.TeamMembers(ctx, actor, personID)
	if err != nil {
		return CareTeam{}, nil, err
	}
	var ps []Practitioner
	seen := map[tend.ID]bool{}
	for _, m := range members {
		if m.State == access.MemberEnded || seen[m.StaffID] {
			continue
		}
		seen[m.StaffID] = true
		ps = append(ps, PractitionerFrom(m.StaffID, m.StaffName))
	}
	return CareTeamFrom(personID, members), ps, nil
}

// Consents are the person's sharing choices, one Consent per care-team
// member: the person sees all of them; a staff member only those of their
// own memberships (what the person shares with them).
func (r *Records) Consents(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Consent, error) {
	s, err := r.subject(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	c, _, err := r.consents(ctx, actor, s)
	return c, err
}

// consents are the Consents the actor may see, with the Practitioners they
// name.
func (r *Records) consents(ctx context.Context, actor tend.Actor, s subject) ([]Consent, []Practitioner, error) {
	var team []careteam.MemberView
	if s.staff != nil {
		for _, m := range s.staff.Team {
			if m.StaffID == actor.ID {
				team = append(team, m)
			}
		}
	} else {
		var err error
		if team, err = r.CareTeams.Team(ctx, actor, s.id); err != nil {
			return nil, nil, err
		}
	}
	out := make([]Consent, 0, len(team))
	var ps []Practitioner
	for _, m := range team {
		if m.State == access.MemberEnded {
			continue
		}
		out = append(out, ConsentFrom(s.id, m))
		ps = append(ps, PractitionerFrom(m.StaffID, m.StaffName))
	}
	return out, ps, nil
}

// CarePlan is the current version of the person's safety plan, and false
// when there is none yet (access.SafetyPlanRead; a staff read is audited).
func (r *Records) CarePlan(ctx context.Context, actor tend.Actor, personID tend.ID) (CarePlan, bool, error) {
	if r.SafetyPlans == nil {
		return CarePlan{}, false, nil
	}
	p, ok, err := r.SafetyPlans.Current(ctx, actor, personID)
	if err != nil || !ok {
		return CarePlan{}, false, err
	}
	return CarePlanFrom(p), true, nil
}

// Questionnaires are the instruments the service offers, shipped and
// imported, with Tend's scoring extension.
func (r *Records) Questionnaires(ctx context.Context, actor tend.Actor) ([]Questionnaire, error) {
	if r.Measures == nil {
		return nil, nil
	}
	list, err := r.Measures.Instruments(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := make([]Questionnaire, 0, len(list))
	for _, av := range list {
		out = append(out, QuestionnaireFromInstrument(av.Instrument))
	}
	return out, nil
}

// Answers are a person's finished questionnaires: each response, its
// total score as an Observation (when it has one), and the
// Questionnaires they answer.
type Answers struct {
	Responses      []QuestionnaireResponse
	Scores         []Observation
	Questionnaires []Questionnaire
}

// Answers reads the person's finished responses through the measure
// service (access.QuestionnairesRead; a staff read is audited).
func (r *Records) Answers(ctx context.Context, actor tend.Actor, personID tend.ID) (Answers, error) {
	var out Answers
	if r.Measures == nil {
		return out, nil
	}
	series, err := r.Measures.Scores(ctx, actor, personID)
	if err != nil {
		return out, err
	}
	subject := PatientRef(personID)
	for _, s := range series {
		if len(s.Points) == 0 {
			continue
		}
		out.Questionnaires = append(out.Questionnaires, QuestionnaireFromInstrument(s.Instrument))
		for _, p := range s.Points {
			qr := QuestionnaireResponseFrom(s.Instrument, p.Response, subject, QuestionnaireURL(s.Instrument))
			out.Responses = append(out.Responses, qr)
			if o, ok := ScoreObservation(s.Instrument, p.Response, subject, "QuestionnaireResponse/"+qr.ID); ok {
				out.Scores = append(out.Scores, o)
			}
		}
	}
	return out, nil
}

// DiaryObservations are all the person's diary cards (an imported history
// may reach back before they joined), one Observation each
// (access.DiaryRead; a staff read is audited).
func (r *Records) DiaryObservations(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Observation, error) {
	if r.Diary == nil {
		return nil, nil
	}
	cfg, err := r.Diary.Config(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	cards, err := r.Diary.AllCards(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	subject := PatientRef(personID)
	out := make([]Observation, 0, len(cards))
	for _, c := range cards {
		out = append(out, DiaryCardObservation(cfg, c, subject))
	}
	return out, nil
}

// Observations are the person's score and diary Observations, each kind
// left out when the actor knows the person but may not see its area
// (EFORBIDDEN); a person the actor may not see at all is ENOTFOUND.
func (r *Records) Observations(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Observation, error) {
	var out []Observation
	a, err := r.Answers(ctx, actor, personID)
	switch {
	case err == nil:
		out = append(out, a.Scores...)
	case tend.ErrorKind(err) != tend.EFORBIDDEN:
		return nil, err
	}
	d, err := r.DiaryObservations(ctx, actor, personID)
	switch {
	case err == nil:
		out = append(out, d...)
	case tend.ErrorKind(err) != tend.EFORBIDDEN:
		return nil, err
	}
	return out, nil
}

// Owner returns whose record id is, for a read by id; ENOTFOUND when
// there is none.
func (r *Records) Owner(ctx context.Context, id tend.ID) (tend.ID, error) {
	if r.Owners == nil {
		return "", notFound()
	}
	return r.Owners.FindRecordOwner(ctx, id)
}

// OwnerOf finds the person behind a FHIR id that carries a record's UUID
// (a response's, a card's or a membership's), whatever prefix the mapping
// gave it; ENOTFOUND when none does.
func (r *Records) OwnerOf(ctx context.Context, fhirID string) (tend.ID, error) {
	for _, cand := range uuidsIn(fhirID) {
		id, err := r.Owner(ctx, cand)
		if err == nil {
			return id, nil
		}
		if tend.ErrorKind(err) != tend.ENOTFOUND {
			return "", err
		}
	}
	return "", notFound()
}

// uuidsIn returns the canonical UUIDs found at any position in s.
func uuidsIn(s string) []tend.ID {
	const n = 36
	var out []tend.ID
	for i := 0; i+n <= len(s); i++ {
		if id, err := tend.ParseID(s[i : i+n]); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
