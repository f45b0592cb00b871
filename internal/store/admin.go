package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
)

// This file holds what the admin pages read and change beyond the auth and
// careteam contracts: the staff list, teams, disabling staff, and people by
// username and team for care-team management (no clinical data).

var (
	_ auth.AdminTx         = (*Tx)(nil)
	_ auth.AdminStore      = Adapter[auth.Tx]{}
	_ careteam.PeopleStore = Adapter[careteam.Tx]{}
)

// FindStaffSummaries lists every staff account with its teams, ordered by
// name.
func (db *DB) FindStaffSummaries(ctx context.Context) ([]auth.StaffSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, email, name, role, mfa_enrolled_at, disabled_at FROM staff ORDER BY name, email`)
	if err != nil {
		return nil, fmt.Errorf("store: find staff: %w", err)
	}
	defer rows.Close()
	var out []auth.StaffSummary
	index := map[tend.ID]int{}
	for rows.Next() {
		var s auth.StaffSummary
		var mfa, disabled sql.NullTime
		if err := rows.Scan((*string)(&s.ID), &s.Email, &s.Name, (*string)(&s.Role), &mfa, &disabled); err != nil {
			return nil, fmt.Errorf("store: read staff: %w", err)
		}
		s.MFAEnrolled, s.Disabled = mfa.Valid, disabled.Valid
		index[s.ID] = len(out)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	trows, err := db.read.QueryContext(ctx, `SELECT st.staff_id, t.name FROM staff_teams st JOIN teams t ON t.id = st.team_id ORDER BY t.name`)
	if err != nil {
		return nil, fmt.Errorf("store: find staff teams: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var id, name string
		if err := trows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if i, ok := index[tend.ID(id)]; ok {
			out[i].Teams = append(out[i].Teams, name)
		}
	}
	return out, trows.Err()
}

// FindTeams lists every team, ordered by name.
func (db *DB) FindTeams(ctx context.Context) ([]auth.Team, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, kind, created_at FROM teams ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: find teams: %w", err)
	}
	defer rows.Close()
	var out []auth.Team
	for rows.Next() {
		var t auth.Team
		if err := rows.Scan((*string)(&t.ID), &t.Name, &t.Kind, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: read team: %w", err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// CreateTeam inserts t; ECONFLICT when its name is taken.
func (tx *Tx) CreateTeam(ctx context.Context, t *auth.Team) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO teams (id, name, kind, created_at) VALUES ($1, $2, $3, $4)`,
		string(t.ID), t.Name, t.Kind, t.CreatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "There is already a team named %q.", t.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create team: %w", err)
	}
	return nil
}

// CountActivePeopleForStaff counts, inside the unit of work, the people
// whose care team staffID is still on (active or follow-up).
func (tx *Tx) CountActivePeopleForStaff(ctx context.Context, staffID tend.ID) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT person_id) FROM care_team_members WHERE staff_id = $1 AND state IN ('active', 'follow_up')`,
		string(staffID)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count people for staff: %w", err)
	}
	return n, nil
}

// UpdateStaffDisabled marks a staff account disabled; ENOTFOUND when missing.
func (tx *Tx) UpdateStaffDisabled(ctx context.Context, staffID tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE staff SET disabled_at = $2 WHERE id = $1`, string(staffID), at.UTC())
	if err != nil {
		return fmt.Errorf("store: disable staff: %w", err)
	}
	return oneRow(res)
}

// FindPeopleSummaries lists every person's id, username and team name,
// ordered by username.
func (db *DB) FindPeopleSummaries(ctx context.Context) ([]careteam.PersonSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.id, p.username, t.name FROM people p JOIN teams t ON t.id = p.team_id ORDER BY p.username, p.id`)
	if err != nil {
		return nil, fmt.Errorf("store: find people: %w", err)
	}
	defer rows.Close()
	var out []careteam.PersonSummary
	for rows.Next() {
		var p careteam.PersonSummary
		if err := rows.Scan((*string)(&p.PersonID), &p.Username, &p.TeamName); err != nil {
			return nil, fmt.Errorf("store: read person: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
