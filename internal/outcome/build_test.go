package outcome_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/outcome"
)

var (
	teams      = []outcome.Team{{ID: "t1", Name: "North"}, {ID: "t2", Name: "South"}}
	modalities = []string{"CBT", "DBT", "MBT"}
	// raw settings show everything: no count is small (1 to 0) and no
	// group too small (fewer than 1).
	raw = outcome.Settings{Suppress: 1, CountsOnly: 1, Resamples: 200}
)

// cohort makes people in each team and modality, with data drawn from
// seed: every period and measure has something in it.
func cohort(seed uint64, sizes map[[2]string]int) []outcome.Episode {
	r := rand.New(rand.NewPCG(seed, 99))
	var eps []outcome.Episode
	n := 0
	for _, tm := range teams {
		for _, m := range modalities {
			for range sizes[[2]string{tm.ID, m}] {
				n++
				days := func(in int) outcome.Days {
					obs := r.IntN(in + 1)
					if r.IntN(3) > 0 {
						obs = in/2 + r.IntN(in/2+1)
					}
					urge := r.IntN(obs + 1)
					return outcome.Days{InPeriod: in, Observed: obs, SelfHarm: r.IntN(4) * r.IntN(3),
						Attempts: r.IntN(8) / 7, EmotionDays: obs, EmotionSum: obs * r.IntN(6),
						Skills:   outcome.SkillsDays{UsedHelped: obs / 4, Used: r.IntN(obs/4 + 1), Thought: obs / 5, None: obs / 6},
						UrgeDays: urge, RiddenOutDays: r.IntN(urge + 1), Incidents: r.IntN(10) / 8}
				}
				e := outcome.Episode{
					Key: fmt.Sprintf("p%d", n), Team: tm.ID, Modality: m,
					ReferredOn: date("2026-01-01"), Accepted: r.IntN(10) > 0,
					SessionsAttended: r.IntN(12), TreatmentDays: 100, TreatmentObserved: r.IntN(101),
					FollowUpConsent: r.IntN(4) > 0,
					Periods:         map[outcome.Period]outcome.Days{outcome.Baseline: days(28), outcome.End: days(28)},
				}
				if e.Accepted {
					e.StartedOn = datep(fmt.Sprintf("2026-01-%02d", 2+r.IntN(27)))
				}
				if e.FollowUpConsent {
					e.FollowUpQuestionnaire = map[outcome.Period]bool{}
					for _, f := range outcome.FollowUps[:2] {
						e.Periods[f.Period] = days(56)
						e.FollowUpQuestionnaire[f.Period] = r.IntN(2) == 0
					}
				}
				for _, c := range []outcome.Comparison{baseEnd, baseFU3} {
					if r.IntN(5) > 0 {
						j := []measure.Judgement{measure.ReliablyImproved, measure.NoReliableChange, measure.ReliablyWorse}[r.IntN(3)]
						e.Scores = append(e.Scores, phq(c, j, r.IntN(3) > 0, r.IntN(2) == 0))
					}
				}
				eps = append(eps, e)
			}
		}
	}
	return eps
}

var query = outcome.Query{Cohort: outcome.Cohort{Year: 2026, Quarter: 2}, Teams: teams, AllTeams: true, Modalities: modalities}

func TestBuild_Layout(t *testing.T) {
	eps := cohort(1, map[[2]string]int{{"t1", "CBT"}: 12, {"t1", "DBT"}: 11, {"t2", "CBT"}: 14, {"t2", "MBT"}: 10})
	rep := outcome.Build(eps, query, outcome.Settings{})
	if rep.Note != outcome.Note || rep.Cohort != query.Cohort || rep.Settings != outcome.Defaults {
		t.Errorf("note, cohort or settings: %q %v %+v", rep.Note, rep.Cohort, rep.Settings)
	}
	if want := []string{"CBT", "DBT", "MBT", ""}; !reflect.DeepEqual(rep.Columns, want) {
		t.Errorf("Columns = %q, want %q", rep.Columns, want)
	}
	var scopes []string
	for _, s := range rep.Scopes {
		scopes = append(scopes, fmt.Sprintf("%s/%s/%v", s.Team, s.Name, s.Whole))
	}
	if want := []string{"//true", "t1/North/false", "t2/South/false"}; !reflect.DeepEqual(scopes, want) {
		t.Errorf("Scopes = %q, want %q", scopes, want)
	}
	// Rows with no data anywhere (here the follow-up windows at 6 and 12
	// months, which nobody reached) are left out of the report.
	var want []outcome.Row
	for _, r := range outcome.Measures(eps, raw) {
		if r.Cells[0].State != outcome.NoData {
			want = append(want, r)
		}
	}
	if all := len(outcome.Measures(eps, raw)); len(want) == all {
		t.Fatalf("the fixture has no row without data (%d rows): the test of leaving them out needs one", all)
	}
	for _, s := range rep.Scopes {
		if len(s.Rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d", s.Name, len(s.Rows), len(want))
		}
		for i, r := range s.Rows {
			if keyOf(r) != keyOf(want[i]) || r.Rule != want[i].Rule || len(r.Cells) != len(rep.Columns) {
				t.Errorf("%s row %d: %v with %d cells, want %v", s.Name, i, keyOf(r), len(r.Cells), keyOf(want[i]))
			}
		}
	}
	// People: North 12 CBT, 11 DBT, 0 MBT; South 14 CBT, 10 MBT.
	people := func(s outcome.Scope) (out []string) {
		for _, f := range s.Rows[0].Cells {
			out = append(out, fmt.Sprintf("%d %s", f.Count, f.State))
		}
		return out
	}
	for i, want := range [][]string{
		{"26 shown", "11 shown", "10 shown", "47 shown"},
		{"12 shown", "11 shown", "0 no_data", "23 shown"},
		{"14 shown", "0 no_data", "10 shown", "24 shown"},
	} {
		if got := people(rep.Scopes[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s people %v, want %v", rep.Scopes[i].Name, got, want)
		}
	}
	// The cell of one team and modality is that group's Measures.
	north := map[rowKey]outcome.Figure{}
	for _, r := range outcome.Measures(eps[:12], outcome.Defaults) {
		north[keyOf(r)] = r.Cells[0]
	}
	for _, r := range rep.Scopes[1].Rows {
		if got := r.Cells[0]; got.State == outcome.Shown && !sameFigure(got, north[keyOf(r)]) {
			t.Errorf("North CBT %v: %+v, want %+v", keyOf(r), got, north[keyOf(r)])
		}
	}
	if !reflect.DeepEqual(rep, outcome.Build(eps, query, outcome.Settings{})) {
		t.Error("Build is not reproducible")
	}
	// No infinity or NaN anywhere: the report encodes as JSON.
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("JSON: %v", err)
	}
}

func TestBuild_SmallGroups(t *testing.T) {
	// North DBT has 7 people (5 to 9): counts only.
	eps := cohort(2, map[[2]string]int{{"t1", "CBT"}: 15, {"t1", "DBT"}: 7, {"t2", "CBT"}: 12, {"t2", "DBT"}: 11})
	rep := outcome.Build(eps, query, outcome.Settings{Resamples: 200})
	countsOnly := 0
	for _, r := range rep.Scopes[1].Rows {
		f := r.Cells[1]
		switch f.State {
		case outcome.CountsOnly:
			countsOnly++
			if f.Value != 0 || f.Low != 0 || f.High != 0 || f.Share != 0 || f.Observed != 0 || f.Days != 0 || f.N == 0 {
				t.Errorf("North DBT %v: %+v, want counts only", keyOf(r), f)
			}
			if f.Kind != outcome.KindCount && f.Count != 0 {
				t.Errorf("North DBT %v: %+v has a count", keyOf(r), f)
			}
		case outcome.Suppressed, outcome.NoData:
		default:
			t.Errorf("North DBT %v: %+v, want counts only", keyOf(r), f)
		}
	}
	if f := rep.Scopes[1].Rows[0].Cells[1]; f.State != outcome.CountsOnly || f.Count != 7 || f.N != 7 {
		t.Errorf("North DBT people: %+v, want 7, counts only", f)
	}
	if countsOnly < 20 {
		t.Errorf("only %d figures of North DBT show counts", countsOnly)
	}
	// The rest of the report shows figures (nobody has MBT).
	for _, col := range []int{0, 1, 3} {
		if f := find(t, rep.Scopes[0].Rows, rowKey{m: outcome.MeasureSelfHarmRate, p: outcome.Baseline}).Cells[col]; f.State != outcome.Shown || f.Value == 0 {
			t.Errorf("total column %d rate: %+v", col, f)
		}
	}

	// South DBT has 3 people: every figure there is suppressed (or has
	// nobody behind it) and shows nothing.
	eps = cohort(2, map[[2]string]int{{"t1", "CBT"}: 15, {"t1", "DBT"}: 12, {"t2", "CBT"}: 12, {"t2", "DBT"}: 3})
	rep = outcome.Build(eps, query, outcome.Settings{Resamples: 200})
	for _, r := range rep.Scopes[2].Rows {
		f := r.Cells[1]
		switch {
		case f.State == outcome.NoData && f.N == 0 && f.Count == 0:
		case f == outcome.Figure{Kind: f.Kind, State: outcome.Suppressed}:
		default:
			t.Errorf("South DBT %v: %+v, want suppressed", keyOf(r), f)
		}
	}
}

func TestBuild_FewPeople(t *testing.T) {
	// North DBT has 6 episodes of 2 people: fewer than 5 people.
	eps := cohort(4, map[[2]string]int{{"t1", "CBT"}: 15, {"t1", "DBT"}: 6, {"t2", "CBT"}: 12, {"t2", "DBT"}: 11})
	for i := 15; i < 21; i++ {
		eps[i].Key = fmt.Sprint("twice", i%2)
	}
	rep := outcome.Build(eps, query, outcome.Settings{Resamples: 200})
	if f := rep.Scopes[1].Rows[0].Cells[1]; f.State != outcome.Suppressed {
		t.Errorf("North DBT people: %+v, want suppressed", f)
	}
}

func TestBuild_Unlisted(t *testing.T) {
	// Two people of a modality that is not a column: the total's column
	// of all modalities has them, so the modality cells no longer add up
	// to it, and the 2 must not be recovered.
	eps := cohort(3, map[[2]string]int{{"t1", "CBT"}: 15, {"t1", "DBT"}: 12, {"t2", "CBT"}: 14, {"t2", "DBT"}: 11})
	eps[0].Modality, eps[1].Modality = "art", "art"
	rep := outcome.Build(eps, query, outcome.Settings{Resamples: 200})
	people := rep.Scopes[1].Rows[0].Cells
	if people[3].State != outcome.Suppressed && people[0].State != outcome.Suppressed && people[1].State != outcome.Suppressed {
		t.Errorf("North people %+v: 2 unlisted recoverable", people)
	}
	if people[2].State != outcome.NoData {
		t.Errorf("North MBT: %+v", people[2])
	}
}

// slot names the count a figure's N or Count is, as Build documents it.
func slots(r outcome.Row) (n, count string) {
	p, c := string(r.Period), string(r.Comparison.From)+">"+string(r.Comparison.To)
	q := r.Instrument + " " + r.Rule + " " + c
	switch r.Measure {
	case outcome.MeasurePeople:
		return "people", "people"
	case outcome.MeasureSelfHarmRate, outcome.MeasureAttemptRate, outcome.MeasureEmotion, outcome.MeasureSkills, outcome.MeasureUrges:
		return "has " + p, ""
	case outcome.MeasureClinicianIncidents:
		return "has " + p, "incident " + p
	case outcome.MeasureFollowUp:
		return "has " + p, "reached " + p
	case outcome.MeasureNoSelfHarm:
		return "covered " + p, "none " + p
	case outcome.MeasureSelfHarmChange:
		switch r.Part {
		case outcome.PartEligible:
			return "both " + c, "eligible " + c
		case outcome.PartMedian:
			return "eligible " + c, ""
		}
		return "eligible " + c, string(r.Part) + " " + c
	case outcome.MeasureRateRatio:
		return "eligible " + c, ""
	case outcome.MeasureQuestionnaire:
		if r.Part == outcome.PartBelowThreshold {
			return "above " + q, "below " + q
		}
		return "scored " + q, string(r.Part) + " " + q
	case outcome.MeasureQS34:
		return "accepted", "qs34"
	case outcome.MeasureReferral:
		return "started", ""
	case outcome.MeasureEngagement:
		return "treated", ""
	}
	panic(r.Measure)
}

// partitions are the wholes and parts within one cell a reader can
// subtract along; a part "" is the rest of the whole, which no figure
// shows.
func partitions(rows []outcome.Row) [][]string {
	var out [][]string
	for _, p := range outcome.Periods {
		s := string(p)
		out = append(out, []string{"people", "has " + s, ""}, []string{"has " + s, "covered " + s, ""},
			[]string{"covered " + s, "none " + s, ""}, []string{"has " + s, "incident " + s, ""})
	}
	for _, f := range outcome.FollowUps {
		s := string(f.Period)
		out = append(out, []string{"has " + s, "reached " + s, ""})
	}
	for _, c := range outcome.Comparisons {
		s := string(c.From) + ">" + string(c.To)
		out = append(out, []string{"people", "both " + s, ""}, []string{"both " + s, "eligible " + s, ""},
			[]string{"eligible " + s, "fell " + s, "stayed " + s, "rose " + s})
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Measure != outcome.MeasureQuestionnaire {
			continue
		}
		q := r.Instrument + " " + r.Rule + " " + string(r.Comparison.From) + ">" + string(r.Comparison.To)
		if seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, []string{"people", "scored " + q, ""}, []string{"above " + q, "below " + q, ""}, []string{"scored " + q, "above " + q, ""},
			[]string{"scored " + q, "reliably_improved " + q, "no_reliable_change " + q, "reliably_worse " + q})
	}
	return append(out, []string{"people", "accepted", ""}, []string{"accepted", "qs34", ""},
		[]string{"people", "started", ""}, []string{"people", "treated", ""})
}

// attack tries every subtraction along a line of rep, again and again
// with what it learns: along a row (the modality cells and their total),
// along a column (the team cells and the total's), and within a cell (a
// whole minus its shown parts). It reports every small count it recovers,
// and every suppressed count figure whose count and N it recovers both.
// truth is the same report without disclosure control.
func attack(t *testing.T, rep, truth outcome.Report, threshold int) (recovered []string, hidden int) {
	t.Helper()
	type cellQ struct {
		scope, col int
		q          string
	}
	value := map[cellQ]int{}
	known := map[cellQ]bool{}
	parts := partitions(truth.Scopes[0].Rows)
	for s := range truth.Scopes {
		for ri, r := range truth.Scopes[s].Rows {
			n, c := slots(r)
			for col := range truth.Columns {
				tf, rf := r.Cells[col], rep.Scopes[s].Rows[ri].Cells[col]
				value[cellQ{s, col, n}] = tf.N
				if c != "" {
					value[cellQ{s, col, c}] = tf.Count
				}
				if rf.State == outcome.Suppressed {
					hidden++
					continue
				}
				if rf.N != tf.N || (c != "" && rf.Count != tf.Count) {
					t.Fatalf("%v %d/%d: shows %+v, truth %+v", keyOf(r), s, col, rf, tf)
				}
				known[cellQ{s, col, n}] = true
				if c != "" {
					known[cellQ{s, col, c}] = true
				}
			}
		}
		for col := range truth.Columns {
			for _, p := range parts {
				if p[len(p)-1] == "" {
					rest := cellQ{s, col, "rest " + p[0] + " - " + p[1]}
					value[rest] = value[cellQ{s, col, p[0]}] - value[cellQ{s, col, p[1]}]
				}
			}
		}
	}
	type line []cellQ // line[0] = the sum of the others
	var lines []line
	var names []string
	for q := range value {
		if q.scope == 0 && q.col == 0 {
			names = append(names, q.q)
		}
	}
	all := len(truth.Columns) - 1
	for _, q := range names {
		for s := range truth.Scopes {
			ln := line{{s, all, q}}
			for col := range all {
				ln = append(ln, cellQ{s, col, q})
			}
			lines = append(lines, ln)
		}
		for col := range truth.Columns {
			ln := line{{0, col, q}}
			for s := 1; s < len(truth.Scopes); s++ {
				ln = append(ln, cellQ{s, col, q})
			}
			lines = append(lines, ln)
		}
	}
	for s := range truth.Scopes {
		for col := range truth.Columns {
			for _, p := range parts {
				ln := line{}
				for _, q := range p {
					if q == "" {
						q = "rest " + p[0] + " - " + p[1]
					}
					ln = append(ln, cellQ{s, col, q})
				}
				lines = append(lines, ln)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, ln := range lines {
			var unknown []cellQ
			for _, c := range ln {
				if !known[c] {
					unknown = append(unknown, c)
				}
			}
			if len(unknown) != 1 {
				continue
			}
			u := unknown[0]
			sum := value[ln[0]]
			if u == ln[0] {
				sum = 0
				for _, c := range ln[1:] {
					sum += value[c]
				}
			} else {
				for _, c := range ln[1:] {
					if c != u {
						sum -= value[c]
					}
				}
			}
			if sum != value[u] {
				t.Fatalf("line %v does not add up: %d, truth %d", ln, sum, value[u])
			}
			known[u] = true
			changed = true
			if sum >= 1 && sum < threshold {
				recovered = append(recovered, fmt.Sprintf("%s in scope %d column %d = %d, along %v", u.q, u.scope, u.col, sum, ln))
			}
		}
	}
	for s := range rep.Scopes {
		for _, r := range rep.Scopes[s].Rows {
			n, c := slots(r)
			for col, f := range r.Cells {
				if f.State == outcome.Suppressed && f.Kind == outcome.KindCount && known[cellQ{s, col, n}] && known[cellQ{s, col, c}] {
					recovered = append(recovered, fmt.Sprintf("%v in scope %d column %d: %d of %d", keyOf(r), s, col,
						value[cellQ{s, col, c}], value[cellQ{s, col, n}]))
				}
			}
		}
	}
	return recovered, hidden
}

// TestBuild_SubtractionAttack builds reports in which one team and
// modality has 1 to 4 people, and tries every subtraction.
func TestBuild_SubtractionAttack(t *testing.T) {
	for small := 1; small <= 4; small++ {
		for seed := range uint64(5) {
			t.Run(fmt.Sprintf("%dPeople/Seed%d", small, seed), func(t *testing.T) {
				sizes := map[[2]string]int{
					{"t1", "CBT"}: 14, {"t1", "DBT"}: 12, {"t1", "MBT"}: 11,
					{"t2", "CBT"}: 13, {"t2", "DBT"}: small, {"t2", "MBT"}: 15,
				}
				eps := cohort(seed+10*uint64(small), sizes)
				rep := outcome.Build(eps, query, outcome.Settings{Resamples: 200})
				truth := outcome.Build(eps, query, raw)
				if f := rep.Scopes[2].Rows[0].Cells[1]; f.State != outcome.Suppressed {
					t.Fatalf("South DBT people: %+v, want suppressed", f)
				}
				recovered, hidden := attack(t, rep, truth, 5)
				for _, r := range recovered {
					t.Errorf("recovered %s", r)
				}
				if hidden == 0 {
					t.Fatal("nothing hidden")
				}
				t.Logf("%d figures hidden", hidden)
			})
		}
	}
	t.Run("Random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 5))
		for n := range 30 {
			sizes := map[[2]string]int{}
			for _, tm := range teams {
				for _, m := range modalities {
					sizes[[2]string{tm.ID, m}] = r.IntN(16)
				}
			}
			eps := cohort(uint64(100+n), sizes)
			rep := outcome.Build(eps, query, outcome.Settings{Resamples: 50})
			truth := outcome.Build(eps, query, raw)
			recovered, _ := attack(t, rep, truth, 5)
			for _, rc := range recovered {
				t.Errorf("sizes %v: recovered %s", sizes, rc)
			}
		}
	})
}
