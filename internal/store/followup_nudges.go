package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// Reminders of unacknowledged follow-up tasks (followup.Nudger): one row per
// task and level, unique, so each is created once on any number of nodes.

var _ followup.NudgeTx = (*Tx)(nil)

// FindNudgeCandidates returns the open tasks that do not have both
// reminder levels yet, oldest first, with the levels they have.
func (db *DB) FindNudgeCandidates(ctx context.Context) ([]followup.NudgeCandidate, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.opened_at, n.level FROM followup_tasks t
		LEFT JOIN followup_nudges n ON n.task_id = t.id
		WHERE t.state = 'open' AND (SELECT COUNT(*) FROM followup_nudges x WHERE x.task_id = t.id) < 2
		ORDER BY t.opened_at, t.id`)
	if err != nil {
		return nil, fmt.Errorf("store: nudge candidates: %w", err)
	}
	defer rows.Close()
	var out []followup.NudgeCandidate
	for rows.Next() {
		var c followup.NudgeCandidate
		var id string
		var level sql.NullString
		if err := rows.Scan(&id, &c.OpenedAt, &level); err != nil {
			return nil, fmt.Errorf("store: nudge candidates: %w", err)
		}
		c.TaskID = tend.ID(id)
		if n := len(out); n > 0 && out[n-1].TaskID == c.TaskID {
			if level.Valid {
				out[n-1].Levels = append(out[n-1].Levels, followup.NudgeLevel(level.String))
			}
			continue
		}
		if level.Valid {
			c.Levels = []followup.NudgeLevel{followup.NudgeLevel(level.String)}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindTaskLeads returns the active leads of the task's duty team when it is
// routed there, else of the person's team.
func (tx *Tx) FindTaskLeads(ctx context.Context, t followup.Task) ([]tend.ID, error) {
	team := string(t.DutyTeamID)
	if t.Route != followup.RouteDuty || team == "" {
		err := tx.tx.QueryRowContext(ctx, `SELECT team_id FROM people WHERE id = $1`, string(t.PersonID)).Scan(&team)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, tend.ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("store: task leads: team: %w", err)
		}
	}
	return queryIDs(ctx, tx.tx, "task leads", `SELECT s.id FROM staff_teams st JOIN staff s ON s.id = st.staff_id
		WHERE st.team_id = $1 AND s.role = 'lead' AND s.disabled_at IS NULL ORDER BY s.id`, team)
}

// CreateNudge adds n and reports whether it was new (once per task and
// level: a concurrent insert of the same waits for the first and adds
// nothing).
func (tx *Tx) CreateNudge(ctx context.Context, n followup.Nudge) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO followup_nudges (id, task_id, level, due_at, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (task_id, level) DO NOTHING`,
		string(n.ID), string(n.TaskID), string(n.Level), n.DueAt.UTC(), n.CreatedAt.UTC())
	if err != nil {
		return false, fmt.Errorf("store: create nudge: %w", err)
	}
	c, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: create nudge: %w", err)
	}
	return c == 1, nil
}

// FindNudgeByID returns ENOTFOUND for an unknown reminder.
func (tx *Tx) FindNudgeByID(ctx context.Context, id tend.ID) (followup.Nudge, error) {
	var n followup.Nudge
	var nid, task, level string
	var alerted, sent, cancelled sql.NullTime
	err := tx.tx.QueryRowContext(ctx, `SELECT id, task_id, level, due_at, created_at, alerted_at, sent_at, cancelled_at, recipients
		FROM followup_nudges WHERE id = $1`, string(id)).
		Scan(&nid, &task, &level, &n.DueAt, &n.CreatedAt, &alerted, &sent, &cancelled, &n.Recipients)
	if errors.Is(err, sql.ErrNoRows) {
		return n, tend.ErrNotFound
	}
	if err != nil {
		return n, fmt.Errorf("store: find nudge: %w", err)
	}
	n.ID, n.TaskID, n.Level = tend.ID(nid), tend.ID(task), followup.NudgeLevel(level)
	n.AlertedAt, n.SentAt, n.CancelledAt = nullTime(alerted), nullTime(sent), nullTime(cancelled)
	return n, nil
}

// UpdateNudge returns ENOTFOUND for an unknown reminder.
func (tx *Tx) UpdateNudge(ctx context.Context, id tend.ID, u followup.NudgeUpdate) error {
	var alerted, sent, cancelled any
	if u.AlertedAt != nil {
		alerted = u.AlertedAt.UTC()
	}
	if u.SentAt != nil {
		sent = u.SentAt.UTC()
	}
	if u.CancelledAt != nil {
		cancelled = u.CancelledAt.UTC()
	}
	var recipients any
	if u.Recipients != nil {
		recipients = *u.Recipients
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE followup_nudges SET
		alerted_at = COALESCE($1, alerted_at), sent_at = COALESCE($2, sent_at),
		cancelled_at = COALESCE($3, cancelled_at), recipients = COALESCE($4, recipients)
		WHERE id = $5`, alerted, sent, cancelled, recipients, string(id))
	if err != nil {
		return fmt.Errorf("store: update nudge: %w", err)
	}
	if c, err := res.RowsAffected(); err == nil && c == 0 {
		return tend.ErrNotFound
	}
	return nil
}

// FindTeamsWithoutLead returns the names of the teams without an active
// lead, by name.
func (tx *Tx) FindTeamsWithoutLead(ctx context.Context) ([]string, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT t.name FROM teams t WHERE NOT EXISTS (
		SELECT 1 FROM staff_teams st JOIN staff s ON s.id = st.staff_id
		WHERE st.team_id = t.id AND s.role = 'lead' AND s.disabled_at IS NULL) ORDER BY t.name`)
	if err != nil {
		return nil, fmt.Errorf("store: teams without lead: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
