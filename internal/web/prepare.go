package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/skills"
)

// The session preparation view (issue 8, item 2): one page per person for
// a member of their care team before each session. It gathers the week's
// diary grid (the same partial as the grid page), the follow-up tasks and
// homework practice since the last session attended, questionnaire
// change, when the safety plan was last reviewed, medication adherence,
// group attendance and the person's outcome measures for their episode of
// care. Every section comes from the domain service that checks access and
// audits the read; a section the person does not share with the viewer,
// or that the viewer's role does not include, says so plainly. The page is
// not found for anyone outside the person's care team. It shows what the
// person reported and when: no risk score, level or colour, no ranking.
// A print stylesheet lays it out for A4.

// withPrepare answers "not found" when the server runs without the
// services the page cannot do without: episodes decide who may open it.
func (s *Server) withPrepare(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Episodes == nil || s.opt.CareTeam == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// prepRefused reports whether err is access refusing a section (the person does
// not share it with the viewer, or the viewer's role does not include it),
// which the page words, rather than a failure, which fails the page.
func prepRefused(err error) bool {
	k := tend.ErrorKind(err)
	return k == tend.EFORBIDDEN || k == tend.ENOTFOUND
}

// prepWithheld handles the error of a section's read: access refusing it
// words the section (note) and stops it; any other error fails the page;
// no error lets the section go on.
func prepWithheld(err error, note *string, words string) (stop bool, _ error) {
	switch {
	case err == nil:
		return false, nil
	case prepRefused(err):
		*note = words
		return true, nil
	}
	return true, err
}

type prepEntry struct {
	Kind, How, Recorded string
	// Link and LinkLabel lead to the entry's details, only where the
	// person shares the area they come from with the viewer.
	Link, LinkLabel string
}

type prepTask struct {
	Href                 string
	Opened, State, Route string
	Entries              []prepEntry
	Note                 string // the resolution note, for those the task reaches
}

type prepFlag struct{ Kind, Recorded string }

type prepTasks struct {
	NotShared string
	Tasks     []prepTask
	Flags     []prepFlag
}

type prepScore struct {
	Heading, Latest, Date, Band string
	Incomplete                  bool
	Change, NoChange, Rule      string
}

type prepQuestionnaires struct {
	NotShared string
	Scores    []prepScore
}

type prepHomework struct {
	Title, When, From string
	Practice          []practiceView // since the last session
}

type prepHomeworkSection struct {
	NotShared string
	Homework  []prepHomework
	Other     []practiceView // practice outside homework, since the last session
}

type prepPlan struct {
	NotShared     string
	None          bool
	Version       int
	Saved         string // "3 November 2025, by sam"
	Reviewed      string // "" when never reviewed
	ChangedSince  bool   // saved again after the last review
	ReviewVersion int
}

type prepMedicine struct{ Name, Dose, Schedule string }

// prepAdherence counts the days since the last session by what the diary
// card says about medication: days with no card are "not filled in",
// never "not taken".
type prepAdherence struct {
	From                string
	Days                int
	Yes, Partly, No     int
	NoAnswer, NotFilled int
	PRN                 bool
	PRNDays, PRNTimes   int
	Asked               bool // the card asks about medication
}

type prepMedication struct {
	NotShared      string // the list: the prescriber, therapist and care coordinator
	Current        []prepMedicine
	DiaryNotShared string
	Adherence      *prepAdherence
}

type prepGroups struct {
	NotShared                   string
	Enrolled                    string                // the groups' names
	Rows                        []personAttendanceRow // since the last session
	Attended, Absent, Cancelled int
}

type prepPeriod struct{ Label, Dates string }

type prepRow struct {
	Label string
	Cells []string
}

type prepOutcomeScore struct{ Title, Change, Rule string }

type prepOutcomes struct {
	// Unavailable says why there are no measures at all (no episode of
	// care has started; the server keeps no reports).
	Unavailable string
	Episode     string
	// DiaryNotShared and QuestionnairesNotShared word the parts the
	// person does not share with the viewer.
	DiaryNotShared, QuestionnairesNotShared string
	Periods                                 []prepPeriod
	Span                                    int // columns of the table: the measure and each period
	Rows                                    []prepRow
	SkillsRows                              []prepRow
	IncidentRows                            []prepRow
	Change                                  string
	Incidents                               string
	Scores                                  []prepOutcomeScore
	NoScores                                bool
}

type preparePage struct {
	Base
	PersonID tend.ID
	Username string
	Episode  string // the episode of care in words, or ""
	Since    string // what "since the last session" means here
	NextUp   string // the next planned session, or ""

	Week, Prev, Next, ThisWeek string
	Grid                       *diaryGridPage
	DiaryNotShared             string

	Tasks          prepTasks
	Questionnaires prepQuestionnaires
	Homework       prepHomeworkSection
	Plan           prepPlan
	Medication     prepMedication
	Groups         prepGroups
	Outcomes       prepOutcomes
}

const prepDate = "2 January 2006"

// prepareShow is the session preparation view of one person.
func (s *Server) prepareShow(w http.ResponseWriter, r *http.Request) error {
	a, id, err := staffPerson(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	// Episodes and sessions are the care team's: anyone else, a lead or an
	// admin included, finds no such page.
	care, err := s.opt.Episodes.Overview(ctx, a, id)
	if err != nil {
		if prepRefused(err) {
			return tend.ErrNotFound
		}
		return err
	}
	v, err := s.opt.CareTeam.Person(ctx, a, id)
	if err != nil {
		return err
	}
	st, _ := s.opt.Settings.Get()
	loc := st.Location()
	p := s.printer()
	day, err := gridWeek(r, loc, s.opt.Clock.Now())
	if err != nil {
		return err
	}
	page := &preparePage{Base: Base{Title: p.T("prepare.title", v.Username)}, PersonID: id, Username: v.Username}
	today := s.opt.Episodes.Today()

	// The episode the page is about: the open one, else the latest.
	var ep *episodes.Episode
	for i := range care.Episodes {
		if care.Episodes[i].Open() {
			ep = &care.Episodes[i]
			break
		}
	}
	if ep == nil && len(care.Episodes) > 0 {
		ep = &care.Episodes[0]
	}
	// "Since the last session": the latest session of the episode the
	// person attended; with none yet, the last four weeks.
	since := today.AddDate(0, 0, -27)
	page.Since = p.T("prepare.since_weeks", since.Format(prepDate))
	if ep != nil {
		page.Episode = prepEpisodeWords(p, *ep)
		page.Since = p.T("prepare.since_none", since.Format(prepDate))
		for _, se := range care.Sessions { // latest first
			if se.EpisodeID == ep.ID && se.Attendance == episodes.Attended && !se.HeldOn.After(today) {
				since = se.HeldOn
				page.Since = p.T("prepare.since_session", prepDay(p, se.HeldOn), p.T("episodes.session."+string(se.Kind)))
				break
			}
		}
	}
	for i := len(care.Sessions) - 1; i >= 0; i-- { // earliest first
		se := care.Sessions[i]
		if se.Attendance == episodes.AttendancePlanned && !se.HeldOn.Before(today) {
			page.NextUp = p.T("prepare.next_session", prepDay(p, se.HeldOn), p.T("episodes.session."+string(se.Kind)))
			break
		}
	}
	// The instant the civil day of the last session began, in the
	// service's zone, for what is timed rather than dated.
	sinceAt := time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, loc)

	if err := s.prepareDiary(r, a, id, day, page); err != nil {
		return err
	}
	if err := s.prepareTasks(ctx, a, id, v.Username, sinceAt, loc, page); err != nil {
		return err
	}
	if err := s.prepareQuestionnaires(ctx, a, id, v.Username, page); err != nil {
		return err
	}
	if err := s.prepareHomework(ctx, a, id, v.Username, sinceAt, loc, page); err != nil {
		return err
	}
	if err := s.preparePlan(ctx, a, id, v.Username, loc, page); err != nil {
		return err
	}
	if err := s.prepareMedication(ctx, a, id, v.Username, since, page); err != nil {
		return err
	}
	if err := s.prepareGroups(ctx, a, id, v.Username, since, page); err != nil {
		return err
	}
	if err := s.prepareOutcomes(ctx, a, id, v.Username, page); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "clinic_prepare", page)
}

// prepDay writes a civil date with its weekday: "Monday 3 November 2025".
func prepDay(p *i18n.Printer, d time.Time) string {
	return p.T(dayIDs[d.Weekday()]) + " " + d.Format(prepDate)
}

// prepEpisodeWords says which episode of care the page is about.
func prepEpisodeWords(p *i18n.Printer, e episodes.Episode) string {
	switch {
	case e.StartedOn == nil:
		return p.T("prepare.episode_referred", e.Modality, e.ReferredOn.Format(prepDate))
	case e.EndedOn != nil:
		return p.T("prepare.episode_ended", e.Modality, e.StartedOn.Format(prepDate), e.EndedOn.Format(prepDate))
	}
	return p.T("prepare.episode_started", e.Modality, e.StartedOn.Format(prepDate))
}

// prepareDiary is the week's grid, through the grid page's own builder and
// partial; the read is audited by the diary service.
func (s *Server) prepareDiary(r *http.Request, a tend.Actor, id tend.ID, day time.Time, page *preparePage) error {
	p := s.printer()
	page.Week = diary.WeekStart(day).Format(diary.DayLayout)
	if s.opt.Diary == nil {
		page.DiaryNotShared = p.T("prepare.not_shared_diary", page.Username)
		return nil
	}
	g, err := s.diaryGridPage(r, a, id, day, true)
	if stop, err := prepWithheld(err, &page.DiaryNotShared, p.T("prepare.not_shared_diary", page.Username)); stop {
		return err
	}
	page.Grid, page.Prev, page.Next, page.ThisWeek = g, g.Prev, g.Next, g.ThisWeek
	return nil
}

// prepareTasks lists the follow-up tasks since the last session and the
// triggers kept for the next session: metadata for the roles the service
// names, details only where the person shares the area they come from.
func (s *Server) prepareTasks(ctx context.Context, a tend.Actor, id tend.ID, username string, since time.Time, loc *time.Location, page *preparePage) error {
	p := s.printer()
	if s.opt.FollowUp == nil {
		page.Tasks.NotShared = p.T("prepare.not_for_role_tasks", username)
		return nil
	}
	tasks, err := s.opt.FollowUp.PersonTasks(ctx, a, id, since)
	if stop, err := prepWithheld(err, &page.Tasks.NotShared, p.T("prepare.not_for_role_tasks", username)); stop {
		return err
	}
	const layout = "2 Jan 2006 15:04"
	questionnaires := s.opt.Measures != nil && s.opt.Measures.CanRead(ctx, a, id)
	for _, t := range tasks {
		tv := prepTask{Href: "/clinic/tasks/" + string(t.ID), Opened: t.OpenedAt.In(loc).Format(layout),
			State: p.T("task.state." + string(t.State)), Route: p.T("task.route." + string(t.Route)), Note: t.Note}
		for i, e := range t.Entries {
			ev := prepEntry{Kind: p.T("task.kind." + string(e.Kind)), Recorded: p.T("task.recorded_at", e.RecordedAt.In(loc).Format(layout))}
			if e.Contact.Valid() {
				ev.How = p.T("task.contact." + string(e.Contact))
			}
			if i < len(t.Details) && t.Details[i] {
				switch area, _ := followup.EntryArea(e.Kind); area {
				case access.AreaDiary:
					ev.Link = "/clinic/people/" + string(id) + "/diary?week=" + diary.WeekStart(diary.Today(e.RecordedAt, loc)).Format(diary.DayLayout)
					ev.LinkLabel = p.T("prepare.task_see_diary")
				case access.AreaQuestionnaires:
					if questionnaires {
						ev.Link = "/clinic/people/" + string(id) + "/questionnaires/responses/" + string(e.SourceID)
						ev.LinkLabel = p.T("task.see_answers")
					}
				}
			}
			tv.Entries = append(tv.Entries, ev)
		}
		page.Tasks.Tasks = append(page.Tasks.Tasks, tv)
	}
	flags, err := s.opt.FollowUp.Flags(ctx, a, id)
	switch {
	case prepRefused(err):
	case err != nil:
		return err
	}
	for _, f := range flags {
		page.Tasks.Flags = append(page.Tasks.Flags, prepFlag{Kind: p.T("task.kind." + string(f.Kind)),
			Recorded: p.T("task.recorded_at", f.RecordedAt.In(loc).Format(layout))})
	}
	return nil
}

// prepareQuestionnaires shows, per instrument, the latest total and the
// reliable change from the first total to the latest, named by its rule,
// as the questionnaires page words them.
func (s *Server) prepareQuestionnaires(ctx context.Context, a tend.Actor, id tend.ID, username string, page *preparePage) error {
	p := s.printer()
	if s.opt.Measures == nil {
		page.Questionnaires.NotShared = p.T("prepare.not_shared_questionnaires", username)
		return nil
	}
	series, err := s.opt.Measures.Scores(ctx, a, id)
	if stop, err := prepWithheld(err, &page.Questionnaires.NotShared, p.T("prepare.not_shared_questionnaires", username)); stop {
		return err
	}
	for i, se := range series {
		v := qSeriesView(p, id, se, i)
		sc := prepScore{Heading: v.Heading, Change: v.Change, NoChange: v.NoChange, Rule: v.Rule}
		if n := len(v.Rows); n > 0 {
			last := v.Rows[n-1]
			sc.Latest, sc.Date, sc.Band, sc.Incomplete = last.Total, last.Date, last.Band, last.Incomplete
		}
		page.Questionnaires.Scores = append(page.Questionnaires.Scores, sc)
	}
	return nil
}

// prepareHomework shows the open homework the viewer may see with the
// practice logged since the last session, and other practice since then.
func (s *Server) prepareHomework(ctx context.Context, a tend.Actor, id tend.ID, username string, since time.Time, loc *time.Location, page *preparePage) error {
	p := s.printer()
	if s.opt.Skills == nil {
		page.Homework.NotShared = p.T("prepare.not_for_role_homework", username)
		return nil
	}
	hw, other, err := s.opt.Skills.List(ctx, a, id, true)
	if stop, err := prepWithheld(err, &page.Homework.NotShared, p.T("prepare.not_for_role_homework", username)); stop {
		return err
	}
	recent := func(list []skills.Practice) []practiceView {
		var out []practiceView
		for _, pr := range list {
			if !pr.RecordedAt.Before(since) {
				out = append(out, s.practiceView(pr, loc))
			}
		}
		return out
	}
	for _, h := range hw {
		hv := s.homeworkView(h, loc)
		page.Homework.Homework = append(page.Homework.Homework, prepHomework{Title: hv.Title, When: hv.When, From: hv.From, Practice: recent(h.Practice)})
	}
	page.Homework.Other = recent(other)
	return nil
}

// preparePlan says when the safety plan was last saved and reviewed; none
// of its content.
func (s *Server) preparePlan(ctx context.Context, a tend.Actor, id tend.ID, username string, loc *time.Location, page *preparePage) error {
	p := s.printer()
	if s.opt.SafetyPlan == nil {
		page.Plan.NotShared = p.T("prepare.not_shared_plan", username)
		return nil
	}
	plan, ok, err := s.opt.SafetyPlan.Current(ctx, a, id)
	switch {
	case prepRefused(err):
		page.Plan.NotShared = p.T("prepare.not_shared_plan", username)
		return nil
	case err != nil:
		return err
	case !ok:
		page.Plan.None = true
		return nil
	}
	by := plan.SavedByName
	if plan.SavedByKind == tend.KindPerson || by == "" {
		by = username
	}
	page.Plan.Version = plan.Version
	page.Plan.Saved = p.T("prepare.plan_saved", plan.SavedAt.In(loc).Format(prepDate), by)
	if rv := plan.Review; rv != nil {
		page.Plan.Reviewed = p.T("prepare.plan_reviewed", rv.ReviewedAt.In(loc).Format(prepDate), rv.ReviewerName)
		page.Plan.ReviewVersion = rv.Version
		page.Plan.ChangedSince = plan.Version > rv.Version
	}
	return nil
}

// prepareMedication is the current medication list and, from the diary
// card, how the days since the last session answer "taken as
// prescribed": days with no card are not filled in, never not taken.
func (s *Server) prepareMedication(ctx context.Context, a tend.Actor, id tend.ID, username string, since time.Time, page *preparePage) error {
	p := s.printer()
	m := &page.Medication
	if s.opt.Medication == nil {
		m.NotShared = p.T("prepare.not_for_role_medication", username)
	} else {
		list, err := s.opt.Medication.List(ctx, a, id)
		switch {
		case prepRefused(err):
			m.NotShared = p.T("prepare.not_for_role_medication", username)
		case err != nil:
			return err
		}
		for _, med := range list {
			if med.Current() {
				m.Current = append(m.Current, prepMedicine{Name: med.Name, Dose: med.Dose, Schedule: med.Schedule})
			}
		}
	}
	if s.opt.Diary == nil {
		m.DiaryNotShared = p.T("prepare.not_shared_diary", username)
		return nil
	}
	cfg, err := s.opt.Diary.Config(ctx, a, id)
	if stop, err := prepWithheld(err, &m.DiaryNotShared, p.T("prepare.not_shared_diary", username)); stop {
		return err
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil || cfg.TimeZone == "" {
		loc = time.UTC
	}
	to := diary.Today(s.opt.Clock.Now(), loc)
	from := since
	if from.Before(cfg.Joined) {
		from = cfg.Joined
	}
	if earliest := to.AddDate(0, 0, -(diary.MaxRangeDays - 1)); from.Before(earliest) {
		from = earliest
	}
	if from.After(to) {
		from = to
	}
	cards, err := s.opt.Diary.Cards(ctx, a, id, from, to)
	if stop, err := prepWithheld(err, &m.DiaryNotShared, p.T("prepare.not_shared_diary", username)); stop {
		return err
	}
	ad := &prepAdherence{From: from.Format(prepDate), Days: diary.DaysBetween(from, to) + 1, Asked: cfg.Medication, PRN: cfg.Medication}
	ad.NotFilled = ad.Days - len(cards)
	for _, c := range cards {
		switch v, ok := c.Get(diary.FieldMedication); {
		case !ok:
			ad.NoAnswer++
		case v == diary.Yes:
			ad.Yes++
		case v == diary.Partly:
			ad.Partly++
		default:
			ad.No++
		}
		if n, ok := c.Get(diary.FieldPRN); ok {
			ad.PRN = true
			if n > 0 {
				ad.PRNDays++
				ad.PRNTimes += n
			}
		}
	}
	if ad.Asked || ad.Yes+ad.Partly+ad.No > 0 {
		ad.Asked = true
		m.Adherence = ad
	}
	return nil
}

// prepareGroups is the person's group attendance since the last session.
func (s *Server) prepareGroups(ctx context.Context, a tend.Actor, id tend.ID, username string, since time.Time, page *preparePage) error {
	p := s.printer()
	if s.opt.Groups == nil {
		page.Groups.NotShared = p.T("prepare.not_for_role_groups", username)
		return nil
	}
	v, err := s.opt.Groups.ForPerson(ctx, a, id)
	if stop, err := prepWithheld(err, &page.Groups.NotShared, p.T("prepare.not_for_role_groups", username)); stop {
		return err
	}
	names := make([]string, 0, len(v.Groups))
	for _, g := range v.Groups {
		names = append(names, g.Name)
	}
	page.Groups.Enrolled = strings.Join(names, ", ")
	from := since.Format(diary.DayLayout)
	for _, at := range v.Attendance {
		if at.HeldOn < from {
			continue
		}
		page.Groups.Rows = append(page.Groups.Rows, personAttendanceRow{Group: at.GroupName, Kind: at.GroupKind, HeldOn: civilDate(at.HeldOn),
			Status: p.T("groups.status." + string(at.Status))})
		switch at.Status {
		case groups.StatusAttended:
			page.Groups.Attended++
		case groups.StatusAbsent:
			page.Groups.Absent++
		default:
			page.Groups.Cancelled++
		}
	}
	return nil
}

// prepareOutcomes is the person's outcome measures for the episode
// (clinical/outcomes.md): per period, the days recorded with their
// coverage, the self-harm rate per week, the emotion mean, the skills
// categories as shares and the urges ridden out; the person's own change
// from the baseline; incidents clinicians recorded, apart; questionnaire
// change with its rule named.
func (s *Server) prepareOutcomes(ctx context.Context, a tend.Actor, id tend.ID, username string, page *preparePage) error {
	p := s.printer()
	o := &page.Outcomes
	if s.opt.Reports == nil {
		o.Unavailable = p.T("prepare.outcomes_unavailable")
		return nil
	}
	// The report service checks access and audits each area it reads.
	po, err := s.opt.Reports.Person(ctx, a, id)
	switch {
	case prepRefused(err):
		o.Unavailable = p.T("prepare.not_shared_outcomes", username)
		return nil
	case err != nil:
		return err
	case po.Episode == nil:
		o.Unavailable = p.T("prepare.outcomes_no_episode")
		return nil
	}
	set := po.Settings.WithDefaults()
	o.Episode = prepEpisodeWords(p, *po.Episode)
	o.Incidents = p.T("prepare.outcomes_incidents_total", po.Incidents)
	if !po.Diary {
		o.DiaryNotShared = p.T("prepare.not_shared_diary", username)
	} else {
		s.prepareOutcomePeriods(p, po, set, o)
	}
	if !po.Questionnaires {
		o.QuestionnairesNotShared = p.T("prepare.not_shared_questionnaires", username)
	} else {
		for _, sc := range po.Scores {
			o.Scores = append(o.Scores, prepOutcomeScore{Title: sc.Title,
				Change: p.T("prepare.outcomes_score_change", sc.Title, prepNumber(sc.Change.From), prepPeriodName(p, sc.Comparison.From, set),
					prepNumber(sc.Change.To), prepPeriodName(p, sc.Comparison.To, set), p.T("questionnaires_clinic.judgement."+string(sc.Change.Judgement))),
				Rule: p.T("prepare.outcomes_rule", sc.Rule)})
		}
		o.NoScores = len(o.Scores) == 0
	}
	return nil
}

// prepareOutcomePeriods fills the table of the periods: one column per period,
// one row per measure. A period with no day recorded has no figures.
func (s *Server) prepareOutcomePeriods(p *i18n.Printer, po report.PersonOutcomes, set outcome.Settings, o *prepOutcomes) {
	dash := p.T("prepare.outcomes_none_recorded")
	row := func(label string, f func(d outcome.Days) string) prepRow {
		r := prepRow{Label: label}
		for _, pp := range po.Periods {
			if pp.Days.Observed == 0 && label != p.T("prepare.outcomes_row_days") {
				r.Cells = append(r.Cells, dash)
				continue
			}
			r.Cells = append(r.Cells, f(pp.Days))
		}
		return r
	}
	o.Span = len(po.Periods) + 1
	for _, pp := range po.Periods {
		pv := prepPeriod{Label: prepPeriodName(p, pp.Period, set), Dates: p.T("prepare.outcomes_dates", pp.From.Format("2 Jan 2006"), pp.To.Format("2 Jan 2006"))}
		if !pp.Complete {
			pv.Dates = p.T("prepare.outcomes_dates_so_far", pp.From.Format("2 Jan 2006"))
		}
		o.Periods = append(o.Periods, pv)
	}
	o.Rows = append(o.Rows,
		row(p.T("prepare.outcomes_row_days"), func(d outcome.Days) string {
			return p.T("prepare.outcomes_coverage", d.Observed, d.InPeriod, prepPercent(d.Observed, d.InPeriod))
		}),
		row(p.T("prepare.outcomes_row_rate"), func(d outcome.Days) string {
			return p.T("prepare.outcomes_rate", prepDecimal(float64(d.SelfHarm)*7/float64(d.Observed)), p.T("prepare.outcomes_times", d.SelfHarm), d.Observed)
		}),
		row(p.T("prepare.outcomes_row_attempts"), func(d outcome.Days) string { return p.T("prepare.outcomes_days", d.Attempts) }),
		row(p.T("prepare.outcomes_row_emotion"), func(d outcome.Days) string {
			if d.EmotionDays == 0 {
				return p.T("prepare.outcomes_not_rated")
			}
			return p.T("prepare.outcomes_emotion", prepDecimal(float64(d.EmotionSum)/float64(d.EmotionDays)), d.EmotionDays)
		}),
		row(p.T("prepare.outcomes_row_urges"), func(d outcome.Days) string {
			if d.UrgeDays == 0 {
				return p.T("prepare.outcomes_no_urge_days")
			}
			return p.T("prepare.outcomes_ridden_out", d.RiddenOutDays, d.UrgeDays, prepPercent(d.RiddenOutDays, d.UrgeDays))
		}),
	)
	share := func(n func(sd outcome.SkillsDays) int) func(d outcome.Days) string {
		return func(d outcome.Days) string {
			return p.T("prepare.outcomes_share", n(d.Skills), d.Observed, prepPercent(n(d.Skills), d.Observed))
		}
	}
	o.SkillsRows = append(o.SkillsRows,
		row(p.T("diary.category.used_helped"), share(func(sd outcome.SkillsDays) int { return sd.UsedHelped })),
		row(p.T("diary.category.used"), share(func(sd outcome.SkillsDays) int { return sd.Used })),
		row(p.T("diary.category.thought"), share(func(sd outcome.SkillsDays) int { return sd.Thought })),
		row(p.T("diary.category.none"), share(func(sd outcome.SkillsDays) int { return sd.None })),
	)
	inc := prepRow{Label: p.T("prepare.outcomes_row_incidents")}
	for _, pp := range po.Periods {
		inc.Cells = append(inc.Cells, strconv.Itoa(pp.Days.Incidents))
	}
	o.IncidentRows = append(o.IncidentRows, inc)
	if c := po.Change; c != nil {
		o.Change = p.T("prepare.outcomes_change", prepDecimal(c.RateBefore), prepPeriodName(p, c.From, set), prepDecimal(c.RateAfter), prepPeriodName(p, c.To, set))
	} else {
		o.Change = p.T("prepare.outcomes_no_change", prepPercent(int(set.MinCoverage*100+0.5), 100))
	}
}

// prepPeriodName names a period as the report does.
func prepPeriodName(p *i18n.Printer, pe outcome.Period, set outcome.Settings) string {
	switch pe {
	case outcome.Baseline, outcome.End:
		return p.T("prepare.period."+string(pe), set.BaselineDays)
	}
	return p.T("prepare.period." + string(pe))
}

// prepDecimal writes a figure to one decimal place.
func prepDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// prepNumber writes a questionnaire total as it is (no trailing zeros).
func prepNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// prepPercent is n of d as a whole percentage (0 when d is 0).
func prepPercent(n, d int) int {
	if d <= 0 {
		return 0
	}
	return (200*n + d) / (2 * d)
}

// prepareMessageIDs lists the message ids this page builds from data, so
// that start-up fails when one is missing.
func prepareMessageIDs() []string {
	ids := []string{"prepare.title", "prepare.since_none", "prepare.since_weeks", "prepare.since_session", "prepare.next_session",
		"prepare.episode_referred", "prepare.episode_ended", "prepare.episode_started",
		"prepare.not_shared_diary", "prepare.not_shared_questionnaires", "prepare.not_shared_plan", "prepare.not_shared_outcomes",
		"prepare.not_for_role_tasks", "prepare.not_for_role_homework", "prepare.not_for_role_medication", "prepare.not_for_role_groups",
		"prepare.task_see_diary", "prepare.plan_saved", "prepare.plan_reviewed",
		"prepare.outcomes_unavailable", "prepare.outcomes_no_episode", "prepare.outcomes_incidents_total",
		"prepare.outcomes_score_change", "prepare.outcomes_rule", "prepare.outcomes_none_recorded",
		"prepare.outcomes_dates", "prepare.outcomes_dates_so_far", "prepare.outcomes_row_days", "prepare.outcomes_coverage",
		"prepare.outcomes_row_rate", "prepare.outcomes_rate", "prepare.outcomes_times", "prepare.outcomes_row_attempts", "prepare.outcomes_days",
		"prepare.outcomes_row_emotion", "prepare.outcomes_not_rated", "prepare.outcomes_emotion",
		"prepare.outcomes_row_urges", "prepare.outcomes_no_urge_days", "prepare.outcomes_ridden_out", "prepare.outcomes_share",
		"prepare.outcomes_row_incidents", "prepare.outcomes_change", "prepare.outcomes_no_change",
		"diary.category.used_helped", "diary.category.used", "diary.category.thought", "diary.category.none"}
	for _, pe := range outcome.Periods {
		ids = append(ids, "prepare.period."+string(pe))
	}
	return ids
}
