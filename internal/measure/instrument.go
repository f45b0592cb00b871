package measure

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Coding is a code from a code system (LOINC for the shipped instruments).
type Coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// LOINC is the code system of the shipped instruments' codes.
const LOINC = "http://loinc.org"

// Option is one answer an item offers: its ordinal value and label.
type Option struct {
	Value int     `json:"value"`
	Label string  `json:"label"`
	Code  *Coding `json:"code,omitempty"`
}

// Item is one question. Only items listed in the scoring definition count
// towards a total; others (such as PHQ-9 item 10) are asked and kept.
type Item struct {
	LinkID  string   `json:"link_id"`
	Text    string   `json:"text"`
	Code    *Coding  `json:"code,omitempty"`
	Options []Option `json:"options"`
}

// Option returns the item's option with value v.
func (it Item) Option(v int) (Option, bool) {
	for _, o := range it.Options {
		if o.Value == v {
			return o, true
		}
	}
	return Option{}, false
}

// span returns the lowest and highest option values.
func (it Item) span() (lo, hi int) {
	lo, hi = math.MaxInt, math.MinInt
	for _, o := range it.Options {
		lo, hi = min(lo, o.Value), max(hi, o.Value)
	}
	return lo, hi
}

// Method is how item values make a score.
type Method string

// The scoring methods.
const (
	MethodSum  Method = "sum"
	MethodMean Method = "mean"
)

// Direction says which way a score gets better.
type Direction string

// The directions.
const (
	HigherIsWorse  Direction = "higher_is_worse"
	HigherIsBetter Direction = "higher_is_better"
)

// Band is a labelled range of totals, From and To inclusive.
type Band struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Label string  `json:"label"`
}

// Subscale is a named score from some of the items, scored like the total.
type Subscale struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Items []string `json:"items"`
}

// ReliableChange is the rule that says whether a change between two totals
// is reliable (outcomes.md section 3): either fixed points (PHQ-9 and GAD-7)
// or Jacobson & Truax from the SD and reliability.
type ReliableChange struct {
	// Points is a fixed change in points at or above which a change is
	// reliable; 0 when the rule is Jacobson-Truax.
	Points float64 `json:"points,omitempty"`
	// SD and Reliability give the Jacobson-Truax reliable change index.
	SD          float64 `json:"sd,omitempty"`
	Reliability float64 `json:"reliability,omitempty"`
	// Source names where the rule comes from, shown beside the judgement.
	Source string `json:"source,omitempty"`
}

// JacobsonTruax reports whether the rule is the Jacobson-Truax index.
func (rc ReliableChange) JacobsonTruax() bool { return rc.Points == 0 }

// PromptItem is an item whose answer at or above From proposes a safety
// prompt (PHQ-9 item 9 above 0).
type PromptItem struct {
	LinkID string `json:"link_id"`
	From   int    `json:"from"`
}

// Scoring is an instrument's scoring definition.
type Scoring struct {
	Method Method `json:"method"`
	// Items are the link ids that count towards the total.
	Items []string `json:"items"`
	// Reverse lists scored items whose value is reversed (lowest + highest
	// option value - value) before scoring.
	Reverse []string `json:"reverse,omitempty"`
	// RequireAll: a total needs every scored item answered. Otherwise at
	// least MinAnswered (a mean of those answered; a sum is never
	// prorated, so a sum always requires all).
	RequireAll  bool `json:"require_all"`
	MinAnswered int  `json:"min_answered,omitempty"`
	// Decimals is how many decimals a mean keeps (0 for a sum).
	Decimals  int        `json:"decimals,omitempty"`
	Subscales []Subscale `json:"subscales,omitempty"`
	Bands     []Band     `json:"bands,omitempty"`
	Direction Direction  `json:"direction"`
	// Threshold is the clinical threshold ("caseness"): a total at or above
	// it (at or below for HigherIsBetter) is above threshold; nil for none.
	Threshold *float64        `json:"threshold,omitempty"`
	Change    *ReliableChange `json:"reliable_change,omitempty"`
	Prompts   []PromptItem    `json:"prompts,omitempty"`
}

// Instrument is one version of a questionnaire in one language. The shipped
// instruments are Builtin; the rest a service imports, with its statement of
// its right to use them.
type Instrument struct {
	// ID names this version: key, version and language ("phq-9.1.en").
	ID       string `json:"id"`
	Key      string `json:"key"`
	Title    string `json:"title"`
	Short    string `json:"short"` // "PHQ-9"
	Version  string `json:"version"`
	Language string `json:"language"`
	Stem     string `json:"stem,omitempty"`
	// Audience is "adult" or "young_people" (young-people.md).
	Audience string  `json:"audience,omitempty"`
	Panel    *Coding `json:"panel,omitempty"`
	// TotalCode codes the total score (LOINC where one exists).
	TotalCode *Coding `json:"total_code,omitempty"`
	Items     []Item  `json:"items"`
	Scoring   Scoring `json:"scoring"`
	// Licence states the terms the instrument is used under, with their source.
	Licence string `json:"licence"`
	Builtin bool   `json:"builtin,omitempty"`
}

// Item returns the item with link id id.
func (in *Instrument) Item(id string) (Item, bool) {
	for _, it := range in.Items {
		if it.LinkID == id {
			return it, true
		}
	}
	return Item{}, false
}

// Scored reports whether item id counts towards the total.
func (in *Instrument) Scored(id string) bool { return slices.Contains(in.Scoring.Items, id) }

// Range returns the lowest and highest total the instrument can give.
func (in *Instrument) Range() (lo, hi float64) {
	return in.scaleRange(in.Scoring.Items)
}

func (in *Instrument) scaleRange(items []string) (lo, hi float64) {
	for _, id := range items {
		it, _ := in.Item(id)
		a, b := it.span()
		lo += float64(a)
		hi += float64(b)
	}
	if in.Scoring.Method == MethodMean && len(items) > 0 {
		lo, hi = lo/float64(len(items)), hi/float64(len(items))
	}
	return lo, hi
}

// Limits on an instrument, so an import cannot fill a page or the database.
const (
	MaxItems      = 200
	MaxOptions    = 20
	MaxTextChars  = 2000
	MaxLinkChars  = 64
	MaxKeyChars   = 40
	MaxBands      = 12
	MaxSubscales  = 20
	maxValueRange = 1000
)

// Validate checks an instrument can be shown and scored, naming the first
// problem in words an admin can act on.
func (in *Instrument) Validate() error {
	if !validKey(in.Key) {
		return fmt.Errorf("the instrument needs a short name of letters, digits and hyphens (at most %d characters)", MaxKeyChars)
	}
	if !validKey(in.Version) {
		return fmt.Errorf("the instrument needs a version of letters, digits, dots and hyphens")
	}
	if !validKey(in.Language) {
		return fmt.Errorf("the instrument needs a language (such as en or en-GB)")
	}
	if strings.TrimSpace(in.Title) == "" || len(in.Title) > 200 {
		return fmt.Errorf("the instrument needs a title of at most 200 characters")
	}
	if strings.TrimSpace(in.Licence) == "" {
		return fmt.Errorf("the instrument needs its licence or terms of use")
	}
	if len(in.Items) == 0 || len(in.Items) > MaxItems {
		return fmt.Errorf("the instrument needs between 1 and %d items", MaxItems)
	}
	seen := map[string]bool{}
	for i, it := range in.Items {
		if it.LinkID == "" || len(it.LinkID) > MaxLinkChars || strings.ContainsAny(it.LinkID, " \t\r\n") {
			return fmt.Errorf("item %d needs a link id without spaces (at most %d characters)", i+1, MaxLinkChars)
		}
		if seen[it.LinkID] {
			return fmt.Errorf("item %q appears twice", it.LinkID)
		}
		seen[it.LinkID] = true
		if strings.TrimSpace(it.Text) == "" || len(it.Text) > MaxTextChars {
			return fmt.Errorf("item %q needs a text of at most %d characters", it.LinkID, MaxTextChars)
		}
		if len(it.Options) < 2 || len(it.Options) > MaxOptions {
			return fmt.Errorf("item %q needs between 2 and %d answer options, each with a value", it.LinkID, MaxOptions)
		}
		values := map[int]bool{}
		for _, o := range it.Options {
			if values[o.Value] {
				return fmt.Errorf("item %q gives the value %d to two answers", it.LinkID, o.Value)
			}
			values[o.Value] = true
			if o.Value < -maxValueRange || o.Value > maxValueRange {
				return fmt.Errorf("item %q: answer values must be between %d and %d", it.LinkID, -maxValueRange, maxValueRange)
			}
			if strings.TrimSpace(o.Label) == "" || len(o.Label) > MaxTextChars {
				return fmt.Errorf("item %q: every answer needs a label", it.LinkID)
			}
		}
	}
	return in.Scoring.validate(in)
}

func (s Scoring) validate(in *Instrument) error {
	if s.Method != MethodSum && s.Method != MethodMean {
		return fmt.Errorf("the scoring method must be %q or %q", MethodSum, MethodMean)
	}
	if s.Direction != HigherIsWorse && s.Direction != HigherIsBetter {
		return fmt.Errorf("the scoring direction must be %q or %q", HigherIsWorse, HigherIsBetter)
	}
	if len(s.Items) == 0 {
		return fmt.Errorf("the scoring definition must name the items that count towards the total")
	}
	if err := in.knownItems("the total", s.Items); err != nil {
		return err
	}
	for _, id := range s.Reverse {
		if !slices.Contains(s.Items, id) {
			return fmt.Errorf("reverse-scored item %q is not one of the scored items", id)
		}
	}
	if s.Method == MethodSum && !s.RequireAll {
		return fmt.Errorf("a summed score needs every scored item answered (require_all): Tend never imputes a missing answer")
	}
	if !s.RequireAll && (s.MinAnswered < 1 || s.MinAnswered > len(s.Items)) {
		return fmt.Errorf("a mean that does not need every item must say how many items it needs (min_answered between 1 and %d)", len(s.Items))
	}
	if s.Decimals < 0 || s.Decimals > 3 {
		return fmt.Errorf("decimals must be between 0 and 3")
	}
	if len(s.Subscales) > MaxSubscales {
		return fmt.Errorf("at most %d subscales", MaxSubscales)
	}
	ids := map[string]bool{}
	for _, sc := range s.Subscales {
		if !validKey(sc.ID) || ids[sc.ID] || strings.TrimSpace(sc.Title) == "" || len(sc.Items) == 0 {
			return fmt.Errorf("each subscale needs its own id, a title and its items")
		}
		ids[sc.ID] = true
		if err := in.knownItems("subscale "+sc.ID, sc.Items); err != nil {
			return err
		}
		for _, id := range sc.Items {
			if !slices.Contains(s.Items, id) {
				return fmt.Errorf("subscale %s: item %q is not one of the scored items", sc.ID, id)
			}
		}
	}
	lo, hi := in.Range()
	if len(s.Bands) > MaxBands {
		return fmt.Errorf("at most %d bands", MaxBands)
	}
	for i, b := range s.Bands {
		if strings.TrimSpace(b.Label) == "" || b.From > b.To {
			return fmt.Errorf("band %d needs a label and a range from its lowest to its highest score", i+1)
		}
		if isRisk(b.Label) {
			return fmt.Errorf("band %q: Tend never labels a score as a risk level (safety-rules.md section 1)", b.Label)
		}
		if i > 0 && b.From <= s.Bands[i-1].To {
			return fmt.Errorf("bands must be in order and must not overlap (band %q)", b.Label)
		}
	}
	if len(s.Bands) > 0 {
		if s.Bands[0].From > lo || s.Bands[len(s.Bands)-1].To < hi {
			return fmt.Errorf("the bands must cover every possible score, from %s to %s", Format(lo, s.Decimals), Format(hi, s.Decimals))
		}
		step := math.Pow10(-s.Decimals)
		if s.Method == MethodSum {
			step = 1
		}
		for i := 1; i < len(s.Bands); i++ {
			if s.Bands[i].From-s.Bands[i-1].To > step+1e-9 {
				return fmt.Errorf("the bands leave a gap between %s and %s", Format(s.Bands[i-1].To, s.Decimals), Format(s.Bands[i].From, s.Decimals))
			}
		}
	}
	if s.Threshold != nil && (*s.Threshold < lo || *s.Threshold > hi) {
		return fmt.Errorf("the clinical threshold must be a possible score, from %s to %s", Format(lo, s.Decimals), Format(hi, s.Decimals))
	}
	if rc := s.Change; rc != nil {
		switch {
		case rc.Points < 0:
			return fmt.Errorf("reliable change points must be above 0")
		case rc.Points == 0 && (rc.SD <= 0 || rc.Reliability <= 0 || rc.Reliability >= 1):
			return fmt.Errorf("reliable change needs fixed points, or an SD above 0 and a reliability between 0 and 1 (Jacobson-Truax)")
		case rc.Points > 0 && (rc.SD != 0 || rc.Reliability != 0):
			return fmt.Errorf("reliable change takes fixed points or an SD and reliability, not both")
		}
	}
	for _, p := range s.Prompts {
		it, ok := in.Item(p.LinkID)
		if !ok {
			return fmt.Errorf("prompt item %q is not an item of the instrument", p.LinkID)
		}
		if _, hi := it.span(); p.From > hi {
			return fmt.Errorf("prompt item %q: no answer reaches %d", p.LinkID, p.From)
		}
	}
	return nil
}

func (in *Instrument) knownItems(what string, ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := in.Item(id); !ok {
			return fmt.Errorf("%s names item %q, which the instrument does not have", what, id)
		}
		if seen[id] {
			return fmt.Errorf("%s names item %q twice", what, id)
		}
		seen[id] = true
	}
	return nil
}

// isRisk reports whether a label speaks of risk: no instrument ever
// produces a risk level (safety-rules.md section 1).
func isRisk(label string) bool {
	return strings.Contains(strings.ToLower(label), "risk")
}

func validKey(s string) bool {
	if s == "" || len(s) > MaxKeyChars {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '.' && r != '_' {
			return false
		}
	}
	return true
}

// MakeID names an instrument version.
func MakeID(key, version, language string) string {
	return strings.ToLower(key + "." + version + "." + language)
}
