package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/testenv"
)

// shareArea sets person's grant of area for the care-team member named
// staffName, as the person does on their sharing page.
func (d *demoServer) shareArea(t *testing.T, person, staffName string, area access.Area, level access.Level) {
	t.Helper()
	ctx := context.Background()
	me := tend.Actor{Kind: tend.KindPerson, ID: d.people[person]}
	team, err := d.careTeam.Team(ctx, me, me.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range team {
		if m.StaffName == staffName {
			if err := d.careTeam.SetGrants(ctx, me, me.ID, []careteam.GrantChange{{MemberID: m.ID, Area: area, Level: level}}); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s is not on %s's care team", staffName, person)
}

var entryIDField = regexp.MustCompile(`name="id" value="([^"]+)"`)

// newEntryID opens a new entry's form as who and returns its entry id.
func (d *demoServer) newEntryID(t *testing.T, who string) string {
	t.Helper()
	res := d.get(t, who, "/me/journal/new")
	m := entryIDField.FindStringSubmatch(res.Body.String())
	if res.Code != http.StatusOK || m == nil {
		t.Fatalf("new entry form: %d, id %v", res.Code, m)
	}
	return m[1]
}

// autosave posts a draft as the page's script does and decodes the answer.
func (d *demoServer) autosave(t *testing.T, who string, form url.Values) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/me/journal", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	res := d.do(t, who, r)
	var out map[string]any
	if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil {
		t.Fatalf("autosave answer is not JSON: %v\n%s", err, res.Body.String())
	}
	return res.Code, out
}

func (d *demoServer) journalEntries(t *testing.T, who string) []journal.Entry {
	t.Helper()
	a := tend.Actor{Kind: tend.KindPerson, ID: d.people[who]}
	es, err := d.journal.Entries(context.Background(), a, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestJournalWhoReadsIt: every entry box says who will read it and when,
// from sam's journal grants as they stand now, with the help link beside it
// (safety-rules.md section 3).
func TestJournalWhoReadsIt(t *testing.T) {
	d := newDemoServer(t)
	box := func() string {
		t.Helper()
		body := d.get(t, "sam", "/me/journal/new").Body.String()
		i := strings.Index(body, `id="who-reads"`)
		if i < 0 {
			t.Fatal("the entry form has no who-reads text")
		}
		text, _, _ := strings.Cut(body[i:], "</span>")
		if !strings.Contains(text, `<a href="/help">`) {
			t.Errorf("no help link beside the who-reads text: %s", text)
		}
		if !strings.Contains(body, `aria-describedby="who-reads"`) {
			t.Error("the box is not described by the who-reads text")
		}
		return text
	}
	if got := box(); !strings.Contains(got, "Only you can see this.") || strings.Contains(got, "Lee") {
		t.Errorf("nobody shared: %q, want only you", got)
	}
	d.shareArea(t, "sam", "Lee", access.AreaJournal, access.LevelSee)
	want := "Lee (therapist) can read this. They read it during working hours, not straight away."
	if got := box(); !strings.Contains(got, want) {
		t.Errorf("shared with Lee: %q, want %q", got, want)
	}
	if body := d.get(t, "sam", "/me/journal").Body.String(); !strings.Contains(body, want) {
		t.Error("the journal page does not say who reads it")
	}
	d.shareArea(t, "sam", "Priya", access.AreaJournal, access.LevelSee)
	if got := box(); !strings.Contains(got, "Lee (therapist), Priya (prescriber) can read this.") {
		t.Errorf("shared with Lee and Priya: %q", got)
	}
	d.shareArea(t, "sam", "Lee", access.AreaJournal, access.LevelNone)
	d.shareArea(t, "sam", "Priya", access.AreaJournal, access.LevelNone)
	if got := box(); !strings.Contains(got, "Only you can see this.") {
		t.Errorf("after revoking: %q, want only you", got)
	}
	// The journal needs a connection, and says so.
	mustContain(t, "the journal page", d.get(t, "sam", "/me/journal").Body.String(), "needs an internet connection")
}

// TestJournalSaving: the Save button without JavaScript, the autosave
// with it (idempotent), and two windows saving the same entry.
func TestJournalSaving(t *testing.T) {
	d := newDemoServer(t)

	t.Run("without JavaScript", func(t *testing.T) {
		id := d.newEntryID(t, "sam")
		res := d.post(t, "sam", "/me/journal", url.Values{"id": {id}, "revision": {"0"}, "text": {"A slow morning, tea by the window."}})
		if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/journal/"+id+"?saved=1" {
			t.Fatalf("save: %d to %q", res.Code, res.Header().Get("Location"))
		}
		body := d.get(t, "sam", "/me/journal/"+id+"?saved=1").Body.String()
		mustContain(t, "the entry", body, "A slow morning, tea by the window.", "Saved.", `name="revision" value="1"`)
		if body := d.get(t, "sam", "/me/journal").Body.String(); !strings.Contains(body, "A slow morning, tea by the window.") {
			t.Error("the entry is not listed")
		}
		// Bad input changes nothing and says why.
		res = d.post(t, "sam", "/me/journal", url.Values{"id": {d.newEntryID(t, "sam")}, "revision": {"0"}, "text": {"   "}})
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Write something before saving.") {
			t.Errorf("empty entry: %d", res.Code)
		}
	})

	t.Run("autosave is a real, idempotent save", func(t *testing.T) {
		before := len(d.journalEntries(t, "alex"))
		id := d.newEntryID(t, "alex")
		form := url.Values{"id": {id}, "revision": {"0"}, "text": {"Typing slowly"}}
		for range 2 { // the script's retry after a lost answer
			code, out := d.autosave(t, "alex", form)
			if code != http.StatusOK || out["revision"] != float64(1) || out["merged"] != false {
				t.Fatalf("autosave: %d %v", code, out)
			}
			if s, _ := out["status"].(string); !strings.HasPrefix(s, "Saved at ") {
				t.Errorf("status %q, want \"Saved at …\"", s)
			}
		}
		form.Set("revision", "1")
		form.Set("text", "Typing slowly, then faster")
		if code, out := d.autosave(t, "alex", form); code != http.StatusOK || out["revision"] != float64(2) {
			t.Fatalf("second autosave: %d %v", code, out)
		}
		es := d.journalEntries(t, "alex")
		if len(es) != before+1 || es[0].Text != "Typing slowly, then faster" {
			t.Fatalf("entries = %+v, want one more with the latest text", es)
		}
		if code, out := d.autosave(t, "alex", url.Values{"id": {"nonsense"}, "text": {"x"}}); code != http.StatusBadRequest || out["problem"] == "" {
			t.Errorf("bad autosave: %d %v", code, out)
		}
	})

	t.Run("two windows keep both texts", func(t *testing.T) {
		id := d.newEntryID(t, "riley")
		d.post(t, "riley", "/me/journal", url.Values{"id": {id}, "revision": {"0"}, "text": {"Evening."}})
		// Both windows opened revision 1.
		if code, _ := d.autosave(t, "riley", url.Values{"id": {id}, "revision": {"1"}, "text": {"Evening. From the laptop."}}); code != http.StatusOK {
			t.Fatalf("first window: %d", code)
		}
		res := d.post(t, "riley", "/me/journal", url.Values{"id": {id}, "revision": {"1"}, "text": {"Evening. From the phone."}})
		if res.Code != http.StatusSeeOther || !strings.HasSuffix(res.Header().Get("Location"), "?merged=1") {
			t.Fatalf("second window: %d to %q", res.Code, res.Header().Get("Location"))
		}
		body := d.get(t, "riley", "/me/journal/"+id+"?merged=1").Body.String()
		mustContain(t, "the merged entry", body, "From the laptop.", "From the phone.", "Nothing was lost")
	})
}

// TestJournalStaffRead: lee reads sam's journal only while sam shares it,
// each read audited; kim gets 404; the person's own journal pages are
// nobody else's.
func TestJournalStaffRead(t *testing.T) {
	d := newDemoServer(t)
	id := d.newEntryID(t, "sam")
	d.post(t, "sam", "/me/journal", url.Values{"id": {id}, "revision": {"0"}, "text": {"Something only I know"}})
	page := "/clinic/people/" + string(d.people["sam"]) + "/journal"
	reads := func() int { return d.auditCount(t, "sam", string(access.JournalRead)) }

	if res := d.get(t, "lee@example.org", page); res.Code != http.StatusForbidden || strings.Contains(res.Body.String(), "Something only I know") {
		t.Fatalf("lee before sharing: %d", res.Code)
	}
	d.shareArea(t, "sam", "Lee", access.AreaJournal, access.LevelSee)
	res := d.get(t, "lee@example.org", page)
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Something only I know") {
		t.Fatalf("lee while shared: %d", res.Code)
	}
	if res.Header().Get("Cache-Control") != "no-store" {
		t.Error("the staff journal page may be cached")
	}
	if n := reads(); n != 1 {
		t.Errorf("%d audited reads, want 1", n)
	}
	d.get(t, "lee@example.org", page)
	if n := reads(); n != 2 {
		t.Errorf("%d audited reads after a second look, want 2", n)
	}
	for _, who := range []string{"kim@example.org", "nia@example.org", "dana@example.org"} {
		if res := d.get(t, who, page); res.Code != http.StatusNotFound || strings.Contains(res.Body.String(), "Something only I know") {
			t.Errorf("%s: %d, want 404", who, res.Code)
		}
	}
	for _, who := range []string{"alex", "lee@example.org", "kim@example.org"} {
		if res := d.get(t, who, "/me/journal/"+id); res.Code != http.StatusNotFound {
			t.Errorf("%s opening sam's entry: %d, want 404", who, res.Code)
		}
	}
	d.shareArea(t, "sam", "Lee", access.AreaJournal, access.LevelNone)
	if res := d.get(t, "lee@example.org", page); res.Code != http.StatusForbidden || strings.Contains(res.Body.String(), "Something only I know") {
		t.Errorf("lee after sam stopped sharing: %d", res.Code)
	}
	if n := reads(); n != 2 {
		t.Errorf("%d audited reads, want 2 (a refused look reads nothing)", n)
	}
}

// TestJournalPrompts: the service's open prompt is offered to everyone;
// a deeper prompt only reaches sam when lee assigns it, and shows "You can
// stop any time" with the help link; withdrawing it is audited.
func TestJournalPrompts(t *testing.T) {
	d := newDemoServer(t)
	open := "What feelings came up today that surprised me?"
	deeper := "Did anything today remind me of an earlier relationship?"
	body := d.get(t, "sam", "/me/journal").Body.String()
	mustContain(t, "sam's journal", body, open)
	if strings.Contains(body, deeper) || strings.Contains(body, "You can stop any time.") {
		t.Fatal("a deeper prompt is offered by default")
	}
	prompts := "/clinic/people/" + string(d.people["sam"]) + "/journal/prompts"
	if res := d.post(t, "kim@example.org", prompts, url.Values{"prompt": {deeper}}); res.Code != http.StatusNotFound {
		t.Errorf("kim assigning: %d, want 404", res.Code)
	}
	if res := d.post(t, "lee@example.org", prompts, url.Values{"prompt": {deeper}}); res.Code != http.StatusSeeOther {
		t.Fatalf("lee assigning: %d", res.Code)
	}
	if n := d.auditCount(t, "sam", journal.AuditPromptAssigned); n != 1 {
		t.Errorf("%d assign events, want 1", n)
	}
	body = d.get(t, "sam", "/me/journal").Body.String()
	mustContain(t, "sam's journal", body, deeper, "You can stop any time.", "From Lee")
	if other := d.get(t, "alex", "/me/journal").Body.String(); strings.Contains(other, deeper) {
		t.Error("alex sees sam's assigned prompt")
	}
	m := regexp.MustCompile(`href="/me/journal/new\?prompt=([^"]+)">Write about this<span class="visually-hidden">: ` + regexp.QuoteMeta(deeper)).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no link to write about the assigned prompt")
	}
	form := d.get(t, "sam", "/me/journal/new?prompt="+m[1]).Body.String()
	mustContain(t, "the entry form", form, deeper, "You can stop any time.", `name="prompt" value="`+m[1]+`"`)
	if i := strings.Index(form, "You can stop any time."); i < 0 || !strings.Contains(form[i:i+120], `<a href="/help">`) {
		t.Error("no help link beside \"You can stop any time\"")
	}
	staff := d.get(t, "lee@example.org", prompts).Body.String()
	a := regexp.MustCompile(`name="assignment" value="([^"]+)"`).FindStringSubmatch(staff)
	if a == nil {
		t.Fatal("no withdraw form on lee's page")
	}
	if res := d.post(t, "lee@example.org", prompts+"/withdraw", url.Values{"assignment": {a[1]}}); res.Code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", res.Code)
	}
	if body := d.get(t, "sam", "/me/journal").Body.String(); strings.Contains(body, deeper) {
		t.Error("the withdrawn prompt is still offered")
	}
	// An admin adds an open prompt for everyone.
	if res := d.post(t, "admin@example.org", "/admin/journal-prompts", url.Values{"text": {"What helped today?"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("admin adding a prompt: %d", res.Code)
	}
	mustContain(t, "alex's journal", d.get(t, "alex", "/me/journal").Body.String(), "What helped today?", open)
	if res := d.post(t, "lee@example.org", "/admin/journal-prompts", url.Values{"text": {"x"}}); res.Code != http.StatusForbidden {
		t.Errorf("lee adding an open prompt: %d, want 403", res.Code)
	}
}

// uploadPhoto posts a photo as the hope box's multipart form does.
func (d *demoServer) uploadPhoto(t *testing.T, who, filename string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("photo", filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/me/hope-box/photos", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return d.do(t, who, r)
}

var photoLink = regexp.MustCompile(`href="/me/hope-box/photos/([0-9a-f-]{36})"`)

// TestHopeBox: words and photos as the person keeps them, stripped of
// metadata, served to them alone, never cached; refused files say why.
func TestHopeBox(t *testing.T) {
	d := newDemoServer(t)
	page := d.get(t, "sam", "/me/hope-box").Body.String()
	mustContain(t, "the hope box", page, "Only you can see this. It is never shared.", `enctype="multipart/form-data"`)

	if res := d.post(t, "sam", "/me/hope-box/words", url.Values{"text": {"The sea at Whitby"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("add words: %d", res.Code)
	}
	photo := testenv.JPEGWithExif(t, 40, 20, 1)
	if res := d.uploadPhoto(t, "sam", "holiday.jpg", photo); res.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.Code, res.Body.String())
	}
	page = d.get(t, "sam", "/me/hope-box").Body.String()
	mustContain(t, "the hope box", page, "The sea at Whitby")
	m := photoLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the photo is not shown")
	}
	url1 := "/me/hope-box/photos/" + m[1]
	for _, path := range []string{url1, url1 + "?size=thumb"} {
		res := d.get(t, "sam", path)
		if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "image/jpeg" || res.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %q %q", path, res.Code, res.Header().Get("Content-Type"), res.Header().Get("Cache-Control"))
		}
		b := res.Body.Bytes()
		if bytes.Contains(b, []byte(testenv.LocationMarker)) || bytes.Contains(b, []byte("Exif")) {
			t.Errorf("%s still carries the photo's EXIF data", path)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s is not a JPEG: %v", path, err)
		}
	}

	t.Run("refused files say why and change nothing", func(t *testing.T) {
		for name, data := range map[string][]byte{
			"not-a-photo.jpg": []byte("these are words, not a picture"),
			"animation.png":   []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		} {
			res := d.uploadPhoto(t, "sam", name, data)
			if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Please choose a JPEG or PNG photo.") {
				t.Errorf("%s: %d", name, res.Code)
			}
		}
		if n := len(photoLink.FindAllString(d.get(t, "sam", "/me/hope-box").Body.String(), -1)); n != 2 {
			t.Errorf("%d photo links after refusals, want 2 (one photo)", n)
		}
	})

	t.Run("nobody else, whatever sam shares", func(t *testing.T) {
		for _, area := range access.Areas {
			if area.Shareable() && area != access.AreaTest {
				level := access.LevelEdit
				if !area.Written() {
					level = access.LevelSee // the most the person can give there
				}
				d.shareArea(t, "sam", "Lee", area, level)
			}
		}
		for _, who := range []string{"", "alex", "riley", "lee@example.org", "priya@example.org", "jo@example.org", "kim@example.org",
			"morgan@example.org", "admin@example.org", "casey@example.org", "nia@example.org", "dana@example.org"} {
			for _, path := range []string{url1, url1 + "?size=thumb"} {
				res := d.get(t, who, path)
				want := http.StatusNotFound
				if who == "" {
					want = http.StatusSeeOther
				}
				if res.Code != want || bytes.Contains(res.Body.Bytes(), []byte("\xff\xd8\xff")) {
					t.Errorf("%q GET %s: %d, want %d", who, path, res.Code, want)
				}
			}
			if who == "" {
				continue
			}
			if body := d.get(t, who, "/me/hope-box").Body.String(); strings.Contains(body, "Whitby") {
				t.Errorf("%s sees sam's hope box", who)
			}
			if res := d.post(t, who, "/me/hope-box/photos/delete", url.Values{"photo": {m[1]}}); res.Code != http.StatusNotFound {
				t.Errorf("%s deleting sam's photo: %d, want 404", who, res.Code)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		if res := d.post(t, "sam", "/me/hope-box/photos/delete", url.Values{"photo": {m[1]}}); res.Code != http.StatusSeeOther {
			t.Fatalf("delete photo: %d", res.Code)
		}
		if res := d.get(t, "sam", url1); res.Code != http.StatusNotFound {
			t.Errorf("deleted photo: %d", res.Code)
		}
		w := regexp.MustCompile(`name="words" value="([^"]+)"`).FindStringSubmatch(d.get(t, "sam", "/me/hope-box").Body.String())
		if w == nil {
			t.Fatal("no remove form for the words")
		}
		d.post(t, "sam", "/me/hope-box/words/delete", url.Values{"words": {w[1]}})
		if body := d.get(t, "sam", "/me/hope-box").Body.String(); strings.Contains(body, "Whitby") {
			t.Error("deleted words still shown")
		}
	})
}

// TestHopeBoxUploadLimit: a photo over 5 MB is refused with a clear
// message; the route takes such a body at all (other routes keep the
// server's smaller limit).
func TestHopeBoxUploadLimit(t *testing.T) {
	d := newDemoServer(t)
	big := append([]byte("\xff\xd8\xff"), make([]byte, 5<<20)...)
	res := d.uploadPhoto(t, "sam", "big.jpg", big)
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "Photos can be up to 5 MB.") {
		t.Errorf("a 5 MB photo: %d", res.Code)
	}
	huge := make([]byte, 8<<20)
	if res := d.uploadPhoto(t, "sam", "huge.jpg", huge); res.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("an 8 MB upload: %d, want 413", res.Code)
	}
}
