package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Source is the language every message is written in first; other
// languages fall back to it message by message.
const Source = "en"

//go:embed messages
var messageFiles embed.FS

// Catalog holds every message in every language. It is safe for
// concurrent use.
type Catalog struct {
	langs    []language.Tag // real languages, Source first
	matcher  language.Matcher
	printers map[language.Tag]*Printer
	source   *Printer
	ids      []string // sorted ids of the source language
}

// Printer formats messages in one language. It is safe for concurrent use.
type Printer struct {
	tag      string
	p        *message.Printer
	ids      map[string]bool // ids defined in this language
	fallback *Printer        // the source language; nil for the source itself
}

// New builds the catalogue from the embedded messages files and adds the
// pseudo-locale. It fails if any file is malformed, defines an id the
// source language lacks, or uses other arguments than the source does.
//
// The files are embedded, so they are read once per process and every
// caller shares the one catalogue (it is read-only).
func New() (*Catalog, error) {
	return embedded()
}

var embedded = sync.OnceValues(func() (*Catalog, error) { return newFromFS(messageFiles) })

func newFromFS(fsys fs.FS) (*Catalog, error) {
	// messages/<tag>.json, and messages/<tag>/*.json for the messages of
	// one area of the product kept in a file of their own.
	names, err := fs.Glob(fsys, "messages/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list messages: %w", err)
	}
	more, err := fs.Glob(fsys, "messages/*/*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list messages: %w", err)
	}
	names = append(names, more...)
	srcTag := language.MustParse(Source)
	files := map[language.Tag]map[string]entry{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".json")
		if dir := path.Base(path.Dir(name)); dir != "messages" {
			base = dir
		}
		tag, err := language.Parse(base)
		if err != nil || tag.String() != base {
			return nil, fmt.Errorf("i18n: %s: file name must be a canonical BCP 47 tag (like en or pt-BR)", name)
		}
		if tag == pseudoTag {
			return nil, fmt.Errorf("i18n: %s: %s is generated from %s, not a file", name, PseudoLocale, Source)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		msgs, err := parseFile(data)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		if files[tag] == nil {
			files[tag] = map[string]entry{}
		}
		for id, m := range msgs {
			if _, dup := files[tag][id]; dup {
				return nil, fmt.Errorf("i18n: %s: %q is also defined in another file", name, id)
			}
			files[tag][id] = m
		}
	}
	src, ok := files[srcTag]
	if !ok {
		return nil, fmt.Errorf("i18n: messages/%s.json is missing", Source)
	}

	b := catalog.NewBuilder(catalog.Fallback(srcTag))
	c := &Catalog{
		printers: map[language.Tag]*Printer{},
		ids:      slices.Sorted(maps.Keys(src)),
	}
	c.langs = append(c.langs, srcTag)
	for tag := range files {
		if tag != srcTag {
			c.langs = append(c.langs, tag)
		}
	}
	slices.SortFunc(c.langs[1:], func(a, b language.Tag) int { return strings.Compare(a.String(), b.String()) })

	var errs []error
	add := func(tag language.Tag, msgs map[string]entry, f func(string) string) {
		for _, id := range slices.Sorted(maps.Keys(msgs)) {
			m := msgs[id]
			if tag != srcTag && tag != pseudoTag {
				if err := sameArgs(src, id, m); err != nil {
					errs = append(errs, fmt.Errorf("i18n: %s: %q: %w", tag, id, err))
					continue
				}
			}
			if err := b.Set(tag, id, m.catalogMessage(f)); err != nil {
				errs = append(errs, fmt.Errorf("i18n: %s: %q: %w", tag, id, err))
			}
		}
	}
	identity := func(s string) string { return s }
	for _, tag := range c.langs {
		add(tag, files[tag], identity)
	}
	add(pseudoTag, src, Pseudo)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	c.matcher = language.NewMatcher(c.langs)
	for _, tag := range append(slices.Clone(c.langs), pseudoTag) {
		p := &Printer{
			tag: tag.String(),
			p:   message.NewPrinter(tag, message.Catalog(b)),
			ids: map[string]bool{},
		}
		msgs := files[tag]
		if tag == pseudoTag {
			msgs = src
		}
		for id := range msgs {
			p.ids[id] = true
		}
		c.printers[tag] = p
	}
	c.source = c.printers[srcTag]
	for tag, p := range c.printers {
		if tag != srcTag {
			p.fallback = c.source
		}
	}
	return c, nil
}

// sameArgs checks that a translation formats the same arguments with the
// same verbs as the source message, so that a caller's arguments fit
// every language. Plural cases may leave the count out ("one line").
func sameArgs(src map[string]entry, id string, m entry) error {
	s, ok := src[id]
	if !ok {
		return fmt.Errorf("not in %s.json", Source)
	}
	want, got := s.argVerbs(), m.argVerbs()
	if m.cases != nil || s.cases != nil {
		if (m.cases == nil) != (s.cases == nil) {
			return errors.New("plural in one language but not the other")
		}
		for k := range got {
			if !want[k] {
				return fmt.Errorf("uses argument %s, which %s does not", k, Source)
			}
		}
		return nil
	}
	if !maps.Equal(want, got) {
		return fmt.Errorf("arguments %v differ from %s's %v", slices.Sorted(maps.Keys(got)), Source, slices.Sorted(maps.Keys(want)))
	}
	return nil
}

// Printer returns the printer for the best match to tag, which may be a
// single BCP 47 tag ("cy") or an Accept-Language value
// ("cy-GB,en;q=0.8"). Anything unknown or malformed gets the source
// language. Only the exact tag PseudoLocale gets the pseudo-locale.
func (c *Catalog) Printer(tag string) *Printer {
	if IsPseudo(tag) {
		return c.printers[pseudoTag]
	}
	_, i := language.MatchStrings(c.matcher, tag)
	return c.printers[c.langs[i]]
}

// Has reports whether id is a message in the catalogue.
func (c *Catalog) Has(id string) bool {
	return c.source.ids[id]
}

// IDs returns every message id, sorted.
func (c *Catalog) IDs() []string {
	return slices.Clone(c.ids)
}

// Languages returns the tags of the real languages, the source first (the
// pseudo-locale is left out).
func (c *Catalog) Languages() []string {
	out := make([]string, len(c.langs))
	for i, t := range c.langs {
		out[i] = t.String()
	}
	return out
}

// T formats message id with args in the printer's language, falling back
// to the source language when this language lacks the id. A missing id
// returns the id itself, never a blank, so it shows on the page and in
// tests (see Catalog.Has).
func (p *Printer) T(id string, args ...any) string {
	switch {
	case p.ids[id]:
		return p.p.Sprintf(id, args...)
	case p.fallback != nil:
		return p.fallback.T(id, args...)
	default:
		return id
	}
}

// Tag returns the printer's language tag, for <html lang>.
func (p *Printer) Tag() string {
	return p.tag
}
