package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/measure"
)

// Questionnaires (issue 7): the instruments a service offers (the shipped
// ones and those an admin imported as FHIR R4 Questionnaires), their
// assignment to a person, the person's answers saved as they go, and the
// scores over time. Access and audit are the measure service's. The
// reliable-change judgement is for staff only: a person's own scores
// carry totals and bands, never its labels (safety-rules.md section 6).

func measures(h *Handler) bool { return h.opt.Measures != nil }

// civilLayout writes the civil dates of due questionnaires and scores.
const civilLayout = "2006-01-02"

// fhirJSON is the media type of a FHIR resource in JSON.
const fhirJSON = "application/fhir+json"

type instrumentSummaryJSON struct {
	ID        string `json:"id"`
	Key       string `json:"key"`
	Short     string `json:"short"`
	Title     string `json:"title"`
	Version   string `json:"version"`
	Language  string `json:"language"`
	Licence   string `json:"licence"`
	Builtin   bool   `json:"builtin"`
	Retired   bool   `json:"retired"`
	PromptsOn bool   `json:"prompts_on"`
}

func instrumentSummaryOut(av measure.Available) instrumentSummaryJSON {
	in := av.Instrument
	return instrumentSummaryJSON{ID: in.ID, Key: in.Key, Short: in.Short, Title: in.Title, Version: in.Version, Language: in.Language,
		Licence: in.Licence, Builtin: in.Builtin, Retired: av.Retired(), PromptsOn: av.PromptsOn()}
}

type instrumentListJSON struct {
	Instruments []instrumentSummaryJSON `json:"instruments"`
}

// instrumentList is every instrument, shipped first, retired ones marked.
func (h *Handler) instrumentList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	list, err := h.opt.Measures.Instruments(r.Context(), a)
	if err != nil {
		return err
	}
	out := instrumentListJSON{Instruments: make([]instrumentSummaryJSON, 0, len(list))}
	for _, av := range list {
		out.Instruments = append(out.Instruments, instrumentSummaryOut(av))
	}
	return writeJSON(w, http.StatusOK, out)
}

// instrumentJSON is one instrument in Tend's own model, with how the
// service holds it.
type instrumentJSON struct {
	Instrument measure.Instrument `json:"instrument"`
	Retired    bool               `json:"retired"`
	PromptsOn  bool               `json:"prompts_on"`
	// Rights is the service's statement of its right to use an imported
	// instrument (null for a shipped one: its Licence says).
	Rights *string `json:"rights"`
}

func instrumentOut(av measure.Available) instrumentJSON {
	out := instrumentJSON{Instrument: av.Instrument, Retired: av.Retired(), PromptsOn: av.PromptsOn()}
	if out.Instrument.Items == nil {
		out.Instrument.Items = []measure.Item{}
	}
	if av.Imported != nil {
		rights := av.Imported.Rights
		out.Rights = &rights
	}
	return out
}

// findInstrument returns one instrument as the caller may list it: the
// service's list decides who may read instruments.
func (h *Handler) findInstrument(r *http.Request, a tend.Actor) (measure.Available, error) {
	list, err := h.opt.Measures.Instruments(r.Context(), a)
	if err != nil {
		return measure.Available{}, err
	}
	id := r.PathValue("id")
	for _, av := range list {
		if av.Instrument.ID == id {
			return av, nil
		}
	}
	return measure.Available{}, tend.Errorf(tend.ENOTFOUND, "There is no such questionnaire.")
}

// instrumentShow is one instrument in Tend's model: its items, options and
// scoring definition.
func (h *Handler) instrumentShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	av, err := h.findInstrument(r, a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, instrumentOut(av))
}

// instrumentQuestionnaire is one instrument as a FHIR R4 Questionnaire
// with Tend's scoring extension.
func (h *Handler) instrumentQuestionnaire(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	av, err := h.findInstrument(r, a)
	if err != nil {
		return err
	}
	return writeFHIR(w, http.StatusOK, fhir.QuestionnaireFromInstrument(av.Instrument))
}

// writeFHIR writes a FHIR resource as application/fhir+json.
func writeFHIR(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", fhirJSON)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

type instrumentImportJSON struct {
	Questionnaire json.RawMessage `json:"questionnaire"`
	Rights        string          `json:"rights"`
}

// maxImportBody caps an import: the largest Questionnaire the measure
// service takes, and the rights.
const maxImportBody = measure.MaxQuestionnaireBytes + 8<<10

// instrumentImport adds an instrument from a FHIR R4 Questionnaire with
// Tend's scoring extension and the service's statement of its right to
// use it (admins). What cannot be scored is refused, naming why.
func (h *Handler) instrumentImport(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in instrumentImportJSON
	if err := decodeUpTo(w, r, &in, maxImportBody); err != nil {
		return err
	}
	raw := []byte(strings.TrimSpace(string(in.Questionnaire)))
	if len(raw) == 0 || string(raw) == "null" {
		return tend.Errorf(tend.EINVALID, "Send the FHIR R4 Questionnaire as questionnaire. Nothing was imported.")
	}
	inst, err := fhir.ParseQuestionnaire(raw)
	if err != nil {
		return err // EINVALID, naming what Tend cannot ask or score
	}
	got, err := h.opt.Measures.Import(r.Context(), a, inst, raw, in.Rights)
	if err != nil {
		return err
	}
	av, err := h.opt.Measures.Instrument(r.Context(), got.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, instrumentOut(av))
}

// decodeUpTo is decode with a larger cap on the body: a Questionnaire can
// be far larger than any other body the API takes.
func decodeUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return tend.Errorf(tend.EINVALID, "Send the body as JSON, with Content-Type: application/json.")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return tend.Errorf(tend.EINVALID, "Send one JSON value only.")
	}
	return nil
}

// instrumentRetire stops an imported instrument being assigned or answered
// (admins); what was answered stays.
func (h *Handler) instrumentRetire(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if err := h.opt.Measures.Retire(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	return h.instrumentAfterChange(w, r, a)
}

type instrumentPromptsJSON struct {
	Enabled *bool `json:"enabled"`
}

// instrumentPrompts turns on or off the safety prompts an imported
// instrument's items propose (admins).
func (h *Handler) instrumentPrompts(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in instrumentPromptsJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Enabled == nil {
		return tend.Errorf(tend.EINVALID, "Say whether the prompts are on: enabled is true or false.")
	}
	if err := h.opt.Measures.SetPrompts(r.Context(), a, r.PathValue("id"), *in.Enabled); err != nil {
		return err
	}
	return h.instrumentAfterChange(w, r, a)
}

func (h *Handler) instrumentAfterChange(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	av, err := h.findInstrument(r, a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, instrumentOut(av))
}

type scheduleJSON struct {
	Kind       measure.ScheduleKind `json:"kind"`
	EveryWeeks int                  `json:"every_weeks"`
}

type assignmentJSON struct {
	ID           tend.ID      `json:"id"`
	InstrumentID string       `json:"instrument_id"`
	Short        string       `json:"short"`
	Title        string       `json:"title"`
	Schedule     scheduleJSON `json:"schedule"`
	StartsOn     string       `json:"starts_on"`
	CreatedAt    time.Time    `json:"created_at"`
	Active       bool         `json:"active"`
	EndedAt      *time.Time   `json:"ended_at"`
}

func assignmentOut(a measure.Assignment, in measure.Instrument) assignmentJSON {
	out := assignmentJSON{ID: a.ID, InstrumentID: a.InstrumentID, Short: in.Short, Title: in.Title,
		Schedule: scheduleJSON{Kind: a.Schedule.Kind, EveryWeeks: a.Schedule.EveryWeeks},
		StartsOn: a.StartsOn.Format(civilLayout), CreatedAt: a.CreatedAt.UTC(), Active: a.Active()}
	if a.EndedAt != nil {
		t := a.EndedAt.UTC()
		out.EndedAt = &t
	}
	return out
}

type assignmentListJSON struct {
	Assignments []assignmentJSON `json:"assignments"`
}

// personAssignmentList is a person's assignments, newest first.
func (h *Handler) personAssignmentList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := h.opt.Measures.Assignments(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := assignmentListJSON{Assignments: make([]assignmentJSON, 0, len(list))}
	for _, av := range list {
		out.Assignments = append(out.Assignments, assignmentOut(av.Assignment, av.Instrument))
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

type newAssignmentJSON struct {
	InstrumentID string        `json:"instrument_id"`
	Schedule     *scheduleJSON `json:"schedule"`
}

// personAssignmentCreate assigns an instrument to a person, once or on a
// schedule (a care-team member the person shares their questionnaires
// with).
func (h *Handler) personAssignmentCreate(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in newAssignmentJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Schedule == nil {
		return tend.Errorf(tend.EINVALID, "Say when the questionnaire is due: schedule.kind, and schedule.every_weeks for every_weeks.")
	}
	as, err := h.opt.Measures.Assign(r.Context(), a, id, measure.NewAssignment{InstrumentID: in.InstrumentID,
		Schedule: measure.Schedule{Kind: in.Schedule.Kind, EveryWeeks: in.Schedule.EveryWeeks}})
	if err != nil {
		return err
	}
	av, err := h.opt.Measures.Instrument(r.Context(), as.InstrumentID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, assignmentOut(as, av.Instrument))
}

// personAssignmentEnd stops an assignment falling due; answers given stay.
func (h *Handler) personAssignmentEnd(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if err := h.opt.Measures.EndAssignment(r.Context(), a, id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type dueJSON struct {
	ID           tend.ID        `json:"id"`
	InstrumentID string         `json:"instrument_id"`
	Short        string         `json:"short"`
	Title        string         `json:"title"`
	DueOn        string         `json:"due_on"`
	Reason       measure.Reason `json:"reason"`
	// Started is true when answers were saved; Answers are those saved
	// (a draft, or the finished answers).
	Started  bool            `json:"started"`
	Finished bool            `json:"finished"`
	Answers  measure.Answers `json:"answers"`
}

func dueOut(d measure.DueView) dueJSON {
	out := dueJSON{ID: d.Due.ID, InstrumentID: d.Due.InstrumentID, Short: d.Instrument.Short, Title: d.Instrument.Title,
		DueOn: d.Due.On.Format(civilLayout), Reason: d.Due.Reason, Answers: measure.Answers{}}
	if d.Response != nil {
		out.Started, out.Finished = true, d.Response.Finished
		for k, v := range d.Response.Answers {
			out.Answers[k] = v
		}
	}
	return out
}

type dueListJSON struct {
	Questionnaires []dueJSON `json:"questionnaires"`
}

// myQuestionnaireList is what is waiting for the signed-in person.
func (h *Handler) myQuestionnaireList(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	list, err := h.opt.Measures.Waiting(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	out := dueListJSON{Questionnaires: make([]dueJSON, 0, len(list))}
	for _, d := range list {
		out.Questionnaires = append(out.Questionnaires, dueOut(d))
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

type dueFormJSON struct {
	dueJSON
	Instrument measure.Instrument `json:"instrument"`
}

// myQuestionnaireShow is one due questionnaire to answer: its instrument
// and the answers so far.
func (h *Handler) myQuestionnaireShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	dueID, err := pathID(r, "dueID")
	if err != nil {
		return err
	}
	d, err := h.opt.Measures.Form(r.Context(), a, a.ID, dueID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, dueFormJSON{dueJSON: dueOut(d), Instrument: d.Instrument})
}

type answersJSON struct {
	Answers map[string]int `json:"answers"`
	Finish  bool           `json:"finish"`
}

type responseSavedJSON struct {
	Response responseJSON `json:"response"`
	// SafetyPrompt is true when an answer proposes a safety prompt: the
	// app shows the person their safety plan and the help options at
	// once (safety-rules.md section 4). Safety says what the prompt did
	// for the care team.
	SafetyPrompt bool            `json:"safety_prompt"`
	Safety       diarySafetyJSON `json:"safety"`
}

// myQuestionnaireSave saves the signed-in person's answers to a due
// questionnaire, as a draft or finished. The answers replace those saved
// before, so sending the same again changes nothing; answers outside an
// item's options save nothing (400), and a questionnaire no longer
// assigned or retired saves nothing (409).
func (h *Handler) myQuestionnaireSave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	dueID, err := pathID(r, "dueID")
	if err != nil {
		return err
	}
	var in answersJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Answers == nil {
		return tend.Errorf(tend.EINVALID, "Send the answers: an object of each question's link id and the value of the answer chosen. Nothing was saved.")
	}
	saved, err := h.opt.Measures.Save(r.Context(), a, a.ID, dueID, measure.Answers(in.Answers), in.Finish)
	if err != nil {
		return err
	}
	var o followup.Outcome
	if len(saved.Prompts) > 0 {
		o = saved.Prompts[0]
	}
	av, err := h.opt.Measures.Instrument(r.Context(), saved.Response.InstrumentID)
	if err != nil {
		return err
	}
	out := responseSavedJSON{Response: responseOut(saved.Response, av.Instrument), SafetyPrompt: saved.Prompted,
		Safety: h.diarySafety(saved.Prompted, o, false, diary.Card{})}
	return writeJSON(w, http.StatusOK, out)
}

type scoreJSON struct {
	// Total is null when the response is incomplete: Tend never imputes a
	// missing answer.
	Total          *float64           `json:"total"`
	Band           *string            `json:"band"`
	AboveThreshold bool               `json:"above_threshold"`
	Subscales      map[string]float64 `json:"subscales"`
	Answered       int                `json:"answered"`
	Scored         int                `json:"scored"`
}

func scoreOut(s measure.Score) scoreJSON {
	out := scoreJSON{Total: s.Total, AboveThreshold: s.AboveThreshold, Subscales: map[string]float64{}, Answered: s.Answered, Scored: s.Scored}
	if s.Band != "" {
		b := s.Band
		out.Band = &b
	}
	for k, v := range s.Subscales {
		out.Subscales[k] = v
	}
	return out
}

type itemAnswerJSON struct {
	LinkID string `json:"link_id"`
	Text   string `json:"text"`
	// Answered is false for an item left out: its value and label are
	// then null, never 0.
	Answered bool    `json:"answered"`
	Value    *int    `json:"value"`
	Label    *string `json:"label"`
	Scored   bool    `json:"scored"`
}

type responseJSON struct {
	ID           tend.ID          `json:"id"`
	DueID        tend.ID          `json:"due_id"`
	InstrumentID string           `json:"instrument_id"`
	Version      string           `json:"version"`
	Short        string           `json:"short"`
	Finished     bool             `json:"finished"`
	StartedAt    time.Time        `json:"started_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	FinishedAt   *time.Time       `json:"finished_at"`
	Score        scoreJSON        `json:"score"`
	Items        []itemAnswerJSON `json:"items"`
}

func responseOut(rs measure.Response, in measure.Instrument) responseJSON {
	out := responseJSON{ID: rs.ID, DueID: rs.DueID, InstrumentID: rs.InstrumentID, Version: rs.Version, Short: in.Short, Finished: rs.Finished,
		StartedAt: rs.StartedAt.UTC(), UpdatedAt: rs.UpdatedAt.UTC(), Score: scoreOut(rs.Score), Items: make([]itemAnswerJSON, 0, len(in.Items))}
	if rs.FinishedAt != nil {
		t := rs.FinishedAt.UTC()
		out.FinishedAt = &t
	}
	for _, it := range in.Items {
		j := itemAnswerJSON{LinkID: it.LinkID, Text: it.Text, Scored: in.Scored(it.LinkID)}
		if v, ok := rs.Answers[it.LinkID]; ok {
			v := v
			j.Answered, j.Value = true, &v
			if o, ok := it.Option(v); ok {
				l := o.Label
				j.Label = &l
			}
		}
		out.Items = append(out.Items, j)
	}
	return out
}

// personResponseShow is one of a person's responses, item by item, or
// with Accept: application/fhir+json (or ?format=fhir) the FHIR R4
// QuestionnaireResponse.
func (h *Handler) personResponseShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	rs, in, err := h.opt.Measures.Response(r.Context(), a, id, rid)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept")
	if wantsFHIR(r) {
		return writeFHIR(w, http.StatusOK, fhir.QuestionnaireResponseFrom(in, rs, "Patient/"+string(id), fhir.QuestionnaireURL(in)))
	}
	return writeJSON(w, http.StatusOK, responseOut(rs, in))
}

// wantsFHIR reports whether the caller asked for FHIR: ?format=fhir, or
// an Accept header naming application/fhir+json.
func wantsFHIR(r *http.Request) bool {
	if r.URL.Query().Get("format") == "fhir" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == fhirJSON {
			return true
		}
	}
	return false
}

type scorePointJSON struct {
	ResponseID     tend.ID  `json:"response_id"`
	Date           string   `json:"date"`
	Total          *float64 `json:"total"`
	Band           *string  `json:"band"`
	AboveThreshold bool     `json:"above_threshold"`
}

type changeRuleJSON struct {
	// Method is "points" (a fixed change in points) or "jacobson_truax".
	Method      string   `json:"method"`
	Points      *float64 `json:"points,omitempty"`
	SD          *float64 `json:"sd,omitempty"`
	Reliability *float64 `json:"reliability,omitempty"`
	Source      string   `json:"source"`
}

type changeJSON struct {
	From      float64           `json:"from"`
	To        float64           `json:"to"`
	Judgement measure.Judgement `json:"judgement"`
	RCI       *float64          `json:"rci,omitempty"`
	Rule      changeRuleJSON    `json:"rule"`
}

type seriesJSON struct {
	InstrumentID string           `json:"instrument_id"`
	Short        string           `json:"short"`
	Title        string           `json:"title"`
	Direction    string           `json:"direction"`
	Threshold    *float64         `json:"threshold"`
	Min          float64          `json:"min"`
	Max          float64          `json:"max"`
	Points       []scorePointJSON `json:"points"`
	// Change is the reliable change from the first total to the latest:
	// for staff only, and null with fewer than two totals or no rule.
	Change *changeJSON `json:"change,omitempty"`
}

type scoresJSON struct {
	Instruments []seriesJSON `json:"instruments"`
}

// scores writes the person's scores; withChange adds the reliable-change
// judgement, which only staff are shown.
func (h *Handler) scores(w http.ResponseWriter, r *http.Request, a tend.Actor, personID tend.ID, withChange bool) error {
	list, err := h.opt.Measures.Scores(r.Context(), a, personID)
	if err != nil {
		return err
	}
	out := scoresJSON{Instruments: make([]seriesJSON, 0, len(list))}
	for _, s := range list {
		in := s.Instrument
		lo, hi := in.Range()
		j := seriesJSON{InstrumentID: in.ID, Short: in.Short, Title: in.Title, Direction: string(in.Scoring.Direction),
			Threshold: in.Scoring.Threshold, Min: lo, Max: hi, Points: make([]scorePointJSON, 0, len(s.Points))}
		for _, p := range s.Points {
			pt := scorePointJSON{ResponseID: p.Response.ID, Date: p.On.Format(civilLayout), Total: p.Response.Score.Total,
				AboveThreshold: p.Response.Score.AboveThreshold}
			if b := p.Response.Score.Band; b != "" {
				pt.Band = &b
			}
			j.Points = append(j.Points, pt)
		}
		if withChange && s.Change != nil && in.Scoring.Change != nil {
			j.Change = changeOut(*s.Change, *in.Scoring.Change)
		}
		out.Instruments = append(out.Instruments, j)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

func changeOut(c measure.Change, rc measure.ReliableChange) *changeJSON {
	out := &changeJSON{From: c.From, To: c.To, Judgement: c.Judgement, Rule: changeRuleJSON{Method: "points", Source: rc.Source}}
	if rc.JacobsonTruax() {
		sd, rel, rci := rc.SD, rc.Reliability, measure.Round(c.RCI, 2)
		out.Rule.Method, out.Rule.SD, out.Rule.Reliability, out.RCI = "jacobson_truax", &sd, &rel, &rci
	} else {
		p := rc.Points
		out.Rule.Points = &p
	}
	return out
}

// myScores is the signed-in person's own scores: totals and bands, never
// the reliable-change labels, which are for clinicians.
func (h *Handler) myScores(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return h.scores(w, r, a, a.ID, false)
}

// personScores is a person's scores as staff the person shares their
// questionnaires with read them (audited), with the reliable-change
// judgement and its rule.
func (h *Handler) personScores(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.scores(w, r, a, id, a.Kind == tend.KindStaff)
}
