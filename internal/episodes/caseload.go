package episodes

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// NextSessions returns, per person the staff member may read episodes for,
// their next planned session: what a caseload shows. Each person with one
// is an audited read, all in one unit of work; people without a planned
// session, or whom the caller may not read, are left out.
func (s *Service) NextSessions(ctx context.Context, actor tend.Actor, personIDs []tend.ID) (map[tend.ID]Session, error) {
	out := map[tend.ID]Session{}
	if actor.Kind != tend.KindStaff {
		return out, nil
	}
	today := s.Today()
	var events []tend.AuditEvent
	for _, personID := range personIDs {
		if err := s.checker.Check(ctx, actor, access.EpisodeRead, personID); err != nil {
			continue
		}
		next, err := s.store.FindNextCareSession(ctx, personID, today)
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[personID] = next
		events = append(events, s.event(actor, string(access.EpisodeRead), personID, "episodes:"+string(personID)))
	}
	if len(events) == 0 {
		return out, nil
	}
	return out, s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) })
}
