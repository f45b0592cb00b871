package report_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// The test service: two care teams and a duty team; leads of one, of the
// other and of both; clinicians lee (Riverside) and kim (Northside); an
// admin. Every id is fixed, so the report is the same on every run and
// on both engines.
const (
	teamRiver = "t-river"
	teamNorth = "t-north"
	teamDuty  = "t-duty"
)

// today is the report's day: late enough for most follow-up windows of
// 2026 to be over.
var today = time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// pattern is how a person's diary goes: better, worse, or much the same
// from the baseline to the end of treatment.
type pattern int

const (
	improve pattern = iota
	rise
	same
)

// personSpec is one person with one episode of care.
type personSpec struct {
	id, team, modality string
	start              string
	days               int // the episode's length: it ends on start + days - 1; 0 for an open episode
	consent            bool
	sessions           int
	pattern            pattern
	// gap leaves out every day k (from the start) with k % gap == 1; low
	// keeps only every third day (coverage below a half).
	gap int
	low bool
	// old marks the baseline's cards as summarised before strong urges
	// were counted (strong_urges NULL).
	old bool
	// followUp gives cards on four days in five of the 3-month follow-up
	// window.
	followUp bool
}

var people = []personSpec{
	{id: "p01", team: teamRiver, modality: "DBT", start: "2026-01-05", days: 112, consent: false, sessions: 12, pattern: improve},
	{id: "p02", team: teamRiver, modality: "DBT", start: "2026-01-12", days: 140, consent: true, sessions: 15, pattern: improve, gap: 5, followUp: true},
	{id: "p03", team: teamRiver, modality: "DBT", start: "2026-02-02", days: 150, consent: true, sessions: 2, pattern: rise, gap: 3},
	{id: "p04", team: teamRiver, modality: "DBT", start: "2026-03-02", days: 120, consent: true, sessions: 10, pattern: improve, low: true, followUp: true},
	{id: "p05", team: teamRiver, modality: "CBT", start: "2026-01-19", days: 100, consent: true, sessions: 8, pattern: same, gap: 4},
	{id: "p06", team: teamRiver, modality: "CBT", start: "2026-04-06", days: 130, consent: false, sessions: 9, pattern: improve, old: true},
	{id: "p07", team: teamRiver, modality: "MBT", start: "2026-02-16", days: 160, consent: true, sessions: 14, pattern: improve, gap: 6},
	{id: "p08", team: teamNorth, modality: "DBT", start: "2026-01-26", days: 120, consent: true, sessions: 11, pattern: improve, followUp: true},
	{id: "p09", team: teamNorth, modality: "DBT", start: "2026-03-09", days: 110, consent: true, sessions: 1, pattern: rise, gap: 4},
	{id: "p10", team: teamNorth, modality: "CBT", start: "2026-02-23", days: 125, consent: true, sessions: 7, pattern: improve, followUp: true},
	{id: "p11", team: teamNorth, modality: "CBT", start: "2026-05-04", days: 140, consent: false, sessions: 9, pattern: same, gap: 5},
	{id: "p12", team: teamNorth, modality: "MBT", start: "2026-06-01", days: 150, consent: true, sessions: 6, pattern: improve, followUp: true},
	// Outside the 2026 cohort: one ended in 2025, one still in treatment.
	{id: "p13", team: teamRiver, modality: "DBT", start: "2025-06-02", days: 150, consent: true, sessions: 12, pattern: improve},
	{id: "p14", team: teamRiver, modality: "CBT", start: "2026-11-02", sessions: 5, pattern: same},
}

// Actors of the test service.
var (
	leadBoth  = staffActor("lead-both", tend.RoleLead)
	leadRiver = staffActor("lead-river", tend.RoleLead)
	leadNorth = staffActor("lead-north", tend.RoleLead)
	leadDuty  = staffActor("lead-duty", tend.RoleLead)
	lee       = staffActor("lee", tend.RoleClinician)
	kim       = staffActor("kim", tend.RoleClinician)
	admin     = staffActor("admin", tend.RoleAdmin)
)

func staffActor(id string, role tend.Role) tend.Actor {
	return tend.Actor{Kind: tend.KindStaff, ID: tend.ID(id), Role: role, MFA: true}
}

// fixture is the service on a real store with the dataset written.
type fixture struct {
	db       *store.DB
	reports  *report.Service
	settings report.Settings
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.Store(t, nil)
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, settings: report.Settings{
		// Small thresholds, so that a small dataset shows figures.
		Outcome:    outcome.Settings{Suppress: 2, CountsOnly: 3, Resamples: 200},
		Modalities: []string{"CBT", "DBT", "MBT", "psychodynamic"},
		Texts:      cat.Printer("en"),
	}}
	f.reports = report.NewService(store.For[report.Tx](db), access.NewChecker(db), &tend.FixedClock{T: today}, func() report.Settings { return f.settings })
	writeDataset(t, db)
	_ = ctx
	return f
}

func writeDataset(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ($1, 'Riverside', 'care', $4), ($2, 'Northside', 'care', $4), ($3, 'Duty', 'duty', $4)`,
		teamRiver, teamNorth, teamDuty, at)
	for _, s := range []struct {
		id, role string
		teams    []string
	}{
		{"lead-both", "lead", []string{teamRiver, teamNorth}}, {"lead-river", "lead", []string{teamRiver}},
		{"lead-north", "lead", []string{teamNorth}}, {"lead-duty", "lead", []string{teamDuty}},
		{"lee", "clinician", []string{teamRiver}}, {"kim", "clinician", []string{teamNorth}}, {"admin", "admin", nil},
	} {
		exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $1, $3, 'x', $4)`, s.id, s.id+"@example.org", s.role, at)
		for _, team := range s.teams {
			exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)`, s.id, team)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	var (
		accounts []auth.PersonAccount
		eps      []episodes.Episode
		sessions []episodes.Session
		cards    []diary.CardRecord
		members  []careteam.Member
		grants   []careteam.Grant
	)
	for i, p := range people {
		start := date(p.start)
		referred := start.AddDate(0, 0, -30-3*i)
		decided := referred.AddDate(0, 0, 7)
		accounts = append(accounts, auth.PersonAccount{ID: tend.ID(p.id), Username: p.id, PasswordHash: "x", TeamID: tend.ID(p.team),
			State: tend.StateInTreatment, TimeZone: "Europe/London", Country: "GB", CreatedAt: at})
		e := episodes.Episode{ID: tend.ID("e-" + p.id), PersonID: tend.ID(p.id), Modality: p.modality, Source: episodes.SourceSelf,
			ReferredOn: referred, Decision: episodes.DecisionAccepted, DecidedOn: &decided, StartedOn: &start, CreatedBy: "lee", CreatedAt: at}
		last := today
		if p.days > 0 {
			end := start.AddDate(0, 0, p.days-1)
			consent := p.consent
			e.EndedOn, e.FollowUpConsent, last = &end, &consent, end
		}
		eps = append(eps, e)
		for k := 0; k <= p.sessions; k++ {
			s := episodes.Session{ID: tend.ID("s-" + p.id + "-" + strconv.Itoa(k)), PersonID: e.PersonID, EpisodeID: e.ID,
				HeldOn: start.AddDate(0, 0, 7*k), Kind: episodes.SessionIndividual, Attendance: episodes.Attended, RecordedBy: "lee", RecordedAt: at}
			if k == p.sessions {
				s.Attendance = episodes.DidNotAttend
			}
			sessions = append(sessions, s)
		}
		for d := start; !d.After(last) && d.Before(today); d = d.AddDate(0, 0, 1) {
			k := int(d.Sub(start).Hours() / 24)
			m := int(last.Sub(d).Hours() / 24)
			if (p.gap > 0 && k%p.gap == 1) || (p.low && k%3 != 0) {
				continue
			}
			cards = append(cards, cardOf(p, i, d, k, m, p.days > 0))
		}
		if p.followUp && e.EndedOn != nil {
			due := e.EndedOn.AddDate(0, 3, 0)
			for d := due.AddDate(0, 0, -28); !d.After(due.AddDate(0, 0, 28)); d = d.AddDate(0, 0, 1) {
				k := int(d.Sub(start).Hours() / 24)
				if k%5 == 1 {
					continue
				}
				c := cardOf(p, i, d, k, 999, false)
				c.Summary.SelfHarm = 0
				if k%10 == 0 {
					c.Summary.SelfHarm = 1
				}
				cards = append(cards, c)
			}
		}
	}
	// Lee is p01's therapist (sees the diary and questionnaires) and p02's
	// (sees questionnaires only); kim is p08's.
	for _, m := range []struct {
		id, person, staff string
		areas             []access.Area
	}{
		{"m1", "p01", "lee", []access.Area{access.AreaDiary, access.AreaQuestionnaires}},
		{"m2", "p02", "lee", []access.Area{access.AreaQuestionnaires}},
		{"m3", "p08", "kim", []access.Area{access.AreaDiary, access.AreaQuestionnaires}},
	} {
		members = append(members, careteam.Member{ID: tend.ID(m.id), PersonID: tend.ID(m.person), StaffID: tend.ID(m.staff), Role: tend.CareTherapist,
			State: access.MemberActive, StartedAt: at, AddedBy: "admin"})
		for _, a := range m.areas {
			grants = append(grants, careteam.Grant{MemberID: tend.ID(m.id), Area: a, Level: access.LevelSee, UpdatedAt: at})
		}
	}
	err = db.Bulk(ctx, func(w *store.BulkWriter) error {
		if err := w.People(ctx, accounts); err != nil {
			return err
		}
		if err := w.CareTeams(ctx, members, grants); err != nil {
			return err
		}
		if err := w.Episodes(ctx, eps, sessions); err != nil {
			return err
		}
		return w.DiaryCards(ctx, cards)
	})
	if err != nil {
		t.Fatal(err)
	}
	writeClinical(t, db, eps)
}

// cardOf is person i's card k days after the start and m days before the
// end (inEpisode false: m means nothing).
func cardOf(p personSpec, i int, d time.Time, k, m int, ended bool) diary.CardRecord {
	at := d.Add(20 * time.Hour)
	c := diary.CardRecord{ID: tend.ID("c-" + p.id + "-" + d.Format(time.DateOnly)), PersonID: tend.ID(p.id), Day: d, TimeZone: "Europe/London",
		ScaleVersion: diary.ScaleVersion, EnteredBy: tend.ID(p.id), FirstSavedAt: at, UpdatedAt: at}
	base := k < 28
	end := ended && m < 28 && !base
	s := &c.Summary
	switch {
	case base:
		every := map[pattern]int{improve: 4, rise: 14, same: 7}[p.pattern]
		if k%every == 0 {
			s.SelfHarm = 1
		}
	case end:
		switch p.pattern {
		case improve:
			if m%14 == 0 {
				s.SelfHarm = 1
			}
		case rise:
			if m%4 == 0 {
				s.SelfHarm = 1 + m%8/4
			}
		case same:
			if m%7 == 0 {
				s.SelfHarm = 1
			}
		}
	default:
		if k%7 == 0 {
			s.SelfHarm = 1
		}
	}
	s.Attempt = p.id == "p03" && k == 30
	s.MaxEmotion = -1
	if (k+i)%9 != 0 {
		switch {
		case base:
			s.MaxEmotion = 4 - k%2
		case end && p.pattern == improve:
			s.MaxEmotion = 2
		case end && p.pattern == rise:
			s.MaxEmotion = 4
		default:
			s.MaxEmotion = 3
		}
	}
	if (k+i)%10 != 0 {
		cats := []diary.Category{diary.CategoryNone, diary.CategoryThought, diary.CategoryUsed, diary.CategoryUsedHelped}
		if end && p.pattern == improve {
			cats = []diary.Category{diary.CategoryUsedHelped, diary.CategoryUsedHelped, diary.CategoryUsed, diary.CategoryThought}
		}
		s.Skills = cats[k%4]
	}
	if k%2 == 0 {
		s.StrongUrges = 1
		if k%6 == 0 {
			s.StrongUrges = 2
		}
		switch {
		case base && k%4 == 0:
			s.RiddenOut = 1
		case end && p.pattern == improve:
			s.RiddenOut = s.StrongUrges
		case !base && !end && k%4 == 2:
			s.RiddenOut = 1
		}
	}
	return c
}

// writeClinical adds what the bulk writer does not write: old cards'
// missing strong-urge counts, incidents and questionnaires.
func writeClinical(t *testing.T, db *store.DB, eps []episodes.Episode) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	byID := map[string]episodes.Episode{}
	for _, e := range eps {
		byID[string(e.PersonID)] = e
	}
	start := func(p string) time.Time { return *byID[p].StartedOn }
	end := func(p string) time.Time { return *byID[p].EndedOn }
	for _, p := range people {
		if p.old {
			exec(`UPDATE diary_cards SET strong_urges = NULL WHERE person_id = $1 AND day < $2`, p.id, start(p.id).AddDate(0, 0, 28).Format(time.DateOnly))
		}
	}
	incident := func(person string, on time.Time) {
		exec(`INSERT INTO incidents (id, person_id, occurred_on, kind, medical_care, recorded_by, recorded_at)
			VALUES ($1, $2, $3, 'emergency_department', 'yes', 'lee', $4)`, "i-"+person+"-"+on.Format(time.DateOnly), person, on.Format(time.DateOnly), at)
	}
	incident("p03", start("p03").AddDate(0, 0, 5))
	incident("p03", end("p03").AddDate(0, 0, -3))
	incident("p08", start("p08").AddDate(0, 0, 10))
	incident("p09", end("p09").AddDate(0, 0, -1))
	incident("p05", start("p05").AddDate(0, 0, 50)) // in no period

	n := 0
	answer := func(person, instrument string, on time.Time, total string, finished bool) {
		t.Helper()
		n++
		id := "q" + strconv.Itoa(n)
		exec(`INSERT INTO measure_due (id, assignment_id, person_id, instrument_id, due_on, reason, created_at) VALUES ($1, $2, $3, $4, $5, 'interval', $6)`,
			id, "a-"+person+"-"+instrument, person, instrument, on.Format(time.DateOnly), at)
		var fin any
		if finished {
			fin = on.Add(18 * time.Hour)
		}
		exec(`INSERT INTO measure_responses (id, due_id, person_id, instrument_id, version, answers, score, total, finished, started_at, updated_at, finished_at, entered_by)
			VALUES ($1, $1, $2, $3, '1', '{}', '{}', $4, $5, $6, $6, $7, $2)`, id, person, instrument, total, finished, on.Add(17*time.Hour), fin)
	}
	for i, p := range people {
		e := byID[p.id]
		if e.EndedOn == nil {
			continue
		}
		instruments := []string{"phq-9.1.en"}
		if p.team == teamRiver {
			instruments = append(instruments, "gad-7.1.en")
		}
		for _, in := range instruments {
			exec(`INSERT INTO measure_assignments (id, person_id, instrument_id, schedule_kind, every_weeks, starts_on, created_by, created_at)
				VALUES ($1, $2, $3, 'episode_start_end', 0, $4, 'lee', $5)`, "a-"+p.id+"-"+in, p.id, in, p.start, at)
		}
		base, later := map[pattern][2]int{improve: {18, 9}, rise: {10, 17}, same: {12, 10}}[p.pattern][0]+i%3,
			map[pattern][2]int{improve: {18, 9}, rise: {10, 17}, same: {12, 10}}[p.pattern][1]+i%3
		answer(p.id, "phq-9.1.en", *e.StartedOn, strconv.Itoa(base), true)
		answer(p.id, "phq-9.1.en", *e.EndedOn, strconv.Itoa(later), true)
		if p.consent && i%3 == 2 {
			answer(p.id, "phq-9.1.en", e.EndedOn.AddDate(0, 3, 5), strconv.Itoa(later+1), true)
		}
		if p.team == teamRiver {
			answer(p.id, "gad-7.1.en", *e.StartedOn, strconv.Itoa(12+i%4), true)
			answer(p.id, "gad-7.1.en", *e.EndedOn, strconv.Itoa(7+i%4), p.id != "p05")
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
