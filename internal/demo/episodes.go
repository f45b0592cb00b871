package demo

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/episodes"
)

// seedEpisodes gives sam a DBT episode in treatment, with a few past
// sessions and the next one planned, and alex a DBT-A episode in treatment
// (alex is under 18), so the demo shows episodes, sessions and a discharge
// to try. Dates count back from the day the demo is seeded.
func seedEpisodes(ctx context.Context, svc *episodes.Service, leeID, samID, alexID tend.ID) error {
	lee := tend.Actor{Kind: tend.KindStaff, ID: leeID, Role: tend.RoleClinician, MFA: true}
	today := svc.Today()
	on := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	for _, p := range []struct {
		id       tend.ID
		modality string
		source   episodes.Source
		start    int
	}{
		{samID, "DBT", episodes.SourcePrimary, -90},
		{alexID, "DBT-A", episodes.SourceEducation, -40},
	} {
		e, err := svc.Refer(ctx, lee, p.id, episodes.NewReferral{ReferredOn: on(p.start - 30), Source: p.source, Modality: p.modality})
		if err != nil {
			return err
		}
		accepted := true
		if err := svc.Decide(ctx, lee, p.id, e.ID, &accepted, on(p.start-20)); err != nil {
			return err
		}
		if err := svc.Start(ctx, lee, p.id, e.ID, on(p.start)); err != nil {
			return err
		}
	}
	for i, s := range []struct {
		days       int
		kind       episodes.SessionKind
		attendance episodes.Attendance
	}{
		{-21, episodes.SessionIndividual, episodes.Attended},
		{-16, episodes.SessionSkillsGroup, episodes.Attended},
		{-14, episodes.SessionIndividual, episodes.Cancelled},
		{-7, episodes.SessionIndividual, episodes.Attended},
		{7, episodes.SessionIndividual, episodes.AttendancePlanned},
	} {
		if _, _, err := svc.RecordSession(ctx, lee, samID, episodes.NewSession{HeldOn: on(s.days), Kind: s.kind, Attendance: s.attendance,
			Key: "demo-session-" + string(rune('a'+i))}); err != nil {
			return err
		}
	}
	_, _, err := svc.RecordSession(ctx, lee, alexID, episodes.NewSession{HeldOn: on(-7), Kind: episodes.SessionIndividual, Attendance: episodes.Attended, Key: "demo-session-alex"})
	return err
}
