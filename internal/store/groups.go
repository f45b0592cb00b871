package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/groups"
)

const groupColumns = `id, name, kind, schedule, facilitator_id, created_at`

func scanGroup(s interface{ Scan(...any) error }) (groups.Group, error) {
	var g groups.Group
	var id, by string
	if err := s.Scan(&id, &g.Name, &g.Kind, &g.Schedule, &by, &g.CreatedAt); err != nil {
		return g, err
	}
	g.ID, g.FacilitatorID, g.CreatedAt = tend.ID(id), tend.ID(by), g.CreatedAt.UTC()
	return g, nil
}

// FindGroupsByFacilitator returns the groups staffID runs, by name.
func (db *DB) FindGroupsByFacilitator(ctx context.Context, staffID tend.ID) ([]groups.Group, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+groupColumns+` FROM support_groups WHERE facilitator_id = $1 ORDER BY name, id`, string(staffID))
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	defer rows.Close()
	out := []groups.Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("store: groups: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	return out, nil
}

// FindGroupByID returns a group, or ENOTFOUND.
func (db *DB) FindGroupByID(ctx context.Context, id tend.ID) (groups.Group, error) {
	return findGroup(db.read.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM support_groups WHERE id = $1`, string(id)))
}

// FindGroupByIDTx returns a group, or ENOTFOUND.
func (tx *Tx) FindGroupByIDTx(ctx context.Context, id tend.ID) (groups.Group, error) {
	return findGroup(tx.tx.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM support_groups WHERE id = $1`, string(id)))
}

func findGroup(row *sql.Row) (groups.Group, error) {
	g, err := scanGroup(row)
	if errors.Is(err, sql.ErrNoRows) {
		return g, tend.ErrNotFound
	}
	if err != nil {
		return g, fmt.Errorf("store: group: %w", err)
	}
	return g, nil
}

func (db *DB) members(ctx context.Context, what, query string, arg tend.ID) ([]groups.Member, error) {
	rows, err := db.read.QueryContext(ctx, query, string(arg))
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	out := []groups.Member{}
	for rows.Next() {
		var id string
		var m groups.Member
		if err := rows.Scan(&id, &m.Username); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		m.PersonID = tend.ID(id)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// FindGroupMembers returns a group's members, by username.
func (db *DB) FindGroupMembers(ctx context.Context, groupID tend.ID) ([]groups.Member, error) {
	return db.members(ctx, "group members", `SELECT p.id, p.username FROM group_members gm JOIN people p ON p.id = gm.person_id
		WHERE gm.group_id = $1 ORDER BY p.username`, groupID)
}

// FindFacilitatedPeople returns the people staffID is an active group
// facilitator for, by username.
func (db *DB) FindFacilitatedPeople(ctx context.Context, staffID tend.ID) ([]groups.Member, error) {
	return db.members(ctx, "facilitated people", `SELECT DISTINCT p.id, p.username FROM care_team_members c JOIN people p ON p.id = c.person_id
		WHERE c.staff_id = $1 AND c.state = 'active' AND c.care_role = 'group_facilitator' ORDER BY p.username`, staffID)
}

// FindGroupMeetings returns a group's meetings with their attendance, newest first.
func (db *DB) FindGroupMeetings(ctx context.Context, groupID tend.ID) ([]groups.Meeting, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, held_on FROM group_meetings WHERE group_id = $1 ORDER BY held_on DESC`, string(groupID))
	if err != nil {
		return nil, fmt.Errorf("store: group meetings: %w", err)
	}
	defer rows.Close()
	out := []groups.Meeting{}
	index := map[tend.ID]int{}
	for rows.Next() {
		var id string
		m := groups.Meeting{GroupID: groupID, Attendance: map[tend.ID]groups.Status{}}
		if err := rows.Scan(&id, &m.HeldOn); err != nil {
			return nil, fmt.Errorf("store: group meetings: %w", err)
		}
		m.ID = tend.ID(id)
		index[m.ID] = len(out)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: group meetings: %w", err)
	}
	arows, err := db.read.QueryContext(ctx, `SELECT a.meeting_id, a.person_id, a.status FROM group_attendance a
		JOIN group_meetings m ON m.id = a.meeting_id WHERE m.group_id = $1`, string(groupID))
	if err != nil {
		return nil, fmt.Errorf("store: group attendance: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var mid, pid, st string
		if err := arows.Scan(&mid, &pid, &st); err != nil {
			return nil, fmt.Errorf("store: group attendance: %w", err)
		}
		if i, ok := index[tend.ID(mid)]; ok {
			out[i].Attendance[tend.ID(pid)] = groups.Status(st)
		}
	}
	if err := arows.Err(); err != nil {
		return nil, fmt.Errorf("store: group attendance: %w", err)
	}
	return out, nil
}

// FindPersonGroups returns the groups the person is enrolled in, by name.
func (db *DB) FindPersonGroups(ctx context.Context, personID tend.ID) ([]groups.Enrolment, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT g.id, g.name, g.kind, g.schedule, gm.enrolled_at FROM group_members gm
		JOIN support_groups g ON g.id = gm.group_id WHERE gm.person_id = $1 ORDER BY g.name, g.id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: person groups: %w", err)
	}
	defer rows.Close()
	out := []groups.Enrolment{}
	for rows.Next() {
		var id string
		var e groups.Enrolment
		if err := rows.Scan(&id, &e.Name, &e.Kind, &e.Schedule, &e.EnrolledAt); err != nil {
			return nil, fmt.Errorf("store: person groups: %w", err)
		}
		e.GroupID, e.EnrolledAt = tend.ID(id), e.EnrolledAt.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: person groups: %w", err)
	}
	return out, nil
}

// FindPersonAttendance returns the person's attendance, newest first.
func (db *DB) FindPersonAttendance(ctx context.Context, personID tend.ID) ([]groups.Attendance, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT g.id, g.name, g.kind, m.held_on, a.status FROM group_attendance a
		JOIN group_meetings m ON m.id = a.meeting_id JOIN support_groups g ON g.id = m.group_id
		WHERE a.person_id = $1 ORDER BY m.held_on DESC, g.name`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: person attendance: %w", err)
	}
	defer rows.Close()
	out := []groups.Attendance{}
	for rows.Next() {
		var id, st string
		var a groups.Attendance
		if err := rows.Scan(&id, &a.GroupName, &a.GroupKind, &a.HeldOn, &st); err != nil {
			return nil, fmt.Errorf("store: person attendance: %w", err)
		}
		a.GroupID, a.Status = tend.ID(id), groups.Status(st)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: person attendance: %w", err)
	}
	return out, nil
}

// CreateGroup adds a group.
func (tx *Tx) CreateGroup(ctx context.Context, g groups.Group) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO support_groups (`+groupColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(g.ID), g.Name, g.Kind, g.Schedule, string(g.FacilitatorID), g.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create group: %w", err)
	}
	return nil
}

// CreateGroupMember enrols a person and reports whether they were new.
func (tx *Tx) CreateGroupMember(ctx context.Context, groupID, personID, by tend.ID, at time.Time) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO group_members (group_id, person_id, enrolled_by, enrolled_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (group_id, person_id) DO NOTHING`, string(groupID), string(personID), string(by), at.UTC())
	if err != nil {
		return false, fmt.Errorf("store: enrol: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: enrol: %w", err)
	}
	return n > 0, nil
}

// IsGroupMember reports whether the person is enrolled in the group.
func (tx *Tx) IsGroupMember(ctx context.Context, groupID, personID tend.ID) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND person_id = $2`, string(groupID), string(personID)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: group member: %w", err)
	}
	return n > 0, nil
}

// PutGroupMeeting returns the id of the group's meeting on heldOn, creating
// it with id when there is none.
func (tx *Tx) PutGroupMeeting(ctx context.Context, id, groupID tend.ID, heldOn string, by tend.ID, at time.Time) (tend.ID, error) {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO group_meetings (id, group_id, held_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (group_id, held_on) DO NOTHING`, string(id), string(groupID), heldOn, string(by), at.UTC()); err != nil {
		return "", fmt.Errorf("store: group meeting: %w", err)
	}
	var got string
	if err := tx.tx.QueryRowContext(ctx, `SELECT id FROM group_meetings WHERE group_id = $1 AND held_on = $2`, string(groupID), heldOn).Scan(&got); err != nil {
		return "", fmt.Errorf("store: group meeting: %w", err)
	}
	return tend.ID(got), nil
}

// PutGroupAttendance sets (or replaces) a person's status at a meeting.
func (tx *Tx) PutGroupAttendance(ctx context.Context, meetingID, personID tend.ID, s groups.Status, by tend.ID, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO group_attendance (meeting_id, person_id, status, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (meeting_id, person_id) DO UPDATE SET status = excluded.status, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		string(meetingID), string(personID), string(s), string(by), at.UTC())
	if err != nil {
		return fmt.Errorf("store: group attendance: %w", err)
	}
	return nil
}
