package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/remind"
)

// The person's reminders (docs/reminders.md): what to be reminded of, at
// what time of their day, quiet hours and a weekly summary, all off until
// they turn them on. A plain form; who may see or set them is decided by
// internal/remind (only the person).

// remindMessageIDs are the ids this file names in Go code, for
// checkMessages (templates are checked by reading them).
var remindMessageIDs = []string{
	"reminders.title", "reminders.saved", "reminders.problem_at", "reminders.problem_quiet", "reminders.problem_weekly_day",
	"reminders.state_sent", "reminders.state_pending", "reminders.skip_late", "reminders.skip_quiet", "reminders.skip_done",
	"reminders.skip_nothing", "reminders.skip_off", "reminders.kind_daily", "reminders.kind_weekly",
}

// remindFields orders the fields for the error summary, as on the page.
var remindFields = []string{"at", "weekly_day", "quiet_from"}

// remindProblemIDs words a field's problem.
var remindProblemIDs = map[string]string{
	"at":         "reminders.problem_at",
	"weekly_day": "reminders.problem_weekly_day",
	"quiet":      "reminders.problem_quiet",
}

type remindDay struct {
	Value    int
	Label    string
	Selected bool
}

type remindSendView struct {
	When string // the local date, or the week's day
	Kind string
	What string // sent, waiting, or why not
}

type remindersPage struct {
	Base
	Saved    bool
	Problems map[string]string
	Summary  []problemLink
	Prefs    remind.Preferences
	Zone     string
	Days     []remindDay
	Recent   []remindSendView
}

func (s *Server) withReminders(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Reminders == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// remindersPageFor builds the page from the person's preferences (or, with
// problems, from what they entered).
func (s *Server) remindersPageFor(r *http.Request, a tend.Actor, entered *remind.Preferences, problems map[string]string) (*remindersPage, error) {
	v, err := s.opt.Reminders.Preferences(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &remindersPage{Base: Base{Title: p.T("reminders.title"), QuickExit: true}, Prefs: v.Preferences, Zone: v.TimeZone, Problems: problems}
	if entered != nil {
		page.Prefs = *entered
	}
	for _, f := range remindFields {
		if text, ok := problems[f]; ok {
			page.Summary = append(page.Summary, problemLink{Field: f, Text: text})
		}
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		page.Days = append(page.Days, remindDay{Value: int(d), Label: p.T(dayIDs[d]), Selected: d == page.Prefs.WeeklyDay})
	}
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	for _, snd := range v.Recent {
		view := remindSendView{When: snd.DueAt.In(loc).Format("2 January 2006 15:04"), Kind: p.T("reminders.kind_" + string(snd.Kind))}
		switch snd.State {
		case remind.StateSent:
			view.What = p.T("reminders.state_sent")
		case remind.StatePending:
			view.What = p.T("reminders.state_pending")
		default:
			view.What = p.T("reminders.skip_" + snd.Reason)
		}
		page.Recent = append(page.Recent, view)
	}
	return page, nil
}

// remindersShow is the person's reminders page.
func (s *Server) remindersShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.remindersPageFor(r, a, nil, nil)
	if err != nil {
		return err
	}
	page.Saved = r.URL.Query().Get("saved") == "1"
	return s.render(w, r, http.StatusOK, "me_reminders", page)
}

// remindersSave stores the person's reminder preferences.
func (s *Server) remindersSave(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	on := func(k string) bool { return r.PostForm.Get(k) != "" }
	p := remind.Preferences{
		Diary: on("diary"), Homework: on("homework"), Questionnaires: on("questionnaires"), Weekly: on("weekly"),
		At: r.PostForm.Get("at"), QuietFrom: r.PostForm.Get("quiet_from"), QuietTo: r.PostForm.Get("quiet_to"),
	}
	// Browsers send a time input as HH:MM, or HH:MM:SS with a step.
	for _, t := range []*string{&p.At, &p.QuietFrom, &p.QuietTo} {
		if len(*t) == len("15:04:05") {
			*t = (*t)[:5]
		}
	}
	day, err := strconv.Atoi(r.PostForm.Get("weekly_day"))
	if err != nil {
		day = -1
	}
	p.WeeklyDay = time.Weekday(day)
	_, err = s.opt.Reminders.Save(r.Context(), a, a.ID, p)
	var inv *remind.InvalidError
	if errors.As(err, &inv) {
		pr := s.printer()
		problems := map[string]string{}
		for f := range inv.Problems {
			field := f
			if f == "quiet" {
				field = "quiet_from"
			}
			problems[field] = pr.T(remindProblemIDs[f])
		}
		page, perr := s.remindersPageFor(r, a, &p, problems)
		if perr != nil {
			return perr
		}
		return s.render(w, r, http.StatusBadRequest, "me_reminders", page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/reminders?saved=1", http.StatusSeeOther)
	return nil
}
