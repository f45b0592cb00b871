package crisis_test

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/crisis"
)

// sharedFile is the clinical team's file, beside the project in ../shared.
const sharedFile = "../../../shared/clinical/crisis-lines.json"

func TestEmbeddedCopyMatchesShared(t *testing.T) {
	shared, err := os.ReadFile(sharedFile)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found (the shared clinical folder is not beside this checkout); cannot compare the embedded copy", sharedFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(crisis.Embedded, shared) {
		t.Fatalf("internal/crisis/crisis-lines.json differs from %s; refresh it from the module root with: cp ../shared/clinical/crisis-lines.json internal/crisis/", sharedFile)
	}
}

func mustLoad(t *testing.T) *crisis.Directory {
	t.Helper()
	d, err := crisis.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

func TestLoad(t *testing.T) {
	d := mustLoad(t)

	t.Run("CountriesInFileOrder", func(t *testing.T) {
		var got []string
		for _, c := range d.Listed {
			got = append(got, c.Code)
		}
		want := []string{"US", "CA", "GB", "IE", "AU", "NZ"}
		if !slices.Equal(got, want) {
			t.Errorf("codes = %v, want %v", got, want)
		}
	})
	t.Run("FileLevelFields", func(t *testing.T) {
		if d.Compiled != "2026-11-29" {
			t.Errorf("Compiled = %q", d.Compiled)
		}
		if want := "If your country is not listed, call your local emergency number or go to the nearest emergency department."; d.Fallback != want {
			t.Errorf("Fallback = %q, want %q", d.Fallback, want)
		}
		if !strings.Contains(d.About, "never hard-code numbers") {
			t.Errorf("About = %q, want the file's about text", d.About)
		}
		if d.Fields["text_keyword"] == "" {
			t.Errorf("Fields[text_keyword] is empty")
		}
	})
	t.Run("LineFields", func(t *testing.T) {
		ca, ok := d.Lookup("CA")
		if !ok {
			t.Fatal("CA not listed")
		}
		want := crisis.Line{
			Name: "Kids Help Phone", Call: "1-800-668-6868", Text: "686868", TextKeyword: "CONNECT",
			Hours: "24/7", Audience: "young people", Status: crisis.Unconfirmed,
			Source: "confirm on kidshelpphone.ca", Checked: "",
		}
		if got := ca.Lines[1]; got != want {
			t.Errorf("CA line 2 = %+v, want %+v", got, want)
		}
	})
	t.Run("EmergencyFields", func(t *testing.T) {
		ie, _ := d.Lookup("IE")
		want := crisis.Number{Number: "112 or 999", Status: crisis.Unconfirmed, Source: "national emergency numbers: confirm", Checked: ""}
		if ie.Emergency != want {
			t.Errorf("IE emergency = %+v, want %+v", ie.Emergency, want)
		}
		us, _ := d.Lookup("US")
		if us.Emergency.Number != "911" || us.Emergency.Status != crisis.SourceRead || us.Emergency.Checked != "2026-11-29" {
			t.Errorf("US emergency = %+v", us.Emergency)
		}
	})
}

func TestLookup(t *testing.T) {
	d := mustLoad(t)
	tests := []struct {
		name     string
		code     string
		wantName string
		wantOK   bool
	}{
		{"UpperCase", "NZ", "New Zealand", true},
		{"LowerCase", "nz", "New Zealand", true},
		{"MixedCaseWithSpace", " Gb ", "United Kingdom", true},
		{"NotListed", "FR", "", false},
		{"Empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := d.Lookup(tt.code)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && c.Name != tt.wantName {
				t.Errorf("Name = %q, want %q", c.Name, tt.wantName)
			}
			if !ok && c != nil {
				t.Errorf("country = %+v, want nil", c)
			}
		})
	}
	t.Run("ChangesToTheCopyDoNotLeak", func(t *testing.T) {
		c, _ := d.Lookup("GB")
		c.Lines[0].Call = "000"
		c.Emergency.Number = "000"
		again, _ := d.Lookup("GB")
		if again.Lines[0].Call != "111" || again.Emergency.Number != "999" {
			t.Errorf("directory changed through a looked-up copy: %+v", again)
		}
	})
}

func TestCountries(t *testing.T) {
	got := mustLoad(t).Countries()
	want := []crisis.Choice{
		{Code: "AU", Name: "Australia"},
		{Code: "CA", Name: "Canada"},
		{Code: "IE", Name: "Ireland"},
		{Code: "NZ", Name: "New Zealand"},
		{Code: "GB", Name: "United Kingdom"},
		{Code: "US", Name: "United States"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Countries() = %v, want %v", got, want)
	}
}

// doc wraps country objects in a minimal valid file.
func doc(countries ...string) []byte {
	return []byte(`{"about": "test", "compiled": "2026-11-29", "fields": {"call": "number to call"},
		"countries": [` + strings.Join(countries, ",") + `],
		"fallback": "Call your local emergency number."}`)
}

// country builds a country object with a valid emergency number.
func country(code, name string, lines ...string) string {
	return `{"country": "` + code + `", "name": "` + name + `",
		"emergency": {"number": "999", "status": "source-read", "source": "s", "checked": "2026-11-29"},
		"lines": [` + strings.Join(lines, ",") + `]}`
}

const okLine = `{"name": "Samaritans", "call": "116 123", "hours": "24/7", "status": "source-read", "source": "s", "checked": "2026-11-29"}`

func TestParse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		d, err := crisis.Parse(doc(
			country("GB", "United Kingdom", okLine,
				`{"name": "Shout", "text": "85258", "text_keyword": "SHOUT", "status": "unconfirmed", "source": "", "checked": null}`),
			`{"country": "IE", "name": "Ireland", "emergency": {"number": "112 or 999", "status": "unconfirmed", "source": "", "checked": null}, "lines": []}`,
		))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Listed) != 2 || len(d.Listed[0].Lines) != 2 || d.Listed[0].Lines[1].Checked != "" {
			t.Errorf("parsed = %+v", d.Listed)
		}
	})

	tests := []struct {
		name string
		data []byte
		want []string // every one must appear in the error message
	}{
		{"ErrNotJSON", []byte(`countries: GB`), []string{"not a valid crisis-lines.json"}},
		{"ErrTrailingData", append(doc(country("GB", "United Kingdom", okLine)), []byte(` {}`)...), []string{"unexpected data after the JSON value"}},
		{"ErrUnknownTopLevelField", []byte(`{"about": "", "compiled": "2026-11-29", "countries": [], "fallback": "f", "version": 2}`),
			[]string{`unknown field "version"`}},
		{"ErrUnknownCountryField", doc(`{"country": "GB", "name": "United Kingdom", "region": "Europe", "emergency": {"number": "999", "status": "unconfirmed", "source": "", "checked": null}, "lines": []}`),
			[]string{`country 1 "GB"`, `unknown field "region"`}},
		{"ErrUnknownEmergencyField", doc(`{"country": "GB", "name": "United Kingdom", "emergency": {"number": "999", "when": "in danger now", "status": "unconfirmed", "source": "", "checked": null}, "lines": []}`),
			[]string{`country 1 "GB" emergency`, `unknown field "when"`}},
		{"ErrUnknownLineField", doc(country("GB", "United Kingdom", okLine,
			`{"name": "Shout", "text": "85258", "url": "https://giveusashout.org", "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 2 "Shout"`, `unknown field "url"`}},
		{"ErrWrongType", doc(country("GB", "United Kingdom",
			`{"name": "Samaritans", "call": 116123, "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 1 "Samaritans"`, "cannot unmarshal number"}},
		{"ErrLowerCaseCode", doc(country("gb", "United Kingdom", okLine)),
			[]string{`country 1 "gb"`, "two upper-case letters"}},
		{"ErrThreeLetterCode", doc(country("GBR", "United Kingdom", okLine)),
			[]string{`country 1 "GBR"`, "two upper-case letters"}},
		{"ErrDuplicateCode", doc(country("GB", "United Kingdom", okLine), country("GB", "Great Britain", okLine)),
			[]string{`country 2 "GB"`, "already used by country 1"}},
		{"ErrMissingCountryName", doc(country("GB", "", okLine)),
			[]string{`country 1 "GB"`, "country name is missing"}},
		{"ErrMissingEmergency", doc(`{"country": "GB", "name": "United Kingdom", "lines": []}`),
			[]string{`country 1 "GB" emergency`, "emergency number is missing"}},
		{"ErrEmergencyNotANumber", doc(`{"country": "GB", "name": "United Kingdom", "emergency": {"number": "999 or ask a neighbour", "status": "unconfirmed", "source": "", "checked": null}, "lines": []}`),
			[]string{`country 1 "GB" emergency`, `"ask a neighbour" is not a phone number`}},
		{"ErrEmergencyUnknownStatus", doc(`{"country": "GB", "name": "United Kingdom", "emergency": {"number": "999", "status": "checked", "source": "", "checked": null}, "lines": []}`),
			[]string{`country 1 "GB" emergency`, `status "checked" is not "source-read" or "unconfirmed"`}},
		{"ErrLineWithoutName", doc(country("GB", "United Kingdom",
			`{"name": "", "call": "116 123", "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 1 ""`, "line name is missing"}},
		{"ErrLineWithoutCallOrText", doc(country("GB", "United Kingdom", okLine,
			`{"name": "Samaritans email", "note": "jo@samaritans.org", "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 2 "Samaritans email"`, "needs a call number, a text number or both"}},
		{"ErrKeywordWithoutText", doc(country("GB", "United Kingdom",
			`{"name": "Shout", "call": "85258", "text_keyword": "SHOUT", "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 1 "Shout"`, `text_keyword "SHOUT" is given without a text number`}},
		{"ErrCallWithLetters", doc(country("US", "United States",
			`{"name": "Lifeline", "call": "1-800-SUICIDE", "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "US" line 1 "Lifeline"`, `call "1-800-SUICIDE" is not a phone number`}},
		{"ErrTextWithLetters", doc(country("US", "United States",
			`{"name": "Text line", "text": "TEXT", "status": "unconfirmed", "source": "", "checked": null}`)),
			[]string{`country 1 "US" line 1 "Text line"`, `text "TEXT" is not a phone number`}},
		{"ErrUnknownStatus", doc(country("GB", "United Kingdom",
			`{"name": "Samaritans", "call": "116 123", "status": "verified", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 1 "Samaritans"`, `status "verified" is not "source-read" or "unconfirmed"`}},
		{"ErrMissingStatus", doc(country("GB", "United Kingdom",
			`{"name": "Samaritans", "call": "116 123", "source": "", "checked": null}`)),
			[]string{`country 1 "GB" line 1 "Samaritans"`, `status "" is not`}},
		{"ErrCheckedNotISODate", doc(country("GB", "United Kingdom",
			`{"name": "Samaritans", "call": "116 123", "status": "source-read", "source": "s", "checked": "29/11/2026"}`)),
			[]string{`country 1 "GB" line 1 "Samaritans"`, `checked "29/11/2026" is not null or a date in the form YYYY-MM-DD`}},
		{"ErrCheckedImpossibleDate", doc(country("GB", "United Kingdom",
			`{"name": "Samaritans", "call": "116 123", "status": "source-read", "source": "s", "checked": "2026-02-30"}`)),
			[]string{`country 1 "GB" line 1 "Samaritans"`, `checked "2026-02-30"`}},
		{"ErrSourceReadWithoutChecked", doc(country("GB", "United Kingdom",
			`{"name": "Samaritans", "call": "116 123", "status": "source-read", "source": "s", "checked": null}`)),
			[]string{`country 1 "GB" line 1 "Samaritans"`, `needs the date the source was read`}},
		{"ErrCompiledNotDate", []byte(`{"about": "", "compiled": "November 2026", "countries": [], "fallback": "f"}`),
			[]string{"compiled", `"November 2026" is not a date`}},
		{"ErrMissingFallback", []byte(`{"about": "", "compiled": "2026-11-29", "countries": []}`),
			[]string{"fallback", "fallback sentence is missing"}},
		{"ErrEveryProblemNamed", doc(country("GB", "United Kingdom",
			`{"name": "A", "status": "source-read", "source": "", "checked": null}`,
			`{"name": "B", "call": "1", "status": "maybe", "source": "", "checked": null}`)),
			[]string{`line 1 "A": a line needs`, `line 1 "A": status "source-read" needs`, `line 2 "B": status "maybe"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := crisis.Parse(tt.data)
			if err == nil {
				t.Fatalf("Parse succeeded with %+v, want an error", d)
			}
			if d != nil {
				t.Errorf("Parse returned a directory with its error")
			}
			var perr *crisis.ParseError
			if !errors.As(err, &perr) {
				t.Errorf("error %T is not a *crisis.ParseError", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
		})
	}
}
