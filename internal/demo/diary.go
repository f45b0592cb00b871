package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
)

// clockAt is a clock stopped at one instant: each demo card is saved
// through the diary service as if on the evening of its own day.
type clockAt time.Time

func (c clockAt) Now() time.Time { return time.Time(c) }

// demoDay is one made-up card of the regular demo: what the person rated
// that day, a days-ago offset, and an optional note.
type demoDay struct {
	ago                              int
	thoughts, die, harm, substances  int
	harmActs                         int // self-harm acts that day (0: none)
	sadness, shame, anger, fear, joy int
	skills                           int      // the 0-7 code
	ticks                            []string // skills practised
	note                             string
}

// samDays are two weeks of sam's card up to the day before yesterday,
// easing a little over the fortnight, with two days not filled in and one
// self-harm act last week. Yesterday and today are left for sam to fill in.
var samDays = []demoDay{
	{ago: 15, thoughts: 2, die: 1, harm: 3, substances: 1, sadness: 4, shame: 4, anger: 2, fear: 3, joy: 1, skills: 1},
	{ago: 14, thoughts: 2, die: 1, harm: 3, substances: 1, sadness: 4, shame: 3, anger: 1, fear: 3, joy: 1, skills: 2},
	{ago: 13, thoughts: 2, die: 0, harm: 3, substances: 0, sadness: 3, shame: 3, anger: 2, fear: 3, joy: 1, skills: 4, ticks: []string{"tipp"}},
	{ago: 12, thoughts: 1, die: 0, harm: 2, substances: 0, sadness: 3, shame: 2, anger: 1, fear: 2, joy: 2, skills: 5, ticks: []string{"tipp", "stop"},
		note: "Went for a walk by the river after college. The cold air helped."},
	{ago: 11, thoughts: 2, die: 1, harm: 4, substances: 1, sadness: 4, shame: 3, anger: 2, fear: 3, joy: 1, skills: 1},
	{ago: 10, thoughts: 1, die: 0, harm: 3, substances: 0, sadness: 3, shame: 2, anger: 1, fear: 2, joy: 2, skills: 5, ticks: []string{"stop"}},
	// 9 days ago: not filled in.
	{ago: 8, thoughts: 1, die: 0, harm: 2, substances: 0, sadness: 2, shame: 2, anger: 1, fear: 2, joy: 2, skills: 7, ticks: []string{"tipp"}},
	{ago: 7, thoughts: 1, die: 0, harm: 2, substances: 0, sadness: 2, shame: 1, anger: 0, fear: 2, joy: 3, skills: 4},
	{ago: 6, thoughts: 2, die: 1, harm: 4, substances: 0, harmActs: 1, sadness: 4, shame: 4, anger: 1, fear: 3, joy: 0, skills: 1,
		note: "Bad evening after the phone call. I want to talk about it with Lee."},
	{ago: 5, thoughts: 2, die: 1, harm: 4, substances: 1, sadness: 4, shame: 4, anger: 2, fear: 3, joy: 1, skills: 3},
	{ago: 4, thoughts: 1, die: 0, harm: 3, substances: 0, sadness: 3, shame: 3, anger: 1, fear: 2, joy: 1, skills: 5, ticks: []string{"tipp", "stop"}},
	// 3 days ago: not filled in.
	{ago: 2, thoughts: 1, die: 0, harm: 2, substances: 0, sadness: 2, shame: 2, anger: 0, fear: 1, joy: 2, skills: 5, ticks: []string{"stop"}},
}

// alexDays are a few of alex's first cards, up to the day before yesterday.
var alexDays = []demoDay{
	{ago: 5, thoughts: 1, die: 0, harm: 2, sadness: 3, shame: 2, anger: 3, fear: 2, joy: 1, skills: 1},
	{ago: 4, thoughts: 1, die: 0, harm: 2, sadness: 2, shame: 2, anger: 2, fear: 2, joy: 2, skills: 4},
	{ago: 2, thoughts: 0, die: 0, harm: 1, sadness: 2, shame: 1, anger: 1, fear: 1, joy: 3, skills: 5, ticks: []string{"stop"}},
}

// changes returns the day's card as the changes one save sends.
func (d demoDay) changes() []diary.Change {
	var out []diary.Change
	set := func(f diary.Field, v int) { out = append(out, diary.Change{Field: f, Value: &v}) }
	set(diary.UrgeField("u.thoughts"), d.thoughts)
	set(diary.UrgeField("u.die"), d.die)
	set(diary.UrgeField("u.self_harm"), d.harm)
	set(diary.UrgeField("u.substances"), d.substances)
	set(diary.ActField("a.attempt"), diary.No)
	set(diary.ActField("a.substances"), diary.No)
	if d.harmActs > 0 {
		set(diary.ActField("a.self_harm"), diary.Yes)
		set(diary.CountField("a.self_harm"), d.harmActs)
		set(diary.MedicalField("a.self_harm"), diary.No)
	} else {
		set(diary.ActField("a.self_harm"), diary.No)
	}
	set(diary.EmotionField("e.sadness"), d.sadness)
	set(diary.EmotionField("e.shame"), d.shame)
	set(diary.EmotionField("e.anger"), d.anger)
	set(diary.EmotionField("e.fear"), d.fear)
	set(diary.EmotionField("e.joy"), d.joy)
	set(diary.FieldSkills, d.skills)
	for _, s := range d.ticks {
		set(diary.SkillField(s), 1)
	}
	return out
}

// seedDiary gives sam two weeks of diary cards and alex a few, each saved
// by the person through the diary service on the evening of its day, so
// that the grid, the progress page and each card's history look as they
// would in use. Their join dates move back first (a card cannot predate
// joining), to just before their episodes began. The follow-up task that
// sam's act opened is resolved by Lee, who called sam the next day, so the
// demo's task list starts empty. The act is on the day of the demo's chain
// analysis (seedChain).
func seedDiary(ctx context.Context, s Services, leeID, samID, alexID tend.ID) error {
	st, err := Settings()
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return fmt.Errorf("demo: diary: %w", err)
	}
	today := diary.Today(time.Now(), loc)
	for _, p := range []struct {
		id     tend.ID
		name   string
		joined int // days ago
		days   []demoDay
	}{{samID, "sam", 95, samDays}, {alexID, "alex", 45, alexDays}} {
		if err := s.Backdate(ctx, p.id, at(today.AddDate(0, 0, -p.joined), loc, 11*60)); err != nil {
			return fmt.Errorf("demo: diary: backdate %s: %w", p.name, err)
		}
		me := tend.Actor{Kind: tend.KindPerson, ID: p.id}
		for _, d := range p.days {
			day := today.AddDate(0, 0, -d.ago)
			in := diary.Input{Day: day.Format(diary.DayLayout), Key: fmt.Sprintf("demo-diary-%s-%d", p.name, d.ago), Changes: d.changes()}
			if d.note != "" {
				in.Note = &d.note
			}
			svc := s.DiaryAt(clockAt(at(day, loc, 20*60+30)))
			saved, err := svc.Save(ctx, me, p.id, in)
			if err != nil {
				return fmt.Errorf("demo: diary: %s's card for %s: %w", p.name, in.Day, err)
			}
			if o := saved.Outcome(); s.FollowUp != nil && o.Response == followup.ResponseTask && o.TaskID != "" {
				if err := s.FollowUp.Resolve(ctx, staffActor(leeID), o.TaskID,
					"Called sam the next day. Sam was safe; we went over the safety plan together and will do a chain analysis of it."); err != nil {
					return fmt.Errorf("demo: diary: resolve sam's task: %w", err)
				}
			}
		}
	}
	return nil
}
