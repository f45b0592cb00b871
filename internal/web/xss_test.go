package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/web"
)

// xssPayloads reads testdata/xss/payloads.txt: one payload a line, "#"
// lines and blank lines skipped, "q:" lines unquoted as Go strings.
func xssPayloads(t testing.TB) []string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "xss", "payloads.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if q, ok := strings.CutPrefix(line, "q:"); ok {
			if line, err = strconv.Unquote(q); err != nil {
				t.Fatalf("payloads.txt line %d: %v", n, err)
			}
		}
		if !strings.Contains(strings.ToLower(line), "xss") {
			t.Fatalf("payloads.txt line %d carries no xss marker", n)
		}
		if seen[line] {
			t.Fatalf("payloads.txt line %d repeats an earlier payload", n)
		}
		seen[line] = true
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// xssField is one free-text field a person or staff member can write.
type xssField struct {
	name string
	// forms are the template form fields (template file and name) that
	// write this field: TestXSS fails on a free-text form field of any
	// template that no xssField names.
	forms []string
	max   int    // characters one slot takes
	sep   string // between payloads in one slot: "\n" for text areas, " " for one-line inputs
	slots int    // slots one save fills (sections of one form); 1 unless said
	saves int    // at most this many saves (0: as many as the payloads need)
	// plant saves the texts (one per slot) and answers the response's
	// status; 2xx and 3xx are saved, 4xx refused by the service's rules.
	plant func(texts []string) int
	// views are where every planted payload must come back as text:
	// "account path", with {sam}, {chain}, ... filled in after planting;
	// HTML pages, JSON (API, FHIR) answers and the download zip alike.
	views []string
	// overwrites: a save replaces the one before (settings), so the
	// views are read after each save.
	overwrites bool
	// spaces: the service keeps runs of spaces as one (a one-line
	// wording), so a payload is looked for with its spaces run together.
	spaces bool
	// pick, when set, chooses the payloads the field's rules let in (a
	// wording that refuses quotes and angle brackets); the rest count as
	// refused without a save. refuseAll: the field takes none.
	pick      func(string) bool
	refuseAll bool
	viewEach  func(saved []string) // reads the views after each save (overwrites)
	planted   []string             // payloads saved
	refused   []string             // payloads the service refused (its rules: length, characters)
	unsent    int                  // payloads longer than a slot, or beyond the saves the field makes
}

// xssRun is the demo server with payloads planted.
type xssRun struct {
	t          *testing.T
	d          *demoServer
	ids        map[string]string // {name} -> id, for views and crawled paths
	responses  int               // answers read
	viewChecks int
	saves      int
	problems   []string
}

func (x *xssRun) fail(format string, args ...any) {
	x.problems = append(x.problems, fmt.Sprintf(format, args...))
}

func (x *xssRun) path(p string) string {
	for k, v := range x.ids {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	return p
}

// pack puts payloads into texts of at most max characters, sep between.
func pack(payloads []string, max int, sep string) (texts [][]string, tooLong []string) {
	var cur []string
	n := 0
	for _, p := range payloads {
		l := len([]rune(p))
		if l > max {
			tooLong = append(tooLong, p)
			continue
		}
		if len(cur) > 0 && n+len(sep)+l > max {
			texts = append(texts, cur)
			cur, n = nil, 0
		}
		if len(cur) > 0 {
			n += len(sep)
		}
		cur = append(cur, p)
		n += l
	}
	if len(cur) > 0 {
		texts = append(texts, cur)
	}
	return texts, tooLong
}

// plantField saves every payload that fits into f, several a save; a save
// the service refuses is split until the payload it refuses is alone.
func (x *xssRun) plantField(f *xssField, payloads []string) {
	slots := max(f.slots, 1)
	if f.pick != nil {
		var in []string
		for _, p := range payloads {
			if f.pick(p) {
				in = append(in, p)
			} else {
				f.unsent++
			}
		}
		payloads = in
	}
	if f.refuseAll {
		for _, p := range payloads {
			if code := f.plant([]string{p}); code != http.StatusBadRequest {
				x.fail("%s: %.80q answered %d, want 400", f.name, p, code)
			}
			f.refused = append(f.refused, p)
		}
		return
	}
	texts, tooLong := pack(payloads, f.max, f.sep)
	f.unsent += len(tooLong)
	var save func(group [][]string)
	save = func(group [][]string) {
		in := make([]string, slots)
		for i, g := range group {
			in[i] = strings.Join(g, f.sep)
		}
		code := f.plant(in)
		x.saves++
		switch {
		case code < 400:
			var saved []string
			for _, g := range group {
				saved = append(saved, g...)
			}
			f.planted = append(f.planted, saved...)
			if f.viewEach != nil {
				f.viewEach(saved)
			}
		case code != http.StatusBadRequest && code != http.StatusConflict && code != http.StatusRequestEntityTooLarge &&
			code != http.StatusUnprocessableEntity:
			x.fail("%s: saving %.200q: status %d", f.name, in, code)
			for _, g := range group {
				f.refused = append(f.refused, g...)
			}
		case len(group) > 1:
			for _, g := range group {
				save([][]string{g})
			}
		case len(group[0]) > 1:
			h := len(group[0]) / 2
			save([][]string{group[0][:h]})
			save([][]string{group[0][h:]})
		default:
			f.refused = append(f.refused, group[0]...)
			if code == http.StatusTooManyRequests {
				x.fail("%s: rate limited", f.name)
			}
		}
	}
	n := 0
	for len(texts) > 0 && (f.saves == 0 || n < f.saves) {
		k := min(slots, len(texts))
		save(texts[:k])
		texts = texts[k:]
		n++
	}
	for _, g := range texts {
		f.unsent += len(g) // beyond the saves the field makes
	}
}

// lines is what of a payload a page must show as text: each line, without
// surrounding spaces; NUL (which HTML turns into U+FFFD) left out.
func xssLines(p string) []string {
	p = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "", "\uFFFD", "", "\u2028", "\n", "\u2029", "\n").Replace(p)
	var out []string
	for l := range strings.SplitSeq(p, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// textAttrs are attributes whose value html/template escapes as plain
// text and the browser never runs: a payload may sit in them.
var textAttrs = map[string]bool{"value": true, "title": true, "alt": true, "aria-label": true, "placeholder": true, "label": true}

// urlAttrs hold addresses: a payload may sit only in their query, escaped.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "hx-get": true, "hx-post": true}

// checkHTML parses a page and reports markup that came from a payload:
// an element or attribute a payload names, a handler attribute, a script
// or style body or comment carrying the marker, an address with a script
// scheme. It returns the page's text: every text node and attribute
// value, decoded, separated by U+001E.
func (x *xssRun) checkHTML(where string, body []byte) string {
	var text strings.Builder
	z := html.NewTokenizer(bytes.NewReader(body))
	var raw string // the element whose body is raw text (script, style)
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				x.fail("%s: unreadable HTML: %v", where, z.Err())
			}
			return text.String()
		case html.TextToken:
			tok := z.Token()
			if raw != "" && strings.Contains(strings.ToLower(tok.Data), "xss") {
				x.fail("%s: a payload in a <%s> body: %.120q", where, raw, tok.Data)
			}
			text.WriteString(tok.Data)
			text.WriteByte('\x1e')
		case html.CommentToken:
			if tok := z.Token(); strings.Contains(strings.ToLower(tok.Data), "xss") {
				x.fail("%s: a payload made a comment: %.120q", where, tok.Data)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			raw = ""
			if tt == html.StartTagToken && (tok.Data == "script" || tok.Data == "style") {
				raw = tok.Data
			}
			if tt == html.EndTagToken {
				if strings.Contains(strings.ToLower(tok.Data), "xss") {
					x.fail("%s: a payload closed an element </%s>", where, tok.Data)
				}
				continue
			}
			if strings.Contains(strings.ToLower(tok.Data), "xss") {
				x.fail("%s: a payload made an element <%s>", where, tok.Data)
			}
			for _, a := range tok.Attr {
				key, val := strings.ToLower(a.Key), strings.ToLower(a.Val)
				text.WriteString(a.Val)
				text.WriteByte('\x1e')
				switch {
				case strings.HasPrefix(key, "on"):
					x.fail("%s: <%s %s=%.80q>: an event handler attribute", where, tok.Data, a.Key, a.Val)
				case strings.Contains(key, "xss"):
					x.fail("%s: <%s %s>: a payload made an attribute", where, tok.Data, a.Key)
				case urlAttrs[key]:
					u := strings.TrimSpace(val)
					if i := strings.IndexAny(u, "?#"); i >= 0 {
						u = u[:i]
					}
					if strings.Contains(u, "xss") || strings.Contains(u, "script:") || strings.HasPrefix(u, "data:") {
						x.fail("%s: <%s %s=%.80q>: an address from a payload", where, tok.Data, a.Key, a.Val)
					}
				case tok.Data == "script" && key == "src" && !strings.HasPrefix(val, "/"):
					x.fail("%s: a script from elsewhere: %q", where, a.Val)
				case key == "nonce":
				case strings.Contains(val, "xss") && !textAttrs[key] && !strings.HasPrefix(key, "data-"):
					x.fail("%s: <%s %s=%.80q>: a payload in an attribute that is not plain text", where, tok.Data, a.Key, a.Val)
				}
			}
		}
	}
}

// jsonStrings is every string in a JSON document, keys too, separated by
// U+001E; ok is false when the document is not JSON.
func jsonStrings(b []byte) (string, bool) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", false
	}
	var sb strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			sb.WriteString(v)
			sb.WriteByte('\x1e')
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				sb.WriteString(k)
				sb.WriteByte('\x1e')
				walk(e)
			}
		}
	}
	walk(v)
	return sb.String(), true
}

// fetch gets path as who and checks the answer for markup, JSON and CSV
// that a payload made; it answers the answer's text and whether that text
// is the exact stored text (JSON) or the text a page shows (HTML).
func (x *xssRun) fetch(who, path string) (text string, exact bool, code int) {
	res := x.d.get(x.t, who, path)
	x.responses++
	where := who + " GET " + path
	// A browser must never guess that an answer holding a payload is
	// HTML: every answer names its type and forbids sniffing.
	if res.Body.Len() > 0 && res.Header().Get("Content-Type") == "" {
		x.fail("%s: an answer without a Content-Type", where)
	}
	if res.Header().Get("X-Content-Type-Options") != "nosniff" {
		x.fail("%s: an answer without X-Content-Type-Options: nosniff", where)
	}
	return x.check(where, res.Header().Get("Content-Type"), res.Body.Bytes()), strings.Contains(res.Header().Get("Content-Type"), "json") ||
		res.Header().Get("Content-Type") == "application/zip", res.Code
}

func (x *xssRun) check(where, ctype string, body []byte) string {
	switch {
	case strings.HasPrefix(ctype, "text/html"):
		return x.checkHTML(where, body)
	case strings.Contains(ctype, "json"):
		s, ok := jsonStrings(body)
		if !ok && len(body) > 0 {
			x.fail("%s: not JSON", where)
		}
		return s
	case ctype == "application/zip":
		var sb strings.Builder
		for name, b := range zipFiles(x.t, body) {
			if !strings.HasSuffix(name, ".json") {
				continue
			}
			s, ok := jsonStrings(b)
			if !ok {
				x.fail("%s: %s in the zip is not JSON", where, name)
			}
			sb.WriteString(s)
		}
		return sb.String()
	case strings.HasPrefix(ctype, "text/csv"):
		x.checkCSV(where, body)
	}
	return ""
}

// checkCSV reports a cell a spreadsheet would read as a formula: one that
// starts with = + - @, a tab or a carriage return (the rule of csvSafe in
// reports.go, which puts a single quote in front).
func (x *xssRun) checkCSV(where string, body []byte) [][]string {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		x.fail("%s: unreadable CSV: %v", where, err)
		return nil
	}
	for i, rec := range recs {
		for j, c := range rec {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				x.fail("%s: line %d cell %d %.60q would be read as a formula", where, i+1, j+1, c)
			}
		}
	}
	return recs
}

// xssFound reports whether every line of p is in text; exact asks for p
// itself (JSON keeps what was stored, apart from spaces around it), or
// each of its lines where the field keeps lines apart (a plan's lists).
func xssFound(text, p string, exact bool) bool {
	if exact {
		q := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(p), "\r\n", "\n"), "\r", "\n")
		t := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		if strings.Contains(t, q) {
			return true
		}
		// One-line entries (a plan's lists) keep each line apart.
		if !strings.ContainsAny(q, "\n") {
			return false
		}
	}
	for _, l := range xssLines(p) {
		if !strings.Contains(text, l) {
			return false
		}
	}
	return true
}

var (
	xssHomeworkLink = regexp.MustCompile(`href="/me/homework/([0-9a-f-]{36})"`)
	xssFormField    = regexp.MustCompile(`<(textarea|input)\b[^>]*>`)
	xssNameAttr     = regexp.MustCompile(`\bname="([^"]*)"`)
	xssTypeAttr     = regexp.MustCompile(`\btype="([^"]*)"`)
)

// xssFormFields lists every free-text form field of the templates: each
// textarea and each input of type text (or of no type), as "file name".
func xssFormFields(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("templates", func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range xssFormField.FindAllStringSubmatch(string(b), -1) {
			if m[1] == "input" {
				if ty := xssTypeAttr.FindStringSubmatch(m[0]); ty != nil && ty[1] != "text" {
					continue
				}
			}
			name := xssNameAttr.FindStringSubmatch(m[0])
			if name == nil {
				continue
			}
			out = append(out, strings.TrimPrefix(filepath.ToSlash(path), "templates/")+" "+name[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// xssNotStored are free-text form fields that store nothing another page
// shows, or take only a checked shape (codes, names of accounts, numbers,
// time zones, hosts), each with why.
var xssNotStored = map[string]string{
	"join.html code":                                "an invite code, checked and never shown back but in its own form",
	"join.html username":                            "a username: letters, digits and a few marks only",
	"supporter/join.html code":                      "an invite code",
	"supporter/join.html username":                  "a username: letters, digits and a few marks only",
	"signin.html identifier":                        "a sign-in name, not stored",
	"mfa.html code":                                 "digits",
	"recovery/reset.html username":                  "a username",
	"recovery/reset.html code":                      "a reset code",
	"admin/staff.html subject":                      "an SSO subject, only with SSO set up",
	"admin/instruments.html questionnaire":          "a FHIR Questionnaire in JSON, validated on import",
	"admin/settings.html records.erasure_hold_days": "a number",
	"admin/settings.html retention.draft_days":      "a number",
	"admin/settings.html nudges.team":               "a number of days",
	"admin/settings.html nudges.lead":               "a number of days",
	"admin/settings.html notifications.push_hosts":  "host names, checked",
	"clinic/chains.html target":                     "a diary row key, [a-z0-9._-]",
	"admin/settings.html {{.ID}}":                   "the settings form's text fields, planted by name below (settings.*)",
	"admin/settings.html notifications.{{$f.ID}}":   "planted by name below (settings.notifications)",
	"admin/settings.html line.{{$i}}.name":          "planted below (settings.crisis_lines)",
	"admin/settings.html line.{{$i}}.hours":         "planted below (settings.crisis_lines)",
	"partials/plan.html {{.Field}}":                 "the plan's steps, planted below (safety_plan)",
	"partials/chain.html {{.Name}}":                 "the chain's sections, planted below (chain_analysis)",
	"partials/skills.html answer.{{.ID}}":           "worksheet answers, planted below (homework_practice)",
}

// TestXSS puts the payloads of testdata/xss/payloads.txt through every
// free-text field, then reads every page, API and FHIR answer, CSV and
// download of the accounts that may see them: no markup, handler, script or
// address comes from a payload; every payload comes back as text (HTML) or
// exactly (JSON); no CSV cell starts a formula.
func TestXSS(t *testing.T) {
	payloads := xssPayloads(t)
	if len(payloads) < 200 {
		t.Fatalf("%d payloads, want at least 200", len(payloads))
	}
	start := time.Now()
	d := newDemoServer(t)
	t.Logf("demo server: %v", time.Since(start).Round(time.Millisecond))
	x := &xssRun{t: t, d: d, ids: map[string]string{"sam": string(d.people["sam"]), "today": demoToday()}}
	ctx := context.Background()
	sam := personActor(d, "sam")
	lee := staffActor(t, d, "lee@example.org")
	d.shareArea(t, "sam", "Lee", access.AreaJournal, access.LevelSee)
	d.shareArea(t, "sam", "Lee", access.AreaChainAnalysis, access.LevelEdit)
	d.shareArea(t, "sam", "Lee", access.AreaToolboxLog, access.LevelSee)

	post := func(who, path string, form url.Values) int {
		res := d.post(t, who, path, form)
		// A refused form is shown again with what was typed: it is a
		// page like any other.
		x.check(who+" POST "+path, res.Header().Get("Content-Type"), res.Body.Bytes())
		return res.Code
	}
	ok := func(code int) bool { return code < 400 }
	person := "/clinic/people/{sam}"

	// Sam's chain analysis, opened by Lee; sam writes every section.
	o, err := d.chains.Open(ctx, lee, sam.ID, chain.Start{ID: string(tend.NewID()), Day: demoDay(-2), Target: "a.self_harm"})
	if err != nil {
		t.Fatal(err)
	}
	x.ids["chain"] = string(o.Analysis.ID)
	var chainSections []string
	for _, s := range (&chain.Content{}).Sections() {
		chainSections = append(chainSections, s.Name)
	}
	chainRev := 1
	// Homework lee sets sam, which sam practises.
	hw, err := d.skills.Assign(ctx, lee, sam.ID, skills.Assignment{Item: "worksheet:thought_record", PerWeek: 7})
	if err != nil {
		t.Fatal(err)
	}
	x.ids["homework"] = string(hw.ID)
	// A task from sam's request to be contacted, which lee resolves.
	if code := post("sam", "/me/contact/notice", nil); !ok(code) {
		t.Fatalf("sam sees the contact notice: %d", code)
	}
	d.askContact(t, "sam", d.contactKey(t, "sam"), "call")
	m := taskLink.FindStringSubmatch(d.get(t, "lee@example.org", "/clinic/tasks").Body.String())
	if m == nil {
		t.Fatal("no task in lee's inbox")
	}
	x.ids["task"] = m[1]
	if code := post("lee@example.org", "/clinic/tasks/"+m[1]+"/acknowledge", nil); !ok(code) {
		t.Fatalf("lee acknowledges: %d", code)
	}
	var entry string

	fields := []*xssField{
		// Sam joined today: today's card is the one there is. Its draft,
		// then its note, each save replacing the one before.
		{name: "diary_draft", forms: nil, max: 4000, sep: "\n", saves: 2, overwrites: true,
			plant: func(v []string) int {
				return post("sam", x.path("/me/diary/{today}/draft"), url.Values{"note": {v[0]}})
			},
			views: []string{"sam /me/diary/{today}"}},
		{name: "diary_note", forms: []string{"me/diary.html note"}, max: 4000, sep: "\n", saves: 4, overwrites: true,
			plant: func(v []string) int {
				return post("sam", x.path("/me/diary/{today}"), url.Values{"idempotency_key": {"xss-" + string(tend.NewID())}, "note": {v[0]}, "note_was": {""}})
			},
			views: []string{"sam /me/diary/{today}", "sam /api/v1/me/diary?from={today}&to={today}", "lee@example.org " + person + "/diary"}},
		{name: "journal", forms: []string{"me/journal_entry.html text"}, max: 20000, sep: "\n", saves: 1,
			plant: func(v []string) int {
				entry = d.newEntryID(t, "sam")
				x.ids["entry"] = entry
				return post("sam", "/me/journal", url.Values{"id": {entry}, "revision": {"0"}, "text": {v[0]}})
			},
			views: []string{"sam /me/journal/{entry}", "sam /api/v1/me/journal/{entry}", "lee@example.org " + person + "/journal"}},
		{name: "hope_box", forms: []string{"me/hope_box.html text"}, max: 2000, sep: "\n",
			plant: func(v []string) int { return post("sam", "/me/hope-box/words", url.Values{"text": {v[0]}}) },
			views: []string{"sam /me/hope-box", "sam /api/v1/me/hope-box"}},
		{name: "toolbox_own", forms: []string{"me/toolbox_manage.html text"}, max: 200, sep: " ", saves: 30, spaces: true,
			plant: func(v []string) int {
				return post("sam", "/me/toolbox/activities", url.Values{"kind": {"express"}, "text": {v[0]}})
			},
			views: []string{"sam /me/toolbox/manage", "sam /api/v1/me/toolbox/activities"}},
		{name: "safety_plan", forms: []string{"partials/plan.html most_important", "partials/plan.html reasons", "partials/plan.html likely"},
			max: 4000, sep: "\n", slots: len(safetyplan.Sections), saves: 1,
			plant: func(v []string) int {
				f := url.Values{}
				for i, s := range safetyplan.Sections {
					f.Set(s, v[i])
				}
				return post("sam", "/me/plan", f)
			},
			views: []string{"sam /me/plan", "sam /api/v1/me/safety-plan", "lee@example.org " + person + "/plan", "sam /fhir/r4/Patient/{sam}/$everything"}},
		{name: "chain_analysis", forms: []string{"partials/chain.html link_text", "partials/chain.html sol_text"},
			max: 10000, sep: "\n", slots: len(chainSections) + 2, saves: 1,
			plant: func(v []string) int {
				f := url.Values{"revision": {strconv.Itoa(chainRev)}}
				for i, s := range chainSections {
					f.Set(s, v[i])
				}
				f.Set("link_text", v[len(chainSections)])
				f.Set("link_type", string(chain.LinkThought))
				f.Set("sol_text", v[len(chainSections)+1])
				f.Set("sol_skill", "tipp")
				code := post("sam", x.path("/me/chains/{chain}"), f)
				if ok(code) {
					chainRev++
				}
				return code
			},
			views: []string{"sam /me/chains/{chain}", "sam /api/v1/me/chains/{chain}", "lee@example.org " + person + "/chains/{chain}"}},
		{name: "homework_practice", forms: []string{"partials/skills.html note"}, max: 2000, sep: "\n", slots: 2, saves: 4,
			plant: func(v []string) int {
				return post("sam", x.path("/me/homework/{homework}/practice"), url.Values{"idempotency_key": {"xss-" + tend.NewID().String()}, "helpful": {"yes"},
					"note": {v[0]}, "answer.balanced_thought": {v[1]}})
			},
			views: []string{"sam /me/homework/{homework}", "lee@example.org " + person + "/homework"}},
		{name: "diary_label", forms: []string{"me/diary_setup.html label"}, max: 60, sep: " ", saves: 8,
			plant: func(v []string) int {
				return post("sam", "/me/diary/setup/rows", url.Values{"section": {"urge"}, "kind": {"urge_other"}, "label": {v[0]}})
			},
			views: []string{"sam /me/diary/setup", "sam /me/diary/{today}", "lee@example.org " + person + "/diary"}},
		{name: "clinician_note", forms: []string{"clinic/notes.html text"}, max: 20000, sep: "\n", saves: 1,
			plant: func(v []string) int {
				return post("lee@example.org", x.path(person)+"/notes", url.Values{"kind": {"safety_formulation"}, "text": {v[0]}})
			},
			views: []string{"lee@example.org " + person + "/notes", "lee@example.org /api/v1/people/{sam}/notes"}},
		{name: "homework_note", forms: []string{"clinic/homework.html note"}, max: 2000, sep: "\n", saves: 3,
			plant: func(v []string) int {
				return post("lee@example.org", x.path(person)+"/homework", url.Values{"item": {"skill:observe"}, "per_week": {"3"}, "note": {v[0]}})
			},
			views: []string{"lee@example.org " + person + "/homework", "sam /api/v1/me/homework"}},
		{name: "journal_prompt", forms: []string{"clinic/journal_prompts.html prompt"}, max: 300, sep: " ", saves: 4,
			plant: func(v []string) int {
				return post("lee@example.org", x.path(person)+"/journal/prompts", url.Values{"prompt": {v[0]}})
			},
			views: []string{"lee@example.org " + person + "/journal/prompts", "sam /me/journal"}},
		{name: "task_resolution", forms: []string{"clinic/task.html note"}, max: 2000, sep: "\n", saves: 1,
			plant: func(v []string) int {
				return post("lee@example.org", x.path("/clinic/tasks/{task}/resolve"), url.Values{"note": {v[0]}})
			},
			views: []string{"lee@example.org /clinic/tasks/{task}"}},
		{name: "medication", forms: []string{"clinic/medication.html name", "clinic/medication.html dose", "clinic/medication.html schedule"},
			max: 200, sep: " ", slots: 3, saves: 10,
			plant: func(v []string) int {
				return post("priya@example.org", x.path(person)+"/medication", url.Values{"id": {tend.NewID().String()}, "name": {v[0] + " "},
					"dose": {v[1] + " "}, "schedule": {v[2] + " "}, "started_on": {"2026-01-12"}})
			},
			views: []string{"priya@example.org " + person + "/medication", "sam /me/medication", "sam /api/v1/me/medication"}},
		{name: "group", forms: []string{"clinic/groups.html name", "clinic/groups.html kind", "clinic/groups.html schedule"},
			max: 120, sep: " ", slots: 3, saves: 10,
			plant: func(v []string) int {
				return post("jo@example.org", "/clinic/groups", url.Values{"name": {v[0] + " "}, "kind": {v[1] + " "}, "schedule": {v[2] + " "}})
			},
			views: []string{"jo@example.org /clinic/groups", "jo@example.org /api/v1/groups"}},
		{name: "staff_name", forms: []string{"admin/staff.html name"}, max: 100, sep: " ", saves: 10,
			plant: func(v []string) int {
				return post("admin@example.org", "/admin/staff", url.Values{"email": {"x" + strings.ToLower(string(tend.NewID()))[:12] + "@example.org"}, "name": {v[0]},
					"role": {"clinician"}, "team": {"Riverside"}})
			},
			views: []string{"admin@example.org /admin/staff", "admin@example.org /admin/care-teams"}},
		{name: "team_name", forms: []string{"admin/teams.html name"}, max: 100, sep: " ", saves: 10,
			plant: func(v []string) int {
				return post("admin@example.org", "/admin/teams", url.Values{"name": {v[0]}, "kind": {"care"}})
			},
			views: []string{"admin@example.org /admin/teams", "admin@example.org /admin/invites", "admin@example.org /admin/staff"}},
		{name: "service_toolbox", forms: []string{"admin/toolbox.html text"}, max: 200, sep: " ", saves: 10, spaces: true,
			plant: func(v []string) int {
				return post("admin@example.org", "/admin/toolbox", url.Values{"kind": {"comfort"}, "text": {v[0]}, "safe": {"yes"}})
			},
			views: []string{"admin@example.org /admin/toolbox", "sam /me/toolbox/manage"}},
		{name: "service_journal_prompt", forms: []string{"admin/journal_prompts.html text"}, max: 300, sep: " ", saves: 6,
			plant: func(v []string) int {
				return post("admin@example.org", "/admin/journal-prompts", url.Values{"text": {v[0]}})
			},
			views: []string{"admin@example.org /admin/journal-prompts", "lee@example.org " + person + "/journal/prompts"}},
		// An imported instrument's rights statement and title.
		{name: "instrument", forms: []string{"admin/instruments.html rights"}, max: 200, sep: " ", slots: 2, saves: 3,
			plant: func(v []string) int {
				in := qcInstrument(strconv.Itoa(len(x.ids)))
				if in.Title = v[1]; in.Title == "" {
					in.Title = "Calm scale"
				}
				x.ids["instrument"+strconv.Itoa(len(x.ids))] = ""
				res := d.qcImport(t, "admin@example.org", qcQuestionnaireJSON(t, in), nil, v[0])
				x.check("admin POST /admin/instruments", res.Header().Get("Content-Type"), res.Body.Bytes())
				return res.Code
			},
			views: []string{"admin@example.org /admin/instruments"}},
	}
	// The service's settings: each save changes one field of the form
	// and overwrites the one before, so each is read back at once.
	plain := func(p string) bool { return !strings.ContainsAny(p, "\r\n\"'<>") }
	for _, s := range []struct {
		id    string
		max   int
		views []string
		pick  func(string) bool // the payloads the field's rules let in
	}{
		{"name", 100, []string{"admin@example.org /admin/settings"}, nil},
		{"out_of_hours", 500, []string{"sam /help", "admin@example.org /admin/settings"}, nil},
		{"emergency", 500, []string{"sam /help"}, nil},
		{"young_confidentiality", 500, []string{"admin@example.org /admin/settings"}, nil},
		{"evidence_statement", 300, []string{"sam /evidence", "admin@example.org /admin/settings"}, nil},
		// https addresses only: every payload is refused.
		{"quick_exit_url", 200, []string{"sam /me"}, func(p string) bool { return strings.Contains(p, "script:") || strings.HasPrefix(p, "data:") }},
		{"modalities", 40, []string{"admin@example.org /admin/settings", "lee@example.org " + person + "/episodes"}, nil},
		{"notifications.reminder_text", 80, []string{"admin@example.org /admin/settings"}, plain},
		{"notifications.summary_text", 80, []string{"admin@example.org /admin/settings"}, plain},
		{"notifications.task_text", 80, []string{"admin@example.org /admin/settings"}, plain},
		{"notifications.sender_name", 80, []string{"admin@example.org /admin/settings"}, plain},
		{"notifications.discreet_text", 80, []string{"admin@example.org /admin/settings"}, plain},
		{"notifications.discreet_sender", 80, []string{"admin@example.org /admin/settings"}, plain},
		{"line.0.name", 100, []string{"sam /help", "admin@example.org /admin/settings"}, nil},
		{"line.0.hours", 100, []string{"sam /help", "admin@example.org /admin/settings"}, nil},
	} {
		fields = append(fields, &xssField{name: "settings." + s.id, forms: []string{"admin/settings.html " + s.id}, max: s.max, sep: " ", saves: 2,
			overwrites: true, views: s.views, pick: s.pick, refuseAll: s.id == "quick_exit_url",
			plant: func(v []string) int {
				return post("admin@example.org", "/admin/settings", settingsForm(t, func(f url.Values) {
					f.Set(s.id, v[0])
					if strings.HasPrefix(s.id, "line.") {
						f.Set("line.0.call", "0800 123 456")
						if f.Get("line.0.name") == "" {
							f.Set("line.0.name", "A line")
						}
					}
				}))
			}})
	}

	// Every free-text field of every template is planted above, or is
	// one that stores nothing shown (xssNotStored).
	covered := map[string]bool{}
	for _, f := range fields {
		for _, form := range f.forms {
			covered[form] = true
		}
	}
	for _, ff := range xssFormFields(t) {
		if !covered[ff] && xssNotStored[ff] == "" {
			t.Errorf("the free-text form field %s is not in TestXSS", ff)
		}
	}

	for _, f := range fields {
		if f.overwrites {
			f.viewEach = func(saved []string) { x.views(f, saved) }
		}
		x.plantField(f, payloads)
	}
	t.Logf("planted: %v", time.Since(start).Round(time.Millisecond))
	// The download of sam's information, with all of it.
	if res := d.post(t, "sam", "/me/data/exports", url.Values{}); res.Code != http.StatusSeeOther {
		t.Fatalf("sam asking for a download: %d", res.Code)
	}
	buildPending(t, d, sam.ID)
	list, err := d.rights.Exports(ctx, sam, sam.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("sam's downloads: %v %v", list, err)
	}
	x.ids["export"] = string(list[0].ID)
	// Each homework lee set, on its own page of sam's.
	for i, m := range xssHomeworkLink.FindAllStringSubmatch(d.get(t, "sam", "/me/skills").Body.String(), -1) {
		if m[1] != x.ids["homework"] {
			x.ids["homework"+strconv.Itoa(i)] = m[1]
			fields[slices.IndexFunc(fields, func(f *xssField) bool { return f.name == "homework_note" })].views = append(
				fields[slices.IndexFunc(fields, func(f *xssField) bool { return f.name == "homework_note" })].views, "sam /me/homework/{homework"+strconv.Itoa(i)+"}")
		}
	}
	zipped := []string{"diary_note", "journal", "hope_box", "toolbox_own", "safety_plan", "chain_analysis", "homework_practice", "medication"}
	for _, f := range fields {
		if slices.Contains(zipped, f.name) {
			f.views = append(f.views, "sam /me/data/exports/{export}")
		}
		if !f.overwrites {
			x.views(f, f.planted)
		}
	}

	// Every page, API and FHIR answer of the accounts that see the
	// payloads.
	t.Logf("views read: %v", time.Since(start).Round(time.Millisecond))
	crawled := x.crawl()
	t.Logf("crawled: %v", time.Since(start).Round(time.Millisecond))

	// The outcome report's CSV, with payloads for team and modality
	// names: each cell as the page shows it, a formula made harmless.
	csvCells := x.outcomesCSV(payloads)
	t.Logf("CSV: %v", time.Since(start).Round(time.Millisecond))

	var planted, refused, unsent, views int
	for _, f := range fields {
		planted += len(f.planted)
		refused += len(f.refused)
		unsent += f.unsent
		views += len(f.views)
		t.Logf("%-38s %3d payloads saved, %3d refused by the service, %3d not sent (too long, or beyond the saves), %d views",
			f.name, len(f.planted), len(f.refused), f.unsent, len(f.views))
		if len(f.planted) == 0 && !f.refuseAll {
			t.Errorf("%s: no payload was saved", f.name)
		}
	}
	t.Logf("xss: %d payloads x %d fields: %d saved and read back in %d views (%d payload x view checks); %d refused, %d not sent; "+
		"%d saves; %d answers searched for markup (%d crawled); %d CSV cells", len(payloads), len(fields), planted, views, x.viewChecks, refused,
		unsent, x.saves, x.responses, crawled, csvCells)
	for _, p := range x.problems {
		t.Error(p)
	}
}

// views reads f's views and looks for each payload in them.
func (x *xssRun) views(f *xssField, payloads []string) {
	for _, v := range f.views {
		who, path, _ := strings.Cut(v, " ")
		path = x.path(path)
		text, exact, code := x.fetch(who, path)
		if code != http.StatusOK {
			x.fail("%s: %s GET %s: status %d", f.name, who, path, code)
			continue
		}
		if f.spaces {
			text = strings.Join(strings.Fields(text), " ")
		}
		for _, p := range payloads {
			x.viewChecks++
			if f.spaces {
				p = strings.Join(strings.Fields(p), " ")
			}
			if !xssFound(text, p, exact) {
				x.fail("%s: %s GET %s does not show %.80q as text", f.name, who, path, p)
			}
		}
	}
}

// crawl reads every GET route of the router, the API and FHIR as the
// accounts that see sam's records, the clinic's and the service's.
func (x *xssRun) crawl() int {
	routes := slices.Concat(x.d.srv.Patterns(), api.Patterns(), api.FHIRPatterns())
	ids := map[string]string{
		"/me/journal/{id}": x.ids["entry"], "/api/v1/me/journal/{id}": x.ids["entry"], "/me/homework/{id}": x.ids["homework"],
		"/me/skills/{id}": "observe", "/clinic/tasks/{id}": x.ids["task"], "/me/data/exports/{id}": x.ids["export"],
		"/api/v1/me/exports/{id}": x.ids["export"], "/help/{country}": "GB",
	}
	n := 0
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		if method != http.MethodGet || strings.HasPrefix(path, "/static/") || path == "/metrics" {
			continue
		}
		if id, ok := ids[path]; ok {
			path = strings.ReplaceAll(path, "{id}", id)
			path = strings.ReplaceAll(path, "{country}", id)
		}
		path = strings.NewReplacer("{id}", x.ids["sam"], "{cid}", x.ids["chain"], "{date}", x.ids["today"], "{$}", "").Replace(path)
		if strings.Contains(path, "{") {
			continue
		}
		if strings.HasSuffix(path, "/diary") && strings.HasPrefix(path, "/api/") {
			path += "?from=" + x.ids["today"] + "&to=" + x.ids["today"]
		}
		var who []string
		switch {
		case strings.HasPrefix(path, "/admin"):
			who = []string{"admin@example.org"}
		case strings.HasPrefix(path, "/clinic/reports"), strings.HasPrefix(path, "/api/v1/reports"):
			who = []string{"morgan@example.org"}
		case strings.HasPrefix(path, "/clinic/groups"), path == "/api/v1/groups":
			who = []string{"jo@example.org"}
		case strings.HasPrefix(path, "/clinic"), strings.HasPrefix(path, "/api/v1/people"), strings.HasPrefix(path, "/api/v1/caseload"),
			strings.HasPrefix(path, "/api/v1/tasks"):
			who = []string{"lee@example.org", "priya@example.org"}
		case strings.HasPrefix(path, "/fhir"):
			who = []string{"sam", "lee@example.org"}
		case strings.HasPrefix(path, "/api/v1/instruments"), path == "/api/v1/skills":
			who = []string{"lee@example.org"}
		default:
			who = []string{"sam"}
		}
		for _, w := range who {
			x.fetch(w, path)
			n++
		}
	}
	return n
}

// outcomesCSV writes an outcome report whose teams and modalities are
// named by payloads as the lead's CSV export does, and checks that every
// name is a cell of its own, escaped by csvSafe's rule.
func (x *xssRun) outcomesCSV(payloads []string) int {
	var mods []string
	for _, p := range payloads {
		if len([]rune(p)) <= 40 && len(mods) < 8 {
			mods = append(mods, p)
		}
	}
	teams := []outcome.Team{{ID: "t0", Name: payloads[0]}}
	var eps []outcome.Episode
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for i, m := range mods {
		eps = append(eps, outcome.Episode{Key: "p" + strconv.Itoa(i), Team: "t0", Modality: m, ReferredOn: day, Accepted: true})
	}
	rep := outcome.Build(eps, outcome.Query{Cohort: outcome.Cohort{Year: 2026, Quarter: 1}, Teams: teams, AllTeams: true, Modalities: mods},
		outcome.Settings{Suppress: 1, CountsOnly: 1, Resamples: 10})
	// The team's table again under every payload's name: building the
	// figures once is enough to test how names are written.
	one := rep.Scopes[len(rep.Scopes)-1]
	for i, p := range payloads[1:] {
		sc := one
		sc.Team, sc.Name = "t"+strconv.Itoa(i+1), p
		rep.Scopes = append(rep.Scopes, sc)
		teams = append(teams, outcome.Team{ID: sc.Team, Name: p})
	}
	cat, err := i18n.New()
	if err != nil {
		x.t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := web.OutcomesCSV(&buf, rep, cat.Printer("")); err != nil {
		x.t.Fatal(err)
	}
	recs := x.checkCSV("outcomes.csv", buf.Bytes())
	cells := map[string]bool{}
	n := 0
	for _, rec := range recs {
		for _, c := range rec {
			cells[c] = true
			n++
		}
	}
	want := func(p string) string {
		p = strings.ReplaceAll(p, "\r\n", "\n") // encoding/csv reads a quoted CRLF as LF
		if strings.ContainsRune("=+-@\t\r", rune(p[0])) {
			return "'" + p
		}
		return p
	}
	for _, tm := range teams {
		if !cells[want(tm.Name)] {
			x.fail("outcomes.csv: no cell %.80q for a team", want(tm.Name))
		}
	}
	for _, m := range mods {
		if !cells[want(m)] {
			x.fail("outcomes.csv: no cell %.80q for a modality", want(m))
		}
	}
	return n
}
