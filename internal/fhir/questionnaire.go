package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/measure"
)

// stemLinkID is the linkId of the display item that carries an instrument's
// stem ("Over the last 2 weeks…") in an exported Questionnaire.
const stemLinkID = "stem"

// QuestionnaireURL returns the canonical URL Tend gives the Questionnaire of
// in when it exports it.
func QuestionnaireURL(in measure.Instrument) string {
	return Base + "/Questionnaire/" + resourceID(in.ID)
}

// ParseQuestionnaire maps an R4 Questionnaire with Tend's scoring extension
// (docs/fhir/scoring-extension.md) to an instrument, or names, in words an
// admin can act on, the first thing Tend cannot ask or score. The error is
// a tend.Error of kind EINVALID. Elements of a Questionnaire that Tend does
// not model are ignored; the ID is made from name, version and language.
func ParseQuestionnaire(data []byte) (measure.Instrument, error) {
	var q Questionnaire
	if err := json.Unmarshal(data, &q); err != nil {
		return measure.Instrument{}, jsonError(err)
	}
	if q.ResourceType != "Questionnaire" {
		if q.ResourceType == "" {
			return measure.Instrument{}, invalid("This is not a FHIR Questionnaire: it has no resourceType.")
		}
		return measure.Instrument{}, invalid("This is a FHIR %s, not a Questionnaire.", q.ResourceType)
	}
	var exts []Extension
	for _, e := range q.Extension {
		if e.URL == ScoringURL {
			exts = append(exts, e)
		}
	}
	switch len(exts) {
	case 0:
		return measure.Instrument{}, invalid("The questionnaire has no Tend scoring extension (%s); add one that says how its answers are scored (docs/fhir/scoring-extension.md).", ScoringURL)
	case 1:
	default:
		return measure.Instrument{}, invalid("The questionnaire has more than one Tend scoring extension; give it one.")
	}
	s, err := parseScoring(exts[0])
	if err != nil {
		return measure.Instrument{}, err
	}
	if strings.TrimSpace(q.Name) == "" {
		return measure.Instrument{}, invalid("The questionnaire needs a name (Questionnaire.name): Tend uses it as the instrument's short key, such as k10 or who-5.")
	}
	if strings.TrimSpace(q.Title) == "" {
		return measure.Instrument{}, invalid("The questionnaire needs a title (Questionnaire.title).")
	}
	if strings.TrimSpace(q.Version) == "" {
		return measure.Instrument{}, invalid("The questionnaire needs a version (Questionnaire.version), such as 1.")
	}
	if strings.TrimSpace(q.Language) == "" {
		return measure.Instrument{}, invalid("The questionnaire needs its language (Questionnaire.language, such as en or en-GB): each language is its own instrument version.")
	}
	if strings.TrimSpace(q.Copyright) == "" {
		return measure.Instrument{}, invalid("The questionnaire needs its licence or terms of use, with their source, in Questionnaire.copyright.")
	}
	in := measure.Instrument{
		Key: q.Name, Title: q.Title, Short: s.Short, Version: q.Version, Language: q.Language,
		Audience: s.Audience, TotalCode: s.TotalCode, Licence: q.Copyright, Scoring: s.Scoring,
	}
	if in.Short == "" {
		in.Short = in.Key
	}
	if len(q.Code) > 0 {
		in.Panel = coding(q.Code[0])
	}
	w := walker{in: &in}
	if err := w.items(q.Item); err != nil {
		return measure.Instrument{}, err
	}
	in.ID = measure.MakeID(in.Key, in.Version, in.Language)
	if err := in.Validate(); err != nil {
		return measure.Instrument{}, invalid("%s.", capitalize(err.Error()))
	}
	return in, nil
}

// walker flattens a Questionnaire's items into the instrument's.
type walker struct {
	in       *measure.Instrument
	question bool // a question has been read
}

func (w *walker) items(list []QuestionnaireItem) error {
	for _, it := range list {
		name := itemName(it)
		switch it.Type {
		case "group":
			if err := w.items(it.Item); err != nil {
				return err
			}
			continue
		case "display":
			// The first display item before any question is the stem;
			// other display items are instructions Tend does not show.
			if !w.question && w.in.Stem == "" {
				w.in.Stem = strings.TrimSpace(it.Text)
			}
			continue
		case "choice":
		case "":
			return invalid("%s has no type.", capitalize(name))
		default:
			why := "asks for a free-entry answer"
			if it.Type == "open-choice" {
				why = "lets a person type an answer besides the listed ones"
			}
			if w.in.Scored(it.LinkID) {
				return invalid("%s counts towards the score but %s (type %s); Tend scores only questions with listed answers (type choice).", capitalize(name), why, it.Type)
			}
			return invalid("%s %s (type %s); Tend asks only questions with listed answers (type choice), so it could neither record nor score it. Remove it or give it listed answers.", capitalize(name), why, it.Type)
		}
		w.question = true
		if it.LinkID == "" {
			return invalid("%s needs a linkId.", capitalize(name))
		}
		if len(it.Item) > 0 {
			return invalid("%s has items nested under a question; Tend reads nested items only under groups.", capitalize(name))
		}
		if len(it.EnableWhen) > 0 && string(it.EnableWhen) != "null" && string(it.EnableWhen) != "[]" {
			return invalid("%s is asked only on a condition (enableWhen); Tend asks every question of an instrument.", capitalize(name))
		}
		if it.Repeats != nil && *it.Repeats {
			return invalid("%s lets several answers be chosen (repeats); Tend takes one answer per question.", capitalize(name))
		}
		if len(it.AnswerOption) == 0 {
			if it.AnswerValueSet != "" {
				return invalid("%s takes its answers from a value set; list them in answerOption, each with its score value.", capitalize(name))
			}
			return invalid("%s has no answer options.", capitalize(name))
		}
		item := measure.Item{LinkID: it.LinkID, Text: strings.TrimSpace(it.Text)}
		if len(it.Code) > 0 {
			item.Code = coding(it.Code[0])
		}
		for i, o := range it.AnswerOption {
			opt, err := option(name, i+1, o)
			if err != nil {
				return err
			}
			item.Options = append(item.Options, opt)
		}
		w.in.Items = append(w.in.Items, item)
	}
	return nil
}

func itemName(it QuestionnaireItem) string {
	if it.LinkID == "" {
		if it.Text != "" {
			return fmt.Sprintf("the item %q", truncate(it.Text, 60))
		}
		return "an item"
	}
	return fmt.Sprintf("item %q", it.LinkID)
}

// option reads an answer option: its score value comes from the
// ordinalValue extension (on the option or its valueCoding), from a
// valueCoding without a system whose code is a whole number, or from a
// valueInteger.
func option(item string, n int, o AnswerOption) (measure.Option, error) {
	ord, hasOrd, err := ordinal(item, n, o.Extension)
	if err != nil {
		return measure.Option{}, err
	}
	switch {
	case o.ValueCoding != nil:
		c := o.ValueCoding
		label := strings.TrimSpace(c.Display)
		if label == "" {
			return measure.Option{}, invalid("%s: answer %d needs its text in valueCoding.display.", capitalize(item), n)
		}
		if !hasOrd {
			if ord, hasOrd, err = ordinal(item, n, c.Extension); err != nil {
				return measure.Option{}, err
			}
		}
		if !hasOrd && c.System == "" {
			if v, err := strconv.Atoi(c.Code); err == nil {
				ord, hasOrd = v, true
			}
		}
		if !hasOrd {
			return measure.Option{}, invalid("%s: answer %q has no score value; give it the ordinalValue extension (%s).", capitalize(item), label, OrdinalValueURL)
		}
		opt := measure.Option{Value: ord, Label: label}
		if c.System != "" {
			opt.Code = &measure.Coding{System: c.System, Code: c.Code, Display: c.Display}
		}
		return opt, nil
	case o.ValueInteger != nil:
		return measure.Option{Value: *o.ValueInteger, Label: strconv.Itoa(*o.ValueInteger)}, nil
	case o.ValueString != "":
		return measure.Option{}, invalid("%s: answer %q is given as text, with no score value; give it as a valueCoding with the ordinalValue extension, or as a valueInteger.", capitalize(item), truncate(o.ValueString, 60))
	}
	return measure.Option{}, invalid("%s: answer %d has no value; give it as a valueCoding with the ordinalValue extension, or as a valueInteger.", capitalize(item), n)
}

// ordinal reads the ordinalValue extension from exts, which must be a whole
// number.
func ordinal(item string, n int, exts []Extension) (int, bool, error) {
	for _, e := range exts {
		if e.URL != OrdinalValueURL && e.URL != legacyOrdinalURL {
			continue
		}
		f, err := parseDecimal(e.ValueDecimal)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e6 {
			return 0, false, invalid("%s: the score value of answer %d must be a whole number given as valueDecimal.", capitalize(item), n)
		}
		return int(f), true, nil
	}
	return 0, false, nil
}

func coding(c Coding) *measure.Coding {
	if c.System == "" && c.Code == "" {
		return nil
	}
	return &measure.Coding{System: c.System, Code: c.Code, Display: c.Display}
}

// QuestionnaireFromInstrument maps an instrument, shipped or imported, to an
// R4 Questionnaire with Tend's scoring extension. ParseQuestionnaire reads
// it back as the same instrument (Builtin apart).
func QuestionnaireFromInstrument(in measure.Instrument) Questionnaire {
	q := Questionnaire{
		ResourceType: "Questionnaire",
		ID:           resourceID(in.ID),
		Language:     in.Language,
		Extension:    []Extension{scoringExtension(in)},
		URL:          QuestionnaireURL(in),
		Version:      in.Version,
		Name:         in.Key,
		Title:        in.Title,
		Status:       "active",
		SubjectType:  []string{"Patient"},
		Copyright:    in.Licence,
	}
	if in.Panel != nil {
		q.Code = []Coding{fromCoding(*in.Panel)}
	}
	if in.Stem != "" {
		id := stemLinkID
		for _, it := range in.Items {
			if it.LinkID == id {
				id = "tend-" + stemLinkID
			}
		}
		q.Item = append(q.Item, QuestionnaireItem{LinkID: id, Text: in.Stem, Type: "display"})
	}
	for _, it := range in.Items {
		qi := QuestionnaireItem{LinkID: it.LinkID, Text: it.Text, Type: "choice"}
		if it.Code != nil {
			qi.Code = []Coding{fromCoding(*it.Code)}
		}
		if in.Scored(it.LinkID) {
			yes := true
			qi.Required = &yes
		}
		for _, o := range it.Options {
			qi.AnswerOption = append(qi.AnswerOption, AnswerOption{ValueCoding: answerCoding(o)})
		}
		q.Item = append(q.Item, qi)
	}
	return q
}

// answerCoding is the coding of an answer: the option's code (LOINC for the
// shipped instruments) or, when it has none, its value as a code without a
// system; its display is the option's label, and the ordinalValue extension
// carries its score value.
func answerCoding(o measure.Option) *Coding {
	c := &Coding{Code: strconv.Itoa(o.Value), Display: o.Label}
	if o.Code != nil {
		c.System, c.Code = o.Code.System, o.Code.Code
	}
	c.Extension = []Extension{{URL: OrdinalValueURL, ValueDecimal: json.Number(strconv.Itoa(o.Value))}}
	return c
}

func fromCoding(c measure.Coding) Coding {
	return Coding{System: c.System, Code: c.Code, Display: c.Display}
}

// resourceID makes a valid FHIR id ([A-Za-z0-9.-], at most 64) from an
// instrument ID.
func resourceID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '.' {
			b[i] = '-'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

func invalid(format string, args ...any) error {
	return tend.Errorf(tend.EINVALID, format, args...)
}

// jsonError says what is wrong with a file that does not decode.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalid("The file is not valid JSON (the problem is near character %d).", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return invalid("The file is JSON but not a FHIR resource: it must be one JSON object.")
		}
		return invalid("The questionnaire has a value of the wrong kind at %s (found a %s).", typ.Field, typ.Value)
	}
	return invalid("The file is not valid JSON: it ends too early or is empty.")
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
