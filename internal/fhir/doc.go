// Package fhir maps Tend to and from FHIR R4 at the edge: a Questionnaire
// with Tend's scoring extension becomes a measure.Instrument (import) and
// back (export), a measure.Response becomes a QuestionnaireResponse, and
// Records reads what an actor may see of a person (Patient, CareTeam,
// Consent, CarePlan, Observations, $everything) through the domain
// services, so their access checks and audit apply; it never reads
// clinician notes. It hand-writes only the R4 subset it maps, keeps FHIR
// words out of the domain packages, and never turns answers into a risk
// level: the scoring extension carries bands, a threshold and safety
// prompts, nothing else (docs/fhir/scoring-extension.md, docs/fhir/README.md).
package fhir
