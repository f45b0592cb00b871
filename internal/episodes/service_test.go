package episodes_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// fixture: Sam in Riverside with Lee (therapist) and Jo (group
// facilitator) on the care team, and a grant of the diary to Lee; Kim is a
// clinician in Hillside with no tie to Sam.
type fixture struct {
	db       *store.DB
	svc      *episodes.Service
	clock    *tend.FixedClock
	settings episodes.Settings
}

const (
	sam          tend.ID = "p-sam"
	lee, jo, kim tend.ID = "s-lee", "s-jo", "s-kim"
)

var (
	asSam = tend.Actor{Kind: tend.KindPerson, ID: sam}
	asLee = tend.Actor{Kind: tend.KindStaff, ID: lee, Role: tend.RoleClinician, MFA: true}
	asJo  = tend.Actor{Kind: tend.KindStaff, ID: jo, Role: tend.RoleClinician, MFA: true}
	asKim = tend.Actor{Kind: tend.KindStaff, ID: kim, Role: tend.RoleClinician, MFA: true}
)

func setup(t *testing.T) *fixture {
	t.Helper()
	clock := &tend.FixedClock{T: time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC)}
	db := testenv.Store(t, clock)
	f := &fixture{db: db, clock: clock}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	now := clock.T
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t-river', 'Riverside', 'care', $1), ('t-hill', 'Hillside', 'care', $1)`, now)
	for _, s := range []struct {
		id   tend.ID
		team string
	}{{lee, "t-river"}, {jo, "t-river"}, {kim, "t-hill"}} {
		exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, 'clinician', 'x', $4)`, string(s.id), string(s.id)+"@example.org", string(s.id), now)
		exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2)`, string(s.id), s.team)
	}
	exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ($1, 'sam', 'x', 't-river', 'referred', 'Europe/London', 'GB', $2)`, string(sam), now)
	exec(`INSERT INTO care_team_members (id, person_id, staff_id, care_role, state, started_at, added_by) VALUES ('m-lee', $1, $2, 'therapist', 'active', $3, 'x'), ('m-jo', $1, $4, 'group_facilitator', 'active', $3, 'x')`,
		string(sam), string(lee), now, string(jo))
	exec(`INSERT INTO grants (member_id, area, level, updated_at) VALUES ('m-lee', 'diary', 'see', $1)`, now)
	f.svc = episodes.NewService(store.For[episodes.Tx](db), access.NewChecker(db), clock, func() episodes.Settings { return f.settings })
	return f
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Writer().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) state(t *testing.T) tend.PersonState {
	t.Helper()
	s, err := f.db.FindPersonLifecycle(context.Background(), sam)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) memberStates(t *testing.T) []string {
	t.Helper()
	rows, err := f.db.Writer().Query(`SELECT state FROM care_team_members WHERE person_id = $1 ORDER BY id`, string(sam))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// inTreatment takes Sam from referral to treatment and returns the episode.
func (f *fixture) inTreatment(t *testing.T) episodes.Episode {
	t.Helper()
	ctx := context.Background()
	e, err := f.svc.Refer(ctx, asLee, sam, episodes.NewReferral{ReferredOn: "2025-09-01", Source: episodes.SourcePrimary, Modality: "DBT"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Decide(ctx, asLee, sam, e.ID, yes, "2025-09-15"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(ctx, asLee, sam, e.ID, "2025-10-01"); err != nil {
		t.Fatal(err)
	}
	return e
}

var (
	t, f    = true, false
	yes, no = &t, &f
)

func day(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

func TestLifecycleWithFollowUpConsent(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	e, err := f.svc.Refer(ctx, asLee, sam, episodes.NewReferral{ReferredOn: "2025-09-01", Source: episodes.SourcePrimary, Modality: "DBT"})
	if err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateReferred {
		t.Fatalf("after referral: %s", s)
	}
	if err := f.svc.Start(ctx, asLee, sam, e.ID, "2025-10-01"); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("start before acceptance: %v", err)
	}
	if err := f.svc.Decide(ctx, asLee, sam, e.ID, yes, "2025-09-15"); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateAccepted {
		t.Fatalf("after acceptance: %s", s)
	}
	if err := f.svc.Decide(ctx, asLee, sam, e.ID, no, "2025-09-16"); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("second decision: %v", err)
	}
	if err := f.svc.Start(ctx, asLee, sam, e.ID, "2025-10-01"); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateInTreatment {
		t.Fatalf("after start: %s", s)
	}
	if err := f.svc.Discharge(ctx, asLee, sam, e.ID, "2026-03-02", yes); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateFollowUp {
		t.Fatalf("after discharge with consent: %s", s)
	}
	if got := f.memberStates(t); !slices.Equal(got, []string{"follow_up", "follow_up"}) {
		t.Fatalf("memberships %v, want both follow-up-only", got)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM grants WHERE member_id = 'm-lee'`); n != 1 {
		t.Fatalf("grants %d: follow-up-only members keep what the person shares", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM notices WHERE person_id = $1 AND kind = 'care_team.follow_up'`, string(sam)); n != 2 {
		t.Fatalf("%d follow-up notices, want one per member", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM audit_events WHERE person_id = $1 AND action = 'person.state_changed'`, string(sam)); n != 3 {
		t.Fatalf("%d state changes audited, want accepted, in treatment, follow-up", n)
	}

	// The follow-up member keeps reading the episode.
	eps, err := f.svc.Episodes(ctx, asLee, sam)
	if err != nil {
		t.Fatal(err)
	}
	pts := eps[0].FollowUpPoints(f.svc.WindowWeeks())
	want := []episodes.FollowUpPoint{
		{Months: 3, Due: day("2026-06-02"), From: day("2026-05-05"), To: day("2026-06-30")},
		{Months: 6, Due: day("2026-09-02"), From: day("2026-08-05"), To: day("2026-09-30")},
		{Months: 12, Due: day("2027-03-02"), From: day("2027-02-02"), To: day("2027-03-30")},
	}
	if !slices.Equal(pts, want) {
		t.Fatalf("follow-up points\n got %v\nwant %v", pts, want)
	}

	// Closing waits for the last window.
	if err := f.svc.Close(ctx, asLee, sam); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("close during follow-up: %v", err)
	}
	f.clock.T = time.Date(2027, 3, 30, 12, 0, 0, 0, time.UTC)
	if err := f.svc.Close(ctx, asLee, sam); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("close on the window's last day: %v", err)
	}
	f.clock.T = time.Date(2027, 3, 31, 12, 0, 0, 0, time.UTC)
	if err := f.svc.Close(ctx, asLee, sam); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateClosed {
		t.Fatalf("after close: %s", s)
	}
	if got := f.memberStates(t); !slices.Equal(got, []string{"ended", "ended"}) {
		t.Fatalf("memberships after close %v", got)
	}
}

func TestDischargeWithoutConsent(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	e := f.inTreatment(t)
	if err := f.svc.Discharge(ctx, asLee, sam, e.ID, "2026-03-02", no); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateDischarged {
		t.Fatalf("state %s", s)
	}
	if got := f.memberStates(t); !slices.Equal(got, []string{"ended", "ended"}) {
		t.Fatalf("memberships %v, want ended", got)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM grants`); n != 0 {
		t.Fatalf("%d grants outlive the memberships", n)
	}
	eps, err := f.db.FindEpisodes(ctx, sam)
	if err != nil {
		t.Fatal(err)
	}
	if pts := eps[0].FollowUpPoints(4); pts != nil {
		t.Fatalf("follow-up points without consent: %v", pts)
	}
	// Nobody is left on the care team to close the record: a lead or the
	// next referral takes it from here. The former therapist reads nothing.
	if _, err := f.svc.Episodes(ctx, asLee, sam); tend.ErrorKind(err) != tend.ENOTFOUND && tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Fatalf("ended member reads episodes: %v", err)
	}
}

func TestOneOpenEpisode(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	e := f.inTreatment(t)
	_, err := f.svc.Refer(ctx, asLee, sam, episodes.NewReferral{ReferredOn: "2026-01-01", Source: episodes.SourceSelf, Modality: "CBT"})
	if tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("second open episode: %v", err)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM episodes`); n != 1 {
		t.Fatalf("%d episodes", n)
	}
	// After discharge a new referral opens a second episode.
	if err := f.svc.Discharge(ctx, asLee, sam, e.ID, "2026-02-01", yes); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Refer(ctx, asLee, sam, episodes.NewReferral{ReferredOn: "2026-03-01", Source: episodes.SourceSelf, Modality: "CBT"}); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateReferred {
		t.Fatalf("state %s", s)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM episodes`); n != 2 {
		t.Fatalf("%d episodes", n)
	}
}

func TestReferralNotAccepted(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	e, err := f.svc.Refer(ctx, asLee, sam, episodes.NewReferral{ReferredOn: "2026-03-01", Source: episodes.SourceSelf, Modality: "MBT"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Decide(ctx, asLee, sam, e.ID, no, "2026-03-05"); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t); s != tend.StateClosed {
		t.Fatalf("state %s", s)
	}
	if _, _, err := f.svc.RecordSession(ctx, asLee, sam, episodes.NewSession{HeldOn: "2026-03-06", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "k"}); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("session without an accepted episode: %v", err)
	}
}

func TestFollowUpWindowSetting(t *testing.T) {
	f := setup(t)
	f.settings.WindowWeeks = 2
	e := f.inTreatment(t)
	if err := f.svc.Discharge(context.Background(), asLee, sam, e.ID, "2026-01-31", yes); err != nil {
		t.Fatal(err)
	}
	eps, err := f.db.FindEpisodes(context.Background(), sam)
	if err != nil {
		t.Fatal(err)
	}
	pts := eps[0].FollowUpPoints(f.svc.WindowWeeks())
	if len(pts) != 3 || pts[0].Due != day("2026-05-01") || pts[0].From != day("2026-04-17") || pts[0].To != day("2026-05-15") {
		t.Fatalf("points %v", pts)
	}
}

func TestRecordSession(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		f := setup(t)
		e := f.inTreatment(t)
		s, added, err := f.svc.RecordSession(ctx, asLee, sam, episodes.NewSession{HeldOn: "2026-03-05", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "k1"})
		if err != nil || !added {
			t.Fatalf("added %v, %v", added, err)
		}
		if s.EpisodeID != e.ID {
			t.Fatalf("linked to %s, want %s", s.EpisodeID, e.ID)
		}
		again, added, err := f.svc.RecordSession(ctx, asLee, sam, episodes.NewSession{HeldOn: "2026-03-05", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "k1"})
		if err != nil || added || again.ID != s.ID {
			t.Fatalf("retry: added %v, id %s (first %s), %v", added, again.ID, s.ID, err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM care_sessions`); n != 1 {
			t.Fatalf("%d sessions after a retry", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, episodes.AuditSession); n != 1 {
			t.Fatalf("%d session audits", n)
		}
	})
	t.Run("NextSession", func(t *testing.T) {
		f := setup(t)
		f.inTreatment(t)
		if _, err := f.svc.NextSession(ctx, asLee, sam); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("no plan yet: %v", err)
		}
		for i, d := range []string{"2026-03-20", "2026-03-13"} {
			if _, _, err := f.svc.RecordSession(ctx, asLee, sam, episodes.NewSession{HeldOn: d, Kind: episodes.SessionSkillsGroup, Key: "plan" + d}); err != nil {
				t.Fatal(i, err)
			}
		}
		next, err := f.svc.NextSession(ctx, asLee, sam)
		if err != nil {
			t.Fatal(err)
		}
		if next.HeldOn != day("2026-03-13") || next.Attendance != episodes.AttendancePlanned {
			t.Fatalf("next %+v", next)
		}
		f.clock.T = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
		if next, err = f.svc.NextSession(ctx, asLee, sam); err != nil || next.HeldOn != day("2026-03-20") {
			t.Fatalf("next after a week %+v, %v", next, err)
		}
	})
	t.Run("AttendanceOfAPlannedSession", func(t *testing.T) {
		f := setup(t)
		f.inTreatment(t)
		planned, _, err := f.svc.RecordSession(ctx, asLee, sam, episodes.NewSession{HeldOn: "2026-03-10", Kind: episodes.SessionIndividual, Key: "p"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RecordAttendance(ctx, asLee, sam, planned.ID, episodes.Attended); tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("attendance before the day: %v", err)
		}
		f.clock.T = time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)
		if err := f.svc.RecordAttendance(ctx, asLee, sam, planned.ID, "late"); tend.ErrorKind(err) != tend.EINVALID {
			t.Fatalf("unknown attendance: %v", err)
		}
		if err := f.svc.RecordAttendance(ctx, asJo, sam, planned.ID, episodes.DidNotAttend); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RecordAttendance(ctx, asLee, sam, planned.ID, episodes.Attended); tend.ErrorKind(err) != tend.ECONFLICT {
			t.Fatalf("attendance twice: %v", err)
		}
		if err := f.svc.RecordAttendance(ctx, asKim, sam, planned.ID, episodes.Attended); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("kim: %v", err)
		}
		ss, err := f.svc.Sessions(ctx, asLee, sam)
		if err != nil {
			t.Fatal(err)
		}
		if len(ss) != 1 || ss[0].Attendance != episodes.DidNotAttend {
			t.Fatalf("sessions %+v", ss)
		}
		if _, err := f.svc.NextSession(ctx, asLee, sam); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("a held session is still next: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t)
		f.inTreatment(t)
		audits := f.count(t, `SELECT COUNT(*) FROM audit_events`)
		for _, tt := range []struct {
			name string
			n    episodes.NewSession
		}{
			{"no key", episodes.NewSession{HeldOn: "2026-03-05", Kind: episodes.SessionIndividual, Attendance: episodes.Attended}},
			{"bad date", episodes.NewSession{HeldOn: "05/03/2026", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "a"}},
			{"unknown kind", episodes.NewSession{HeldOn: "2026-03-05", Kind: "massage", Attendance: episodes.Attended, Key: "b"}},
			{"future attended", episodes.NewSession{HeldOn: "2026-03-09", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "c"}},
			{"past without attendance", episodes.NewSession{HeldOn: "2026-03-01", Kind: episodes.SessionIndividual, Key: "d"}},
			{"unknown attendance", episodes.NewSession{HeldOn: "2026-03-05", Kind: episodes.SessionIndividual, Attendance: "late", Key: "e"}},
		} {
			if _, _, err := f.svc.RecordSession(ctx, asLee, sam, tt.n); tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("%s: %v, want invalid", tt.name, err)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM care_sessions`); n != 0 {
			t.Fatalf("%d sessions after bad input", n)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM audit_events`); n != audits {
			t.Fatalf("bad input was audited as a change: %d events, had %d", n, audits)
		}
	})
}

func TestRecordIncident(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	n := episodes.NewIncident{OccurredOn: "2026-02-20", Kind: episodes.IncidentEmergency, MedicalCare: episodes.MedicalNotSure, Key: "i1"}
	inc, added, err := f.svc.RecordIncident(ctx, asLee, sam, n)
	if err != nil || !added {
		t.Fatalf("added %v, %v", added, err)
	}
	if again, added, err := f.svc.RecordIncident(ctx, asLee, sam, n); err != nil || added || again.ID != inc.ID {
		t.Fatalf("retry added %v, %v", added, err)
	}
	for _, bad := range []episodes.NewIncident{
		{OccurredOn: "2026-03-07", Kind: episodes.IncidentAdmission, MedicalCare: episodes.MedicalYes, Key: "future"},
		{OccurredOn: "2026-02-20", Kind: "method", MedicalCare: episodes.MedicalYes, Key: "kind"},
		{OccurredOn: "2026-02-20", Kind: episodes.IncidentAdmission, MedicalCare: "maybe", Key: "care"},
	} {
		if _, _, err := f.svc.RecordIncident(ctx, asLee, sam, bad); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	got, err := f.svc.Incidents(ctx, asLee, sam)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != episodes.IncidentEmergency || got[0].MedicalCare != episodes.MedicalNotSure || got[0].OccurredOn != day("2026-02-20") {
		t.Fatalf("incidents %+v", got)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	for _, tt := range []struct {
		name string
		n    episodes.NewReferral
	}{
		{"future date", episodes.NewReferral{ReferredOn: "2026-04-01", Source: episodes.SourceSelf, Modality: "DBT"}},
		{"no date", episodes.NewReferral{Source: episodes.SourceSelf, Modality: "DBT"}},
		{"unknown source", episodes.NewReferral{ReferredOn: "2026-03-01", Source: "a friend said", Modality: "DBT"}},
		{"modality off the list", episodes.NewReferral{ReferredOn: "2026-03-01", Source: episodes.SourceSelf, Modality: "EMDR"}},
	} {
		if _, err := f.svc.Refer(ctx, asLee, sam, tt.n); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM episodes`); n != 0 {
		t.Fatalf("%d episodes after bad input", n)
	}
	// The service's own list holds.
	f.settings.Modalities = []string{"EMDR"}
	if _, err := f.svc.Refer(ctx, asLee, sam, episodes.NewReferral{ReferredOn: "2026-03-01", Source: episodes.SourceSelf, Modality: "EMDR"}); err != nil {
		t.Fatal(err)
	}
	e := f.inTreatmentAfterReferral(t)
	if err := f.svc.Discharge(ctx, asLee, sam, e.ID, "2026-03-02", yes); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("discharge before the start: %v", err)
	}
	if err := f.svc.Discharge(ctx, asLee, sam, e.ID, "2026-03-05", nil); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("discharge without the consent answer: %v", err)
	}
	if s := f.state(t); s != tend.StateInTreatment {
		t.Fatalf("state %s after a refused discharge", s)
	}
	if got := f.memberStates(t); !slices.Equal(got, []string{"active", "active"}) {
		t.Fatalf("memberships %v after a refused discharge", got)
	}
}

// inTreatmentAfterReferral accepts and starts the open episode.
func (f *fixture) inTreatmentAfterReferral(t *testing.T) episodes.Episode {
	t.Helper()
	ctx := context.Background()
	eps, err := f.db.FindEpisodes(ctx, sam)
	if err != nil {
		t.Fatal(err)
	}
	e := eps[0]
	if err := f.svc.Decide(ctx, asLee, sam, e.ID, yes, "2026-03-03"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(ctx, asLee, sam, e.ID, "2026-03-04"); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestAccess(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	f.inTreatment(t)
	if _, _, err := f.svc.RecordSession(ctx, asLee, sam, episodes.NewSession{HeldOn: "2026-03-05", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "k"}); err != nil {
		t.Fatal(err)
	}
	t.Run("KimNotFound", func(t *testing.T) {
		if _, err := f.svc.Overview(ctx, asKim, sam); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("kim reads: %v, want not found", err)
		}
		if _, _, err := f.svc.RecordIncident(ctx, asKim, sam, episodes.NewIncident{OccurredOn: "2026-03-01", Kind: episodes.IncidentEmergency, MedicalCare: episodes.MedicalNo, Key: "x"}); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("kim writes: %v, want not found", err)
		}
	})
	t.Run("FacilitatorReads", func(t *testing.T) {
		if eps, err := f.svc.Episodes(ctx, asJo, sam); err != nil || len(eps) != 1 {
			t.Fatalf("jo episodes %d, %v", len(eps), err)
		}
		if ss, err := f.svc.Sessions(ctx, asJo, sam); err != nil || len(ss) != 1 {
			t.Fatalf("jo sessions %d, %v", len(ss), err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM audit_events WHERE actor_id = $1 AND action = 'episode.read'`, string(jo)); n != 2 {
			t.Fatalf("jo's reads audited %d times, want 2", n)
		}
	})
	t.Run("PersonReadsOwn", func(t *testing.T) {
		c, err := f.svc.Overview(ctx, asSam, sam)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Episodes) != 1 || len(c.Sessions) != 1 || c.Incidents != nil || c.State != tend.StateInTreatment {
			t.Fatalf("sam's view %+v", c)
		}
		if _, _, err := f.svc.RecordSession(ctx, asSam, sam, episodes.NewSession{HeldOn: "2026-03-05", Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "s"}); tend.ErrorKind(err) != tend.EFORBIDDEN && tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("sam records a session: %v", err)
		}
	})
}
