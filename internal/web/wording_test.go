package web_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// riskWords are what product content must never say (safety-rules.md
// sections 1 and 6): risk tiers and scores, shame mechanics, and danger
// colours. Severity bands of questionnaires and evidence certainty words
// are allowed, and are not matched here.
var riskWords = regexp.MustCompile(`(?i)risk[ -]?(level|score|tier|rating)|\b(low|medium|moderate|high)[ -]risk\b|\bstreaks?\b|days clean|\b(red|amber|green)\b|rag[ -]status|deteriorat|not recovered|\bfail(ed|ure)\b`)

// TestNoRiskOrShameWording reads every template, message file, stylesheet
// and script the product ships.
func TestNoRiskOrShameWording(t *testing.T) {
	roots := []string{"templates", "static", filepath.Join("..", "i18n", "messages")}
	checked := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(path) {
			case ".html", ".json", ".css", ".js", ".webmanifest", ".svg":
			default:
				return nil
			}
			if strings.HasSuffix(path, "htmx.min.js") {
				return nil // vendored library code, not product content
			}
			b, err := os.ReadFile(path) // #nosec G304 -- the product's own files
			if err != nil {
				return err
			}
			checked++
			text := shownText(path, b)
			for i, line := range strings.Split(text, "\n") {
				if m := riskWords.FindString(line); m != "" {
					t.Errorf("%s:%d says %q: no risk tiers, shame mechanics or danger colours (safety-rules.md 1 and 6)", path, i+1, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: the walk missed the product's content", checked)
	}
}

var (
	templateActions = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	cssComments     = regexp.MustCompile(`(?s)/\*.*?\*/`)
)

// shownText keeps what can reach a page, line for line: message texts
// (not their ids), templates without their actions (field names such as
// .Failed are code), styles without their comments.
func shownText(path string, b []byte) string {
	switch filepath.Ext(path) {
	case ".json":
		var msgs map[string]any
		if json.Unmarshal(b, &msgs) == nil && strings.Contains(filepath.ToSlash(path), "i18n/messages") {
			var out []string
			for _, v := range msgs {
				out = append(out, strings.ReplaceAll(strings.TrimSpace(toText(v)), "\n", " "))
			}
			return strings.Join(out, "\n")
		}
	case ".html":
		return templateActions.ReplaceAllStringFunc(string(b), func(a string) string { return strings.Repeat("\n", strings.Count(a, "\n")) })
	case ".css":
		return cssComments.ReplaceAllStringFunc(string(b), func(c string) string { return strings.Repeat("\n", strings.Count(c, "\n")) })
	}
	return string(b)
}

func toText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		var parts []string
		for _, p := range x {
			parts = append(parts, toText(p))
		}
		return strings.Join(parts, " ")
	}
	return ""
}
