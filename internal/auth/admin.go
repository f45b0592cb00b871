package auth

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
)

// Administration of staff and teams for the admin pages. Admins see staff,
// teams and invites here; nothing about any person's care.

// StaffSummary is one staff member as the admin pages list them: no hashes,
// no secrets.
type StaffSummary struct {
	ID          tend.ID
	Email       string
	Name        string
	Role        tend.Role
	Teams       []string // team names, sorted
	MFAEnrolled bool
	Disabled    bool
}

// Team kinds: a care team, or the duty (intake) team that follow-up tasks
// route to after discharge (DESIGN.md "Lifecycle").
const (
	TeamCare = "care"
	TeamDuty = "duty"
)

// Team is one of the service's teams.
type Team struct {
	ID        tend.ID
	Name      string
	Kind      string // TeamCare or TeamDuty
	CreatedAt time.Time
}

// AdminStore is what the admin methods read outside a unit of work. The
// store's *DB implements it next to Store.
type AdminStore interface {
	// FindStaffSummaries lists every staff account, disabled ones too,
	// ordered by name.
	FindStaffSummaries(ctx context.Context) ([]StaffSummary, error)
	// FindTeams lists every team, ordered by name.
	FindTeams(ctx context.Context) ([]Team, error)
}

// AdminTx is the unit of work of the admin methods; the store's *Tx
// implements it next to Tx.
type AdminTx interface {
	Tx
	// CountActivePeopleForStaff counts the people whose care team staffID
	// is still on (active or follow-up).
	CountActivePeopleForStaff(ctx context.Context, staffID tend.ID) (int, error)
	// UpdateStaffDisabled marks the account disabled at at; ENOTFOUND when
	// it does not exist.
	UpdateStaffDisabled(ctx context.Context, staffID tend.ID, at time.Time) error
	// CreateTeam inserts t; ECONFLICT when the name is taken.
	CreateTeam(ctx context.Context, t *Team) error
}

func (s *Service) adminStore() (AdminStore, error) {
	st, ok := s.store.(AdminStore)
	if !ok {
		return nil, tend.Errorf(tend.EINTERNAL, "auth: the store does not list staff and teams")
	}
	return st, nil
}

func (s *Service) inAdminTx(ctx context.Context, fn func(AdminTx) error) error {
	return s.store.InTx(ctx, func(tx Tx) error {
		atx, ok := tx.(AdminTx)
		if !ok {
			return tend.Errorf(tend.EINTERNAL, "auth: the unit of work cannot change staff and teams")
		}
		return fn(atx)
	})
}

// ListStaff lists every staff account for the admin pages (admins only,
// second factor passed).
func (s *Service) ListStaff(ctx context.Context, actor tend.Actor) ([]StaffSummary, error) {
	if !isAdmin(actor) {
		return nil, tend.ErrForbidden
	}
	st, err := s.adminStore()
	if err != nil {
		return nil, err
	}
	return st.FindStaffSummaries(ctx)
}

// DisableStaff disables a staff account and signs it out everywhere. It is
// refused (ECONFLICT) while the staff member is still on anyone's care team,
// active or in follow-up: their people are reassigned first (DESIGN.md
// "Lifecycle"). Admins cannot disable themselves. Admins and the command
// line only; ENOTFOUND for an unknown account.
func (s *Service) DisableStaff(ctx context.Context, actor tend.Actor, staffID tend.ID) error {
	if !isAdmin(actor) {
		return tend.ErrForbidden
	}
	if staffID == actor.ID {
		return tend.Errorf(tend.EINVALID, "You cannot disable your own account. Ask another admin.")
	}
	return s.inAdminTx(ctx, func(tx AdminTx) error {
		a, err := tx.FindStaffAccountByID(ctx, staffID)
		if err != nil {
			return err
		}
		if a.DisabledAt != nil {
			return tend.Errorf(tend.ECONFLICT, "%s is already disabled.", a.Name)
		}
		n, err := tx.CountActivePeopleForStaff(ctx, staffID)
		if err != nil {
			return err
		}
		if n > 0 {
			people := "people"
			if n == 1 {
				people = "person"
			}
			return tend.Errorf(tend.ECONFLICT, "%s is still on the care team of %d %s. Reassign them on the care teams page first, then disable the account.", a.Name, n, people)
		}
		if err := tx.UpdateStaffDisabled(ctx, staffID, tx.Now().UTC()); err != nil {
			return err
		}
		if _, err := revokeAll(ctx, tx, actor, tend.KindStaff, staffID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.staff_disabled", "", target("staff", staffID), tend.OutcomeOK))
	})
}

// ListTeams lists the service's teams (admins only).
func (s *Service) ListTeams(ctx context.Context, actor tend.Actor) ([]Team, error) {
	if !isAdmin(actor) {
		return nil, tend.ErrForbidden
	}
	st, err := s.adminStore()
	if err != nil {
		return nil, err
	}
	return st.FindTeams(ctx)
}

// CreateTeam adds a team of kind care or duty (admins only). A taken name
// is ECONFLICT.
func (s *Service) CreateTeam(ctx context.Context, actor tend.Actor, name, kind string) (Team, error) {
	if !isAdmin(actor) {
		return Team{}, tend.ErrForbidden
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return Team{}, tend.Errorf(tend.EINVALID, "Enter the team's name (at most 100 characters).")
	}
	if kind != TeamCare && kind != TeamDuty {
		return Team{}, tend.Errorf(tend.EINVALID, "A team is a care team or a duty team.")
	}
	t := Team{ID: tend.NewID(), Name: name, Kind: kind}
	err := s.inAdminTx(ctx, func(tx AdminTx) error {
		t.CreatedAt = tx.Now().UTC()
		if err := tx.CreateTeam(ctx, &t); err != nil {
			if isKind(err, tend.ECONFLICT) {
				return tend.Errorf(tend.ECONFLICT, "There is already a team named %q.", name)
			}
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "team.created", "", target("team", t.ID), tend.OutcomeOK))
	})
	if err != nil {
		return Team{}, err
	}
	return t, nil
}
