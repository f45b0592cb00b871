package toolbox

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Kind is a kind of activity in the toolbox.
type Kind string

// The kinds of activity, in the order the toolbox offers them.
const (
	Comfort  Kind = "comfort"
	Distract Kind = "distract"
	Express  Kind = "express"
	Move     Kind = "move"
	Breathe  Kind = "breathe"
)

// Kinds lists every kind in the order the toolbox offers them.
var Kinds = []Kind{Comfort, Distract, Express, Move, Breathe}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Question is the answer to the toolbox's first question.
type Question string

// The answers to "Is this an urge to hurt yourself, or thoughts of ending
// your life?".
const (
	QuestionUrge     Question = "urge"     // an urge to hurt yourself
	QuestionThoughts Question = "thoughts" // thoughts of ending your life: the plan and help come first
)

// Valid reports whether q is one of the two answers.
func (q Question) Valid() bool { return q == QuestionUrge || q == QuestionThoughts }

// Source says where an activity comes from.
type Source string

// The sources of activities.
const (
	SourceStarter Source = "starter" // shipped with Tend, worded in the catalogue
	SourceService Source = "service" // added by the service's admins
	SourceOwn     Source = "own"     // written by the person, sealed with their key
)

// Activity is one thing to do in the toolbox, as one person sees it.
type Activity struct {
	// ID is stable: a starter's catalogue name ("move.walk_dance"), or
	// "service-<id>" or "own-<id>".
	ID     string
	Kind   Kind
	Source Source
	// Title is the text of a service's or the person's own activity; a
	// starter's wording is the catalogue message "toolbox.activity.<ID>".
	Title string
	// Caution means the activity involves cold water or intense exercise:
	// the medical caution of safety-rules.md section 8 is shown with it,
	// and "pick one for me" never chooses it until the person accepts it.
	Caution bool
	// Breathing marks the paced-breathing guide.
	Breathing bool
	// HopeBox links to the person's hope box.
	HopeBox bool
	Hidden  bool
	Pinned  bool
}

// MessageID is the catalogue id of a starter activity's wording.
func (a Activity) MessageID() string { return "toolbox.activity." + a.ID }

// Starters are the activities Tend ships (skills.md "Starter activities"),
// worded in the catalogue under their ids. Ids never change: a person's
// hidden and pinned choices and their log refer to them.
var Starters = []Activity{
	{ID: "comfort.wrap_up", Kind: Comfort},
	{ID: "comfort.hot_drink", Kind: Comfort},
	{ID: "comfort.song", Kind: Comfort},
	{ID: "comfort.hope_box", Kind: Comfort, HopeBox: true},
	{ID: "distract.sevens", Kind: Distract},
	{ID: "distract.senses", Kind: Distract},
	{ID: "distract.puzzle", Kind: Distract},
	{ID: "distract.tidy", Kind: Distract},
	{ID: "distract.funny", Kind: Distract},
	{ID: "express.write", Kind: Express},
	{ID: "express.draw", Kind: Express},
	{ID: "express.sing", Kind: Express},
	{ID: "express.letter", Kind: Express},
	{ID: "move.walk_dance", Kind: Move, Caution: true},
	{ID: "move.stress_ball", Kind: Move},
	{ID: "move.stretch", Kind: Move},
	{ID: "breathe.paced", Kind: Breathe, Breathing: true},
}

// Minutes are the timer lengths a person chooses from.
var Minutes = []int{5, 10, 15}

// Use is one use of the toolbox, as logged.
type Use struct {
	ID         tend.ID
	PersonID   tend.ID
	Question   Question
	UrgeBefore int
	ActivityID string
	Minutes    int
	UrgeAfter  int
	Helpful    bool
	RecordedAt time.Time // the device's time
	ReceivedAt time.Time // when the server stored it
	// Activity is the activity as the person sees it now (for the log); its
	// ID is empty when the activity no longer exists.
	Activity Activity
}

// Lower reports whether the urge was lower after the activity.
func (u Use) Lower() bool { return u.UrgeAfter < u.UrgeBefore }

// NewUse is a finished use as a device submits it.
type NewUse struct {
	Key        string // the idempotency key: a retried or queued use is stored once
	Question   Question
	UrgeBefore int
	ActivityID string
	Minutes    int
	UrgeAfter  int
	Helpful    bool
	RecordedAt time.Time // zero means now
}

// ServiceActivity is an activity a service added.
type ServiceActivity struct {
	ID        tend.ID
	Kind      Kind
	Title     string
	Caution   bool
	AddedBy   tend.ID
	AddedAt   time.Time
	RetiredAt *time.Time
}

// NewServiceActivity is what an admin submits.
type NewServiceActivity struct {
	Kind    Kind
	Title   string
	Caution bool
	// Safe is the admin's confirmation that the activity causes no pain,
	// does not mark the body and does not imitate self-harm.
	Safe bool
}

// OwnRecord is a person's own activity as stored: its text sealed.
type OwnRecord struct {
	ID        tend.ID
	PersonID  tend.ID
	Kind      Kind
	Sealed    []byte
	CreatedAt time.Time
}

// UseRecord is a use as stored: the answers sealed with the person's key.
type UseRecord struct {
	ID         tend.ID
	PersonID   tend.ID
	Key        string
	ActivityID string
	Minutes    int
	Sealed     []byte
	RecordedAt time.Time
	ReceivedAt time.Time
}

// Choice is a person's hidden or pinned mark on one activity.
type Choice struct {
	ActivityID string
	Hidden     bool
	Pinned     bool
}

// Prefs are a person's toolbox settings.
type Prefs struct {
	Choices         []Choice
	CautionAccepted bool
}

// Store reads outside a unit of work, so the person's toolbox opens while
// the database cannot take writes.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindToolboxPrefs returns the person's choices and caution acceptance
	// (empty when they have made none).
	FindToolboxPrefs(ctx context.Context, personID tend.ID) (Prefs, error)
	// FindToolboxOwn returns the person's own activities, oldest first.
	FindToolboxOwn(ctx context.Context, personID tend.ID) ([]OwnRecord, error)
	// FindServiceActivities returns the service's activities, oldest
	// first; retired ones only when all is true.
	FindServiceActivities(ctx context.Context, all bool) ([]ServiceActivity, error)
	// FindToolboxUses returns the person's uses, newest first, at most limit.
	FindToolboxUses(ctx context.Context, personID tend.ID, limit int) ([]UseRecord, error)
	// FindToolboxUse returns one use of the person, or ENOTFOUND.
	FindToolboxUse(ctx context.Context, personID, id tend.ID) (UseRecord, error)
}

// Tx is one unit of work: the change and its audit event commit together.
type Tx interface {
	// PutToolboxChoice sets (or with neither mark, removes) a choice.
	PutToolboxChoice(ctx context.Context, personID tend.ID, c Choice) error
	// PutToolboxCaution records whether the person accepted the caution.
	PutToolboxCaution(ctx context.Context, personID tend.ID, accepted bool, at time.Time) error
	CreateToolboxOwn(ctx context.Context, r OwnRecord) error
	CreateServiceActivity(ctx context.Context, a ServiceActivity) error
	// RetireServiceActivity marks it retired; ENOTFOUND if it is not active.
	RetireServiceActivity(ctx context.Context, id tend.ID, at time.Time) error
	// CreateToolboxUse stores r unless the person already has a use with
	// r.Key; it returns the stored use and whether r was added.
	CreateToolboxUse(ctx context.Context, r UseRecord) (UseRecord, bool, error)
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
	CheckService(ctx context.Context, actor tend.Actor, action access.Action) error
}

// Sealer seals and opens a person's text (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
}

// refused are the activities safety-rules.md section 7 says Tend never
// offers: ones that cause pain, mark the body or imitate self-harm. The
// check applies to service content only, never to what a person writes.
var refused = []*regexp.Regexp{
	regexp.MustCompile(`\b(rubber|elastic|hair)[ -]?bands?\b`),
	regexp.MustCompile(`\b(ice|icy|ice[ -]?cubes?|iced)\b`),
	regexp.MustCompile(`\bfreezing\b`),
	regexp.MustCompile(`\b(draw|drawing|write|writing|mark|marking|marker|pen)\b.*\bskin\b`),
	regexp.MustCompile(`\bskin\b.*\b(draw|drawing|marker|pen|red)\b`),
	regexp.MustCompile(`\b(chil+i|chil+ies|chil+is|hot sauce|hot peppers?|jalape[nñ]os?)\b`),
	regexp.MustCompile(`\b(hit|hits|hitting|punch|punching|slap|slapping|smash|smashing|bang your|head[ -]?bang)\b`),
	regexp.MustCompile(`\b(snap|snapping|pinch|pinching|scratch|scratching|bite|biting|burn|burning|cut|cutting)\b`),
	regexp.MustCompile(`\b(pain|painful|hurt|hurts|sting|stinging)\b`),
}

// Refused reports whether a service activity's wording names something
// safety-rules.md section 7 forbids.
func Refused(title string) bool {
	t := strings.ToLower(title)
	for _, re := range refused {
		if re.MatchString(t) {
			return true
		}
	}
	return false
}
