package skills

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Homework is a skill or a worksheet a clinician assigned to a person, with
// a due date or a frequency, and the practice the person logged for it.
type Homework struct {
	ID       tend.ID
	PersonID tend.ID
	// Exactly one of SkillID and Worksheet is set.
	SkillID   string
	Worksheet string
	// Exactly one of Due (a civil date, YYYY-MM-DD) and PerWeek (1 to 7;
	// 7 is every day) is set.
	Due     string
	PerWeek int
	// Note is the clinician's note to the person, or "".
	Note           string
	AssignedBy     tend.ID
	AssignedByName string
	AssignedAt     time.Time
	EndedAt        time.Time // zero while the homework is open
	Practice       []Practice
}

// Open reports whether the homework has not been ended.
func (h Homework) Open() bool { return h.EndedAt.IsZero() }

// Helpful is the person's answer to "did it help?".
type Helpful string

// The answers; HelpfulUnsaid when the person left it.
const (
	HelpfulUnsaid Helpful = ""
	HelpfulYes    Helpful = "yes"
	HelpfulNo     Helpful = "no"
)

// Valid reports whether h is one of the answers.
func (h Helpful) Valid() bool { return h == HelpfulUnsaid || h == HelpfulYes || h == HelpfulNo }

// Practice is one time the person practised: for a piece of homework, or a
// skill of the library on their own.
type Practice struct {
	ID         tend.ID
	PersonID   tend.ID
	HomeworkID tend.ID // "" for practice outside homework
	SkillID    string
	Worksheet  string
	RecordedAt time.Time
	Helpful    Helpful
	Note       string
	Answers    map[string]string // worksheet answers by field id
}

// Assignment is what a clinician assigns.
type Assignment struct {
	// Item is "skill:<id>" or "worksheet:<id>", as the assign form's select.
	Item    string
	Due     string // YYYY-MM-DD, or ""
	PerWeek int    // 1 to 7, or 0
	Note    string
}

// NewPractice is what the person logs.
type NewPractice struct {
	// Key is the idempotency key: a retry with the same key adds nothing.
	Key     string
	Helpful Helpful
	Note    string
	Answers map[string]string
}

// HomeworkRecord is a piece of homework as stored: the note sealed.
type HomeworkRecord struct {
	ID         tend.ID
	PersonID   tend.ID
	SkillID    string
	Worksheet  string
	Due        string
	PerWeek    int
	Note       []byte // nil when there is none
	AssignedBy tend.ID
	AssignedAt time.Time
	EndedAt    time.Time
	EndedBy    tend.ID
}

// PracticeRecord is a practice as stored: note and answers sealed.
type PracticeRecord struct {
	ID         tend.ID
	PersonID   tend.ID
	HomeworkID tend.ID
	SkillID    string
	Worksheet  string
	RecordedAt time.Time
	Helpful    Helpful
	Note       []byte // nil when there is none
	Answers    []byte // nil when there are none
}

// HomeworkFilter narrows FindHomework; nil fields do not filter.
type HomeworkFilter struct {
	PersonID tend.ID // required
	ID       *tend.ID
	Open     *bool
}

// Store reads outside a unit of work, so a person's reads need no write.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindSkillFavourites returns the ids of the person's favourite skills,
	// newest first; none is an empty slice.
	FindSkillFavourites(ctx context.Context, personID tend.ID) ([]string, error)
	// FindHomework returns the person's homework matching f, newest first.
	FindHomework(ctx context.Context, f HomeworkFilter) ([]HomeworkRecord, error)
	// FindHomeworkPractice returns the person's practice, newest first.
	FindHomeworkPractice(ctx context.Context, personID tend.ID) ([]PracticeRecord, error)
	// FindStaffNames returns staff names by id ("" for unknown ids).
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
}

// Tx is one unit of work: the data and its audit events commit together.
type Tx interface {
	// PutSkillFavourite marks a favourite; marking it again changes nothing.
	PutSkillFavourite(ctx context.Context, personID tend.ID, skillID string) error
	// DeleteSkillFavourite unmarks it; unmarking a non-favourite changes nothing.
	DeleteSkillFavourite(ctx context.Context, personID tend.ID, skillID string) error
	CreateHomework(ctx context.Context, r HomeworkRecord) error
	// HomeworkByID returns one of the person's homework, locked until the
	// unit of work ends, or ENOTFOUND.
	HomeworkByID(ctx context.Context, personID, id tend.ID) (HomeworkRecord, error)
	// EndHomework ends open homework; ENOTFOUND when it is not open.
	EndHomework(ctx context.Context, personID, id, by tend.ID) error
	CreateHomeworkPractice(ctx context.Context, r PracticeRecord) error
	// FindIdempotencyKeyTx returns the outcome recorded for key, or ENOTFOUND.
	FindIdempotencyKeyTx(ctx context.Context, scope, key string) (string, error)
	PutIdempotencyKey(ctx context.Context, scope, key, outcome string, expires time.Time) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
	CheckTarget(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID, t access.Target) error
}

// Sealer seals and opens a person's text (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
}
