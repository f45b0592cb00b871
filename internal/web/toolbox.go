package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/toolbox"
)

// withToolbox answers "not found" when the server runs without the
// toolbox service (tests of other areas), rather than failing on nil.
func (s *Server) withToolbox(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Toolbox == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// toolboxAssets are the static files the toolbox needs to run offline;
// they are answered with Tend-Offline: keep, as the toolbox page is.
var toolboxAssets = map[string]bool{
	"css/tend.css": true, "css/toolbox.css": true, "js/app.js": true, "js/toolbox.js": true, "img/icon.svg": true,
}

// The screens of the toolbox, in order (skills.md "The toolbox").
const (
	tbQuestion = "question"
	tbThoughts = "thoughts"
	tbUrge     = "urge"
	tbKind     = "kind"
	tbActivity = "activity"
	tbTimer    = "timer"
	tbAfter    = "after"
)

// toolboxFlow is what the earlier steps chose, carried from form to form
// in hidden fields (never in the address).
type toolboxFlow struct {
	Question   string
	UrgeBefore string
	Kind       string
	Activity   string
	Minutes    string
	Key        string
}

func toolboxFlowFrom(f url.Values) toolboxFlow {
	return toolboxFlow{Question: f.Get("question"), UrgeBefore: f.Get("urge_before"), Kind: f.Get("kind"),
		Activity: f.Get("activity"), Minutes: f.Get("minutes"), Key: f.Get("idempotency_key")}
}

type toolboxActivityView struct {
	ID        string
	Kind      string
	Text      string
	Source    string
	Caution   bool
	Breathing bool
	HopeBox   bool
	Pinned    bool
	Hidden    bool
	Pickable  bool
	Checked   bool
}

type toolboxKindView struct {
	Kind, Name, Hint string
	Activities       []toolboxActivityView // for the manage page
}

type toolboxPage struct {
	Base
	// All renders every screen, the first visible and the rest hidden, for
	// the script that runs the flow on the device (offline too).
	All        bool
	Screen     string
	Problem    string
	Flow       toolboxFlow
	Kinds      []toolboxKindView
	Activities []toolboxActivityView
	Activity   toolboxActivityView
	Picked     bool
	Guide      string
	EndsAt     string
	MinutesN   int
	Scale      []int
	Minutes    []int
	Help       helpOptions
}

// Is reports whether the page shows screen name (always, on the start page).
func (p *toolboxPage) Is(name string) bool { return p.All || p.Screen == name }

// Hide reports whether screen name starts hidden (the start page shows
// only the first).
func (p *toolboxPage) Hide(name string) bool { return p.All && name != tbQuestion }

func (s *Server) toolboxActivityView(a toolbox.Activity, tb toolbox.Toolbox) toolboxActivityView {
	v := toolboxActivityView{ID: a.ID, Kind: string(a.Kind), Text: a.Title, Source: string(a.Source), Caution: a.Caution,
		Breathing: a.Breathing, HopeBox: a.HopeBox, Pinned: a.Pinned, Hidden: a.Hidden, Pickable: !a.Hidden && (!a.Caution || tb.CautionAccepted)}
	switch {
	case a.ID == "":
		v.Text = s.printer().T("toolbox.activity.gone")
	case a.Source == toolbox.SourceStarter:
		v.Text = s.printer().T(a.MessageID())
	}
	return v
}

func (s *Server) toolboxKinds() []toolboxKindView {
	p := s.printer()
	var out []toolboxKindView
	for _, k := range toolbox.Kinds {
		out = append(out, toolboxKindView{Kind: string(k), Name: p.T("toolbox.kind." + string(k)), Hint: p.T("toolbox.kind." + string(k) + "_hint")})
	}
	return out
}

func (s *Server) newToolboxPage(r *http.Request, screen string) *toolboxPage {
	page := &toolboxPage{Base: Base{Title: s.printer().T("toolbox.title"), QuickExit: true}, Screen: screen,
		Kinds: s.toolboxKinds(), Scale: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Minutes: toolbox.Minutes}
	page.Help = s.toolboxHelp(r, &page.Base)
	return page
}

// toolboxHelp builds the help options from memory, for the person's
// country as the help page remembers it, else the service's.
func (s *Server) toolboxHelp(r *http.Request, b *Base) helpOptions {
	st, _ := s.opt.Settings.Get()
	code := st.Country
	if c, err := r.Cookie(cookieCountry); err == nil && sanitizeCountry(c.Value) != "" {
		code = sanitizeCountry(c.Value)
	}
	return s.helpOptionsFor(b, code, false)
}

// toolboxShow is the toolbox's first screen. The page carries every screen
// and every activity, so that with JavaScript the whole flow runs on the
// device, offline too once kept; without it, each step is a form.
func (s *Server) toolboxShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	tb, err := s.opt.Toolbox.Toolbox(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := s.newToolboxPage(r, tbQuestion)
	page.All = true
	for _, act := range tb.Visible("") {
		page.Activities = append(page.Activities, s.toolboxActivityView(act, tb))
	}
	page.Flow.Key = randomHex(16)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(headerOffline, offlineKeep)
	return s.render(w, r, http.StatusOK, "me_toolbox", page)
}

func parseRating(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n <= 10
}

// toolboxStep moves the no-JavaScript flow on by one screen. Nothing is
// stored until the finished use is saved.
func (s *Server) toolboxStep(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	tb, err := s.opt.Toolbox.Toolbox(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	p := s.printer()
	f := toolboxFlowFrom(r.PostForm)
	show := func(status int, screen, problem string) error {
		page := s.newToolboxPage(r, screen)
		page.Flow, page.Problem = f, problem
		switch screen {
		case tbActivity:
			if f.Kind == "pick" {
				act, _ := tb.Find(f.Activity)
				v := s.toolboxActivityView(act, tb)
				v.Checked = true
				page.Activities, page.Picked = []toolboxActivityView{v}, true
			} else {
				for _, act := range tb.Visible(toolbox.Kind(f.Kind)) {
					page.Activities = append(page.Activities, s.toolboxActivityView(act, tb))
				}
				if len(page.Activities) == 1 {
					page.Activities[0].Checked = true // nothing else to choose
				}
			}
		case tbTimer, tbAfter:
			act, _ := tb.Find(f.Activity)
			page.Activity = s.toolboxActivityView(act, tb)
			page.Guide = p.T("toolbox.guide." + string(act.Kind))
			page.MinutesN, _ = strconv.Atoi(f.Minutes)
			page.EndsAt = s.opt.Clock.Now().Add(time.Duration(page.MinutesN) * time.Minute).In(s.toolboxZone(r)).Format("15:04")
			if screen == tbAfter && f.Key == "" {
				page.Flow.Key = randomHex(16)
			}
		}
		if status == http.StatusOK {
			w.Header().Set("Cache-Control", "no-store")
		}
		return s.render(w, r, status, "me_toolbox", page)
	}
	// Each step checks what the earlier ones carried: a form that lost them
	// starts again rather than saving half a use.
	step := r.PostForm.Get("step")
	question := toolbox.Question(f.Question)
	if step != tbQuestion && !question.Valid() {
		return show(http.StatusBadRequest, tbQuestion, p.T("toolbox.problem.start_over"))
	}
	switch step {
	case tbQuestion:
		switch question {
		case toolbox.QuestionThoughts:
			// The safety plan and the help options first, the toolbox as
			// one option among them.
			return show(http.StatusOK, tbThoughts, "")
		case toolbox.QuestionUrge:
			return show(http.StatusOK, tbUrge, "")
		}
		return show(http.StatusBadRequest, tbQuestion, p.T("toolbox.problem.question"))
	case tbThoughts:
		return show(http.StatusOK, tbUrge, "")
	case tbUrge:
		if _, ok := parseRating(f.UrgeBefore); !ok {
			return show(http.StatusBadRequest, tbUrge, p.T("toolbox.problem.urge"))
		}
		return show(http.StatusOK, tbKind, "")
	}
	if _, ok := parseRating(f.UrgeBefore); !ok {
		return show(http.StatusBadRequest, tbQuestion, p.T("toolbox.problem.start_over"))
	}
	switch step {
	case tbKind:
		if f.Kind == "pick" {
			act, ok := tb.Pick("", r.PostForm.Get("not"), nil)
			if !ok {
				return show(http.StatusBadRequest, tbKind, p.T("toolbox.problem.none_left"))
			}
			f.Activity = act.ID
			return show(http.StatusOK, tbActivity, "")
		}
		if !toolbox.Kind(f.Kind).Valid() {
			return show(http.StatusBadRequest, tbKind, p.T("toolbox.problem.kind"))
		}
		if len(tb.Visible(toolbox.Kind(f.Kind))) == 0 {
			return show(http.StatusBadRequest, tbKind, p.T("toolbox.problem.none_left"))
		}
		return show(http.StatusOK, tbActivity, "")
	case tbActivity, tbTimer:
		act, ok := tb.Find(f.Activity)
		n, err := strconv.Atoi(f.Minutes)
		if !ok || act.Hidden || err != nil || (n != 5 && n != 10 && n != 15) {
			if step == tbTimer {
				return show(http.StatusBadRequest, tbQuestion, p.T("toolbox.problem.start_over"))
			}
			if !toolbox.Kind(f.Kind).Valid() && f.Kind != "pick" {
				f.Kind = string(act.Kind)
			}
			return show(http.StatusBadRequest, tbActivity, p.T("toolbox.problem.activity"))
		}
		if step == tbActivity {
			return show(http.StatusOK, tbTimer, "")
		}
		return show(http.StatusOK, tbAfter, "")
	}
	return show(http.StatusBadRequest, tbQuestion, p.T("toolbox.problem.start_over"))
}

// toolboxUseCreate saves a finished use: the last form of the flow, with
// the same action and fields whether the steps ran on the server or on the
// device (which may send it later from its offline queue). A retry with the
// same key stores nothing new and shows the same use.
func (s *Server) toolboxUseCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	f := toolboxFlowFrom(r.PostForm)
	n := toolbox.NewUse{Key: f.Key, Question: toolbox.Question(f.Question), ActivityID: f.Activity}
	var ok1, ok2 bool
	n.UrgeBefore, ok1 = parseRating(f.UrgeBefore)
	n.UrgeAfter, ok2 = parseRating(r.PostForm.Get("urge_after"))
	n.Minutes, _ = strconv.Atoi(f.Minutes)
	n.Helpful = r.PostForm.Get("helpful") == "yes"
	if t, err := time.Parse(time.RFC3339, r.PostForm.Get("recorded_at")); err == nil {
		n.RecordedAt = t
	}
	if !ok1 || !ok2 {
		n.UrgeBefore, n.UrgeAfter = -1, -1 // out of range: the service says so
	}
	u, _, err := s.opt.Toolbox.Log(r.Context(), a, a.ID, n)
	if tend.ErrorKind(err) == tend.EINVALID {
		tb, terr := s.opt.Toolbox.Toolbox(r.Context(), a, a.ID)
		if terr != nil {
			return terr
		}
		page := s.newToolboxPage(r, tbAfter)
		page.Flow, page.Problem = f, tend.ErrorMessage(err)
		if page.Flow.Key == "" {
			page.Flow.Key = randomHex(16)
		}
		act, _ := tb.Find(f.Activity)
		page.Activity = s.toolboxActivityView(act, tb)
		return s.render(w, r, http.StatusBadRequest, "me_toolbox", page)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/toolbox/uses/"+string(u.ID), http.StatusSeeOther) // #nosec G710 -- a local path with a generated id.
	return nil
}

type toolboxUsePage struct {
	Base
	Use      toolboxUseView
	Lower    bool
	Question string
	// After is carried to "Try another activity" as the new starting urge.
	After int
	Help  helpOptions
}

type toolboxUseView struct {
	ID                     tend.ID
	Recorded, Received     string
	Question               string
	Before, After, Minutes int
	Activity               string
	Lower, Helpful         bool
}

func (s *Server) toolboxUseViewOf(u toolbox.Use, loc *time.Location) toolboxUseView {
	return toolboxUseView{ID: u.ID, Recorded: u.RecordedAt.In(loc).Format("2 Jan 2006 15:04"), Received: u.ReceivedAt.In(loc).Format("2 Jan 2006 15:04"),
		Question: string(u.Question), Before: u.UrgeBefore, After: u.UrgeAfter, Minutes: u.Minutes,
		Activity: s.toolboxActivityView(u.Activity, toolbox.Toolbox{}).Text, Lower: u.Lower(), Helpful: u.Helpful}
}

func (s *Server) serviceZone() *time.Location {
	st, _ := s.opt.Settings.Get()
	return st.Location()
}

// toolboxZone is the signed-in person's time zone, else the service's.
func (s *Server) toolboxZone(r *http.Request) *time.Location {
	if loc, err := s.personZone(r); err == nil {
		return loc
	}
	return s.serviceZone()
}

// toolboxUseShow is what follows a use: a word of recognition when the
// urge came down; otherwise another activity, the safety plan and the help
// options side by side, calmly.
func (s *Server) toolboxUseShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	u, err := s.opt.Toolbox.Use(r.Context(), a, a.ID, id)
	if err != nil {
		return err
	}
	page := &toolboxUsePage{Base: Base{QuickExit: true}, Use: s.toolboxUseViewOf(u, s.toolboxZone(r)), Lower: u.Lower(),
		Question: string(u.Question), After: u.UrgeAfter}
	if page.Lower {
		page.Title = s.printer().T("toolbox.outcome.lower_heading")
	} else {
		page.Title = s.printer().T("toolbox.outcome.same_heading")
		page.Help = s.toolboxHelp(r, &page.Base)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_toolbox_use", page)
}

type toolboxLogPage struct {
	Base
	Uses []toolboxUseView
	// Staff pages name the person.
	PersonID tend.ID
	Username string
}

// toolboxLogShow is "My toolbox log": kind words, no scores.
func (s *Server) toolboxLogShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	uses, err := s.opt.Toolbox.Uses(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &toolboxLogPage{Base: Base{Title: s.printer().T("toolbox.log.title"), QuickExit: true}}
	loc := s.toolboxZone(r)
	for _, u := range uses {
		page.Uses = append(page.Uses, s.toolboxUseViewOf(u, loc))
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_toolbox_log", page)
}

// clinicToolboxShow is a person's toolbox log as a care-team member the
// person shares it with sees it; every read is audited by the service.
func (s *Server) clinicToolboxShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	uses, err := s.opt.Toolbox.Uses(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	page := &toolboxLogPage{Base: Base{Title: v.Username}, PersonID: id, Username: v.Username}
	loc := s.serviceZone()
	for _, u := range uses {
		page.Uses = append(page.Uses, s.toolboxUseViewOf(u, loc))
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "clinic_toolbox", page)
}

type toolboxManagePage struct {
	Base
	Kinds           []toolboxKindView
	CautionAccepted bool
	Saved           bool
	Problem         string
	AddKind         string
	AddText         string
}

func (s *Server) toolboxManage(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, problem string) error {
	tb, err := s.opt.Toolbox.Toolbox(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	page := &toolboxManagePage{Base: Base{Title: s.printer().T("toolbox.manage.title"), QuickExit: true}, Kinds: s.toolboxKinds(),
		CautionAccepted: tb.CautionAccepted, Saved: r.URL.Query().Get("saved") == "1", Problem: problem}
	for i, k := range page.Kinds {
		for _, act := range tb.Activities {
			if string(act.Kind) == k.Kind {
				page.Kinds[i].Activities = append(page.Kinds[i].Activities, s.toolboxActivityView(act, tb))
			}
		}
	}
	if status != http.StatusOK {
		page.AddKind, page.AddText = r.PostForm.Get("kind"), r.PostForm.Get("text")
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "me_toolbox_manage", page)
}

// toolboxManageShow is where the person hides, pins and adds activities
// and reads the medical caution.
func (s *Server) toolboxManageShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	return s.toolboxManage(w, r, a, http.StatusOK, "")
}

// toolboxChoose hides, shows, pins or unpins one activity.
func (s *Server) toolboxChoose(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	err = s.opt.Toolbox.Choose(r.Context(), a, a.ID, r.PathValue("id"), toolbox.ChoiceChange(r.PostForm.Get("change")))
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.toolboxManage(w, r, a, http.StatusBadRequest, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/toolbox/manage?saved=1", http.StatusSeeOther)
	return nil
}

// toolboxOwnCreate adds the person's own activity.
func (s *Server) toolboxOwnCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	_, err = s.opt.Toolbox.AddOwn(r.Context(), a, a.ID, toolbox.Kind(r.PostForm.Get("kind")), r.PostForm.Get("text"))
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.toolboxManage(w, r, a, http.StatusBadRequest, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/me/toolbox/manage?saved=1", http.StatusSeeOther)
	return nil
}

// toolboxCaution records that the person read and accepted the medical
// caution, or withdrew it.
func (s *Server) toolboxCaution(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	var accepted bool
	switch r.PostForm.Get("accepted") {
	case "yes":
		accepted = true
	case "no":
	default:
		return s.toolboxManage(w, r, a, http.StatusBadRequest, s.printer().T("toolbox.problem.start_over"))
	}
	if err := s.opt.Toolbox.SetCaution(r.Context(), a, a.ID, accepted); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/toolbox/manage?saved=1", http.StatusSeeOther)
	return nil
}

type adminToolboxPage struct {
	Base
	Kinds      []toolboxKindView
	Activities []adminToolboxActivity
	Saved      bool
	Problem    string
	Form       struct {
		Kind, Text string
		Caution    bool
	}
}

type adminToolboxActivity struct {
	ID      tend.ID
	Kind    string
	Text    string
	Caution bool
	Retired bool
}

func (s *Server) adminToolbox(w http.ResponseWriter, r *http.Request, a tend.Actor, status int, problem string) error {
	acts, err := s.opt.Toolbox.ServiceActivities(r.Context(), a)
	if err != nil {
		return err
	}
	page := &adminToolboxPage{Base: Base{Title: s.printer().T("toolbox.admin.title")}, Kinds: s.toolboxKinds(),
		Saved: r.URL.Query().Get("saved") == "1", Problem: problem}
	for _, act := range acts {
		page.Activities = append(page.Activities, adminToolboxActivity{ID: act.ID, Kind: s.printer().T("toolbox.kind." + string(act.Kind)),
			Text: act.Title, Caution: act.Caution, Retired: act.RetiredAt != nil})
	}
	if status != http.StatusOK {
		page.Form.Kind, page.Form.Text, page.Form.Caution = r.PostForm.Get("kind"), r.PostForm.Get("text"), r.PostForm.Get("caution") == "yes"
	}
	return s.render(w, r, status, "admin_toolbox", page)
}

// adminToolboxShow lists the service's toolbox activities, with the form
// to add one.
func (s *Server) adminToolboxShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	return s.adminToolbox(w, r, a, http.StatusOK, "")
}

// adminToolboxCreate adds a service activity, after the admin's
// confirmation and the check against safety-rules.md section 7.
func (s *Server) adminToolboxCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Wrap(tend.EINVALID, err, "That form could not be read.")
	}
	_, err = s.opt.Toolbox.AddServiceActivity(r.Context(), a, toolbox.NewServiceActivity{Kind: toolbox.Kind(r.PostForm.Get("kind")),
		Title: r.PostForm.Get("text"), Caution: r.PostForm.Get("caution") == "yes", Safe: r.PostForm.Get("safe") == "yes"})
	if tend.ErrorKind(err) == tend.EINVALID {
		return s.adminToolbox(w, r, a, http.StatusBadRequest, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/toolbox?saved=1", http.StatusSeeOther)
	return nil
}

// adminToolboxRetire takes a service activity out of every toolbox.
func (s *Server) adminToolboxRetire(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindStaff)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.Toolbox.RetireServiceActivity(r.Context(), a, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/toolbox?saved=1", http.StatusSeeOther)
	return nil
}
