package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
)

// auditState is this process's audit chain. Its id is fixed when the chain
// is wired in; its row is created by the first unit of work that writes an
// event (and again by the next, if that one rolls back), so nodes never
// contend for one chain head.
type auditState struct {
	chain   *audit.Chain
	chainID string
}

// SetAuditChain wires in the chain that seals audit events. Until it is
// set, AppendAudit fails: nothing is written unaudited.
func (db *DB) SetAuditChain(c *audit.Chain) {
	db.audit = &auditState{chain: c, chainID: string(tend.NewID())}
}

// AppendAudit adds events to the audit trail inside the unit of work, so an
// event exists exactly when the change or read it records does.
func (tx *Tx) AppendAudit(ctx context.Context, events ...tend.AuditEvent) error {
	a := tx.db.audit
	if a == nil {
		return errors.New("store: audit: no audit chain wired in")
	}
	if len(events) == 0 {
		return nil
	}
	// Concurrent first events of this process: the unique id makes the
	// second insert wait for the first, then do nothing.
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO audit_chains (id, node, key_id, seq, head_mac, started_at, updated_at) VALUES ($1, $2, $3, 0, $4, $5, $5)
		ON CONFLICT (id) DO NOTHING`, a.chainID, a.chain.Node(), a.chain.KeyID(), a.chain.Genesis(a.chainID), tx.now); err != nil {
		return fmt.Errorf("store: audit: start chain: %w", err)
	}
	chainID := a.chainID
	var seq int64
	var head []byte
	err := tx.tx.QueryRowContext(ctx, `SELECT seq, head_mac FROM audit_chains WHERE id = $1`+tx.db.engine.forUpdate(), chainID).Scan(&seq, &head)
	if err != nil {
		return fmt.Errorf("store: audit: read chain head: %w", err)
	}
	for _, ev := range events {
		if ev.ID == "" {
			ev.ID = tend.NewID()
		}
		if ev.At.IsZero() {
			ev.At = tx.now
		}
		ev.At = ev.At.UTC().Truncate(time.Microsecond) // both engines keep microseconds
		if ev.Outcome == "" {
			ev.Outcome = tend.OutcomeOK
		}
		seq++
		head = a.chain.Seal(head, chainID, seq, ev)
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO audit_events (id, chain_id, seq, at, actor_kind, actor_id, actor_role, action, person_id, target, outcome, mac)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			string(ev.ID), chainID, seq, ev.At, string(ev.ActorKind), string(ev.ActorID), ev.ActorRole, ev.Action, nullID(ev.PersonID), ev.Target, ev.Outcome, head)
		if err != nil {
			return fmt.Errorf("store: audit: append: %w", err)
		}
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE audit_chains SET seq = $1, head_mac = $2, updated_at = $3 WHERE id = $4`, seq, head, tx.now, chainID); err != nil {
		return fmt.Errorf("store: audit: move head: %w", err)
	}
	return nil
}

// FindAuditChains returns every chain's head, for verification.
func (db *DB) FindAuditChains(ctx context.Context) ([]audit.Head, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, node, key_id, seq, head_mac, started_at FROM audit_chains ORDER BY started_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: audit chains: %w", err)
	}
	defer rows.Close()
	var out []audit.Head
	for rows.Next() {
		var h audit.Head
		if err := rows.Scan(&h.ID, &h.Node, &h.KeyID, &h.Seq, &h.MAC, &h.StartedAt); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// EachAuditEvent calls fn for each event of chainID in sequence order.
func (db *DB) EachAuditEvent(ctx context.Context, chainID string, fn func(audit.Sealed) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+`, chain_id, seq, mac FROM audit_events WHERE chain_id = $1 ORDER BY seq`, chainID)
	if err != nil {
		return fmt.Errorf("store: audit events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s audit.Sealed
		dest := append(auditDest(&s.AuditEvent), &s.ChainID, &s.Seq, &s.MAC)
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fixAudit(&s.AuditEvent)
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AuditFilter selects audit events. Nil fields do not filter.
type AuditFilter struct {
	PersonID  *tend.ID
	ActorID   *tend.ID
	ActorKind *tend.AccountKind
	Actions   []string // any of these
	Since     *time.Time
	Limit     int // default 200
}

// FindAuditEvents returns matching events, newest first: for a person's
// "who has looked at my information" page and for admins' reports.
func (db *DB) FindAuditEvents(ctx context.Context, f AuditFilter) ([]tend.AuditEvent, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.PersonID != nil {
		add("person_id = $%d", string(*f.PersonID))
	}
	if f.ActorID != nil {
		add("actor_id = $%d", string(*f.ActorID))
	}
	if f.ActorKind != nil {
		add("actor_kind = $%d", string(*f.ActorKind))
	}
	if f.Since != nil {
		add("at >= $%d", f.Since.UTC())
	}
	if len(f.Actions) > 0 {
		var ph []string
		for _, a := range f.Actions {
			args = append(args, a)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		where = append(where, "action IN ("+strings.Join(ph, ", ")+")")
	}
	q := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 200
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY at DESC, seq DESC LIMIT $%d`, len(args)) // #nosec G202 -- placeholders only; values go in args.
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find audit events: %w", err)
	}
	defer rows.Close()
	var out []tend.AuditEvent
	for rows.Next() {
		var e tend.AuditEvent
		if err := rows.Scan(auditDest(&e)...); err != nil {
			return nil, err
		}
		fixAudit(&e)
		out = append(out, e)
	}
	return out, rows.Err()
}

const auditColumns = `id, at, actor_kind, actor_id, actor_role, action, person_id, target, outcome`

type nullableID struct{ p *tend.ID }

func (n nullableID) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*n.p = ""
	case string:
		*n.p = tend.ID(x)
	case []byte:
		*n.p = tend.ID(x)
	default:
		return fmt.Errorf("store: id of type %T", v)
	}
	return nil
}

func auditDest(e *tend.AuditEvent) []any {
	return []any{(*string)(&e.ID), &e.At, (*string)(&e.ActorKind), (*string)(&e.ActorID), &e.ActorRole, &e.Action, nullableID{&e.PersonID}, &e.Target, &e.Outcome}
}

func fixAudit(e *tend.AuditEvent) { e.At = e.At.UTC() }

// nullID stores an empty id as NULL.
func nullID(id tend.ID) sql.NullString {
	return sql.NullString{String: string(id), Valid: id != ""}
}

// FindStaffReads returns the looks at personID's data by others: staff
// reads (events whose action ends in ".read") and their supporters' views,
// newest first.
func (db *DB) FindStaffReads(ctx context.Context, personID tend.ID, limit int) ([]tend.AuditEvent, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events
		WHERE person_id = $1 AND ((actor_kind = $2 AND action LIKE $3) OR (actor_kind = $4 AND action = $5))
		ORDER BY at DESC, seq DESC LIMIT $6`,
		string(personID), string(tend.KindStaff), "%.read", string(tend.KindSupporter), "supporter.viewed", limit)
	if err != nil {
		return nil, fmt.Errorf("store: find staff reads: %w", err)
	}
	defer rows.Close()
	var out []tend.AuditEvent
	for rows.Next() {
		var e tend.AuditEvent
		if err := rows.Scan(auditDest(&e)...); err != nil {
			return nil, err
		}
		fixAudit(&e)
		out = append(out, e)
	}
	return out, rows.Err()
}

// FindStaffNames returns the names of the given staff members.
func (db *DB) FindStaffNames(ctx context.Context, ids []tend.ID) (map[tend.ID]string, error) {
	out := map[tend.ID]string{}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		var name string
		err := db.read.QueryRowContext(ctx, `SELECT name FROM staff WHERE id = $1`, string(id)).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			out[id] = ""
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: staff names: %w", err)
		}
		out[id] = name
	}
	return out, nil
}
