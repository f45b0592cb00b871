package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
)

// Outcome reports (report): every sum is taken in the database over the
// per-card summary columns, each kind of sum in one query for all of a
// report's windows, so that memory grows with the number of episodes and
// never with the number of cards.

var _ report.Tx = (*Tx)(nil)

// FindEpisodeEndMonths returns the distinct months (their first day) in
// which episodes of the people of teams ended, oldest first.
func (db *DB) FindEpisodeEndMonths(ctx context.Context, teams []tend.ID) ([]time.Time, error) {
	if len(teams) == 0 {
		return nil, nil
	}
	in, args := placeholders(1, teams)
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT SUBSTR(e.ended_on, 1, 7) FROM episodes e
		WHERE e.ended_on IS NOT NULL AND `+episodeTeam+` IN (`+in+`)`, args...) // #nosec G202 -- placeholders only; values go in args.
	if err != nil {
		return nil, fmt.Errorf("store: episode end months: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("store: episode end months: %w", err)
		}
		t, err := parseCivil(m + "-01")
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: episode end months: %w", err)
	}
	slices.SortFunc(out, time.Time.Compare)
	return out, nil
}

// placeholders returns "$n, $n+1, ..." for ids and the ids as arguments.
func placeholders(n int, ids []tend.ID) (string, []any) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i] = "$" + strconv.Itoa(n+i)
		args[i] = string(id)
	}
	return strings.Join(marks, ", "), args
}

// episodeTeam is the team of an episode's person (episodes e), looked up
// per episode by the person's key, so that the plan stays a scan of
// episodes whatever the planner's statistics say (right after a bulk load
// PostgreSQL has none, and would join every person to every episode).
const episodeTeam = `(SELECT p.team_id FROM people p WHERE p.id = e.person_id)`

// FindReportEpisodes returns the episodes f selects with the person's team
// and the sessions attended, by end (open ones last), then id.
func (db *DB) FindReportEpisodes(ctx context.Context, f report.EpisodeFilter) ([]report.EpisodeRecord, error) {
	const team = episodeTeam
	var where string
	var args []any
	switch {
	case f.PersonID != "":
		where, args = `e.person_id = $1`, []any{string(f.PersonID)}
	case len(f.Teams) > 0:
		in, ids := placeholders(3, f.Teams)
		where = `e.ended_on >= $1 AND e.ended_on <= $2 AND ` + team + ` IN (` + in + `)`
		args = append([]any{civil(f.EndedFrom), civil(f.EndedTo)}, ids...)
	default:
		return nil, nil
	}
	cols := "e." + strings.ReplaceAll(episodeColumns, ", ", ", e.")
	rows, err := db.read.QueryContext(ctx, `SELECT `+cols+`, `+team+`,
		(SELECT COUNT(*) FROM care_sessions s WHERE s.person_id = e.person_id AND s.episode_id = e.id AND s.attendance = 'attended')
		FROM episodes e WHERE `+where+`
		ORDER BY CASE WHEN e.ended_on IS NULL THEN 1 ELSE 0 END, e.ended_on, e.id`, args...) // #nosec G202 -- fixed conditions; values go in args.
	if err != nil {
		return nil, fmt.Errorf("store: report episodes: %w", err)
	}
	defer rows.Close()
	var out []report.EpisodeRecord
	for rows.Next() {
		var r report.EpisodeRecord
		var team sql.NullString
		e, err := scanEpisode(withExtra{rows, []any{&team, &r.SessionsAttended}})
		if err != nil {
			return nil, fmt.Errorf("store: report episodes: %w", err)
		}
		r.Episode, r.TeamID = e, tend.ID(team.String)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: report episodes: %w", err)
	}
	return out, nil
}

// withExtra scans a row's leading columns into what the caller's scanner
// asks for and the rest into extra.
type withExtra struct {
	s     interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.s.Scan(append(dest, w.extra...)...) }

// windowsJSON encodes windows as windowsTable reads them.
func windowsJSON(windows []report.Window) (string, error) {
	type row struct {
		I int    `json:"i"`
		P string `json:"p"`
		F string `json:"f"`
		T string `json:"t"`
	}
	rows := make([]row, len(windows))
	for i, w := range windows {
		rows[i] = row{I: i, P: string(w.PersonID), F: civil(w.From), T: civil(w.To)}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return "", fmt.Errorf("store: report windows: %w", err)
	}
	return string(b), nil
}

// FindWindowDays sums, for every window at once, the diary summaries of
// the window's person dated within it, and counts the incidents recorded
// in it. A day with no card adds nothing (it is missing, never zero);
// urges ridden out are read only from cards that count strong urges
// (strong_urges NULL: summarised before the column existed).
func (db *DB) FindWindowDays(ctx context.Context, windows []report.Window) ([]outcome.Days, error) {
	out := make([]outcome.Days, len(windows))
	if len(windows) == 0 {
		return out, nil
	}
	js, err := windowsJSON(windows)
	if err != nil {
		return nil, err
	}
	e := db.engine
	err = db.windowRows(ctx, out, e.perWindow(`COUNT(c.id), COALESCE(SUM(c.self_harm), 0), `+e.countIf("c.attempt")+`,
		`+e.countIf("c.max_emotion IS NOT NULL")+`, COALESCE(SUM(c.max_emotion), 0),
		`+e.countIf("c.skills_category = 'used_helped'")+`, `+e.countIf("c.skills_category = 'used'")+`,
		`+e.countIf("c.skills_category = 'thought'")+`, `+e.countIf("c.skills_category = 'none'")+`,
		`+e.countIf("c.strong_urges > 0")+`, `+e.countIf("c.strong_urges > 0 AND c.ridden_out > 0"),
		"diary_cards c", "c.person_id = w.p AND c.day >= w.f AND c.day <= w.t"), js, func(d *outcome.Days) []*int {
		return []*int{&d.Observed, &d.SelfHarm, &d.Attempts, &d.EmotionDays, &d.EmotionSum,
			&d.Skills.UsedHelped, &d.Skills.Used, &d.Skills.Thought, &d.Skills.None, &d.UrgeDays, &d.RiddenOutDays}
	})
	if err != nil {
		return nil, err
	}
	err = db.windowRows(ctx, out, e.perWindow("COUNT(n.id)", "incidents n", "n.person_id = w.p AND n.occurred_on >= w.f AND n.occurred_on <= w.t"),
		js, func(d *outcome.Days) []*int { return []*int{&d.Incidents} })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindWindowCounts counts, for every window at once, the days with a card
// of the window's person: from the index of cards alone, without reading
// the cards.
func (db *DB) FindWindowCounts(ctx context.Context, windows []report.Window) ([]int, error) {
	days := make([]outcome.Days, len(windows))
	if len(windows) == 0 {
		return nil, nil
	}
	js, err := windowsJSON(windows)
	if err != nil {
		return nil, err
	}
	err = db.windowRows(ctx, days, db.engine.perWindow("COUNT(c.day)", "diary_cards c", "c.person_id = w.p AND c.day >= w.f AND c.day <= w.t"),
		js, func(d *outcome.Days) []*int { return []*int{&d.Observed} })
	if err != nil {
		return nil, err
	}
	out := make([]int, len(days))
	for i, d := range days {
		out[i] = d.Observed
	}
	return out, nil
}

// windowRows runs query (Engine.perWindow's), which follows the windows
// table made from js, and decodes each window's aggregates into the
// fields fields(&out[index]) gives.
func (db *DB) windowRows(ctx context.Context, out []outcome.Days, query, js string, fields func(*outcome.Days) []*int) error {
	rows, err := db.read.QueryContext(ctx, db.engine.windowsTable()+" "+query, js)
	if err != nil {
		return fmt.Errorf("store: report windows: %w", err)
	}
	defer rows.Close()
	var values []int
	for rows.Next() {
		var i int
		var agg []byte
		if err := rows.Scan(&i, &agg); err != nil {
			return fmt.Errorf("store: report windows: %w", err)
		}
		if i < 0 || i >= len(out) {
			return fmt.Errorf("store: report windows: window %d of %d", i, len(out))
		}
		values = values[:0]
		if err := json.Unmarshal(agg, &values); err != nil {
			return fmt.Errorf("store: report windows: window %d: %w", i, err)
		}
		dst := fields(&out[i])
		if len(values) != len(dst) {
			return fmt.Errorf("store: report windows: window %d: %d values, want %d", i, len(values), len(dst))
		}
		for k, v := range values {
			*dst[k] = v
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: report windows: %w", err)
	}
	return nil
}

// FindWindowTotals returns, for every window at once, the first finished
// questionnaire of each instrument due within it (by due date, then by
// when it was finished; one with a total before one without), by window
// and instrument.
func (db *DB) FindWindowTotals(ctx context.Context, windows []report.Window) ([]report.Total, error) {
	if len(windows) == 0 {
		return nil, nil
	}
	js, err := windowsJSON(windows)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.engine.windowsTable()+` SELECT i, instrument_id, total FROM (
		SELECT w.i AS i, d.instrument_id AS instrument_id, r.total AS total,
			ROW_NUMBER() OVER (PARTITION BY w.i, d.instrument_id
				ORDER BY CASE WHEN r.total IS NULL THEN 1 ELSE 0 END, d.due_on, r.finished_at, r.id) AS n
		FROM w JOIN measure_due d ON d.person_id = w.p AND d.due_on >= w.f AND d.due_on <= w.t
		JOIN measure_responses r ON r.due_id = d.id
		WHERE r.finished) x
		WHERE n = 1`, js) // #nosec G202 -- the dialect's fixed table expression.
	if err != nil {
		return nil, fmt.Errorf("store: report window totals: %w", err)
	}
	defer rows.Close()
	var out []report.Total
	for rows.Next() {
		var t report.Total
		var total sql.NullString
		if err := rows.Scan(&t.Window, &t.InstrumentID, &total); err != nil {
			return nil, fmt.Errorf("store: report window totals: %w", err)
		}
		if total.Valid {
			v, err := strconv.ParseFloat(total.String, 64)
			if err != nil {
				return nil, fmt.Errorf("store: report window totals: total %q: %w", total.String, err)
			}
			t.Total = &v
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: report window totals: %w", err)
	}
	// Ordered here, byte by byte, so both engines give the same order
	// whatever their collation.
	slices.SortFunc(out, func(a, b report.Total) int {
		if a.Window != b.Window {
			return a.Window - b.Window
		}
		return strings.Compare(a.InstrumentID, b.InstrumentID)
	})
	return out, nil
}
