package retention

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tendcare/tend"
)

// Settings are the service's retention settings.
type Settings struct {
	// DraftDays is how many days an unsent draft is kept after it was last
	// touched; 0 means DefaultDraftDays.
	DraftDays int `json:"draft_days,omitempty"`
}

// DefaultDraftDays is the draft retention when the service sets none:
// long enough for a person back from a hard quarter to find what they
// started, short enough that forgotten half-written text does not linger.
const DefaultDraftDays = 90

// Limits on DraftDays.
const (
	MinDraftDays = 7
	MaxDraftDays = 730
)

// Days returns the draft retention in days.
func (s Settings) Days() int {
	if s.DraftDays == 0 {
		return DefaultDraftDays
	}
	return s.DraftDays
}

// Validate returns what is wrong with the settings, or "".
func (s Settings) Validate() string {
	if s.DraftDays != 0 && (s.DraftDays < MinDraftDays || s.DraftDays > MaxDraftDays) {
		return fmt.Sprintf("Enter a whole number of days from %d to %d, or leave it empty for %d.", MinDraftDays, MaxDraftDays, DefaultDraftDays)
	}
	return ""
}

// Drafts counts the drafts one run deleted, by kind.
type Drafts struct {
	DiaryNotes     int64 // a diary card's note autosaved but never saved with the card
	Questionnaires int64 // questionnaire answers started but never finished
}

// Total is the number of drafts deleted.
func (d Drafts) Total() int64 { return d.DiaryNotes + d.Questionnaires }

// Store is what the retention service needs from storage.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
}

// Tx is one unit of work.
type Tx interface {
	// DeleteStaleDrafts deletes the unsent drafts last touched before
	// cutoff and counts them. Saved records are never deleted.
	DeleteStaleDrafts(ctx context.Context, cutoff time.Time) (Drafts, error)
	// EnqueueOverdueErasures enqueues, unique by its arguments, the
	// erasure of every request neither done nor cancelled whose hold ended
	// before dueBefore, and counts the jobs it added (an erasure already
	// waiting in the queue adds none).
	EnqueueOverdueErasures(ctx context.Context, dueBefore time.Time) (int, error)
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Audit actions of the retention runs. Their target carries counts only.
const (
	AuditDraftsDeleted    = "retention.drafts_deleted"
	AuditErasuresEnqueued = "retention.erasures_enqueued"
)

// ErasureGrace is how long after a hold ends the sweep waits for the
// erasure scheduled at that moment before it enqueues one itself.
const ErasureGrace = time.Hour

// Service runs the retention rules.
type Service struct {
	store    Store
	clock    tend.Clock
	settings func() Settings
}

// NewService returns the retention service; settings reads the service's
// current retention settings.
func NewService(store Store, clock tend.Clock, settings func() Settings) *Service {
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Service{store: store, clock: clock, settings: settings}
}

// DeleteDrafts deletes the unsent drafts not touched for the service's
// retention period, in one unit of work with an audit event (as Tend
// itself, counts only). Running it twice deletes nothing more.
func (s *Service) DeleteDrafts(ctx context.Context) (Drafts, error) {
	cutoff := s.clock.Now().UTC().AddDate(0, 0, -s.settings().Days())
	var out Drafts
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.DeleteStaleDrafts(ctx, cutoff); err != nil {
			return err
		}
		target := "drafts:diary_notes=" + strconv.FormatInt(out.DiaryNotes, 10) + ",questionnaires=" + strconv.FormatInt(out.Questionnaires, 10)
		return tx.AppendAudit(ctx, systemEvent(AuditDraftsDeleted, target))
	})
	if err != nil {
		return Drafts{}, fmt.Errorf("retention: drafts: %w", err)
	}
	return out, nil
}

// EnqueueErasures makes sure every erasure whose hold has ended (by more
// than ErasureGrace) and that is neither done nor cancelled has a job: the
// one scheduled when it was asked for may be gone (a restored backup, a
// job discarded after its retries). The erasure itself stays
// rights.Service.Erase, which is idempotent. A run that adds a job is
// audited, counts only.
func (s *Service) EnqueueErasures(ctx context.Context) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.EnqueueOverdueErasures(ctx, s.clock.Now().UTC().Add(-ErasureGrace)); err != nil || n == 0 {
			return err
		}
		return tx.AppendAudit(ctx, systemEvent(AuditErasuresEnqueued, "erasure_jobs:"+strconv.Itoa(n)))
	})
	if err != nil {
		return 0, fmt.Errorf("retention: erasures: %w", err)
	}
	return n, nil
}

func systemEvent(action, target string) tend.AuditEvent {
	return tend.AuditEvent{ActorKind: tend.System.Kind, ActorRole: string(tend.System.Kind), Action: action, Target: target, Outcome: tend.OutcomeOK}
}
