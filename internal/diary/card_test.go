package diary_test

import (
	"testing"
	"time"

	"github.com/tendcare/tend/internal/diary"
)

func ptr(v int) *int { return &v }

func values(kv map[diary.Field]int) map[diary.Field]diary.Value {
	out := map[diary.Field]diary.Value{}
	for f, v := range kv {
		out[f] = diary.Value{V: ptr(v), EditedAt: time.Unix(0, 0)}
	}
	return out
}

func TestCategoryOf(t *testing.T) {
	// clinical/diary-card.md: used (4-7); used and helped (5 or 7);
	// thought about but not used (1-3); not at all (0).
	want := map[int]diary.Category{
		0: diary.CategoryNone, 1: diary.CategoryThought, 2: diary.CategoryThought, 3: diary.CategoryThought,
		4: diary.CategoryUsed, 5: diary.CategoryUsedHelped, 6: diary.CategoryUsed, 7: diary.CategoryUsedHelped,
	}
	for code, c := range want {
		if got := diary.CategoryOf(code); got != c {
			t.Errorf("CategoryOf(%d) = %s, want %s", code, got, c)
		}
	}
}

func TestSummarize(t *testing.T) {
	cfg := diary.Config{Targets: diary.Defaults()}
	tests := []struct {
		name   string
		values map[diary.Field]int
		want   diary.Summary
	}{
		{"empty", nil, diary.Summary{MaxEmotion: -1}},
		{"self-harm twice, urge strong: not ridden out", map[diary.Field]int{
			diary.UrgeField("u.self_harm"): 4, diary.ActField("a.self_harm"): diary.Yes, diary.CountField("a.self_harm"): 2,
		}, diary.Summary{SelfHarm: 2, MaxEmotion: -1, StrongUrges: 1}},
		{"a yes without a count is one act", map[diary.Field]int{diary.ActField("a.self_harm"): diary.Yes},
			diary.Summary{SelfHarm: 1, MaxEmotion: -1}},
		{"a count alone is the act", map[diary.Field]int{diary.CountField("a.self_harm"): 3},
			diary.Summary{SelfHarm: 3, MaxEmotion: -1}},
		{"urges at the level, actions not done: ridden out", map[diary.Field]int{
			diary.UrgeField("u.self_harm"): 3, diary.ActField("a.self_harm"): diary.No,
			diary.UrgeField("u.substances"): 5, diary.UrgeField("u.die"): 2,
		}, diary.Summary{RiddenOut: 2, MaxEmotion: -1, StrongUrges: 2}},
		{"an urge below the level is not strong", map[diary.Field]int{
			diary.UrgeField("u.self_harm"): 2, diary.ActField("a.self_harm"): diary.No,
		}, diary.Summary{MaxEmotion: -1}},
		{"strong urges counted whether or not the linked action was done", map[diary.Field]int{
			diary.UrgeField("u.self_harm"): 5, diary.CountField("a.self_harm"): 1,
			diary.UrgeField("u.die"): 4, diary.ActField("a.attempt"): diary.No,
			diary.UrgeField("u.substances"): 3,
		}, diary.Summary{SelfHarm: 1, MaxEmotion: -1, RiddenOut: 2, StrongUrges: 3}},
		{"thoughts of suicide have no linked action: never counted as ridden out", map[diary.Field]int{
			diary.UrgeField("u.thoughts"): 5,
		}, diary.Summary{MaxEmotion: -1}},
		{"attempt, emotions, skills", map[diary.Field]int{
			diary.ActField("a.attempt"): diary.Yes, diary.EmotionField("e.shame"): 4, diary.EmotionField("e.joy"): 1,
			diary.FieldSkills: 7,
		}, diary.Summary{Attempt: true, MaxEmotion: 4, Skills: diary.CategoryUsedHelped}},
		{"an emotion rated 0 is a rating", map[diary.Field]int{diary.EmotionField("e.joy"): 0, diary.FieldSkills: 0},
			diary.Summary{MaxEmotion: 0, Skills: diary.CategoryNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := diary.Summarize(cfg, values(tt.values), 3); got != tt.want {
				t.Errorf("Summarize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestGridOrder(t *testing.T) {
	cfg := diary.Config{Targets: append(diary.Defaults(),
		diary.Target{ID: "x.other", Section: diary.SectionAction, Kind: diary.KindActionOther, Label: "Skipped a meal", Position: 9})}
	var got []string
	for _, r := range cfg.GridOrder() {
		got = append(got, r.ID)
	}
	// The DBT target hierarchy: life-threatening behaviour first, each urge
	// followed by the actions linked to it, unlinked actions last.
	want := []string{"u.die", "a.attempt", "u.thoughts", "u.self_harm", "a.self_harm", "u.substances", "a.substances", "x.other"}
	if len(got) != len(want) {
		t.Fatalf("GridOrder = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("GridOrder = %v, want %v", got, want)
		}
	}
}

func TestDefaultRows(t *testing.T) {
	// clinical/diary-card.md "Default rows" and the default emotions.
	counts := map[diary.Section]int{}
	for _, r := range diary.Defaults() {
		counts[r.Section]++
		if diary.SectionOf(r.Kind) != r.Section {
			t.Errorf("%s: kind %s is not a %s kind", r.ID, r.Kind, r.Section)
		}
	}
	if counts[diary.SectionUrge] != 4 || counts[diary.SectionAction] != 3 || counts[diary.SectionEmotion] != 5 {
		t.Errorf("default rows per section = %v, want 4 urges, 3 actions, 5 emotions", counts)
	}
	for _, k := range []diary.Kind{diary.KindSelfHarm, diary.KindSuicideAttempt, diary.KindSuicidalThoughts, diary.KindUrgeToDie, diary.KindUrgeSelfHarm} {
		if !k.Safety() {
			t.Errorf("%s can be hidden without the service's leave", k)
		}
	}
	if diary.KindSubstanceUse.Safety() || diary.KindJoy.Safety() {
		t.Error("substance use or joy cannot be hidden")
	}
}

func TestSkillsSets(t *testing.T) {
	// skills.md: four modules in DBT, five in DBT-A.
	if n := len(diary.SkillsDBT.Modules()); n != 4 {
		t.Errorf("DBT modules = %d, want 4", n)
	}
	if n := len(diary.SkillsDBTA.Modules()); n != 5 {
		t.Errorf("DBT-A modules = %d, want 5", n)
	}
	if len(diary.SetSkills(diary.SkillsDBTA)) <= len(diary.SetSkills(diary.SkillsDBT)) {
		t.Error("DBT-A's tick list does not add Walking the Middle Path")
	}
}

func TestWeekStartAndDaysBetween(t *testing.T) {
	d := func(s string) time.Time {
		v, err := diary.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for day, monday := range map[string]string{"2026-11-29": "2026-11-23", "2026-11-23": "2026-11-23", "2026-11-24": "2026-11-23", "2026-03-29": "2026-03-23"} {
		if got := diary.WeekStart(d(day)); !got.Equal(d(monday)) {
			t.Errorf("WeekStart(%s) = %s, want %s", day, got.Format(diary.DayLayout), monday)
		}
	}
	if n := diary.DaysBetween(d("2026-03-28"), d("2026-03-30")); n != 2 {
		t.Errorf("DaysBetween across the clocks changing = %d, want 2", n)
	}
	if n := diary.DaysBetween(d("2026-03-30"), d("2026-03-28")); n != -2 {
		t.Errorf("DaysBetween backwards = %d, want -2", n)
	}
	for _, bad := range []string{"", "2026-13-01", "29/11/2026", "2026-02-30"} {
		if _, err := diary.ParseDay(bad); err == nil {
			t.Errorf("ParseDay(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus", "Europe/London/x", "../etc"} {
		if _, err := diary.LoadZone(bad); err == nil {
			t.Errorf("LoadZone(%q) accepted", bad)
		}
	}
}

// The ridden-out level decides which urges are strong: at level 4 an urge
// of 3 is neither strong nor ridden out.
func TestSummarizeLevel(t *testing.T) {
	cfg := diary.Config{Targets: diary.Defaults()}
	v := values(map[diary.Field]int{diary.UrgeField("u.self_harm"): 3, diary.UrgeField("u.substances"): 4})
	if got, want := diary.Summarize(cfg, v, 4), (diary.Summary{MaxEmotion: -1, RiddenOut: 1, StrongUrges: 1}); got != want {
		t.Errorf("level 4: %+v, want %+v", got, want)
	}
	if got, want := diary.Summarize(cfg, v, 3), (diary.Summary{MaxEmotion: -1, RiddenOut: 2, StrongUrges: 2}); got != want {
		t.Errorf("level 3: %+v, want %+v", got, want)
	}
}
