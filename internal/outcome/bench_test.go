package outcome_test

import (
	"fmt"
	"testing"

	"github.com/tendcare/tend/internal/outcome"
)

// BenchmarkBuild is the engine's part of the service report for 10,000
// people: 5 teams and 6 modalities, every period and two questionnaires.
func BenchmarkBuild(b *testing.B) {
	mods := []string{"CBT", "DBT", "DBT-A", "MBT", "psychodynamic", "other"}
	var ts []outcome.Team
	for i := range 5 {
		ts = append(ts, outcome.Team{ID: fmt.Sprint("t", i), Name: fmt.Sprint("Team ", i)})
	}
	sizes := map[[2]string]int{}
	for _, tm := range teams {
		for _, m := range modalities {
			sizes[[2]string{tm.ID, m}] = 10000 / 6
		}
	}
	eps := cohort(1, sizes)
	for i := range eps {
		eps[i].Team = ts[i%5].ID
		eps[i].Modality = mods[(i/5)%6]
		for _, f := range outcome.FollowUps[2:] {
			if eps[i].FollowUpConsent {
				eps[i].Periods[f.Period] = eps[i].Periods[outcome.FollowUp3]
			}
		}
		if i%2 == 0 {
			sc := eps[i].Scores
			for _, s := range sc {
				s.Instrument, s.Title = "gad7", "GAD-7"
				eps[i].Scores = append(eps[i].Scores, s)
			}
		}
	}
	q := outcome.Query{Teams: ts, AllTeams: true, Modalities: mods}
	b.ReportAllocs()
	for b.Loop() {
		outcome.Build(eps, q, outcome.Settings{})
	}
}
