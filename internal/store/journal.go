package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/journal"
)

const journalColumns = `id, person_id, revision, body, prompt, prompt_id, created_at, updated_at`

func scanJournalEntry(s interface{ Scan(...any) error }) (journal.Record, error) {
	var r journal.Record
	var id, personID string
	var promptID sql.NullString
	if err := s.Scan(&id, &personID, &r.Revision, &r.Body, &r.Prompt, &promptID, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.PromptID = tend.ID(id), tend.ID(personID), tend.ID(promptID.String)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, nil
}

// FindJournalEntries returns the person's entries, most recently changed first.
func (db *DB) FindJournalEntries(ctx context.Context, personID tend.ID) ([]journal.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+journalColumns+` FROM journal_entries WHERE person_id = $1 ORDER BY updated_at DESC, id DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: journal entries: %w", err)
	}
	defer rows.Close()
	out := []journal.Record{}
	for rows.Next() {
		r, err := scanJournalEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("store: journal entries: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journal entries: %w", err)
	}
	return out, nil
}

// FindJournalEntry returns one of the person's entries, or ENOTFOUND.
func (db *DB) FindJournalEntry(ctx context.Context, personID, id tend.ID) (journal.Record, error) {
	r, err := scanJournalEntry(db.read.QueryRowContext(ctx, `SELECT `+journalColumns+` FROM journal_entries WHERE person_id = $1 AND id = $2`, string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: journal entry: %w", err)
	}
	return r, nil
}

// FindJournalPrompts returns the service's open prompts not retired, oldest first.
func (db *DB) FindJournalPrompts(ctx context.Context) ([]journal.Prompt, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, text FROM journal_prompts WHERE retired_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: journal prompts: %w", err)
	}
	defer rows.Close()
	out := []journal.Prompt{}
	for rows.Next() {
		var p journal.Prompt
		var id string
		if err := rows.Scan(&id, &p.Text); err != nil {
			return nil, fmt.Errorf("store: journal prompts: %w", err)
		}
		p.ID = tend.ID(id)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journal prompts: %w", err)
	}
	return out, nil
}

const assignmentColumns = `id, person_id, prompt, assigned_by, assigned_at, withdrawn_by, withdrawn_at`

func scanAssignment(s interface{ Scan(...any) error }) (journal.AssignmentRecord, error) {
	var r journal.AssignmentRecord
	var id, personID, by string
	var wby sql.NullString
	var wat sql.NullTime
	if err := s.Scan(&id, &personID, &r.Prompt, &by, &r.AssignedAt, &wby, &wat); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.AssignedBy, r.WithdrawnBy = tend.ID(id), tend.ID(personID), tend.ID(by), tend.ID(wby.String)
	r.AssignedAt = r.AssignedAt.UTC()
	if wat.Valid {
		t := wat.Time.UTC()
		r.WithdrawnAt = &t
	}
	return r, nil
}

// FindJournalAssignments returns the person's assigned prompts not
// withdrawn, oldest first.
func (db *DB) FindJournalAssignments(ctx context.Context, personID tend.ID) ([]journal.AssignmentRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM journal_assignments
		WHERE person_id = $1 AND withdrawn_at IS NULL ORDER BY assigned_at, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: journal assignments: %w", err)
	}
	defer rows.Close()
	out := []journal.AssignmentRecord{}
	for rows.Next() {
		r, err := scanAssignment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: journal assignments: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journal assignments: %w", err)
	}
	return out, nil
}

// FindJournalMembers returns the person's memberships that have not ended,
// with staff names, oldest first: the candidates the access policy judges
// as readers of the journal.
func (db *DB) FindJournalMembers(ctx context.Context, personID tend.ID) ([]journal.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.staff_id, s.name, m.care_role FROM care_team_members m
		JOIN staff s ON s.id = m.staff_id
		WHERE m.person_id = $1 AND m.state <> 'ended' AND s.disabled_at IS NULL ORDER BY m.started_at, m.id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: journal members: %w", err)
	}
	defer rows.Close()
	out := []journal.Member{}
	for rows.Next() {
		var m journal.Member
		var id, role string
		if err := rows.Scan(&id, &m.Name, &role); err != nil {
			return nil, fmt.Errorf("store: journal members: %w", err)
		}
		m.StaffID, m.Role = tend.ID(id), tend.CareRole(role)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: journal members: %w", err)
	}
	return out, nil
}

// JournalEntryForUpdate returns one of the person's entries, locked until
// the unit of work ends, or ENOTFOUND.
func (tx *Tx) JournalEntryForUpdate(ctx context.Context, personID, id tend.ID) (journal.Record, error) {
	r, err := scanJournalEntry(tx.tx.QueryRowContext(ctx, `SELECT `+journalColumns+` FROM journal_entries WHERE person_id = $1 AND id = $2`+tx.db.engine.forUpdate(),
		string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: journal entry: %w", err)
	}
	return r, nil
}

// CreateJournalEntry adds an entry; ECONFLICT when its id is taken.
func (tx *Tx) CreateJournalEntry(ctx context.Context, r journal.Record) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO journal_entries (`+journalColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(r.ID), string(r.PersonID), r.Revision, r.Body, r.Prompt, nullID(r.PromptID), r.CreatedAt.UTC(), r.UpdatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "That entry exists already.")
	}
	if err != nil {
		return fmt.Errorf("store: create journal entry: %w", err)
	}
	return nil
}

// UpdateJournalEntry replaces an entry's text, revision and time;
// ENOTFOUND for an unknown entry.
func (tx *Tx) UpdateJournalEntry(ctx context.Context, r journal.Record) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE journal_entries SET revision = $1, body = $2, updated_at = $3 WHERE person_id = $4 AND id = $5`,
		r.Revision, r.Body, r.UpdatedAt.UTC(), string(r.PersonID), string(r.ID))
	return affectedOne(res, err, "update journal entry")
}

// FindJournalPromptTx returns an open prompt not retired, or ENOTFOUND.
func (tx *Tx) FindJournalPromptTx(ctx context.Context, id tend.ID) (journal.Prompt, error) {
	p := journal.Prompt{ID: id}
	err := tx.tx.QueryRowContext(ctx, `SELECT text FROM journal_prompts WHERE id = $1 AND retired_at IS NULL`, string(id)).Scan(&p.Text)
	if errors.Is(err, sql.ErrNoRows) {
		return p, tend.ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("store: journal prompt: %w", err)
	}
	return p, nil
}

// FindJournalAssignmentTx returns one of the person's assignments, or ENOTFOUND.
func (tx *Tx) FindJournalAssignmentTx(ctx context.Context, personID, id tend.ID) (journal.AssignmentRecord, error) {
	r, err := scanAssignment(tx.tx.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM journal_assignments WHERE person_id = $1 AND id = $2`,
		string(personID), string(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: journal assignment: %w", err)
	}
	return r, nil
}

// CreateJournalPrompt adds an open prompt to the service's list.
func (tx *Tx) CreateJournalPrompt(ctx context.Context, p journal.Prompt, by tend.ID, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO journal_prompts (id, text, created_by, created_at) VALUES ($1, $2, $3, $4)`,
		string(p.ID), p.Text, nullID(by), at.UTC())
	if err != nil {
		return fmt.Errorf("store: create journal prompt: %w", err)
	}
	return nil
}

// RetireJournalPrompt takes an open prompt off the list; ENOTFOUND for an
// unknown or retired one.
func (tx *Tx) RetireJournalPrompt(ctx context.Context, id tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE journal_prompts SET retired_at = $1 WHERE id = $2 AND retired_at IS NULL`, at.UTC(), string(id))
	return affectedOne(res, err, "retire journal prompt")
}

// CreateJournalAssignment records a prompt assigned to a person.
func (tx *Tx) CreateJournalAssignment(ctx context.Context, a journal.AssignmentRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO journal_assignments (id, person_id, prompt, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)`,
		string(a.ID), string(a.PersonID), a.Prompt, string(a.AssignedBy), a.AssignedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create journal assignment: %w", err)
	}
	return nil
}

// WithdrawJournalAssignment withdraws one of the person's assignments;
// ENOTFOUND for an unknown or withdrawn one.
func (tx *Tx) WithdrawJournalAssignment(ctx context.Context, personID, id, by tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE journal_assignments SET withdrawn_by = $1, withdrawn_at = $2
		WHERE person_id = $3 AND id = $4 AND withdrawn_at IS NULL`, string(by), at.UTC(), string(personID), string(id))
	return affectedOne(res, err, "withdraw journal assignment")
}

// affectedOne turns an UPDATE or DELETE that changed no row into ENOTFOUND.
func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return tend.ErrNotFound
	}
	return nil
}
