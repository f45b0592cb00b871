package rights

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// ErasedName is what an erased account is called from then on, on every
// staff page: "Erased person" and the end of its id, so that two erased
// accounts stay apart (a username can never hold a space, so it can never
// be anyone's chosen name).
func ErasedName(personID tend.ID) string {
	id := strings.ReplaceAll(string(personID), "-", "")
	if len(id) > 8 {
		id = id[len(id)-8:]
	}
	return "Erased person " + id
}

// ErasureStatus returns the person's erasure request that is pending (or
// done), and whether there is one. Errors as access.Checker.
func (s *Service) ErasureStatus(ctx context.Context, actor tend.Actor, personID tend.ID) (Erasure, bool, error) {
	if err := s.self(ctx, actor, access.AccountErase, personID); err != nil {
		return Erasure{}, false, err
	}
	e, err := s.openErasure(ctx, personID)
	if err != nil || e == nil {
		return Erasure{}, false, err
	}
	return *e, true, nil
}

// RequestErasure asks for the person's account to be erased when the
// service's hold ends (at once when it is 0), after checking their
// password again. Asking again while one is pending returns that one.
// EINVALID (or ERATELIMITED) for a wrong password; access errors as
// access.Checker.
func (s *Service) RequestErasure(ctx context.Context, actor tend.Actor, personID tend.ID, password string) (Erasure, error) {
	if err := s.self(ctx, actor, access.AccountErase, personID); err != nil {
		return Erasure{}, err
	}
	if s.opt.Confirm == nil {
		return Erasure{}, fmt.Errorf("rights: no password check wired in")
	}
	if err := s.opt.Confirm(ctx, actor, password); err != nil {
		return Erasure{}, err
	}
	hold := time.Duration(s.settings().HoldDays()) * 24 * time.Hour
	var out Erasure
	err := s.store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.OpenErasureForUpdate(ctx, personID)
		switch {
		case err == nil:
			out = cur
			return nil
		case tend.ErrorKind(err) != tend.ENOTFOUND:
			return err
		}
		now := tx.Now().UTC()
		out = Erasure{ID: tend.NewID(), PersonID: personID, RequestedAt: now, DueAt: now.Add(hold)}
		if err := tx.CreateErasure(ctx, out); err != nil {
			return err
		}
		at := out.DueAt
		if hold == 0 {
			at = time.Time{}
		}
		if err := tx.EnqueueJob(ctx, EraseArgs{ErasureID: out.ID}, at); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditErasureAsked, personID, "erasure:"+string(out.ID)))
	})
	return out, err
}

// CancelErasure cancels the person's pending erasure. ENOTFOUND when none
// is pending; access errors as access.Checker.
func (s *Service) CancelErasure(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if err := s.self(ctx, actor, access.AccountErase, personID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		e, err := tx.OpenErasureForUpdate(ctx, personID)
		if err != nil {
			return err
		}
		if !e.Pending() {
			return tend.ErrNotFound
		}
		now := tx.Now().UTC()
		e.CancelledAt = &now
		if err := tx.UpdateErasure(ctx, e); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditErasureCancel, personID, "erasure:"+string(e.ID)))
	})
}

// Erase carries out one erasure request (the erase_account job, scheduled
// at the hold's end). In one unit of work it deletes the person's content
// from every table that holds it, disables and renames the account, and
// records an audit event without content; then it destroys the person's
// data key, which also enters the erasure ledger (so a restored older
// backup cannot decrypt them either). A cancelled request does nothing;
// running it again after it succeeded only destroys the key again, which
// is harmless. It returns EUNAVAILABLE (the job is tried again later) if
// it runs before the hold ends.
func (s *Service) Erase(ctx context.Context, erasureID tend.ID) error {
	var personID tend.ID
	err := s.store.InTx(ctx, func(tx Tx) error {
		e, err := tx.ErasureForUpdate(ctx, erasureID)
		if err != nil {
			return err
		}
		if e.CancelledAt != nil {
			return nil
		}
		personID = e.PersonID
		if e.ErasedAt != nil {
			return nil
		}
		now := tx.Now().UTC()
		if now.Before(e.DueAt) {
			return tend.Errorf(tend.EUNAVAILABLE, "The erasure is not due yet.")
		}
		if _, err := tx.ErasePersonData(ctx, e.PersonID, now, ErasedName(e.PersonID)); err != nil {
			return err
		}
		e.ErasedAt = &now
		if err := tx.UpdateErasure(ctx, e); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(tend.System, AuditErased, e.PersonID, "erasure:"+string(e.ID)))
	})
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if personID == "" {
		return nil
	}
	return s.vault.Erase(ctx, personID)
}
