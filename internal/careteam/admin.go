package careteam

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// PersonSummary is a person as the care-team management page shows them to
// an admin: their username and team, nothing clinical.
type PersonSummary struct {
	PersonID tend.ID
	Username string
	TeamName string
}

// PersonCareTeam is one person with their current care team.
type PersonCareTeam struct {
	PersonSummary
	Members []TeamMember
}

// PeopleStore lists people for care-team management; the store's *DB
// implements it next to Store.
type PeopleStore interface {
	// FindPeopleSummaries lists every person's id, username and team name,
	// ordered by username.
	FindPeopleSummaries(ctx context.Context) ([]PersonSummary, error)
}

// CareTeams lists every person (username and team only) with the members of
// their care team, their roles and states, for admins who manage care-team
// membership (access.CareTeamManage at the service level: admins only; a
// lead manages their own team's people through the person's page).
func (s *Service) CareTeams(ctx context.Context, actor tend.Actor) ([]PersonCareTeam, error) {
	if err := s.checker.CheckService(ctx, actor, access.CareTeamManage); err != nil {
		return nil, err
	}
	ps, ok := s.store.(PeopleStore)
	if !ok {
		return nil, tend.Errorf(tend.EINTERNAL, "careteam: the store does not list people")
	}
	people, err := ps.FindPeopleSummaries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PersonCareTeam, 0, len(people))
	var ids []tend.ID
	for _, p := range people {
		members, err := s.store.FindCareTeamMembers(ctx, p.PersonID)
		if err != nil {
			return nil, err
		}
		pc := PersonCareTeam{PersonSummary: p}
		for _, m := range members {
			pc.Members = append(pc.Members, TeamMember{Member: m})
			ids = append(ids, m.StaffID)
		}
		out = append(out, pc)
	}
	if len(ids) == 0 {
		return out, nil
	}
	names, err := s.store.FindStaffNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Members {
			out[i].Members[j].StaffName = names[out[i].Members[j].StaffID]
		}
	}
	return out, nil
}
