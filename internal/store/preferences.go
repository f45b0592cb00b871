package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

// This file implements auth.PreferencesStore and auth.PreferencesTx: a
// person's time zone, discreet mode and PIN settings, read in one row.

var (
	_ auth.PreferencesTx    = (*Tx)(nil)
	_ auth.PreferencesStore = (*DB)(nil)
)

// FindPersonPreferences returns the person's preferences, or ENOTFOUND.
// It says whether a PIN is set, never the PIN's hash.
func (db *DB) FindPersonPreferences(ctx context.Context, personID tend.ID) (auth.Preferences, error) {
	var p auth.Preferences
	var pin sql.NullString
	var lock sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT time_zone, discreet, pin_hash, auto_lock_minutes FROM people WHERE id = $1`, string(personID)).
		Scan(&p.TimeZone, &p.Discreet, &pin, &lock)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Preferences{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.Preferences{}, fmt.Errorf("store: read preferences: %w", err)
	}
	p.PIN = pin.Valid && pin.String != ""
	if p.PIN {
		p.AutoLockMinutes = int(lock.Int64)
	}
	return p, nil
}

// UpdatePersonDiscreet turns the person's discreet mode on or off;
// ENOTFOUND when the person is missing.
func (tx *Tx) UpdatePersonDiscreet(ctx context.Context, personID tend.ID, on bool) error {
	return tx.update(ctx, "people", personID, []string{"discreet = $1"}, []any{on})
}
