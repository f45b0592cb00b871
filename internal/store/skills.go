package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/skills"
)

// FindSkillFavourites returns the ids of the person's favourite skills,
// newest first.
func (db *DB) FindSkillFavourites(ctx context.Context, personID tend.ID) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT skill_id FROM skill_favourites WHERE person_id = $1 ORDER BY created_at DESC, skill_id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: skill favourites: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: skill favourites: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: skill favourites: %w", err)
	}
	return out, nil
}

// PutSkillFavourite marks a favourite; marking it again changes nothing.
func (tx *Tx) PutSkillFavourite(ctx context.Context, personID tend.ID, skillID string) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO skill_favourites (person_id, skill_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (person_id, skill_id) DO NOTHING`, string(personID), skillID, tx.now); err != nil {
		return fmt.Errorf("store: put skill favourite: %w", err)
	}
	return nil
}

// DeleteSkillFavourite unmarks a favourite.
func (tx *Tx) DeleteSkillFavourite(ctx context.Context, personID tend.ID, skillID string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM skill_favourites WHERE person_id = $1 AND skill_id = $2`, string(personID), skillID); err != nil {
		return fmt.Errorf("store: delete skill favourite: %w", err)
	}
	return nil
}

const homeworkColumns = `id, person_id, skill_id, worksheet, due_on, times_per_week, note, assigned_by, assigned_at, ended_at, ended_by`

func scanHomework(s interface{ Scan(...any) error }) (skills.HomeworkRecord, error) {
	var r skills.HomeworkRecord
	var id, pid, by string
	var skill, worksheet, due, endedBy sql.NullString
	var perWeek sql.NullInt64
	var ended sql.NullTime
	if err := s.Scan(&id, &pid, &skill, &worksheet, &due, &perWeek, &r.Note, &by, &r.AssignedAt, &ended, &endedBy); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.AssignedBy, r.EndedBy = tend.ID(id), tend.ID(pid), tend.ID(by), tend.ID(endedBy.String)
	r.SkillID, r.Worksheet, r.Due, r.PerWeek = skill.String, worksheet.String, due.String, int(perWeek.Int64)
	r.AssignedAt = r.AssignedAt.UTC()
	if ended.Valid {
		r.EndedAt = ended.Time.UTC()
	}
	if len(r.Note) == 0 {
		r.Note = nil
	}
	return r, nil
}

// FindHomework returns the person's homework matching f, newest first.
func (db *DB) FindHomework(ctx context.Context, f skills.HomeworkFilter) ([]skills.HomeworkRecord, error) {
	q := `SELECT ` + homeworkColumns + ` FROM homework WHERE person_id = $1`
	args := []any{string(f.PersonID)}
	if f.ID != nil {
		args = append(args, string(*f.ID))
		q += fmt.Sprintf(" AND id = $%d", len(args))
	}
	if f.Open != nil {
		if *f.Open {
			q += " AND ended_at IS NULL"
		} else {
			q += " AND ended_at IS NOT NULL"
		}
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY assigned_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: homework: %w", err)
	}
	defer rows.Close()
	out := []skills.HomeworkRecord{}
	for rows.Next() {
		r, err := scanHomework(rows)
		if err != nil {
			return nil, fmt.Errorf("store: homework: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: homework: %w", err)
	}
	return out, nil
}

// CreateHomework adds a piece of homework.
func (tx *Tx) CreateHomework(ctx context.Context, r skills.HomeworkRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO homework (id, person_id, skill_id, worksheet, due_on, times_per_week, note, assigned_by, assigned_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(r.ID), string(r.PersonID), homeworkText(r.SkillID), homeworkText(r.Worksheet), homeworkText(r.Due), homeworkInt(r.PerWeek), r.Note, string(r.AssignedBy), r.AssignedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create homework: %w", err)
	}
	return nil
}

// HomeworkByID returns one of the person's homework, locked until the unit
// of work ends, or ENOTFOUND.
func (tx *Tx) HomeworkByID(ctx context.Context, personID, id tend.ID) (skills.HomeworkRecord, error) {
	r, err := scanHomework(tx.tx.QueryRowContext(ctx, `SELECT `+homeworkColumns+` FROM homework WHERE person_id = $1 AND id = $2`+tx.db.engine.forUpdate(),
		string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: homework: %w", err)
	}
	return r, nil
}

// EndHomework ends open homework; ENOTFOUND when it is not open.
func (tx *Tx) EndHomework(ctx context.Context, personID, id, by tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE homework SET ended_at = $1, ended_by = $2 WHERE person_id = $3 AND id = $4 AND ended_at IS NULL`,
		tx.now, string(by), string(personID), string(id))
	if err != nil {
		return fmt.Errorf("store: end homework: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: end homework: %w", err)
	} else if n == 0 {
		return tend.ErrNotFound
	}
	return nil
}

const practiceColumns = `id, person_id, homework_id, skill_id, worksheet, recorded_at, helpful, note, answers`

// FindHomeworkPractice returns the person's practice, newest first.
func (db *DB) FindHomeworkPractice(ctx context.Context, personID tend.ID) ([]skills.PracticeRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+practiceColumns+` FROM homework_practice WHERE person_id = $1 ORDER BY recorded_at DESC, id DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: homework practice: %w", err)
	}
	defer rows.Close()
	out := []skills.PracticeRecord{}
	for rows.Next() {
		var r skills.PracticeRecord
		var id, pid, helpful string
		var hw, skill, worksheet sql.NullString
		if err := rows.Scan(&id, &pid, &hw, &skill, &worksheet, &r.RecordedAt, &helpful, &r.Note, &r.Answers); err != nil {
			return nil, fmt.Errorf("store: homework practice: %w", err)
		}
		r.ID, r.PersonID, r.HomeworkID = tend.ID(id), tend.ID(pid), tend.ID(hw.String)
		r.SkillID, r.Worksheet, r.Helpful, r.RecordedAt = skill.String, worksheet.String, skills.Helpful(helpful), r.RecordedAt.UTC()
		if len(r.Note) == 0 {
			r.Note = nil
		}
		if len(r.Answers) == 0 {
			r.Answers = nil
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: homework practice: %w", err)
	}
	return out, nil
}

// CreateHomeworkPractice records a practice.
func (tx *Tx) CreateHomeworkPractice(ctx context.Context, r skills.PracticeRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO homework_practice (`+practiceColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(r.ID), string(r.PersonID), homeworkText(string(r.HomeworkID)), homeworkText(r.SkillID), homeworkText(r.Worksheet), r.RecordedAt.UTC(),
		string(r.Helpful), r.Note, r.Answers)
	if err != nil {
		return fmt.Errorf("store: create homework practice: %w", err)
	}
	return nil
}

func homeworkText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func homeworkInt(n int) sql.NullInt64 { return sql.NullInt64{Int64: int64(n), Valid: n != 0} }
