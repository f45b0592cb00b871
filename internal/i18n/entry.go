package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/message/catalog"
)

// entry is one catalogue entry: either plain text or plural cases.
type entry struct {
	text  string
	cases []pluralCase // nil for plain text
}

// pluralCase is one selector ("one", "other", "=1" ...) and its text.
type pluralCase struct {
	selector string
	text     string
}

// idPattern is the shape of a message id: dotted lower-case, as "help.title".
var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// pluralOrder puts exact matches first and "other" last: x/text tries
// cases in order, and "other" matches everything.
var pluralOrder = map[string]int{"zero": 1, "one": 2, "two": 3, "few": 4, "many": 5, "other": 6}

// parseFile reads one messages file: an object of id -> text, or
// id -> {"one": ..., "other": ...} for plurals. Duplicate ids are an error
// (encoding/json would silently keep the last one).
func parseFile(data []byte) (map[string]entry, error) {
	msgs := map[string]entry{}
	err := eachMember(data, func(id string, raw json.RawMessage) error {
		if !idPattern.MatchString(id) {
			return fmt.Errorf("id %q: want dotted lower-case, like help.title", id)
		}
		m, err := parseMessage(raw)
		if err != nil {
			return fmt.Errorf("id %q: %w", id, err)
		}
		msgs[id] = m
		return nil
	})
	return msgs, err
}

func parseMessage(raw json.RawMessage) (entry, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		return parsePlural(raw)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return entry{}, errors.New("want a string or an object of plural cases")
	}
	if err := checkText(s); err != nil {
		return entry{}, err
	}
	return entry{text: s}, nil
}

func parsePlural(raw json.RawMessage) (entry, error) {
	var m entry
	err := eachMember(raw, func(sel string, v json.RawMessage) error {
		if _, ok := pluralOrder[sel]; !ok && !exactSelector(sel) {
			return fmt.Errorf("plural case %q: want zero, one, two, few, many, other or =N", sel)
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("plural case %q: want a string", sel)
		}
		if err := checkText(s); err != nil {
			return fmt.Errorf("plural case %q: %w", sel, err)
		}
		m.cases = append(m.cases, pluralCase{sel, s})
		return nil
	})
	if err != nil {
		return entry{}, err
	}
	if !slices.ContainsFunc(m.cases, func(c pluralCase) bool { return c.selector == "other" }) {
		return entry{}, errors.New(`plural message needs an "other" case`)
	}
	slices.SortStableFunc(m.cases, func(a, b pluralCase) int { return caseRank(a) - caseRank(b) })
	return m, nil
}

// exactSelector reports whether sel is "=N" for a non-negative integer N.
func exactSelector(sel string) bool {
	n, ok := strings.CutPrefix(sel, "=")
	if !ok {
		return false
	}
	_, err := strconv.ParseUint(n, 10, 32)
	return err == nil
}

func caseRank(c pluralCase) int {
	if r, ok := pluralOrder[c.selector]; ok {
		return r
	}
	return 0 // "=N" before the categories
}

// checkText rejects text that would render badly.
func checkText(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("empty text")
	}
	if strings.Contains(s, "${") {
		// x/text reads "${name}" as a macro reference; Tend uses none.
		return errors.New(`"${" is not allowed (x/text macro syntax)`)
	}
	_, err := scan(s)
	return err
}

// catalogMessage converts m for catalog.Builder.Set, after transforming
// each piece of text with f (the identity for real languages).
func (m entry) catalogMessage(f func(string) string) catalog.Message {
	if m.cases == nil {
		return catalog.String(f(m.text))
	}
	cases := make([]any, 0, 2*len(m.cases))
	for _, c := range m.cases {
		cases = append(cases, c.selector, f(c.text))
	}
	// The first argument is the count; "%d" formats it for plural rules.
	return plural.Selectf(1, "%d", cases...)
}

// argVerbs is the set of argument uses in m, such as "1s" and "2d".
func (m entry) argVerbs() map[string]bool {
	set := map[string]bool{}
	texts := []string{m.text}
	if m.cases != nil {
		texts = texts[:0]
		for _, c := range m.cases {
			texts = append(texts, c.text)
		}
	}
	for _, t := range texts {
		toks, _ := scan(t) // already checked by parseFile
		for _, tok := range toks {
			if tok.arg > 0 {
				set[strconv.Itoa(tok.arg)+string(tok.verb)] = true
			}
		}
	}
	return set
}

// eachMember calls fn for each member of the JSON object in data, in order,
// and fails on a duplicate key or anything that is not one object.
func eachMember(data []byte, fn func(key string, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("want a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("read key: %w", err)
		}
		key, ok := t.(string)
		if !ok {
			return fmt.Errorf("want a key, got %v", t)
		}
		if seen[key] {
			return fmt.Errorf("%q appears twice", key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("read end of object: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("data after the object")
	}
	return nil
}
