package followup

import (
	"fmt"
	"slices"
	"time"

	"github.com/tendcare/tend"
)

// Response is what a safety prompt does for the care team when it fires
// (safety-rules.md section 4). Whatever the response, the person always sees
// their safety plan (or the default card) and the help options at once.
type Response string

// The responses.
const (
	// ResponseTask adds the trigger to the person's open follow-up task.
	ResponseTask Response = "task_now"
	// ResponseNextSession flags the trigger for the person's next session.
	ResponseNextSession Response = "next_session"
	// ResponseNone sends nothing to the care team; the person is told so.
	ResponseNone Response = "none"
)

// Responses lists the responses in the order pages offer them.
var Responses = []Response{ResponseTask, ResponseNextSession, ResponseNone}

// Valid reports whether r is a response.
func (r Response) Valid() bool { return slices.Contains(Responses, r) }

// Kinds lists the trigger kinds in the order pages show them.
var Kinds = []Kind{KindAct, KindUrgeToDie, KindPHQ9Item9, KindQuestionnaireItem, KindContactRequest}

// Valid reports whether k is a trigger kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// DefaultUrgeToDieLevel is the rating (0-5 on the diary card) at or above
// which an urge to end one's life is a trigger, unless the service sets
// another (safety-rules.md section 4).
const DefaultUrgeToDieLevel = 4

// MaxUrgeToDieLevel is the top of the diary card's urge scale.
const MaxUrgeToDieLevel = 5

// Rules are the service's trigger settings: a response per kind (a kind not
// set creates a task now) and the urge-to-die level.
type Rules struct {
	Responses      map[Kind]Response `json:"responses,omitempty"`
	UrgeToDieLevel int               `json:"urge_to_die_level,omitempty"` // 0 means the default
}

// Response returns the service's response for k.
func (r Rules) Response(k Kind) Response {
	if v, ok := r.Responses[k]; ok && v.Valid() {
		return v
	}
	return ResponseTask
}

// Level returns the urge-to-die rating that fires a trigger.
func (r Rules) Level() int {
	if r.UrgeToDieLevel <= 0 {
		return DefaultUrgeToDieLevel
	}
	return r.UrgeToDieLevel
}

// Validate checks the rules, naming the first problem.
func (r Rules) Validate() error {
	for k, v := range r.Responses {
		if !k.Valid() {
			return fmt.Errorf("unknown trigger %q", k)
		}
		if !v.Valid() {
			return fmt.Errorf("trigger %q: unknown response %q (use task_now, next_session or none)", k, v)
		}
	}
	if r.UrgeToDieLevel < 0 || r.UrgeToDieLevel > MaxUrgeToDieLevel {
		return fmt.Errorf("urge_to_die_level must be between 1 and %d", MaxUrgeToDieLevel)
	}
	return nil
}

// PersonRule is a clinician's setting of one trigger for one person, which
// takes the place of the service's.
type PersonRule struct {
	PersonID  tend.ID
	Kind      Kind
	Response  Response
	SetBy     tend.ID
	SetByName string // the staff member's name, to show the person who set it
	SetAt     time.Time
}

// Prompt is what one trigger does for one person, and why.
type Prompt struct {
	Kind     Kind
	Response Response    // what it does now
	Service  Response    // the service's setting
	Person   *PersonRule // the clinician's setting for this person, if any
}

// Flag is a trigger set aside for the person's next session.
type Flag struct {
	ID          tend.ID
	PersonID    tend.ID
	Kind        Kind
	SourceID    tend.ID
	RecordedAt  time.Time
	ReceivedAt  time.Time
	DiscussedAt *time.Time
	DiscussedBy tend.ID
}
