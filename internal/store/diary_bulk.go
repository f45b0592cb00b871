package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
)

// Bulk writing, for 'tend demo-data': many people, their care teams,
// episodes and a year of diary cards each, far faster than one unit of work
// per row. PostgreSQL gets COPY (pgx CopyFrom, reached through the
// database/sql connection); SQLite gets multi-row INSERTs, each prepared
// once, inside one transaction. No audit events are written per row: the
// caller records one event for the whole batch.

// Bulk runs fn in one transaction on the writer and commits when fn
// returns nil; any error rolls everything back.
func (db *DB) Bulk(ctx context.Context, fn func(*BulkWriter) error) error {
	if db.engine == Postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("store: bulk: %w", err)
		}
		defer conn.Close()
		return conn.Raw(func(driverConn any) error {
			sc, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("store: bulk: connection is %T, not pgx", driverConn)
			}
			tx, err := sc.Conn().Begin(ctx)
			if err != nil {
				return fmt.Errorf("store: bulk: begin: %w", err)
			}
			defer func() { _ = tx.Rollback(ctx) }()
			if err := fn(&BulkWriter{engine: Postgres, pg: tx}); err != nil {
				return err
			}
			if err := tx.Commit(ctx); err != nil {
				return fmt.Errorf("store: bulk: commit: %w", err)
			}
			return nil
		})
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: bulk: begin: %w", err)
	}
	w := &BulkWriter{engine: SQLite, sq: tx, stmts: map[string]*sql.Stmt{}}
	// A larger page cache for the batch keeps SQLite from spilling pages
	// to the file before the commit; the writer gets its default back.
	var cache int
	if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("store: bulk: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -131072`); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("store: bulk: %w", err)
	}
	defer func() {
		for _, s := range w.stmts {
			_ = s.Close()
		}
		_ = tx.Rollback()
		_, _ = db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = `+strconv.Itoa(cache))
	}()
	if err := fn(w); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: bulk: commit: %w", err)
	}
	return nil
}

// BulkWriter writes rows inside Bulk's transaction.
type BulkWriter struct {
	engine Engine
	pg     pgx.Tx
	sq     *sql.Tx
	stmts  map[string]*sql.Stmt
	rows   int
}

// Rows returns how many rows the writer has written so far.
func (w *BulkWriter) Rows() int { return w.rows }

// sqliteMaxVars stays under SQLite's limit on bound parameters (32766 in
// the modernc build) per statement.
const sqliteMaxVars = 30000

// insert writes n rows of cols into table; row(i) gives row i's values.
func (w *BulkWriter) insert(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	if w.engine == Postgres {
		got, err := w.pg.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
		if err != nil {
			return fmt.Errorf("store: bulk %s: %w", table, err)
		}
		w.rows += int(got)
		return nil
	}
	per := min(500, sqliteMaxVars/len(cols))
	args := make([]any, 0, per*len(cols))
	for start := 0; start < n; start += per {
		k := min(per, n-start)
		stmt, err := w.prepared(ctx, table, cols, k) //nolint:sqlclosecheck // kept in w.stmts and closed with the writer
		if err != nil {
			return err
		}
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = append(args, row(i)...)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store: bulk %s: %w", table, err)
		}
		w.rows += k
	}
	return nil
}

// prepared returns the INSERT of k rows into table, prepared once.
func (w *BulkWriter) prepared(ctx context.Context, table string, cols []string, k int) (*sql.Stmt, error) {
	key := table + "/" + strconv.Itoa(k)
	if s, ok := w.stmts[key]; ok {
		return s, nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	// Plain "?" placeholders: SQLite looks a "$N" name up in a list for
	// every bound value, which grows quadratic with thousands of them.
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range k {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	s, err := w.sq.PrepareContext(ctx, b.String()) // #nosec G202 -- fixed table and column names; values are bound.
	if err != nil {
		return nil, fmt.Errorf("store: bulk %s: prepare: %w", table, err)
	}
	w.stmts[key] = s
	return s, nil
}

// orNil turns an empty string into NULL.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// civilOrNil writes an optional civil date as the column stores it.
func civilOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return civil(*t)
}

// People adds person accounts as they are; usernames must be free.
func (w *BulkWriter) People(ctx context.Context, people []auth.PersonAccount) error {
	cols := []string{"id", "username", "password_hash", "team_id", "state", "birth_date", "age_band", "time_zone", "country", "created_at"}
	return w.insert(ctx, "people", cols, len(people), func(i int) []any {
		p := people[i]
		var birth any
		if p.BirthDate != "" {
			birth = p.BirthDate
			if w.engine == Postgres {
				if d, err := time.Parse(time.DateOnly, p.BirthDate); err == nil {
					birth = d
				}
			}
		}
		return []any{string(p.ID), p.Username, p.PasswordHash, string(p.TeamID), string(p.State), birth, orNil(p.AgeBand),
			p.TimeZone, p.Country, p.CreatedAt.UTC()}
	})
}

// CareTeams adds care-team memberships and their grants.
func (w *BulkWriter) CareTeams(ctx context.Context, members []careteam.Member, grants []careteam.Grant) error {
	err := w.insert(ctx, "care_team_members", []string{"id", "person_id", "staff_id", "care_role", "state", "started_at", "ended_at", "follow_up_consent", "added_by"},
		len(members), func(i int) []any {
			m := members[i]
			var ended any
			if m.EndedAt != nil {
				ended = m.EndedAt.UTC()
			}
			return []any{string(m.ID), string(m.PersonID), string(m.StaffID), string(m.Role), string(m.State), m.StartedAt.UTC(), ended,
				m.FollowUpConsent, string(m.AddedBy)}
		})
	if err != nil {
		return err
	}
	return w.insert(ctx, "grants", []string{"member_id", "area", "level", "updated_at"}, len(grants), func(i int) []any {
		g := grants[i]
		return []any{string(g.MemberID), string(g.Area), string(g.Level), g.UpdatedAt.UTC()}
	})
}

// Episodes adds episodes of care and their sessions.
func (w *BulkWriter) Episodes(ctx context.Context, eps []episodes.Episode, sessions []episodes.Session) error {
	err := w.insert(ctx, "episodes", strings.Split(strings.ReplaceAll(episodeColumns, " ", ""), ","), len(eps), func(i int) []any {
		e := eps[i]
		var consent any
		if e.FollowUpConsent != nil {
			consent = *e.FollowUpConsent
		}
		return []any{string(e.ID), string(e.PersonID), e.Modality, string(e.Source), civil(e.ReferredOn), string(e.Decision),
			civilOrNil(e.DecidedOn), civilOrNil(e.StartedOn), civilOrNil(e.EndedOn), consent, civilOrNil(e.ClosedOn),
			string(e.CreatedBy), e.CreatedAt.UTC()}
	})
	if err != nil {
		return err
	}
	return w.insert(ctx, "care_sessions", strings.Split(strings.ReplaceAll(careSessionColumns, " ", ""), ","), len(sessions), func(i int) []any {
		s := sessions[i]
		return []any{string(s.ID), string(s.PersonID), string(s.EpisodeID), civil(s.HeldOn), string(s.Kind), orNil(string(s.Attendance)),
			string(s.RecordedBy), s.RecordedAt.UTC()}
	})
}

// DiaryCards adds cards with their values and the summary columns as
// given (the caller computes them with diary.Summarize); the note must
// already be sealed. Cards made this way have no save history.
func (w *BulkWriter) DiaryCards(ctx context.Context, cards []diary.CardRecord) error {
	cols := []string{"id", "person_id", "day", "time_zone", "scale_version", "note", "note_at", "late_days", "in_session", "entered_by",
		"first_saved_at", "updated_at", "self_harm", "attempt", "max_emotion", "skills_category", "ridden_out", "strong_urges"}
	err := w.insert(ctx, "diary_cards", cols, len(cards), func(i int) []any {
		c := cards[i]
		var note, noteAt, maxEmotion any
		if c.Note != nil {
			note = c.Note
		}
		if !c.NoteAt.IsZero() {
			noteAt = c.NoteAt.UTC()
		}
		if c.Summary.MaxEmotion >= 0 {
			maxEmotion = c.Summary.MaxEmotion
		}
		return []any{string(c.ID), string(c.PersonID), dayText(c.Day), c.TimeZone, c.ScaleVersion, note, noteAt, c.LateDays, c.InSession,
			string(c.EnteredBy), c.FirstSavedAt.UTC(), c.UpdatedAt.UTC(), c.Summary.SelfHarm, c.Summary.Attempt, maxEmotion,
			orNil(string(c.Summary.Skills)), c.Summary.RiddenOut, c.Summary.StrongUrges}
	})
	if err != nil {
		return err
	}
	type value struct {
		card  tend.ID
		field diary.Field
		v     diary.Value
	}
	var values []value
	for _, c := range cards {
		fields := make([]diary.Field, 0, len(c.Values))
		for f := range c.Values {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			values = append(values, value{c.ID, f, c.Values[f]})
		}
	}
	return w.insert(ctx, "diary_values", []string{"card_id", "field", "value", "edited_at"}, len(values), func(i int) []any {
		v := values[i]
		var n any
		if v.v.V != nil {
			n = *v.v.V
		}
		return []any{string(v.card), string(v.field), n, v.v.EditedAt.UTC()}
	})
}

// CountPeopleByUsernamePrefix counts the people whose username starts
// with prefix (letters, digits, dots and dashes only).
func (db *DB) CountPeopleByUsernamePrefix(ctx context.Context, prefix string) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE username LIKE $1`, prefix+"%").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count people: %w", err)
	}
	return n, nil
}

// FindTeamIDByName returns the id of the team named name, or ENOTFOUND.
func (db *DB) FindTeamIDByName(ctx context.Context, name string) (tend.ID, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT id FROM teams WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.Errorf(tend.ENOTFOUND, "There is no team named %q.", name)
	}
	if err != nil {
		return "", fmt.Errorf("store: find team: %w", err)
	}
	return tend.ID(id), nil
}

// BackdateDemoPerson moves a demo person's join time back, so that their
// demo diary can hold days before the demo was seeded. It refuses any
// database not marked as demo (ECONFLICT), and an unknown person
// (ENOTFOUND).
func (db *DB) BackdateDemoPerson(ctx context.Context, personID tend.ID, joined time.Time) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var mode string
		if err := tx.tx.QueryRowContext(ctx, `SELECT mode FROM deployment WHERE id = 1`).Scan(&mode); err != nil || Mode(mode) != ModeDemo {
			return tend.Errorf(tend.ECONFLICT, "Only people in a demo database can be backdated.")
		}
		res, err := tx.tx.ExecContext(ctx, `UPDATE people SET created_at = $1 WHERE id = $2`, joined.UTC(), string(personID))
		return affectedOne(res, err, "backdate person")
	})
}

// FindStaffTeamID returns the first team (by name) a staff member is in,
// or ENOTFOUND.
func (db *DB) FindStaffTeamID(ctx context.Context, staffID tend.ID) (tend.ID, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT t.id FROM staff_teams st JOIN teams t ON t.id = st.team_id
		WHERE st.staff_id = $1 ORDER BY t.name LIMIT 1`, string(staffID)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find staff team: %w", err)
	}
	return tend.ID(id), nil
}
