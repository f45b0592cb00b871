package safetyplan

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Steps is the number of steps of a plan, used in order.
const Steps = 6

// Sections names each sealed part of a plan, in the order of Record.Sealed:
// the six steps, then what matters most, reasons for living and "how likely
// am I to use this / what might get in the way". Each name is also the
// column that holds it.
var Sections = [...]string{"step_1", "step_2", "step_3", "step_4", "step_5", "step_6", "most_important", "reasons", "likely"}

// Content is what a person (with their clinician) writes in a plan.
type Content struct {
	// Steps holds the six steps, each a list of short entries.
	Steps [Steps][]string
	// MostImportant is "the one thing that is most important to me".
	MostImportant string
	// Reasons are reasons for living the person chose to add.
	Reasons []string
	// Likely is "how likely am I to use this, what might get in the way".
	Likely string
}

// Empty reports whether c holds no text at all.
func (c Content) Empty() bool {
	for _, s := range c.Steps {
		if len(s) > 0 {
			return false
		}
	}
	return c.MostImportant == "" && len(c.Reasons) == 0 && c.Likely == ""
}

// Plan is one version of a person's safety plan.
type Plan struct {
	Content
	PersonID    tend.ID
	Version     int // 1 for the first save
	BasedOn     int // the version the saver started from
	Merged      bool
	SavedByKind tend.AccountKind
	SavedBy     tend.ID
	SavedByName string // a staff member's name; "" when the person saved
	SavedAt     time.Time
	// Review is the last time a clinician marked the plan reviewed.
	Review *Review
}

// Review records that a clinician went through the plan with the person.
type Review struct {
	ID           tend.ID
	PersonID     tend.ID
	Version      int
	ReviewedBy   tend.ID
	ReviewerName string
	ReviewedAt   time.Time
}

// Record is a plan version as it is stored: every section sealed.
type Record struct {
	ID          tend.ID
	PersonID    tend.ID
	Version     int
	BasedOn     int
	Merged      bool
	SavedByKind tend.AccountKind
	SavedBy     tend.ID
	SavedAt     time.Time
	Sealed      [len(Sections)][]byte
}

// Store reads plan versions outside a unit of work, so that the person's own
// reads never need a write.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindSafetyPlanVersions returns every version of the person's plan,
	// newest first; none is an empty slice, not an error.
	FindSafetyPlanVersions(ctx context.Context, personID tend.ID) ([]Record, error)
	// FindSafetyPlanReview returns the latest review, or ENOTFOUND.
	FindSafetyPlanReview(ctx context.Context, personID tend.ID) (Review, error)
	// FindStaffNames returns staff names by id ("" for unknown ids).
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
}

// Tx is one unit of work: the version, its audit events and any review
// commit together or not at all.
type Tx interface {
	// LatestSafetyPlan returns the newest version, locked against a
	// concurrent save, or ENOTFOUND when there is none.
	LatestSafetyPlan(ctx context.Context, personID tend.ID) (Record, error)
	// SafetyPlanVersion returns one version, or ENOTFOUND.
	SafetyPlanVersion(ctx context.Context, personID tend.ID, version int) (Record, error)
	// CreateSafetyPlanVersion adds a version; ECONFLICT if the number is taken.
	CreateSafetyPlanVersion(ctx context.Context, r Record) error
	// CreateSafetyPlanReview records a review.
	CreateSafetyPlanReview(ctx context.Context, r Review) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// Sealer seals and opens a person's text (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
}
