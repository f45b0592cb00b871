package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/rights"
)

// EnqueueJob adds a job that runs at or after at (zero: at once), only if
// this unit of work commits.
func (tx *Tx) EnqueueJob(ctx context.Context, args interface{ Kind() string }, at time.Time) error {
	if tx.db.inserter == nil {
		return errors.New("store: enqueue: no job queue wired in")
	}
	var opts *river.InsertOpts
	if !at.IsZero() {
		opts = &river.InsertOpts{ScheduledAt: at.UTC()}
	}
	if _, err := tx.db.inserter.InsertTx(ctx, tx.tx.Tx, args, opts); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

const dataExportColumns = `id, person_id, state, requested_at, ready_at, expires_at, downloaded_at, size`

func scanDataExport(s interface{ Scan(...any) error }, archive *[]byte) (rights.Record, error) {
	var r rights.Record
	var id, personID, state string
	var ready, downloaded sql.NullTime
	dest := []any{&id, &personID, &state, &r.RequestedAt, &ready, &r.ExpiresAt, &downloaded, &r.Size}
	if archive != nil {
		dest = append(dest, archive)
	}
	if err := s.Scan(dest...); err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.State = tend.ID(id), tend.ID(personID), rights.ExportState(state)
	r.RequestedAt, r.ExpiresAt = r.RequestedAt.UTC(), r.ExpiresAt.UTC()
	r.ReadyAt, r.DownloadedAt = nullTime(ready), nullTime(downloaded)
	if archive != nil {
		r.Archive = *archive
	}
	return r, nil
}

// FindDataExports returns the person's exports not expired at now, newest first.
func (db *DB) FindDataExports(ctx context.Context, personID tend.ID, now time.Time) ([]rights.Export, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+dataExportColumns+` FROM data_exports WHERE person_id = $1 AND expires_at > $2 ORDER BY requested_at DESC, id DESC`,
		string(personID), now.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: data exports: %w", err)
	}
	defer rows.Close()
	out := []rights.Export{}
	for rows.Next() {
		r, err := scanDataExport(rows, nil)
		if err != nil {
			return nil, fmt.Errorf("store: data exports: %w", err)
		}
		out = append(out, r.Export)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: data exports: %w", err)
	}
	return out, nil
}

// FindDataExport returns one of the person's exports with its archive, or ENOTFOUND.
func (db *DB) FindDataExport(ctx context.Context, personID, id tend.ID) (rights.Record, error) {
	var archive []byte
	r, err := scanDataExport(db.read.QueryRowContext(ctx, `SELECT `+dataExportColumns+`, archive FROM data_exports WHERE person_id = $1 AND id = $2`,
		string(personID), string(id)), &archive)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: data export: %w", err)
	}
	return r, nil
}

// CreateDataExport adds an export.
func (tx *Tx) CreateDataExport(ctx context.Context, r rights.Record) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO data_exports (id, person_id, state, requested_at, ready_at, expires_at, downloaded_at, size, archive)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(r.ID), string(r.PersonID), string(r.State), r.RequestedAt.UTC(), timeOrNull(r.ReadyAt), r.ExpiresAt.UTC(),
		timeOrNull(r.DownloadedAt), r.Size, r.Archive)
	if err != nil {
		return fmt.Errorf("store: create data export: %w", err)
	}
	return nil
}

// DataExportForUpdate returns an export by id with its archive, locked, or ENOTFOUND.
func (tx *Tx) DataExportForUpdate(ctx context.Context, id tend.ID) (rights.Record, error) {
	var archive []byte
	r, err := scanDataExport(tx.tx.QueryRowContext(ctx, `SELECT `+dataExportColumns+`, archive FROM data_exports WHERE id = $1`+tx.db.engine.forUpdate(),
		string(id)), &archive)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: data export: %w", err)
	}
	return r, nil
}

// UpdateDataExport writes an export's state, times, size and archive.
func (tx *Tx) UpdateDataExport(ctx context.Context, r rights.Record) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE data_exports SET state = $2, ready_at = $3, expires_at = $4, downloaded_at = $5, size = $6, archive = $7 WHERE id = $1`,
		string(r.ID), string(r.State), timeOrNull(r.ReadyAt), r.ExpiresAt.UTC(), timeOrNull(r.DownloadedAt), r.Size, r.Archive)
	if err != nil {
		return fmt.Errorf("store: update data export: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tend.ErrNotFound
	}
	return nil
}

// CountDataExportsSince counts the person's exports asked for at or after since.
func (tx *Tx) CountDataExportsSince(ctx context.Context, personID tend.ID, since time.Time) (int, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM data_exports WHERE person_id = $1 AND requested_at >= $2`,
		string(personID), since.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count data exports: %w", err)
	}
	return n, nil
}

// DeleteExpiredDataExports deletes every export expired at now.
func (tx *Tx) DeleteExpiredDataExports(ctx context.Context, now time.Time) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM data_exports WHERE expires_at <= $1`, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("store: delete expired data exports: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const erasureColumns = `id, person_id, requested_at, due_at, cancelled_at, erased_at`

func scanErasure(s interface{ Scan(...any) error }) (rights.Erasure, error) {
	var e rights.Erasure
	var id, personID string
	var cancelled, erased sql.NullTime
	if err := s.Scan(&id, &personID, &e.RequestedAt, &e.DueAt, &cancelled, &erased); err != nil {
		return e, err
	}
	e.ID, e.PersonID = tend.ID(id), tend.ID(personID)
	e.RequestedAt, e.DueAt = e.RequestedAt.UTC(), e.DueAt.UTC()
	e.CancelledAt, e.ErasedAt = nullTime(cancelled), nullTime(erased)
	return e, nil
}

func erasureRow(row *sql.Row, what string) (rights.Erasure, error) {
	e, err := scanErasure(row)
	if errors.Is(err, sql.ErrNoRows) {
		return e, tend.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("store: %s: %w", what, err)
	}
	return e, nil
}

// FindOpenErasure returns the person's erasure request not cancelled, or ENOTFOUND.
func (db *DB) FindOpenErasure(ctx context.Context, personID tend.ID) (rights.Erasure, error) {
	return erasureRow(db.read.QueryRowContext(ctx, `SELECT `+erasureColumns+` FROM erasure_requests WHERE person_id = $1 AND cancelled_at IS NULL`,
		string(personID)), "erasure")
}

// OpenErasureForUpdate is FindOpenErasure, locked.
func (tx *Tx) OpenErasureForUpdate(ctx context.Context, personID tend.ID) (rights.Erasure, error) {
	return erasureRow(tx.tx.QueryRowContext(ctx, `SELECT `+erasureColumns+` FROM erasure_requests WHERE person_id = $1 AND cancelled_at IS NULL`+tx.db.engine.forUpdate(),
		string(personID)), "erasure")
}

// ErasureForUpdate returns an erasure request by id, locked, or ENOTFOUND.
func (tx *Tx) ErasureForUpdate(ctx context.Context, id tend.ID) (rights.Erasure, error) {
	return erasureRow(tx.tx.QueryRowContext(ctx, `SELECT `+erasureColumns+` FROM erasure_requests WHERE id = $1`+tx.db.engine.forUpdate(),
		string(id)), "erasure")
}

// CreateErasure adds an erasure request; ECONFLICT when one is open.
func (tx *Tx) CreateErasure(ctx context.Context, e rights.Erasure) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO erasure_requests (id, person_id, requested_at, due_at, cancelled_at, erased_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(e.ID), string(e.PersonID), e.RequestedAt.UTC(), e.DueAt.UTC(), timeOrNull(e.CancelledAt), timeOrNull(e.ErasedAt))
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "Your account is already set to be erased.")
	}
	if err != nil {
		return fmt.Errorf("store: create erasure: %w", err)
	}
	return nil
}

// UpdateErasure writes an erasure request's cancelled and erased times.
func (tx *Tx) UpdateErasure(ctx context.Context, e rights.Erasure) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE erasure_requests SET cancelled_at = $2, erased_at = $3 WHERE id = $1`,
		string(e.ID), timeOrNull(e.CancelledAt), timeOrNull(e.ErasedAt))
	if err != nil {
		return fmt.Errorf("store: update erasure: %w", err)
	}
	return nil
}

// ErasedTables lists, in the order they run, the deletions an erasure
// makes: every table that holds a person's content or their way in. Each
// statement takes the person's id as $1. Children come before the rows
// they reference.
var ErasedTables = []struct{ Table, SQL string }{
	{"data_exports", `DELETE FROM data_exports WHERE person_id = $1`},
	{"diary_values", `DELETE FROM diary_values WHERE card_id IN (SELECT id FROM diary_cards WHERE person_id = $1)`},
	{"diary_saves", `DELETE FROM diary_saves WHERE person_id = $1`},
	{"diary_cards", `DELETE FROM diary_cards WHERE person_id = $1`},
	{"diary_flags", `DELETE FROM diary_flags WHERE person_id = $1`},
	{"diary_note_drafts", `DELETE FROM diary_note_drafts WHERE person_id = $1`},
	{"diary_targets", `DELETE FROM diary_targets WHERE person_id = $1`},
	{"diary_configs", `DELETE FROM diary_configs WHERE person_id = $1`},
	{"journal_entries", `DELETE FROM journal_entries WHERE person_id = $1`},
	{"journal_assignments", `DELETE FROM journal_assignments WHERE person_id = $1`},
	{"safety_plan_reviews", `DELETE FROM safety_plan_reviews WHERE person_id = $1`},
	{"safety_plan_versions", `DELETE FROM safety_plan_versions WHERE person_id = $1`},
	{"toolbox_uses", `DELETE FROM toolbox_uses WHERE person_id = $1`},
	{"toolbox_choices", `DELETE FROM toolbox_choices WHERE person_id = $1`},
	{"toolbox_own_activities", `DELETE FROM toolbox_own_activities WHERE person_id = $1`},
	{"toolbox_cautions", `DELETE FROM toolbox_cautions WHERE person_id = $1`},
	{"hope_box_words", `DELETE FROM hope_box_words WHERE person_id = $1`},
	{"hope_box_photos", `DELETE FROM hope_box_photos WHERE person_id = $1`},
	{"chain_analyses", `DELETE FROM chain_analyses WHERE person_id = $1`},
	{"homework_practice", `DELETE FROM homework_practice WHERE person_id = $1`},
	{"homework", `DELETE FROM homework WHERE person_id = $1`},
	{"skill_favourites", `DELETE FROM skill_favourites WHERE person_id = $1`},
	{"measure_responses", `DELETE FROM measure_responses WHERE person_id = $1`},
	{"measure_due", `DELETE FROM measure_due WHERE person_id = $1`},
	{"measure_assignments", `DELETE FROM measure_assignments WHERE person_id = $1`},
	{"medications", `DELETE FROM medications WHERE person_id = $1`},
	{"grants", `DELETE FROM grants WHERE member_id IN (SELECT id FROM care_team_members WHERE person_id = $1)`},
	{"notices", `DELETE FROM notices WHERE person_id = $1`},
	{"followup_notices", `DELETE FROM followup_notices WHERE person_id = $1`},
	{"followup_flags", `DELETE FROM followup_flags WHERE person_id = $1`},
	{"followup_person_rules", `DELETE FROM followup_person_rules WHERE person_id = $1`},
	{"supporter_items", `DELETE FROM supporter_items WHERE supporter_id IN (SELECT id FROM supporters WHERE person_id = $1)`},
	{"supporter_invites", `DELETE FROM supporter_invites WHERE supporter_id IN (SELECT id FROM supporters WHERE person_id = $1)`},
	{"sessions", `DELETE FROM sessions WHERE (account_kind = 'person' AND account_id = $1)
		OR (account_kind = 'supporter' AND account_id IN (SELECT id FROM supporters WHERE person_id = $1))`},
	{"sign_ins", `DELETE FROM sign_ins WHERE (account_kind = 'person' AND account_id = $1)
		OR (account_kind = 'supporter' AND account_id IN (SELECT id FROM supporters WHERE person_id = $1))`},
	{"supporter_accounts", `DELETE FROM supporter_accounts WHERE id IN (SELECT id FROM supporters WHERE person_id = $1)`},
	{"supporters", `DELETE FROM supporters WHERE person_id = $1`},
	{"api_tokens", `DELETE FROM api_tokens WHERE account_kind = 'person' AND account_id = $1`},
	{"push_subscriptions", `DELETE FROM push_subscriptions WHERE account_kind = 'person' AND account_id = $1`},
	{"person_emails", `DELETE FROM person_emails WHERE person_id = $1`},
	{"reminder_sends", `DELETE FROM reminder_sends WHERE person_id = $1`},
	{"reminder_preferences", `DELETE FROM reminder_preferences WHERE person_id = $1`},
	{"recovery_codes", `DELETE FROM recovery_codes WHERE person_id = $1`},
	{"reset_codes", `DELETE FROM reset_codes WHERE person_id = $1`},
	{"invites", `DELETE FROM invites WHERE person_id = $1`},
}

// KeptOnErasure lists the tables that refer to a person and keep their
// rows when the person erases their account, with why
// (docs/data-rights.md "What remains").
var KeptOnErasure = map[string]string{
	"people":            "the account row stays, renamed \"Erased person\", with no password, PIN or birth date, marked erased, so that kept records still point somewhere and sign-in refuses it",
	"audit_events":      "the audit trail is append-only and hash-chained; its events hold ids, kinds and times, never content (pseudonymous references)",
	"clinician_notes":   "clinician notes are the service's records, sealed under the service's records key, kept under its retention rules",
	"followup_tasks":    "follow-up task metadata (trigger kind, times, state) and the resolution note under the records key are the service's records",
	"followup_entries":  "what raised a follow-up task: kinds, ids and times only, part of the task's record",
	"care_team_members": "who was on the care team and when is the service's record; staff see there that the person erased their account",
	"episodes":          "episodes of care are the service's record of treatment (dates, modality), no content the person wrote",
	"care_sessions":     "sessions held and attended are the service's record, no content the person wrote",
	"incidents":         "incidents recorded by staff are the service's record (kind and date only)",
	"group_members":     "group membership is the facilitator's record",
	"group_attendance":  "attendance is the facilitator's record",
	"erasure_requests":  "the record that the person asked for the erasure and when it was done (ids and times only)",
}

// ErasePersonData deletes the person's content from every table in
// ErasedTables, then disables and renames their account: no password (the
// empty hash never matches), no PIN, no birth date, marked erased.
func (tx *Tx) ErasePersonData(ctx context.Context, personID tend.ID, at time.Time, name string) (map[string]int64, error) {
	out := make(map[string]int64, len(ErasedTables))
	for _, t := range ErasedTables {
		res, err := tx.tx.ExecContext(ctx, t.SQL, string(personID))
		if err != nil {
			return nil, fmt.Errorf("store: erase %s: %w", t.Table, err)
		}
		n, _ := res.RowsAffected()
		out[t.Table] += n
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE people SET username = $2, password_hash = '', pin_hash = NULL, auto_lock_minutes = NULL,
		birth_date = NULL, discreet = false, erased_at = $3 WHERE id = $1`, string(personID), name, at.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: erase account: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, tend.ErrNotFound
	}
	return out, nil
}
