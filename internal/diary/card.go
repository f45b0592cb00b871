package diary

import (
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
)

// ScaleVersion is the version of the scales' wording this release shows
// (urges and emotions 0-5, skills 0-7, clinical/diary-card.md). Each card
// stores the version it was filled in with, so the wording can change
// without changing what old cards meant.
const ScaleVersion = 1

// Field names one value of a card: "urge:<target>", "act:<target>",
// "count:<target>", "medical:<target>", "emotion:<target>", "skills",
// "skill:<library id>", "medication", "prn" or "group".
type Field string

// The prefixes and single fields of a card.
const (
	prefixUrge    = "urge:"
	prefixAct     = "act:"
	prefixCount   = "count:"
	prefixMedical = "medical:"
	prefixEmotion = "emotion:"
	prefixSkill   = "skill:"

	FieldSkills     Field = "skills"     // the skills-used rating, 0-7
	FieldMedication Field = "medication" // taken as prescribed: Yes, No, Partly
	FieldPRN        Field = "prn"        // as-needed or over-the-counter medicine: a count
	FieldGroup      Field = "group"      // attended a support or skills group: Yes or No
)

// UrgeField and the others name a target's values.
func UrgeField(id string) Field    { return Field(prefixUrge + id) }
func ActField(id string) Field     { return Field(prefixAct + id) }
func CountField(id string) Field   { return Field(prefixCount + id) }
func MedicalField(id string) Field { return Field(prefixMedical + id) }
func EmotionField(id string) Field { return Field(prefixEmotion + id) }
func SkillField(id string) Field   { return Field(prefixSkill + id) }

// Answers of yes/no questions, "did this need medical care?" and the
// medication question.
const (
	No     = 0
	Yes    = 1
	Unsure = 2 // "not sure" (medical care)
	Partly = 2 // "partly" (medication)
)

// Scale limits.
const (
	MaxRating    = 5  // urges and emotions
	MaxSkills    = 7  // the skills-used rating
	MaxCount     = 99 // times an action happened, or as-needed doses
	MaxNoteChars = 4000
)

// split returns a field's prefix and target id ("" for single fields).
func (f Field) split() (string, string) {
	s := string(f)
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i+1], s[i+1:]
	}
	return s, ""
}

// Target returns the target or skill id a field names, or "".
func (f Field) Target() string {
	_, id := f.split()
	return id
}

// check validates a value of f against the person's configuration: the
// field must name a row of the card and the value lie on its scale.
func (c Config) check(f Field, v int) error {
	prefix, id := f.split()
	in := func(lo, hi int) error {
		if v < lo || v > hi {
			return tend.Errorf(tend.EINVALID, "A rating was out of range (%s must be %d to %d). Nothing was saved.", f, lo, hi)
		}
		return nil
	}
	target := func(s Section) error {
		t, ok := c.Target(id)
		if !ok || t.Section != s {
			return tend.Errorf(tend.EINVALID, "The card has no row %q. Reload the card; nothing was saved.", id)
		}
		return nil
	}
	switch prefix {
	case prefixUrge:
		if err := target(SectionUrge); err != nil {
			return err
		}
		return in(0, MaxRating)
	case prefixEmotion:
		if err := target(SectionEmotion); err != nil {
			return err
		}
		return in(0, MaxRating)
	case prefixAct:
		if err := target(SectionAction); err != nil {
			return err
		}
		return in(No, Yes)
	case prefixCount:
		if err := target(SectionAction); err != nil {
			return err
		}
		return in(0, MaxCount)
	case prefixMedical:
		if err := target(SectionAction); err != nil {
			return err
		}
		return in(No, Unsure)
	case prefixSkill:
		if !slices.Contains(SetSkills(SkillsDBTA), id) {
			return tend.Errorf(tend.EINVALID, "The card has no skill %q. Reload the card; nothing was saved.", id)
		}
		return in(0, 1)
	}
	switch Field(prefix) {
	case FieldSkills:
		return in(0, MaxSkills)
	case FieldMedication:
		return in(No, Partly)
	case FieldPRN:
		return in(0, MaxCount)
	case FieldGroup:
		return in(No, Yes)
	}
	return tend.Errorf(tend.EINVALID, "The card has no field %q. Reload the card; nothing was saved.", f)
}

// Value is one field's value with the time it was edited on the device;
// a nil V is a value cleared.
type Value struct {
	V        *int
	EditedAt time.Time
}

// Card is one person's card for one civil date, opened.
type Card struct {
	ID       tend.ID
	PersonID tend.ID
	Day      time.Time // civil date, midnight UTC
	TimeZone string
	// ScaleVersion is the wording the card was filled in with.
	ScaleVersion int
	Values       map[Field]Value
	Note         string
	NoteAt       time.Time
	// LateDays is how many days after its date the card was first saved
	// (0: the same day). InSession: entered by a clinician in session.
	LateDays     int
	InSession    bool
	EnteredBy    tend.ID
	FirstSavedAt time.Time
	UpdatedAt    time.Time
	Summary      Summary
}

// Get returns the value of f, and whether one is set.
func (c Card) Get(f Field) (int, bool) {
	v, ok := c.Values[f]
	if !ok || v.V == nil {
		return 0, false
	}
	return *v.V, true
}

// Filled reports whether the card holds anything.
func (c Card) Filled() bool {
	for _, v := range c.Values {
		if v.V != nil {
			return true
		}
	}
	return c.Note != ""
}

// Category is how a skills-used rating is reported: the 0-7 codes are
// categories, never averaged (clinical/diary-card.md).
type Category string

// The categories, from the codes.
const (
	CategoryNone       Category = "none"        // 0: not thought about or used
	CategoryThought    Category = "thought"     // 1-3: thought about but not used
	CategoryUsed       Category = "used"        // 4 or 6: used, didn't help
	CategoryUsedHelped Category = "used_helped" // 5 or 7: used and helped
)

// Categories lists the categories in the order charts show them.
var Categories = []Category{CategoryUsedHelped, CategoryUsed, CategoryThought, CategoryNone}

// CategoryOf returns the category of a skills-used code.
func CategoryOf(code int) Category {
	switch {
	case code <= 0:
		return CategoryNone
	case code <= 3:
		return CategoryThought
	case code == 5 || code == 7:
		return CategoryUsedHelped
	}
	return CategoryUsed
}

// Summary is what reports read of a card, kept with it in the same unit of
// work so that reports never open every value.
type Summary struct {
	SelfHarm   int  // self-harm acts that day (a "yes" without a count is 1)
	Attempt    bool // a suicide attempt recorded
	MaxEmotion int  // the highest emotion rating, -1 for none
	Skills     Category
	// RiddenOut counts urges rated at or above the service's ridden-out
	// level whose linked action was not done.
	RiddenOut int
	// StrongUrges counts urges rated at or above that level that have a
	// linked action, done or not: the days with such an urge are what
	// "urges ridden out" is a share of (outcomes.md section 2).
	StrongUrges int
}

// Done reports whether the values record the action as done: a "yes", or
// a count above zero.
func Done(values map[Field]Value, actionID string) bool {
	did, _ := value(values, ActField(actionID))
	n, _ := value(values, CountField(actionID))
	return did == Yes || n > 0
}

// Summarize computes a card's summary under the configuration; level is
// the service's ridden-out level.
func Summarize(cfg Config, values map[Field]Value, level int) Summary {
	get := func(f Field) (int, bool) {
		v, ok := values[f]
		if !ok || v.V == nil {
			return 0, false
		}
		return *v.V, true
	}
	s := Summary{MaxEmotion: -1}
	for _, t := range cfg.Targets {
		switch t.Section {
		case SectionEmotion:
			if v, ok := get(EmotionField(t.ID)); ok && v > s.MaxEmotion {
				s.MaxEmotion = v
			}
		case SectionAction:
			if !Done(values, t.ID) {
				continue
			}
			switch t.Kind {
			case KindSelfHarm:
				if n, _ := get(CountField(t.ID)); n > 0 {
					s.SelfHarm += n
				} else {
					s.SelfHarm++
				}
			case KindSuicideAttempt:
				s.Attempt = true
			}
		case SectionUrge:
			u, ok := get(UrgeField(t.ID))
			if !ok || u < level {
				continue
			}
			acted := false
			linked := false
			for _, a := range cfg.Targets {
				if a.Section != SectionAction || a.UrgeID != t.ID {
					continue
				}
				linked = true
				acted = acted || Done(values, a.ID)
			}
			if linked {
				s.StrongUrges++
			}
			if linked && !acted {
				s.RiddenOut++
			}
		}
	}
	if v, ok := get(FieldSkills); ok {
		s.Skills = CategoryOf(v)
	}
	return s
}

// parseField reads a field name from a client; EINVALID for one no card
// can hold.
func parseField(s string) (Field, error) {
	f := Field(strings.TrimSpace(s))
	prefix, id := f.split()
	if id != "" {
		switch prefix {
		case prefixUrge, prefixAct, prefixCount, prefixMedical, prefixEmotion, prefixSkill:
			if validTargetID(id) || prefix == prefixSkill {
				return f, nil
			}
		}
	} else {
		switch f {
		case FieldSkills, FieldMedication, FieldPRN, FieldGroup:
			return f, nil
		}
	}
	return "", tend.Errorf(tend.EINVALID, "The card has no field %q. Reload the card; nothing was saved.", string(f))
}
