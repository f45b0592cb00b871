package measure_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/measure"
)

// example is a made-up four-item instrument answered 1-5, scored as a mean
// with item 3 reversed, two subscales, and a prompt item: the shapes an
// imported instrument may take.
func example() measure.Instrument {
	opts := func() []measure.Option {
		var o []measure.Option
		for v := 1; v <= 5; v++ {
			o = append(o, measure.Option{Value: v, Label: "answer " + string(rune('0'+v))})
		}
		return o
	}
	th := 2.5
	return measure.Instrument{
		Key: "example", Version: "2", Language: "en", Title: "Example scale", Licence: "Test fixture.",
		Items: []measure.Item{
			{LinkID: "a", Text: "First", Options: opts()}, {LinkID: "b", Text: "Second", Options: opts()},
			{LinkID: "c", Text: "Third", Options: opts()}, {LinkID: "d", Text: "Fourth", Options: opts()},
		},
		Scoring: measure.Scoring{
			Method: measure.MethodMean, Items: []string{"a", "b", "c", "d"}, Reverse: []string{"c"},
			MinAnswered: 3, Decimals: 2, Direction: measure.HigherIsBetter, Threshold: &th,
			Subscales: []measure.Subscale{{ID: "ab", Title: "A and B", Items: []string{"a", "b"}}},
			Bands:     []measure.Band{{From: 1, To: 2.49, Label: "low"}, {From: 2.5, To: 5, Label: "high"}},
			Change:    &measure.ReliableChange{SD: 0.8, Reliability: 0.9},
			Prompts:   []measure.PromptItem{{LinkID: "d", From: 4}},
		},
	}
}

func TestMeanReverseSubscalesAndMinimum(t *testing.T) {
	in := example()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	// c = 1 reversed is 5: (2 + 3 + 5 + 4) / 4 = 3.5.
	s := in.Score(measure.Answers{"a": 2, "b": 3, "c": 1, "d": 4})
	if s.Total == nil || *s.Total != 3.5 || s.Band != "high" || s.Subscales["ab"] != 2.5 {
		t.Fatalf("score %+v", s)
	}
	// Three of four answered is enough for this mean: (2 + 3 + 5) / 3 = 3.33.
	s = in.Score(measure.Answers{"a": 2, "b": 3, "c": 1})
	if s.Total == nil || *s.Total != 3.33 {
		t.Fatalf("three answers: %+v", s)
	}
	if s := in.Score(measure.Answers{"a": 2, "b": 3}); s.Total != nil {
		t.Fatalf("two answers scored %v; the definition needs three", *s.Total)
	}
	// Higher is better: 2.0 is at or below the threshold of 2.5.
	if !in.Above(2) || in.Above(3) {
		t.Error("threshold direction")
	}
	if p := in.Prompts(measure.Answers{"d": 4}); len(p) != 1 {
		t.Errorf("prompt item d at 4: %v", p)
	}
	if p := in.Prompts(measure.Answers{"d": 3}); len(p) != 0 {
		t.Errorf("prompt item d at 3: %v", p)
	}
}

func TestValidateRefusesWhatItCannotScore(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*measure.Instrument)
		want   string
	}{
		{"no language", func(in *measure.Instrument) { in.Language = "" }, "language"},
		{"no licence", func(in *measure.Instrument) { in.Licence = " " }, "licence"},
		{"unknown scored item", func(in *measure.Instrument) { in.Scoring.Items = append(in.Scoring.Items, "z") }, `"z"`},
		{"duplicate item", func(in *measure.Instrument) { in.Items[1].LinkID = "a" }, "twice"},
		{"one option", func(in *measure.Instrument) { in.Items[0].Options = in.Items[0].Options[:1] }, "answer options"},
		{"duplicate value", func(in *measure.Instrument) { in.Items[0].Options[1].Value = 1 }, "two answers"},
		{"sum without all", func(in *measure.Instrument) { in.Scoring.Method = measure.MethodSum }, "never imputes"},
		{"bad method", func(in *measure.Instrument) { in.Scoring.Method = "median" }, "method"},
		{"bad direction", func(in *measure.Instrument) { in.Scoring.Direction = "" }, "direction"},
		{"gap in bands", func(in *measure.Instrument) { in.Scoring.Bands[1].From = 3 }, "gap"},
		{"bands short", func(in *measure.Instrument) { in.Scoring.Bands[1].To = 4 }, "cover"},
		{"overlap", func(in *measure.Instrument) { in.Scoring.Bands[1].From = 2 }, "overlap"},
		{"risk label", func(in *measure.Instrument) { in.Scoring.Bands[1].Label = "High risk" }, "risk level"},
		{"threshold outside", func(in *measure.Instrument) { th := 9.0; in.Scoring.Threshold = &th }, "threshold"},
		{"reliability 1", func(in *measure.Instrument) { in.Scoring.Change.Reliability = 1 }, "reliability"},
		{"points and sd", func(in *measure.Instrument) { in.Scoring.Change.Points = 1 }, "not both"},
		{"prompt unknown", func(in *measure.Instrument) { in.Scoring.Prompts[0].LinkID = "q" }, "prompt item"},
		{"prompt unreachable", func(in *measure.Instrument) { in.Scoring.Prompts[0].From = 6 }, "no answer reaches"},
		{"reverse unscored", func(in *measure.Instrument) { in.Scoring.Reverse = []string{"x"} }, "reverse"},
		{"subscale unknown", func(in *measure.Instrument) { in.Scoring.Subscales[0].Items = []string{"q"} }, "subscale"},
	} {
		in := example()
		c.change(&in)
		err := in.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", c.name, err, c.want)
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestDueDates(t *testing.T) {
	start := day(2026, 3, 2)
	every2 := measure.Assignment{StartsOn: start, Schedule: measure.Schedule{Kind: measure.ScheduleEveryWeeks, EveryWeeks: 2}}
	got := every2.DueDates(measure.Calendar{}, day(2026, 3, 31))
	want := []time.Time{day(2026, 3, 2), day(2026, 3, 16), day(2026, 3, 30)}
	if len(got) != len(want) {
		t.Fatalf("every 2 weeks: %v", got)
	}
	for i := range want {
		if !got[i].On.Equal(want[i]) || got[i].Reason != measure.ReasonInterval {
			t.Errorf("due %d: %v", i, got[i])
		}
	}
	once := measure.Assignment{StartsOn: start, Schedule: measure.Schedule{Kind: measure.ScheduleOnce}}
	if got := once.DueDates(measure.Calendar{}, day(2027, 1, 1)); len(got) != 1 || got[0].Reason != measure.ReasonOnce {
		t.Errorf("once: %v", got)
	}
	ended := day(2026, 3, 20)
	stopped := every2
	stopped.EndedAt = &ended
	if got := stopped.DueDates(measure.Calendar{}, day(2026, 5, 1)); len(got) != 2 {
		t.Errorf("ended on 20 March: %v", got)
	}
	yes := true
	started, end := day(2026, 1, 5), day(2026, 3, 20)
	cal := measure.Calendar{WindowWeeks: 4,
		Episodes: []episodes.Episode{{StartedOn: &started, EndedOn: &end, FollowUpConsent: &yes}},
		Sessions: []episodes.Session{{HeldOn: day(2026, 3, 1)}, {HeldOn: day(2026, 3, 9)}, {HeldOn: day(2026, 3, 12), Attendance: episodes.Cancelled}},
	}
	ep := measure.Assignment{StartsOn: start, Schedule: measure.Schedule{Kind: measure.ScheduleEpisode}}
	if got := ep.DueDates(cal, day(2026, 12, 31)); len(got) != 1 || got[0].Reason != measure.ReasonEpisodeEnd {
		t.Errorf("episode start (before the assignment) and end: %v", got)
	}
	fu := measure.Assignment{StartsOn: start, Schedule: measure.Schedule{Kind: measure.ScheduleFollowUp}}
	if got := fu.DueDates(cal, day(2027, 12, 31)); len(got) != 3 || !got[0].On.Equal(day(2026, 6, 20)) || got[2].Reason != measure.ReasonFollowUp12 {
		t.Errorf("follow-up points: %v", got)
	}
	se := measure.Assignment{StartsOn: start, Schedule: measure.Schedule{Kind: measure.ScheduleBeforeSession}}
	if got := se.DueDates(cal, day(2026, 12, 31)); len(got) != 1 || !got[0].On.Equal(day(2026, 3, 9)) {
		t.Errorf("before each session (not cancelled, not before the assignment): %v", got)
	}
	for _, s := range []measure.Schedule{{Kind: "daily"}, {Kind: measure.ScheduleEveryWeeks}, {Kind: measure.ScheduleEveryWeeks, EveryWeeks: 53}, {Kind: measure.ScheduleOnce, EveryWeeks: 2}} {
		if s.Validate() == nil {
			t.Errorf("schedule %+v accepted", s)
		}
	}
}
