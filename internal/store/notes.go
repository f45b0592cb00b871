package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/notes"
)

const noteColumns = `id, note_id, version, person_id, session_id, kind, body, written_by, written_at`

func scanNote(s interface{ Scan(...any) error }) (notes.Record, error) {
	var r notes.Record
	var id, noteID, personID, kind, by string
	var session sql.NullString
	if err := s.Scan(&id, &noteID, &r.Version, &personID, &session, &kind, &r.Body, &by, &r.WrittenAt); err != nil {
		return r, err
	}
	r.ID, r.NoteID, r.PersonID, r.SessionID, r.Kind, r.WrittenBy = tend.ID(id), tend.ID(noteID), tend.ID(personID), tend.ID(session.String), notes.Kind(kind), tend.ID(by)
	r.WrittenAt = r.WrittenAt.UTC()
	return r, nil
}

// FindNoteRecords returns every version of every clinician note about the
// person: notes in the order they were first written (ids are time
// ordered), each note's versions oldest first.
func (db *DB) FindNoteRecords(ctx context.Context, personID tend.ID) ([]notes.Record, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+noteColumns+` FROM clinician_notes WHERE person_id = $1 ORDER BY note_id, version`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: notes: %w", err)
	}
	defer rows.Close()
	out := []notes.Record{}
	for rows.Next() {
		r, err := scanNote(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notes: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: notes: %w", err)
	}
	return out, nil
}

// LatestNoteRecord returns the newest version of one of the person's notes,
// or ENOTFOUND.
func (tx *Tx) LatestNoteRecord(ctx context.Context, personID, noteID tend.ID) (notes.Record, error) {
	r, err := scanNote(tx.tx.QueryRowContext(ctx, `SELECT `+noteColumns+` FROM clinician_notes WHERE person_id = $1 AND note_id = $2
		ORDER BY version DESC LIMIT 1`, string(personID), string(noteID)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: latest note: %w", err)
	}
	return r, nil
}

// CreateNoteRecord adds a version of a note; ECONFLICT when another
// correction took its number first.
func (tx *Tx) CreateNoteRecord(ctx context.Context, r notes.Record) error {
	var session any
	if r.SessionID != "" {
		session = string(r.SessionID)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO clinician_notes (`+noteColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(r.ID), string(r.NoteID), r.Version, string(r.PersonID), session, string(r.Kind), r.Body, string(r.WrittenBy), r.WrittenAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "Someone corrected this note at the same moment. Open the notes again.")
	}
	if err != nil {
		return fmt.Errorf("store: create note: %w", err)
	}
	return nil
}
