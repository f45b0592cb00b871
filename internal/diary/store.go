package diary

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/vault"
)

// TargetRecord is a row of the person's configuration as stored: a
// default row changed, or a row added. The label is sealed (nil: the
// kind's default label).
type TargetRecord struct {
	PersonID         tend.ID
	ID               string
	Section          Section
	Kind             Kind
	Label            []byte
	UrgeID           string
	Counted, Medical bool
	Hidden           bool
	Position         int
	ChangedBy        tend.ID
	ChangedAt        time.Time
}

// ConfigRecord is the person's stored configuration.
type ConfigRecord struct {
	Targets []TargetRecord
	// Set is "" until the configuration was first changed.
	Set SkillsSet
	// Skills is nil for the set's whole list.
	Skills []string
	// From the care team's records and the person's account.
	Medication, Group bool
	TimeZone          string
	Joined            time.Time // when the account was made
}

// CardRecord is a card as stored: its note sealed.
type CardRecord struct {
	ID           tend.ID
	PersonID     tend.ID
	Day          time.Time
	TimeZone     string
	ScaleVersion int
	Values       map[Field]Value
	Note         []byte // sealed; nil for none
	NoteAt       time.Time
	LateDays     int
	InSession    bool
	EnteredBy    tend.ID
	FirstSavedAt time.Time
	UpdatedAt    time.Time
	Summary      Summary
}

// SaveRecord is one accepted save of a card: the history.
type SaveRecord struct {
	ID        tend.ID
	PersonID  tend.ID
	CardID    tend.ID
	Day       time.Time
	Key       string
	SavedBy   tend.ID
	InSession bool
	EditedAt  time.Time // the device's time of the edits
	SavedAt   time.Time // when the server accepted it
	// Changes are the fields the save sent with their values (nil:
	// cleared); the note is listed as changed without its words.
	Changes     map[Field]*int
	NoteChanged bool
	// Applied lists the fields that took effect (a field edited later
	// elsewhere keeps the later value).
	Applied []Field
}

// Flag is a clinician's note on a day: "may not have been written by the
// person" (safety-rules.md section 9). Tend never infers it.
type Flag struct {
	PersonID  tend.ID
	Day       time.Time
	FlaggedBy tend.ID
	ByName    string
	FlaggedAt time.Time
}

// Store reads outside a unit of work, so the person's own reads never need
// a write.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindDiaryConfig returns the person's configuration records;
	// ENOTFOUND for an unknown person.
	FindDiaryConfig(ctx context.Context, personID tend.ID) (ConfigRecord, error)
	// FindDiaryCards returns the person's cards dated from..to inclusive,
	// oldest first; none is an empty slice.
	FindDiaryCards(ctx context.Context, personID tend.ID, from, to time.Time) ([]CardRecord, error)
	// FindDiaryDays returns the dates of the person's earliest and latest
	// cards; ok is false when they have none.
	FindDiaryDays(ctx context.Context, personID tend.ID) (first, last time.Time, ok bool, err error)
	// FindDiarySummaries returns the cards dated from..to without their
	// values or notes (Values and Note nil), oldest first.
	FindDiarySummaries(ctx context.Context, personID tend.ID, from, to time.Time) ([]CardRecord, error)
	// FindDiarySaves returns the history of one card, oldest first.
	FindDiarySaves(ctx context.Context, personID tend.ID, day time.Time) ([]SaveRecord, error)
	// FindDiaryNoteDraft returns the sealed draft of a day's note and when
	// it was saved; ENOTFOUND for none.
	FindDiaryNoteDraft(ctx context.Context, personID tend.ID, day time.Time) ([]byte, time.Time, error)
	// FindDiaryFlags returns the days from..to flagged, with names.
	FindDiaryFlags(ctx context.Context, personID tend.ID, from, to time.Time) ([]Flag, error)
	// FindUnsummarizedDiaryCards returns up to limit cards summarised
	// before the summary counted strong urges, with their values and
	// without notes, in person and day order after (afterPerson,
	// afterDay); none is an empty slice.
	FindUnsummarizedDiaryCards(ctx context.Context, afterPerson tend.ID, afterDay time.Time, limit int) ([]CardRecord, error)
}

// Tx is one unit of work: the card, its history row, its summary, any
// safety prompt and the audit events commit together or not at all.
type Tx interface {
	followup.Tx
	// FindDiaryConfigTx is FindDiaryConfig inside the unit of work.
	FindDiaryConfigTx(ctx context.Context, personID tend.ID) (ConfigRecord, error)
	// PutDiaryTarget adds or replaces one row of the configuration.
	PutDiaryTarget(ctx context.Context, r TargetRecord) error
	// PutDiarySkills sets the skills set and tick list (nil: the set's
	// whole list).
	PutDiarySkills(ctx context.Context, personID tend.ID, set SkillsSet, skills []string, by tend.ID, at time.Time) error
	// FindDiarySaveByKey returns the save recorded under the person's
	// idempotency key, or ENOTFOUND.
	FindDiarySaveByKey(ctx context.Context, personID tend.ID, key string) (SaveRecord, error)
	// DiaryCardForUpdate returns the person's card for day, locked until
	// the unit of work ends, or ENOTFOUND.
	DiaryCardForUpdate(ctx context.Context, personID tend.ID, day time.Time) (CardRecord, error)
	// CreateDiaryCard adds a card with its values; ECONFLICT when the
	// person already has a card for the day (another device got there
	// first: read it for update and merge).
	CreateDiaryCard(ctx context.Context, c CardRecord) error
	// UpdateDiaryCard replaces the card's changed values (changed), its
	// note, time and summary.
	UpdateDiaryCard(ctx context.Context, c CardRecord, changed []Field) error
	CreateDiarySave(ctx context.Context, s SaveRecord) error
	// PutDiaryNoteDraft replaces the day's draft; DeleteDiaryNoteDraft
	// removes it (none is not an error).
	PutDiaryNoteDraft(ctx context.Context, personID tend.ID, day time.Time, body []byte, at time.Time) error
	DeleteDiaryNoteDraft(ctx context.Context, personID tend.ID, day time.Time) error
	// PutDiaryFlag flags a day; DeleteDiaryFlag removes the flag (none is
	// not an error).
	PutDiaryFlag(ctx context.Context, f Flag) error
	DeleteDiaryFlag(ctx context.Context, personID tend.ID, day time.Time) error
	// UpdateDiarySummary sets the summary of a card found by
	// FindUnsummarizedDiaryCards; false when the card was saved since
	// updatedAt (the save wrote its own summary).
	UpdateDiarySummary(ctx context.Context, personID, cardID tend.ID, updatedAt time.Time, s Summary) (bool, error)
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

// Prompter raises safety prompts inside the card's unit of work
// (followup.Service).
type Prompter interface {
	Raise(ctx context.Context, tx followup.Tx, actor tend.Actor, tr followup.Trigger) (followup.Outcome, error)
}

// Settings are the service's diary settings.
type Settings struct {
	// RiddenOutLevel is the urge rating at or above which an urge whose
	// linked action was not done counts as ridden out; 0 means
	// DefaultRiddenOutLevel.
	RiddenOutLevel int `json:"ridden_out_level,omitempty"`
	// AllowHideSafetyRows lets the self-harm, suicidal-thought and
	// suicide-attempt rows be hidden (clinical/diary-card.md).
	AllowHideSafetyRows bool `json:"allow_hide_safety_rows,omitempty"`
}

// DefaultRiddenOutLevel is the ridden-out level unless the service sets
// another.
const DefaultRiddenOutLevel = 3

// Level returns the ridden-out level in force.
func (s Settings) Level() int {
	if s.RiddenOutLevel <= 0 {
		return DefaultRiddenOutLevel
	}
	return s.RiddenOutLevel
}

// Validate names the first problem with the settings.
func (s Settings) Validate() error {
	if s.RiddenOutLevel < 0 || s.RiddenOutLevel > MaxRating {
		return tend.Errorf(tend.EINVALID, "The ridden-out level must be between 1 and %d.", MaxRating)
	}
	return nil
}
