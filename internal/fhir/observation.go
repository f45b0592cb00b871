package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/measure"
)

// The code systems and extension a diary card Observation uses besides
// DiaryCodeSystem and DiaryTargetSystem (docs/fhir/diary-observations.md).
const (
	// DiaryAnswerSystem codes the answers of the yes/no questions that
	// have a third answer: "did this need medical care?" (yes, no,
	// unsure) and "medication taken as prescribed?" (yes, no, partly).
	DiaryAnswerSystem = Base + "/CodeSystem/diary-answer"
	// SkillsUsedSystem codes the 0-7 skills-used rating (its codes are
	// categories, never a quantity).
	SkillsUsedSystem = Base + "/CodeSystem/diary-skills-used"
	// SkillsCategorySystem codes the category a skills-used code is
	// reported as: none, thought, used, used_helped.
	SkillsCategorySystem = Base + "/CodeSystem/diary-skills-category"
	// SkillSystem codes a skill of Tend's skills library (its id).
	SkillSystem = Base + "/CodeSystem/skill"
	// ScaleVersionURL is the extension giving the version of the scales'
	// wording a card was filled in with.
	ScaleVersionURL = Base + "/StructureDefinition/diary-scale-version"
	// categorySystem is FHIR's observation category system.
	categorySystem = "http://terminology.hl7.org/CodeSystem/observation-category"
	ucum           = "http://unitsofmeasure.org"
)

// The component codes of a diary card Observation, in DiaryCodeSystem.
const (
	codeUrge        = "urge"
	codeAction      = "action"
	codeActionCount = "action-count"
	codeMedical     = "medical-care"
	codeEmotion     = "emotion"
	codeSkillsUsed  = "skills-used"
	codeSkill       = "skill"
	codeMedication  = "medication"
	codePRN         = "as-needed-medicine"
	codeGroup       = "group"
)

// diaryCodes are DiaryCodeSystem's codes with their displays.
var diaryCodes = map[string]string{
	DiaryCardCode:   "Diary card",
	codeUrge:        "Urge (0-5, highest that day)",
	codeAction:      "Action done",
	codeActionCount: "Times the action was done",
	codeMedical:     "Did this need medical care?",
	codeEmotion:     "Emotion (0-5, highest that day)",
	codeSkillsUsed:  "Skills used (0-7)",
	codeSkill:       "Skill practised",
	codeMedication:  "Medication taken as prescribed",
	codePRN:         "As-needed or over-the-counter medicine taken",
	codeGroup:       "Attended a support or skills group",
}

// skillsUsedLabels are the exact labels of the 0-7 scale
// (clinical/diary-card.md).
var skillsUsedLabels = []string{
	"Not thought about or used",
	"Thought about, not used, didn't want to",
	"Thought about, not used, wanted to",
	"Tried but couldn't use them",
	"Tried, could do them but they didn't help",
	"Tried, could use them, helped",
	"Didn't try, used them, didn't help",
	"Didn't try, used them, helped",
}

var skillsCategoryLabels = map[diary.Category]string{
	diary.CategoryNone:       "Not at all",
	diary.CategoryThought:    "Thought about but not used",
	diary.CategoryUsed:       "Used, didn't help",
	diary.CategoryUsedHelped: "Used and helped",
}

// Answer codes of DiaryAnswerSystem, by the question's value.
var (
	medicalAnswers    = []string{diary.No: "no", diary.Yes: "yes", diary.Unsure: "unsure"}
	medicationAnswers = []string{diary.No: "no", diary.Yes: "yes", diary.Partly: "partly"}
	answerDisplays    = map[string]string{"no": "No", "yes": "Yes", "unsure": "Not sure", "partly": "Partly"}
)

func diaryCoding(code string) Coding {
	return Coding{System: DiaryCodeSystem, Code: code, Display: diaryCodes[code]}
}

// DiaryCardObservation maps one diary card to an Observation for subject
// (a reference such as "Patient/<id>"): code DiaryCardCode, the card's
// civil date as effectiveDateTime, one component per value set (cleared
// values are left out), the day's note as the note. Components about a
// row of the card carry a second coding in DiaryTargetSystem: the row's
// id, displayed with the label the person or clinician gave it.
func DiaryCardObservation(cfg diary.Config, c diary.Card, subject string) Observation {
	o := Observation{
		ResourceType:      "Observation",
		ID:                resourceID(string(c.ID)),
		Status:            "final",
		Category:          []CodeableConcept{{Coding: []Coding{{System: categorySystem, Code: "survey", Display: "Survey"}}}},
		Code:              CodeableConcept{Coding: []Coding{diaryCoding(DiaryCardCode)}},
		EffectiveDateTime: c.Day.Format(diary.DayLayout),
	}
	if c.ScaleVersion > 0 {
		v := c.ScaleVersion
		o.Extension = []Extension{{URL: ScaleVersionURL, ValueInteger: &v}}
	}
	if subject != "" {
		o.Subject = &Reference{Reference: subject}
	}
	if !c.UpdatedAt.IsZero() {
		o.Issued = c.UpdatedAt.UTC().Format(time.RFC3339)
	}
	target := func(code string, t diary.Target) CodeableConcept {
		return CodeableConcept{Coding: []Coding{diaryCoding(code), {System: DiaryTargetSystem, Code: t.ID, Display: t.Label}}}
	}
	integer := func(cc CodeableConcept, v int) ObservationComponent {
		return ObservationComponent{Code: cc, ValueInteger: &v}
	}
	boolean := func(cc CodeableConcept, v int) ObservationComponent {
		b := v == diary.Yes
		return ObservationComponent{Code: cc, ValueBoolean: &b}
	}
	answer := func(cc CodeableConcept, codes []string, v int) ObservationComponent {
		code := codes[v]
		return ObservationComponent{Code: cc, ValueCodeableConcept: &CodeableConcept{Coding: []Coding{{System: DiaryAnswerSystem, Code: code, Display: answerDisplays[code]}}}}
	}
	add := func(f diary.Field, mk func(v int) ObservationComponent) {
		if v, ok := c.Get(f); ok {
			o.Component = append(o.Component, mk(v))
		}
	}
	for _, t := range cfg.Targets {
		switch t.Section {
		case diary.SectionUrge:
			add(diary.UrgeField(t.ID), func(v int) ObservationComponent { return integer(target(codeUrge, t), v) })
		case diary.SectionAction:
			add(diary.ActField(t.ID), func(v int) ObservationComponent { return boolean(target(codeAction, t), v) })
			add(diary.CountField(t.ID), func(v int) ObservationComponent { return integer(target(codeActionCount, t), v) })
			add(diary.MedicalField(t.ID), func(v int) ObservationComponent {
				if v < 0 || v >= len(medicalAnswers) {
					v = diary.Unsure
				}
				return answer(target(codeMedical, t), medicalAnswers, v)
			})
		case diary.SectionEmotion:
			add(diary.EmotionField(t.ID), func(v int) ObservationComponent { return integer(target(codeEmotion, t), v) })
		}
	}
	add(diary.FieldSkills, func(v int) ObservationComponent {
		v = min(max(v, 0), diary.MaxSkills)
		cat := diary.CategoryOf(v)
		return ObservationComponent{Code: CodeableConcept{Coding: []Coding{diaryCoding(codeSkillsUsed)}},
			ValueCodeableConcept: &CodeableConcept{Coding: []Coding{
				{System: SkillsUsedSystem, Code: strconv.Itoa(v), Display: skillsUsedLabels[v]},
				{System: SkillsCategorySystem, Code: string(cat), Display: skillsCategoryLabels[cat]},
			}}}
	})
	for _, id := range skillFields(c) {
		add(diary.SkillField(id), func(v int) ObservationComponent {
			return boolean(CodeableConcept{Coding: []Coding{diaryCoding(codeSkill), {System: SkillSystem, Code: id}}}, v)
		})
	}
	add(diary.FieldMedication, func(v int) ObservationComponent {
		if v < 0 || v >= len(medicationAnswers) {
			v = diary.Partly
		}
		return answer(CodeableConcept{Coding: []Coding{diaryCoding(codeMedication)}}, medicationAnswers, v)
	})
	add(diary.FieldPRN, func(v int) ObservationComponent {
		return integer(CodeableConcept{Coding: []Coding{diaryCoding(codePRN)}}, v)
	})
	add(diary.FieldGroup, func(v int) ObservationComponent {
		return boolean(CodeableConcept{Coding: []Coding{diaryCoding(codeGroup)}}, v)
	})
	if c.Note != "" {
		o.Note = []Annotation{{Text: c.Note}}
	}
	return o
}

// skillFields returns the skill ids the card holds a value for, in
// library order (the tick list's order) and then by id.
func skillFields(c diary.Card) []string {
	var ids []string
	for f := range c.Values {
		if strings.HasPrefix(string(f), "skill:") {
			ids = append(ids, f.Target())
		}
	}
	order := diary.SetSkills(diary.SkillsDBTA)
	slices.SortFunc(ids, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		if ia != ib {
			if ia < 0 {
				return 1
			}
			if ib < 0 {
				return -1
			}
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	return ids
}

// ScoreObservation maps a response's total score to an Observation for
// subject, derived from the QuestionnaireResponse at responseRef: the
// instrument's total-score code (LOINC for PHQ-9 44261-6 and GAD-7
// 70274-6; an imported instrument's own TotalCode, or only a text without
// one), the total exactly as the instrument formats it. False when the
// response has no total (Tend never imputes a missing answer).
func ScoreObservation(in measure.Instrument, r measure.Response, subject, responseRef string) (Observation, bool) {
	if r.Score.Total == nil {
		return Observation{}, false
	}
	o := Observation{
		ResourceType:  "Observation",
		ID:            ScoreObservationID(r),
		Status:        "final",
		Category:      []CodeableConcept{{Coding: []Coding{{System: categorySystem, Code: "survey", Display: "Survey"}}}},
		Code:          scoreCode(in),
		ValueQuantity: &Quantity{Value: json.Number(in.FormatScore(*r.Score.Total)), Unit: "{score}", System: ucum, Code: "{score}"},
	}
	if !r.Finished {
		o.Status = "preliminary"
	}
	if subject != "" {
		o.Subject = &Reference{Reference: subject}
	}
	at := r.UpdatedAt
	if r.FinishedAt != nil {
		at = *r.FinishedAt
	}
	if !at.IsZero() {
		o.EffectiveDateTime = at.UTC().Format(time.RFC3339)
	}
	if responseRef != "" {
		o.DerivedFrom = []Reference{{Reference: responseRef}}
	}
	return o, true
}

// ScoreObservationID is the resource id of a response's score Observation.
func ScoreObservationID(r measure.Response) string { return resourceID(string(r.ID)) + "-score" }

func scoreCode(in measure.Instrument) CodeableConcept {
	text := in.Short + " total score"
	if in.TotalCode == nil {
		return CodeableConcept{Text: text}
	}
	return CodeableConcept{Coding: []Coding{{System: in.TotalCode.System, Code: in.TotalCode.Code, Display: in.TotalCode.Display}}, Text: text}
}

// refuse is the error of a resource Tend cannot represent: element names
// the element at fault as a FHIRPath expression, never a value from it.
func refuse(element, format string, args ...any) error {
	return &ElementError{Element: element, Err: tend.Errorf(tend.EINVALID, format, args...)}
}

// ElementError is a refusal naming the element of a resource at fault
// (a FHIRPath expression such as "Observation.component[2].valueInteger").
type ElementError struct {
	Element string
	Err     error
}

func (e *ElementError) Error() string { return e.Element + ": " + e.Err.Error() }
func (e *ElementError) Unwrap() error { return e.Err }

// MaxDiaryComponents bounds the components of one diary card Observation.
const MaxDiaryComponents = 200

// DiaryInput maps a diary card Observation to one save of the person's
// card under cfg (their rows, which the target codings must name), for
// diary.Service.Save. The save's key is derived from what the resource
// records, so importing the same resource again is a retry that changes
// nothing. The refusal names the element Tend cannot keep: another code,
// a component Tend has no row or scale for, a value off its scale, a
// second value for the same row, or another scale version.
func DiaryInput(cfg diary.Config, o Observation) (diary.Input, error) {
	if o.ResourceType != "Observation" {
		return diary.Input{}, refuse("resourceType", "This is not an Observation.")
	}
	if !hasCoding(o.Code, DiaryCodeSystem, DiaryCardCode) {
		return diary.Input{}, refuse("Observation.code", "Tend imports diary cards coded %s|%s and total scores derived from a QuestionnaireResponse in the same Bundle.", DiaryCodeSystem, DiaryCardCode)
	}
	switch o.Status {
	case "final", "amended", "corrected":
	default:
		return diary.Input{}, refuse("Observation.status", "Tend imports diary cards with status final, amended or corrected.")
	}
	if o.ValueInteger != nil || o.ValueBoolean != nil || o.ValueQuantity != nil || o.ValueCodeableConcept != nil {
		return diary.Input{}, refuse("Observation.value[x]", "A diary card keeps its values in components, not in value[x].")
	}
	if len(o.DerivedFrom) > 0 || len(o.Performer) > 0 {
		return diary.Input{}, refuse("Observation.derivedFrom", "A diary card is not derived from another resource and names no performer.")
	}
	day, err := diary.ParseDay(o.EffectiveDateTime)
	if err != nil || len(o.EffectiveDateTime) != len(diary.DayLayout) {
		return diary.Input{}, refuse("Observation.effectiveDateTime", "A diary card is dated with the person's civil date (YYYY-MM-DD).")
	}
	for i, x := range o.Extension {
		el := fmt.Sprintf("Observation.extension[%d]", i)
		if x.URL != ScaleVersionURL {
			return diary.Input{}, refuse(el, "Tend does not know the extension %q.", x.URL)
		}
		if x.ValueInteger == nil || *x.ValueInteger != diary.ScaleVersion {
			return diary.Input{}, refuse(el, "Tend keeps diary cards on scale version %d.", diary.ScaleVersion)
		}
	}
	if len(o.Component) > MaxDiaryComponents {
		return diary.Input{}, refuse("Observation.component", "A diary card has at most %d components.", MaxDiaryComponents)
	}
	in := diary.Input{Day: day.Format(diary.DayLayout), Imported: true}
	if o.Issued != "" {
		at, err := time.Parse(time.RFC3339, o.Issued)
		if err != nil {
			return diary.Input{}, refuse("Observation.issued", "The issued time is not an instant Tend can read.")
		}
		in.EditedAt = at.UTC()
	}
	seen := map[diary.Field]bool{}
	for i, c := range o.Component {
		el := fmt.Sprintf("Observation.component[%d]", i)
		f, v, err := diaryValue(cfg, el, c)
		if err != nil {
			return diary.Input{}, err
		}
		if seen[f] {
			return diary.Input{}, refuse(el, "The card already has a value for this row in an earlier component.")
		}
		seen[f] = true
		in.Changes = append(in.Changes, diary.Change{Field: f, Value: &v})
	}
	switch len(o.Note) {
	case 0:
	case 1:
		n := o.Note[0].Text
		if utf8.RuneCountInString(n) > diary.MaxNoteChars {
			return diary.Input{}, refuse("Observation.note[0].text", "The note is too long (at most %d characters).", diary.MaxNoteChars)
		}
		in.Note = &n
	default:
		return diary.Input{}, refuse("Observation.note[1]", "A diary card has one note.")
	}
	if len(in.Changes) == 0 && in.Note == nil {
		return diary.Input{}, refuse("Observation.component", "The diary card records nothing.")
	}
	in.Key = diaryKey(in)
	return in, nil
}

// diaryKey derives the save's idempotency key from what it records.
func diaryKey(in diary.Input) string {
	h := sha256.New()
	fmt.Fprintf(h, "day=%s\nedited=%s\n", in.Day, in.EditedAt.Format(time.RFC3339Nano))
	chs := slices.Clone(in.Changes)
	slices.SortFunc(chs, func(a, b diary.Change) int { return strings.Compare(string(a.Field), string(b.Field)) })
	for _, c := range chs {
		fmt.Fprintf(h, "%s=%d\n", c.Field, *c.Value)
	}
	if in.Note != nil {
		fmt.Fprintf(h, "note=%q\n", *in.Note)
	}
	return "fhir-" + hex.EncodeToString(h.Sum(nil))[:48]
}

// diaryValue maps one component to a field of the card and its value.
func diaryValue(cfg diary.Config, el string, c ObservationComponent) (diary.Field, int, error) {
	var code, targetID, skillID string
	ok := true
	for j, cd := range c.Code.Coding {
		switch cd.System {
		case DiaryCodeSystem:
			if code != "" {
				ok = false
			}
			code = cd.Code
		case DiaryTargetSystem:
			if targetID != "" {
				ok = false
			}
			targetID = cd.Code
		case SkillSystem:
			if skillID != "" {
				ok = false
			}
			skillID = cd.Code
		default:
			return "", 0, refuse(fmt.Sprintf("%s.code.coding[%d]", el, j), "Tend does not know the code system %q in a diary card.", cd.System)
		}
	}
	if !ok {
		return "", 0, refuse(el+".code", "A component has one code of each system.")
	}
	if _, known := diaryCodes[code]; !known || code == DiaryCardCode {
		return "", 0, refuse(el+".code", "Tend's diary code system has no component %q (docs/fhir/diary-observations.md).", code)
	}
	values := 0
	for _, set := range []bool{c.ValueInteger != nil, c.ValueBoolean != nil, c.ValueCodeableConcept != nil} {
		if set {
			values++
		}
	}
	if values != 1 {
		return "", 0, refuse(el+".value[x]", "Each component has exactly one value.")
	}
	row := func(s diary.Section) (diary.Target, error) {
		if skillID != "" {
			return diary.Target{}, refuse(el+".code", "A %s component names no skill.", code)
		}
		if targetID == "" {
			return diary.Target{}, refuse(el+".code", "A %s component names the row of the card it is about (%s).", code, DiaryTargetSystem)
		}
		t, ok := cfg.Target(targetID)
		if !ok || t.Section != s {
			return diary.Target{}, refuse(el+".code", "The person's diary card has no %s row %q; add the row to their card first.", s, targetID)
		}
		return t, nil
	}
	single := func() error {
		if targetID != "" || skillID != "" {
			return refuse(el+".code", "A %s component is about the whole day, not a row or a skill.", code)
		}
		return nil
	}
	integer := func(lo, hi int) (int, error) {
		if c.ValueInteger == nil {
			return 0, refuse(el+".value[x]", "A %s component has a valueInteger.", code)
		}
		if v := *c.ValueInteger; v < lo || v > hi {
			return 0, refuse(el+".valueInteger", "A %s is %d to %d.", code, lo, hi)
		}
		return *c.ValueInteger, nil
	}
	boolean := func() (int, error) {
		if c.ValueBoolean == nil {
			return 0, refuse(el+".value[x]", "A %s component has a valueBoolean.", code)
		}
		if *c.ValueBoolean {
			return diary.Yes, nil
		}
		return diary.No, nil
	}
	answer := func(codes []string) (int, error) {
		cc := c.ValueCodeableConcept
		if cc == nil || len(cc.Coding) != 1 || cc.Coding[0].System != DiaryAnswerSystem {
			return 0, refuse(el+".value[x]", "A %s component has a valueCodeableConcept with one code of %s.", code, DiaryAnswerSystem)
		}
		if i := slices.Index(codes, cc.Coding[0].Code); i >= 0 {
			return i, nil
		}
		return 0, refuse(el+".valueCodeableConcept", "A %s is one of %s.", code, strings.Join(codes, ", "))
	}
	switch code {
	case codeUrge, codeEmotion:
		s := diary.SectionUrge
		if code == codeEmotion {
			s = diary.SectionEmotion
		}
		t, err := row(s)
		if err != nil {
			return "", 0, err
		}
		v, err := integer(0, diary.MaxRating)
		if code == codeEmotion {
			return diary.EmotionField(t.ID), v, err
		}
		return diary.UrgeField(t.ID), v, err
	case codeAction:
		t, err := row(diary.SectionAction)
		if err != nil {
			return "", 0, err
		}
		v, err := boolean()
		return diary.ActField(t.ID), v, err
	case codeActionCount:
		t, err := row(diary.SectionAction)
		if err != nil {
			return "", 0, err
		}
		v, err := integer(0, diary.MaxCount)
		return diary.CountField(t.ID), v, err
	case codeMedical:
		t, err := row(diary.SectionAction)
		if err != nil {
			return "", 0, err
		}
		v, err := answer(medicalAnswers)
		return diary.MedicalField(t.ID), v, err
	case codeSkillsUsed:
		if err := single(); err != nil {
			return "", 0, err
		}
		v, err := skillsUsed(el, c.ValueCodeableConcept)
		return diary.FieldSkills, v, err
	case codeSkill:
		if targetID != "" || !slices.Contains(diary.SetSkills(diary.SkillsDBTA), skillID) {
			return "", 0, refuse(el+".code", "A skill component names a skill of Tend's library (%s).", SkillSystem)
		}
		v, err := boolean()
		return diary.SkillField(skillID), v, err
	case codeMedication:
		if err := single(); err != nil {
			return "", 0, err
		}
		v, err := answer(medicationAnswers)
		return diary.FieldMedication, v, err
	case codePRN:
		if err := single(); err != nil {
			return "", 0, err
		}
		v, err := integer(0, diary.MaxCount)
		return diary.FieldPRN, v, err
	default: // codeGroup
		if err := single(); err != nil {
			return "", 0, err
		}
		v, err := boolean()
		return diary.FieldGroup, v, err
	}
}

// skillsUsed reads the 0-7 code; a category coding, when present, must
// be the code's own (it is derived, never a second source).
func skillsUsed(el string, cc *CodeableConcept) (int, error) {
	if cc == nil {
		return 0, refuse(el+".value[x]", "A skills-used component has a valueCodeableConcept.")
	}
	code, cat := -1, ""
	for j, cd := range cc.Coding {
		switch cd.System {
		case SkillsUsedSystem:
			v, err := strconv.Atoi(cd.Code)
			if err != nil || v < 0 || v > diary.MaxSkills || code >= 0 {
				return 0, refuse(fmt.Sprintf("%s.valueCodeableConcept.coding[%d]", el, j), "Skills used is one code from 0 to %d.", diary.MaxSkills)
			}
			code = v
		case SkillsCategorySystem:
			cat = cd.Code
		default:
			return 0, refuse(fmt.Sprintf("%s.valueCodeableConcept.coding[%d]", el, j), "Tend does not know the code system %q for skills used.", cd.System)
		}
	}
	if code < 0 {
		return 0, refuse(el+".valueCodeableConcept", "Skills used needs its 0-%d code (%s); a category alone cannot be kept.", diary.MaxSkills, SkillsUsedSystem)
	}
	if cat != "" && cat != string(diary.CategoryOf(code)) {
		return 0, refuse(el+".valueCodeableConcept", "The category does not match the skills-used code.")
	}
	return code, nil
}

func hasCoding(cc CodeableConcept, system, code string) bool {
	return slices.ContainsFunc(cc.Coding, func(c Coding) bool { return c.System == system && c.Code == code })
}

// Response is a QuestionnaireResponse read for import: the instrument it
// answers and what to record.
type Response struct {
	Instrument measure.Instrument
	Recorded   measure.Recorded
}

// ParseResponse maps a completed QuestionnaireResponse to a finished
// response of the instrument its questionnaire names (instrument finds an
// instrument by its canonical URL, as QuestionnaireURL makes it), for
// measure.Service.Record. Each item is one of the instrument's questions,
// once, with one answer: a valueCoding of one of its options (by code, or
// by its ordinal value) or a valueInteger equal to an option's value.
// The refusal names the element Tend cannot keep.
func ParseResponse(qr QuestionnaireResponse, instrument func(url string) (measure.Instrument, bool)) (Response, error) {
	if qr.ResourceType != "QuestionnaireResponse" {
		return Response{}, refuse("resourceType", "This is not a QuestionnaireResponse.")
	}
	url, _, _ := strings.Cut(qr.Questionnaire, "|")
	in, ok := instrument(url)
	if !ok {
		return Response{}, refuse("QuestionnaireResponse.questionnaire", "Tend has no questionnaire at that canonical URL; an admin imports the instrument first.")
	}
	if qr.Status != "completed" && qr.Status != "amended" {
		return Response{}, refuse("QuestionnaireResponse.status", "Tend imports finished questionnaires only (status completed or amended).")
	}
	at, err := time.Parse(time.RFC3339, qr.Authored)
	if err != nil {
		return Response{}, refuse("QuestionnaireResponse.authored", "A finished questionnaire needs the instant it was finished (authored, with a time zone).")
	}
	for i, x := range qr.Extension {
		if x.URL != ScoreURL {
			return Response{}, refuse(fmt.Sprintf("QuestionnaireResponse.extension[%d]", i), "Tend does not know the extension %q.", x.URL)
		}
	}
	answers := measure.Answers{}
	for i, item := range qr.Item {
		el := fmt.Sprintf("QuestionnaireResponse.item[%d]", i)
		it, ok := in.Item(item.LinkID)
		if !ok {
			return Response{}, refuse(el+".linkId", "%s has no question %q.", in.Short, item.LinkID)
		}
		if _, dup := answers[item.LinkID]; dup {
			return Response{}, refuse(el+".linkId", "The question %q is answered twice.", item.LinkID)
		}
		if len(item.Answer) != 1 {
			return Response{}, refuse(el+".answer", "Each question has exactly one answer.")
		}
		v, err := optionValue(it, item.Answer[0])
		if err != nil {
			return Response{}, refuse(el+".answer[0]", "%s", tend.ErrorMessage(err))
		}
		answers[item.LinkID] = v
	}
	// A total the response carries (Tend's score extension) is derived: it
	// must be the one Tend computes.
	for i, x := range qr.Extension {
		sc := in.Score(answers)
		if sc.Total == nil || !sameDecimal(x.ValueDecimal, in.FormatScore(*sc.Total)) {
			return Response{}, refuse(fmt.Sprintf("QuestionnaireResponse.extension[%d]", i), "The total score given is not the one the answers score.")
		}
	}
	return Response{Instrument: in, Recorded: measure.Recorded{InstrumentID: in.ID, Answers: answers, FinishedAt: at.UTC()}}, nil
}

// optionValue reads an answer as the value of one of the item's options.
func optionValue(it measure.Item, a QuestionnaireResponseAnswer) (int, error) {
	switch {
	case a.ValueInteger != nil && a.ValueCoding == nil:
		if _, ok := it.Option(*a.ValueInteger); ok {
			return *a.ValueInteger, nil
		}
	case a.ValueCoding != nil && a.ValueInteger == nil:
		c := a.ValueCoding
		for _, o := range it.Options {
			if o.Code != nil && o.Code.System == c.System && o.Code.Code == c.Code {
				return o.Value, nil
			}
			if o.Code == nil && c.System == "" && c.Code == strconv.Itoa(o.Value) {
				return o.Value, nil
			}
		}
	default:
		return 0, tend.Errorf(tend.EINVALID, "An answer is a valueCoding or a valueInteger.")
	}
	return 0, tend.Errorf(tend.EINVALID, "The answer is not one of the options the question offers.")
}

// sameDecimal reports whether two decimals are the same number ("12" and
// "12.0" are).
func sameDecimal(a json.Number, b string) bool {
	x, ok1 := new(big.Rat).SetString(string(a))
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}
