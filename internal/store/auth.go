package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

// This file implements auth.Store on *DB and auth.Tx on *Tx: accounts'
// credentials, sessions, sign-ins, invites, recovery and reset codes, API
// tokens and rate-limit counters (migration 00004).

// The compiler checks that the store keeps auth's contracts.
var (
	_ auth.Tx    = (*Tx)(nil)
	_ auth.Store = Adapter[auth.Tx]{}
)

// ---- staff accounts ----

const staffColumns = `id, email, name, role, password_hash, mfa_enrolled_at, password_temporary, disabled_at, created_at`

func scanStaff(row interface{ Scan(...any) error }) (auth.StaffAccount, error) {
	var a auth.StaffAccount
	var mfa, disabled sql.NullTime
	err := row.Scan((*string)(&a.ID), &a.Email, &a.Name, (*string)(&a.Role), &a.PasswordHash, &mfa, &a.PasswordTemporary, &disabled, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.StaffAccount{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.StaffAccount{}, fmt.Errorf("store: read staff: %w", err)
	}
	a.MFAEnrolledAt, a.DisabledAt, a.CreatedAt = nullTime(mfa), nullTime(disabled), a.CreatedAt.UTC()
	return a, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func timeOrNull(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// FindStaffAccountByID returns the staff account, or ENOTFOUND.
func (db *DB) FindStaffAccountByID(ctx context.Context, id tend.ID) (auth.StaffAccount, error) {
	return scanStaff(db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, string(id)))
}

// FindStaffAccountByID returns the staff account, or ENOTFOUND.
func (tx *Tx) FindStaffAccountByID(ctx context.Context, id tend.ID) (auth.StaffAccount, error) {
	return scanStaff(tx.tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, string(id)))
}

// FindStaffAccountByEmail returns the staff account with email (lower-case), or ENOTFOUND.
func (db *DB) FindStaffAccountByEmail(ctx context.Context, email string) (auth.StaffAccount, error) {
	return scanStaff(db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = $1`, email))
}

// FindStaffAccountByEmail returns the staff account with email (lower-case), or ENOTFOUND.
func (tx *Tx) FindStaffAccountByEmail(ctx context.Context, email string) (auth.StaffAccount, error) {
	return scanStaff(tx.tx.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = $1`, email))
}

// CreateStaffAccount inserts a; ECONFLICT when the e-mail is taken.
func (tx *Tx) CreateStaffAccount(ctx context.Context, a *auth.StaffAccount) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO staff (id, email, name, role, password_hash, password_temporary, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, string(a.ID), a.Email, a.Name, string(a.Role), a.PasswordHash, a.PasswordTemporary, a.CreatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "That e-mail address already has an account.")
	}
	if err != nil {
		return fmt.Errorf("store: create staff: %w", err)
	}
	return nil
}

// UpdateStaffAccount applies u; ENOTFOUND when the account is missing.
func (tx *Tx) UpdateStaffAccount(ctx context.Context, id tend.ID, u auth.StaffUpdate) error {
	var sets []string
	var args []any
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if u.PasswordHash != nil {
		set("password_hash", *u.PasswordHash)
	}
	if u.PasswordTemporary != nil {
		set("password_temporary", *u.PasswordTemporary)
	}
	if u.MFAEnrolledAt != nil {
		set("mfa_enrolled_at", timeOrNull(*u.MFAEnrolledAt))
	}
	return tx.update(ctx, "staff", id, sets, args)
}

// update runs UPDATE table SET sets WHERE id, with ENOTFOUND for no row.
func (tx *Tx) update(ctx context.Context, table string, id tend.ID, sets []string, args []any) error {
	if len(sets) == 0 {
		return nil
	}
	args = append(args, string(id))
	res, err := tx.tx.ExecContext(ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE id = $%d`, table, strings.Join(sets, ", "), len(args)), args...)
	if err != nil {
		return fmt.Errorf("store: update %s: %w", table, err)
	}
	return oneRow(res)
}

func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return tend.ErrNotFound
	}
	return nil
}

// FindStaffTOTPSecret returns the staff member's TOTP secret (nil when none),
// or ENOTFOUND. TODO(#3): decrypt with the service records key.
func (tx *Tx) FindStaffTOTPSecret(ctx context.Context, staffID tend.ID) ([]byte, error) {
	var secret []byte
	err := tx.tx.QueryRowContext(ctx, `SELECT totp_secret FROM staff WHERE id = $1`, string(staffID)).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tend.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: read totp secret: %w", err)
	}
	return secret, nil
}

// UpdateStaffTOTPSecret replaces the TOTP secret (nil clears it) and forgets
// the last used step. TODO(#3): encrypt with the service records key.
func (tx *Tx) UpdateStaffTOTPSecret(ctx context.Context, staffID tend.ID, secret []byte) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE staff SET totp_secret = $1, totp_last_step = NULL WHERE id = $2`, secret, string(staffID))
	if err != nil {
		return fmt.Errorf("store: save totp secret: %w", err)
	}
	return oneRow(res)
}

// UseTOTPStep records step as used; ECONFLICT when it or a later step was
// used before. One conditional UPDATE, so two requests racing with the same
// code cannot both pass.
func (tx *Tx) UseTOTPStep(ctx context.Context, staffID tend.ID, step int64) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)`, step, string(staffID))
	if err != nil {
		return fmt.Errorf("store: use totp step: %w", err)
	}
	if oneRow(res) != nil {
		return tend.Errorf(tend.ECONFLICT, "That code was already used.")
	}
	return nil
}

// ---- teams ----

// FindTeamIDByName returns the id of the team named name, or ENOTFOUND.
func (tx *Tx) FindTeamIDByName(ctx context.Context, name string) (tend.ID, error) {
	var id string
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM teams WHERE name = $1`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tend.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: find team: %w", err)
	}
	return tend.ID(id), nil
}

// EnsureTeam returns the id of the care team named name, creating it when missing.
func (tx *Tx) EnsureTeam(ctx context.Context, name string) (tend.ID, bool, error) {
	id, err := tx.FindTeamIDByName(ctx, name)
	if err == nil || !errors.Is(err, tend.ErrNotFound) {
		return id, false, err
	}
	id = tend.NewID()
	if _, err := tx.tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`, string(id), name, tx.now); err != nil {
		return "", false, fmt.Errorf("store: create team: %w", err)
	}
	return id, true, nil
}

// CreateStaffTeam puts a staff member in a team; already there is fine.
func (tx *Tx) CreateStaffTeam(ctx context.Context, staffID, teamID tend.ID) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO staff_teams (staff_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, string(staffID), string(teamID))
	if err != nil {
		return fmt.Errorf("store: add staff to team: %w", err)
	}
	return nil
}

// ---- people's accounts ----

const personColumns = `id, username, password_hash, team_id, state, birth_date, age_band, time_zone, country, pin_hash, auto_lock_minutes, created_at`

func scanPerson(row interface{ Scan(...any) error }) (auth.PersonAccount, error) {
	var p auth.PersonAccount
	var birth any
	var band, pin sql.NullString
	var lock sql.NullInt64
	err := row.Scan((*string)(&p.ID), &p.Username, &p.PasswordHash, (*string)(&p.TeamID), (*string)(&p.State), &birth, &band, &p.TimeZone, &p.Country, &pin, &lock, &p.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.PersonAccount{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.PersonAccount{}, fmt.Errorf("store: read person: %w", err)
	}
	p.BirthDate = civilDate(birth)
	p.AgeBand, p.PINHash, p.AutoLockMinutes, p.CreatedAt = band.String, pin.String, int(lock.Int64), p.CreatedAt.UTC()
	return p, nil
}

// civilDate reads a DATE (PostgreSQL gives a time) or TEXT (SQLite) column
// as YYYY-MM-DD.
func civilDate(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.DateOnly)
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// FindPersonAccountByID returns the person's account, or ENOTFOUND.
func (db *DB) FindPersonAccountByID(ctx context.Context, id tend.ID) (auth.PersonAccount, error) {
	return scanPerson(db.read.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = $1`, string(id)))
}

// FindPersonAccountByID returns the person's account, or ENOTFOUND.
func (tx *Tx) FindPersonAccountByID(ctx context.Context, id tend.ID) (auth.PersonAccount, error) {
	return scanPerson(tx.tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE id = $1`, string(id)))
}

// FindPersonAccountByUsername matches the username ignoring case, or ENOTFOUND.
func (db *DB) FindPersonAccountByUsername(ctx context.Context, username string) (auth.PersonAccount, error) {
	return scanPerson(db.read.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE lower(username) = lower($1)`, username))
}

// FindPersonAccountByUsername matches the username ignoring case, or ENOTFOUND.
func (tx *Tx) FindPersonAccountByUsername(ctx context.Context, username string) (auth.PersonAccount, error) {
	return scanPerson(tx.tx.QueryRowContext(ctx, `SELECT `+personColumns+` FROM people WHERE lower(username) = lower($1)`, username))
}

// CreatePersonAccount inserts p; ECONFLICT when the username is taken in any case.
func (tx *Tx) CreatePersonAccount(ctx context.Context, p *auth.PersonAccount) error {
	// People and supporters share one namespace of usernames (supporter.go).
	if taken, err := tx.usernameTaken(ctx, "supporter_accounts", p.Username); err != nil || taken {
		if err == nil {
			err = tend.Errorf(tend.ECONFLICT, "That username is taken.")
		}
		return err
	}
	var lock sql.NullInt64
	if p.AutoLockMinutes > 0 {
		lock = sql.NullInt64{Int64: int64(p.AutoLockMinutes), Valid: true}
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO people (id, username, password_hash, team_id, state, birth_date, age_band, time_zone, country, pin_hash, auto_lock_minutes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(p.ID), p.Username, p.PasswordHash, string(p.TeamID), string(p.State), nullString(p.BirthDate), nullString(p.AgeBand),
		p.TimeZone, p.Country, nullString(p.PINHash), lock, p.CreatedAt.UTC())
	if tx.db.engine.isUniqueViolation(err) {
		return tend.Errorf(tend.ECONFLICT, "That username is taken.")
	}
	if err != nil {
		return fmt.Errorf("store: create person: %w", err)
	}
	return nil
}

// UpdatePersonAccount applies u; ENOTFOUND when the person is missing.
func (tx *Tx) UpdatePersonAccount(ctx context.Context, id tend.ID, u auth.PersonUpdate) error {
	var sets []string
	var args []any
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if u.PasswordHash != nil {
		set("password_hash", *u.PasswordHash)
	}
	if u.PINHash != nil {
		set("pin_hash", nullString(*u.PINHash))
	}
	if u.AutoLockMinutes != nil {
		set("auto_lock_minutes", sql.NullInt64{Int64: int64(*u.AutoLockMinutes), Valid: *u.AutoLockMinutes > 0})
	}
	if u.TimeZone != nil {
		set("time_zone", *u.TimeZone)
	}
	if err := tx.update(ctx, "people", id, sets, args); err != nil {
		return err
	}
	if u.TimeZone != nil {
		// The person's reminders fall due in the new zone from now on:
		// the due finder works out their next time (remind.Service.FindDue).
		return tx.ReminderZoneChanged(ctx, id)
	}
	return nil
}

// ---- invites, recovery and reset codes ----

// CreateInvite inserts inv.
func (tx *Tx) CreateInvite(ctx context.Context, inv *auth.Invite) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO invites (id, code_hash, team_id, age_band, birth_date, state, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(inv.ID), inv.CodeHash, string(inv.TeamID), nullString(inv.AgeBand), nullString(inv.BirthDate), string(inv.State),
		string(inv.CreatedBy), inv.CreatedAt.UTC(), inv.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create invite: %w", err)
	}
	return nil
}

// FindInviteByCodeHash returns the invite, or ENOTFOUND.
func (tx *Tx) FindInviteByCodeHash(ctx context.Context, hash []byte) (auth.Invite, error) {
	var inv auth.Invite
	var band sql.NullString
	var birth any
	var redeemed sql.NullTime
	var person sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT id, code_hash, team_id, age_band, birth_date, state, created_by, created_at, expires_at, redeemed_at, person_id
		FROM invites WHERE code_hash = $1`, hash).Scan((*string)(&inv.ID), &inv.CodeHash, (*string)(&inv.TeamID), &band, &birth,
		(*string)(&inv.State), (*string)(&inv.CreatedBy), &inv.CreatedAt, &inv.ExpiresAt, &redeemed, &person)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Invite{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.Invite{}, fmt.Errorf("store: find invite: %w", err)
	}
	inv.AgeBand, inv.BirthDate, inv.PersonID = band.String, civilDate(birth), tend.ID(person.String)
	inv.CreatedAt, inv.ExpiresAt, inv.RedeemedAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC(), nullTime(redeemed)
	return inv, nil
}

// UpdateInviteRedeemed marks the invite used; ECONFLICT when it already was.
func (tx *Tx) UpdateInviteRedeemed(ctx context.Context, id, personID tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE invites SET redeemed_at = $1, person_id = $2 WHERE id = $3 AND redeemed_at IS NULL`,
		tx.now, string(personID), string(id))
	if err != nil {
		return fmt.Errorf("store: redeem invite: %w", err)
	}
	if oneRow(res) != nil {
		return tend.Errorf(tend.ECONFLICT, "That invite code has already been used.")
	}
	return nil
}

// CreateRecoveryCodes inserts codes.
func (tx *Tx) CreateRecoveryCodes(ctx context.Context, codes []auth.RecoveryCode) error {
	for _, c := range codes {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO recovery_codes (id, person_id, code_hash) VALUES ($1, $2, $3)`,
			string(c.ID), string(c.PersonID), c.CodeHash); err != nil {
			return fmt.Errorf("store: create recovery code: %w", err)
		}
	}
	return nil
}

// UpdateRecoveryCodeUsed uses the person's unused code with hash; ENOTFOUND when none.
func (tx *Tx) UpdateRecoveryCodeUsed(ctx context.Context, personID tend.ID, hash []byte) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE person_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		tx.now, string(personID), hash)
	if err != nil {
		return fmt.Errorf("store: use recovery code: %w", err)
	}
	return oneRow(res)
}

// CreateResetCode inserts c and retires the person's earlier unused codes.
func (tx *Tx) CreateResetCode(ctx context.Context, c *auth.ResetCode) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE reset_codes SET used_at = $1 WHERE person_id = $2 AND used_at IS NULL`, tx.now, string(c.PersonID)); err != nil {
		return fmt.Errorf("store: retire reset codes: %w", err)
	}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO reset_codes (id, person_id, code_hash, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(c.ID), string(c.PersonID), c.CodeHash, string(c.IssuedBy), c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create reset code: %w", err)
	}
	return nil
}

// UpdateResetCodeUsed uses the person's unused, unexpired code with hash;
// ENOTFOUND when there is none. Expiry is compared in Go, since SQLite
// keeps instants as text.
func (tx *Tx) UpdateResetCodeUsed(ctx context.Context, personID tend.ID, hash []byte) error {
	var id string
	var expires time.Time
	err := tx.tx.QueryRowContext(ctx, `SELECT id, expires_at FROM reset_codes WHERE person_id = $1 AND code_hash = $2 AND used_at IS NULL`,
		string(personID), hash).Scan(&id, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return tend.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: find reset code: %w", err)
	}
	if !tx.now.Before(expires) {
		return tend.ErrNotFound
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE reset_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, tx.now, id)
	if err != nil {
		return fmt.Errorf("store: use reset code: %w", err)
	}
	return oneRow(res)
}

// ---- sessions and sign-ins ----

const sessionColumns = `id, token_hash, account_kind, account_id, mfa, locked, device, created_at, last_seen_at, expires_at, absolute_at`

func scanSession(row interface{ Scan(...any) error }) (auth.Session, error) {
	var s auth.Session
	err := row.Scan((*string)(&s.ID), &s.TokenHash, (*string)(&s.AccountKind), (*string)(&s.AccountID), &s.MFA, &s.Locked, &s.Device,
		&s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.AbsoluteAt)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Session{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.Session{}, fmt.Errorf("store: read session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.AbsoluteAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC(), s.AbsoluteAt.UTC()
	return s, nil
}

// FindSessionByTokenHash returns the session, or ENOTFOUND. It reads the
// primary (on PostgreSQL the read pool is the primary), so a sign-out
// holds on the next request.
func (db *DB) FindSessionByTokenHash(ctx context.Context, hash []byte) (auth.Session, error) {
	return scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, hash))
}

// FindSessionByTokenHash returns the session, or ENOTFOUND.
func (tx *Tx) FindSessionByTokenHash(ctx context.Context, hash []byte) (auth.Session, error) {
	return scanSession(tx.tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, hash))
}

// CreateSession inserts s.
func (tx *Tx) CreateSession(ctx context.Context, s *auth.Session) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		string(s.ID), s.TokenHash, string(s.AccountKind), string(s.AccountID), s.MFA, s.Locked, s.Device,
		s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC(), s.AbsoluteAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// UpdateSession applies u; ENOTFOUND when the session is gone.
func (tx *Tx) UpdateSession(ctx context.Context, id tend.ID, u auth.SessionUpdate) error {
	var sets []string
	var args []any
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if u.LastSeenAt != nil {
		set("last_seen_at", u.LastSeenAt.UTC())
	}
	if u.ExpiresAt != nil {
		set("expires_at", u.ExpiresAt.UTC())
	}
	if u.MFA != nil {
		set("mfa", *u.MFA)
	}
	if u.Locked != nil {
		set("locked", *u.Locked)
	}
	return tx.update(ctx, "sessions", id, sets, args)
}

// DeleteSession removes one session; ENOTFOUND when it is gone.
func (tx *Tx) DeleteSession(ctx context.Context, id tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, string(id))
	if err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return oneRow(res)
}

// DeleteSessions removes every session of an account and says how many.
func (tx *Tx) DeleteSessions(ctx context.Context, accountID tend.ID) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1`, string(accountID))
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CreateSignIn records a sign-in attempt.
func (tx *Tx) CreateSignIn(ctx context.Context, s *auth.SignIn) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO sign_ins (id, account_kind, account_id, at, device, outcome) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(s.ID), string(s.AccountKind), string(s.AccountID), s.At.UTC(), s.Device, s.Outcome)
	if err != nil {
		return fmt.Errorf("store: record sign-in: %w", err)
	}
	return nil
}

// FindSignIns lists an account's sign-ins, newest first, at most limit.
func (db *DB) FindSignIns(ctx context.Context, accountID tend.ID, limit int) ([]auth.SignIn, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, account_kind, account_id, at, device, outcome FROM sign_ins
		WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, string(accountID), limit)
	if err != nil {
		return nil, fmt.Errorf("store: find sign-ins: %w", err)
	}
	defer rows.Close()
	var out []auth.SignIn
	for rows.Next() {
		var s auth.SignIn
		if err := rows.Scan((*string)(&s.ID), (*string)(&s.AccountKind), (*string)(&s.AccountID), &s.At, &s.Device, &s.Outcome); err != nil {
			return nil, err
		}
		s.At = s.At.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// ---- API tokens ----

const tokenColumns = `id, token_hash, account_kind, account_id, role, scopes, created_at, expires_at, revoked_at` // #nosec G101 -- column names, not a credential

func scanToken(row interface{ Scan(...any) error }) (auth.Token, error) {
	var t auth.Token
	var scopes string
	var revoked sql.NullTime
	err := row.Scan((*string)(&t.ID), &t.TokenHash, (*string)(&t.AccountKind), (*string)(&t.AccountID), (*string)(&t.Role), &scopes,
		&t.CreatedAt, &t.ExpiresAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Token{}, tend.ErrNotFound
	}
	if err != nil {
		return auth.Token{}, fmt.Errorf("store: read token: %w", err)
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC(), nullTime(revoked)
	return t, nil
}

// CreateToken inserts t (scopes are stored space-separated).
func (tx *Tx) CreateToken(ctx context.Context, t *auth.Token) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO api_tokens (id, token_hash, account_kind, account_id, role, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, string(t.ID), t.TokenHash, string(t.AccountKind), string(t.AccountID), string(t.Role),
		strings.Join(t.Scopes, " "), t.CreatedAt.UTC(), t.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// FindTokenByHash returns the API token, or ENOTFOUND.
func (db *DB) FindTokenByHash(ctx context.Context, hash []byte) (auth.Token, error) {
	return scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash))
}

// FindTokenByID returns the API token, or ENOTFOUND.
func (tx *Tx) FindTokenByID(ctx context.Context, id tend.ID) (auth.Token, error) {
	return scanToken(tx.tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`, string(id)))
}

// FindTokens lists an account's API tokens, newest first.
func (db *DB) FindTokens(ctx context.Context, accountID tend.ID) ([]auth.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE account_id = $1 ORDER BY created_at DESC, id DESC`, string(accountID))
	if err != nil {
		return nil, fmt.Errorf("store: find tokens: %w", err)
	}
	defer rows.Close()
	var out []auth.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UpdateTokenRevoked sets revoked_at; ENOTFOUND when the token is missing.
func (tx *Tx) UpdateTokenRevoked(ctx context.Context, id tend.ID, at time.Time) error {
	res, err := tx.tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, at.UTC(), string(id))
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return oneRow(res)
}

// ---- rate limits ----

// FindRateLimitCount returns the counter for key in the window starting at
// windowStart, or 0.
func (db *DB) FindRateLimitCount(ctx context.Context, key string, windowStart time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count FROM rate_limits WHERE key = $1 AND window_start = $2`, key, windowStart.UTC()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: read rate limit: %w", err)
	}
	return n, nil
}

// UpdateRateLimit adds one to the counter and returns the new count.
func (tx *Tx) UpdateRateLimit(ctx context.Context, key string, windowStart time.Time) (int, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, tx.db.engine.upsertRateLimit(), key, windowStart.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count rate limit: %w", err)
	}
	return n, nil
}

// ---- dialect (belongs in dialect.go; kept here while others edit it) ----

// upsertRateLimit adds one to a fixed-window counter and returns the count.
// Both engines accept ON CONFLICT ... DO UPDATE ... RETURNING (SQLite since
// 3.35), so the text is the same; it lives with the dialect methods because
// an upsert is where engines differ.
func (e Engine) upsertRateLimit() string {
	return `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING count`
}
