package demo

import (
	"context"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
)

// staffActor is a demo clinician acting through the services.
func staffActor(id tend.ID) tend.Actor {
	return tend.Actor{Kind: tend.KindStaff, ID: id, Role: tend.RoleClinician, MFA: true}
}

// seedMedication gives sam a short medication list kept by priya: one
// current, one stopped, plain generic names.
func seedMedication(ctx context.Context, m *medication.Service, priyaID, samID tend.ID) error {
	priya := staffActor(priyaID)
	if _, _, err := m.Add(ctx, priya, samID, medication.New{Name: "Sertraline", Dose: "50 mg", Schedule: "Once a day, in the morning", StartedOn: "2026-01-12"}); err != nil {
		return err
	}
	stopped, _, err := m.Add(ctx, priya, samID, medication.New{Name: "Melatonin", Dose: "2 mg", Schedule: "At bedtime", AsNeeded: true, StartedOn: "2025-11-03"})
	if err != nil {
		return err
	}
	_, err = m.Stop(ctx, priya, samID, string(stopped.ID), "2026-01-12", nil)
	return err
}

// seedGroup starts a DBT skills group run by jo, with sam enrolled and two
// meetings of attendance.
func seedGroup(ctx context.Context, g *groups.Service, joID, samID tend.ID) error {
	jo := staffActor(joID)
	grp, err := g.Create(ctx, jo, "Tuesday skills group", "DBT skills group", "Tuesdays, 18:00 to 20:00")
	if err != nil {
		return err
	}
	if err := g.Enrol(ctx, jo, string(grp.ID), string(samID)); err != nil {
		return err
	}
	for i, m := range []struct {
		day    string
		status groups.Status
	}{{"2026-02-17", groups.StatusAttended}, {"2026-02-24", groups.StatusAttended}} {
		if _, err := g.Record(ctx, jo, string(grp.ID), groups.Marks{HeldOn: m.day, Key: fmt.Sprintf("demo-seed-%d", i), Status: map[tend.ID]groups.Status{samID: m.status}}); err != nil {
			return err
		}
	}
	return nil
}

// seedNote has lee write one plain note about sam.
func seedNote(ctx context.Context, n *notes.Service, leeID, samID tend.ID) error {
	_, err := n.Write(ctx, staffActor(leeID), samID, notes.Draft{Kind: notes.KindNote,
		Text: "First session. We agreed to start with the diary card and one distress tolerance skill. Sam would like to bring their sister to a later session."})
	return err
}
