package fhir

import "encoding/json"

// The R4 subset Tend maps (http://hl7.org/fhir/R4). Decimals are
// json.Number, so a value read is written back exactly as it came.

// Coding is an R4 Coding.
type Coding struct {
	Extension []Extension `json:"extension,omitempty"`
	System    string      `json:"system,omitempty"`
	Code      string      `json:"code,omitempty"`
	Display   string      `json:"display,omitempty"`
}

// Identifier is an R4 Identifier.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference is an R4 Reference.
type Reference struct {
	Reference string `json:"reference,omitempty"`
}

// Extension is an R4 Extension with the value types Tend uses; a complex
// extension has sub-extensions and no value.
type Extension struct {
	URL          string      `json:"url"`
	Extension    []Extension `json:"extension,omitempty"`
	ValueBoolean *bool       `json:"valueBoolean,omitempty"`
	ValueCode    string      `json:"valueCode,omitempty"`
	ValueCoding  *Coding     `json:"valueCoding,omitempty"`
	ValueDecimal json.Number `json:"valueDecimal,omitempty"`
	ValueInteger *int        `json:"valueInteger,omitempty"`
	ValueString  string      `json:"valueString,omitempty"`
}

// Questionnaire is an R4 Questionnaire, as far as Tend maps it. Elements
// Tend does not model are ignored on import.
type Questionnaire struct {
	ResourceType string              `json:"resourceType"`
	ID           string              `json:"id,omitempty"`
	Language     string              `json:"language,omitempty"`
	Extension    []Extension         `json:"extension,omitempty"`
	URL          string              `json:"url,omitempty"`
	Identifier   []Identifier        `json:"identifier,omitempty"`
	Version      string              `json:"version,omitempty"`
	Name         string              `json:"name,omitempty"`
	Title        string              `json:"title,omitempty"`
	Status       string              `json:"status"`
	SubjectType  []string            `json:"subjectType,omitempty"`
	Copyright    string              `json:"copyright,omitempty"`
	Code         []Coding            `json:"code,omitempty"`
	Item         []QuestionnaireItem `json:"item,omitempty"`
}

// QuestionnaireItem is an R4 Questionnaire.item. EnableWhen and
// AnswerValueSet are read only to refuse them: Tend asks every question and
// needs its answers listed.
type QuestionnaireItem struct {
	Extension      []Extension         `json:"extension,omitempty"`
	LinkID         string              `json:"linkId"`
	Code           []Coding            `json:"code,omitempty"`
	Text           string              `json:"text,omitempty"`
	Type           string              `json:"type"`
	EnableWhen     json.RawMessage     `json:"enableWhen,omitempty"`
	Required       *bool               `json:"required,omitempty"`
	Repeats        *bool               `json:"repeats,omitempty"`
	AnswerValueSet string              `json:"answerValueSet,omitempty"`
	AnswerOption   []AnswerOption      `json:"answerOption,omitempty"`
	Item           []QuestionnaireItem `json:"item,omitempty"`
}

// AnswerOption is an R4 Questionnaire.item.answerOption. ValueString is
// read only to refuse an option that has no score value.
type AnswerOption struct {
	Extension    []Extension `json:"extension,omitempty"`
	ValueCoding  *Coding     `json:"valueCoding,omitempty"`
	ValueInteger *int        `json:"valueInteger,omitempty"`
	ValueString  string      `json:"valueString,omitempty"`
}

// QuestionnaireResponse is an R4 QuestionnaireResponse, as Tend writes it.
type QuestionnaireResponse struct {
	ResourceType  string                      `json:"resourceType"`
	ID            string                      `json:"id,omitempty"`
	Extension     []Extension                 `json:"extension,omitempty"`
	Questionnaire string                      `json:"questionnaire,omitempty"`
	Status        string                      `json:"status"`
	Subject       *Reference                  `json:"subject,omitempty"`
	Authored      string                      `json:"authored,omitempty"`
	Item          []QuestionnaireResponseItem `json:"item,omitempty"`
}

// QuestionnaireResponseItem is an R4 QuestionnaireResponse.item.
type QuestionnaireResponseItem struct {
	LinkID string                        `json:"linkId"`
	Text   string                        `json:"text,omitempty"`
	Answer []QuestionnaireResponseAnswer `json:"answer,omitempty"`
}

// QuestionnaireResponseAnswer is an R4 QuestionnaireResponse.item.answer.
type QuestionnaireResponseAnswer struct {
	Extension    []Extension `json:"extension,omitempty"`
	ValueCoding  *Coding     `json:"valueCoding,omitempty"`
	ValueInteger *int        `json:"valueInteger,omitempty"`
}

// CodeableConcept is an R4 CodeableConcept.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Meta is an R4 Meta.
type Meta struct {
	LastUpdated string `json:"lastUpdated,omitempty"`
}

// Annotation is an R4 Annotation (an Observation's note).
type Annotation struct {
	Text string `json:"text"`
}

// Observation is an R4 Observation, as far as Tend maps it: a
// questionnaire's total score (LOINC code, derived from its
// QuestionnaireResponse) or one diary card (DiaryCardCode, a component per
// value; docs/fhir/diary-observations.md).
type Observation struct {
	ResourceType         string                 `json:"resourceType"`
	ID                   string                 `json:"id,omitempty"`
	Meta                 *Meta                  `json:"meta,omitempty"`
	Extension            []Extension            `json:"extension,omitempty"`
	Status               string                 `json:"status"`
	Category             []CodeableConcept      `json:"category,omitempty"`
	Code                 CodeableConcept        `json:"code"`
	Subject              *Reference             `json:"subject,omitempty"`
	EffectiveDateTime    string                 `json:"effectiveDateTime,omitempty"`
	Issued               string                 `json:"issued,omitempty"`
	Performer            []Reference            `json:"performer,omitempty"`
	ValueInteger         *int                   `json:"valueInteger,omitempty"`
	ValueBoolean         *bool                  `json:"valueBoolean,omitempty"`
	ValueQuantity        *Quantity              `json:"valueQuantity,omitempty"`
	ValueCodeableConcept *CodeableConcept       `json:"valueCodeableConcept,omitempty"`
	Note                 []Annotation           `json:"note,omitempty"`
	DerivedFrom          []Reference            `json:"derivedFrom,omitempty"`
	Component            []ObservationComponent `json:"component,omitempty"`
}

// ObservationComponent is an R4 Observation.component.
type ObservationComponent struct {
	Code                 CodeableConcept  `json:"code"`
	ValueInteger         *int             `json:"valueInteger,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueCodeableConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
}

// Quantity is an R4 Quantity; Value is kept exact.
type Quantity struct {
	Value  json.Number `json:"value,omitempty"`
	Unit   string      `json:"unit,omitempty"`
	System string      `json:"system,omitempty"`
	Code   string      `json:"code,omitempty"`
}

// Bundle is an R4 Bundle: a searchset or $everything answer Tend writes,
// or a transaction or batch it reads (and the -response it answers with).
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`
	Type         string        `json:"type"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is an R4 Bundle.link.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is an R4 Bundle.entry. Resource stays raw JSON: its
// resourceType says which struct reads it.
type BundleEntry struct {
	FullURL  string               `json:"fullUrl,omitempty"`
	Resource json.RawMessage      `json:"resource,omitempty"`
	Search   *BundleEntrySearch   `json:"search,omitempty"`
	Request  *BundleEntryRequest  `json:"request,omitempty"`
	Response *BundleEntryResponse `json:"response,omitempty"`
}

// BundleEntrySearch is an R4 Bundle.entry.search.
type BundleEntrySearch struct {
	Mode string `json:"mode,omitempty"`
}

// BundleEntryRequest is an R4 Bundle.entry.request.
type BundleEntryRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
}

// BundleEntryResponse is an R4 Bundle.entry.response.
type BundleEntryResponse struct {
	Status       string          `json:"status"`
	Location     string          `json:"location,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	Outcome      json.RawMessage `json:"outcome,omitempty"`
}

// OperationOutcome is an R4 OperationOutcome: how /fhir/r4 answers an
// error. Diagnostics and Expression name the resource and element at fault,
// never a person's data.
type OperationOutcome struct {
	ResourceType string                  `json:"resourceType"`
	Issue        []OperationOutcomeIssue `json:"issue"`
}

// OperationOutcomeIssue is an R4 OperationOutcome.issue.
type OperationOutcomeIssue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}

// The code systems Tend defines for diary cards
// (docs/fhir/diary-observations.md).
const (
	// DiaryCodeSystem codes the diary card Observation ("diary-card") and
	// its components (urge, action, emotion, skills-used …).
	DiaryCodeSystem = Base + "/CodeSystem/diary"
	// DiaryTargetSystem codes which target of the person's card a
	// component is about (the target's id).
	DiaryTargetSystem = Base + "/CodeSystem/diary-target"
	// DiaryCardCode is the Observation.code of a diary card.
	DiaryCardCode = "diary-card"
)
