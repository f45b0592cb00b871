package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/testenv"
)

var cohort2026 = outcome.Cohort{Year: 2026}

// Only leads see the outcomes report, and only of the teams they lead: a
// lead of both care teams sees the whole service, a lead of one sees that
// team; a lead of the duty team alone, a clinician and an admin get "not
// found" (the access matrix: aggregate reports are for leads).
func TestOutcomesAccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		actor     tend.Actor
		wantErr   string
		wantTeams []string // the scopes' teams after the total
		wantWhole bool
	}{
		{name: "LeadOfBoth", actor: leadBoth, wantTeams: []string{teamNorth, teamRiver}, wantWhole: true},
		{name: "LeadOfRiverside", actor: leadRiver, wantTeams: []string{teamRiver}},
		{name: "LeadOfNorthside", actor: leadNorth, wantTeams: []string{teamNorth}},
		{name: "ErrLeadOfDutyTeamOnly", actor: leadDuty, wantErr: tend.ENOTFOUND},
		{name: "ErrClinician", actor: lee, wantErr: tend.ENOTFOUND},
		{name: "ErrAdmin", actor: admin, wantErr: tend.ENOTFOUND},
		{name: "ErrPerson", actor: tend.Actor{Kind: tend.KindPerson, ID: "p01"}, wantErr: tend.ENOTFOUND},
		{name: "ErrLeadWithoutSecondFactor", actor: tend.Actor{Kind: tend.KindStaff, ID: "lead-both", Role: tend.RoleLead}, wantErr: tend.ENOTFOUND},
		{name: "ErrAnonymous", actor: tend.Actor{}, wantErr: tend.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := f.reports.Outcomes(ctx, tt.actor, cohort2026)
			_, cerr := f.reports.Cohorts(ctx, tt.actor)
			if tt.wantErr != "" {
				if tend.ErrorKind(err) != tt.wantErr || tend.ErrorKind(cerr) != tt.wantErr {
					t.Fatalf("Outcomes: %v, Cohorts: %v; want %s", err, cerr, tt.wantErr)
				}
				return
			}
			if err != nil || cerr != nil {
				t.Fatalf("Outcomes: %v, Cohorts: %v", err, cerr)
			}
			// The total comes first, except for a lead of one team of
			// several, whose total would repeat their team.
			scopes := rep.Scopes
			wantTotal := tt.wantWhole || len(tt.wantTeams) > 1
			if wantTotal {
				if len(scopes) == 0 || scopes[0].Team != "" || scopes[0].Whole != tt.wantWhole {
					t.Fatalf("scopes %+v: want the total first, whole %v", scopes, tt.wantWhole)
				}
				scopes = scopes[1:]
			}
			var teams []string
			for _, sc := range scopes {
				teams = append(teams, sc.Team)
			}
			if !slices.Equal(teams, tt.wantTeams) {
				t.Errorf("scopes: teams %v; want teams %v (total %v)", teams, tt.wantTeams, wantTotal)
			}
			b, _ := json.Marshal(rep)
			for _, other := range []string{teamRiver, teamNorth, "p0", "p1", "e-p"} {
				if !slices.Contains(tt.wantTeams, other) && strings.Contains(string(b), `"`+other) {
					t.Errorf("the report names %q", other)
				}
			}
		})
	}
	t.Run("ErrCohortNotACalendarPeriod", func(t *testing.T) {
		if _, err := f.reports.Outcomes(ctx, leadBoth, outcome.Cohort{Year: 2026, Quarter: 5}); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("quarter 5: %v, want EINVALID", err)
		}
	})
}

// One report writes one aggregate audit event naming the cohort and no
// person; a refused report writes none.
func TestOutcomesAudit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.reports.Outcomes(ctx, leadRiver, outcome.Cohort{Year: 2026, Quarter: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.reports.Outcomes(ctx, lee, cohort2026); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Fatalf("lee: %v", err)
	}
	var n int
	rows, err := f.db.Writer().QueryContext(ctx, `SELECT actor_id, action, COALESCE(person_id, ''), target FROM audit_events ORDER BY at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var actor, action, person, target string
		if err := rows.Scan(&actor, &action, &person, &target); err != nil {
			t.Fatal(err)
		}
		n++
		if actor != "lead-river" || action != report.AuditOutcomesRead || person != "" || target != "outcomes:2026-Q2" {
			t.Errorf("audit event: %s %s person %q target %q", actor, action, person, target)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d audit events, want 1", n)
	}
}

// The cohorts are the years and quarters in which episodes of the lead's
// teams ended, newest first, each year before its quarters.
func TestCohorts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tt := range []struct {
		actor tend.Actor
		want  string
	}{
		{leadBoth, "2026 2026-Q4 2026-Q3 2026-Q2 2025 2025-Q4"},
		{leadNorth, "2026 2026-Q4 2026-Q3 2026-Q2"},
	} {
		cs, err := f.reports.Cohorts(ctx, tt.actor)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.String())
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: %v, want %s", tt.actor.ID, got, tt.want)
		}
	}
}

// The report of the hand-built service is the same on both engines and
// as reviewed (go test -update rewrites it).
func TestOutcomesGolden(t *testing.T) {
	f := newFixture(t)
	rep, err := f.reports.Outcomes(context.Background(), leadBoth, cohort2026)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Golden(t, "outcomes-2026.json", reportJSON(t, rep))
	// The people behind the report: episodes that ended in 2026, not the
	// one that ended in 2025 nor the one still open.
	if got := rep.Scopes[0].Rows[0]; got.Measure != "people" || got.Cells[len(got.Cells)-1].Count != 12 {
		t.Errorf("first row %s: %+v, want 12 people in all", got.Measure, got.Cells[len(got.Cells)-1])
	}
}

// One person's measures, for their care team: the periods (with the sums
// worked out by hand) only when the person shares their diary with the
// reader, the questionnaire changes only when they share questionnaires,
// each area read audited; nothing for anyone outside the care team.
func TestPerson(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t.Run("DiaryAndQuestionnaires", func(t *testing.T) {
		got, err := f.reports.Person(ctx, lee, "p01")
		if err != nil {
			t.Fatal(err)
		}
		if got.Episode == nil || got.Episode.ID != "e-p01" || !got.Diary || !got.Questionnaires {
			t.Fatalf("episode %+v, diary %v, questionnaires %v", got.Episode, got.Diary, got.Questionnaires)
		}
		want := []report.PersonPeriod{
			{Period: outcome.Baseline, From: date("2026-01-05"), To: date("2026-02-01"), Complete: true, Days: outcome.Days{
				InPeriod: 28, Observed: 28, SelfHarm: 7, EmotionDays: 24, EmotionSum: 84,
				Skills: outcome.SkillsDays{UsedHelped: 7, Used: 6, Thought: 7, None: 5}, UrgeDays: 14, RiddenOutDays: 7}},
			{Period: outcome.End, From: date("2026-03-30"), To: date("2026-04-26"), Complete: true, Days: outcome.Days{
				InPeriod: 28, Observed: 28, SelfHarm: 2, EmotionDays: 25, EmotionSum: 50,
				Skills: outcome.SkillsDays{UsedHelped: 13, Used: 5, Thought: 7}, UrgeDays: 14, RiddenOutDays: 14}},
		}
		if !slices.EqualFunc(got.Periods, want, func(a, b report.PersonPeriod) bool {
			return a.Period == b.Period && a.From.Equal(b.From) && a.To.Equal(b.To) && a.Complete == b.Complete && a.Days == b.Days
		}) {
			t.Errorf("periods:\n got %+v\nwant %+v", got.Periods, want)
		}
		if c := got.Change; c == nil || c.From != outcome.Baseline || c.To != outcome.End || c.RateBefore != 1.75 || c.RateAfter != 0.5 {
			t.Errorf("change: %+v, want baseline 1.75 to end 0.5 a week", c)
		}
		if len(got.Scores) != 2 {
			t.Fatalf("scores: %+v", got.Scores)
		}
		gad, phq := got.Scores[0], got.Scores[1]
		if gad.Instrument != "gad-7.1.en" || gad.Change.From != 12 || gad.Change.To != 7 || gad.Change.Judgement != measure.ReliablyImproved ||
			!gad.AboveAtStart || !gad.BelowAtEnd || gad.Comparison != (outcome.Comparison{From: outcome.Baseline, To: outcome.End}) {
			t.Errorf("GAD-7: %+v", gad)
		}
		if phq.Instrument != "phq-9.1.en" || phq.Title != "PHQ-9" || phq.Change.From != 18 || phq.Change.To != 9 ||
			phq.Change.Judgement != measure.ReliablyImproved || !strings.Contains(phq.Rule, "6 or more points") {
			t.Errorf("PHQ-9: %+v", phq)
		}
		if got.Incidents != 0 {
			t.Errorf("incidents: %d", got.Incidents)
		}
		want3 := []string{string(access.DiaryRead), string(access.EpisodeRead), string(access.QuestionnairesRead)}
		if reads := f.reads(t, "lee", "p01"); !slices.Equal(reads, want3) {
			t.Errorf("audited reads %v, want %v", reads, want3)
		}
	})
	t.Run("QuestionnairesOnly", func(t *testing.T) {
		got, err := f.reports.Person(ctx, lee, "p02")
		if err != nil {
			t.Fatal(err)
		}
		if got.Diary || got.Periods != nil || got.Change != nil || !got.Questionnaires || len(got.Scores) == 0 {
			t.Errorf("diary %v, periods %+v, change %+v; questionnaires %v, scores %+v", got.Diary, got.Periods, got.Change, got.Questionnaires, got.Scores)
		}
		want := []string{string(access.EpisodeRead), string(access.QuestionnairesRead)}
		if reads := f.reads(t, "lee", "p02"); !slices.Equal(reads, want) {
			t.Errorf("audited reads %v, want %v", reads, want)
		}
	})
	t.Run("IncidentsOfTheEpisode", func(t *testing.T) {
		got, err := f.reports.Person(ctx, kim, "p08")
		if err != nil {
			t.Fatal(err)
		}
		if got.Incidents != 1 || len(got.Periods) != 5 || got.Periods[0].Days.Incidents != 1 {
			t.Errorf("incidents %d, periods %+v", got.Incidents, got.Periods)
		}
	})
	for _, tt := range []struct {
		name  string
		actor tend.Actor
		want  string
	}{
		{"ErrStranger", kim, tend.ENOTFOUND},
		{"ErrLead", leadRiver, tend.EFORBIDDEN},
		{"ErrAdmin", admin, tend.EFORBIDDEN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.reports.Person(ctx, tt.actor, "p01")
			if err == nil || tend.ErrorKind(err) != tt.want || got.Episode != nil || got.Periods != nil {
				t.Errorf("Person: %+v, %v; want %s", got, err, tt.want)
			}
			if reads := f.reads(t, string(tt.actor.ID), "p01"); len(reads) != 0 {
				t.Errorf("audited %v", reads)
			}
		})
	}
}

// reads lists the actions of the audit events actor wrote about person.
func (f *fixture) reads(t *testing.T, actor, person string) []string {
	t.Helper()
	rows, err := f.db.Writer().QueryContext(context.Background(),
		`SELECT action, target FROM audit_events WHERE actor_id = $1 AND person_id = $2 ORDER BY at, action`, actor, person)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, target string
		if err := rows.Scan(&action, &target); err != nil {
			t.Fatal(err)
		}
		if target != "outcomes:"+person {
			t.Errorf("target %q", target)
		}
		out = append(out, action)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// reportJSON is the report as JSON with one row to a line, so that a
// change to the golden file reads row by row.
func reportJSON(t *testing.T, rep outcome.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	put := func(v any) {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
	}
	b.WriteString("{\n\"Cohort\": ")
	put(rep.Cohort)
	b.WriteString(",\n\"Note\": ")
	put(rep.Note)
	b.WriteString(",\n\"Settings\": ")
	put(rep.Settings)
	b.WriteString(",\n\"Columns\": ")
	put(rep.Columns)
	b.WriteString(",\n\"Scopes\": [")
	for i, sc := range rep.Scopes {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n{\"Team\": ")
		put(sc.Team)
		b.WriteString(", \"Name\": ")
		put(sc.Name)
		b.WriteString(", \"Whole\": ")
		put(sc.Whole)
		b.WriteString(", \"Rows\": [")
		for j, row := range sc.Rows {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n  ")
			put(row)
		}
		b.WriteString("\n]}")
	}
	b.WriteString("\n]\n}\n")
	var check outcome.Report
	if err := json.Unmarshal(b.Bytes(), &check); err != nil {
		t.Fatalf("the golden JSON does not parse: %v", err)
	}
	return b.Bytes()
}
