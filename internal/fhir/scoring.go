package fhir

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/tendcare/tend/internal/measure"
)

// Base is the root of the canonical URLs Tend defines.
const Base = "https://github.com/tendcare/tend/fhir"

// The extensions Tend reads and writes (docs/fhir/scoring-extension.md).
const (
	// ScoringURL is the complex extension on a Questionnaire that carries
	// the instrument's scoring definition.
	ScoringURL = Base + "/StructureDefinition/scoring"
	// ScoreURL is the extension on a QuestionnaireResponse that carries the
	// total score (valueDecimal), present only when the response has one.
	ScoreURL = Base + "/StructureDefinition/score"
	// OrdinalValueURL is the standard extension giving an answer its score
	// value.
	OrdinalValueURL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
	// legacyOrdinalURL is the older name of the same extension, still found
	// in published questionnaires; read, never written.
	legacyOrdinalURL = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value"
)

// The directions as the scoring extension spells them.
const (
	codeHigherIsWorse  = "higher-is-worse"
	codeHigherIsBetter = "higher-is-better"
)

// scoring is what the scoring extension carries: the scoring definition and
// the instrument details FHIR has no element for.
type scoring struct {
	measure.Scoring
	Short     string
	Audience  string
	TotalCode *measure.Coding
}

// parts reads a complex extension's sub-extensions by name, refusing names
// it does not know and single parts given twice.
type parts struct {
	what  string // "The scoring extension", "Band 2" …
	byURL map[string][]Extension
}

func newParts(what string, exts []Extension, known map[string]bool) (parts, error) {
	p := parts{what: what, byURL: map[string][]Extension{}}
	for _, e := range exts {
		if !known[e.URL] {
			return p, invalid("%s has a part Tend does not know, %q; the parts are listed in docs/fhir/scoring-extension.md.", what, e.URL)
		}
		p.byURL[e.URL] = append(p.byURL[e.URL], e)
	}
	return p, nil
}

// one returns the single part named name; ok is false when it is absent.
func (p parts) one(name string) (Extension, bool, error) {
	es := p.byURL[name]
	switch len(es) {
	case 0:
		return Extension{}, false, nil
	case 1:
		return es[0], true, nil
	}
	return Extension{}, false, invalid("%s gives %q more than once.", p.what, name)
}

func (p parts) str(name string) (string, error) {
	e, ok, err := p.one(name)
	if err != nil || !ok {
		return "", err
	}
	if e.ValueString == "" {
		return "", invalid("%s: %q needs a valueString.", p.what, name)
	}
	return e.ValueString, nil
}

func (p parts) strs(name string) ([]string, error) {
	var out []string
	for _, e := range p.byURL[name] {
		if e.ValueString == "" {
			return nil, invalid("%s: each %q needs a valueString (an item's linkId).", p.what, name)
		}
		out = append(out, e.ValueString)
	}
	return out, nil
}

func (p parts) code(name string) (string, error) {
	e, ok, err := p.one(name)
	if err != nil || !ok {
		return "", err
	}
	if e.ValueCode == "" {
		return "", invalid("%s: %q needs a valueCode.", p.what, name)
	}
	return e.ValueCode, nil
}

func (p parts) integer(name string) (int, bool, error) {
	e, ok, err := p.one(name)
	if err != nil || !ok {
		return 0, false, err
	}
	if e.ValueInteger == nil {
		return 0, false, invalid("%s: %q needs a valueInteger.", p.what, name)
	}
	return *e.ValueInteger, true, nil
}

func (p parts) decimal(name string) (float64, bool, error) {
	e, ok, err := p.one(name)
	if err != nil || !ok {
		return 0, false, err
	}
	f, err := parseDecimal(e.ValueDecimal)
	if err != nil {
		return 0, false, invalid("%s: %q needs a valueDecimal (a number).", p.what, name)
	}
	return f, true, nil
}

func parseDecimal(n json.Number) (float64, error) {
	if n == "" {
		return 0, fmt.Errorf("no decimal")
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("bad decimal %q", n)
	}
	return f, nil
}

func decimal(f float64) json.Number { return json.Number(strconv.FormatFloat(f, 'f', -1, 64)) }

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// parseScoring reads the scoring extension.
func parseScoring(ext Extension) (scoring, error) {
	var s scoring
	p, err := newParts("The scoring extension", ext.Extension, set("method", "item", "reverse", "requireAll",
		"minAnswered", "decimals", "direction", "threshold", "band", "subscale", "reliableChange", "prompt",
		"short", "audience", "totalCode"))
	if err != nil {
		return s, err
	}
	method, err := p.code("method")
	if err != nil {
		return s, err
	}
	switch method {
	case "sum":
		s.Method = measure.MethodSum
	case "mean":
		s.Method = measure.MethodMean
	case "":
		return s, invalid("The scoring extension needs a method: sum or mean.")
	default:
		return s, invalid("The scoring method %q is not one Tend knows: use sum or mean.", method)
	}
	if s.Items, err = p.strs("item"); err != nil {
		return s, err
	}
	if len(s.Items) == 0 {
		return s, invalid("The scoring extension must name, with its \"item\" parts, the items that count towards the total.")
	}
	if s.Reverse, err = p.strs("reverse"); err != nil {
		return s, err
	}
	if e, ok, err := p.one("requireAll"); err != nil {
		return s, err
	} else if ok {
		if e.ValueBoolean == nil {
			return s, invalid("The scoring extension: \"requireAll\" needs a valueBoolean.")
		}
		s.RequireAll = *e.ValueBoolean
	}
	if s.Method == measure.MethodSum && !s.RequireAll {
		return s, invalid("A summed score needs every scored item answered: set the scoring extension's requireAll to true (Tend never imputes a missing answer).")
	}
	if s.MinAnswered, _, err = p.integer("minAnswered"); err != nil {
		return s, err
	}
	if !s.RequireAll && (s.MinAnswered < 1 || s.MinAnswered > len(s.Items)) {
		return s, invalid("A mean that does not need every scored item answered must say how many it needs: set the scoring extension's minAnswered between 1 and %d.", len(s.Items))
	}
	if s.Decimals, _, err = p.integer("decimals"); err != nil {
		return s, err
	}
	dir, err := p.code("direction")
	if err != nil {
		return s, err
	}
	switch dir {
	case codeHigherIsWorse:
		s.Direction = measure.HigherIsWorse
	case codeHigherIsBetter:
		s.Direction = measure.HigherIsBetter
	default:
		return s, invalid("The scoring extension needs a direction: %s or %s.", codeHigherIsWorse, codeHigherIsBetter)
	}
	if f, ok, err := p.decimal("threshold"); err != nil {
		return s, err
	} else if ok {
		s.Threshold = &f
	}
	for i, e := range p.byURL["band"] {
		b, err := parseBand(i+1, e)
		if err != nil {
			return s, err
		}
		s.Bands = append(s.Bands, b)
	}
	for i, e := range p.byURL["subscale"] {
		sp, err := newParts(fmt.Sprintf("Subscale %d of the scoring extension", i+1), e.Extension, set("id", "title", "item"))
		if err != nil {
			return s, err
		}
		var sc measure.Subscale
		if sc.ID, err = sp.str("id"); err != nil {
			return s, err
		}
		if sc.Title, err = sp.str("title"); err != nil {
			return s, err
		}
		if sc.Items, err = sp.strs("item"); err != nil {
			return s, err
		}
		s.Subscales = append(s.Subscales, sc)
	}
	if e, ok, err := p.one("reliableChange"); err != nil {
		return s, err
	} else if ok {
		rc, err := parseReliableChange(e)
		if err != nil {
			return s, err
		}
		s.Change = &rc
	}
	for i, e := range p.byURL["prompt"] {
		pp, err := newParts(fmt.Sprintf("Prompt %d of the scoring extension", i+1), e.Extension, set("linkId", "from"))
		if err != nil {
			return s, err
		}
		var pr measure.PromptItem
		if pr.LinkID, err = pp.str("linkId"); err != nil {
			return s, err
		}
		from, ok, err := pp.integer("from")
		if err != nil {
			return s, err
		}
		if pr.LinkID == "" || !ok {
			return s, invalid("Prompt %d of the scoring extension needs a linkId and the answer value it starts from.", i+1)
		}
		pr.From = from
		s.Prompts = append(s.Prompts, pr)
	}
	if s.Short, err = p.str("short"); err != nil {
		return s, err
	}
	if s.Audience, err = p.code("audience"); err != nil {
		return s, err
	}
	if s.Audience != "" && s.Audience != "adult" && s.Audience != "young_people" {
		return s, invalid("The scoring extension's audience %q is not one Tend knows: use adult or young_people.", s.Audience)
	}
	if e, ok, err := p.one("totalCode"); err != nil {
		return s, err
	} else if ok {
		if e.ValueCoding == nil || e.ValueCoding.System == "" || e.ValueCoding.Code == "" {
			return s, invalid("The scoring extension's totalCode needs a valueCoding with a system and a code.")
		}
		s.TotalCode = &measure.Coding{System: e.ValueCoding.System, Code: e.ValueCoding.Code, Display: e.ValueCoding.Display}
	}
	return s, nil
}

func parseBand(n int, e Extension) (measure.Band, error) {
	var b measure.Band
	p, err := newParts(fmt.Sprintf("Band %d of the scoring extension", n), e.Extension, set("from", "to", "label"))
	if err != nil {
		return b, err
	}
	from, okFrom, err := p.decimal("from")
	if err != nil {
		return b, err
	}
	to, okTo, err := p.decimal("to")
	if err != nil {
		return b, err
	}
	if b.Label, err = p.str("label"); err != nil {
		return b, err
	}
	if !okFrom || !okTo || b.Label == "" {
		return b, invalid("Band %d of the scoring extension needs from, to and label.", n)
	}
	b.From, b.To = from, to
	return b, nil
}

func parseReliableChange(e Extension) (measure.ReliableChange, error) {
	var rc measure.ReliableChange
	p, err := newParts("The scoring extension's reliableChange", e.Extension, set("points", "sd", "reliability", "source"))
	if err != nil {
		return rc, err
	}
	points, okPoints, err := p.decimal("points")
	if err != nil {
		return rc, err
	}
	sd, okSD, err := p.decimal("sd")
	if err != nil {
		return rc, err
	}
	rel, okRel, err := p.decimal("reliability")
	if err != nil {
		return rc, err
	}
	switch {
	case okPoints && (okSD || okRel):
		return rc, invalid("The scoring extension's reliableChange takes fixed points, or an sd and a reliability (Jacobson-Truax), not both.")
	case okPoints && points <= 0:
		return rc, invalid("The scoring extension's reliableChange points must be above 0.")
	case !okPoints && (!okSD || !okRel):
		return rc, invalid("The scoring extension's reliableChange needs fixed points, or both an sd and a reliability (Jacobson-Truax).")
	}
	rc.Points, rc.SD, rc.Reliability = points, sd, rel
	if rc.Source, err = p.str("source"); err != nil {
		return rc, err
	}
	return rc, nil
}

// scoringExtension writes the scoring extension of in.
func scoringExtension(in measure.Instrument) Extension {
	s := in.Scoring
	var x []Extension
	str := func(name, v string) { x = append(x, Extension{URL: name, ValueString: v}) }
	dec := func(name string, f float64) Extension { return Extension{URL: name, ValueDecimal: decimal(f)} }
	x = append(x, Extension{URL: "method", ValueCode: string(s.Method)})
	for _, id := range s.Items {
		str("item", id)
	}
	for _, id := range s.Reverse {
		str("reverse", id)
	}
	x = append(x, Extension{URL: "requireAll", ValueBoolean: &s.RequireAll})
	if s.MinAnswered != 0 {
		x = append(x, Extension{URL: "minAnswered", ValueInteger: intp(s.MinAnswered)})
	}
	if s.Decimals != 0 {
		x = append(x, Extension{URL: "decimals", ValueInteger: intp(s.Decimals)})
	}
	dir := codeHigherIsWorse
	if s.Direction == measure.HigherIsBetter {
		dir = codeHigherIsBetter
	}
	x = append(x, Extension{URL: "direction", ValueCode: dir})
	if s.Threshold != nil {
		x = append(x, dec("threshold", *s.Threshold))
	}
	for _, b := range s.Bands {
		x = append(x, Extension{URL: "band", Extension: []Extension{
			dec("from", b.From), dec("to", b.To), {URL: "label", ValueString: b.Label},
		}})
	}
	for _, sc := range s.Subscales {
		sub := []Extension{{URL: "id", ValueString: sc.ID}, {URL: "title", ValueString: sc.Title}}
		for _, id := range sc.Items {
			sub = append(sub, Extension{URL: "item", ValueString: id})
		}
		x = append(x, Extension{URL: "subscale", Extension: sub})
	}
	if rc := s.Change; rc != nil {
		var sub []Extension
		if rc.JacobsonTruax() {
			sub = append(sub, dec("sd", rc.SD), dec("reliability", rc.Reliability))
		} else {
			sub = append(sub, dec("points", rc.Points))
		}
		if rc.Source != "" {
			sub = append(sub, Extension{URL: "source", ValueString: rc.Source})
		}
		x = append(x, Extension{URL: "reliableChange", Extension: sub})
	}
	for _, pr := range s.Prompts {
		x = append(x, Extension{URL: "prompt", Extension: []Extension{
			{URL: "linkId", ValueString: pr.LinkID}, {URL: "from", ValueInteger: intp(pr.From)},
		}})
	}
	if in.Short != "" {
		str("short", in.Short)
	}
	if in.Audience != "" {
		x = append(x, Extension{URL: "audience", ValueCode: in.Audience})
	}
	if c := in.TotalCode; c != nil {
		x = append(x, Extension{URL: "totalCode", ValueCoding: &Coding{System: c.System, Code: c.Code, Display: c.Display}})
	}
	return Extension{URL: ScoringURL, Extension: x}
}

func intp(i int) *int { return &i }
