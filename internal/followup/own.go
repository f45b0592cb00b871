package followup

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// OwnRequest is one request for contact the person sent, as they see it
// in their own download: when, how they asked to be contacted, and how far
// the care team has got with it. The care team's resolution note is the
// service's record and is not part of it.
type OwnRequest struct {
	SentAt         time.Time     `json:"sent_at"`
	Contact        ContactMethod `json:"contact"`
	State          State         `json:"state"`
	AcknowledgedAt *time.Time    `json:"acknowledged_at,omitempty"`
	ResolvedAt     *time.Time    `json:"resolved_at,omitempty"`
}

// OwnRequests returns the requests for contact the person sent. Only the person reads them here (ENOTFOUND for anyone else).
func (s *Service) OwnRequests(ctx context.Context, actor tend.Actor, personID tend.ID) ([]OwnRequest, error) {
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return nil, tend.ErrNotFound
	}
	if err := s.checker.CheckTarget(ctx, actor, access.TaskMetaRead, personID, access.Target{}); err != nil {
		return nil, err
	}
	tasks, err := s.store.FindPersonTasks(ctx, personID, time.Time{})
	if err != nil {
		return nil, err
	}
	out := []OwnRequest{}
	for _, t := range tasks {
		for _, e := range t.Entries {
			if e.Kind != KindContactRequest {
				continue
			}
			out = append(out, OwnRequest{SentAt: e.ReceivedAt, Contact: e.Contact, State: t.State, AcknowledgedAt: t.AcknowledgedAt, ResolvedAt: t.ResolvedAt})
		}
	}
	return out, nil
}
