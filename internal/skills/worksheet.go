package skills

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tendcare/tend"
)

// FieldKind is how a worksheet field is answered.
type FieldKind string

// The field kinds.
const (
	FieldText   FieldKind = "text"   // free text, sealed
	FieldRating FieldKind = "rating" // a whole number from 0 to Field.Max
)

// Field is one question of a worksheet.
type Field struct {
	ID   string
	Kind FieldKind
	Max  int // for ratings: 10 or 100
}

// Worksheet is a simple structured form a clinician can assign (clinical/
// skills.md "Homework"). Chain analysis follow-up is not one: a chain
// analysis is done together with the clinician (safety-rules.md section 7),
// in the diary's own pages.
type Worksheet struct {
	ID     string
	Skill  string // the library skill it practises
	Fields []Field
}

// NameID is the catalogue id of the worksheet's name; FieldID of a field's label.
func (w Worksheet) NameID() string         { return "skills.worksheet." + w.ID + ".name" }
func (w Worksheet) FieldID(f Field) string { return "skills.worksheet." + w.ID + "." + f.ID }
func (w Worksheet) IntroID() string        { return "skills.worksheet." + w.ID + ".intro" }
func (w Worksheet) MessageIDs() []string {
	ids := []string{w.NameID(), w.IntroID()}
	for _, f := range w.Fields {
		ids = append(ids, w.FieldID(f))
	}
	return ids
}

// Worksheets lists the worksheets a clinician can assign.
var Worksheets = []Worksheet{
	{ID: "thought_record", Skill: "thought_record", Fields: []Field{
		{ID: "situation", Kind: FieldText},
		{ID: "thought", Kind: FieldText},
		{ID: "emotion", Kind: FieldText},
		{ID: "strength_before", Kind: FieldRating, Max: 100},
		{ID: "evidence_for", Kind: FieldText},
		{ID: "evidence_against", Kind: FieldText},
		{ID: "balanced_thought", Kind: FieldText},
		{ID: "strength_after", Kind: FieldRating, Max: 100},
	}},
	{ID: "activation_plan", Skill: "behavioural_activation", Fields: []Field{
		{ID: "activity", Kind: FieldText},
		{ID: "when", Kind: FieldText},
		{ID: "mood_before", Kind: FieldRating, Max: 10},
		{ID: "mood_after", Kind: FieldRating, Max: 10},
	}},
	{ID: "coping_card", Skill: "coping_cards", Fields: []Field{
		{ID: "balanced_thought", Kind: FieldText},
		{ID: "action", Kind: FieldText},
	}},
}

// FindWorksheet returns the worksheet with id.
func FindWorksheet(id string) (Worksheet, bool) {
	i := slices.IndexFunc(Worksheets, func(w Worksheet) bool { return w.ID == id })
	if i < 0 {
		return Worksheet{}, false
	}
	return Worksheets[i], true
}

// Clean checks answers against the worksheet: unknown fields are dropped,
// text is trimmed and limited, ratings are whole numbers within range. It
// returns the answers to keep (empty ones left out).
func (w Worksheet) Clean(answers map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range w.Fields {
		v := strings.TrimSpace(answers[f.ID])
		if v == "" {
			continue
		}
		switch f.Kind {
		case FieldRating:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > f.Max {
				return nil, tend.Errorf(tend.EINVALID, "Choose a number from 0 to %d.", f.Max)
			}
			v = strconv.Itoa(n)
		default:
			if utf8.RuneCountInString(v) > MaxNoteChars {
				return nil, tend.Errorf(tend.EINVALID, "One of the answers is too long. Please make it shorter.")
			}
		}
		out[f.ID] = v
	}
	return out, nil
}
