package careteam

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// GrantChange is one line of the person's sharing form.
type GrantChange struct {
	MemberID tend.ID
	Area     access.Area
	Level    access.Level
}

// SetGrants applies several grant changes in one unit of work: all of them
// or, when one is invalid, none (the form is shown again with the reason).
// Each change is audited. The changes hold from the next request.
func (s *Service) SetGrants(ctx context.Context, actor tend.Actor, personID tend.ID, changes []GrantChange) error {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return err
	}
	for _, c := range changes {
		if err := validGrant(c.Area, c.Level); err != nil {
			return err
		}
	}
	now := s.clock.Now().UTC()
	return s.store.InTx(ctx, func(tx Tx) error {
		for _, c := range changes {
			m, err := tx.FindCareTeamMember(ctx, personID, c.MemberID)
			if err != nil {
				return err
			}
			if m.State == access.MemberEnded {
				return tend.Errorf(tend.ENOTFOUND, "That person is no longer on your care team.")
			}
			if err := tx.PutGrant(ctx, Grant{MemberID: m.ID, Area: c.Area, Level: c.Level, UpdatedAt: now}); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, s.event(actor, AuditGrantSet, personID, "grant:"+string(m.ID)+"/"+string(c.Area))); err != nil {
				return err
			}
		}
		return nil
	})
}

// MemberView is a care-team member with their name and what the person
// shares with them.
type MemberView struct {
	Member
	StaffName string
	Grants    map[access.Area]access.Level
}

// Team returns the person's care team with names and grants, for their
// sharing page.
func (s *Service) Team(ctx context.Context, actor tend.Actor, personID tend.ID) ([]MemberView, error) {
	if err := s.checker.Check(ctx, actor, access.SharingManage, personID); err != nil {
		return nil, err
	}
	return s.team(ctx, personID)
}

func (s *Service) team(ctx context.Context, personID tend.ID) ([]MemberView, error) {
	members, err := s.store.FindCareTeamMembers(ctx, personID)
	if err != nil {
		return nil, err
	}
	grants, err := s.store.FindGrants(ctx, personID)
	if err != nil {
		return nil, err
	}
	ids := make([]tend.ID, 0, len(members))
	for _, m := range members {
		ids = append(ids, m.StaffID)
	}
	names, err := s.store.FindStaffNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]MemberView, len(members))
	for i, m := range members {
		out[i] = MemberView{Member: m, StaffName: names[m.StaffID], Grants: map[access.Area]access.Level{}}
		for _, g := range grants {
			if g.MemberID == m.ID {
				out[i].Grants[g.Area] = g.Level
			}
		}
	}
	return out, nil
}

// Profile is a person's basic record as staff see it.
type Profile struct {
	PersonID tend.ID
	Username string
	State    tend.PersonState
	TeamName string
	// ErasedAt is set when the person erased their account (internal/rights):
	// their content is gone and Username reads "Erased person".
	ErasedAt *time.Time
}

// PersonView is what a staff member sees on a person's page: the basic
// record, the care team, and what the person shares with this viewer.
type PersonView struct {
	Profile
	Team       []MemberView
	SharedWith map[access.Area]access.Level // with the viewer, over all their memberships
}

// Person returns the person's page for a staff member (access.ProfileRead),
// and audits the read. Anyone without a relationship to the person gets
// ENOTFOUND, as if the person did not exist.
func (s *Service) Person(ctx context.Context, actor tend.Actor, personID tend.ID) (PersonView, error) {
	if err := s.checker.Check(ctx, actor, access.ProfileRead, personID); err != nil {
		return PersonView{}, err
	}
	p, err := s.store.FindPersonProfile(ctx, personID)
	if err != nil {
		return PersonView{}, err
	}
	v := PersonView{Profile: p, SharedWith: map[access.Area]access.Level{}}
	if err := s.checker.Check(ctx, actor, access.CareTeamRead, personID); err == nil {
		if v.Team, err = s.team(ctx, personID); err != nil {
			return PersonView{}, err
		}
		for _, m := range v.Team {
			if m.StaffID != actor.ID || m.State != access.MemberActive {
				continue
			}
			for a, l := range m.Grants {
				if l == access.LevelEdit || v.SharedWith[a] == "" {
					v.SharedWith[a] = l
				}
			}
		}
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
			Action: string(access.ProfileRead), PersonID: personID, Target: "person:" + string(personID)})
	})
	return v, err
}
