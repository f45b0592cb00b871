package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/remind"
)

// This file implements remind.Store and remind.Tx: the person's reminder
// preferences and the sends, one per person, kind and occurrence.

var (
	_ remind.Tx    = (*Tx)(nil)
	_ remind.Store = Adapter[remind.Tx]{}
)

const reminderPrefColumns = `r.person_id, r.diary, r.homework, r.questionnaires, r.weekly, r.weekly_day, r.remind_at,
	r.quiet_from, r.quiet_to, r.next_due_at, r.updated_at`

func scanReminderPrefs(s interface{ Scan(...any) error }, extra ...any) (remind.Preferences, error) {
	var p remind.Preferences
	var id string
	var day int
	var from, to sql.NullString
	var next sql.NullTime
	dest := append([]any{&id, &p.Diary, &p.Homework, &p.Questionnaires, &p.Weekly, &day, &p.At, &from, &to, &next, &p.UpdatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return p, err
	}
	p.PersonID, p.WeeklyDay = tend.ID(id), time.Weekday(day)
	p.QuietFrom, p.QuietTo = from.String, to.String
	p.NextDueAt = nullTime(next)
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p, nil
}

// FindReminderPreferences returns the person's saved reminder preferences,
// or ENOTFOUND when they never saved any.
func (db *DB) FindReminderPreferences(ctx context.Context, personID tend.ID) (remind.Preferences, error) {
	p, err := scanReminderPrefs(db.read.QueryRowContext(ctx, `SELECT `+reminderPrefColumns+` FROM reminder_preferences r WHERE r.person_id = $1`, string(personID)))
	if errors.Is(err, sql.ErrNoRows) {
		return remind.Preferences{}, tend.ErrNotFound
	}
	if err != nil {
		return remind.Preferences{}, fmt.Errorf("store: reminder preferences: %w", err)
	}
	return p, nil
}

// ReminderTimeZone returns the person's time zone, or ENOTFOUND.
func (db *DB) ReminderTimeZone(ctx context.Context, personID tend.ID) (string, error) {
	var zone string
	err := db.read.QueryRowContext(ctx, `SELECT time_zone FROM people WHERE id = $1`, string(personID)).Scan(&zone)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: reminder time zone: %w", err)
	}
	return zone, nil
}

// FindDueReminders returns up to limit people whose next reminder is due
// at or before now, earliest first (read through the next_due_at index).
func (db *DB) FindDueReminders(ctx context.Context, now time.Time, limit int) ([]tend.ID, error) {
	return queryIDs(ctx, db.read, "due reminders",
		`SELECT person_id FROM reminder_preferences WHERE next_due_at <= $1 ORDER BY next_due_at, person_id LIMIT $2`, now.UTC(), limit)
}

const reminderSendColumns = `id, person_id, kind, occurrence, due_at, state, reason, push, email, created_at, done_at`

func scanReminderSend(s interface{ Scan(...any) error }) (remind.Send, error) {
	var r remind.Send
	var id, personID, kind, state string
	var done sql.NullTime
	if err := s.Scan(&id, &personID, &kind, &r.Occurrence, &r.DueAt, &state, &r.Reason, &r.Push, &r.Email, &r.CreatedAt, &done); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.Kind, r.State = tend.ID(id), tend.ID(personID), remind.Kind(kind), remind.State(state)
	r.DueAt, r.CreatedAt, r.DoneAt = r.DueAt.UTC(), r.CreatedAt.UTC(), nullTime(done)
	return r, nil
}

// FindReminderSends returns the person's latest sends, newest first.
func (db *DB) FindReminderSends(ctx context.Context, personID tend.ID, limit int) ([]remind.Send, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+reminderSendColumns+` FROM reminder_sends WHERE person_id = $1 ORDER BY due_at DESC, kind LIMIT $2`,
		string(personID), limit)
	if err != nil {
		return nil, fmt.Errorf("store: reminder sends: %w", err)
	}
	defer rows.Close()
	out := []remind.Send{}
	for rows.Next() {
		r, err := scanReminderSend(rows)
		if err != nil {
			return nil, fmt.Errorf("store: reminder sends: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: reminder sends: %w", err)
	}
	return out, nil
}

// ReminderPreferencesForUpdate returns the person's preferences, locked,
// with their time zone read now; ENOTFOUND when none are saved.
func (tx *Tx) ReminderPreferencesForUpdate(ctx context.Context, personID tend.ID) (remind.Preferences, string, error) {
	var zone string
	p, err := scanReminderPrefs(tx.tx.QueryRowContext(ctx, `SELECT `+reminderPrefColumns+`, p.time_zone
		FROM reminder_preferences r JOIN people p ON p.id = r.person_id WHERE r.person_id = $1`+lockOf(tx.db.engine, "r"), string(personID)), &zone)
	if errors.Is(err, sql.ErrNoRows) {
		return remind.Preferences{}, "", tend.ErrNotFound
	}
	if err != nil {
		return remind.Preferences{}, "", fmt.Errorf("store: reminder preferences: %w", err)
	}
	return p, zone, nil
}

// PutReminderPreferences adds or replaces the person's preferences.
func (tx *Tx) PutReminderPreferences(ctx context.Context, p remind.Preferences) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO reminder_preferences (person_id, diary, homework, questionnaires, weekly, weekly_day, remind_at,
			quiet_from, quiet_to, next_due_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (person_id) DO UPDATE SET diary = excluded.diary, homework = excluded.homework,
			questionnaires = excluded.questionnaires, weekly = excluded.weekly, weekly_day = excluded.weekly_day, remind_at = excluded.remind_at,
			quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, next_due_at = excluded.next_due_at, updated_at = excluded.updated_at`,
		string(p.PersonID), p.Diary, p.Homework, p.Questionnaires, p.Weekly, int(p.WeeklyDay), p.At,
		nullString(p.QuietFrom), nullString(p.QuietTo), optTime(p.NextDueAt), p.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: save reminder preferences: %w", err)
	}
	return nil
}

// SetReminderNextDue writes when a reminder of the person's may next fall due.
func (tx *Tx) SetReminderNextDue(ctx context.Context, personID tend.ID, next *time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE reminder_preferences SET next_due_at = $2 WHERE person_id = $1`, string(personID), optTime(next)); err != nil {
		return fmt.Errorf("store: reminder next due: %w", err)
	}
	return nil
}

// CreateReminderSend adds a send unless the person has one for the same
// kind and occurrence (the unique key decides, on any number of nodes).
func (tx *Tx) CreateReminderSend(ctx context.Context, s remind.Send) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO reminder_sends (`+reminderSendColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (person_id, kind, occurrence) DO NOTHING`,
		string(s.ID), string(s.PersonID), string(s.Kind), s.Occurrence, s.DueAt.UTC(), string(s.State), s.Reason, s.Push, s.Email,
		s.CreatedAt.UTC(), optTime(s.DoneAt))
	if err != nil {
		return false, fmt.Errorf("store: add reminder send: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: add reminder send: %w", err)
	}
	return n == 1, nil
}

// ReminderSendForUpdate returns a send, locked, or ENOTFOUND.
func (tx *Tx) ReminderSendForUpdate(ctx context.Context, id tend.ID) (remind.Send, error) {
	s, err := scanReminderSend(tx.tx.QueryRowContext(ctx, `SELECT `+reminderSendColumns+` FROM reminder_sends WHERE id = $1`+tx.db.engine.forUpdate(), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return remind.Send{}, tend.ErrNotFound
	}
	if err != nil {
		return remind.Send{}, fmt.Errorf("store: reminder send: %w", err)
	}
	return s, nil
}

// UpdateReminderSend writes a send's state, reason, counts and done time.
func (tx *Tx) UpdateReminderSend(ctx context.Context, s remind.Send) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE reminder_sends SET state = $2, reason = $3, push = $4, email = $5, done_at = $6 WHERE id = $1`,
		string(s.ID), string(s.State), s.Reason, s.Push, s.Email, optTime(s.DoneAt))
	if err != nil {
		return fmt.Errorf("store: update reminder send: %w", err)
	}
	return nil
}

// DiaryCardSaved reports whether the person saved a diary card for day.
func (tx *Tx) DiaryCardSaved(ctx context.Context, personID tend.ID, day string) (bool, error) {
	return tx.reminderExists(ctx, `SELECT 1 FROM diary_cards WHERE person_id = $1 AND day = $2`, string(personID), day)
}

// HomeworkOpen reports whether the person has homework not ended.
func (tx *Tx) HomeworkOpen(ctx context.Context, personID tend.ID) (bool, error) {
	return tx.reminderExists(ctx, `SELECT 1 FROM homework WHERE person_id = $1 AND ended_at IS NULL`, string(personID))
}

// QuestionnaireDueOn reports whether a questionnaire of the person's falls
// due on day, from an assignment still active, and is not finished.
func (tx *Tx) QuestionnaireDueOn(ctx context.Context, personID tend.ID, day string) (bool, error) {
	return tx.reminderExists(ctx, `SELECT 1 FROM measure_due d JOIN measure_assignments a ON a.id = d.assignment_id
		WHERE d.person_id = $1 AND d.due_on = $2 AND a.ended_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM measure_responses r WHERE r.due_id = d.id AND r.finished)`, string(personID), day)
}

// reminderExists reports whether query returns a row.
func (tx *Tx) reminderExists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := tx.tx.QueryRowContext(ctx, query+` LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: exists: %w", err)
	}
	return true, nil
}

// lockOf locks the rows of one table of a joined SELECT (PostgreSQL); SQLite
// needs nothing, its one writer already holding the database.
func lockOf(e Engine, table string) string {
	if e == SQLite {
		return ""
	}
	return " FOR UPDATE OF " + table
}

// ReminderZoneChanged makes the person's reminders due for a new look now,
// after their time zone changed: the due finder then works out their next
// time in the new zone (one send per local date still holds).
func (tx *Tx) ReminderZoneChanged(ctx context.Context, personID tend.ID) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE reminder_preferences SET next_due_at = $2 WHERE person_id = $1 AND next_due_at IS NOT NULL`,
		string(personID), tx.now.UTC()); err != nil {
		return fmt.Errorf("store: reminder zone changed: %w", err)
	}
	return nil
}
