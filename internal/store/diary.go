package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
)

// Diary cards (diary): the person's card configuration, one card per civil
// date with its values, the history of saves, note drafts and flags. Days
// are stored as YYYY-MM-DD text, so ranges compare as text.

var _ diary.Tx = (*Tx)(nil)

// dayText writes a civil date as stored.
func dayText(d time.Time) string { return d.Format(diary.DayLayout) }

func parseDayText(s string) (time.Time, error) {
	d, err := time.Parse(diary.DayLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: diary day %q: %w", s, err)
	}
	return d, nil
}

// joinList stores a list as comma-separated text; nil is NULL, an empty
// list is "".
func joinList(items []string) sql.NullString {
	if items == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: strings.Join(items, ","), Valid: true}
}

func splitList(s sql.NullString) []string {
	if !s.Valid {
		return nil
	}
	if s.String == "" {
		return []string{}
	}
	return strings.Split(s.String, ",")
}

// FindDiaryConfig returns the person's configuration records; ENOTFOUND
// for an unknown person.
func (db *DB) FindDiaryConfig(ctx context.Context, personID tend.ID) (diary.ConfigRecord, error) {
	return findDiaryConfig(ctx, db.read, personID)
}

// FindDiaryConfigTx is FindDiaryConfig inside the unit of work.
func (tx *Tx) FindDiaryConfigTx(ctx context.Context, personID tend.ID) (diary.ConfigRecord, error) {
	return findDiaryConfig(ctx, tx.tx, personID)
}

func findDiaryConfig(ctx context.Context, q querier, personID tend.ID) (diary.ConfigRecord, error) {
	var r diary.ConfigRecord
	var set, skills sql.NullString
	var medication, group int
	err := q.QueryRowContext(ctx, `SELECT p.time_zone, p.created_at,
		CASE WHEN EXISTS (SELECT 1 FROM medications m WHERE m.person_id = p.id AND m.stopped_on IS NULL) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM group_members g WHERE g.person_id = p.id) THEN 1 ELSE 0 END,
		c.skills_set, c.skills
		FROM people p LEFT JOIN diary_configs c ON c.person_id = p.id WHERE p.id = $1`, string(personID)).
		Scan(&r.TimeZone, &r.Joined, &medication, &group, &set, &skills)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: diary config: %w", err)
	}
	r.Joined = r.Joined.UTC()
	r.Medication, r.Group = medication > 0, group > 0
	r.Set, r.Skills = diary.SkillsSet(set.String), splitList(skills)
	rows, err := q.QueryContext(ctx, `SELECT person_id, id, section, kind, label, urge_id, counted, medical, hidden, position, changed_by, changed_at
		FROM diary_targets WHERE person_id = $1 ORDER BY section, position, id`, string(personID))
	if err != nil {
		return r, fmt.Errorf("store: diary targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t diary.TargetRecord
		var person, section, kind, by string
		var urge sql.NullString
		if err := rows.Scan(&person, &t.ID, &section, &kind, &t.Label, &urge, &t.Counted, &t.Medical, &t.Hidden, &t.Position, &by, &t.ChangedAt); err != nil {
			return r, fmt.Errorf("store: diary targets: %w", err)
		}
		t.PersonID, t.Section, t.Kind, t.UrgeID, t.ChangedBy = tend.ID(person), diary.Section(section), diary.Kind(kind), urge.String, tend.ID(by)
		t.ChangedAt = t.ChangedAt.UTC()
		r.Targets = append(r.Targets, t)
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("store: diary targets: %w", err)
	}
	return r, nil
}

// PutDiaryTarget adds or replaces one row of the person's configuration.
func (tx *Tx) PutDiaryTarget(ctx context.Context, r diary.TargetRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO diary_targets (person_id, id, section, kind, label, urge_id, counted, medical, hidden, position, changed_by, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (person_id, id) DO UPDATE SET section = excluded.section, kind = excluded.kind, label = excluded.label,
			urge_id = excluded.urge_id, counted = excluded.counted, medical = excluded.medical, hidden = excluded.hidden,
			position = excluded.position, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
		string(r.PersonID), r.ID, string(r.Section), string(r.Kind), r.Label, nullString(r.UrgeID), r.Counted, r.Medical, r.Hidden,
		r.Position, string(r.ChangedBy), r.ChangedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: put diary target: %w", err)
	}
	return nil
}

// PutDiarySkills sets the person's skills set and tick list (nil: the
// set's whole list).
func (tx *Tx) PutDiarySkills(ctx context.Context, personID tend.ID, set diary.SkillsSet, skills []string, by tend.ID, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO diary_configs (person_id, skills_set, skills, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (person_id) DO UPDATE SET skills_set = excluded.skills_set, skills = excluded.skills,
			changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
		string(personID), string(set), joinList(skills), string(by), at.UTC())
	if err != nil {
		return fmt.Errorf("store: put diary skills: %w", err)
	}
	return nil
}

// cardColumns lists a card's columns; the note is left out (read as NULL)
// for summaries.
func cardColumns(note bool) string {
	n := "c.note"
	if !note {
		n = "NULL"
	}
	return `c.id, c.person_id, c.day, c.time_zone, c.scale_version, ` + n + `, c.note_at, c.late_days, c.in_session, c.entered_by,
		c.first_saved_at, c.updated_at, c.self_harm, c.attempt, c.max_emotion, c.skills_category, c.ridden_out, c.strong_urges`
}

func scanDiaryCard(s interface{ Scan(...any) error }) (diary.CardRecord, error) {
	var r diary.CardRecord
	var id, person, day, by string
	var noteAt sql.NullTime
	var maxEmotion, strong sql.NullInt64
	var category sql.NullString
	if err := s.Scan(&id, &person, &day, &r.TimeZone, &r.ScaleVersion, &r.Note, &noteAt, &r.LateDays, &r.InSession, &by,
		&r.FirstSavedAt, &r.UpdatedAt, &r.Summary.SelfHarm, &r.Summary.Attempt, &maxEmotion, &category, &r.Summary.RiddenOut, &strong); err != nil {
		return r, err
	}
	d, err := parseDayText(day)
	if err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.Day, r.EnteredBy = tend.ID(id), tend.ID(person), d, tend.ID(by)
	if noteAt.Valid {
		r.NoteAt = noteAt.Time.UTC()
	}
	r.FirstSavedAt, r.UpdatedAt = r.FirstSavedAt.UTC(), r.UpdatedAt.UTC()
	r.Summary.MaxEmotion = -1
	if maxEmotion.Valid {
		r.Summary.MaxEmotion = int(maxEmotion.Int64)
	}
	r.Summary.Skills = diary.Category(category.String)
	r.Summary.StrongUrges = int(strong.Int64)
	return r, nil
}

// findDiaryCardRows runs a query of cards, oldest first.
func findDiaryCardRows(ctx context.Context, q querier, query string, args ...any) ([]diary.CardRecord, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: diary cards: %w", err)
	}
	defer rows.Close()
	out := []diary.CardRecord{}
	for rows.Next() {
		r, err := scanDiaryCard(rows)
		if err != nil {
			return nil, fmt.Errorf("store: diary cards: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: diary cards: %w", err)
	}
	return out, nil
}

// diaryValues reads, in one query, the values of the cards the condition
// on c (a diary_cards alias) selects, by card id.
func diaryValues(ctx context.Context, q querier, cond string, args ...any) (map[tend.ID]map[diary.Field]diary.Value, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.card_id, v.field, v.value, v.edited_at FROM diary_values v
		JOIN diary_cards c ON c.id = v.card_id WHERE `+cond, args...) // #nosec G202 -- fixed conditions; values go in args.
	if err != nil {
		return nil, fmt.Errorf("store: diary values: %w", err)
	}
	defer rows.Close()
	out := map[tend.ID]map[diary.Field]diary.Value{}
	for rows.Next() {
		var card, field string
		var v sql.NullInt64
		var at time.Time
		if err := rows.Scan(&card, &field, &v, &at); err != nil {
			return nil, fmt.Errorf("store: diary values: %w", err)
		}
		val := diary.Value{EditedAt: at.UTC()}
		if v.Valid {
			n := int(v.Int64)
			val.V = &n
		}
		m := out[tend.ID(card)]
		if m == nil {
			m = map[diary.Field]diary.Value{}
			out[tend.ID(card)] = m
		}
		m[diary.Field(field)] = val
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: diary values: %w", err)
	}
	return out, nil
}

// FindDiaryCards returns the person's cards dated from..to inclusive, with
// their values, oldest first; none is an empty slice.
func (db *DB) FindDiaryCards(ctx context.Context, personID tend.ID, from, to time.Time) ([]diary.CardRecord, error) {
	args := []any{string(personID), dayText(from), dayText(to)}
	cards, err := findDiaryCardRows(ctx, db.read, `SELECT `+cardColumns(true)+` FROM diary_cards c
		WHERE c.person_id = $1 AND c.day >= $2 AND c.day <= $3 ORDER BY c.day`, args...)
	if err != nil || len(cards) == 0 {
		return cards, err
	}
	values, err := diaryValues(ctx, db.read, `c.person_id = $1 AND c.day >= $2 AND c.day <= $3`, args...)
	if err != nil {
		return nil, err
	}
	for i := range cards {
		cards[i].Values = values[cards[i].ID]
		if cards[i].Values == nil {
			cards[i].Values = map[diary.Field]diary.Value{}
		}
	}
	return cards, nil
}

// FindDiaryDays returns the dates of the person's earliest and latest
// cards; ok is false when they have none.
func (db *DB) FindDiaryDays(ctx context.Context, personID tend.ID) (first, last time.Time, ok bool, err error) {
	var lo, hi sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(day), MAX(day) FROM diary_cards WHERE person_id = $1`, string(personID)).Scan(&lo, &hi); err != nil {
		return time.Time{}, time.Time{}, false, fmt.Errorf("store: diary days: %w", err)
	}
	if !lo.Valid || !hi.Valid {
		return time.Time{}, time.Time{}, false, nil
	}
	if first, err = parseDayText(lo.String); err != nil {
		return time.Time{}, time.Time{}, false, err
	}
	if last, err = parseDayText(hi.String); err != nil {
		return time.Time{}, time.Time{}, false, err
	}
	return first, last, true, nil
}

// FindDiarySummaries returns the person's cards dated from..to inclusive
// without their values or notes, oldest first.
func (db *DB) FindDiarySummaries(ctx context.Context, personID tend.ID, from, to time.Time) ([]diary.CardRecord, error) {
	return findDiaryCardRows(ctx, db.read, `SELECT `+cardColumns(false)+` FROM diary_cards c
		WHERE c.person_id = $1 AND c.day >= $2 AND c.day <= $3 ORDER BY c.day`, string(personID), dayText(from), dayText(to))
}

// DiaryCardForUpdate returns the person's card for day with its values,
// locked until the unit of work ends, or ENOTFOUND.
func (tx *Tx) DiaryCardForUpdate(ctx context.Context, personID tend.ID, day time.Time) (diary.CardRecord, error) {
	r, err := scanDiaryCard(tx.tx.QueryRowContext(ctx, `SELECT `+cardColumns(true)+` FROM diary_cards c
		WHERE c.person_id = $1 AND c.day = $2`+tx.db.engine.forUpdate(), string(personID), dayText(day)))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: diary card: %w", err)
	}
	values, err := diaryValues(ctx, tx.tx, `c.id = $1`, string(r.ID))
	if err != nil {
		return r, err
	}
	r.Values = values[r.ID]
	if r.Values == nil {
		r.Values = map[diary.Field]diary.Value{}
	}
	return r, nil
}

func nullNoteAt(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func summaryArgs(s diary.Summary) []any {
	var maxEmotion sql.NullInt64
	if s.MaxEmotion >= 0 {
		maxEmotion = sql.NullInt64{Int64: int64(s.MaxEmotion), Valid: true}
	}
	return []any{s.SelfHarm, s.Attempt, maxEmotion, nullString(string(s.Skills)), s.RiddenOut, s.StrongUrges}
}

// CreateDiaryCard adds a card with its values; ECONFLICT when the person
// already has a card for the day. The conflict is detected without a
// failed statement, so a PostgreSQL unit of work can go on.
func (tx *Tx) CreateDiaryCard(ctx context.Context, c diary.CardRecord) error {
	args := append([]any{string(c.ID), string(c.PersonID), dayText(c.Day), c.TimeZone, c.ScaleVersion, c.Note, nullNoteAt(c.NoteAt),
		c.LateDays, c.InSession, string(c.EnteredBy), c.FirstSavedAt.UTC(), c.UpdatedAt.UTC()}, summaryArgs(c.Summary)...)
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO diary_cards (id, person_id, day, time_zone, scale_version, note, note_at, late_days, in_session,
		entered_by, first_saved_at, updated_at, self_harm, attempt, max_emotion, skills_category, ridden_out, strong_urges)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (person_id, day) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("store: create diary card: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: create diary card: %w", err)
	}
	if n == 0 {
		return tend.Errorf(tend.ECONFLICT, "This day's card was saved from another device at the same moment.")
	}
	fields := make([]diary.Field, 0, len(c.Values))
	for f := range c.Values {
		fields = append(fields, f)
	}
	return tx.putDiaryValues(ctx, c.ID, c.Values, fields)
}

// putDiaryValuesBatch bounds the rows of one INSERT, well inside either
// engine's limit on bound parameters.
const putDiaryValuesBatch = 200

// putDiaryValues adds or replaces the card's values of fields; a field
// missing from values is left as it is.
func (tx *Tx) putDiaryValues(ctx context.Context, cardID tend.ID, values map[diary.Field]diary.Value, fields []diary.Field) error {
	var marks []string
	var args []any
	flush := func() error {
		if len(marks) == 0 {
			return nil
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO diary_values (card_id, field, value, edited_at) VALUES `+strings.Join(marks, ", ")+`
			ON CONFLICT (card_id, field) DO UPDATE SET value = excluded.value, edited_at = excluded.edited_at`, args...) // #nosec G202 -- placeholders only; values go in args.
		marks, args = marks[:0], args[:0]
		if err != nil {
			return fmt.Errorf("store: put diary values: %w", err)
		}
		return nil
	}
	for _, f := range fields {
		v, ok := values[f]
		if !ok {
			continue
		}
		var n sql.NullInt64
		if v.V != nil {
			n = sql.NullInt64{Int64: int64(*v.V), Valid: true}
		}
		i := len(args)
		marks = append(marks, "($"+strconv.Itoa(i+1)+", $"+strconv.Itoa(i+2)+", $"+strconv.Itoa(i+3)+", $"+strconv.Itoa(i+4)+")")
		args = append(args, string(cardID), string(f), n, v.EditedAt.UTC())
		if len(marks) == putDiaryValuesBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// UpdateDiaryCard replaces the card's values of changed, its note, note
// time, update time and summary; ENOTFOUND for an unknown card.
func (tx *Tx) UpdateDiaryCard(ctx context.Context, c diary.CardRecord, changed []diary.Field) error {
	args := append([]any{c.Note, nullNoteAt(c.NoteAt), c.UpdatedAt.UTC()}, summaryArgs(c.Summary)...)
	args = append(args, string(c.PersonID), string(c.ID))
	res, err := tx.tx.ExecContext(ctx, `UPDATE diary_cards SET note = $1, note_at = $2, updated_at = $3,
		self_harm = $4, attempt = $5, max_emotion = $6, skills_category = $7, ridden_out = $8, strong_urges = $9
		WHERE person_id = $10 AND id = $11`, args...)
	if err := affectedOne(res, err, "update diary card"); err != nil {
		return err
	}
	return tx.putDiaryValues(ctx, c.ID, c.Values, changed)
}

// FindUnsummarizedDiaryCards returns up to limit cards summarised before
// the summary counted strong urges (strong_urges NULL), with their values
// and without their notes, in person and day order after the card of
// afterPerson on afterDay ("" and the zero day: from the first).
func (db *DB) FindUnsummarizedDiaryCards(ctx context.Context, afterPerson tend.ID, afterDay time.Time, limit int) ([]diary.CardRecord, error) {
	cards, err := findDiaryCardRows(ctx, db.read, `SELECT `+cardColumns(false)+` FROM diary_cards c
		WHERE c.strong_urges IS NULL AND (c.person_id > $1 OR (c.person_id = $1 AND c.day > $2))
		ORDER BY c.person_id, c.day LIMIT $3`, string(afterPerson), dayText(afterDay), limit)
	if err != nil || len(cards) == 0 {
		return cards, err
	}
	marks := make([]string, len(cards))
	args := make([]any, len(cards))
	for i, c := range cards {
		marks[i] = "$" + strconv.Itoa(i+1)
		args[i] = string(c.ID)
	}
	values, err := diaryValues(ctx, db.read, `c.id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	for i := range cards {
		cards[i].Values = values[cards[i].ID]
		if cards[i].Values == nil {
			cards[i].Values = map[diary.Field]diary.Value{}
		}
	}
	return cards, nil
}

// UpdateDiarySummary sets the summary columns of a card summarised before
// the summary counted strong urges. It changes nothing (false) when the
// card was saved since it was read (updatedAt), since that save wrote a
// summary of its own.
func (tx *Tx) UpdateDiarySummary(ctx context.Context, personID, cardID tend.ID, updatedAt time.Time, s diary.Summary) (bool, error) {
	args := append(summaryArgs(s), string(personID), string(cardID), updatedAt.UTC())
	res, err := tx.tx.ExecContext(ctx, `UPDATE diary_cards SET self_harm = $1, attempt = $2, max_emotion = $3, skills_category = $4,
		ridden_out = $5, strong_urges = $6
		WHERE person_id = $7 AND id = $8 AND updated_at = $9 AND strong_urges IS NULL`, args...)
	if err != nil {
		return false, fmt.Errorf("store: update diary summary: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: update diary summary: %w", err)
	}
	return n > 0, nil
}

const diarySaveColumns = `id, person_id, card_id, day, idem_key, saved_by, in_session, edited_at, saved_at, changes, note_changed, applied`

func scanDiarySave(s interface{ Scan(...any) error }) (diary.SaveRecord, error) {
	var r diary.SaveRecord
	var id, person, card, day, by, changes, applied string
	if err := s.Scan(&id, &person, &card, &day, &r.Key, &by, &r.InSession, &r.EditedAt, &r.SavedAt, &changes, &r.NoteChanged, &applied); err != nil {
		return r, err
	}
	d, err := parseDayText(day)
	if err != nil {
		return r, err
	}
	r.ID, r.PersonID, r.CardID, r.Day, r.SavedBy = tend.ID(id), tend.ID(person), tend.ID(card), d, tend.ID(by)
	r.EditedAt, r.SavedAt = r.EditedAt.UTC(), r.SavedAt.UTC()
	if err := json.Unmarshal([]byte(changes), &r.Changes); err != nil {
		return r, fmt.Errorf("store: diary save changes: %w", err)
	}
	for _, f := range splitList(sql.NullString{String: applied, Valid: applied != ""}) {
		r.Applied = append(r.Applied, diary.Field(f))
	}
	return r, nil
}

// FindDiarySaves returns the history of the person's card for day, oldest
// first.
func (db *DB) FindDiarySaves(ctx context.Context, personID tend.ID, day time.Time) ([]diary.SaveRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+diarySaveColumns+` FROM diary_saves WHERE person_id = $1 AND day = $2 ORDER BY saved_at, id`,
		string(personID), dayText(day))
	if err != nil {
		return nil, fmt.Errorf("store: diary saves: %w", err)
	}
	defer rows.Close()
	out := []diary.SaveRecord{}
	for rows.Next() {
		r, err := scanDiarySave(rows)
		if err != nil {
			return nil, fmt.Errorf("store: diary saves: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: diary saves: %w", err)
	}
	return out, nil
}

// FindDiarySaveByKey returns the save recorded under the person's
// idempotency key, or ENOTFOUND.
func (tx *Tx) FindDiarySaveByKey(ctx context.Context, personID tend.ID, key string) (diary.SaveRecord, error) {
	r, err := scanDiarySave(tx.tx.QueryRowContext(ctx, `SELECT `+diarySaveColumns+` FROM diary_saves WHERE person_id = $1 AND idem_key = $2`,
		string(personID), key))
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: diary save: %w", err)
	}
	return r, nil
}

// CreateDiarySave records one accepted save; ECONFLICT when the person's
// key was used already.
func (tx *Tx) CreateDiarySave(ctx context.Context, s diary.SaveRecord) error {
	changes := s.Changes
	if changes == nil {
		changes = map[diary.Field]*int{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("store: create diary save: %w", err)
	}
	applied := make([]string, len(s.Applied))
	for i, f := range s.Applied {
		applied[i] = string(f)
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO diary_saves (`+diarySaveColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(s.ID), string(s.PersonID), string(s.CardID), dayText(s.Day), s.Key, string(s.SavedBy), s.InSession,
		s.EditedAt.UTC(), s.SavedAt.UTC(), string(b), s.NoteChanged, strings.Join(applied, ","))
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "That save was already made.")
	}
	if err != nil {
		return fmt.Errorf("store: create diary save: %w", err)
	}
	return nil
}

// FindDiaryNoteDraft returns the sealed draft of the person's note for day
// and when it was saved; ENOTFOUND for none.
func (db *DB) FindDiaryNoteDraft(ctx context.Context, personID tend.ID, day time.Time) ([]byte, time.Time, error) {
	var body []byte
	var at time.Time
	err := db.read.QueryRowContext(ctx, `SELECT body, saved_at FROM diary_note_drafts WHERE person_id = $1 AND day = $2`,
		string(personID), dayText(day)).Scan(&body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, tend.ErrNotFound
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: diary note draft: %w", err)
	}
	return body, at.UTC(), nil
}

// PutDiaryNoteDraft replaces the person's draft of day's note.
func (tx *Tx) PutDiaryNoteDraft(ctx context.Context, personID tend.ID, day time.Time, body []byte, at time.Time) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO diary_note_drafts (person_id, day, body, saved_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (person_id, day) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at`,
		string(personID), dayText(day), body, at.UTC())
	if err != nil {
		return fmt.Errorf("store: put diary note draft: %w", err)
	}
	return nil
}

// DeleteDiaryNoteDraft removes the person's draft of day's note; none is
// not an error.
func (tx *Tx) DeleteDiaryNoteDraft(ctx context.Context, personID tend.ID, day time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM diary_note_drafts WHERE person_id = $1 AND day = $2`, string(personID), dayText(day)); err != nil {
		return fmt.Errorf("store: delete diary note draft: %w", err)
	}
	return nil
}

// FindDiaryFlags returns the person's days from..to flagged, oldest first,
// with the name of the staff member who flagged each.
func (db *DB) FindDiaryFlags(ctx context.Context, personID tend.ID, from, to time.Time) ([]diary.Flag, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT f.person_id, f.day, f.flagged_by, s.name, f.flagged_at FROM diary_flags f
		JOIN staff s ON s.id = f.flagged_by WHERE f.person_id = $1 AND f.day >= $2 AND f.day <= $3 ORDER BY f.day`,
		string(personID), dayText(from), dayText(to))
	if err != nil {
		return nil, fmt.Errorf("store: diary flags: %w", err)
	}
	defer rows.Close()
	out := []diary.Flag{}
	for rows.Next() {
		var f diary.Flag
		var person, day, by string
		if err := rows.Scan(&person, &day, &by, &f.ByName, &f.FlaggedAt); err != nil {
			return nil, fmt.Errorf("store: diary flags: %w", err)
		}
		d, err := parseDayText(day)
		if err != nil {
			return nil, err
		}
		f.PersonID, f.Day, f.FlaggedBy, f.FlaggedAt = tend.ID(person), d, tend.ID(by), f.FlaggedAt.UTC()
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: diary flags: %w", err)
	}
	return out, nil
}

// PutDiaryFlag flags the person's day (again: the latest flagger and time
// are kept).
func (tx *Tx) PutDiaryFlag(ctx context.Context, f diary.Flag) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO diary_flags (person_id, day, flagged_by, flagged_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (person_id, day) DO UPDATE SET flagged_by = excluded.flagged_by, flagged_at = excluded.flagged_at`,
		string(f.PersonID), dayText(f.Day), string(f.FlaggedBy), f.FlaggedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: put diary flag: %w", err)
	}
	return nil
}

// DeleteDiaryFlag removes the flag of the person's day; none is not an
// error.
func (tx *Tx) DeleteDiaryFlag(ctx context.Context, personID tend.ID, day time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM diary_flags WHERE person_id = $1 AND day = $2`, string(personID), dayText(day)); err != nil {
		return fmt.Errorf("store: delete diary flag: %w", err)
	}
	return nil
}
