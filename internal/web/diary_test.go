package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
)

// demoToday is today's civil date in the demo's zone (Europe/London), the
// zone of the demo people.
func demoToday() string {
	return demoDay(0)
}

// demoDay is the civil date days from today in the demo's zone.
func demoDay(days int) string {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return diary.Today(time.Now(), loc).AddDate(0, 0, days).Format(diary.DayLayout)
}

func dayOf(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(diary.DayLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// backdateJoining makes who's account days older, so earlier days have
// cards.
func (d *demoServer) backdateJoining(t *testing.T, who string, days int) {
	t.Helper()
	if _, err := d.db.Writer().ExecContext(context.Background(), `UPDATE people SET created_at = $1 WHERE id = $2`,
		time.Now().UTC().AddDate(0, 0, -days), string(d.people[who])); err != nil {
		t.Fatal(err)
	}
}

// cardOf returns who's card for day through the diary service.
func (d *demoServer) cardOf(t *testing.T, who, day string) diary.CardView {
	t.Helper()
	v, err := d.diary.Card(context.Background(), personActor(d, who), d.people[who], dayOf(t, day))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (d *demoServer) historyOf(t *testing.T, who, day string) []diary.SaveRecord {
	t.Helper()
	h, err := d.diary.History(context.Background(), personActor(d, who), d.people[who], dayOf(t, day))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func value(t *testing.T, v diary.CardView, f diary.Field) int {
	t.Helper()
	n, ok := v.Card.Get(f)
	if !ok {
		t.Fatalf("the card has no %s", f)
	}
	return n
}

// card posts a card form as the page's form would send it.
func (d *demoServer) card(t *testing.T, who, day string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return d.post(t, who, "/me/diary/"+day, form)
}

// TestDiaryNoticeFirst: before the first card, the first-use notice of
// safety-rules.md section 3; then the card, with the section 3 notice and
// who reads the note.
func TestDiaryNoticeFirst(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	body := d.get(t, "sam", "/me/diary").Body.String()
	for _, want := range []string{`action="/me/diary/notice"`, "nobody is called automatically", "a follow-up task too"} {
		if !strings.Contains(body, want) {
			t.Errorf("the first card page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="diary-card"`) {
		t.Error("the card shows before the first-use notice")
	}
	if res := d.post(t, "sam", "/me/diary/notice", url.Values{"day": {demoToday()}}); res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/diary/"+demoToday() {
		t.Fatalf("notice seen: %d to %q", res.Code, res.Header().Get("Location"))
	}
	body = d.get(t, "sam", "/me/diary/"+demoToday()).Body.String()
	for _, want := range []string{`id="diary-card"`, `name="idempotency_key"`, "Lee (therapist) can read this. They read it during working hours, not straight away.",
		"Tend is not watched in real time.", "Urge to self-harm", "extremely strong (the strongest possible)", "Didn&#39;t try, used them, helped",
		`<details class="ticks">`, `href="/me/progress"`, `data-offline-queue="idempotency_key"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the card lacks %q", want)
		}
	}
	if strings.Contains(body, `action="/me/diary/notice"`) {
		t.Error("the notice shows again after it was seen")
	}
	// No future day: today's card offers no next day.
	if strings.Contains(body, `rel="next" data-nav="1">`) {
		t.Error("today's card links to tomorrow")
	}
	if res := d.get(t, "sam", "/me/diary/"+demoDay(1)); res.Code != http.StatusNotFound {
		t.Errorf("tomorrow's card: %d, want 404", res.Code)
	}
}

// TestDiarySaveWithoutJavaScript: the form sends every field with the value
// it was rendered with; only the fields the person changed are saved.
func TestDiarySaveWithoutJavaScript(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	today := demoToday()
	res := d.card(t, "sam", today, url.Values{"idempotency_key": {"k1"}, "urge:u.substances": {"1"}, "was:urge:u.substances": {""},
		"was:urge:u.self_harm": {""}, "note": {""}, "note_was": {""}})
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/diary/"+today+"?saved=1" {
		t.Fatalf("first save: %d to %q", res.Code, res.Header().Get("Location"))
	}
	page := d.get(t, "sam", "/me/diary/"+today+"?saved=1").Body.String()
	if !strings.Contains(page, `name="was:urge:u.substances" value="1"`) || !strings.Contains(page, "Saved. Thank you for filling in your card.") {
		t.Fatalf("the card after saving does not carry the saved value, or no confirmation")
	}
	// The second form carries the first value unchanged, and one change.
	res = d.card(t, "sam", today, url.Values{"idempotency_key": {"k2"}, "urge:u.substances": {"1"}, "was:urge:u.substances": {"1"},
		"emotion:e.joy": {"4"}, "was:emotion:e.joy": {""}, "was:skill:mf_wise_mind": {""}, "note": {""}, "note_was": {""}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.Code)
	}
	h := d.historyOf(t, "sam", today)
	if len(h) != 2 {
		t.Fatalf("history: %d saves, want 2", len(h))
	}
	if len(h[1].Changes) != 1 || h[1].Changes[diary.EmotionField("e.joy")] == nil || h[1].NoteChanged {
		t.Errorf("the second save sent %v (note %v), want only emotion:e.joy", h[1].Changes, h[1].NoteChanged)
	}
	v := d.cardOf(t, "sam", today)
	if value(t, v, diary.UrgeField("u.substances")) != 1 || value(t, v, diary.EmotionField("e.joy")) != 4 {
		t.Errorf("the card holds %v", v.Card.Values)
	}
	hist := d.get(t, "sam", "/me/diary/"+today+"/history").Body.String()
	if strings.Count(hist, "<td>You</td>") != 2 || !strings.Contains(hist, "Joy") || !strings.Contains(hist, "Urge to use alcohol or drugs") {
		t.Errorf("the history page does not list both saves by sam with their fields")
	}
}

// TestDiaryTwoDevices: two devices open the same day's card and each
// changes a different field: no field is lost, and the history shows both
// saves (issue 6, done when).
func TestDiaryTwoDevices(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	today := demoToday()
	// Both pages were rendered with nothing filled in.
	blank := func(key string, set map[string]string) url.Values {
		f := url.Values{"idempotency_key": {key}, "note": {""}, "note_was": {""}}
		for _, name := range []string{"urge:u.self_harm", "emotion:e.sadness", "skills"} {
			f.Set("was:"+name, "")
		}
		for k, v := range set {
			f.Set(k, v)
		}
		return f
	}
	if res := d.card(t, "sam", today, blank("phone", map[string]string{"urge:u.self_harm": "3"})); res.Code != http.StatusSeeOther {
		t.Fatalf("phone: %d", res.Code)
	}
	if res := d.card(t, "sam", today, blank("laptop", map[string]string{"emotion:e.sadness": "2", "skills": "5"})); res.Code != http.StatusSeeOther {
		t.Fatalf("laptop: %d", res.Code)
	}
	v := d.cardOf(t, "sam", today)
	if value(t, v, diary.UrgeField("u.self_harm")) != 3 || value(t, v, diary.EmotionField("e.sadness")) != 2 || value(t, v, diary.FieldSkills) != 5 {
		t.Errorf("a field was lost: %v", v.Card.Values)
	}
	if h := d.historyOf(t, "sam", today); len(h) != 2 || h[0].Key != "phone" || h[1].Key != "laptop" {
		t.Errorf("history: %+v, want the phone's save then the laptop's", h)
	}
}

// TestDiaryRetry: a resend with the same idempotency key changes nothing.
func TestDiaryRetry(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	today := demoToday()
	form := url.Values{"idempotency_key": {"same"}, "urge:u.self_harm": {"2"}, "was:urge:u.self_harm": {""}}
	for i := 0; i < 2; i++ {
		if res := d.card(t, "sam", today, form); res.Code != http.StatusSeeOther {
			t.Fatalf("send %d: %d", i+1, res.Code)
		}
	}
	// The same key with other values (a tampered resend): still nothing.
	form.Set("urge:u.self_harm", "5")
	if res := d.card(t, "sam", today, form); res.Code != http.StatusSeeOther {
		t.Fatalf("third send: %d", res.Code)
	}
	if h := d.historyOf(t, "sam", today); len(h) != 1 {
		t.Errorf("history: %d saves, want 1", len(h))
	}
	if v := d.cardOf(t, "sam", today); value(t, v, diary.UrgeField("u.self_harm")) != 2 {
		t.Errorf("the card holds %v, want the first save's 2", v.Card.Values)
	}
}

// openActs counts the act triggers on sam's open task, as lee sees it.
func (d *demoServer) openActs(t *testing.T) int {
	t.Helper()
	tasks, err := d.followUp.Inbox(context.Background(), staffActor(t, d, "lee@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range tasks {
		if task.PersonID != d.people["sam"] {
			continue
		}
		for _, e := range task.Entries {
			if e.Kind == followup.KindAct {
				n++
			}
		}
	}
	return n
}

// TestDiaryActToday: recording a self-harm act for today shows physical
// safety first, then the plan, and adds exactly one trigger to the care
// team's open task; for last week, no urgent screen (issue 6, done when).
func TestDiaryActToday(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	d.backdateJoining(t, "sam", 30)
	today := demoToday()
	res := d.post(t, "sam", "/me/diary/"+today, url.Values{"idempotency_key": {"act-1"}, "act:a.self_harm": {"1"}, "was:act:a.self_harm": {""},
		"count:a.self_harm": {"2"}, "was:count:a.self_harm": {""}})
	body := res.Body.String()
	hurt, plan := strings.Index(body, "Are you hurt, or have you taken anything?"), strings.Index(body, "My safety plan</h2>")
	if res.Code != http.StatusOK || hurt < 0 || plan < 0 || hurt > plan {
		t.Fatalf("act today: %d, physical safety at %d, plan at %d; want physical safety first, then the plan", res.Code, hurt, plan)
	}
	if n := d.openActs(t); n != 1 {
		t.Errorf("sam's open task has %d act triggers, want 1", n)
	}
	// The same card saved again (more times, another key): still one trigger.
	d.post(t, "sam", "/me/diary/"+today, url.Values{"idempotency_key": {"act-2"}, "count:a.self_harm": {"3"}, "was:count:a.self_harm": {"2"}})
	// A resend of the first save shows the same screen and adds nothing.
	res = d.post(t, "sam", "/me/diary/"+today, url.Values{"idempotency_key": {"act-1"}, "act:a.self_harm": {"1"}, "was:act:a.self_harm": {""},
		"count:a.self_harm": {"2"}, "was:count:a.self_harm": {""}})
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Are you hurt, or have you taken anything?") {
		t.Errorf("a resend of the save: %d, want the same safety screen", res.Code)
	}
	if n := d.openActs(t); n != 1 {
		t.Errorf("after saving again: %d act triggers, want 1", n)
	}

	res = d.post(t, "sam", "/me/diary/"+demoDay(-7), url.Values{"idempotency_key": {"act-old"}, "act:a.self_harm": {"1"}, "was:act:a.self_harm": {""}})
	body = res.Body.String()
	if res.Code != http.StatusOK || strings.Contains(body, "Are you hurt") || !strings.Contains(body, "Thank you for writing this down") {
		t.Errorf("act last week: %d; want no urgent screen and a calm thank you", res.Code)
	}
	if page := d.get(t, "sam", "/me/diary/"+demoDay(-7)).Body.String(); !strings.Contains(page, "Filled in 7 days later.") {
		t.Error("last week's card is not marked as filled in 7 days later")
	}
}

// TestDiaryBadInput: out-of-range ratings, unknown rows, future days, days
// before joining, malformed zones and words for numbers: a clear message,
// nothing saved.
func TestDiaryBadInput(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	today := demoToday()
	tests := []struct {
		name string
		day  string
		form url.Values
		want string
	}{
		{"RatingOutOfRange", today, url.Values{"urge:u.self_harm": {"9"}}, "A rating was out of range"},
		{"UnknownRow", today, url.Values{"urge:u.nope": {"1"}}, "The card has no row"},
		{"FutureDay", demoDay(1), url.Values{"urge:u.self_harm": {"1"}}, "That day has not happened yet."},
		{"BeforeJoining", demoDay(-1), url.Values{"urge:u.self_harm": {"1"}}, "That day is before you joined"},
		{"MalformedZone", today, url.Values{"urge:u.self_harm": {"1"}, "tz": {"Not/A_Zone"}}, "That time zone is not one Tend knows"},
		{"NotANumber", today, url.Values{"urge:u.self_harm": {"lots"}}, "Please use whole numbers only."},
		{"NoKey", today, url.Values{"urge:u.self_harm": {"1"}}, "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "NoKey" {
				tt.form.Set("idempotency_key", "bad-"+tt.name)
			}
			res := d.post(t, "sam", "/me/diary/"+tt.day, tt.form)
			if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), tt.want) {
				t.Errorf("%d, want 400 with %q:\n%s", res.Code, tt.want, res.Body.String())
			}
		})
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM diary_cards WHERE person_id = $1`, string(d.people["sam"])); n != 0 {
		t.Errorf("refused saves left %d cards", n)
	}
}

// TestDiaryNoteSealed: the note is not readable in the raw database; the
// draft is kept and shown on the card until the card is saved with it.
func TestDiaryNoteSealed(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	today := demoToday()
	const words = "a walk by the river helped a little"
	res := d.post(t, "sam", "/me/diary/"+today+"/draft", url.Values{"note": {words}})
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "Your note was kept at") {
		t.Fatalf("draft: %d %s", res.Code, res.Body.String())
	}
	d.post(t, "sam", "/me/diary/notice", nil)
	if page := d.get(t, "sam", "/me/diary/"+today).Body.String(); !strings.Contains(page, words) || !strings.Contains(page, "not saved with the card yet") {
		t.Error("the card does not show the restored draft")
	}
	if r := d.card(t, "sam", today, url.Values{"idempotency_key": {"note"}, "note": {words}, "note_was": {""}}); r.Code != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Code)
	}
	var note []byte
	if err := d.db.Writer().QueryRow(`SELECT note FROM diary_cards WHERE person_id = $1`, string(d.people["sam"])).Scan(&note); err != nil {
		t.Fatal(err)
	}
	if len(note) == 0 || strings.Contains(string(note), "river") {
		t.Errorf("diary_cards.note holds %d bytes, readable: %v", len(note), strings.Contains(string(note), "river"))
	}
	if v := d.cardOf(t, "sam", today); v.Card.Note != words || v.Draft != "" {
		t.Errorf("the card's note %q, draft %q", v.Card.Note, v.Draft)
	}
	// The note unchanged (its "was" matches): not sent again.
	page := d.get(t, "sam", "/me/diary/"+today).Body.String()
	i := strings.Index(page, `name="note_was" value="`)
	if i < 0 {
		t.Fatal("no note_was field")
	}
	was, _, _ := strings.Cut(page[i+len(`name="note_was" value="`):], `"`)
	d.card(t, "sam", today, url.Values{"idempotency_key": {"again"}, "note": {words}, "note_was": {was}, "skills": {"7"}, "was:skills": {""}})
	if h := d.historyOf(t, "sam", today); len(h) != 2 || h[1].NoteChanged {
		t.Errorf("an unchanged note was sent again: %+v", h)
	}
}

// TestDiaryBlankCopy: the card kept on the device has no date and no
// values, and the service worker is told to keep it.
func TestDiaryBlankCopy(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	d.card(t, "sam", demoToday(), url.Values{"idempotency_key": {"k"}, "urge:u.self_harm": {"4"}, "note": {"only today"}, "note_was": {""}})
	res := d.get(t, "sam", "/me/diary/blank")
	body := res.Body.String()
	if res.Code != http.StatusOK || res.Header().Get("Tend-Offline") != "keep" || !strings.Contains(body, "data-blank") {
		t.Fatalf("blank card: %d, Tend-Offline %q", res.Code, res.Header().Get("Tend-Offline"))
	}
	if strings.Contains(body, " checked") || strings.Contains(body, "only today") || strings.Contains(body, `name="idempotency_key" value="`+"k") {
		t.Error("the blank card carries a value of a real card")
	}
}

// TestProgressPage: the week as a grid and accessible charts, in words of
// what the person did, never of failure.
func TestProgressPage(t *testing.T) {
	t.Parallel()
	d := newDemoServer(t)
	d.card(t, "sam", demoToday(), url.Values{"idempotency_key": {"p"}, "urge:u.self_harm": {"4"}, "act:a.self_harm": {"0"}, "skills": {"5"}})
	for _, span := range []string{"", "4w", "3m", "1y"} {
		res := d.get(t, "sam", "/me/progress?span="+span)
		body := res.Body.String()
		if res.Code != http.StatusOK {
			t.Fatalf("span %q: %d", span, res.Code)
		}
		for _, want := range []string{`role="img"`, "<title id=", "<desc id=", "<details>", "Urges you noticed and rode out: 1", "Days you used skills: 1",
			"Cards you filled in: 1", "used and helped", "This week"} {
			if !strings.Contains(body, want) {
				t.Errorf("span %q: the page lacks %q", span, want)
			}
		}
		for _, never := range []string{"streak", "failed", "deteriorated", "risk"} {
			if strings.Contains(strings.ToLower(body), never) {
				t.Errorf("span %q: the page says %q", span, never)
			}
		}
	}
	if res := d.get(t, "sam", "/me/progress?span=forever"); res.Code != http.StatusBadRequest {
		t.Errorf("an unknown span: %d, want 400", res.Code)
	}
	if page := d.get(t, "sam", "/me").Body.String(); !strings.Contains(page, `href="/me/progress"`) || !strings.Contains(page, `href="/me/diary"`) {
		t.Error("the home page links neither the card nor progress")
	}
}
