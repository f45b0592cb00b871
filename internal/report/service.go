package report

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/outcome"
)

// AuditOutcomesRead is the one aggregate audit event an outcomes report
// writes (DESIGN.md "Audit": one aggregate event per report). Its target
// names the cohort; it names no person.
const AuditOutcomesRead = "report.outcomes_read"

// AuditOutcomesExported is the one aggregate audit event an operator's
// export of the outcome figures writes (tend export outcomes): like
// AuditOutcomesRead, its target names the cohort and no person.
const AuditOutcomesExported = "report.outcomes_exported"

// auditTarget prefixes the targets of this package's audit events.
const auditTarget = "outcomes:"

// Settings are the service's choices the reports depend on.
type Settings struct {
	// Outcome holds the measures' settings (zero fields: outcome.Defaults).
	Outcome outcome.Settings
	// Modalities is the service's modality list, in the order reports show
	// it; empty means episodes.DefaultModalities.
	Modalities []string
	// WindowWeeks is the width of each follow-up window either side of its
	// point; 0 means episodes.DefaultWindowWeeks.
	WindowWeeks int
	// Location is the service's time zone, for the report's day; nil
	// means UTC.
	Location *time.Location
	// Texts words each instrument's reliable-change rule in the service's
	// language (measure.Instrument.RuleWords); nil leaves the rules
	// unnamed.
	Texts measure.Texts
}

// Service builds the outcome reports: checked, audited, aggregated in the
// database.
type Service struct {
	store    Store
	checker  Checker
	clock    tend.Clock
	settings func() Settings
}

// NewService returns a Service; settings is read on every call, so a
// change to the service's settings holds at once (nil: the defaults).
func NewService(st Store, c Checker, clock tend.Clock, settings func() Settings) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Service{store: st, checker: c, clock: clock, settings: settings}
}

// Settings returns the settings in force, defaults filled in.
func (s *Service) Settings() Settings {
	cfg := s.settings()
	cfg.Outcome = cfg.Outcome.WithDefaults()
	if len(cfg.Modalities) == 0 {
		cfg.Modalities = episodes.DefaultModalities
	}
	if cfg.WindowWeeks <= 0 {
		cfg.WindowWeeks = episodes.DefaultWindowWeeks
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return cfg
}

// today is the report's day: today's civil date in the service's zone.
func (s *Service) today(cfg Settings) time.Time {
	y, m, d := s.clock.Now().In(cfg.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// careTeams returns every care team of the service, by name.
func (s *Service) careTeams(ctx context.Context) ([]auth.Team, error) {
	all, err := s.store.FindTeams(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b auth.Team) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return slices.DeleteFunc(all, func(t auth.Team) bool { return t.Kind != auth.TeamCare }), nil
}

// teams returns the care teams whose reports actor may read (the teams
// they lead), by name, and whether they are every care team of the
// service. EUNAUTHORIZED for an anonymous caller.
func (s *Service) teams(ctx context.Context, actor tend.Actor) ([]outcome.Team, bool, error) {
	all, err := s.careTeams(ctx)
	if err != nil {
		return nil, false, err
	}
	var out []outcome.Team
	care := 0
	for _, t := range all {
		care++
		err := s.checker.CheckTeam(ctx, actor, access.ReportRead, t.ID)
		switch {
		case err == nil:
			out = append(out, outcome.Team{ID: string(t.ID), Name: t.Name})
		case tend.ErrorKind(err) == tend.ENOTFOUND, tend.ErrorKind(err) == tend.EFORBIDDEN:
		default:
			return nil, false, err
		}
	}
	return out, len(out) > 0 && len(out) == care, nil
}

// Cohorts returns the calendar years and quarters in which episodes of
// care of the teams actor leads ended, newest first, each year before its
// quarters. ENOTFOUND for anyone who leads no team (a clinician, an admin).
func (s *Service) Cohorts(ctx context.Context, actor tend.Actor) ([]outcome.Cohort, error) {
	teams, _, err := s.teams(ctx, actor)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return nil, tend.ErrNotFound
	}
	months, err := s.store.FindEpisodeEndMonths(ctx, teamIDs(teams))
	if err != nil {
		return nil, err
	}
	seen := map[outcome.Cohort]bool{}
	var out []outcome.Cohort
	for _, m := range months {
		for _, c := range []outcome.Cohort{{Year: m.Year()}, {Year: m.Year(), Quarter: (int(m.Month())-1)/3 + 1}} {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b outcome.Cohort) int {
		if a.Year != b.Year {
			return b.Year - a.Year
		}
		qa, qb := a.Quarter, b.Quarter
		if qa == 0 {
			qa = 5
		}
		if qb == 0 {
			qb = 5
		}
		return qb - qa
	})
	return out, nil
}

func teamIDs(teams []outcome.Team) []tend.ID {
	ids := make([]tend.ID, len(teams))
	for i, t := range teams {
		ids[i] = tend.ID(t.ID)
	}
	return ids
}

// Outcomes returns the outcomes report of the episodes of care that ended
// in cohort, in the teams actor leads (all of them together, then each),
// after disclosure control. It writes one aggregate audit event naming the
// cohort and no person. ENOTFOUND for anyone who leads no team; EINVALID
// for a cohort that is no calendar year or quarter.
func (s *Service) Outcomes(ctx context.Context, actor tend.Actor, c outcome.Cohort) (outcome.Report, error) {
	cfg := s.Settings()
	teams, all, err := s.teams(ctx, actor)
	if err != nil {
		return outcome.Report{}, err
	}
	if len(teams) == 0 {
		return outcome.Report{}, tend.ErrNotFound
	}
	if c.Year < 1900 || c.Year > 9999 || c.Quarter < 0 || c.Quarter > 4 {
		return outcome.Report{}, tend.Errorf(tend.EINVALID, "Choose a calendar year or quarter.")
	}
	return s.build(ctx, actor, AuditOutcomesRead, teams, all, c, cfg)
}

// Export returns the outcomes report of the episodes of care that ended in
// cohort for the whole service, for the operator's de-identified export
// (tend export outcomes): the report a lead of every care team reads, built
// and suppressed by exactly the same rules, so that the two agree figure
// for figure. Only Tend itself may (access.OutcomesExport: tend.System on
// the command line); it writes one aggregate audit event naming the
// cohort and no person. EFORBIDDEN for anyone else; EINVALID for a cohort
// that is no calendar year or quarter; ENOTFOUND when the service has no
// care team.
func (s *Service) Export(ctx context.Context, actor tend.Actor, c outcome.Cohort) (outcome.Report, error) {
	if err := s.checker.CheckService(ctx, actor, access.OutcomesExport); err != nil {
		return outcome.Report{}, err
	}
	if c.Year < 1900 || c.Year > 9999 || c.Quarter < 0 || c.Quarter > 4 {
		return outcome.Report{}, tend.Errorf(tend.EINVALID, "Choose a calendar year or quarter.")
	}
	cfg := s.Settings()
	all, err := s.careTeams(ctx)
	if err != nil {
		return outcome.Report{}, err
	}
	if len(all) == 0 {
		return outcome.Report{}, tend.Errorf(tend.ENOTFOUND, "The service has no care team, so there is nothing to export.")
	}
	teams := make([]outcome.Team, len(all))
	for i, t := range all {
		teams[i] = outcome.Team{ID: string(t.ID), Name: t.Name}
	}
	return s.build(ctx, actor, AuditOutcomesExported, teams, true, c, cfg)
}

// build writes the report's one aggregate audit event (action, naming the
// cohort) and builds the report of cohort c over teams after disclosure
// control; all says that teams are every care team of the service.
func (s *Service) build(ctx context.Context, actor tend.Actor, action string, teams []outcome.Team, all bool, c outcome.Cohort, cfg Settings) (outcome.Report, error) {
	err := s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, action, "", auditTarget+c.String()))
	})
	if err != nil {
		return outcome.Report{}, err
	}
	asOf := s.today(cfg)
	recs, err := s.store.FindReportEpisodes(ctx, EpisodeFilter{Teams: teamIDs(teams), EndedFrom: c.From(), EndedTo: c.To()})
	if err != nil {
		return outcome.Report{}, err
	}
	// Sorted here, byte by byte, so both engines give the same order
	// whatever their collation.
	slices.SortFunc(recs, func(a, b EpisodeRecord) int {
		if c := compareDates(a.Episode.EndedOn, b.Episode.EndedOn); c != 0 {
			return c
		}
		return strings.Compare(string(a.Episode.ID), string(b.Episode.ID))
	})
	plans, windows, treats := plan(recs, cfg, asOf, false)
	eps, err := s.episodes(ctx, plans, windows, treats, cfg, true)
	if err != nil {
		return outcome.Report{}, err
	}
	q := outcome.Query{Cohort: c, Teams: teams, AllTeams: all, Modalities: cfg.Modalities, AsOf: asOf}
	return outcome.Build(eps, q, cfg.Outcome), nil
}

// Person returns one person's outcome measures for their current episode
// of care (or, with none open, the latest to have started), for the
// session preparation view of their care team. The caller needs
// access.EpisodeRead (errors as access.Checker: "not found" for anyone
// outside the care team); the diary periods come only when the person
// shares their diary with the caller, the questionnaire changes only when
// they share their questionnaires. A staff read is audited per area read.
func (s *Service) Person(ctx context.Context, actor tend.Actor, personID tend.ID) (PersonOutcomes, error) {
	if err := s.checker.Check(ctx, actor, access.EpisodeRead, personID); err != nil {
		return PersonOutcomes{}, err
	}
	cfg := s.Settings()
	out := PersonOutcomes{Settings: cfg.Outcome}
	var err error
	if out.Diary, err = s.may(ctx, actor, access.DiaryRead, personID); err != nil {
		return PersonOutcomes{}, err
	}
	if out.Questionnaires, err = s.may(ctx, actor, access.QuestionnairesRead, personID); err != nil {
		return PersonOutcomes{}, err
	}
	if actor.Kind == tend.KindStaff {
		target := auditTarget + string(personID)
		events := []tend.AuditEvent{event(actor, string(access.EpisodeRead), personID, target)}
		if out.Diary {
			events = append(events, event(actor, string(access.DiaryRead), personID, target))
		}
		if out.Questionnaires {
			events = append(events, event(actor, string(access.QuestionnairesRead), personID, target))
		}
		if err := s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) }); err != nil {
			return PersonOutcomes{}, err
		}
	}
	recs, err := s.store.FindReportEpisodes(ctx, EpisodeFilter{PersonID: personID})
	if err != nil {
		return PersonOutcomes{}, err
	}
	rec, ok := current(recs)
	if !ok {
		return out, nil
	}
	ep := rec.Episode
	out.Episode = &ep
	plans, windows, treats := plan([]EpisodeRecord{rec}, cfg, s.today(cfg), true)
	p := plans[0]
	if p.treat < 0 {
		return out, nil
	}
	// The treatment's window for its incidents; the periods' only when the
	// person shares their diary with the reader.
	read := treats
	if out.Diary {
		read = append(slices.Clone(treats), windows...)
	}
	days, err := s.store.FindWindowDays(ctx, read)
	if err != nil {
		return PersonOutcomes{}, err
	}
	out.Incidents = days[p.treat].Incidents
	if out.Diary {
		for _, pp := range p.periods {
			d := days[len(treats)+pp.window]
			d.InPeriod = windows[pp.window].Days()
			out.Periods = append(out.Periods, PersonPeriod{Period: pp.Period, From: pp.From, To: pp.To, Complete: pp.complete, Days: d})
		}
		out.Change = personChange(out.Periods, cfg.Outcome.MinCoverage)
	}
	if out.Questionnaires {
		eps, err := s.episodes(ctx, plans, windows, nil, cfg, false)
		if err != nil {
			return PersonOutcomes{}, err
		}
		out.Scores = eps[0].Scores
	}
	return out, nil
}

// may reports whether actor may do action to the person's data: false for
// a denial, an error for anything else.
func (s *Service) may(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) (bool, error) {
	err := s.checker.Check(ctx, actor, action, personID)
	switch k := tend.ErrorKind(err); {
	case err == nil:
		return true, nil
	case k == tend.ENOTFOUND, k == tend.EFORBIDDEN, k == tend.EUNAUTHORIZED:
		return false, nil
	}
	return false, err
}

// current returns the person's open episode that has started, or else the
// one that started last.
func current(recs []EpisodeRecord) (EpisodeRecord, bool) {
	var best *EpisodeRecord
	for i := range recs {
		r := &recs[i]
		if r.Episode.StartedOn == nil {
			continue
		}
		switch {
		case best == nil:
			best = r
		case (r.Episode.EndedOn == nil) != (best.Episode.EndedOn == nil):
			if r.Episode.EndedOn == nil {
				best = r
			}
		case r.Episode.StartedOn.After(*best.Episode.StartedOn),
			r.Episode.StartedOn.Equal(*best.Episode.StartedOn) && r.Episode.ID > best.Episode.ID:
			best = r
		}
	}
	if best == nil {
		return EpisodeRecord{}, false
	}
	return *best, true
}

// personChange is the change in self-harm rate from the baseline to the
// latest complete period after it, when both have the minimum coverage.
func personChange(periods []PersonPeriod, minCoverage float64) *PersonChange {
	var base, last *PersonPeriod
	for i := range periods {
		p := &periods[i]
		if !p.Complete {
			continue
		}
		if p.Period == outcome.Baseline {
			base = p
		} else {
			last = p
		}
	}
	if base == nil || last == nil || !base.Days.Covered(minCoverage) || !last.Days.Covered(minCoverage) {
		return nil
	}
	before, ok1 := outcome.RatePerWeek(base.Days.SelfHarm, base.Days.Observed)
	after, ok2 := outcome.RatePerWeek(last.Days.SelfHarm, last.Days.Observed)
	if !ok1 || !ok2 {
		return nil
	}
	return &PersonChange{From: base.Period, To: last.Period, RateBefore: before, RateAfter: after}
}

// planned is an episode with the windows its measures read: the
// treatment (its index among the treatment windows; -1: none) and each
// period (its index among the period windows).
type planned struct {
	rec     EpisodeRecord
	treat   int
	periods []plannedPeriod
}

type plannedPeriod struct {
	span
	window   int
	complete bool
}

// plan lays out the windows of every episode. For a report (begun false)
// a period counts once it is over by today; for one person's view (begun
// true) once it has begun, read up to today.
func plan(recs []EpisodeRecord, cfg Settings, today time.Time, begun bool) (out []planned, windows, treats []Window) {
	out = make([]planned, len(recs))
	for i, r := range recs {
		p := planned{rec: r, treat: -1}
		if w, ok := treatment(r, today); ok {
			p.treat = len(treats)
			treats = append(treats, w)
		}
		for _, sp := range spans(r, cfg.Outcome.BaselineDays, cfg.WindowWeeks) {
			complete := sp.To.Before(today)
			w := Window{PersonID: r.Episode.PersonID, From: sp.From, To: sp.To}
			switch {
			case complete:
			case begun && !sp.From.After(today):
				w.To = today
			default:
				continue
			}
			p.periods = append(p.periods, plannedPeriod{span: sp, window: len(windows), complete: complete})
			windows = append(windows, w)
		}
		out[i] = p
	}
	return out, windows, treats
}

// episodes reads the periods' sums and cards of the treatment (with the
// diary) and the first questionnaire totals of the periods, and makes the
// engine's episodes. Episode keys tell people apart and name nobody.
func (s *Service) episodes(ctx context.Context, plans []planned, windows, treats []Window, cfg Settings, diary bool) ([]outcome.Episode, error) {
	var (
		days     []outcome.Days
		observed []int
		totals   []Total
	)
	err := parallel(
		func() (err error) {
			if diary {
				days, err = s.windowDays(ctx, windows)
			}
			return err
		},
		func() (err error) {
			if diary {
				observed, err = s.store.FindWindowCounts(ctx, treats)
			}
			return err
		},
		func() (err error) {
			totals, err = s.store.FindWindowTotals(ctx, windows)
			return err
		},
	)
	if err != nil {
		return nil, err
	}
	byWindow := map[int][]Total{}
	for _, t := range totals {
		byWindow[t.Window] = append(byWindow[t.Window], t)
	}
	instruments, err := s.instruments(ctx)
	if err != nil {
		return nil, err
	}
	keys := map[tend.ID]string{}
	out := make([]outcome.Episode, 0, len(plans))
	for _, p := range plans {
		e := p.rec.Episode
		key, ok := keys[e.PersonID]
		if !ok {
			key = strconv.Itoa(len(keys) + 1)
			keys[e.PersonID] = key
		}
		oe := outcome.Episode{Key: key, Team: string(p.rec.TeamID), Modality: e.Modality, ReferredOn: e.ReferredOn,
			Accepted: e.Decision == episodes.DecisionAccepted, StartedOn: e.StartedOn, EndedOn: e.EndedOn,
			SessionsAttended: p.rec.SessionsAttended, FollowUpConsent: e.FollowUpConsent != nil && *e.FollowUpConsent,
			Periods: map[outcome.Period]outcome.Days{}, FollowUpQuestionnaire: map[outcome.Period]bool{}}
		if p.treat >= 0 && diary {
			oe.TreatmentDays = treats[p.treat].Days()
			oe.TreatmentObserved = observed[p.treat]
		}
		at := map[outcome.Period]int{}
		for _, pp := range p.periods {
			at[pp.Period] = pp.window
			if diary {
				d := days[pp.window]
				d.InPeriod = windows[pp.window].Days()
				oe.Periods[pp.Period] = d
			}
			if pp.Period != outcome.Baseline && pp.Period != outcome.End {
				oe.FollowUpQuestionnaire[pp.Period] = len(byWindow[pp.window]) > 0
			}
		}
		oe.Scores = scoresOf(at, byWindow, instruments, cfg.Texts)
		out = append(out, oe)
	}
	return out, nil
}

// windowDays sums the periods' diary cards, the windows split in two
// halves read at the same time, so that the database can use two cores.
func (s *Service) windowDays(ctx context.Context, windows []Window) ([]outcome.Days, error) {
	half := len(windows) / 2
	var first, second []outcome.Days
	err := parallel(
		func() (err error) { first, err = s.store.FindWindowDays(ctx, windows[:half]); return err },
		func() (err error) { second, err = s.store.FindWindowDays(ctx, windows[half:]); return err },
	)
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// parallel runs fns at the same time and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// instruments returns every instrument a response may name: the shipped
// ones and every imported one, retired ones included.
func (s *Service) instruments(ctx context.Context) (map[string]*measure.Instrument, error) {
	out := map[string]*measure.Instrument{}
	for _, in := range measure.Builtin() {
		out[in.ID] = &in
	}
	imported, err := s.store.FindImportedInstruments(ctx)
	if err != nil {
		return nil, err
	}
	for i := range imported {
		in := imported[i].Instrument
		out[in.ID] = &in
	}
	return out, nil
}

// scoresOf judges each instrument's change for every comparison whose two
// periods both hold a total of it, by the instrument's own rule.
func scoresOf(at map[outcome.Period]int, byWindow map[int][]Total, instruments map[string]*measure.Instrument, texts measure.Texts) []outcome.Score {
	var out []outcome.Score
	for _, cmp := range outcome.Comparisons {
		from, ok1 := at[cmp.From]
		to, ok2 := at[cmp.To]
		if !ok1 || !ok2 {
			continue
		}
		first := map[string]float64{}
		for _, t := range byWindow[from] {
			if t.Total != nil {
				first[t.InstrumentID] = *t.Total
			}
		}
		var later []Total
		for _, t := range byWindow[to] {
			if _, ok := first[t.InstrumentID]; ok && t.Total != nil {
				later = append(later, t)
			}
		}
		slices.SortFunc(later, func(a, b Total) int { return strings.Compare(a.InstrumentID, b.InstrumentID) })
		for _, t := range later {
			in, ok := instruments[t.InstrumentID]
			if !ok {
				continue
			}
			before, after := first[t.InstrumentID], *t.Total
			c, ok := in.ReliableChange(before, after)
			if !ok {
				c = measure.Change{From: before, To: after}
			}
			sc := outcome.Score{Instrument: in.ID, Title: in.Short, Comparison: cmp, Change: c,
				HasThreshold: in.Scoring.Threshold != nil}
			if texts != nil {
				sc.Rule = in.RuleWords(texts, nil)
			}
			if sc.HasThreshold {
				sc.AboveAtStart, sc.BelowAtEnd = in.Above(before), !in.Above(after)
			}
			out = append(out, sc)
		}
	}
	return out
}

func compareDates(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
