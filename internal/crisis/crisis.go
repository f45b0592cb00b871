package crisis

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// embedded is a byte-for-byte copy of the clinical team's shared file. Refresh
// it from the module root with
//
//	cp ../shared/clinical/crisis-lines.json internal/crisis/
//
// TestEmbeddedCopyMatchesShared fails while the copy is out of date.
//
//go:embed crisis-lines.json
var embedded []byte

// Status values say how far an entry was checked (see the file's "about").
const (
	// SourceRead means a public page named in Source stated the entry, as read
	// on the date in Checked. It is not a check with the line's operator.
	SourceRead = "source-read"
	// Unconfirmed means the entry is widely published but no page was read.
	Unconfirmed = "unconfirmed"
)

// dateLayout is the civil date form of "compiled" and "checked".
const dateLayout = "2006-01-02"

// Directory is a parsed crisis-lines.json; make one with Load or Parse.
type Directory struct {
	About    string
	Compiled string // YYYY-MM-DD
	// Fields documents some of the file's fields in the file's own words.
	Fields map[string]string
	// Listed holds every country in file order, with all its entries,
	// confirmed or not: pages show what View selects, not this.
	Listed []Country
	// Fallback is the sentence shown with every view, listed country or not.
	Fallback string

	byCode map[string]int
}

// Country is one country's emergency number and crisis lines.
type Country struct {
	Code      string // ISO 3166-1 alpha-2, upper case; "country" in the file
	Name      string
	Emergency Number
	Lines     []Line // in file order
}

// Number is a country's emergency number.
type Number struct {
	// Number is as written locally; it may name several ("112 or 999").
	Number  string `json:"number"`
	Status  string `json:"status"`
	Source  string `json:"source"`
	Checked string `json:"checked"` // YYYY-MM-DD, or "" when never checked
}

// Line is one crisis line.
type Line struct {
	Name        string `json:"name"`
	Call        string `json:"call"` // number to call, as written locally
	Text        string `json:"text"` // number to send a text to
	TextKeyword string `json:"text_keyword"`
	Hours       string `json:"hours"`
	Note        string `json:"note"`
	Audience    string `json:"audience"` // "" when the line is for everyone
	Status      string `json:"status"`
	Source      string `json:"source"`
	Checked     string `json:"checked"` // YYYY-MM-DD, or "" when never checked
}

// Load parses the embedded crisis-lines.json.
func Load() (*Directory, error) {
	d, err := Parse(embedded)
	if err != nil {
		return nil, fmt.Errorf("crisis: embedded crisis-lines.json: %w", err)
	}
	return d, nil
}

// Parse decodes and validates a crisis-lines.json document. Unknown fields are
// an error, so that a change to the file's schema is noticed rather than
// silently dropped. The error is a *ParseError naming every problem with its
// country and line.
func Parse(data []byte) (*Directory, error) {
	// Countries, emergency numbers and lines are decoded one by one so that a
	// decoding error (an unknown field, a number where text belongs) can name
	// its place, which encoding/json does not do for unknown fields.
	var raw struct {
		About     string            `json:"about"`
		Compiled  string            `json:"compiled"`
		Fields    map[string]string `json:"fields"`
		Countries []json.RawMessage `json:"countries"`
		Fallback  string            `json:"fallback"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return nil, &ParseError{Problems: []string{"not a valid crisis-lines.json: " + err.Error()}}
	}
	d := &Directory{About: raw.About, Compiled: raw.Compiled, Fields: raw.Fields, Fallback: raw.Fallback}
	var problems []string
	for i, rc := range raw.Countries {
		var c struct {
			Code      string            `json:"country"`
			Name      string            `json:"name"`
			Emergency json.RawMessage   `json:"emergency"`
			Lines     []json.RawMessage `json:"lines"`
		}
		if err := decodeStrict(rc, &c); err != nil {
			problems = append(problems, fmt.Sprintf("country %d %q: %v", i+1, nameOf(rc, "country"), err))
			continue
		}
		place := fmt.Sprintf("country %d %q", i+1, c.Code)
		country := Country{Code: c.Code, Name: c.Name}
		if len(c.Emergency) > 0 {
			if err := decodeStrict(c.Emergency, &country.Emergency); err != nil {
				problems = append(problems, fmt.Sprintf("%s emergency: %v", place, err))
			}
		}
		for j, rl := range c.Lines {
			var l Line
			if err := decodeStrict(rl, &l); err != nil {
				problems = append(problems, fmt.Sprintf("%s line %d %q: %v", place, j+1, nameOf(rl, "name"), err))
				continue
			}
			country.Lines = append(country.Lines, l)
		}
		d.Listed = append(d.Listed, country)
	}
	if len(problems) == 0 {
		problems = d.validate()
	}
	if len(problems) > 0 {
		return nil, &ParseError{Problems: problems}
	}
	d.byCode = make(map[string]int, len(d.Listed))
	for i, c := range d.Listed {
		d.byCode[c.Code] = i
	}
	return d, nil
}

// ParseError lists what is wrong with a crisis-lines.json document, one
// problem each, prefixed with its place ("country 4 \"IE\" line 3 \"Text 50808\"").
// The problems quote only the document, so an admin may be shown them; a
// caller that needs an error kind wraps it as tend.EINVALID.
type ParseError struct {
	Problems []string
}

// Error joins the problems into one line.
func (e *ParseError) Error() string {
	return strings.Join(e.Problems, "; ")
}

// decodeStrict decodes one JSON value into v, rejecting unknown fields and
// anything after the value.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// nameOf returns the string field key of a JSON object that failed strict
// decoding, so that its error message can still say which entry it is.
func nameOf(data []byte, key string) string {
	var m map[string]any
	_ = json.Unmarshal(data, &m) // best effort: the strict error is reported anyway
	s, _ := m[key].(string)
	return s
}

// validate returns one message per problem, each naming where it is.
func (d *Directory) validate() []string {
	var p []string
	add := func(place, format string, args ...any) {
		p = append(p, place+": "+fmt.Sprintf(format, args...))
	}
	if d.Compiled != "" && !isDate(d.Compiled) {
		add("compiled", "%q is not a date in the form YYYY-MM-DD", d.Compiled)
	}
	if strings.TrimSpace(d.Fallback) == "" {
		add("fallback", "the fallback sentence is missing")
	}
	seen := make(map[string]int)
	for i, c := range d.Listed {
		place := fmt.Sprintf("country %d %q", i+1, c.Code)
		if !isCode(c.Code) {
			add(place, "the country code must be two upper-case letters (ISO 3166-1)")
		} else if first, dup := seen[c.Code]; dup {
			add(place, "the country code is already used by country %d", first)
		} else {
			seen[c.Code] = i + 1
		}
		if strings.TrimSpace(c.Name) == "" {
			add(place, "the country name is missing")
		}
		e := c.Emergency
		ePlace := place + " emergency"
		if strings.TrimSpace(e.Number) == "" {
			add(ePlace, "the emergency number is missing")
		} else {
			for _, n := range e.Numbers() {
				if !isPhone(n) {
					add(ePlace, "%q is not a phone number (digits, spaces, dashes, dots, brackets, a leading +)", n)
				}
			}
		}
		p = append(p, checkStatus(ePlace, e.Status, e.Checked)...)
		for j, l := range c.Lines {
			lPlace := fmt.Sprintf("%s line %d %q", place, j+1, l.Name)
			if strings.TrimSpace(l.Name) == "" {
				add(lPlace, "the line name is missing")
			}
			if strings.TrimSpace(l.Call) == "" && strings.TrimSpace(l.Text) == "" {
				add(lPlace, "a line needs a call number, a text number or both")
			}
			if l.Call != "" && !isPhone(l.Call) {
				add(lPlace, "call %q is not a phone number (digits, spaces, dashes, dots, brackets, a leading +)", l.Call)
			}
			if l.Text != "" && !isPhone(l.Text) {
				add(lPlace, "text %q is not a phone number (digits, spaces, dashes, dots, brackets, a leading +)", l.Text)
			}
			if l.TextKeyword != "" && strings.TrimSpace(l.Text) == "" {
				add(lPlace, "text_keyword %q is given without a text number", l.TextKeyword)
			}
			p = append(p, checkStatus(lPlace, l.Status, l.Checked)...)
		}
	}
	return p
}

// checkStatus checks an entry's status and checked date. A source-read entry
// must say when its source was read, or it could never be flagged as stale.
func checkStatus(place, status, checked string) []string {
	var p []string
	switch status {
	case SourceRead, Unconfirmed:
	default:
		p = append(p, fmt.Sprintf("%s: status %q is not %q or %q", place, status, SourceRead, Unconfirmed))
	}
	if checked != "" && !isDate(checked) {
		p = append(p, fmt.Sprintf("%s: checked %q is not null or a date in the form YYYY-MM-DD", place, checked))
	}
	if status == SourceRead && checked == "" {
		p = append(p, fmt.Sprintf("%s: status %q needs the date the source was read in checked", place, SourceRead))
	}
	return p
}

func isDate(s string) bool {
	t, err := time.Parse(dateLayout, s)
	return err == nil && t.Format(dateLayout) == s
}

func isCode(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}

// Lookup returns a copy of the listed country with the given code, matched
// case-insensitively. The copy holds every entry, confirmed or not: pages show
// what View selects, not this.
func (d *Directory) Lookup(code string) (*Country, bool) {
	i, ok := d.byCode[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return nil, false
	}
	c := d.Listed[i]
	c.Lines = append([]Line(nil), c.Lines...)
	return &c, true
}

// Choice is one entry of a country picker.
type Choice struct {
	Code string
	Name string
}

// Countries returns every listed country's code and name, sorted by name.
func (d *Directory) Countries() []Choice {
	out := make([]Choice, 0, len(d.Listed))
	for _, c := range d.Listed {
		out = append(out, Choice{Code: c.Code, Name: c.Name})
	}
	slices.SortStableFunc(out, func(a, b Choice) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Code, b.Code))
	})
	return out
}
