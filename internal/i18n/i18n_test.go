package i18n_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tendcare/tend/internal/i18n"
)

// english reads messages/en.json and the area files messages/en/*.json
// as the reviewed source of truth.
func english(t *testing.T) map[string]any {
	t.Helper()
	areas, err := filepath.Glob("messages/en/*.json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	for _, name := range append([]string{"messages/en.json"}, areas...) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var file map[string]any
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		maps.Copy(m, file)
	}
	return m
}

func mustNew(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

var verbRE = regexp.MustCompile(`%%|%(?:\[(\d+)\])?([sdv])`)

// verbs lists the printf verbs of text in order, "%%" included.
func verbs(text string) []string {
	return verbRE.FindAllString(text, -1)
}

// argsFor builds arguments that fit text's verbs: "ARG<n>" for %s and %v,
// 10+n for %d (below 1000, so no digit grouping).
func argsFor(text string) []any {
	var args []any
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(text, -1) {
		if m[0] == "%%" {
			continue
		}
		n := next
		if m[1] != "" {
			n, _ = strconv.Atoi(m[1])
		}
		next = n + 1
		for len(args) < n {
			args = append(args, nil)
		}
		if m[2] == "d" {
			args[n-1] = 10 + n
		} else {
			args[n-1] = "ARG" + strconv.Itoa(n)
		}
	}
	return args
}

func TestNew(t *testing.T) {
	c := mustNew(t)
	en := english(t)
	if got, want := c.IDs(), slices.Sorted(maps.Keys(en)); !slices.Equal(got, want) {
		t.Errorf("IDs() = %v, want the ids of en.json %v", got, want)
	}
	if got := c.Languages(); len(got) == 0 || got[0] != i18n.Source || slices.Contains(got, i18n.PseudoLocale) {
		t.Errorf("Languages() = %v, want %q first and no pseudo-locale", got, i18n.Source)
	}
	// Every message in every language formats without a printf or
	// macro error.
	for _, tag := range append(c.Languages(), i18n.PseudoLocale) {
		p := c.Printer(tag)
		for id, v := range en {
			var args []any
			if s, ok := v.(string); ok {
				args = argsFor(s)
			} else {
				args = []any{2}
			}
			got := p.T(id, args...)
			if strings.Contains(got, "%!") || strings.Contains(got, "$!") || strings.TrimSpace(got) == "" {
				t.Errorf("%s %s = %q", tag, id, got)
			}
		}
	}
}

// TestRequiredIDs lists the ids the web layer's layout, help and error
// pages use, so that removing one fails here first.
func TestRequiredIDs(t *testing.T) {
	c := mustNew(t)
	for _, id := range []string{
		"layout.skip", "layout.get_help", "layout.demo_banner", "layout.app_name", "layout.footer_not_emergency",
		"help.title", "help.intro", "help.emergency_heading", "help.emergency_call", "help.emergency_when",
		"help.service_heading", "help.out_of_hours_heading", "help.lines_heading", "help.line_call",
		"help.line_text", "help.line_text_keyword", "help.line_hours", "help.line_checked",
		"help.line_not_checked", "help.lines_count", "help.young_first", "help.young_all",
		"help.country_heading", "help.country_label", "help.country_submit", "help.country_none",
		"help.fallback_heading", "help.offline_note", "help.not_monitored", "help.working_hours",
		"error.title", "error.not_found", "error.bad_request", "error.too_large", "error.internal",
		"error.unavailable", "error.method", "error.forbidden_origin", "error.back_home",
		"home.title", "home.intro", "home.not_emergency",
	} {
		if !c.Has(id) {
			t.Errorf("missing %q", id)
		}
	}
}

func TestPrinterT_English(t *testing.T) {
	p := mustNew(t).Printer("en")
	if p.Tag() != "en" {
		t.Errorf("Tag() = %q, want en", p.Tag())
	}
	for id, v := range english(t) {
		s, ok := v.(string)
		if !ok {
			continue // plurals: TestPrinterT_Plural
		}
		args := argsFor(s)
		if got, want := p.T(id, args...), fmt.Sprintf(s, args...); got != want {
			t.Errorf("T(%q) = %q, want %q", id, got, want)
		}
	}
	tests := []struct {
		name string
		id   string
		args []any
		want string
	}{
		{"Plain", "help.title", nil, "Get help now"},
		{"Verb", "help.emergency_call", []any{"999"}, "Call 999"},
		{"IndexedVerbs", "help.line_text_keyword", []any{"85258", "SHOUT"}, "Text SHOUT to 85258"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.T(tt.id, tt.args...); got != tt.want {
				t.Errorf("T(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}

func TestPrinterT_Pseudo(t *testing.T) {
	c := mustNew(t)
	p := c.Printer(i18n.PseudoLocale)
	if p.Tag() != i18n.PseudoLocale {
		t.Fatalf("Tag() = %q, want %q", p.Tag(), i18n.PseudoLocale)
	}
	en := c.Printer("en")
	for id, v := range english(t) {
		texts := map[string]string{"": ""}
		switch v := v.(type) {
		case string:
			texts = map[string]string{"": v}
		case map[string]any:
			texts = map[string]string{}
			for sel, s := range v {
				texts[sel] = s.(string)
			}
		}
		for sel, s := range texts {
			if got := verbs(i18n.Pseudo(s)); !slices.Equal(got, verbs(s)) {
				t.Errorf("%s %s: Pseudo keeps verbs %v, want %v", id, sel, got, verbs(s))
			}
		}
		var args []any
		if s, ok := v.(string); ok {
			args = argsFor(s)
		} else {
			args = []any{2}
		}
		got := p.T(id, args...)
		if !i18n.PseudoMarked(got) {
			t.Errorf("T(%q) = %q, not marked", id, got)
		}
		if got == en.T(id, args...) {
			t.Errorf("T(%q) = %q, same as English", id, got)
		}
		for _, a := range args {
			if a := fmt.Sprint(a); !strings.Contains(got, a) {
				t.Errorf("T(%q) = %q, lost argument %q", id, got, a)
			}
		}
	}
}

func TestPseudo(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Letters", "Call now", "⟦Çáľľ ñóŵ⟧"},
		{"Verbs", "Text %[2]s to %[1]s, %d%% %v", "⟦Ţéẋţ %[2]s ţó %[1]s, %d%% %v⟧"},
		{"Entities", "Tom &amp; Jo&#39;s &#x27;x&#X2F;", "⟦Ţóɱ &amp; Ĵó&#39;š &#x27;ẋ&#X2F;⟧"},
		{"NotAnEntity", "a & b;", "⟦á & ƀ;⟧"},
		{"MalformedVerb", "50 % off", "⟦50 % óƒƒ⟧"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := i18n.Pseudo(tt.in); got != tt.want {
				t.Errorf("Pseudo(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPseudoMarked(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"⟦Çáľľ⟧", true},
		{"Call", false},
		{"⟦Çáľľ", false},
		{"x ⟦Çáľľ⟧", false},
		{"⟦⟧", false},
		{"help.title", false},
	}
	for _, tt := range tests {
		if got := i18n.PseudoMarked(tt.in); got != tt.want {
			t.Errorf("PseudoMarked(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUnmarked(t *testing.T) {
	got := i18n.Unmarked("⟦Ĝéţ ĥéľþ⟧ Skip ⟦Çáľľ ⟦999⟧ ñóŵ⟧ 999 · ⟦Ţéẋţ⟧ Samaritans ")
	if want := []string{"Skip", "Samaritans"}; !slices.Equal(got, want) {
		t.Errorf("Unmarked = %q, want %q", got, want)
	}
}

func TestIsPseudo(t *testing.T) {
	for tag, want := range map[string]bool{"en-XA": true, "en-xa": true, "EN-XA": true, "en": false, "en-GB": false, "": false, "x!": false} {
		if got := i18n.IsPseudo(tag); got != want {
			t.Errorf("IsPseudo(%q) = %v, want %v", tag, got, want)
		}
	}
}

func TestCatalogPrinter_Fallback(t *testing.T) {
	c := mustNew(t)
	for _, tag := range []string{"", "en", "en-GB", "EN-gb", "de", "de-DE,de;q=0.9", "zz", "not a tag!", "en-XA,en;q=0.9", "*"} {
		t.Run(tag, func(t *testing.T) {
			p := c.Printer(tag)
			if p.Tag() != "en" {
				t.Errorf("Tag() = %q, want en", p.Tag())
			}
			if got := p.T("help.title"); got != "Get help now" {
				t.Errorf("T(help.title) = %q, want English", got)
			}
		})
	}
}

func TestPrinterT_Missing(t *testing.T) {
	c := mustNew(t)
	if c.Has("help.no_such_id") {
		t.Error("Has(help.no_such_id) = true")
	}
	for _, tag := range []string{"en", i18n.PseudoLocale} {
		p := c.Printer(tag)
		if got := p.T("help.no_such_id", "x", 1); got != "help.no_such_id" {
			t.Errorf("%s: T(missing) = %q, want the id", tag, got)
		}
	}
}

func TestPrinterT_Plural(t *testing.T) {
	c := mustNew(t)
	tests := []struct {
		tag  string
		n    int
		want string
	}{
		{"en", 0, "0 lines"},
		{"en", 1, "1 line"},
		{"en", 2, "2 lines"},
		{"en", 1200, "1,200 lines"},
		{i18n.PseudoLocale, 1, "⟦1 ľíñé⟧"},
		{i18n.PseudoLocale, 2, "⟦2 ľíñéš⟧"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.tag, tt.n), func(t *testing.T) {
			if got := c.Printer(tt.tag).T("help.lines_count", tt.n); got != tt.want {
				t.Errorf("T(help.lines_count, %d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

// TestNewFromFS_Translation checks a second language: the best match is
// chosen, arguments may be reordered, and a missing translation falls
// back to English rather than to the id.
func TestNewFromFS_Translation(t *testing.T) {
	c, err := i18n.NewFromFS(fstest.MapFS{
		"messages/en.json": {Data: []byte(`{"a.hello": "Hello %s from %s", "a.bye": "Bye", "a.n": {"other": "%d lines", "one": "%d line", "=0": "No lines"}}`)},
		"messages/fr.json": {Data: []byte(`{"a.hello": "De %[2]s, bonjour %[1]s", "a.n": {"one": "une ligne", "other": "%d lignes"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Languages(); !slices.Equal(got, []string{"en", "fr"}) {
		t.Errorf("Languages() = %v", got)
	}
	p := c.Printer("fr-CA,en;q=0.5")
	tests := []struct {
		id   string
		args []any
		want string
	}{
		{"a.hello", []any{"Ana", "Lyon"}, "De Lyon, bonjour Ana"},
		{"a.bye", nil, "Bye"},
		{"a.n", []any{1}, "une ligne"},
		{"a.n", []any{3}, "3 lignes"},
	}
	if p.Tag() != "fr" {
		t.Errorf("Tag() = %q, want fr", p.Tag())
	}
	for _, tt := range tests {
		if got := p.T(tt.id, tt.args...); got != tt.want {
			t.Errorf("T(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
	// Exact cases come before categories whatever the file's order.
	if got := c.Printer("en").T("a.n", 0); got != "No lines" {
		t.Errorf("en T(a.n, 0) = %q, want No lines", got)
	}
}

func TestNewFromFS_Invalid(t *testing.T) {
	const okEN = `{"a.b": "Call %s", "a.n": {"one": "%d line", "other": "%d lines"}}`
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"NoSource", map[string]string{"fr.json": `{"a.b": "x"}`}},
		{"NotJSON", map[string]string{"en.json": `{"a.b": "x",}`}},
		{"NotObject", map[string]string{"en.json": `["a.b"]`}},
		{"TrailingData", map[string]string{"en.json": `{"a.b": "x"} {}`}},
		{"DuplicateID", map[string]string{"en.json": `{"a.b": "x", "a.b": "y"}`}},
		{"BadID", map[string]string{"en.json": `{"Help Title": "x"}`}},
		{"UndottedID", map[string]string{"en.json": `{"title": "x"}`}},
		{"EmptyText", map[string]string{"en.json": `{"a.b": " "}`}},
		{"NumberText", map[string]string{"en.json": `{"a.b": 3}`}},
		{"BarePercent", map[string]string{"en.json": `{"a.b": "100 % sure"}`}},
		{"UnknownVerb", map[string]string{"en.json": `{"a.b": "%q"}`}},
		{"BadIndex", map[string]string{"en.json": `{"a.b": "%[0]s"}`}},
		{"UnclosedIndex", map[string]string{"en.json": `{"a.b": "%[1s"}`}},
		{"Macro", map[string]string{"en.json": `{"a.b": "Hi ${name}"}`}},
		{"PluralNoOther", map[string]string{"en.json": `{"a.n": {"one": "%d line"}}`}},
		{"PluralBadSelector", map[string]string{"en.json": `{"a.n": {"single": "x", "other": "y"}}`}},
		{"PluralWrongForm", map[string]string{"en.json": `{"a.n": {"few": "x", "other": "y"}}`}},
		{"PluralDuplicateCase", map[string]string{"en.json": `{"a.n": {"one": "x", "one": "z", "other": "y"}}`}},
		{"FileNotATag", map[string]string{"en.json": okEN, "english.json": `{"a.b": "x %s"}`}},
		{"FileNotCanonical", map[string]string{"en.json": okEN, "EN_gb.json": `{"a.b": "x %s"}`}},
		{"PseudoFile", map[string]string{"en.json": okEN, "en-XA.json": `{"a.b": "x %s"}`}},
		{"TranslationUnknownID", map[string]string{"en.json": okEN, "fr.json": `{"a.c": "x"}`}},
		{"TranslationLosesArg", map[string]string{"en.json": okEN, "fr.json": `{"a.b": "Appelez"}`}},
		{"TranslationWrongVerb", map[string]string{"en.json": okEN, "fr.json": `{"a.b": "Appelez %d"}`}},
		{"TranslationExtraArg", map[string]string{"en.json": okEN, "fr.json": `{"a.b": "Appelez %s %s"}`}},
		{"TranslationNotPlural", map[string]string{"en.json": okEN, "fr.json": `{"a.n": "%d lignes"}`}},
		{"TranslationPluralExtraArg", map[string]string{"en.json": okEN, "fr.json": `{"a.n": {"one": "%d ligne %s", "other": "%d lignes"}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys["messages/"+name] = &fstest.MapFile{Data: []byte(data)}
			}
			if _, err := i18n.NewFromFS(fsys); err == nil {
				t.Error("NewFromFS: want an error")
			} else {
				t.Log(err)
			}
		})
	}
}
