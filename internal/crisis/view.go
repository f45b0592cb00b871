package crisis

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options says for whom and how a View is chosen.
type Options struct {
	// Demo shows only source-read entries and ignores Confirmed.
	Demo bool
	// Young puts lines for young people first (see Line.ForYoungPeople).
	Young bool
	// Confirmed reports whether the service has confirmed the lines of the
	// country with this upper-case code. Nil means no country is confirmed.
	Confirmed func(country string) bool
	// Now is the instant Stale is measured from. The zero Now flags only
	// lines never checked.
	Now time.Time
}

// View is what the help page may show for one country.
type View struct {
	// Country is the listed country's code and name, or nil when the country
	// is not listed. Its Emergency and Lines are left empty so that a page
	// cannot show an entry that was not selected: use the fields below.
	Country *Country
	// Emergency is the emergency number from the file, or nil when it may not
	// be shown; the page then shows the service's own emergency number.
	Emergency *Number
	// Lines are the lines that may be shown, in the order to show them.
	Lines []Line
	// Confirmed reports whether the service confirmed this country's lines.
	// It is always false in demo mode, which shows source-read entries instead.
	Confirmed bool
	// Fallback is the file's sentence for anyone whose country is not listed;
	// it accompanies every view.
	Fallback string
	// Stale lists the shown lines never checked or checked more than 12 months
	// before Options.Now, for admins to recheck.
	Stale []Line
}

// View selects the entries the help page may show for the country with this
// code (matched case-insensitively), following the rules in the file's
// "about": in demo mode only source-read entries; otherwise every entry of a
// country the service has confirmed and none of one it has not, in which case
// the page shows the service's own lines, out-of-hours route and emergency
// number with the fallback sentence.
func (d *Directory) View(code string, opt Options) View {
	v := View{Fallback: d.Fallback}
	c, ok := d.Lookup(code)
	if !ok {
		return v
	}
	v.Country = &Country{Code: c.Code, Name: c.Name}

	switch {
	case opt.Demo:
		if c.Emergency.Status == SourceRead {
			e := c.Emergency
			v.Emergency = &e
		}
		for _, l := range c.Lines {
			if l.Status == SourceRead {
				v.Lines = append(v.Lines, l)
			}
		}
	case opt.Confirmed != nil && opt.Confirmed(c.Code):
		v.Confirmed = true
		e := c.Emergency
		v.Emergency = &e
		v.Lines = c.Lines
	default:
		return v
	}

	if opt.Young {
		v.Lines = YoungFirst(v.Lines)
	}
	cutoff := opt.Now.AddDate(-1, 0, 0).Format(dateLayout)
	for _, l := range v.Lines {
		// Civil dates in YYYY-MM-DD form compare correctly as strings.
		if l.Checked == "" || l.Checked < cutoff {
			v.Stale = append(v.Stale, l)
		}
	}
	return v
}

// YoungFirst returns a copy of lines with the lines for young people first,
// keeping the given order otherwise. The help page uses it for the service's
// own lines too, so that both lists follow one rule.
func YoungFirst(lines []Line) []Line {
	out := slices.Clone(lines)
	slices.SortStableFunc(out, func(a, b Line) int {
		ya, yb := a.ForYoungPeople(), b.ForYoungPeople()
		switch {
		case ya && !yb:
			return -1
		case !ya && yb:
			return 1
		}
		return 0
	})
	return out
}

// maxYoungAge is the highest upper age limit still read as a line for young
// people: youth services in the file reach "under 35" (PAPYRUS).
const maxYoungAge = 35

// youngWords are audience words that name young people.
var youngWords = map[string]bool{
	"young": true, "younger": true, "youth": true, "youths": true,
	"child": true, "children": true, "kid": true, "kids": true,
	"teen": true, "teens": true, "teenager": true, "teenagers": true,
	"adolescent": true, "adolescents": true,
}

// ForYoungPeople reports whether the line's Audience is about young people.
// The audience is free text, so this matches a small documented set:
//   - a word naming young people: young, youth, child(ren), kid(s), teen(s),
//     teenager(s), adolescent(s) ("young people", "children and young people");
//   - "under N" with N at most 35 ("under 19", "under 25", "under 35");
//   - "ages A to B", "aged A-B" with B at most 35 ("ages 5 to 25").
//
// It does not know the person's age: an "under 19" line goes first for every
// person marked young. Lines for everyone (empty Audience) and other groups
// ("Aboriginal and Torres Strait Islander people") do not match.
func (l Line) ForYoungPeople() bool {
	words := strings.FieldsFunc(strings.ToLower(l.Audience), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	for i, w := range words {
		if youngWords[w] {
			return true
		}
		next := func(k int) (int, bool) {
			if i+k >= len(words) {
				return 0, false
			}
			n, err := strconv.Atoi(strings.TrimSuffix(words[i+k], "s")) // "under 18s"
			return n, err == nil
		}
		switch w {
		case "under":
			if n, ok := next(1); ok && n <= maxYoungAge {
				return true
			}
		case "age", "ages", "aged":
			if _, ok := next(1); !ok {
				continue
			}
			k := 2
			if i+k < len(words) && words[i+k] == "to" {
				k++
			}
			if n, ok := next(k); ok && n <= maxYoungAge {
				return true
			}
		}
	}
	return false
}
