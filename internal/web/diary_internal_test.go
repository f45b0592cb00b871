package web

import (
	"net/url"
	"testing"

	"github.com/tendcare/tend/internal/diary"
)

// TestDiaryInput: the form's fields against the values the page was
// rendered with: only what the person changed is sent.
func TestDiaryInput(t *testing.T) {
	form := url.Values{
		"idempotency_key":        {"k"},
		"tz":                     {"Europe/London"},
		"edited_at":              {"2026-03-01T10:00:00Z"},
		"urge:u.self_harm":       {"3"}, // unchanged
		"was:urge:u.self_harm":   {"3"},
		"emotion:e.joy":          {"2"}, // newly chosen
		"was:emotion:e.joy":      {""},
		"was:emotion:e.anger":    {""},  // never chosen: a radio group sends nothing
		"was:skill:mf_wise_mind": {"1"}, // unticked: sends nothing, was ticked
		"was:skill:dt_tipp":      {""},  // never ticked
		"count:a.self_harm":      {""},  // emptied
		"was:count:a.self_harm":  {"2"},
		"note":                   {"same words"},
		"note_was":               {noteDigest("same words ")},
	}
	in, err := diaryInput("2026-03-01", form)
	if err != nil {
		t.Fatal(err)
	}
	if in.Key != "k" || in.TimeZone != "Europe/London" || in.EditedAt.IsZero() || in.Note != nil {
		t.Errorf("input %+v: key, zone, edit time or an unchanged note wrong", in)
	}
	got := map[diary.Field]string{}
	for _, ch := range in.Changes {
		v := "nil"
		if ch.Value != nil {
			v = string(rune('0' + *ch.Value))
		}
		got[ch.Field] = v
	}
	want := map[diary.Field]string{"emotion:e.joy": "2", "skill:mf_wise_mind": "0", "count:a.self_harm": "nil"}
	if len(got) != len(want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	for f, v := range want {
		if got[f] != v {
			t.Errorf("%s: %q, want %q", f, got[f], v)
		}
	}
	form.Set("note", "other words")
	if in, _ := diaryInput("2026-03-01", form); in.Note == nil || *in.Note != "other words" {
		t.Error("a changed note is not sent")
	}
	form.Set("urge:u.self_harm", "three")
	if _, err := diaryInput("2026-03-01", form); err == nil {
		t.Error("a word for a number was accepted")
	}
}
