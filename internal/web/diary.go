package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
)

// The person's DBT diary card (clinical/diary-card.md): one card a civil
// date, in the person's zone. The form sends, besides each field, the value
// the page was rendered with ("was:<field>"), so only what the person
// changed is saved: two devices editing the same day keep each other's
// fields. Every save carries a fresh idempotency key, so a resend (a double
// tap, the offline queue) saves once.

// The message ids this file builds at run time.
var diaryMessageIDs = func() []string {
	ids := []string{"diary.yes", "diary.no", "diary.unsure", "diary.partly", "diary.late", "diary.late_one"}
	for _, ks := range diary.Kinds {
		for _, k := range ks {
			ids = append(ids, k.LabelID())
		}
	}
	for i := 0; i <= diary.MaxRating; i++ {
		ids = append(ids, "diary.urge."+strconv.Itoa(i))
	}
	for i := 0; i <= diary.MaxSkills; i++ {
		ids = append(ids, "diary.skills."+strconv.Itoa(i))
	}
	for _, c := range diary.Categories {
		ids = append(ids, "diary.category."+string(c))
	}
	for _, sp := range diary.Spans {
		ids = append(ids, "progress.span."+string(sp))
	}
	return ids
}()

// withDiary answers "not found" when the server runs without the diary or
// follow-up service (tests of other areas), rather than failing on nil.
func (s *Server) withDiary(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.opt.Diary == nil || s.opt.FollowUp == nil {
			return tend.ErrNotFound
		}
		return fn(w, r)
	}
}

// choice is one option of a radio group.
type choice struct {
	Value   int
	Text    string // what the option shows ("3", "yes")
	Label   string // its words, for screen readers ("moderate"), or ""
	Checked bool
}

// rowView is one row of the card: a rating, a yes/no, or a count.
type rowView struct {
	Field   string
	Label   string
	Was     string // the value the page was rendered with, "" for none
	Value   string
	Choices []choice
	// Actions: Act (a self-harm act or suicide attempt: the offline screen
	// needs to know), the count and medical-care questions.
	Action, Act, Die bool
	Count, Medical   *rowView
	Yes              bool // answered yes: the follow-up questions show
}

type tickView struct {
	Field, Name string
	Checked     bool
	Was         string
}

type diaryModuleView struct {
	Name  string
	Ticks []tickView
}

type diaryPage struct {
	Base
	helpOptions
	Day, DayLabel    string
	Today, Yesterday bool
	Prev, Next       string
	OfferToday       string // the date of today, when after midnight the card offers yesterday
	Late             string
	PastFree         bool
	Notice           bool
	Blank            bool // the copy kept on the device for any day offline
	Key              string
	Level            int // the urge-to-die prompt level
	Rows             []rowView
	Emotions         []rowView
	Skills           rowView
	Modules          []diaryModuleView
	Ticked           int
	Medication       *rowView
	PRN              *rowView
	Group            *rowView
	Note, NoteWas    string
	Draft            string
	WhoReads         string
	NextRead         string
	NoRoute          bool
	Problem          string
	Saved            bool
}

// diaryToday is today's card in the person's zone; between midnight and
// 04:00 it offers yesterday's first.
func (s *Server) diaryToday(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	now := s.opt.Clock.Now()
	day := diary.Today(now, loc)
	offer := ""
	if diary.OfferYesterday(now, loc) {
		cfg, err := s.opt.Diary.Config(r.Context(), a, a.ID)
		if err != nil {
			return err
		}
		if y := day.AddDate(0, 0, -1); !y.Before(cfg.Joined) {
			offer, day = day.Format(diary.DayLayout), y
		}
	}
	return s.diaryRender(w, r, a, day, http.StatusOK, func(p *diaryPage) { p.OfferToday = offer })
}

// diaryShow is the card for one date.
func (s *Server) diaryShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	day, err := diaryDay(r)
	if err != nil {
		return err
	}
	return s.diaryRender(w, r, a, day, http.StatusOK, func(p *diaryPage) { p.Saved = r.URL.Query().Get("saved") == "1" })
}

// diaryDay reads the path's date (YYYY-MM-DD); ENOTFOUND for anything
// else: there is no such card.
func diaryDay(r *http.Request) (time.Time, error) {
	day, err := time.Parse(diary.DayLayout, r.PathValue("date"))
	if err != nil {
		return time.Time{}, tend.ErrNotFound
	}
	return day, nil
}

// diaryBlank is the card with no date and no values: the service worker
// keeps it on the device, and the page's script fills in the date from the
// address, so a card for any day opens while the server is unreachable.
func (s *Server) diaryBlank(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	day := diary.Today(s.opt.Clock.Now(), loc)
	w.Header().Set(headerOffline, offlineKeep)
	return s.diaryRender(w, r, a, day, http.StatusOK, func(p *diaryPage) { p.Blank = true })
}

func (s *Server) diaryRender(w http.ResponseWriter, r *http.Request, a tend.Actor, day time.Time, status int, more func(*diaryPage)) error {
	page, err := s.diaryPageFor(r, a, day)
	if err != nil {
		return err
	}
	if more != nil {
		more(page)
	}
	if page.Blank {
		page.blank()
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, status, "me_diary", page)
}

// diaryPageFor builds the card page for day, as stored now.
func (s *Server) diaryPageFor(r *http.Request, a tend.Actor, day time.Time) (*diaryPage, error) {
	ctx := r.Context()
	view, err := s.opt.Diary.Card(ctx, a, a.ID, day)
	if err != nil {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	now := s.opt.Clock.Now()
	today := diary.Today(now, loc)
	if day.After(today) || day.Before(view.Config.Joined) {
		return nil, tend.ErrNotFound
	}
	page := &diaryPage{Base: Base{Title: p.T("diary.title"), QuickExit: true}, Day: day.Format(diary.DayLayout),
		DayLabel: day.Format("Monday 2 January 2006"), Today: day.Equal(today), Yesterday: day.Equal(today.AddDate(0, 0, -1)),
		Key: randomHex(16), Level: s.opt.FollowUp.UrgeToDieLevel()}
	page.Title = p.T("diary.day_title", page.DayLabel)
	if prev := day.AddDate(0, 0, -1); !prev.Before(view.Config.Joined) {
		page.Prev = prev.Format(diary.DayLayout)
	}
	if next := day.AddDate(0, 0, 1); !next.After(today) {
		page.Next = next.Format(diary.DayLayout)
	}
	card := view.Card
	switch {
	case view.Exists && card.InSession:
		page.Late = p.T("diary.in_session")
	case view.Exists && card.LateDays == 1:
		page.Late = p.T("diary.late_one")
	case view.Exists && card.LateDays > 1:
		page.Late = p.T("diary.late", card.LateDays)
	case !view.Exists && day.Before(today.AddDate(0, 0, -1)):
		page.PastFree = true
	}
	cfg := view.Config
	scale := func(f diary.Field, label string, max int, words func(int) string) rowView {
		v := rowView{Field: string(f), Label: label}
		cur, ok := card.Get(f)
		if ok {
			v.Was, v.Value = strconv.Itoa(cur), strconv.Itoa(cur)
		}
		for i := 0; i <= max; i++ {
			c := choice{Value: i, Text: strconv.Itoa(i), Checked: ok && cur == i}
			if words != nil {
				c.Label = words(i)
			}
			v.Choices = append(v.Choices, c)
		}
		return v
	}
	answers := func(f diary.Field, label string, opts ...int) rowView {
		v := rowView{Field: string(f), Label: label}
		cur, ok := card.Get(f)
		if ok {
			v.Was, v.Value = strconv.Itoa(cur), strconv.Itoa(cur)
		}
		for _, o := range opts {
			v.Choices = append(v.Choices, choice{Value: o, Text: p.T(answerID(f, o)), Checked: ok && cur == o})
		}
		return v
	}
	number := func(f diary.Field, label string) *rowView {
		v := &rowView{Field: string(f), Label: label}
		if cur, ok := card.Get(f); ok {
			v.Was, v.Value = strconv.Itoa(cur), strconv.Itoa(cur)
		}
		return v
	}
	urgeWords := func(i int) string { return p.T("diary.urge." + strconv.Itoa(i)) }
	for _, t := range cfg.GridOrder() {
		label := s.targetLabel(t)
		if t.Section == diary.SectionUrge {
			row := scale(diary.UrgeField(t.ID), label, diary.MaxRating, urgeWords)
			row.Die = t.Kind == diary.KindUrgeToDie
			page.Rows = append(page.Rows, row)
			continue
		}
		row := answers(diary.ActField(t.ID), label, diary.Yes, diary.No)
		row.Action, row.Act, row.Yes = true, t.Kind.Act(), row.Value == strconv.Itoa(diary.Yes)
		if t.Counted {
			row.Count = number(diary.CountField(t.ID), p.T("diary.count"))
			if n, ok := card.Get(diary.CountField(t.ID)); ok && n > 0 {
				row.Yes = true
			}
		}
		if t.Medical {
			m := answers(diary.MedicalField(t.ID), p.T("diary.medical"), diary.Yes, diary.No, diary.Unsure)
			row.Medical = &m
		}
		page.Rows = append(page.Rows, row)
	}
	for _, t := range cfg.Section(diary.SectionEmotion, false) {
		page.Emotions = append(page.Emotions, scale(diary.EmotionField(t.ID), s.targetLabel(t), diary.MaxRating, nil))
	}
	page.Skills = scale(diary.FieldSkills, p.T("diary.skills_heading"), diary.MaxSkills, func(i int) string { return p.T("diary.skills." + strconv.Itoa(i)) })
	for _, m := range cfg.SkillsByModule() {
		mv := diaryModuleView{Name: p.T(m.Module.NameID())}
		for _, sk := range m.Skills {
			f := diary.SkillField(sk.ID)
			cur, ok := card.Get(f)
			tv := tickView{Field: string(f), Name: p.T(sk.NameID()), Checked: ok && cur == 1}
			if ok {
				tv.Was = strconv.Itoa(cur)
			}
			if tv.Checked {
				page.Ticked++
			}
			mv.Ticks = append(mv.Ticks, tv)
		}
		page.Modules = append(page.Modules, mv)
	}
	if cfg.Medication {
		m := answers(diary.FieldMedication, p.T("diary.medication"), diary.Yes, diary.No, diary.Partly)
		page.Medication = &m
	}
	page.PRN = number(diary.FieldPRN, p.T("diary.prn"))
	if cfg.Group {
		g := answers(diary.FieldGroup, p.T("diary.group"), diary.Yes, diary.No)
		page.Group = &g
	}
	page.Note = card.Note
	page.NoteWas = noteDigest(card.Note)
	if view.Draft != "" {
		page.Note = view.Draft
		page.Draft = p.T("diary.note_draft", view.DraftAt.In(loc).Format("2 January, 15:04"))
	}
	if page.WhoReads, err = s.diaryReaders(r, a); err != nil {
		return nil, err
	}
	seen, err := s.opt.FollowUp.NoticeSeen(ctx, a, a.ID)
	if err != nil {
		return nil, err
	}
	// Before the first card (safety-rules.md section 3); a day already
	// filled in (on another device, or offline) shows its card.
	page.Notice = !seen && !view.Exists
	reach, err := s.opt.FollowUp.Preview(ctx, a, a.ID)
	if err != nil {
		return nil, err
	}
	page.NoRoute = reach.Route == followup.RouteNone
	if !page.NoRoute {
		page.NextRead = s.nextRead(now)
	}
	page.helpOptions = s.planContacts(r)
	return page, nil
}

// blank empties the page for the copy kept on the device: no date, no
// values, no note; the script fills in the date from the address.
func (p *diaryPage) blank() {
	p.Day, p.DayLabel, p.Prev, p.Next, p.OfferToday, p.Late = "", "", "", "", "", ""
	p.Today, p.Yesterday, p.PastFree, p.Saved, p.Notice = false, false, false, false, false
	p.Key, p.Note, p.NoteWas, p.Draft = "", "", "", ""
	clear := func(v *rowView) {
		if v == nil {
			return
		}
		v.Was, v.Value, v.Yes = "", "", false
		for i := range v.Choices {
			v.Choices[i].Checked = false
		}
	}
	for _, rows := range [][]rowView{p.Rows, p.Emotions} {
		for i := range rows {
			clear(&rows[i])
			clear(rows[i].Count)
			clear(rows[i].Medical)
		}
	}
	clear(&p.Skills)
	clear(p.Medication)
	clear(p.PRN)
	clear(p.Group)
	p.Ticked = 0
	for i := range p.Modules {
		for j := range p.Modules[i].Ticks {
			p.Modules[i].Ticks[j].Checked, p.Modules[i].Ticks[j].Was = false, ""
		}
	}
}

// answerID is the catalogue id of an answer's word.
func answerID(f diary.Field, v int) string {
	switch {
	case v == diary.Yes:
		return "diary.yes"
	case v == diary.No:
		return "diary.no"
	case f == diary.FieldMedication:
		return "diary.partly"
	}
	return "diary.unsure"
}

// targetLabel is a row's own label, or its kind's default one.
func (s *Server) targetLabel(t diary.Target) string {
	if t.Label != "" {
		return t.Label
	}
	return s.printer().T(t.Kind.LabelID())
}

// noteDigest stands for a note's words in the form's "was" field, so the
// page need not carry the note twice; "" for no note.
func noteDigest(note string) string {
	n := strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	if n == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(n))
	return hex.EncodeToString(sum[:16])
}

// diaryReaders says who reads the person's diary card, and when, from their
// sharing as it stands now (safety-rules.md section 3).
func (s *Server) diaryReaders(r *http.Request, a tend.Actor) (string, error) {
	return s.areaReaders(r, a, access.AreaDiary)
}

// diaryNoticeSeen records that the person read the first-use notice (the
// same notice as before a first request for contact), and goes back to
// the card.
func (s *Server) diaryNoticeSeen(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := s.opt.FollowUp.MarkNoticeSeen(r.Context(), a, a.ID); err != nil {
		return err
	}
	to := "/me/diary"
	if d, err := time.Parse(diary.DayLayout, r.PostFormValue("day")); err == nil {
		to += "/" + d.Format(diary.DayLayout)
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a local path with a parsed date.
	return nil
}

// reserved form fields, besides the card's own.
var diaryFormFields = []string{"idempotency_key", "note", "note_was", "tz", "edited_at", "day"}

// diaryInput reads the card form: the fields the person changed (their
// value differs from the one the page was rendered with), and the note
// when its words changed.
func diaryInput(day string, form url.Values) (diary.Input, error) {
	in := diary.Input{Day: day, Key: form.Get("idempotency_key"), TimeZone: strings.TrimSpace(form.Get("tz"))}
	if t, err := time.Parse(time.RFC3339, form.Get("edited_at")); err == nil {
		in.EditedAt = t
	}
	names := map[string]bool{}
	for k := range form {
		if f, ok := strings.CutPrefix(k, "was:"); ok {
			names[f] = true
		} else if !slices.Contains(diaryFormFields, k) {
			names[k] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	slices.Sort(sorted)
	for _, name := range sorted {
		was := strings.TrimSpace(form.Get("was:" + name))
		vals, sent := form[name]
		now := ""
		if sent {
			// A number box sends "" for nothing; a radio group sends
			// nothing until one is chosen.
			now = strings.TrimSpace(vals[len(vals)-1])
		} else if strings.HasPrefix(name, "skill:") && was != "" {
			// An unticked box sends nothing: it is "no" when it had a value.
			now = "0"
		}
		if now == was {
			continue
		}
		ch := diary.Change{Field: diary.Field(name)}
		if now != "" {
			v, err := strconv.Atoi(now)
			if err != nil {
				return diary.Input{}, tend.Errorf(tend.EINVALID, "not a number")
			}
			ch.Value = &v
		}
		in.Changes = append(in.Changes, ch)
	}
	if note, ok := form["note"]; ok {
		text := note[0]
		if noteDigest(text) != form.Get("note_was") {
			in.Note = &text
		}
	}
	return in, nil
}

// diarySave saves the card: only the fields the person changed. A save
// that raised a safety prompt shows the safety screen at once; otherwise
// back to the card, with a calm confirmation.
func (s *Server) diarySave(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	dayText := r.PathValue("date")
	day, perr := time.Parse(diary.DayLayout, dayText)
	in, err := diaryInput(dayText, r.PostForm)
	if err != nil {
		err = tend.Errorf(tend.EINVALID, "%s", s.printer().T("diary.not_a_number"))
	}
	var saved diary.Saved
	if err == nil {
		saved, err = s.opt.Diary.Save(r.Context(), a, a.ID, in)
	}
	if tend.ErrorKind(err) == tend.EINVALID {
		if perr != nil {
			return err
		}
		return s.diaryProblem(w, r, a, day, tend.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	// A resend of a save already made (the same key) changes nothing and
	// answers as the first time: the safety screen again when it raised a
	// prompt.
	if saved.Prompted() {
		var actDay *time.Time
		if saved.Act {
			actDay = &day
		}
		return s.safetyScreen(w, r, a, saved.Outcome(), actDay)
	}
	http.Redirect(w, r, "/me/diary/"+day.Format(diary.DayLayout)+"?saved=1", http.StatusSeeOther) // #nosec G710 -- a local path with a parsed date.
	return nil
}

// diaryProblem re-renders the card with why it was not saved, keeping
// nothing of the refused save.
func (s *Server) diaryProblem(w http.ResponseWriter, r *http.Request, a tend.Actor, day time.Time, problem string) error {
	page, err := s.diaryPageFor(r, a, day)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		// A future day, or one before the person joined: there is no card
		// to show the message on.
		return tend.Errorf(tend.EINVALID, "%s", problem)
	}
	if err != nil {
		return err
	}
	page.Problem = problem
	page.Notice = false // the card, with why it was not saved
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusBadRequest, "me_diary", page)
}

// diaryDraft keeps the note as the person types (the page's script, a
// moment after they pause): an unversioned draft, replaced by each one
// and removed when the card is saved with its note.
func (s *Server) diaryDraft(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tend.Errorf(tend.EINVALID, "The form could not be read.")
	}
	err = s.opt.Diary.SaveDraft(r.Context(), a, a.ID, r.PathValue("date"), r.PostForm.Get("note"))
	out := struct {
		Status  string `json:"status"`
		Problem string `json:"problem,omitempty"`
	}{}
	status := http.StatusOK
	switch {
	case tend.ErrorKind(err) == tend.EINVALID:
		status, out.Problem = http.StatusBadRequest, tend.ErrorMessage(err)
	case err != nil:
		return err
	default:
		loc, err := s.personZone(r)
		if err != nil {
			return err
		}
		out.Status = s.printer().T("diary.draft_saved", s.opt.Clock.Now().In(loc).Format("15:04"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(out)
}

type historyRow struct {
	When, Who string
	What      []string
}

type diaryHistoryPage struct {
	Base
	Day, DayLabel string
	Rows          []historyRow
}

// diaryHistory lists the saves of a day's card: when, by whom (the person,
// or a clinician in session), and which fields.
func (s *Server) diaryHistory(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	day, err := diaryDay(r)
	if err != nil {
		return err
	}
	saves, err := s.opt.Diary.History(r.Context(), a, a.ID, day)
	if err != nil {
		return err
	}
	cfg, err := s.opt.Diary.Config(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	p := s.printer()
	label := day.Format("Monday 2 January 2006")
	page := &diaryHistoryPage{Base: Base{Title: p.T("diary.history_title", label), QuickExit: true}, Day: day.Format(diary.DayLayout), DayLabel: label}
	for _, sv := range saves {
		row := historyRow{When: sv.SavedAt.In(loc).Format("2 January 2006, 15:04"), Who: p.T("diary.history_you")}
		if sv.SavedBy != a.ID || sv.InSession {
			row.Who = p.T("diary.history_clinician")
		}
		fields := make([]string, 0, len(sv.Changes))
		for f := range sv.Changes {
			fields = append(fields, string(f))
		}
		slices.Sort(fields)
		for _, f := range fields {
			row.What = append(row.What, s.fieldLabel(cfg, diary.Field(f)))
		}
		if sv.NoteChanged {
			row.What = append(row.What, p.T("diary.history_note"))
		}
		if len(row.What) == 0 {
			row.What = []string{p.T("diary.history_nothing")}
		}
		page.Rows = append(page.Rows, row)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "me_diary_history", page)
}

// fieldLabel names a field in the person's words.
func (s *Server) fieldLabel(cfg diary.Config, f diary.Field) string {
	p := s.printer()
	switch f {
	case diary.FieldSkills:
		return p.T("diary.skills_heading")
	case diary.FieldMedication:
		return p.T("diary.medication")
	case diary.FieldPRN:
		return p.T("diary.prn")
	case diary.FieldGroup:
		return p.T("diary.group")
	}
	id := f.Target()
	if strings.HasPrefix(string(f), "skill:") {
		for _, m := range cfg.SkillsByModule() {
			for _, sk := range m.Skills {
				if sk.ID == id {
					return p.T(sk.NameID())
				}
			}
		}
		return id
	}
	t, ok := cfg.Target(id)
	if !ok {
		return id
	}
	label := s.targetLabel(t)
	switch f {
	case diary.CountField(id):
		return p.T("diary.history_count", label)
	case diary.MedicalField(id):
		return p.T("diary.history_medical", label)
	}
	return label
}
