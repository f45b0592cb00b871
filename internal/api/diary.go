package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
)

// The DBT diary card (clinical/diary-card.md): the person's cards saved
// field by field with an Idempotency-Key (offline clients queue them and
// send each exactly once), the cards of a date range, a card's history,
// and the card's configuration. Access and audit are the diary service's.

func diaries(h *Handler) bool { return h.opt.Diary != nil }

type diaryValueJSON struct {
	Value    *int      `json:"value"`
	EditedAt time.Time `json:"edited_at"`
}

type diarySummaryJSON struct {
	SelfHarm   int     `json:"self_harm"`
	Attempt    bool    `json:"attempt"`
	MaxEmotion *int    `json:"max_emotion"`
	Skills     *string `json:"skills_category"`
	RiddenOut  int     `json:"ridden_out"`
}

type diaryCardJSON struct {
	Date         string                    `json:"date"`
	TimeZone     string                    `json:"time_zone"`
	ScaleVersion int                       `json:"scale_version"`
	Values       map[string]diaryValueJSON `json:"values"`
	Note         string                    `json:"note"`
	LateDays     int                       `json:"late_days"`
	InSession    bool                      `json:"in_session"`
	FirstSavedAt time.Time                 `json:"first_saved_at"`
	UpdatedAt    time.Time                 `json:"updated_at"`
	Summary      diarySummaryJSON          `json:"summary"`
}

func diaryCardOut(c diary.Card) diaryCardJSON {
	out := diaryCardJSON{Date: c.Day.Format(diary.DayLayout), TimeZone: c.TimeZone, ScaleVersion: c.ScaleVersion,
		Values: map[string]diaryValueJSON{}, Note: c.Note, LateDays: c.LateDays, InSession: c.InSession,
		FirstSavedAt: c.FirstSavedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		Summary: diarySummaryJSON{SelfHarm: c.Summary.SelfHarm, Attempt: c.Summary.Attempt, RiddenOut: c.Summary.RiddenOut}}
	for f, v := range c.Values {
		out.Values[string(f)] = diaryValueJSON{Value: v.V, EditedAt: v.EditedAt.UTC()}
	}
	if c.Summary.MaxEmotion >= 0 {
		m := c.Summary.MaxEmotion
		out.Summary.MaxEmotion = &m
	}
	if c.Summary.Skills != "" {
		s := string(c.Summary.Skills)
		out.Summary.Skills = &s
	}
	return out
}

type diaryChangeJSON struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
	At    string          `json:"at,omitempty"`
}

type diarySaveJSON struct {
	TimeZone string            `json:"time_zone"`
	EditedAt string            `json:"edited_at"`
	Changes  []diaryChangeJSON `json:"changes"`
	Note     *string           `json:"note"`
}

// diarySafetyJSON tells an app what the person is shown after a save that
// raised a safety prompt (safety-rules.md section 4): physical safety
// first for an act dated today or yesterday, then their plan and the help
// options; and what the prompt did for the care team.
type diarySafetyJSON struct {
	Prompted            bool               `json:"prompted"`
	PhysicalSafetyFirst bool               `json:"physical_safety_first"`
	Response            followup.Response  `json:"response"`
	Route               followup.RouteKind `json:"route"`
	NextReadAt          *time.Time         `json:"next_read_at,omitempty"`
}

type diarySavedJSON struct {
	Card    diaryCardJSON   `json:"card"`
	Created bool            `json:"created"`
	Replay  bool            `json:"replay"`
	Applied []string        `json:"applied"`
	Safety  diarySafetyJSON `json:"safety"`
}

func parseInstant(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, tend.Errorf(tend.EINVALID, "%s must be a date and time such as 2026-03-02T21:30:00+00:00. Nothing was saved.", name)
	}
	return t, nil
}

// diarySave saves the signed-in person's card for {date}: each change
// takes the later edit by device time; a retry with the same
// Idempotency-Key changes nothing and answers the same.
func (h *Handler) diarySave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in diarySaveJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if strings.TrimSpace(key) == "" {
		return tend.Errorf(tend.EINVALID, "Send an Idempotency-Key header, the same on every retry of this save. Nothing was saved.")
	}
	edited, err := parseInstant("edited_at", in.EditedAt)
	if err != nil {
		return err
	}
	if in.TimeZone != "" {
		if _, err := diary.LoadZone(in.TimeZone); err != nil {
			return err
		}
	}
	input := diary.Input{Day: r.PathValue("date"), TimeZone: in.TimeZone, Key: key, EditedAt: edited, Note: in.Note}
	for i, ch := range in.Changes {
		raw := bytes.TrimSpace(ch.Value)
		if len(raw) == 0 {
			return tend.Errorf(tend.EINVALID, "Change %d has no value: send a whole number, or null to clear the field. Nothing was saved.", i+1)
		}
		var v *int
		if !bytes.Equal(raw, []byte("null")) {
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				return tend.Errorf(tend.EINVALID, "Change %d: the value must be a whole number, or null to clear the field. Nothing was saved.", i+1)
			}
			v = &n
		}
		at, err := parseInstant("at", ch.At)
		if err != nil {
			return err
		}
		input.Changes = append(input.Changes, diary.Change{Field: diary.Field(ch.Field), Value: v, At: at})
	}
	saved, err := h.opt.Diary.Save(r.Context(), a, a.ID, input)
	if err != nil {
		return err
	}
	out := diarySavedJSON{Card: diaryCardOut(saved.Card), Created: saved.Created, Replay: saved.Replay, Applied: []string{}}
	for _, f := range saved.Applied {
		out.Applied = append(out.Applied, string(f))
	}
	// A retry answers as the first save did: the domain raises its prompts
	// again, which adds nothing.
	out.Safety = h.diarySafety(saved.Prompted(), saved.Outcome(), saved.Act, saved.Card)
	status := http.StatusOK
	if saved.Created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, out)
}

// diarySafety words a save's prompt outcome for an app.
func (h *Handler) diarySafety(prompted bool, o followup.Outcome, act bool, c diary.Card) diarySafetyJSON {
	s := diarySafetyJSON{Prompted: prompted, Response: o.Response, Route: o.Route}
	if s.Response == "" {
		s.Response = followup.ResponseNone
	}
	if s.Response == followup.ResponseNone || s.Route == "" {
		s.Route = followup.RouteNone
	}
	if act {
		loc, err := diary.LoadZone(c.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		today := diary.Today(h.clock().Now(), loc)
		s.PhysicalSafetyFirst = !c.Day.Before(today.AddDate(0, 0, -1)) && !c.Day.After(today)
	}
	if prompted && s.Response == followup.ResponseTask && s.Route != followup.RouteNone {
		s.NextReadAt = h.nextRead()
	}
	return s
}

func (h *Handler) clock() tend.Clock {
	if h.opt.Clock == nil {
		return tend.SystemClock{}
	}
	return h.opt.Clock
}

type diaryCardsJSON struct {
	From  string          `json:"from"`
	To    string          `json:"to"`
	Cards []diaryCardJSON `json:"cards"`
}

// diaryRange reads ?from=&to= (civil dates, both required).
func diaryRange(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	if q.Get("from") == "" || q.Get("to") == "" {
		return time.Time{}, time.Time{}, tend.Errorf(tend.EINVALID, "Give from and to as dates (YYYY-MM-DD).")
	}
	from, err := diary.ParseDay(q.Get("from"))
	if err != nil {
		return time.Time{}, time.Time{}, tend.Errorf(tend.EINVALID, "from is not a date (use YYYY-MM-DD).")
	}
	to, err := diary.ParseDay(q.Get("to"))
	if err != nil {
		return time.Time{}, time.Time{}, tend.Errorf(tend.EINVALID, "to is not a date (use YYYY-MM-DD).")
	}
	return from, to, nil
}

func (h *Handler) diaryCards(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	from, to, err := diaryRange(r)
	if err != nil {
		return err
	}
	cards, err := h.opt.Diary.Cards(r.Context(), a, personID, from, to)
	if err != nil {
		return err
	}
	out := diaryCardsJSON{From: from.Format(diary.DayLayout), To: to.Format(diary.DayLayout), Cards: make([]diaryCardJSON, 0, len(cards))}
	for _, c := range cards {
		out.Cards = append(out.Cards, diaryCardOut(c))
	}
	return writeJSON(w, http.StatusOK, out)
}

// diaryList is the signed-in person's cards dated from..to.
func (h *Handler) diaryList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return h.diaryCards(w, r, a, a.ID)
}

// personDiaryList is a person's cards as a care-team member the diary is
// shared with reads them.
func (h *Handler) personDiaryList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.diaryCards(w, r, a, id)
}

type diarySaveRecordJSON struct {
	ID          tend.ID         `json:"id"`
	SavedAt     time.Time       `json:"saved_at"`
	EditedAt    time.Time       `json:"edited_at"`
	InSession   bool            `json:"in_session"`
	Changes     map[string]*int `json:"changes"`
	NoteChanged bool            `json:"note_changed"`
	Applied     []string        `json:"applied"`
}

type diaryHistoryJSON struct {
	Date  string                `json:"date"`
	Saves []diarySaveRecordJSON `json:"saves"`
}

// diaryHistory lists every accepted save of the signed-in person's card
// for {date}, oldest first.
func (h *Handler) diaryHistory(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	day, err := diary.ParseDay(r.PathValue("date"))
	if err != nil {
		return tend.Errorf(tend.EINVALID, "That is not a date (use YYYY-MM-DD).")
	}
	saves, err := h.opt.Diary.History(r.Context(), a, a.ID, day)
	if err != nil {
		return err
	}
	out := diaryHistoryJSON{Date: day.Format(diary.DayLayout), Saves: make([]diarySaveRecordJSON, 0, len(saves))}
	for _, s := range saves {
		rec := diarySaveRecordJSON{ID: s.ID, SavedAt: s.SavedAt.UTC(), EditedAt: s.EditedAt.UTC(), InSession: s.InSession,
			Changes: map[string]*int{}, NoteChanged: s.NoteChanged, Applied: []string{}}
		for f, v := range s.Changes {
			rec.Changes[string(f)] = v
		}
		for _, f := range s.Applied {
			rec.Applied = append(rec.Applied, string(f))
		}
		out.Saves = append(out.Saves, rec)
	}
	return writeJSON(w, http.StatusOK, out)
}

type diaryTargetJSON struct {
	ID       string  `json:"id"`
	Section  string  `json:"section"`
	Kind     string  `json:"kind"`
	Label    *string `json:"label"`
	UrgeID   *string `json:"urge_id"`
	Counted  bool    `json:"counted"`
	Medical  bool    `json:"medical"`
	Hidden   bool    `json:"hidden"`
	Position int     `json:"position"`
	Default  bool    `json:"default"`
	// Safety rows (self-harm, suicidal thoughts, suicide attempts) can be
	// hidden only when the service allows it.
	Safety bool `json:"safety"`
}

func diaryTargetOut(t diary.Target) diaryTargetJSON {
	out := diaryTargetJSON{ID: t.ID, Section: string(t.Section), Kind: string(t.Kind), Counted: t.Counted, Medical: t.Medical,
		Hidden: t.Hidden, Position: t.Position, Default: t.Default, Safety: t.Kind.Safety()}
	if t.Label != "" {
		l := t.Label
		out.Label = &l
	}
	if t.UrgeID != "" {
		u := t.UrgeID
		out.UrgeID = &u
	}
	return out
}

type diaryConfigJSON struct {
	Targets             []diaryTargetJSON `json:"targets"`
	SkillsSet           string            `json:"skills_set"`
	Skills              []string          `json:"skills"`
	Medication          bool              `json:"medication"`
	Group               bool              `json:"group"`
	TimeZone            string            `json:"time_zone"`
	Joined              string            `json:"joined"`
	ScaleVersion        int               `json:"scale_version"`
	AllowHideSafetyRows bool              `json:"allow_hide_safety_rows"`
}

func (h *Handler) diaryConfigOut(c diary.Config) diaryConfigJSON {
	out := diaryConfigJSON{Targets: make([]diaryTargetJSON, 0, len(c.Targets)), SkillsSet: string(c.Set), Skills: c.Skills,
		Medication: c.Medication, Group: c.Group, TimeZone: c.TimeZone, Joined: c.Joined.Format(diary.DayLayout),
		ScaleVersion: diary.ScaleVersion, AllowHideSafetyRows: h.opt.Diary.Settings().AllowHideSafetyRows}
	if out.Skills == nil {
		out.Skills = []string{}
	}
	for _, t := range c.Targets {
		out.Targets = append(out.Targets, diaryTargetOut(t))
	}
	return out
}

func (h *Handler) diaryConfig(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID) error {
	c, err := h.opt.Diary.Config(r.Context(), a, personID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.diaryConfigOut(c))
}

// diarySubject is whose card a /me/ or /people/{id}/ route names.
func diarySubject(r *http.Request, a tend.Actor) (tend.ID, error) {
	if r.PathValue("id") == "" {
		return a.ID, nil
	}
	return pathID(r, "id")
}

// diaryConfigShow is the card's configuration: its rows, the skills on
// the tick list, and whether medication and group rows apply.
func (h *Handler) diaryConfigShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := diarySubject(r, a)
	if err != nil {
		return err
	}
	return h.diaryConfig(w, r, a, id)
}

type diaryNewTargetJSON struct {
	Section string `json:"section"`
	Kind    string `json:"kind"`
	Label   string `json:"label"`
	UrgeID  string `json:"urge_id"`
}

// diaryTargetCreate adds a row to the card: the person's own card, or a
// person's with "see and edit" on their diary.
func (h *Handler) diaryTargetCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := diarySubject(r, a)
	if err != nil {
		return err
	}
	var in diaryNewTargetJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	t, err := h.opt.Diary.AddTarget(r.Context(), a, id, diary.NewTarget{Section: diary.Section(in.Section), Kind: diary.Kind(in.Kind), Label: in.Label, UrgeID: in.UrgeID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, diaryTargetOut(t))
}

type diaryTargetChangeJSON struct {
	Label  *string `json:"label"`
	Hidden *bool   `json:"hidden"`
	Move   int     `json:"move"`
}

// diaryTargetUpdate renames, hides, shows or moves one row, and answers
// the whole configuration.
func (h *Handler) diaryTargetUpdate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := diarySubject(r, a)
	if err != nil {
		return err
	}
	var in diaryTargetChangeJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Move < -1 || in.Move > 1 {
		return tend.Errorf(tend.EINVALID, "move is -1 (up), 1 (down) or 0.")
	}
	if err := h.opt.Diary.ChangeTarget(r.Context(), a, id, r.PathValue("tid"), diary.TargetChange{Label: in.Label, Hidden: in.Hidden, Move: in.Move}); err != nil {
		return err
	}
	return h.diaryConfig(w, r, a, id)
}
