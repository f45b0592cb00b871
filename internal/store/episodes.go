package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/episodes"
)

// Episodes of care, sessions and incidents (episodes). Dates are civil
// dates stored as YYYY-MM-DD text, so that they compare and sort as text on
// both engines.

const episodeColumns = `id, person_id, modality, source, referred_on, decision, decided_on, started_on, ended_on, follow_up_consent, closed_on, created_by, created_at`

func civil(t time.Time) string { return t.Format(time.DateOnly) }

func optCivil(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: civil(*t), Valid: true}
}

func parseCivil(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("store: civil date %q: %w", s, err)
	}
	return t, nil
}

func nullCivil(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseCivil(s.String)
	return &t, err
}

func scanEpisode(s interface{ Scan(...any) error }) (episodes.Episode, error) {
	var e episodes.Episode
	var id, person, source, referred, decision, createdBy string
	var decided, started, ended, closed sql.NullString
	var consent sql.NullBool
	if err := s.Scan(&id, &person, &e.Modality, &source, &referred, &decision, &decided, &started, &ended, &consent, &closed, &createdBy, &e.CreatedAt); err != nil {
		return e, err
	}
	e.ID, e.PersonID, e.CreatedBy = tend.ID(id), tend.ID(person), tend.ID(createdBy)
	e.Source, e.Decision, e.CreatedAt = episodes.Source(source), episodes.Decision(decision), e.CreatedAt.UTC()
	if consent.Valid {
		e.FollowUpConsent = &consent.Bool
	}
	var err error
	if e.ReferredOn, err = parseCivil(referred); err != nil {
		return e, err
	}
	for _, f := range []struct {
		dst **time.Time
		v   sql.NullString
	}{{&e.DecidedOn, decided}, {&e.StartedOn, started}, {&e.EndedOn, ended}, {&e.ClosedOn, closed}} {
		if *f.dst, err = nullCivil(f.v); err != nil {
			return e, err
		}
	}
	return e, nil
}

func queryEpisodes(ctx context.Context, q querier, query string, args ...any) ([]episodes.Episode, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find episodes: %w", err)
	}
	defer rows.Close()
	var out []episodes.Episode
	for rows.Next() {
		e, err := scanEpisode(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan episode: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func oneEpisode(ctx context.Context, q querier, query string, args ...any) (episodes.Episode, error) {
	e, err := scanEpisode(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return e, tend.Errorf(tend.ENOTFOUND, "That episode was not found.")
	}
	if err != nil {
		return e, fmt.Errorf("store: find episode: %w", err)
	}
	return e, nil
}

// FindEpisodes returns the person's episodes, newest referral first.
func (db *DB) FindEpisodes(ctx context.Context, personID tend.ID) ([]episodes.Episode, error) {
	return queryEpisodes(ctx, db.read, `SELECT `+episodeColumns+` FROM episodes WHERE person_id = $1 ORDER BY referred_on DESC, created_at DESC, id`, string(personID))
}

// FindEpisodeTx returns one of personID's episodes, locked for update;
// ENOTFOUND when it is not theirs.
func (tx *Tx) FindEpisodeTx(ctx context.Context, personID, episodeID tend.ID) (episodes.Episode, error) {
	return oneEpisode(ctx, tx.tx, `SELECT `+episodeColumns+` FROM episodes WHERE id = $1 AND person_id = $2`+tx.db.engine.forUpdate(),
		string(episodeID), string(personID))
}

// FindOpenEpisodeTx returns personID's open episode; ENOTFOUND when none.
func (tx *Tx) FindOpenEpisodeTx(ctx context.Context, personID tend.ID) (episodes.Episode, error) {
	return oneEpisode(ctx, tx.tx, `SELECT `+episodeColumns+` FROM episodes WHERE person_id = $1 AND ended_on IS NULL AND decision <> 'not_accepted'`+tx.db.engine.forUpdate(),
		string(personID))
}

// FindLastEpisodeTx returns personID's most recently referred episode;
// ENOTFOUND when none.
func (tx *Tx) FindLastEpisodeTx(ctx context.Context, personID tend.ID) (episodes.Episode, error) {
	return oneEpisode(ctx, tx.tx, `SELECT `+episodeColumns+` FROM episodes WHERE person_id = $1 ORDER BY referred_on DESC, created_at DESC, id LIMIT 1`,
		string(personID))
}

// CreateEpisode adds e; ECONFLICT when the person already has an open
// episode (the partial unique index episodes_one_open).
func (tx *Tx) CreateEpisode(ctx context.Context, e episodes.Episode) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO episodes (`+episodeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		string(e.ID), string(e.PersonID), e.Modality, string(e.Source), civil(e.ReferredOn), string(e.Decision), optCivil(e.DecidedOn),
		optCivil(e.StartedOn), optCivil(e.EndedOn), optBool(e.FollowUpConsent), optCivil(e.ClosedOn), string(e.CreatedBy), e.CreatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "This person already has an open episode.")
	}
	if err != nil {
		return fmt.Errorf("store: create episode: %w", err)
	}
	return nil
}

// UpdateEpisode changes episode id; ENOTFOUND when missing.
func (tx *Tx) UpdateEpisode(ctx context.Context, id tend.ID, u episodes.EpisodeUpdate) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE episodes SET modality = COALESCE($2, modality), decision = COALESCE($3, decision),
		decided_on = COALESCE($4, decided_on), started_on = COALESCE($5, started_on), ended_on = COALESCE($6, ended_on),
		follow_up_consent = COALESCE($7, follow_up_consent), closed_on = COALESCE($8, closed_on) WHERE id = $1`,
		string(id), optString(u.Modality), optString((*string)(u.Decision)), optCivil(u.DecidedOn), optCivil(u.StartedOn),
		optCivil(u.EndedOn), optBool(u.FollowUpConsent), optCivil(u.ClosedOn))
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "This person already has an open episode.")
	}
	if err != nil {
		return fmt.Errorf("store: update episode: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return tend.Errorf(tend.ENOTFOUND, "That episode was not found.")
	}
	return nil
}

const careSessionColumns = `id, person_id, episode_id, held_on, kind, attendance, recorded_by, recorded_at`

func queryCareSessions(ctx context.Context, q querier, query string, args ...any) ([]episodes.Session, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find sessions: %w", err)
	}
	defer rows.Close()
	var out []episodes.Session
	for rows.Next() {
		var s episodes.Session
		var id, person, episode, held, kind, by string
		var att sql.NullString
		if err := rows.Scan(&id, &person, &episode, &held, &kind, &att, &by, &s.RecordedAt); err != nil {
			return nil, fmt.Errorf("store: scan session: %w", err)
		}
		s.ID, s.PersonID, s.EpisodeID, s.RecordedBy = tend.ID(id), tend.ID(person), tend.ID(episode), tend.ID(by)
		s.Kind, s.Attendance, s.RecordedAt = episodes.SessionKind(kind), episodes.Attendance(att.String), s.RecordedAt.UTC()
		if s.HeldOn, err = parseCivil(held); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindCareSessions returns the person's sessions, latest first.
func (db *DB) FindCareSessions(ctx context.Context, personID tend.ID) ([]episodes.Session, error) {
	return queryCareSessions(ctx, db.read, `SELECT `+careSessionColumns+` FROM care_sessions WHERE person_id = $1 ORDER BY held_on DESC, recorded_at DESC, id`, string(personID))
}

// FindNextCareSession returns the person's earliest planned session on or
// after today; ENOTFOUND when there is none.
func (db *DB) FindNextCareSession(ctx context.Context, personID tend.ID, today time.Time) (episodes.Session, error) {
	out, err := queryCareSessions(ctx, db.read, `SELECT `+careSessionColumns+` FROM care_sessions
		WHERE person_id = $1 AND attendance IS NULL AND held_on >= $2 ORDER BY held_on, recorded_at, id LIMIT 1`, string(personID), civil(today))
	if err != nil {
		return episodes.Session{}, err
	}
	if len(out) == 0 {
		return episodes.Session{}, tend.Errorf(tend.ENOTFOUND, "No session is planned.")
	}
	return out[0], nil
}

// CreateCareSession adds s.
func (tx *Tx) CreateCareSession(ctx context.Context, s episodes.Session) error {
	att := sql.NullString{String: string(s.Attendance), Valid: s.Attendance != episodes.AttendancePlanned}
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO care_sessions (`+careSessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(s.ID), string(s.PersonID), string(s.EpisodeID), civil(s.HeldOn), string(s.Kind), att, string(s.RecordedBy), s.RecordedAt.UTC()); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// FindCareSessionTx returns one of personID's sessions, locked for
// update; ENOTFOUND when it is not theirs.
func (tx *Tx) FindCareSessionTx(ctx context.Context, personID, sessionID tend.ID) (episodes.Session, error) {
	out, err := queryCareSessions(ctx, tx.tx, `SELECT `+careSessionColumns+` FROM care_sessions WHERE id = $1 AND person_id = $2`+tx.db.engine.forUpdate(),
		string(sessionID), string(personID))
	if err != nil {
		return episodes.Session{}, err
	}
	if len(out) == 0 {
		return episodes.Session{}, tend.Errorf(tend.ENOTFOUND, "That session was not found.")
	}
	return out[0], nil
}

// UpdateCareSessionAttendance records what happened to session id.
func (tx *Tx) UpdateCareSessionAttendance(ctx context.Context, id tend.ID, a episodes.Attendance) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE care_sessions SET attendance = $2 WHERE id = $1`, string(id), string(a)); err != nil {
		return fmt.Errorf("store: update session attendance: %w", err)
	}
	return nil
}

// FindIncidents returns the incidents recorded for the person, latest first.
func (db *DB) FindIncidents(ctx context.Context, personID tend.ID) ([]episodes.Incident, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, person_id, occurred_on, kind, medical_care, recorded_by, recorded_at FROM incidents
		WHERE person_id = $1 ORDER BY occurred_on DESC, recorded_at DESC, id`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: find incidents: %w", err)
	}
	defer rows.Close()
	var out []episodes.Incident
	for rows.Next() {
		var i episodes.Incident
		var id, person, on, kind, care, by string
		if err := rows.Scan(&id, &person, &on, &kind, &care, &by, &i.RecordedAt); err != nil {
			return nil, fmt.Errorf("store: scan incident: %w", err)
		}
		i.ID, i.PersonID, i.RecordedBy = tend.ID(id), tend.ID(person), tend.ID(by)
		i.Kind, i.MedicalCare, i.RecordedAt = episodes.IncidentKind(kind), episodes.MedicalCare(care), i.RecordedAt.UTC()
		if i.OccurredOn, err = parseCivil(on); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// CreateIncident adds i.
func (tx *Tx) CreateIncident(ctx context.Context, i episodes.Incident) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO incidents (id, person_id, occurred_on, kind, medical_care, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		string(i.ID), string(i.PersonID), civil(i.OccurredOn), string(i.Kind), string(i.MedicalCare), string(i.RecordedBy), i.RecordedAt.UTC()); err != nil {
		return fmt.Errorf("store: create incident: %w", err)
	}
	return nil
}

func personLifecycle(ctx context.Context, q querier, personID tend.ID, lock string) (tend.PersonState, error) {
	var state string
	err := q.QueryRowContext(ctx, `SELECT state FROM people WHERE id = $1`+lock, string(personID)).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.Errorf(tend.ENOTFOUND, "That person was not found.")
	}
	if err != nil {
		return "", fmt.Errorf("store: person state: %w", err)
	}
	return tend.PersonState(state), nil
}

// FindPersonLifecycle returns the person's lifecycle state; ENOTFOUND when
// there is no such person.
func (db *DB) FindPersonLifecycle(ctx context.Context, personID tend.ID) (tend.PersonState, error) {
	return personLifecycle(ctx, db.read, personID, "")
}

// FindPersonLifecycleTx returns the person's state, locked for update.
func (tx *Tx) FindPersonLifecycleTx(ctx context.Context, personID tend.ID) (tend.PersonState, error) {
	return personLifecycle(ctx, tx.tx, personID, tx.db.engine.forUpdate())
}

// UpdatePersonLifecycle sets the person's lifecycle state; ENOTFOUND when
// there is no such person.
func (tx *Tx) UpdatePersonLifecycle(ctx context.Context, personID tend.ID, state tend.PersonState) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE people SET state = $2 WHERE id = $1`, string(personID), string(state))
	if err != nil {
		return fmt.Errorf("store: update person state: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return tend.Errorf(tend.ENOTFOUND, "That person was not found.")
	}
	return nil
}

// FindCareTeamMembersTx returns personID's memberships that have not ended,
// inside the unit of work (discharge changes them with the episode).
func (tx *Tx) FindCareTeamMembersTx(ctx context.Context, personID tend.ID) ([]careteam.Member, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+memberColumns+` FROM care_team_members
		WHERE person_id = $1 AND state IN ('active', 'follow_up') ORDER BY started_at, id`+tx.db.engine.forUpdate(), string(personID)) // #nosec G202 -- fixed columns and a dialect's lock clause; values go in args.
	if err != nil {
		return nil, fmt.Errorf("store: find care-team members: %w", err)
	}
	defer rows.Close()
	var out []careteam.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

var (
	_ episodes.Tx    = (*Tx)(nil)
	_ episodes.Store = Adapter[episodes.Tx]{}
)
