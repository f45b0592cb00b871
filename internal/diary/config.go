package diary

import (
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/skills"
)

// Section is where a target row sits on the card.
type Section string

// The sections.
const (
	SectionUrge    Section = "urge"
	SectionAction  Section = "action"
	SectionEmotion Section = "emotion"
)

// Kind is a target's fixed kind (clinical/diary-card.md): prompts and
// reports use the kind, never the label the person or clinician chose.
type Kind string

// The kinds of urges, actions and emotions.
const (
	KindSuicidalThoughts Kind = "suicidal_thoughts"
	KindUrgeToDie        Kind = "urge_to_die"
	KindUrgeSelfHarm     Kind = "urge_self_harm"
	KindUrgeSubstances   Kind = "urge_substances"
	KindUrgeOther        Kind = "urge_other"

	KindSuicideAttempt Kind = "suicide_attempt"
	KindSelfHarm       Kind = "self_harm"
	KindSubstanceUse   Kind = "substance_use"
	KindActionOther    Kind = "action_other"

	KindSadness       Kind = "sadness"
	KindShame         Kind = "shame"
	KindAnger         Kind = "anger"
	KindFear          Kind = "fear"
	KindJoy           Kind = "joy"
	KindEmotionalPain Kind = "emotional_pain"
	KindPhysicalPain  Kind = "physical_pain"
	KindEmotionOther  Kind = "emotion_other"
)

// Kinds lists the kinds each section offers, in the order forms show them.
var Kinds = map[Section][]Kind{
	SectionUrge:    {KindSuicidalThoughts, KindUrgeToDie, KindUrgeSelfHarm, KindUrgeSubstances, KindUrgeOther},
	SectionAction:  {KindSuicideAttempt, KindSelfHarm, KindSubstanceUse, KindActionOther},
	SectionEmotion: {KindSadness, KindShame, KindAnger, KindFear, KindJoy, KindEmotionalPain, KindPhysicalPain, KindEmotionOther},
}

// SectionOf returns the section kind belongs to, or "" for an unknown kind.
func SectionOf(k Kind) Section {
	for s, ks := range Kinds {
		if slices.Contains(ks, k) {
			return s
		}
	}
	return ""
}

// Safety reports whether rows of this kind cannot be hidden unless the
// service allows it: self-harm, suicidal thoughts and suicide attempts
// (clinical/diary-card.md).
func (k Kind) Safety() bool {
	switch k {
	case KindSuicidalThoughts, KindUrgeToDie, KindUrgeSelfHarm, KindSuicideAttempt, KindSelfHarm:
		return true
	}
	return false
}

// Act reports whether recording this action is a safety prompt (a
// self-harm act or a suicide attempt, safety-rules.md section 4).
func (k Kind) Act() bool { return k == KindSelfHarm || k == KindSuicideAttempt }

// LabelID is the catalogue id of the kind's default label.
func (k Kind) LabelID() string { return "diary.kind." + string(k) }

// rank orders rows within a section by the DBT target hierarchy:
// life-threatening behaviour first.
func (k Kind) rank() int {
	switch k {
	case KindUrgeToDie, KindSuicideAttempt:
		return 0
	case KindSuicidalThoughts:
		return 1
	case KindUrgeSelfHarm, KindSelfHarm:
		return 2
	case KindUrgeSubstances, KindSubstanceUse:
		return 3
	}
	return 4
}

// Target is one row of the card: an urge, an action or an emotion.
type Target struct {
	// ID is stable for the person: cards refer to it. The default rows
	// have the same ids for everyone ("u.self_harm"); added rows get a
	// fresh one ("x.<random>").
	ID      string
	Section Section
	Kind    Kind
	// Label is the person's or clinician's own name for the row; "" shows
	// the kind's default label.
	Label string
	// UrgeID links an action to the urge it belongs to ("urges ridden
	// out" needs the link); "" for none.
	UrgeID string
	// Counted actions ask how many times; Medical ones ask "did this need
	// medical care?".
	Counted, Medical bool
	Hidden           bool
	Position         int
	Default          bool // one of the default rows of clinical/diary-card.md
	ChangedBy        tend.ID
	ChangedAt        time.Time
}

// The default rows (clinical/diary-card.md "Default rows" and emotions).
var defaults = []Target{
	{ID: "u.thoughts", Section: SectionUrge, Kind: KindSuicidalThoughts},
	{ID: "u.die", Section: SectionUrge, Kind: KindUrgeToDie},
	{ID: "u.self_harm", Section: SectionUrge, Kind: KindUrgeSelfHarm},
	{ID: "u.substances", Section: SectionUrge, Kind: KindUrgeSubstances},
	{ID: "a.attempt", Section: SectionAction, Kind: KindSuicideAttempt, UrgeID: "u.die", Medical: true},
	{ID: "a.self_harm", Section: SectionAction, Kind: KindSelfHarm, UrgeID: "u.self_harm", Counted: true, Medical: true},
	{ID: "a.substances", Section: SectionAction, Kind: KindSubstanceUse, UrgeID: "u.substances"},
	{ID: "e.sadness", Section: SectionEmotion, Kind: KindSadness},
	{ID: "e.shame", Section: SectionEmotion, Kind: KindShame},
	{ID: "e.anger", Section: SectionEmotion, Kind: KindAnger},
	{ID: "e.fear", Section: SectionEmotion, Kind: KindFear},
	{ID: "e.joy", Section: SectionEmotion, Kind: KindJoy},
}

// Defaults returns the default rows, in order.
func Defaults() []Target {
	out := slices.Clone(defaults)
	for i := range out {
		out[i].Default = true
		out[i].Position = i
	}
	return out
}

// SkillsSet is which DBT modules the skills tick list shows: the four of
// DBT, or the five of DBT-A (with Walking the Middle Path).
type SkillsSet string

// The skills sets.
const (
	SkillsDBT  SkillsSet = "dbt"
	SkillsDBTA SkillsSet = "dbt_a"
)

// Modules returns the library modules of the set, in order.
func (s SkillsSet) Modules() []skills.Module {
	m := skills.DBT
	if s == SkillsDBTA {
		m = skills.DBTA
	}
	var out []skills.Module
	for _, mod := range skills.Modules {
		if slices.Contains(mod.Modalities, m) {
			out = append(out, mod)
		}
	}
	return out
}

// Valid reports whether s is a skills set.
func (s SkillsSet) Valid() bool { return s == SkillsDBT || s == SkillsDBTA }

// Config is one person's card: its rows, the skills on the tick list, and
// the parts that depend on the care team's records.
type Config struct {
	PersonID tend.ID
	Targets  []Target // urges, then actions, then emotions, each by position
	Set      SkillsSet
	// Skills are the library ids on the tick list, in library order.
	Skills []string
	// Medication: the person has a medication list, so the card asks
	// whether it was taken as prescribed. Group: they are enrolled in a
	// support or skills group.
	Medication, Group bool
	// TimeZone is the person's zone; Joined the civil date they joined
	// there, JoinedAt the instant.
	TimeZone string
	Joined   time.Time
	JoinedAt time.Time
}

// Target returns the row with id.
func (c Config) Target(id string) (Target, bool) {
	i := slices.IndexFunc(c.Targets, func(t Target) bool { return t.ID == id })
	if i < 0 {
		return Target{}, false
	}
	return c.Targets[i], true
}

// Section returns the rows of a section, in position order; hidden rows
// only when withHidden.
func (c Config) Section(s Section, withHidden bool) []Target {
	var out []Target
	for _, t := range c.Targets {
		if t.Section == s && (withHidden || !t.Hidden) {
			out = append(out, t)
		}
	}
	return out
}

// GridOrder returns the visible urge and action rows in the order of the
// DBT target hierarchy (life-threatening first), each urge followed by
// the actions linked to it; rows with no link follow.
func (c Config) GridOrder() []Target {
	var urges, actions []Target
	for _, t := range c.Targets {
		if t.Hidden {
			continue
		}
		switch t.Section {
		case SectionUrge:
			urges = append(urges, t)
		case SectionAction:
			actions = append(actions, t)
		}
	}
	slices.SortStableFunc(urges, func(a, b Target) int { return a.Kind.rank() - b.Kind.rank() })
	var out []Target
	used := map[string]bool{}
	for _, u := range urges {
		out = append(out, u)
		for _, a := range actions {
			if a.UrgeID == u.ID && !used[a.ID] {
				out = append(out, a)
				used[a.ID] = true
			}
		}
	}
	rest := slices.DeleteFunc(slices.Clone(actions), func(a Target) bool { return used[a.ID] })
	slices.SortStableFunc(rest, func(a, b Target) int { return a.Kind.rank() - b.Kind.rank() })
	return append(out, rest...)
}

// SkillsByModule groups the tick list by module, in library order.
func (c Config) SkillsByModule() []ModuleSkills {
	var out []ModuleSkills
	for _, m := range c.Set.Modules() {
		ms := ModuleSkills{Module: m}
		for _, sk := range skills.Library {
			if sk.Module == m.ID && slices.Contains(c.Skills, sk.ID) {
				ms.Skills = append(ms.Skills, sk)
			}
		}
		if len(ms.Skills) > 0 {
			out = append(out, ms)
		}
	}
	return out
}

// ModuleSkills is one module's skills on the tick list.
type ModuleSkills struct {
	Module skills.Module
	Skills []skills.Skill
}

// SetSkills returns every library skill of set's modules: the default tick
// list.
func SetSkills(set SkillsSet) []string {
	var out []string
	for _, m := range set.Modules() {
		for _, sk := range skills.Library {
			if sk.Module == m.ID {
				out = append(out, sk.ID)
			}
		}
	}
	return out
}

// validTargetID reports whether id is a target id a client may name.
func validTargetID(id string) bool {
	if len(id) < 3 || len(id) > 40 {
		return false
	}
	return strings.IndexFunc(id, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '.' && r != '_' && r != '-'
	}) < 0
}
