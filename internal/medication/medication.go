package medication

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Medication is one line of the person's medication list.
type Medication struct {
	ID        tend.ID
	PersonID  tend.ID
	Name      string
	Dose      string
	Schedule  string // how and when it is taken, in the prescriber's words
	AsNeeded  bool
	StartedOn string // a civil date, YYYY-MM-DD
	StoppedOn string // "" while it is current
	AddedBy   tend.ID
	AddedAt   time.Time
	StoppedBy tend.ID
	StoppedAt *time.Time
}

// Current reports whether the medication has not been stopped.
func (m Medication) Current() bool { return m.StoppedOn == "" }

// Record is a medication as stored: name, dose and schedule sealed.
type Record struct {
	ID        tend.ID
	PersonID  tend.ID
	Name      []byte
	Dose      []byte
	Schedule  []byte
	AsNeeded  bool
	StartedOn string
	StoppedOn string
	AddedBy   tend.ID
	AddedAt   time.Time
	StoppedBy tend.ID
	StoppedAt *time.Time
}

// Store is the unit-of-work runner and the reads outside one.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindMedications returns the person's medication list, current first,
	// then by start date, newest first.
	FindMedications(ctx context.Context, personID tend.ID) ([]Record, error)
}

// Tx is one unit of work.
type Tx interface {
	// FindMedicationTx returns one of the person's medications, or
	// ENOTFOUND (also for one of someone else's).
	FindMedicationTx(ctx context.Context, personID, id tend.ID) (Record, error)
	// CreateMedication adds r; ECONFLICT when its id is taken.
	CreateMedication(ctx context.Context, r Record) error
	// StopMedication records the stop of one of the person's current
	// medications; ENOTFOUND when there is no such current medication.
	StopMedication(ctx context.Context, personID, id tend.ID, stoppedOn string, by tend.ID, at time.Time) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker is the access checker.
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// Sealer seals and opens a person's data with their key.
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
}
