package store

import (
	"context"

	"github.com/tendcare/tend/internal/measure"
)

// Measures adds questionnaire assignments, their due questionnaires and
// responses as they are, for 'tend demo-data'. Each response's score must
// be the one its instrument computes (measure.Instrument.Score); no audit
// events and no safety prompts are written here.
func (w *BulkWriter) Measures(ctx context.Context, as []measure.Assignment, dues []measure.Due, rs []measure.Response) error {
	err := w.insert(ctx, "measure_assignments", []string{"id", "person_id", "instrument_id", "schedule_kind", "every_weeks", "starts_on",
		"created_by", "created_at", "ended_at", "ended_by"}, len(as), func(i int) []any {
		a := as[i]
		var ended, endedBy any
		if a.EndedAt != nil {
			ended, endedBy = a.EndedAt.UTC(), string(a.EndedBy)
		}
		return []any{string(a.ID), string(a.PersonID), a.InstrumentID, string(a.Schedule.Kind), a.Schedule.EveryWeeks, civil(a.StartsOn),
			string(a.CreatedBy), a.CreatedAt.UTC(), ended, endedBy}
	})
	if err != nil {
		return err
	}
	err = w.insert(ctx, "measure_due", []string{"id", "assignment_id", "person_id", "instrument_id", "due_on", "reason", "created_at"},
		len(dues), func(i int) []any {
			d := dues[i]
			return []any{string(d.ID), string(d.AssignmentID), string(d.PersonID), d.InstrumentID, civil(d.On), string(d.Reason), d.CreatedAt.UTC()}
		})
	if err != nil {
		return err
	}
	type encoded struct {
		answers, score string
		total          any
	}
	enc := make([]encoded, len(rs))
	for i, r := range rs {
		a, s, t, err := responseArgs(r)
		if err != nil {
			return err
		}
		enc[i] = encoded{answers: a, score: s}
		if t.Valid {
			enc[i].total = t.String
		}
	}
	return w.insert(ctx, "measure_responses", []string{"id", "due_id", "person_id", "instrument_id", "version", "answers", "score", "total",
		"finished", "started_at", "updated_at", "finished_at", "entered_by"}, len(rs), func(i int) []any {
		r := rs[i]
		var finished any
		if r.FinishedAt != nil {
			finished = r.FinishedAt.UTC()
		}
		return []any{string(r.ID), string(r.DueID), string(r.PersonID), r.InstrumentID, r.Version, enc[i].answers, enc[i].score, enc[i].total,
			r.Finished, r.StartedAt.UTC(), r.UpdatedAt.UTC(), finished, string(r.EnteredBy)}
	})
}
