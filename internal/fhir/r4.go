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
