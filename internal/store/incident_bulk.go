package store

import (
	"context"

	"github.com/tendcare/tend/internal/episodes"
)

// Incidents adds incidents clinicians recorded, as they are, for 'tend
// demo-data'; no audit events are written here.
func (w *BulkWriter) Incidents(ctx context.Context, is []episodes.Incident) error {
	return w.insert(ctx, "incidents", []string{"id", "person_id", "occurred_on", "kind", "medical_care", "recorded_by", "recorded_at"},
		len(is), func(i int) []any {
			in := is[i]
			return []any{string(in.ID), string(in.PersonID), civil(in.OccurredOn), string(in.Kind), string(in.MedicalCare),
				string(in.RecordedBy), in.RecordedAt.UTC()}
		})
}
