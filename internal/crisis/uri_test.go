package crisis_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/tendcare/tend/internal/crisis"
)

func TestCallURI(t *testing.T) {
	tests := []struct {
		name string
		call string
		want string
	}{
		{"Digits", "988", "tel:988"},
		{"Dashes", "1-800-668-6868", "tel:18006686868"},
		{"Spaces", "116 123", "tel:116123"},
		{"LeadingZero", "0800 068 4141", "tel:08000684141"},
		{"InternationalPlus", "+44 116 123", "tel:+44116123"},
		{"BracketsAndDots", "(09) 555.0100", "tel:095550100"},
		{"SurroundingSpace", " 111 ", "tel:111"},
		{"EmptyIsNoLink", "", ""},
		{"LettersAreNoLink", "1-800-SUICIDE", ""},
		{"PlusInsideIsNoLink", "0800+1", ""},
		{"SeparatorsOnlyIsNoLink", " - ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (crisis.Line{Call: tt.call}).CallURI(); got != tt.want {
				t.Errorf("CallURI(%q) = %q, want %q", tt.call, got, tt.want)
			}
		})
	}
}

func TestTextURI(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		keyword string
		want    string
	}{
		{"NoKeyword", "1737", "", "sms:1737"},
		{"Keyword", "741741", "HOME", "sms:741741?body=HOME"},
		{"SpacesInNumber", "0477 13 11 14", "", "sms:0477131114"},
		{"KeywordSpaceEscapedAsPercent20", "85258", "HI THERE", "sms:85258?body=HI%20THERE"},
		{"KeywordReservedCharactersEscaped", "85258", "A&B=C?#+", "sms:85258?body=A%26B%3DC%3F%23%2B"},
		{"KeywordNonASCIIEscaped", "50808", "fáilte", "sms:50808?body=f%C3%A1ilte"},
		{"NoNumberIsNoLinkEvenWithKeyword", "", "HOME", ""},
		{"LettersAreNoLink", "TEXT", "HOME", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := crisis.Line{Text: tt.text, TextKeyword: tt.keyword}
			if got := l.TextURI(); got != tt.want {
				t.Errorf("TextURI(%q, %q) = %q, want %q", tt.text, tt.keyword, got, tt.want)
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		name        string
		number      string
		wantNumbers []string
		wantCall    string
	}{
		{"One", "999", []string{"999"}, "tel:999"},
		{"TwoEachLinked", "112 or 999", []string{"112", "999"}, "tel:112"},
		{"Empty", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := crisis.Number{Number: tt.number}
			if got := n.Numbers(); !slices.Equal(got, tt.wantNumbers) {
				t.Errorf("Numbers() = %q, want %q", got, tt.wantNumbers)
			}
			if got := n.CallURI(); got != tt.wantCall {
				t.Errorf("CallURI() = %q, want %q", got, tt.wantCall)
			}
		})
	}
}

// TestRealFileLinks checks links for entries as the shared file writes them.
func TestRealFileLinks(t *testing.T) {
	d := mustLoad(t)
	line := func(code string, i int) crisis.Line {
		c, ok := d.Lookup(code)
		if !ok {
			t.Fatalf("%s not listed", code)
		}
		return c.Lines[i]
	}
	tests := []struct {
		name     string
		line     crisis.Line
		wantCall string
		wantText string
	}{
		{"KidsHelpPhoneDashedCallAndKeyword", line("CA", 1), "tel:18006686868", "sms:686868?body=CONNECT"},
		{"SamaritansGBSpacedCall", line("GB", 1), "tel:116123", ""},
		{"ShoutTextOnly", line("GB", 2), "", "sms:85258?body=SHOUT"},
		{"LifelineAUSpacedText", line("AU", 0), "tel:131114", "sms:0477131114"},
		{"CrisisTextLineKeyword", line("US", 1), "", "sms:741741?body=HOME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.line.CallURI(); got != tt.wantCall {
				t.Errorf("%s CallURI = %q, want %q", tt.line.Name, got, tt.wantCall)
			}
			if got := tt.line.TextURI(); got != tt.wantText {
				t.Errorf("%s TextURI = %q, want %q", tt.line.Name, got, tt.wantText)
			}
		})
	}
	t.Run("IrelandEmergencyTwoNumbers", func(t *testing.T) {
		ie, _ := d.Lookup("IE")
		var got []string
		for _, n := range ie.Emergency.Numbers() {
			got = append(got, crisis.TelURI(n))
		}
		if want := []string{"tel:112", "tel:999"}; !slices.Equal(got, want) {
			t.Errorf("IE emergency links = %q, want %q", got, want)
		}
	})
	// The web layer passes these links to html/template as template.URL,
	// which is safe only while they stay within this shape.
	t.Run("EveryLinkIsPlainTelOrSMS", func(t *testing.T) {
		safe := regexp.MustCompile(`^(tel:\+?[0-9]+|sms:\+?[0-9]+(\?body=[A-Za-z0-9%._~-]+)?)$`)
		for _, c := range d.Listed {
			for _, n := range c.Emergency.Numbers() {
				if u := crisis.TelURI(n); !safe.MatchString(u) {
					t.Errorf("%s emergency %q: link %q", c.Code, n, u)
				}
			}
			for _, l := range c.Lines {
				for _, u := range []string{l.CallURI(), l.TextURI()} {
					if u != "" && !safe.MatchString(u) {
						t.Errorf("%s %s: link %q", c.Code, l.Name, u)
					}
				}
				if l.CallURI() == "" && l.TextURI() == "" {
					t.Errorf("%s %s: no link at all", c.Code, l.Name)
				}
			}
		}
	})
}
