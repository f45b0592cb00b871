package audit

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Look is one staff read of a person's information, as the person sees it.
type Look struct {
	tend.AuditEvent
	StaffName string // "" when the staff member's account is gone
}

// LookStore is what Reader needs from storage.
type LookStore interface {
	// FindStaffReads returns staff reads of personID's data, newest first.
	FindStaffReads(ctx context.Context, personID tend.ID, limit int) ([]tend.AuditEvent, error)
	// FindStaffNames returns the names of the given staff ids.
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
}

// Checker decides access; *access.Checker implements it.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// Reader shows a person who has looked at their information.
type Reader struct {
	store   LookStore
	checker Checker
}

// NewReader returns a Reader.
func NewReader(st LookStore, c Checker) *Reader { return &Reader{store: st, checker: c} }

// WhoLooked returns the staff reads of personID's information, newest
// first, for the person themselves (access.AuditReadOwn).
func (r *Reader) WhoLooked(ctx context.Context, actor tend.Actor, personID tend.ID, limit int) ([]Look, error) {
	if err := r.checker.Check(ctx, actor, access.AuditReadOwn, personID); err != nil {
		return nil, err
	}
	events, err := r.store.FindStaffReads(ctx, personID, limit)
	if err != nil {
		return nil, err
	}
	var ids []tend.ID
	for _, e := range events {
		ids = append(ids, e.ActorID)
	}
	names, err := r.store.FindStaffNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Look, len(events))
	for i, e := range events {
		out[i] = Look{AuditEvent: e, StaffName: names[e.ActorID]}
	}
	return out, nil
}
