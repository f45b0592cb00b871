package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/notify"
)

// This file implements notify.Store and notify.Tx: Web Push
// subscriptions (sealed), the service's VAPID key pair, and people's
// optional e-mail addresses (sealed) with their verification tokens
// (hashed).

var (
	_ notify.Tx    = (*Tx)(nil)
	_ notify.Store = For[notify.Tx](nil)
)

// FindPushSubscriptions returns the account's subscriptions, oldest first.
func (db *DB) FindPushSubscriptions(ctx context.Context, kind tend.AccountKind, id tend.ID) ([]notify.PushRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, endpoint_hash, subscription, created_at, last_used FROM push_subscriptions
		WHERE account_kind = $1 AND account_id = $2 ORDER BY created_at, id`, string(kind), string(id))
	if err != nil {
		return nil, fmt.Errorf("store: push subscriptions: %w", err)
	}
	defer rows.Close()
	var out []notify.PushRecord
	for rows.Next() {
		r := notify.PushRecord{Account: notify.Recipient{Kind: kind, ID: id}}
		var rid string
		var last sql.NullTime
		if err := rows.Scan(&rid, &r.EndpointHash, &r.Sealed, &r.CreatedAt, &last); err != nil {
			return nil, fmt.Errorf("store: push subscriptions: %w", err)
		}
		r.ID, r.CreatedAt, r.LastUsed = tend.ID(rid), r.CreatedAt.UTC(), nullTime(last)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: push subscriptions: %w", err)
	}
	return out, nil
}

// FindVAPIDKey returns the service's VAPID key pair, or ENOTFOUND.
func (db *DB) FindVAPIDKey(ctx context.Context) (notify.VAPIDRecord, error) {
	var r notify.VAPIDRecord
	err := db.read.QueryRowContext(ctx, `SELECT public_key, private_key, created_at FROM vapid_keys WHERE id = 'vapid'`).
		Scan(&r.Public, &r.Private, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: vapid key: %w", err)
	}
	return r, nil
}

// FindPersonEmail returns the person's address row, or ENOTFOUND.
func (db *DB) FindPersonEmail(ctx context.Context, personID tend.ID) (notify.EmailRecord, error) {
	r := notify.EmailRecord{PersonID: personID}
	var verified, expires sql.NullTime
	var token sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT address, verified_at, token_hash, token_expires_at, updated_at FROM person_emails WHERE person_id = $1`,
		string(personID)).Scan(&r.Address, &verified, &token, &expires, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: person e-mail: %w", err)
	}
	r.VerifiedAt, r.TokenHash, r.TokenExpiresAt, r.UpdatedAt = nullTime(verified), token.String, nullTime(expires), r.UpdatedAt.UTC()
	return r, nil
}

// FindPersonNotifyDiscreet returns whether the person is in discreet
// mode; ENOTFOUND when the person is missing or erased.
func (db *DB) FindPersonNotifyDiscreet(ctx context.Context, personID tend.ID) (bool, error) {
	var on bool
	err := db.read.QueryRowContext(ctx, `SELECT discreet FROM people WHERE id = $1 AND erased_at IS NULL`, string(personID)).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, tend.ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("store: discreet: %w", err)
	}
	return on, nil
}

// FindStaffNotifyEmail returns the staff member's work address; ENOTFOUND
// when the account is missing or disabled.
func (db *DB) FindStaffNotifyEmail(ctx context.Context, staffID tend.ID) (string, error) {
	var email string
	err := db.read.QueryRowContext(ctx, `SELECT email FROM staff WHERE id = $1 AND disabled_at IS NULL`, string(staffID)).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: staff e-mail: %w", err)
	}
	return email, nil
}

// CreatePushSubscription adds a subscription.
func (tx *Tx) CreatePushSubscription(ctx context.Context, r notify.PushRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO push_subscriptions (id, account_kind, account_id, endpoint_hash, subscription, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, string(r.ID), string(r.Account.Kind), string(r.Account.ID), r.EndpointHash, r.Sealed, r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create push subscription: %w", err)
	}
	return nil
}

// DeletePushSubscription removes the account's subscription with this
// endpoint hash and returns its id, or "" when there was none.
func (tx *Tx) DeletePushSubscription(ctx context.Context, account notify.Recipient, endpointHash string) (tend.ID, error) {
	var id string
	err := tx.tx.QueryRowContext(ctx, `DELETE FROM push_subscriptions WHERE account_kind = $1 AND account_id = $2 AND endpoint_hash = $3 RETURNING id`,
		string(account.Kind), string(account.ID), endpointHash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: delete push subscription: %w", err)
	}
	return tend.ID(id), nil
}

// DeletePushSubscriptionByID removes a subscription; none is fine.
func (tx *Tx) DeletePushSubscriptionByID(ctx context.Context, id tend.ID) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = $1`, string(id)); err != nil {
		return fmt.Errorf("store: delete push subscription: %w", err)
	}
	return nil
}

// TouchPushSubscription records a delivery the push service accepted.
func (tx *Tx) TouchPushSubscription(ctx context.Context, id tend.ID, at time.Time) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE push_subscriptions SET last_used = $1 WHERE id = $2`, at.UTC(), string(id)); err != nil {
		return fmt.Errorf("store: touch push subscription: %w", err)
	}
	return nil
}

// CreateVAPIDKey stores the key pair unless one exists already.
func (tx *Tx) CreateVAPIDKey(ctx context.Context, r notify.VAPIDRecord) error {
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO vapid_keys (id, public_key, private_key, created_at) VALUES ('vapid', $1, $2, $3)
		ON CONFLICT (id) DO NOTHING`, r.Public, r.Private, r.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("store: create vapid key: %w", err)
	}
	return nil
}

// SavePersonEmail adds or replaces the person's address row.
func (tx *Tx) SavePersonEmail(ctx context.Context, r notify.EmailRecord) error {
	var token any
	if r.TokenHash != "" {
		token = r.TokenHash
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO person_emails (person_id, address, verified_at, token_hash, token_expires_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (person_id) DO UPDATE SET address = excluded.address, verified_at = excluded.verified_at,
			token_hash = excluded.token_hash, token_expires_at = excluded.token_expires_at, updated_at = excluded.updated_at`,
		string(r.PersonID), r.Address, utcOrNil(r.VerifiedAt), token, utcOrNil(r.TokenExpiresAt), r.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: save person e-mail: %w", err)
	}
	return nil
}

// UsePersonEmailToken marks the address whose pending token has this hash
// and has not expired at as verified, clears the token, and returns the
// person's id; "" when no such token is pending.
func (tx *Tx) UsePersonEmailToken(ctx context.Context, tokenHash string, at time.Time) (tend.ID, error) {
	var id string
	err := tx.tx.QueryRowContext(ctx, `UPDATE person_emails SET verified_at = $1, token_hash = NULL, token_expires_at = NULL, updated_at = $1
		WHERE token_hash = $2 AND token_expires_at > $1 RETURNING person_id`, at.UTC(), tokenHash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: verify person e-mail: %w", err)
	}
	return tend.ID(id), nil
}

// DeletePersonEmail removes the person's address; ENOTFOUND when there is none.
func (tx *Tx) DeletePersonEmail(ctx context.Context, personID tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM person_emails WHERE person_id = $1`, string(personID))
	if err != nil {
		return fmt.Errorf("store: delete person e-mail: %w", err)
	}
	return oneRow(res)
}

func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
