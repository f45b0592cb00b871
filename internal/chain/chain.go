package chain

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/vault"
)

// LinkType is what a link of the chain is (section 4).
type LinkType string

// The link types, a fixed list (clinical/chain-analysis.md section 4).
const (
	LinkThought LinkType = "thought"
	LinkEmotion LinkType = "emotion"
	LinkBody    LinkType = "body_sensation"
	LinkUrge    LinkType = "urge"
	LinkAction  LinkType = "action"
)

// LinkTypes lists every link type, in the order forms offer them.
var LinkTypes = []LinkType{LinkThought, LinkEmotion, LinkBody, LinkUrge, LinkAction}

// Valid reports whether t is one of LinkTypes.
func (t LinkType) Valid() bool {
	for _, v := range LinkTypes {
		if t == v {
			return true
		}
	}
	return false
}

// MessageID names the link type's label in the message catalogue.
func (t LinkType) MessageID() string { return "chain.link_type." + string(t) }

// State is where an analysis stands.
type State string

// The states: a draft until either party marks it complete; it can be
// reopened.
const (
	StateDraft    State = "draft"
	StateComplete State = "complete"
)

// Link is one link of the chain (section 4).
type Link struct {
	ID   string   `json:"id"`
	Type LinkType `json:"type"`
	Text string   `json:"text"`
}

// Solution is a skill or change that could break the chain (section 6):
// for one link (LinkID) or in general (LinkID ""), optionally naming a skill
// of the library (SkillID, "" for none).
type Solution struct {
	ID      string `json:"id"`
	LinkID  string `json:"link_id,omitempty"`
	SkillID string `json:"skill_id,omitempty"`
	Text    string `json:"text"`
}

// Content is what the two writers fill in: the nine sections of the
// worksheet, all the person's health content, sealed as one.
type Content struct {
	Behaviour     string     `json:"behaviour"`     // 1. the problem behaviour
	Vulnerability string     `json:"vulnerability"` // 2. vulnerability factors
	Prompting     string     `json:"prompting"`     // 3. the prompting event
	Links         []Link     `json:"links"`         // 4. links
	Consequences  string     `json:"consequences"`  // 5. consequences
	Solutions     []Solution `json:"solutions"`     // 6. solution analysis
	Prevention    string     `json:"prevention"`    // 7. prevention plan
	Repair        string     `json:"repair"`        // 8. repair
	Commitment    string     `json:"commitment"`    // 9. commitment
}

// Sections names the free-text sections, in worksheet order, with a
// pointer to each in c (links and solutions are lists, not in it).
func (c *Content) Sections() []Section {
	return []Section{
		{"behaviour", 1, &c.Behaviour}, {"vulnerability", 2, &c.Vulnerability}, {"prompting", 3, &c.Prompting},
		{"consequences", 5, &c.Consequences}, {"prevention", 7, &c.Prevention}, {"repair", 8, &c.Repair}, {"commitment", 9, &c.Commitment},
	}
}

// Section is one free-text section of Content.
type Section struct {
	Name   string // the form field and message id part
	Number int    // its number on the worksheet
	Text   *string
}

// Analysis is one chain analysis, opened.
type Analysis struct {
	ID       tend.ID
	PersonID tend.ID
	// Day is the diary day it is about (a civil date, YYYY-MM-DD), and
	// Target the diary target id of the action (an opaque short id).
	Day    string
	Target string
	State  State
	// Revision counts saves: 1 when opened. A save names the revision it
	// started from, so a save from an older one is merged, not lost.
	Revision     int
	Content      Content
	OpenedBy     tend.ID
	OpenedByName string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CompletedAt  time.Time // zero while a draft
}

// Complete reports whether the analysis is marked complete.
func (a Analysis) Complete() bool { return a.State == StateComplete }

// Record is an analysis as stored: its content sealed.
type Record struct {
	ID          tend.ID
	PersonID    tend.ID
	Day         string
	Target      string
	State       State
	Revision    int
	Body        []byte // sealed JSON of Content
	OpenedBy    tend.ID
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
	CompletedBy tend.ID
}

// Store reads outside a unit of work, so the person's own reads never
// need a write.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindChainAnalyses returns the person's analyses, most recently
	// changed first; none is an empty slice.
	FindChainAnalyses(ctx context.Context, personID tend.ID) ([]Record, error)
	// FindChainAnalysis returns one of the person's analyses, or ENOTFOUND.
	FindChainAnalysis(ctx context.Context, personID, id tend.ID) (Record, error)
	// FindStaffNames returns staff names by id ("" for unknown ids).
	FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error)
	// FindChainMembers returns the person's care-team memberships that
	// have not ended, with names: the candidate readers of the analyses.
	FindChainMembers(ctx context.Context, personID tend.ID) ([]Member, error)
}

// Member is a care-team membership that has not ended, with the staff
// member's name.
type Member struct {
	StaffID tend.ID
	Name    string
	Role    tend.CareRole
}

// Tx is one unit of work: the data and its audit events commit together.
type Tx interface {
	// ChainAnalysisForUpdate returns one of the person's analyses, locked
	// until the unit of work ends, or ENOTFOUND.
	ChainAnalysisForUpdate(ctx context.Context, personID, id tend.ID) (Record, error)
	// CreateChainAnalysis adds an analysis; ECONFLICT when the id is taken.
	CreateChainAnalysis(ctx context.Context, r Record) error
	// UpdateChainAnalysis replaces an analysis's body, revision, state and
	// times; ENOTFOUND for an unknown analysis.
	UpdateChainAnalysis(ctx context.Context, r Record) error
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

// Homework assigns homework (skills.Service): a solution that names a
// skill becomes homework through it, with its own access check and audit.
type Homework interface {
	Assign(ctx context.Context, actor tend.Actor, personID tend.ID, a skills.Assignment) (skills.Homework, error)
}
