package measure

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/followup"
)

// The audit actions this package records, besides access actions.
const (
	AuditImported          = "instrument.imported"
	AuditRetired           = "instrument.retired"
	AuditPromptsSet        = "instrument.prompts_set"
	AuditAssigned          = "questionnaire.assigned"
	AuditAssignmentEnded   = "questionnaire.assignment_ended"
	AuditResponseSaved     = "questionnaire.saved"
	AuditResponseFinished  = "questionnaire.finished"
	MaxRightsChars         = 2000
	MaxQuestionnaireBytes  = 512 << 10
	defaultFollowUpWeeks   = 4
	auditTargetInstrument  = "instrument:"
	auditTargetAssignment  = "questionnaire_assignment:"
	auditTargetResponse    = "questionnaire_response:"
	auditTargetPersonMeans = "questionnaires:"
)

// Service keeps instruments, assignments and responses.
type Service struct {
	store    Store
	checker  Checker
	prompter Prompter
	clock    tend.Clock
	// windowWeeks gives the follow-up window width (episodes settings).
	windowWeeks func() int
}

// NewService returns a Service. windowWeeks gives the follow-up window
// in force (nil: 4 weeks).
func NewService(store Store, checker Checker, prompter Prompter, clock tend.Clock, windowWeeks func() int) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	if windowWeeks == nil {
		windowWeeks = func() int { return defaultFollowUpWeeks }
	}
	return &Service{store: store, checker: checker, prompter: prompter, clock: clock, windowWeeks: windowWeeks}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the service's civil date (UTC); LeadDays absorbs the zones.
func (s *Service) today() time.Time { return civil(s.now()) }

// Available is an instrument a clinician may assign: the shipped ones and
// the imported ones not retired.
type Available struct {
	Instrument Instrument
	Imported   *Imported // nil for a shipped instrument
}

// Retired reports whether the instrument was retired by the service.
func (a Available) Retired() bool { return a.Imported != nil && a.Imported.RetiredAt != nil }

// PromptsOn reports whether the instrument's prompt items raise safety
// prompts: always for the shipped ones, as the service chose for imports.
func (a Available) PromptsOn() bool { return a.Imported == nil || a.Imported.PromptsEnabled }

// Instruments returns every instrument, shipped first, retired ones
// included (marked), to signed-in staff and people.
func (s *Service) Instruments(ctx context.Context, actor tend.Actor) ([]Available, error) {
	if actor.Kind != tend.KindStaff && actor.Kind != tend.KindPerson {
		return nil, tend.ErrNotFound
	}
	var out []Available
	for _, in := range Builtin() {
		out = append(out, Available{Instrument: in})
	}
	imported, err := s.store.FindImportedInstruments(ctx)
	if err != nil {
		return nil, err
	}
	for i := range imported {
		out = append(out, Available{Instrument: imported[i].Instrument, Imported: &imported[i]})
	}
	return out, nil
}

// Catalogue returns every instrument, as Instruments does, with what the
// service imported (its rights statement, retirement and prompts): the
// admin's page of instruments. Admins only, as Import.
func (s *Service) Catalogue(ctx context.Context, actor tend.Actor) ([]Available, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return nil, err
	}
	return s.Instruments(ctx, actor)
}

// Instrument returns one instrument by id; ENOTFOUND for none.
func (s *Service) Instrument(ctx context.Context, id string) (Available, error) {
	for _, in := range Builtin() {
		if in.ID == id {
			return Available{Instrument: in}, nil
		}
	}
	imp, err := s.store.FindImportedInstrument(ctx, id)
	if err != nil {
		return Available{}, err
	}
	return Available{Instrument: imp.Instrument, Imported: &imp}, nil
}

// Import adds an instrument a service has the right to use, mapped from a
// FHIR Questionnaire with Tend's scoring extension (internal/fhir). Admins
// only; it refuses what it cannot score and names why.
func (s *Service) Import(ctx context.Context, actor tend.Actor, in Instrument, questionnaire []byte, rights string) (Instrument, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return Instrument{}, err
	}
	rights = strings.TrimSpace(rights)
	if rights == "" || len(rights) > MaxRightsChars {
		return Instrument{}, tend.Errorf(tend.EINVALID, "State the service's right to use this instrument (its licence, or the permission you hold), in at most %d characters.", MaxRightsChars)
	}
	if len(questionnaire) > MaxQuestionnaireBytes {
		return Instrument{}, tend.Errorf(tend.EINVALID, "The questionnaire is too large to import (at most %d KB).", MaxQuestionnaireBytes>>10)
	}
	in.Builtin = false
	in.ID = MakeID(in.Key, in.Version, in.Language)
	if err := in.Validate(); err != nil {
		return Instrument{}, tend.Errorf(tend.EINVALID, "This instrument cannot be imported: %s.", err)
	}
	for _, b := range Builtin() {
		if b.ID == in.ID || strings.EqualFold(b.Key, in.Key) {
			return Instrument{}, tend.Errorf(tend.ECONFLICT, "Tend already ships %s; import it under another name.", b.Short)
		}
	}
	if in.Short == "" {
		in.Short = in.Key
	}
	rec := Imported{Instrument: in, Questionnaire: questionnaire, Rights: rights, ImportedBy: actor.ID, ImportedAt: s.now()}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateImportedInstrument(ctx, rec); err != nil {
			if tend.ErrorKind(err) == tend.ECONFLICT {
				return tend.Errorf(tend.ECONFLICT, "Version %s of %s in this language is already imported; give the new one another version.", in.Version, in.Short)
			}
			return err
		}
		return tx.AppendAudit(ctx, adminEvent(actor, AuditImported, auditTargetInstrument+in.ID))
	})
	return in, err
}

// Retire stops an imported instrument being assigned or answered; what was
// answered stays. Admins only.
func (s *Service) Retire(ctx context.Context, actor tend.Actor, id string) error {
	return s.updateImported(ctx, actor, id, AuditRetired, func(imp *Imported) error {
		if imp.RetiredAt != nil {
			return tend.Errorf(tend.ECONFLICT, "This instrument is already retired.")
		}
		now := s.now()
		imp.RetiredAt, imp.RetiredBy = &now, actor.ID
		return nil
	})
}

// SetPrompts turns on or off the safety prompts an imported instrument's
// items propose. Admins only.
func (s *Service) SetPrompts(ctx context.Context, actor tend.Actor, id string, on bool) error {
	return s.updateImported(ctx, actor, id, AuditPromptsSet, func(imp *Imported) error {
		if on && len(imp.Instrument.Scoring.Prompts) == 0 {
			return tend.Errorf(tend.EINVALID, "This instrument names no item that proposes a safety prompt.")
		}
		imp.PromptsEnabled = on
		return nil
	})
}

func (s *Service) updateImported(ctx context.Context, actor tend.Actor, id, action string, change func(*Imported) error) error {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	imp, err := s.store.FindImportedInstrument(ctx, id)
	if err != nil {
		return err
	}
	if err := change(&imp); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdateImportedInstrument(ctx, imp); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, adminEvent(actor, action, auditTargetInstrument+id))
	})
}

// NewAssignment is what a clinician assigns.
type NewAssignment struct {
	InstrumentID string
	Schedule     Schedule
}

// Assign assigns an instrument to the person, once or on a schedule: a
// member of the care team the person shares their questionnaires with. The
// first due questionnaire is there at once when it falls due today. A
// person has one active assignment per instrument: assigning it again with
// the same schedule (a retried form) returns that assignment and adds
// nothing; with another schedule it is ECONFLICT until the first is stopped.
func (s *Service) Assign(ctx context.Context, actor tend.Actor, personID tend.ID, n NewAssignment) (Assignment, error) {
	if actor.Kind != tend.KindStaff {
		return Assignment{}, tend.ErrNotFound
	}
	if err := s.checker.Check(ctx, actor, access.QuestionnairesRead, personID); err != nil {
		return Assignment{}, err
	}
	av, err := s.Instrument(ctx, n.InstrumentID)
	if err != nil {
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return Assignment{}, tend.Errorf(tend.EINVALID, "Choose a questionnaire.")
		}
		return Assignment{}, err
	}
	if av.Retired() {
		return Assignment{}, tend.Errorf(tend.EINVALID, "This questionnaire is retired and can no longer be assigned.")
	}
	if err := n.Schedule.Validate(); err != nil {
		return Assignment{}, tend.Errorf(tend.EINVALID, "%s.", capitalize(err.Error()))
	}
	a := Assignment{ID: tend.NewID(), PersonID: personID, InstrumentID: av.Instrument.ID, Schedule: n.Schedule,
		StartsOn: s.today(), CreatedBy: actor.ID, CreatedAt: s.now()}
	cal, err := s.calendar(ctx, personID, a.Schedule)
	if err != nil {
		return Assignment{}, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateAssignment(ctx, a); err != nil {
			return err
		}
		if _, err := s.materialize(ctx, tx, a, cal); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditAssigned, personID, auditTargetAssignment+string(a.ID)))
	})
	if tend.ErrorKind(err) == tend.ECONFLICT {
		return s.assigned(ctx, personID, a)
	}
	return a, err
}

// assigned answers an assignment that met an active one of the same
// instrument: the same schedule is a retry, another is a conflict.
func (s *Service) assigned(ctx context.Context, personID tend.ID, want Assignment) (Assignment, error) {
	as, err := s.store.FindAssignments(ctx, personID)
	if err != nil {
		return Assignment{}, err
	}
	for _, a := range as {
		if a.Active() && a.InstrumentID == want.InstrumentID {
			if a.Schedule == want.Schedule {
				return a, nil
			}
			return Assignment{}, tend.Errorf(tend.ECONFLICT, "This questionnaire is already assigned on another schedule. Stop that assignment first to change its schedule.")
		}
	}
	return Assignment{}, tend.Errorf(tend.ECONFLICT, "This questionnaire was assigned at the same moment by someone else. Reload the page to see it.")
}

// EndAssignment stops an assignment falling due; answers given stay.
func (s *Service) EndAssignment(ctx context.Context, actor tend.Actor, personID, id tend.ID) error {
	if actor.Kind != tend.KindStaff {
		return tend.ErrNotFound
	}
	if err := s.checker.Check(ctx, actor, access.QuestionnairesRead, personID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		a, err := tx.FindAssignmentTx(ctx, personID, id)
		if err != nil {
			return err
		}
		if !a.Active() {
			return tend.Errorf(tend.ECONFLICT, "This questionnaire is no longer assigned.")
		}
		if err := tx.EndAssignment(ctx, personID, id, actor.ID, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditAssignmentEnded, personID, auditTargetAssignment+string(id)))
	})
}

// Schedule adds every due questionnaire that has fallen due (or falls due
// within LeadDays) for every active assignment. Run as a periodic job on
// any number of nodes: a due questionnaire is unique on (assignment, date),
// so it never doubles. It returns how many it added.
func (s *Service) Schedule(ctx context.Context) (int, error) {
	as, err := s.store.FindActiveAssignments(ctx)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, a := range as {
		cal, err := s.calendar(ctx, a.PersonID, a.Schedule)
		if err != nil {
			return added, err
		}
		err = s.store.InTx(ctx, func(tx Tx) error {
			n, err := s.materialize(ctx, tx, a, cal)
			added += n
			return err
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// calendar reads the episodes and sessions a schedule tied to care needs.
func (s *Service) calendar(ctx context.Context, personID tend.ID, sc Schedule) (Calendar, error) {
	cal := Calendar{WindowWeeks: s.windowWeeks()}
	var err error
	switch sc.Kind {
	case ScheduleBeforeSession:
		cal.Sessions, err = s.store.FindCareSessions(ctx, personID)
	case ScheduleEpisode, ScheduleFollowUp:
		cal.Episodes, err = s.store.FindEpisodes(ctx, personID)
	}
	return cal, err
}

func (s *Service) materialize(ctx context.Context, tx Tx, a Assignment, cal Calendar) (int, error) {
	n := 0
	for _, d := range a.DueDates(cal, s.today().AddDate(0, 0, LeadDays)) {
		added, err := tx.CreateDue(ctx, Due{ID: tend.NewID(), AssignmentID: a.ID, PersonID: a.PersonID, InstrumentID: a.InstrumentID, On: d.On, Reason: d.Reason, CreatedAt: s.now()})
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

// Assignments returns the person's assignments with their instruments,
// newest first: the person, and staff the person shares their
// questionnaires with (audited).
func (s *Service) Assignments(ctx context.Context, actor tend.Actor, personID tend.ID) ([]AssignmentView, error) {
	if err := s.read(ctx, actor, personID, auditTargetPersonMeans+"assignments"); err != nil {
		return nil, err
	}
	as, err := s.store.FindAssignments(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]AssignmentView, 0, len(as))
	for _, a := range as {
		av, err := s.Instrument(ctx, a.InstrumentID)
		if err != nil {
			return nil, err
		}
		out = append(out, AssignmentView{Assignment: a, Instrument: av.Instrument})
	}
	return out, nil
}

// AssignmentView is an assignment with its instrument.
type AssignmentView struct {
	Assignment Assignment
	Instrument Instrument
}

// DueView is a questionnaire waiting for the person.
type DueView struct {
	Due        Due
	Instrument Instrument
	Response   *Response // the draft so far; nil: not started
}

// Waiting returns the questionnaires waiting for the person now (for their
// home page): per active assignment, the latest due one offered, unless it
// is finished. Those a later one replaced are not offered again.
func (s *Service) Waiting(ctx context.Context, actor tend.Actor, personID tend.ID) ([]DueView, error) {
	if err := s.read(ctx, actor, personID, auditTargetPersonMeans+"due"); err != nil {
		return nil, err
	}
	recs, err := s.store.FindDue(ctx, personID, s.today().AddDate(0, 0, LeadDays))
	if err != nil {
		return nil, err
	}
	latest := map[tend.ID]DueRecord{}
	var order []tend.ID
	for _, r := range recs {
		if !r.Assignment.Active() {
			continue
		}
		if _, ok := latest[r.Assignment.ID]; !ok {
			order = append(order, r.Assignment.ID)
		}
		latest[r.Assignment.ID] = r
	}
	var out []DueView
	for _, id := range order {
		r := latest[id]
		if r.Response != nil && r.Response.Finished {
			continue
		}
		av, err := s.Instrument(ctx, r.Due.InstrumentID)
		if err != nil {
			return nil, err
		}
		if av.Retired() {
			continue
		}
		out = append(out, DueView{Due: r.Due, Instrument: av.Instrument, Response: r.Response})
	}
	slices.SortFunc(out, func(a, b DueView) int { return a.Due.On.Compare(b.Due.On) })
	return out, nil
}

// Form returns a due questionnaire to answer, with the answers so far.
func (s *Service) Form(ctx context.Context, actor tend.Actor, personID, dueID tend.ID) (DueView, error) {
	if err := s.read(ctx, actor, personID, auditTargetPersonMeans+"due:"+string(dueID)); err != nil {
		return DueView{}, err
	}
	recs, err := s.store.FindDue(ctx, personID, s.today().AddDate(0, 0, LeadDays))
	if err != nil {
		return DueView{}, err
	}
	for _, r := range recs {
		if r.Due.ID != dueID {
			continue
		}
		av, err := s.Instrument(ctx, r.Due.InstrumentID)
		if err != nil {
			return DueView{}, err
		}
		return DueView{Due: r.Due, Instrument: av.Instrument, Response: r.Response}, nil
	}
	return DueView{}, tend.ErrNotFound
}

// Saved is what a save did: the response as stored and the safety prompts
// its answers raised (the person sees the safety screen for any, whatever
// each does for the care team).
type Saved struct {
	Response Response
	Prompts  []followup.Outcome
	// Prompted is true when an answer proposes a safety prompt: the person
	// sees their safety plan and the help options at once, every time.
	Prompted bool
	// Replay: Record met the same response kept before and added nothing.
	Replay bool
}

// Save stores the answers to a due questionnaire (they replace the answers
// saved before), as a draft or finished; finishing the questionnaire of an
// assignment made once ends that assignment. Answers outside an item's
// options, or to a questionnaire no longer assigned or retired, change
// nothing. Safety prompts are evaluated on every save, drafts included;
// the same response raises each prompt once. A finished response cannot be
// changed. Saving the same answers again changes nothing but the time.
func (s *Service) Save(ctx context.Context, actor tend.Actor, personID, dueID tend.ID, answers Answers, finish bool) (Saved, error) {
	if err := s.checker.Check(ctx, actor, access.QuestionnairesWrite, personID); err != nil {
		return Saved{}, err
	}
	var out Saved
	err := s.store.InTx(ctx, func(tx Tx) error {
		rec, err := tx.FindDueTx(ctx, personID, dueID)
		if err != nil {
			return err
		}
		if r := rec.Response; r != nil && r.Finished {
			// Finishing again with the same answers is a retry (an answer
			// lost on the way back): it answers the same and changes
			// nothing.
			if !finish || !maps.Equal(r.Answers, answers) {
				return tend.Errorf(tend.ECONFLICT, "This questionnaire is already finished, so it cannot be changed.")
			}
			av, err := s.Instrument(ctx, r.InstrumentID)
			if err != nil {
				return err
			}
			out.Response = *r
			return s.prompt(ctx, tx, actor, av, *r, s.now(), &out)
		}
		if !rec.Assignment.Active() {
			return tend.Errorf(tend.ECONFLICT, "This questionnaire is no longer assigned to you, so nothing was saved.")
		}
		if rec.Due.On.After(s.today().AddDate(0, 0, LeadDays)) {
			return tend.ErrNotFound
		}
		av, err := s.Instrument(ctx, rec.Due.InstrumentID)
		if err != nil {
			return err
		}
		if av.Retired() {
			return tend.Errorf(tend.ECONFLICT, "This questionnaire has been retired by the service, so nothing was saved.")
		}
		in := av.Instrument
		if err := in.Check(answers); err != nil {
			return tend.Errorf(tend.EINVALID, "%s. Nothing was saved.", capitalize(err.Error()))
		}
		now := s.now()
		r := Response{ID: tend.NewID(), DueID: dueID, PersonID: personID, InstrumentID: in.ID, Version: in.Version, StartedAt: now}
		exists := rec.Response != nil
		if exists {
			r = *rec.Response
		}
		r.Answers = maps.Clone(answers)
		if r.Answers == nil {
			r.Answers = Answers{}
		}
		r.Score = in.Score(r.Answers)
		r.UpdatedAt, r.EnteredBy = now, actor.ID
		if finish {
			r.Finished, r.FinishedAt = true, &now
		}
		if exists {
			err = tx.UpdateResponse(ctx, r)
		} else {
			err = tx.CreateResponse(ctx, r)
		}
		if err != nil {
			return err
		}
		action := AuditResponseSaved
		if finish {
			action = AuditResponseFinished
			// A questionnaire assigned once is done when it is finished:
			// the clinician can assign it again.
			if rec.Assignment.Schedule.Kind == ScheduleOnce {
				if err := tx.EndAssignment(ctx, personID, rec.Assignment.ID, actor.ID, now); err != nil {
					return err
				}
			}
		}
		if err := tx.AppendAudit(ctx, event(actor, action, personID, auditTargetResponse+string(r.ID))); err != nil {
			return err
		}
		out.Response = r
		return s.prompt(ctx, tx, actor, av, r, now, &out)
	})
	return out, err
}

// prompt raises the safety prompt the response's answers propose, once per
// response: saving again adds nothing, but the person sees the safety
// screen every time.
func (s *Service) prompt(ctx context.Context, tx Tx, actor tend.Actor, av Available, r Response, now time.Time, out *Saved) error {
	in := av.Instrument
	if len(in.Prompts(r.Answers)) == 0 {
		return nil
	}
	out.Prompted = true
	if !av.PromptsOn() {
		return nil
	}
	kind := followup.KindQuestionnaireItem
	if in.Builtin && in.Key == "phq-9" {
		kind = followup.KindPHQ9Item9
	}
	o, err := s.prompter.Raise(ctx, tx, actor, followup.Trigger{PersonID: r.PersonID, Kind: kind, SourceID: r.ID, RecordedAt: now})
	if err != nil {
		return err
	}
	out.Prompts = append(out.Prompts, o)
	return nil
}

// Series is one instrument's scores for the person, oldest first, with the
// reliable change from the first finished total to the last.
type Series struct {
	Instrument Instrument
	Points     []Point
	// Change is the change from the first total to the latest (nil with
	// fewer than two totals or no rule).
	Change *Change
}

// Point is one finished response of a series.
type Point struct {
	Response Response
	On       time.Time // the due date
}

// Totals returns the points that have a total.
func (s Series) Totals() []Point {
	var out []Point
	for _, p := range s.Points {
		if p.Response.Score.Complete() {
			out = append(out, p)
		}
	}
	return out
}

// Scores returns the person's finished responses grouped by instrument:
// the person, and staff the person shares their questionnaires with
// (audited).
func (s *Service) Scores(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Series, error) {
	if err := s.read(ctx, actor, personID, auditTargetPersonMeans+"scores"); err != nil {
		return nil, err
	}
	rs, err := s.store.FindResponses(ctx, personID)
	if err != nil {
		return nil, err
	}
	recs, err := s.store.FindDue(ctx, personID, s.today().AddDate(0, 0, LeadDays))
	if err != nil {
		return nil, err
	}
	dueOn := map[tend.ID]time.Time{}
	for _, r := range recs {
		dueOn[r.Due.ID] = r.Due.On
	}
	byKey := map[string]int{}
	var out []Series
	for _, r := range rs {
		if !r.Finished {
			continue
		}
		av, err := s.Instrument(ctx, r.InstrumentID)
		if err != nil {
			return nil, err
		}
		i, ok := byKey[av.Instrument.ID]
		if !ok {
			i = len(out)
			byKey[av.Instrument.ID] = i
			out = append(out, Series{Instrument: av.Instrument})
		}
		on, ok := dueOn[r.DueID]
		if !ok {
			on = civil(r.UpdatedAt)
		}
		out[i].Points = append(out[i].Points, Point{Response: r, On: on})
	}
	for i := range out {
		sortPoints(out[i].Points)
		t := out[i].Totals()
		if len(t) >= 2 {
			if c, ok := out[i].Instrument.ReliableChange(*t[0].Response.Score.Total, *t[len(t)-1].Response.Score.Total); ok {
				out[i].Change = &c
			}
		}
	}
	return out, nil
}

func sortPoints(ps []Point) {
	slices.SortStableFunc(ps, func(a, b Point) int {
		if c := a.On.Compare(b.On); c != 0 {
			return c
		}
		return compareTimes(a.Response.FinishedAt, b.Response.FinishedAt)
	})
}

func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}

// Response returns one of the person's responses with its instrument.
func (s *Service) Response(ctx context.Context, actor tend.Actor, personID, responseID tend.ID) (Response, Instrument, error) {
	if err := s.read(ctx, actor, personID, auditTargetResponse+string(responseID)); err != nil {
		return Response{}, Instrument{}, err
	}
	rs, err := s.store.FindResponses(ctx, personID)
	if err != nil {
		return Response{}, Instrument{}, err
	}
	for _, r := range rs {
		if r.ID == responseID {
			av, err := s.Instrument(ctx, r.InstrumentID)
			return r, av.Instrument, err
		}
	}
	return Response{}, Instrument{}, tend.ErrNotFound
}

// CanRead reports whether actor may read the person's questionnaires (the
// person shares them), without reading anything: a task page links a
// questionnaire entry to its answers only then.
func (s *Service) CanRead(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return s.checker.Check(ctx, actor, access.QuestionnairesRead, personID) == nil
}

// read checks a read of the person's questionnaires and audits a staff read.
func (s *Service) read(ctx context.Context, actor tend.Actor, personID tend.ID, target string) error {
	if err := s.checker.Check(ctx, actor, access.QuestionnairesRead, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.QuestionnairesRead), personID, target))
	})
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}

func adminEvent(actor tend.Actor, action, target string) tend.AuditEvent {
	return event(actor, action, "", target)
}
