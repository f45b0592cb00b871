package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/measure"
)

// Questionnaires (measure): imported instruments, assignments, due
// questionnaires and responses. Due dates and start dates are civil dates
// stored as YYYY-MM-DD text; answers and scores are JSON of numbers.

var _ measure.Tx = (*Tx)(nil)

// maxTotalDecimals is the most decimals an instrument's scoring keeps
// (measure.Instrument.Validate); a total is stored formatted with it, and
// Format drops trailing zeros.
const maxTotalDecimals = 3

const measureInstrumentColumns = `id, key, version, language, definition, questionnaire, rights, imported_by, imported_at, retired_at, retired_by, prompts_enabled`

func scanImported(s interface{ Scan(...any) error }) (measure.Imported, error) {
	var r measure.Imported
	var id, key, version, language, definition, questionnaire, by string
	var retiredAt sql.NullTime
	var retiredBy sql.NullString
	if err := s.Scan(&id, &key, &version, &language, &definition, &questionnaire, &r.Rights, &by, &r.ImportedAt, &retiredAt, &retiredBy, &r.PromptsEnabled); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(definition), &r.Instrument); err != nil {
		return r, fmt.Errorf("store: instrument %s definition: %w", id, err)
	}
	r.Questionnaire = []byte(questionnaire)
	r.ImportedBy, r.ImportedAt, r.RetiredAt, r.RetiredBy = tend.ID(by), r.ImportedAt.UTC(), nullTime(retiredAt), tend.ID(retiredBy.String)
	return r, nil
}

// FindImportedInstruments returns every imported instrument, retired ones
// included, oldest first.
func (db *DB) FindImportedInstruments(ctx context.Context) ([]measure.Imported, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+measureInstrumentColumns+` FROM measure_instruments ORDER BY imported_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: instruments: %w", err)
	}
	defer rows.Close()
	out := []measure.Imported{}
	for rows.Next() {
		r, err := scanImported(rows)
		if err != nil {
			return nil, fmt.Errorf("store: instruments: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: instruments: %w", err)
	}
	return out, nil
}

// FindImportedInstrument returns one imported instrument, or ENOTFOUND.
func (db *DB) FindImportedInstrument(ctx context.Context, id string) (measure.Imported, error) {
	r, err := scanImported(db.read.QueryRowContext(ctx, `SELECT `+measureInstrumentColumns+` FROM measure_instruments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: instrument: %w", err)
	}
	return r, nil
}

// CreateImportedInstrument adds an imported instrument; ECONFLICT when one
// with its id (key, version, language) exists. The conflict is detected
// without a failed statement, so a PostgreSQL unit of work can go on.
func (tx *Tx) CreateImportedInstrument(ctx context.Context, in measure.Imported) error {
	def, err := json.Marshal(in.Instrument)
	if err != nil {
		return fmt.Errorf("store: create instrument: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO measure_instruments (`+measureInstrumentColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
		in.Instrument.ID, in.Instrument.Key, in.Instrument.Version, in.Instrument.Language, string(def), string(in.Questionnaire), in.Rights,
		string(in.ImportedBy), in.ImportedAt.UTC(), timeOrNull(in.RetiredAt), nullID(in.RetiredBy), in.PromptsEnabled)
	if err != nil {
		return fmt.Errorf("store: create instrument: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: create instrument: %w", err)
	}
	if n == 0 {
		return tend.Errorf(tend.ECONFLICT, "That instrument version is already imported.")
	}
	return nil
}

// UpdateImportedInstrument sets an imported instrument's retirement and
// prompts; ENOTFOUND for an unknown instrument.
func (tx *Tx) UpdateImportedInstrument(ctx context.Context, in measure.Imported) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE measure_instruments SET retired_at = $1, retired_by = $2, prompts_enabled = $3 WHERE id = $4`,
		timeOrNull(in.RetiredAt), nullID(in.RetiredBy), in.PromptsEnabled, in.Instrument.ID)
	return affectedOne(res, err, "update instrument")
}

const measureAssignmentColumns = `a.id, a.person_id, a.instrument_id, a.schedule_kind, a.every_weeks, a.starts_on, a.created_by, a.created_at, a.ended_at, a.ended_by`

// assignmentScan holds an assignment's columns as scanned.
type assignmentScan struct {
	id, person, instrument, kind, startsOn, by string
	every                                      int
	createdAt                                  time.Time
	endedAt                                    sql.NullTime
	endedBy                                    sql.NullString
}

func (a *assignmentScan) dest() []any {
	return []any{&a.id, &a.person, &a.instrument, &a.kind, &a.every, &a.startsOn, &a.by, &a.createdAt, &a.endedAt, &a.endedBy}
}

func (a *assignmentScan) assignment() (measure.Assignment, error) {
	on, err := parseCivil(a.startsOn)
	if err != nil {
		return measure.Assignment{}, err
	}
	return measure.Assignment{
		ID: tend.ID(a.id), PersonID: tend.ID(a.person), InstrumentID: a.instrument,
		Schedule: measure.Schedule{Kind: measure.ScheduleKind(a.kind), EveryWeeks: a.every},
		StartsOn: on, CreatedBy: tend.ID(a.by), CreatedAt: a.createdAt.UTC(), EndedAt: nullTime(a.endedAt), EndedBy: tend.ID(a.endedBy.String),
	}, nil
}

func findAssignmentRows(ctx context.Context, q querier, query string, args ...any) ([]measure.Assignment, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: questionnaire assignments: %w", err)
	}
	defer rows.Close()
	out := []measure.Assignment{}
	for rows.Next() {
		var s assignmentScan
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("store: questionnaire assignments: %w", err)
		}
		a, err := s.assignment()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: questionnaire assignments: %w", err)
	}
	return out, nil
}

// FindAssignments returns the person's assignments, newest first.
func (db *DB) FindAssignments(ctx context.Context, personID tend.ID) ([]measure.Assignment, error) {
	return findAssignmentRows(ctx, db.read, `SELECT `+measureAssignmentColumns+` FROM measure_assignments a
		WHERE a.person_id = $1 ORDER BY a.created_at DESC, a.id DESC`, string(personID))
}

// FindActiveAssignments returns every assignment not ended, oldest first.
func (db *DB) FindActiveAssignments(ctx context.Context) ([]measure.Assignment, error) {
	return findAssignmentRows(ctx, db.read, `SELECT `+measureAssignmentColumns+` FROM measure_assignments a
		WHERE a.ended_at IS NULL ORDER BY a.created_at, a.id`)
}

// CreateAssignment adds an assignment.
func (tx *Tx) CreateAssignment(ctx context.Context, a measure.Assignment) error {
	// ON CONFLICT DO NOTHING keeps a PostgreSQL unit of work usable when
	// the person already has an active assignment of the instrument.
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO measure_assignments (id, person_id, instrument_id, schedule_kind, every_weeks, starts_on,
		created_by, created_at, ended_at, ended_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
		string(a.ID), string(a.PersonID), a.InstrumentID, string(a.Schedule.Kind), a.Schedule.EveryWeeks, civil(a.StartsOn),
		string(a.CreatedBy), a.CreatedAt.UTC(), timeOrNull(a.EndedAt), nullID(a.EndedBy))
	if err != nil {
		return fmt.Errorf("store: create questionnaire assignment: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: create questionnaire assignment: %w", err)
	} else if n == 0 {
		return tend.Errorf(tend.ECONFLICT, "The person already has this questionnaire assigned.")
	}
	return nil
}

// FindAssignmentTx returns one of the person's assignments, locked until
// the unit of work ends; ENOTFOUND when it is not theirs.
func (tx *Tx) FindAssignmentTx(ctx context.Context, personID, id tend.ID) (measure.Assignment, error) {
	var s assignmentScan
	err := tx.tx.QueryRowContext(ctx, `SELECT `+measureAssignmentColumns+` FROM measure_assignments a
		WHERE a.person_id = $1 AND a.id = $2`+tx.db.engine.forUpdate(), string(personID), string(id)).Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return measure.Assignment{}, tend.ErrNotFound
	}
	if err != nil {
		return measure.Assignment{}, fmt.Errorf("store: questionnaire assignment: %w", err)
	}
	return s.assignment()
}

// EndAssignment ends one of the person's assignments; ENOTFOUND when it is
// not theirs.
func (tx *Tx) EndAssignment(ctx context.Context, personID, id, by tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE measure_assignments SET ended_at = $1, ended_by = $2 WHERE person_id = $3 AND id = $4`,
		at.UTC(), string(by), string(personID), string(id))
	return affectedOne(res, err, "end questionnaire assignment")
}

// CreateDue adds a due questionnaire unless its assignment already has one
// on that date (added false); the unique (assignment, date) makes running
// the schedule on several nodes at once safe.
func (tx *Tx) CreateDue(ctx context.Context, d measure.Due) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO measure_due (id, assignment_id, person_id, instrument_id, due_on, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (assignment_id, due_on) DO NOTHING`,
		string(d.ID), string(d.AssignmentID), string(d.PersonID), d.InstrumentID, civil(d.On), string(d.Reason), d.CreatedAt.UTC())
	if err != nil {
		return false, fmt.Errorf("store: create due questionnaire: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: create due questionnaire: %w", err)
	}
	return n > 0, nil
}

// dueRecordColumns reads a due questionnaire (d), its assignment (a) and
// its response (r, all NULL when none).
const dueRecordColumns = `d.id, d.assignment_id, d.person_id, d.instrument_id, d.due_on, d.reason, d.created_at, ` + measureAssignmentColumns + `,
	r.id, r.due_id, r.person_id, r.instrument_id, r.version, r.answers, r.score, r.finished, r.started_at, r.updated_at, r.finished_at, r.entered_by`

const dueRecordFrom = ` FROM measure_due d JOIN measure_assignments a ON a.id = d.assignment_id
	LEFT JOIN measure_responses r ON r.due_id = d.id`

func scanDueRecord(s interface{ Scan(...any) error }) (measure.DueRecord, error) {
	var rec measure.DueRecord
	var id, assignment, person, instrument, dueOn, reason string
	var as assignmentScan
	var rid, rdue, rperson, rinstrument, rversion, ranswers, rscore, rby sql.NullString
	var rfinished sql.NullBool
	var rstarted, rupdated, rfinishedAt sql.NullTime
	dest := append([]any{&id, &assignment, &person, &instrument, &dueOn, &reason, &rec.Due.CreatedAt}, as.dest()...)
	dest = append(dest, &rid, &rdue, &rperson, &rinstrument, &rversion, &ranswers, &rscore, &rfinished, &rstarted, &rupdated, &rfinishedAt, &rby)
	if err := s.Scan(dest...); err != nil {
		return rec, err
	}
	on, err := parseCivil(dueOn)
	if err != nil {
		return rec, err
	}
	rec.Due.ID, rec.Due.AssignmentID, rec.Due.PersonID, rec.Due.InstrumentID = tend.ID(id), tend.ID(assignment), tend.ID(person), instrument
	rec.Due.On, rec.Due.Reason, rec.Due.CreatedAt = on, measure.Reason(reason), rec.Due.CreatedAt.UTC()
	if rec.Assignment, err = as.assignment(); err != nil {
		return rec, err
	}
	if !rid.Valid {
		return rec, nil
	}
	r := &measure.Response{ID: tend.ID(rid.String), DueID: tend.ID(rdue.String), PersonID: tend.ID(rperson.String), InstrumentID: rinstrument.String,
		Version: rversion.String, Finished: rfinished.Bool, StartedAt: rstarted.Time.UTC(), UpdatedAt: rupdated.Time.UTC(),
		FinishedAt: nullTime(rfinishedAt), EnteredBy: tend.ID(rby.String)}
	if err := decodeResponse(r, ranswers.String, rscore.String); err != nil {
		return rec, err
	}
	rec.Response = r
	return rec, nil
}

func decodeResponse(r *measure.Response, answers, score string) error {
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return fmt.Errorf("store: questionnaire response answers: %w", err)
	}
	if err := json.Unmarshal([]byte(score), &r.Score); err != nil {
		return fmt.Errorf("store: questionnaire response score: %w", err)
	}
	if r.Answers == nil {
		r.Answers = measure.Answers{}
	}
	return nil
}

// FindDue returns the person's due questionnaires dated up to through,
// with their assignments and responses, oldest first.
func (db *DB) FindDue(ctx context.Context, personID tend.ID, through time.Time) ([]measure.DueRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+dueRecordColumns+dueRecordFrom+`
		WHERE d.person_id = $1 AND d.due_on <= $2 ORDER BY d.due_on, d.created_at, d.id`, string(personID), civil(through))
	if err != nil {
		return nil, fmt.Errorf("store: due questionnaires: %w", err)
	}
	defer rows.Close()
	out := []measure.DueRecord{}
	for rows.Next() {
		rec, err := scanDueRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("store: due questionnaires: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: due questionnaires: %w", err)
	}
	return out, nil
}

// FindDueTx returns one of the person's due questionnaires with its
// assignment and response, locked until the unit of work ends; ENOTFOUND
// when it is not theirs. On PostgreSQL only the due row is locked (FOR
// UPDATE OF d): the response may not exist, and every change to it goes
// through its due row.
func (tx *Tx) FindDueTx(ctx context.Context, personID, dueID tend.ID) (measure.DueRecord, error) {
	lock := tx.db.engine.forUpdate()
	if lock != "" {
		lock += " OF d"
	}
	rec, err := scanDueRecord(tx.tx.QueryRowContext(ctx, `SELECT `+dueRecordColumns+dueRecordFrom+`
		WHERE d.person_id = $1 AND d.id = $2`+lock, string(personID), string(dueID)))
	if errors.Is(err, sql.ErrNoRows) {
		return rec, tend.ErrNotFound
	}
	if err != nil {
		return rec, fmt.Errorf("store: due questionnaire: %w", err)
	}
	return rec, nil
}

// responseArgs encodes a response's answers, score and formatted total.
func responseArgs(r measure.Response) (answers, score string, total sql.NullString, err error) {
	a := r.Answers
	if a == nil {
		a = measure.Answers{}
	}
	ab, err := json.Marshal(a)
	if err != nil {
		return "", "", total, err
	}
	sb, err := json.Marshal(r.Score)
	if err != nil {
		return "", "", total, err
	}
	if r.Score.Total != nil {
		total = sql.NullString{String: measure.Format(*r.Score.Total, maxTotalDecimals), Valid: true}
	}
	return string(ab), string(sb), total, nil
}

// CreateResponse adds a due questionnaire's response; ECONFLICT when it
// already has one. The conflict is detected without a failed statement.
func (tx *Tx) CreateResponse(ctx context.Context, r measure.Response) error {
	answers, score, total, err := responseArgs(r)
	if err != nil {
		return fmt.Errorf("store: create questionnaire response: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO measure_responses (id, due_id, person_id, instrument_id, version, answers, score, total,
		finished, started_at, updated_at, finished_at, entered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (due_id) DO NOTHING`,
		string(r.ID), string(r.DueID), string(r.PersonID), r.InstrumentID, r.Version, answers, score, total,
		r.Finished, r.StartedAt.UTC(), r.UpdatedAt.UTC(), timeOrNull(r.FinishedAt), string(r.EnteredBy))
	if err != nil {
		return fmt.Errorf("store: create questionnaire response: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: create questionnaire response: %w", err)
	}
	if n == 0 {
		return tend.Errorf(tend.ECONFLICT, "This questionnaire was saved from another device at the same moment.")
	}
	return nil
}

// UpdateResponse replaces a response's answers, score and state;
// ENOTFOUND for an unknown response.
func (tx *Tx) UpdateResponse(ctx context.Context, r measure.Response) error {
	answers, score, total, err := responseArgs(r)
	if err != nil {
		return fmt.Errorf("store: update questionnaire response: %w", err)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE measure_responses SET version = $1, answers = $2, score = $3, total = $4, finished = $5,
		updated_at = $6, finished_at = $7, entered_by = $8 WHERE person_id = $9 AND id = $10`,
		r.Version, answers, score, total, r.Finished, r.UpdatedAt.UTC(), timeOrNull(r.FinishedAt), string(r.EnteredBy), string(r.PersonID), string(r.ID))
	return affectedOne(res, err, "update questionnaire response")
}

// FindResponses returns the person's responses, by due date, oldest first.
func (db *DB) FindResponses(ctx context.Context, personID tend.ID) ([]measure.Response, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT r.id, r.due_id, r.person_id, r.instrument_id, r.version, r.answers, r.score, r.finished,
		r.started_at, r.updated_at, r.finished_at, r.entered_by FROM measure_responses r JOIN measure_due d ON d.id = r.due_id
		WHERE r.person_id = $1 ORDER BY d.due_on, r.started_at, r.id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: questionnaire responses: %w", err)
	}
	defer rows.Close()
	out := []measure.Response{}
	for rows.Next() {
		var r measure.Response
		var id, due, person, by, answers, score string
		var finishedAt sql.NullTime
		if err := rows.Scan(&id, &due, &person, &r.InstrumentID, &r.Version, &answers, &score, &r.Finished,
			&r.StartedAt, &r.UpdatedAt, &finishedAt, &by); err != nil {
			return nil, fmt.Errorf("store: questionnaire responses: %w", err)
		}
		r.ID, r.DueID, r.PersonID, r.EnteredBy = tend.ID(id), tend.ID(due), tend.ID(person), tend.ID(by)
		r.StartedAt, r.UpdatedAt, r.FinishedAt = r.StartedAt.UTC(), r.UpdatedAt.UTC(), nullTime(finishedAt)
		if err := decodeResponse(&r, answers, score); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: questionnaire responses: %w", err)
	}
	return out, nil
}
