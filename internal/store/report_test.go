package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// reportDB holds two teams; pat and ria in t1, quin in t2.
func reportDB(t *testing.T) *store.DB {
	t.Helper()
	db := testenv.Store(t, nil)
	at := time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)
	exec(t, db, `INSERT INTO teams (id, name, kind, created_at) VALUES ('t1', 'One', 'care', $1), ('t2', 'Two', 'care', $1)`, at)
	exec(t, db, `INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ('lee', 'lee@example.org', 'Lee', 'clinician', 'x', $1)`, at)
	for _, p := range [][2]string{{"pat", "t1"}, {"ria", "t1"}, {"quin", "t2"}} {
		exec(t, db, `INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at)
			VALUES ($1, $1, 'x', $2, 'in_treatment', 'Europe/London', 'GB', $3)`, p[0], p[1], at)
	}
	return db
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Writer().ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// card adds a card with its summary columns as given; maxEmotion,
// skills and strong nil store NULL.
func card(t *testing.T, db *store.DB, person, on string, selfHarm int, attempt bool, maxEmotion *int, skills *string, riddenOut int, strong *int) {
	t.Helper()
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	exec(t, db, `INSERT INTO diary_cards (id, person_id, day, time_zone, scale_version, late_days, in_session, entered_by, first_saved_at, updated_at,
		self_harm, attempt, max_emotion, skills_category, ridden_out, strong_urges)
		VALUES ($1, $2, $3, 'Europe/London', 1, 0, false, $2, $4, $4, $5, $6, $7, $8, $9, $10)`,
		person+":"+on, person, on, at, selfHarm, attempt, maxEmotion, skills, riddenOut, strong)
}

func iptr(v int) *int       { return &v }
func sptr(s string) *string { return &s }

// The sums of one window are taken over its person's cards dated within
// it: a card outside the window or of someone else adds nothing, a day
// with no card is missing (a window without cards observes 0 days), and
// urges ridden out are read only from cards that count strong urges.
func TestFindWindowDays(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	card(t, db, "pat", "2025-12-31", 5, true, iptr(5), sptr("used"), 1, iptr(1)) // before the window
	card(t, db, "pat", "2026-01-01", 2, true, iptr(3), sptr("used_helped"), 1, iptr(2))
	card(t, db, "pat", "2026-01-03", 0, false, nil, nil, 0, iptr(1))
	card(t, db, "pat", "2026-01-05", 1, false, iptr(0), sptr("none"), 1, nil) // summarised before strong urges were counted
	card(t, db, "pat", "2026-01-07", 0, false, iptr(5), sptr("thought"), 0, iptr(0))
	card(t, db, "pat", "2026-01-08", 4, true, iptr(4), sptr("used"), 1, iptr(1)) // after the window
	card(t, db, "quin", "2026-01-02", 3, false, iptr(2), sptr("used"), 1, iptr(1))
	rec := time.Date(2026, 1, 9, 9, 0, 0, 0, time.UTC)
	for _, n := range [][2]string{{"pat", "2026-01-02"}, {"pat", "2026-01-07"}, {"pat", "2026-01-08"}, {"quin", "2026-01-03"}} {
		exec(t, db, `INSERT INTO incidents (id, person_id, occurred_on, kind, medical_care, recorded_by, recorded_at)
			VALUES ($1, $2, $3, 'emergency_department', 'yes', 'lee', $4)`, n[0]+n[1], n[0], n[1], rec)
	}
	windows := []report.Window{
		{PersonID: "pat", From: day("2026-02-01"), To: day("2026-02-03")},
		{PersonID: "pat", From: day("2026-01-01"), To: day("2026-01-07")},
		{PersonID: "quin", From: day("2026-01-01"), To: day("2026-01-07")},
	}
	got, err := db.FindWindowDays(ctx, windows)
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome.Days{
		{},
		{Observed: 4, SelfHarm: 3, Attempts: 1, EmotionDays: 3, EmotionSum: 8,
			Skills: outcome.SkillsDays{UsedHelped: 1, Thought: 1, None: 1}, UrgeDays: 2, RiddenOutDays: 1, Incidents: 2},
		{Observed: 1, SelfHarm: 3, EmotionDays: 1, EmotionSum: 2, Skills: outcome.SkillsDays{Used: 1}, UrgeDays: 1, RiddenOutDays: 1, Incidents: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("FindWindowDays:\n got %+v\nwant %+v", got, want)
	}
	if counts, err := db.FindWindowCounts(ctx, windows); err != nil || !slices.Equal(counts, []int{0, 4, 1}) {
		t.Errorf("FindWindowCounts = %v, %v; want [0 4 1]", counts, err)
	}
	if got, err := db.FindWindowDays(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("no windows: %v, %v", got, err)
	}
}

// The first finished questionnaire of each instrument due in a window
// counts, by due date; unfinished ones and those due outside do not, and
// one finished without a total is there without it.
func TestFindWindowTotals(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	exec(t, db, `INSERT INTO measure_assignments (id, person_id, instrument_id, schedule_kind, every_weeks, starts_on, created_by, created_at)
		VALUES ('a1', 'pat', 'phq-9.1.en', 'every_weeks', 1, '2025-12-01', 'lee', $1), ('a2', 'pat', 'gad-7.1.en', 'every_weeks', 1, '2025-12-01', 'lee', $1),
		('a3', 'quin', 'phq-9.1.en', 'every_weeks', 1, '2025-12-01', 'lee', $1)`, at)
	due := func(id, assignment, person, instrument, on string, finished bool, total *string, finishedAt time.Time) {
		t.Helper()
		exec(t, db, `INSERT INTO measure_due (id, assignment_id, person_id, instrument_id, due_on, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, 'interval', $6)`, id, assignment, person, instrument, on, at)
		var fin any
		if finished {
			fin = finishedAt
		}
		exec(t, db, `INSERT INTO measure_responses (id, due_id, person_id, instrument_id, version, answers, score, total, finished, started_at, updated_at, finished_at, entered_by)
			VALUES ($1, $1, $2, $3, '1', '{}', '{}', $4, $5, $6, $6, $7, $2)`, id, person, instrument, total, finished, at, fin)
	}
	due("d1", "a1", "pat", "phq-9.1.en", "2025-12-30", true, sptr("20"), at)                     // before the window
	due("d2", "a1", "pat", "phq-9.1.en", "2026-01-04", true, sptr("9"), at)                      // later in the window
	due("d3", "a1", "pat", "phq-9.1.en", "2026-01-02", true, sptr("12.5"), at.Add(72*time.Hour)) // first due, finished late
	due("d4", "a2", "pat", "gad-7.1.en", "2026-01-03", false, sptr("7"), at)                     // not finished
	due("d5", "a2", "pat", "gad-7.1.en", "2026-01-06", true, nil, at)                            // finished, no total
	due("d6", "a3", "quin", "phq-9.1.en", "2026-01-02", true, sptr("15"), at)                    // someone else
	got, err := db.FindWindowTotals(ctx, []report.Window{
		{PersonID: "pat", From: day("2026-02-01"), To: day("2026-02-28")},
		{PersonID: "pat", From: day("2026-01-01"), To: day("2026-01-07")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Window != 1 || got[0].InstrumentID != "gad-7.1.en" || got[0].Total != nil ||
		got[1].Window != 1 || got[1].InstrumentID != "phq-9.1.en" || got[1].Total == nil || *got[1].Total != 12.5 {
		t.Errorf("FindWindowTotals = %s", totalsString(got))
	}
}

func totalsString(ts []report.Total) string {
	s := ""
	for _, t := range ts {
		v := "none"
		if t.Total != nil {
			v = fmt.Sprint(*t.Total)
		}
		s += fmt.Sprintf("[%d %s %s] ", t.Window, t.InstrumentID, v)
	}
	return s
}

// Episodes are selected by their team and end, or by person, with the
// sessions attended; the months of the ends list each month once.
func TestFindReportEpisodes(t *testing.T) {
	db := reportDB(t)
	ctx := context.Background()
	at := time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)
	ep := func(id, person, modality, referred string, started, ended any, consent any) {
		t.Helper()
		exec(t, db, `INSERT INTO episodes (id, person_id, modality, source, referred_on, decision, decided_on, started_on, ended_on, follow_up_consent, created_by, created_at)
			VALUES ($1, $2, $3, 'self', $4, 'accepted', $4, $5, $6, $7, 'lee', $8)`, id, person, modality, referred, started, ended, consent, at)
	}
	ep("e1", "pat", "DBT", "2025-09-01", "2025-10-01", "2026-03-15", true)
	ep("e2", "pat", "CBT", "2026-03-20", "2026-04-01", nil, nil)
	ep("e3", "quin", "MBT", "2025-09-01", "2025-10-01", "2026-02-01", false)
	ep("e4", "ria", "DBT", "2025-09-01", "2025-10-01", "2026-04-01", true)
	for i, a := range []any{"attended", "attended", "did_not_attend", "attended", nil} {
		exec(t, db, `INSERT INTO care_sessions (id, person_id, episode_id, held_on, kind, attendance, recorded_by, recorded_at)
			VALUES ($1, 'pat', 'e1', $2, 'individual', $3, 'lee', $4)`, "s"+string(rune('0'+i)), "2025-10-0"+string(rune('1'+i)), a, at)
	}
	exec(t, db, `INSERT INTO care_sessions (id, person_id, episode_id, held_on, kind, attendance, recorded_by, recorded_at)
		VALUES ('s9', 'pat', 'e2', '2026-04-01', 'individual', 'attended', 'lee', $1)`, at)

	got, err := db.FindReportEpisodes(ctx, report.EpisodeFilter{Teams: []tend.ID{"t1"}, EndedFrom: day("2026-01-01"), EndedTo: day("2026-03-31")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Episode.ID != "e1" || got[0].TeamID != "t1" || got[0].SessionsAttended != 3 ||
		got[0].Episode.Modality != "DBT" || got[0].Episode.EndedOn == nil || !got[0].Episode.EndedOn.Equal(day("2026-03-15")) ||
		got[0].Episode.FollowUpConsent == nil || !*got[0].Episode.FollowUpConsent {
		t.Errorf("team t1, 2026-Q1: %+v", got)
	}
	got, err = db.FindReportEpisodes(ctx, report.EpisodeFilter{Teams: []tend.ID{"t1", "t2"}, EndedFrom: day("2026-01-01"), EndedTo: day("2026-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []tend.ID
	for _, r := range got {
		ids = append(ids, r.Episode.ID)
	}
	if !slices.Equal(ids, []tend.ID{"e3", "e1", "e4"}) {
		t.Errorf("both teams, 2026: %v, want e3 e1 e4 (by end)", ids)
	}
	got, err = db.FindReportEpisodes(ctx, report.EpisodeFilter{PersonID: "pat"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Episode.ID != "e1" || got[1].Episode.ID != "e2" || got[1].SessionsAttended != 1 {
		t.Errorf("pat's episodes: %+v", got)
	}
	months, err := db.FindEpisodeEndMonths(ctx, []tend.ID{"t1", "t2"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(months, []time.Time{day("2026-02-01"), day("2026-03-01"), day("2026-04-01")}, time.Time.Equal) {
		t.Errorf("months: %v", months)
	}
	if months, err := db.FindEpisodeEndMonths(ctx, []tend.ID{"t2"}); err != nil || len(months) != 1 || !months[0].Equal(day("2026-02-01")) {
		t.Errorf("months of t2: %v, %v", months, err)
	}
}
