package rights

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// The audit actions this package records. Their events carry ids only.
const (
	AuditExportRequested = "data_export.requested"
	AuditExportReady     = "data_export.ready"
	AuditExportRead      = "data_export.downloaded"
	AuditErasureAsked    = "account.erasure_requested"
	AuditErasureCancel   = "account.erasure_cancelled"
	AuditErased          = "account.erased"
)

// Limits on downloads (DESIGN.md "Rate limits": exports). Building a zip
// reads everything about the person, so asking is counted per account in
// the database, and one download at a time is enough.
const (
	MaxExportsPerDay = 3                  // downloads asked for in any 24 hours
	ExportKeptFor    = 7 * 24 * time.Hour // how long a ready zip waits to be downloaded
	// KeptAfterDownload is how long a zip stays after its first download,
	// so a download cut short can be tried again.
	KeptAfterDownload = 24 * time.Hour
)

// Options are a Service's optional parts.
type Options struct {
	// Parts are the areas of the download, each collected through the
	// area's own service as the person.
	Parts []Part
	// Bundle makes fhir-bundle.json; nil leaves it out.
	Bundle FHIRBundle
	// Notes reads the clinician notes for the download (notes.json), used
	// only when Settings().NotesInExport.
	Notes Notes
	// Confirm checks the person's password before an erasure.
	Confirm Confirm
}

// Service carries out the person's data rights.
type Service struct {
	store    Store
	checker  Checker
	vault    Vault
	clock    tend.Clock
	settings func() Settings
	opt      Options
}

// NewService returns a Service. settings returns the service's records
// settings now (nil: the defaults).
func NewService(store Store, checker Checker, v Vault, clock tend.Clock, settings func() Settings, opt Options) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Service{store: store, checker: checker, vault: v, clock: clock, settings: settings, opt: opt}
}

// Settings returns the records settings now.
func (s *Service) Settings() Settings { return s.settings() }

// self checks action for the person's own account: only the person, never
// staff or a supporter (the policy allows nobody else; this keeps the
// answer "not found" for every other account).
func (s *Service) self(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error {
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		if actor.Kind == "" {
			return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
		}
		return tend.ErrNotFound
	}
	return s.checker.Check(ctx, actor, action, personID)
}

// Exports returns the person's downloads that have not expired, newest
// first. Errors as access.Checker.
func (s *Service) Exports(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Export, error) {
	if err := s.self(ctx, actor, access.DataExport, personID); err != nil {
		return nil, err
	}
	return s.store.FindDataExports(ctx, personID, s.clock.Now().UTC())
}

// RequestExport asks for a new download, built by a background job; the
// person gets a notice when it is ready. ERATELIMITED when one is already
// being made or the day's requests are used; access errors as
// access.Checker.
func (s *Service) RequestExport(ctx context.Context, actor tend.Actor, personID tend.ID) (Export, error) {
	if err := s.self(ctx, actor, access.DataExport, personID); err != nil {
		return Export{}, err
	}
	var out Export
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := tx.Now().UTC()
		if e, err := s.openErasure(ctx, personID); err != nil {
			return err
		} else if e != nil {
			return tend.Errorf(tend.ECONFLICT, "Your account is set to be erased, so a new download cannot be made. You can cancel the erasure first.")
		}
		cur, err := s.store.FindDataExports(ctx, personID, now)
		if err != nil {
			return err
		}
		for _, e := range cur {
			if e.State == ExportPending {
				return tend.Errorf(tend.ERATELIMITED, "Your information is already being gathered. You will get a message when it is ready.")
			}
		}
		n, err := tx.CountDataExportsSince(ctx, personID, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if n >= MaxExportsPerDay {
			return tend.Errorf(tend.ERATELIMITED, "You have asked for your information %d times today. Please try again tomorrow.", n)
		}
		out = Export{ID: tend.NewID(), PersonID: personID, State: ExportPending, RequestedAt: now, ExpiresAt: now.Add(ExportKeptFor)}
		if err := tx.CreateDataExport(ctx, Record{Export: out}); err != nil {
			return err
		}
		if err := tx.EnqueueJob(ctx, BuildExportArgs{ExportID: out.ID}, time.Time{}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditExportRequested, personID, "data_export:"+string(out.ID)))
	})
	return out, err
}

// Download returns a ready zip of the person's, opened, and records the
// download: the zip is kept KeptAfterDownload longer, then deleted.
// ENOTFOUND for another account's export, one not ready, or one expired.
func (s *Service) Download(ctx context.Context, actor tend.Actor, personID, exportID tend.ID) ([]byte, Export, error) {
	if err := s.self(ctx, actor, access.DataExport, personID); err != nil {
		return nil, Export{}, err
	}
	r, err := s.store.FindDataExport(ctx, personID, exportID)
	if err != nil {
		return nil, Export{}, err
	}
	now := s.clock.Now().UTC()
	if r.State != ExportReady || !now.Before(r.ExpiresAt) || len(r.Archive) == 0 {
		return nil, Export{}, tend.ErrNotFound
	}
	zip, err := s.vault.OpenPerson(ctx, personID, archiveField(r.ID), r.Archive)
	if err != nil {
		return nil, Export{}, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.DataExportForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.DownloadedAt == nil {
			at := tx.Now().UTC()
			cur.DownloadedAt = &at
			if until := at.Add(KeptAfterDownload); until.Before(cur.ExpiresAt) {
				cur.ExpiresAt = until
			}
			if err := tx.UpdateDataExport(ctx, cur); err != nil {
				return err
			}
		}
		r.Export = cur.Export
		return tx.AppendAudit(ctx, event(actor, AuditExportRead, personID, "data_export:"+string(r.ID)))
	})
	if err != nil {
		return nil, Export{}, err
	}
	return zip, r.Export, nil
}

// Sweep deletes the downloads that have expired (a periodic job); it
// returns how many.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		n, err = tx.DeleteExpiredDataExports(ctx, tx.Now().UTC())
		return err
	})
	return n, err
}

// openErasure returns the person's pending erasure, or nil.
func (s *Service) openErasure(ctx context.Context, personID tend.ID) (*Erasure, error) {
	e, err := s.store.FindOpenErasure(ctx, personID)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !e.Pending() {
		return nil, nil
	}
	return &e, nil
}

func personActor(personID tend.ID) tend.Actor {
	return tend.Actor{Kind: tend.KindPerson, ID: personID}
}
