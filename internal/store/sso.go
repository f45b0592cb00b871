package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

// This file implements auth.SSOStore and auth.SSOTx: the links between an
// identity provider's identities and staff accounts (migration 00021).

var (
	_ auth.SSOTx    = (*Tx)(nil)
	_ auth.SSOStore = Adapter[auth.Tx]{}
)

const ssoLinkColumns = `id, staff_id, issuer, subject, created_by, created_at`

func scanSSOLink(row interface{ Scan(...any) error }) (auth.SSOLink, error) {
	var l auth.SSOLink
	err := row.Scan((*string)(&l.ID), (*string)(&l.StaffID), &l.Issuer, &l.Subject, (*string)(&l.CreatedBy), &l.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.SSOLink{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.SSOLink{}, fmt.Errorf("store: read sso link: %w", err)
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return l, nil
}

// FindSSOLink returns the link of issuer and subject, or ENOTFOUND.
func (tx *Tx) FindSSOLink(ctx context.Context, issuer, subject string) (auth.SSOLink, error) {
	return scanSSOLink(tx.tx.QueryRowContext(ctx, `SELECT `+ssoLinkColumns+` FROM staff_sso_links WHERE issuer = $1 AND subject = $2`, issuer, subject))
}

// FindSSOLinkByStaff returns the staff member's link to issuer, or ENOTFOUND.
func (tx *Tx) FindSSOLinkByStaff(ctx context.Context, staffID tend.ID, issuer string) (auth.SSOLink, error) {
	return scanSSOLink(tx.tx.QueryRowContext(ctx, `SELECT `+ssoLinkColumns+` FROM staff_sso_links WHERE staff_id = $1 AND issuer = $2`, string(staffID), issuer))
}

// CreateSSOLink inserts l; ECONFLICT when the identity is linked already or
// the staff member has a link to that issuer.
func (tx *Tx) CreateSSOLink(ctx context.Context, l *auth.SSOLink) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO staff_sso_links (`+ssoLinkColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(l.ID), string(l.StaffID), l.Issuer, l.Subject, string(l.CreatedBy), l.CreatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "That identity is linked already.")
	}
	if err != nil {
		return fmt.Errorf("store: create sso link: %w", err)
	}
	return nil
}

// DeleteSSOLinks removes the staff member's links and says how many.
func (tx *Tx) DeleteSSOLinks(ctx context.Context, staffID tend.ID) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM staff_sso_links WHERE staff_id = $1`, string(staffID))
	if err != nil {
		return 0, fmt.Errorf("store: delete sso links: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FindSSOLinks lists every link, ordered by staff and issuer.
func (db *DB) FindSSOLinks(ctx context.Context) ([]auth.SSOLink, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+ssoLinkColumns+` FROM staff_sso_links ORDER BY staff_id, issuer`)
	if err != nil {
		return nil, fmt.Errorf("store: find sso links: %w", err)
	}
	defer rows.Close()
	var out []auth.SSOLink
	for rows.Next() {
		l, err := scanSSOLink(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
