package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// Follow-up tasks (followup): tasks, their entries, and the first-use
// notice each person must have seen before a task can be raised.

var _ followup.Tx = (*Tx)(nil)

const taskColumns = `t.id, t.person_id, (SELECT username FROM people p WHERE p.id = t.person_id), t.state, t.route, t.duty_team_id, t.opened_at, t.acknowledged_at, t.acknowledged_by, t.resolved_at, t.resolved_by, t.resolution_note`

func scanTask(s interface{ Scan(...any) error }) (followup.Task, error) {
	var t followup.Task
	var id, person, state, route string
	var duty, ackBy, resBy sql.NullString
	var ackAt, resAt sql.NullTime
	if err := s.Scan(&id, &person, &t.Username, &state, &route, &duty, &t.OpenedAt, &ackAt, &ackBy, &resAt, &resBy, &t.ResolutionNote); err != nil {
		return t, err
	}
	t.ID, t.PersonID, t.State, t.Route = tend.ID(id), tend.ID(person), followup.State(state), followup.RouteKind(route)
	t.DutyTeamID, t.AcknowledgedBy, t.ResolvedBy = tend.ID(duty.String), tend.ID(ackBy.String), tend.ID(resBy.String)
	t.OpenedAt = t.OpenedAt.UTC()
	if ackAt.Valid {
		a := ackAt.Time.UTC()
		t.AcknowledgedAt = &a
	}
	if resAt.Valid {
		r := resAt.Time.UTC()
		t.ResolvedAt = &r
	}
	return t, nil
}

func taskEntries(ctx context.Context, q querier, taskIDs ...tend.ID) (map[tend.ID][]followup.Entry, error) {
	out := map[tend.ID][]followup.Entry{}
	if len(taskIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(taskIDs))
	marks := make([]string, len(taskIDs))
	for i, id := range taskIDs {
		args[i], marks[i] = string(id), "$"+strconv.Itoa(i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, task_id, person_id, kind, source_id, recorded_at, received_at, contact FROM followup_entries
		WHERE task_id IN (`+strings.Join(marks, ", ")+`) ORDER BY received_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: task entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e followup.Entry
		var id, task, person, kind, source string
		var contact sql.NullString
		if err := rows.Scan(&id, &task, &person, &kind, &source, &e.RecordedAt, &e.ReceivedAt, &contact); err != nil {
			return nil, err
		}
		e.ID, e.TaskID, e.PersonID, e.Kind, e.SourceID = tend.ID(id), tend.ID(task), tend.ID(person), followup.Kind(kind), tend.ID(source)
		e.RecordedAt, e.ReceivedAt, e.Contact = e.RecordedAt.UTC(), e.ReceivedAt.UTC(), followup.ContactMethod(contact.String)
		out[e.TaskID] = append(out[e.TaskID], e)
	}
	return out, rows.Err()
}

func findTasks(ctx context.Context, q querier, query string, args ...any) ([]followup.Task, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find tasks: %w", err)
	}
	defer rows.Close()
	var out []followup.Task
	var ids []tend.ID
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		ids = append(ids, t.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	entries, err := taskEntries(ctx, q, ids...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Entries = entries[out[i].ID]
	}
	return out, nil
}

// FindTasksForStaff returns the tasks not yet resolved that reach staffID:
// routed to the care team where staffID holds an active membership in one
// of roles, or routed to a duty team staffID is on. Oldest first.
func (db *DB) FindTasksForStaff(ctx context.Context, staffID tend.ID, roles []tend.CareRole) ([]followup.Task, error) {
	if _, err := activeStaffRole(ctx, db.read, staffID); err != nil {
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	cond, args := recipientCondition(staffID, roles)
	return findTasks(ctx, db.read, `SELECT `+taskColumns+` FROM followup_tasks t WHERE t.state <> 'resolved' AND `+cond+` ORDER BY t.opened_at, t.id`, args...)
}

// recipientCondition is the SQL condition "task t reaches staffID", with its
// arguments ($1 is staffID).
func recipientCondition(staffID tend.ID, roles []tend.CareRole) (string, []any) {
	args := []any{string(staffID)}
	marks := make([]string, 0, len(roles))
	for _, r := range roles {
		args = append(args, string(r))
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	roleIn := "NULL"
	if len(marks) > 0 {
		roleIn = strings.Join(marks, ", ")
	}
	return `((t.route = 'duty' AND t.duty_team_id IN (SELECT team_id FROM staff_teams WHERE staff_id = $1))
		OR (t.route = 'care_team' AND EXISTS (SELECT 1 FROM care_team_members m WHERE m.person_id = t.person_id
			AND m.staff_id = $1 AND m.state = 'active' AND m.care_role IN (` + roleIn + `))))`, args
}

// IsTaskRecipient reports whether task t reaches staffID now.
func (tx *Tx) IsTaskRecipient(ctx context.Context, t followup.Task, staffID tend.ID, roles []tend.CareRole) (bool, error) {
	cond, args := recipientCondition(staffID, roles)
	args = append(args, string(t.ID))
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM followup_tasks t WHERE t.id = $`+strconv.Itoa(len(args))+` AND `+cond, args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: task recipient: %w", err)
	}
	return n > 0, nil
}

// FindPersonRouting returns the person's state and country and their active
// care-team members whose staff accounts are active; ENOTFOUND for an
// unknown person.
func (tx *Tx) FindPersonRouting(ctx context.Context, personID tend.ID) (followup.PersonRouting, error) {
	var pr followup.PersonRouting
	var state string
	err := tx.tx.QueryRowContext(ctx, `SELECT state, country FROM people WHERE id = $1`, string(personID)).Scan(&state, &pr.Country)
	if errors.Is(err, sql.ErrNoRows) {
		return pr, tend.ErrNotFound
	}
	if err != nil {
		return pr, fmt.Errorf("store: person routing: %w", err)
	}
	pr.State = tend.PersonState(state)
	rows, err := tx.tx.QueryContext(ctx, `SELECT m.staff_id, m.care_role FROM care_team_members m JOIN staff s ON s.id = m.staff_id
		WHERE m.person_id = $1 AND m.state = 'active' AND s.disabled_at IS NULL ORDER BY m.started_at, m.id`, string(personID))
	if err != nil {
		return pr, fmt.Errorf("store: person routing: members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var staffID, role string
		if err := rows.Scan(&staffID, &role); err != nil {
			return pr, err
		}
		pr.Members = append(pr.Members, followup.RouteMember{StaffID: tend.ID(staffID), Role: tend.CareRole(role)})
	}
	return pr, rows.Err()
}

// FindTeamActiveStaff returns the staff of teamID whose accounts are active.
func (tx *Tx) FindTeamActiveStaff(ctx context.Context, teamID tend.ID) ([]tend.ID, error) {
	return queryIDs(ctx, tx.tx, "team staff", `SELECT s.id FROM staff_teams st JOIN staff s ON s.id = st.staff_id
		WHERE st.team_id = $1 AND s.disabled_at IS NULL AND s.role <> 'admin' ORDER BY s.id`, string(teamID))
}

// FindOpenTask returns the person's task that is not resolved, or ENOTFOUND.
func (tx *Tx) FindOpenTask(ctx context.Context, personID tend.ID) (followup.Task, error) {
	tasks, err := findTasks(ctx, tx.tx, `SELECT `+taskColumns+` FROM followup_tasks t WHERE t.person_id = $1 AND t.state <> 'resolved'`, string(personID))
	if err != nil {
		return followup.Task{}, err
	}
	if len(tasks) == 0 {
		return followup.Task{}, tend.ErrNotFound
	}
	return tasks[0], nil
}

// FindTaskByID returns a task with its entries, or ENOTFOUND.
func (tx *Tx) FindTaskByID(ctx context.Context, id tend.ID) (followup.Task, error) {
	tasks, err := findTasks(ctx, tx.tx, `SELECT `+taskColumns+` FROM followup_tasks t WHERE t.id = $1`, string(id))
	if err != nil {
		return followup.Task{}, err
	}
	if len(tasks) == 0 {
		return followup.Task{}, tend.ErrNotFound
	}
	return tasks[0], nil
}

// CreateTask adds t; ECONFLICT when the person already has an open task.
func (tx *Tx) CreateTask(ctx context.Context, t followup.Task) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO followup_tasks (id, person_id, state, route, duty_team_id, opened_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(t.ID), string(t.PersonID), string(t.State), string(t.Route), optID(t.DutyTeamID), t.OpenedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "A task is already open.")
	}
	if err != nil {
		return fmt.Errorf("store: create task: %w", err)
	}
	return nil
}

// FindTaskEntryTask returns the task holding the entry the source raised
// for the person and kind, or ENOTFOUND.
func (tx *Tx) FindTaskEntryTask(ctx context.Context, personID tend.ID, kind followup.Kind, sourceID tend.ID) (tend.ID, error) {
	var id string
	err := tx.tx.QueryRowContext(ctx, `SELECT task_id FROM followup_entries WHERE person_id = $1 AND kind = $2 AND source_id = $3`,
		string(personID), string(kind), string(sourceID)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find task entry: %w", err)
	}
	return tend.ID(id), nil
}

// CreateTaskEntry adds e and reports whether it was new.
func (tx *Tx) CreateTaskEntry(ctx context.Context, e followup.Entry) (bool, error) {
	var contact sql.NullString
	if e.Contact != "" {
		contact = sql.NullString{String: string(e.Contact), Valid: true}
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO followup_entries (id, task_id, person_id, kind, source_id, recorded_at, received_at, contact)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (person_id, kind, source_id) DO NOTHING`,
		string(e.ID), string(e.TaskID), string(e.PersonID), string(e.Kind), string(e.SourceID), e.RecordedAt.UTC(), e.ReceivedAt.UTC(), contact)
	if err != nil {
		return false, fmt.Errorf("store: create task entry: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: create task entry: %w", err)
	}
	return n > 0, nil
}

// UpdateTask changes a task; ENOTFOUND when there is no such task.
func (tx *Tx) UpdateTask(ctx context.Context, id tend.ID, u followup.TaskUpdate) error {
	var sets []string
	var args []any
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	if u.State != nil {
		set("state", string(*u.State))
	}
	if u.Route != nil {
		set("route", string(*u.Route))
	}
	if u.DutyTeamID != nil {
		set("duty_team_id", optID(*u.DutyTeamID))
	}
	if u.AcknowledgedAt != nil {
		set("acknowledged_at", u.AcknowledgedAt.UTC())
	}
	if u.AcknowledgedBy != nil {
		set("acknowledged_by", optID(*u.AcknowledgedBy))
	}
	if u.ResolvedAt != nil {
		set("resolved_at", u.ResolvedAt.UTC())
	}
	if u.ResolvedBy != nil {
		set("resolved_by", optID(*u.ResolvedBy))
	}
	if u.ResolutionNote != nil {
		set("resolution_note", u.ResolutionNote)
	}
	if len(sets) == 0 {
		return nil
	}
	args = append(args, string(id))
	res, err := tx.tx.ExecContext(ctx, `UPDATE followup_tasks SET `+strings.Join(sets, ", ")+` WHERE id = $`+strconv.Itoa(len(args)), args...) // #nosec G202 -- fixed column names and placeholders; values go in args.
	if err != nil {
		return fmt.Errorf("store: update task: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return tend.ErrNotFound
	}
	return nil
}

// FindContactNoticeSeen reports whether the person saw the first-use notice.
func (tx *Tx) FindContactNoticeSeen(ctx context.Context, personID tend.ID) (bool, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM followup_notices WHERE person_id = $1`, string(personID)).Scan(&n); err != nil {
		return false, fmt.Errorf("store: contact notice: %w", err)
	}
	return n > 0, nil
}

// PutContactNoticeSeen records that the person saw the first-use notice.
func (tx *Tx) PutContactNoticeSeen(ctx context.Context, personID tend.ID) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO followup_notices (person_id, seen_at) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING`,
		string(personID), tx.now); err != nil {
		return fmt.Errorf("store: put contact notice: %w", err)
	}
	return nil
}

// FindIdempotencyKeyTx returns the outcome recorded for key in scope inside
// the unit of work, or ENOTFOUND, so a retry is recognised before anything
// is written (a failed insert would abort a PostgreSQL transaction).
func (tx *Tx) FindIdempotencyKeyTx(ctx context.Context, scope, key string) (string, error) {
	var outcome string
	err := tx.tx.QueryRowContext(ctx, `SELECT outcome FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > $3`,
		scope, key, tx.now).Scan(&outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find idempotency key: %w", err)
	}
	return outcome, nil
}

// dutyTaskOpen reports whether staffID is on the duty team an open task of
// personID is routed to.
func dutyTaskOpen(ctx context.Context, q querier, personID, staffID tend.ID) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM followup_tasks t JOIN staff_teams st ON st.team_id = t.duty_team_id
		WHERE t.person_id = $1 AND t.route = 'duty' AND t.state <> 'resolved' AND st.staff_id = $2`, string(personID), string(staffID)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: duty task: %w", err)
	}
	return n > 0, nil
}

func optID(id tend.ID) sql.NullString {
	if id == "" {
		return sql.NullString{}
	}
	return sql.NullString{String: string(id), Valid: true}
}

// FindUnreachedTasks returns the tasks not yet resolved that reach nobody
// now: routed nowhere; to the care team without an active member in roles
// whose account is active; or to a duty team without active staff.
func (db *DB) FindUnreachedTasks(ctx context.Context, roles []tend.CareRole) ([]followup.Task, error) {
	var args []any
	marks := make([]string, 0, len(roles))
	for _, r := range roles {
		args = append(args, string(r))
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	roleIn := "NULL"
	if len(marks) > 0 {
		roleIn = strings.Join(marks, ", ")
	}
	return findTasks(ctx, db.read, `SELECT `+taskColumns+` FROM followup_tasks t WHERE t.state <> 'resolved' AND (t.route = 'none'
		OR (t.route = 'care_team' AND NOT EXISTS (SELECT 1 FROM care_team_members m JOIN staff s ON s.id = m.staff_id
			WHERE m.person_id = t.person_id AND m.state = 'active' AND s.disabled_at IS NULL AND m.care_role IN (`+roleIn+`)))
		OR (t.route = 'duty' AND NOT EXISTS (SELECT 1 FROM staff_teams st JOIN staff s ON s.id = st.staff_id
			WHERE st.team_id = t.duty_team_id AND s.disabled_at IS NULL AND s.role <> 'admin')))
		ORDER BY t.opened_at, t.id`, args...)
}

// CountUnseenAlerts counts staffID's alerts not yet seen, for tasks not yet
// resolved.
func (db *DB) CountUnseenAlerts(ctx context.Context, staffID tend.ID) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff_alerts a JOIN followup_tasks t ON t.id = a.task_id
		WHERE a.staff_id = $1 AND a.seen_at IS NULL AND t.state <> 'resolved'`, string(staffID)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count alerts: %w", err)
	}
	return n, nil
}

// CreateStaffAlerts gives each staff member an alert for the task, once.
func (tx *Tx) CreateStaffAlerts(ctx context.Context, taskID tend.ID, staffIDs []tend.ID, at time.Time) error {
	for _, id := range staffIDs {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO staff_alerts (id, staff_id, task_id, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (staff_id, task_id) DO UPDATE SET seen_at = NULL, created_at = excluded.created_at`,
			string(tend.NewID()), string(id), string(taskID), at.UTC()); err != nil {
			return fmt.Errorf("store: create alert: %w", err)
		}
	}
	return nil
}

// UpdateAlertsSeen marks all of staffID's alerts seen.
func (tx *Tx) UpdateAlertsSeen(ctx context.Context, staffID tend.ID, at time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE staff_alerts SET seen_at = $1 WHERE staff_id = $2 AND seen_at IS NULL`, at.UTC(), string(staffID)); err != nil {
		return fmt.Errorf("store: alerts seen: %w", err)
	}
	return nil
}

// FindPersonRules returns the clinician's trigger settings for a person,
// with the name of who set each.
func (tx *Tx) FindPersonRules(ctx context.Context, personID tend.ID) ([]followup.PersonRule, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT r.kind, r.response, r.set_by, s.name, r.set_at FROM followup_person_rules r JOIN staff s ON s.id = r.set_by
		WHERE r.person_id = $1 ORDER BY r.kind`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: person rules: %w", err)
	}
	defer rows.Close()
	var out []followup.PersonRule
	for rows.Next() {
		r := followup.PersonRule{PersonID: personID}
		var kind, resp, by string
		if err := rows.Scan(&kind, &resp, &by, &r.SetByName, &r.SetAt); err != nil {
			return nil, err
		}
		r.Kind, r.Response, r.SetBy, r.SetAt = followup.Kind(kind), followup.Response(resp), tend.ID(by), r.SetAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutPersonRule sets a person's rule for one kind.
func (tx *Tx) PutPersonRule(ctx context.Context, r followup.PersonRule) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO followup_person_rules (person_id, kind, response, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (person_id, kind) DO UPDATE SET response = excluded.response, set_by = excluded.set_by, set_at = excluded.set_at`,
		string(r.PersonID), string(r.Kind), string(r.Response), string(r.SetBy), r.SetAt.UTC()); err != nil {
		return fmt.Errorf("store: put person rule: %w", err)
	}
	return nil
}

// DeletePersonRule returns a kind to the service's setting for a person.
func (tx *Tx) DeletePersonRule(ctx context.Context, personID tend.ID, kind followup.Kind) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM followup_person_rules WHERE person_id = $1 AND kind = $2`, string(personID), string(kind)); err != nil {
		return fmt.Errorf("store: delete person rule: %w", err)
	}
	return nil
}

// CreateFlag adds f and reports whether it was new.
func (tx *Tx) CreateFlag(ctx context.Context, f followup.Flag) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO followup_flags (id, person_id, kind, source_id, recorded_at, received_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id, kind, source_id) DO NOTHING`,
		string(f.ID), string(f.PersonID), string(f.Kind), string(f.SourceID), f.RecordedAt.UTC(), f.ReceivedAt.UTC())
	if err != nil {
		return false, fmt.Errorf("store: create flag: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: create flag: %w", err)
	}
	return n > 0, nil
}

// UpdateFlagDiscussed marks a flag discussed; ENOTFOUND for an unknown flag
// or one already discussed.
func (tx *Tx) UpdateFlagDiscussed(ctx context.Context, personID, flagID, by tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE followup_flags SET discussed_at = $1, discussed_by = $2 WHERE id = $3 AND person_id = $4 AND discussed_at IS NULL`,
		at.UTC(), string(by), string(flagID), string(personID))
	if err != nil {
		return fmt.Errorf("store: flag discussed: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return tend.ErrNotFound
	}
	return nil
}

// FindOpenFlags returns the person's flags not yet discussed, oldest first.
func (db *DB) FindOpenFlags(ctx context.Context, personID tend.ID) ([]followup.Flag, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, source_id, recorded_at, received_at FROM followup_flags
		WHERE person_id = $1 AND discussed_at IS NULL ORDER BY received_at, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: open flags: %w", err)
	}
	defer rows.Close()
	var out []followup.Flag
	for rows.Next() {
		f := followup.Flag{PersonID: personID}
		var id, kind, src string
		if err := rows.Scan(&id, &kind, &src, &f.RecordedAt, &f.ReceivedAt); err != nil {
			return nil, err
		}
		f.ID, f.Kind, f.SourceID, f.RecordedAt, f.ReceivedAt = tend.ID(id), followup.Kind(kind), tend.ID(src), f.RecordedAt.UTC(), f.ReceivedAt.UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// FindTeamTasks returns the tasks not yet resolved of the people in the
// teams staffID belongs to, oldest first.
func (db *DB) FindTeamTasks(ctx context.Context, staffID tend.ID) ([]followup.Task, error) {
	return findTasks(ctx, db.read, `SELECT `+taskColumns+` FROM followup_tasks t JOIN people p ON p.id = t.person_id
		WHERE t.state <> 'resolved' AND p.team_id IN (SELECT team_id FROM staff_teams WHERE staff_id = $1)
		ORDER BY t.opened_at, t.id`, string(staffID))
}
