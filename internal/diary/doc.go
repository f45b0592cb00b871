// Package diary keeps the DBT diary card (clinical/diary-card.md): each
// person's configuration of targets, emotions and skills, one card per
// person and civil date saved field by field (the later edit wins per
// field, every accepted save kept in the history), the safety prompts a
// card raises (safety-rules.md section 4), the clinician's weekly grid and
// the person's progress, shown without shame (safety-rules.md section 6).
package diary
