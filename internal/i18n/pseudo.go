package i18n

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/language"
)

// PseudoLocale is the tag of the pseudo-locale: English with every message
// wrapped in ⟦ ⟧ and its letters accented. Text on a page rendered in it
// that is not marked did not come from the catalogue.
const PseudoLocale = "en-XA"

// Pseudo-locale markers around each message.
const (
	pseudoOpen  = "⟦"
	pseudoClose = "⟧"
)

var pseudoTag = language.MustParse(PseudoLocale)

// accents maps ASCII letters to precomposed look-alikes (one code point each).
var accents = strings.NewReplacer(
	"a", "á", "b", "ƀ", "c", "ç", "d", "ð", "e", "é", "f", "ƒ", "g", "ĝ",
	"h", "ĥ", "i", "í", "j", "ĵ", "k", "ķ", "l", "ľ", "m", "ɱ", "n", "ñ",
	"o", "ó", "p", "þ", "q", "ǫ", "r", "ŕ", "s", "š", "t", "ţ", "u", "ú",
	"v", "ṽ", "w", "ŵ", "x", "ẋ", "y", "ý", "z", "ž",
	"A", "Á", "B", "Ɓ", "C", "Ç", "D", "Ð", "E", "É", "F", "Ƒ", "G", "Ĝ",
	"H", "Ĥ", "I", "Í", "J", "Ĵ", "K", "Ķ", "L", "Ľ", "M", "Ṁ", "N", "Ñ",
	"O", "Ó", "P", "Þ", "Q", "Ǫ", "R", "Ŕ", "S", "Š", "T", "Ţ", "U", "Ú",
	"V", "Ṽ", "W", "Ŵ", "X", "Ẋ", "Y", "Ý", "Z", "Ž",
)

// entity matches an HTML character reference, which must stay intact.
var entity = regexp.MustCompile(`&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);`)

// Pseudo returns text as the pseudo-locale shows it: wrapped in ⟦ ⟧, with
// Latin letters accented but printf verbs (%s, %[1]s, %%) and HTML
// character references (&amp;) unchanged. Text with a malformed verb is
// accented whole.
func Pseudo(text string) string {
	toks, err := scan(text)
	if err != nil {
		toks = []token{{text: text}}
	}
	var b strings.Builder
	b.WriteString(pseudoOpen)
	for _, t := range toks {
		if t.verb != 0 {
			b.WriteString(t.text)
			continue
		}
		last := 0
		for _, loc := range entity.FindAllStringIndex(t.text, -1) {
			b.WriteString(accents.Replace(t.text[last:loc[0]]))
			b.WriteString(t.text[loc[0]:loc[1]])
			last = loc[1]
		}
		b.WriteString(accents.Replace(t.text[last:]))
	}
	b.WriteString(pseudoClose)
	return b.String()
}

// PseudoMarked reports whether text is wholly one pseudo-locale message:
// it starts with ⟦ and ends with ⟧.
func PseudoMarked(text string) bool {
	return len(text) > len(pseudoOpen+pseudoClose) &&
		strings.HasPrefix(text, pseudoOpen) && strings.HasSuffix(text, pseudoClose)
}

// Unmarked returns the stretches of text outside ⟦ ⟧ markers that contain
// a letter, trimmed of space. On a page rendered in the pseudo-locale,
// these are words that did not come from the catalogue (or data, such as
// a crisis line's name, that the caller expects). Markers may nest.
func Unmarked(text string) []string {
	var out []string
	depth := 0
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); strings.IndexFunc(s, unicode.IsLetter) >= 0 {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, r := range text {
		switch {
		case string(r) == pseudoOpen:
			if depth == 0 {
				flush()
			}
			depth++
		case string(r) == pseudoClose:
			if depth > 0 {
				depth--
			}
		case depth == 0:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// IsPseudo reports whether tag names the pseudo-locale (any letter case).
func IsPseudo(tag string) bool {
	t, err := language.Parse(tag)
	return err == nil && t == pseudoTag
}
