package fhir

import (
	"encoding/json"
	"time"

	"github.com/tendcare/tend/internal/measure"
)

// QuestionnaireResponseFrom maps a person's response to an R4
// QuestionnaireResponse for subject (a reference such as "Patient/<id>")
// answering the Questionnaire at questionnaireURL. Items go in the
// instrument's order, each answer a valueCoding as the Questionnaire's
// answerOption gives it; an unanswered item is left out, never written as
// 0. The total, when the response has one, is the ScoreURL extension.
func QuestionnaireResponseFrom(in measure.Instrument, r measure.Response, subject, questionnaireURL string) QuestionnaireResponse {
	qr := QuestionnaireResponse{
		ResourceType:  "QuestionnaireResponse",
		ID:            resourceID(string(r.ID)),
		Questionnaire: questionnaireURL,
		Status:        "in-progress",
	}
	if subject != "" {
		qr.Subject = &Reference{Reference: subject}
	}
	authored := r.UpdatedAt
	if r.Finished {
		qr.Status = "completed"
		if r.FinishedAt != nil {
			authored = *r.FinishedAt
		}
	}
	if !authored.IsZero() {
		qr.Authored = authored.UTC().Format(time.RFC3339)
	}
	if t := r.Score.Total; t != nil {
		qr.Extension = []Extension{{URL: ScoreURL, ValueDecimal: json.Number(in.FormatScore(*t))}}
	}
	for _, it := range in.Items {
		v, ok := r.Answers[it.LinkID]
		if !ok {
			continue
		}
		o, ok := it.Option(v)
		if !ok {
			continue // not an answer the item offers; Check refuses these on save
		}
		qr.Item = append(qr.Item, QuestionnaireResponseItem{
			LinkID: it.LinkID,
			Text:   it.Text,
			Answer: []QuestionnaireResponseAnswer{{ValueCoding: answerCoding(o)}},
		})
	}
	return qr
}
