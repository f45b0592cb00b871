package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
)

// Supporters' invites and accounts (auth), and a supporter's own record
// (careteam). A supporter account shares the supporter record's id, and
// whether it has ended is read from that record on every call, so ending a
// supporter refuses their session on the very next request.

const supporterAccountColumns = `a.id, a.username, a.password_hash, a.created_at, s.person_id, s.ended_at IS NOT NULL`

func scanSupporterAccount(row interface{ Scan(...any) error }) (auth.SupporterAccount, error) {
	var a auth.SupporterAccount
	err := row.Scan((*string)(&a.ID), &a.Username, &a.PasswordHash, &a.CreatedAt, (*string)(&a.PersonID), &a.Ended)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.SupporterAccount{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.SupporterAccount{}, fmt.Errorf("store: find supporter account: %w", err)
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// FindSupporterAccountByID returns the account, or ENOTFOUND.
func (db *DB) FindSupporterAccountByID(ctx context.Context, id tend.ID) (auth.SupporterAccount, error) {
	return scanSupporterAccount(db.read.QueryRowContext(ctx, `SELECT `+supporterAccountColumns+`
		FROM supporter_accounts a JOIN supporters s ON s.id = a.id WHERE a.id = $1`, string(id)))
}

// FindSupporterAccountByUsername matches ignoring case, or ENOTFOUND.
func (db *DB) FindSupporterAccountByUsername(ctx context.Context, username string) (auth.SupporterAccount, error) {
	return scanSupporterAccount(db.read.QueryRowContext(ctx, `SELECT `+supporterAccountColumns+`
		FROM supporter_accounts a JOIN supporters s ON s.id = a.id WHERE lower(a.username) = lower($1)`, username))
}

// FindSupporterOwner returns whose supporter supporterID is, or ENOTFOUND.
func (tx *Tx) FindSupporterOwner(ctx context.Context, supporterID tend.ID) (auth.SupporterOwner, error) {
	var o auth.SupporterOwner
	err := tx.tx.QueryRowContext(ctx, `SELECT s.person_id, s.ended_at IS NOT NULL,
		EXISTS (SELECT 1 FROM supporter_accounts a WHERE a.id = s.id) FROM supporters s WHERE s.id = $1`,
		string(supporterID)).Scan((*string)(&o.PersonID), &o.Ended, &o.Joined)
	if errors.Is(err, sql.ErrNoRows) {
		return o, tend.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("store: find supporter owner: %w", err)
	}
	return o, nil
}

// CreateSupporterInvite inserts inv.
func (tx *Tx) CreateSupporterInvite(ctx context.Context, inv *auth.SupporterInvite) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO supporter_invites (id, code_hash, supporter_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		string(inv.ID), inv.CodeHash, string(inv.SupporterID), inv.CreatedAt.UTC(), inv.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create supporter invite: %w", err)
	}
	return nil
}

// FindSupporterInviteByCodeHash returns the invite with its supporter's
// person and state, or ENOTFOUND.
func (tx *Tx) FindSupporterInviteByCodeHash(ctx context.Context, hash []byte) (auth.SupporterInvite, error) {
	var inv auth.SupporterInvite
	var redeemed sql.NullTime
	err := tx.tx.QueryRowContext(ctx, `SELECT i.id, i.code_hash, i.supporter_id, i.created_at, i.expires_at, i.redeemed_at, s.person_id, s.ended_at IS NOT NULL
		FROM supporter_invites i JOIN supporters s ON s.id = i.supporter_id WHERE i.code_hash = $1`, hash).Scan(
		(*string)(&inv.ID), &inv.CodeHash, (*string)(&inv.SupporterID), &inv.CreatedAt, &inv.ExpiresAt, &redeemed,
		(*string)(&inv.PersonID), &inv.Ended)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.SupporterInvite{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.SupporterInvite{}, fmt.Errorf("store: find supporter invite: %w", err)
	}
	inv.CreatedAt, inv.ExpiresAt, inv.RedeemedAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC(), nullTime(redeemed)
	return inv, nil
}

// UpdateSupporterInviteRedeemed marks the invite used; ECONFLICT when it
// already was.
func (tx *Tx) UpdateSupporterInviteRedeemed(ctx context.Context, id tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE supporter_invites SET redeemed_at = $1 WHERE id = $2 AND redeemed_at IS NULL`, tx.now, string(id))
	if err != nil {
		return fmt.Errorf("store: redeem supporter invite: %w", err)
	}
	if oneRow(res) != nil {
		return tend.Errorf(tend.ECONFLICT, "That code has already been used.")
	}
	return nil
}

// CreateSupporterAccount inserts a; ECONFLICT when a person or a supporter
// holds the username in any letter case, or the supporter has an account.
// People and supporters share one namespace of usernames (the sign-in page
// takes a username and must find one account); CreatePersonAccount checks
// this table the same way.
func (tx *Tx) CreateSupporterAccount(ctx context.Context, a *auth.SupporterAccount) error {
	taken, err := tx.usernameTaken(ctx, "people", a.Username)
	if err != nil {
		return err
	}
	if taken {
		return tend.Errorf(tend.ECONFLICT, "That username is taken.")
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO supporter_accounts (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)`,
		string(a.ID), a.Username, a.PasswordHash, a.CreatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "That username is taken.")
	}
	if err != nil {
		return fmt.Errorf("store: create supporter account: %w", err)
	}
	return nil
}

// usernameTaken reports whether table (people or supporter_accounts) holds
// username in any letter case.
func (tx *Tx) usernameTaken(ctx context.Context, table, username string) (bool, error) {
	var q string
	switch table {
	case "people":
		q = `SELECT COUNT(*) FROM people WHERE lower(username) = lower($1)`
	case "supporter_accounts":
		q = `SELECT COUNT(*) FROM supporter_accounts WHERE lower(username) = lower($1)`
	default:
		return false, fmt.Errorf("store: username taken: unknown table %q", table)
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, q, username).Scan(&n); err != nil {
		return false, fmt.Errorf("store: username taken: %w", err)
	}
	return n > 0, nil
}

// FindSupporterByID returns a current supporter with their items, or
// ENOTFOUND when there is none or they have ended.
func (db *DB) FindSupporterByID(ctx context.Context, supporterID tend.ID) (careteam.Supporter, error) {
	s := careteam.Supporter{ID: supporterID}
	err := db.read.QueryRowContext(ctx, `SELECT person_id, created_at FROM supporters WHERE id = $1 AND ended_at IS NULL`,
		string(supporterID)).Scan((*string)(&s.PersonID), &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return careteam.Supporter{}, tend.ErrNotFound
	}
	if err != nil {
		return careteam.Supporter{}, fmt.Errorf("store: find supporter: %w", err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	if s.Items, err = supporterItems(ctx, db.read, supporterID); err != nil {
		return careteam.Supporter{}, err
	}
	return s, nil
}
