// Package fhir maps Tend's questionnaires to and from FHIR R4 at the edge:
// a Questionnaire with Tend's scoring extension becomes a measure.Instrument
// (import) and back (export), and a measure.Response becomes a
// QuestionnaireResponse. It hand-writes only the R4 subset it maps, keeps
// FHIR words out of the domain packages, and never turns answers into a risk
// level: the scoring extension carries bands, a threshold and safety prompts,
// nothing else (docs/fhir/scoring-extension.md).
package fhir
