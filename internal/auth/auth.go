package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tendcare/tend"
)

// StaffAccount is a staff member's sign-in record.
type StaffAccount struct {
	ID            tend.ID
	Email         string // lower-case
	Name          string
	Role          tend.Role
	PasswordHash  string
	MFAEnrolledAt *time.Time // nil until a TOTP code confirmed enrolment
	// PasswordTemporary is set when an admin issued a one-time password;
	// the next sign-in must choose a new one.
	PasswordTemporary bool
	DisabledAt        *time.Time
	CreatedAt         time.Time
}

// PersonAccount is a person's sign-in record (no e-mail needed).
type PersonAccount struct {
	ID              tend.ID
	Username        string // as chosen; unique ignoring case
	PasswordHash    string
	TeamID          tend.ID
	State           tend.PersonState
	BirthDate       string // YYYY-MM-DD, or ""
	AgeBand         string // under_18, 18_25, over_25, or ""
	TimeZone        string
	Country         string
	PINHash         string // "" when the person set no PIN
	AutoLockMinutes int    // 0: never locks by itself
	CreatedAt       time.Time
}

// Session is one signed-in browser. Only the SHA-256 of its token is stored.
type Session struct {
	ID          tend.ID
	TokenHash   []byte
	AccountKind tend.AccountKind
	AccountID   tend.ID
	// MFA is true when a staff session passed its second factor (always
	// true for people and, in demo mode, for staff).
	MFA        bool
	Device     string // e.g. "Firefox on Android", derived by the caller
	CreatedAt  time.Time
	LastSeenAt time.Time // moved at most once a minute
	ExpiresAt  time.Time // idle expiry, never after AbsoluteAt
	AbsoluteAt time.Time
	// Locked means the person must enter their PIN before going on: they
	// locked it, or it was idle longer than their auto-lock minutes.
	Locked bool
	// Filled by Authenticate and the sign-in methods, not stored here:
	MFAEnrolled            bool // staff: a second factor is enrolled
	PasswordChangeRequired bool // staff: signed in with a one-time password
}

// SessionUpdate changes a session; nil fields stay as they are.
type SessionUpdate struct {
	LastSeenAt *time.Time
	ExpiresAt  *time.Time
	MFA        *bool
	Locked     *bool
}

// SignIn is one recorded sign-in attempt on a known account, for the
// person's "own sign-ins" page.
type SignIn struct {
	ID          tend.ID
	AccountKind tend.AccountKind
	AccountID   tend.ID
	At          time.Time
	Device      string
	Outcome     string // tend.OutcomeOK, tend.OutcomeFailed, or OutcomeRateLimited
}

// OutcomeRateLimited records a sign-in refused by a rate limit.
const OutcomeRateLimited = "rate_limited"

// Age bands recorded at invitation (young-people.md).
const (
	AgeUnder18 = "under_18"
	Age18To25  = "18_25"
	AgeOver25  = "over_25"
)

// Invite lets one person join. The code itself is never stored, only its
// SHA-256. Invites carry no free text: a note about the person would be
// health content, so there is none.
type Invite struct {
	ID         tend.ID
	CodeHash   []byte
	TeamID     tend.ID
	AgeBand    string // or BirthDate; at most one of the two
	BirthDate  string // YYYY-MM-DD
	State      tend.PersonState
	CreatedBy  tend.ID
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RedeemedAt *time.Time
	PersonID   tend.ID // who joined with it
}

// RecoveryCode is one of a person's single-use recovery codes (hashed).
type RecoveryCode struct {
	ID       tend.ID
	PersonID tend.ID
	CodeHash []byte
	UsedAt   *time.Time
}

// ResetCode is a short-lived, single-use code the care team or an admin
// gives a person to set a new password.
type ResetCode struct {
	ID        tend.ID
	PersonID  tend.ID
	CodeHash  []byte
	IssuedBy  tend.ID
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Token is an API token for an integration (the secret is shown once).
type Token struct {
	ID          tend.ID
	TokenHash   []byte
	AccountKind tend.AccountKind
	AccountID   tend.ID
	Role        tend.Role // staff role when created
	Scopes      []string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}

// StaffUpdate changes a staff account; nil fields stay as they are.
type StaffUpdate struct {
	PasswordHash      *string
	PasswordTemporary *bool
	// MFAEnrolledAt: a pointer to nil clears enrolment.
	MFAEnrolledAt **time.Time
}

// PersonUpdate changes a person's account; nil fields stay as they are.
type PersonUpdate struct {
	PasswordHash    *string
	PINHash         *string // "" removes the PIN
	AutoLockMinutes *int
	TimeZone        *string
}

// Store is what the auth service reads outside a unit of work. Reads go to
// the primary, so a revoked session fails on the next request.
type Store interface {
	// InTx runs fn in one unit of work: everything commits or nothing.
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindSessionByTokenHash returns the session, or ENOTFOUND.
	FindSessionByTokenHash(ctx context.Context, hash []byte) (Session, error)
	// FindStaffAccountByID returns the staff account, or ENOTFOUND.
	FindStaffAccountByID(ctx context.Context, id tend.ID) (StaffAccount, error)
	// FindPersonAccountByID returns the person's account, or ENOTFOUND.
	FindPersonAccountByID(ctx context.Context, id tend.ID) (PersonAccount, error)
	// FindStaffAccountByEmail returns the account (email lower-case), or ENOTFOUND.
	FindStaffAccountByEmail(ctx context.Context, email string) (StaffAccount, error)
	// FindPersonAccountByUsername matches ignoring case, or ENOTFOUND.
	FindPersonAccountByUsername(ctx context.Context, username string) (PersonAccount, error)
	// FindTokenByHash returns the API token, or ENOTFOUND.
	FindTokenByHash(ctx context.Context, hash []byte) (Token, error)
	// FindTokens lists an account's API tokens, newest first (none: empty).
	FindTokens(ctx context.Context, accountID tend.ID) ([]Token, error)
	// FindSignIns lists an account's sign-ins, newest first, at most limit.
	FindSignIns(ctx context.Context, accountID tend.ID, limit int) ([]SignIn, error)
	// FindRateLimitCount returns the counter for key in the window starting
	// at windowStart (0 when there is none).
	FindRateLimitCount(ctx context.Context, key string, windowStart time.Time) (int, error)
	// A person's preferences (preferences.go).
	PreferencesStore
	// Supporters' accounts (supporter.go).
	SupporterStore
}

// Tx is one unit of work. Every write method is paired with an audit event
// appended through AppendAudit in the same Tx.
type Tx interface {
	// Now is the instant the unit of work started.
	Now() time.Time
	// AppendAudit adds events to the audit trail in this unit of work.
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error

	// CreateStaffAccount inserts a; ECONFLICT when the e-mail is taken.
	CreateStaffAccount(ctx context.Context, a *StaffAccount) error
	// FindStaffAccountByEmail returns the account (email lower-case), or ENOTFOUND.
	FindStaffAccountByEmail(ctx context.Context, email string) (StaffAccount, error)
	// FindStaffAccountByID returns the account, or ENOTFOUND.
	FindStaffAccountByID(ctx context.Context, id tend.ID) (StaffAccount, error)
	// UpdateStaffAccount changes the account; ENOTFOUND when missing.
	UpdateStaffAccount(ctx context.Context, id tend.ID, u StaffUpdate) error
	// FindStaffTOTPSecret returns the raw TOTP secret (nil when none), or
	// ENOTFOUND for a missing account. The store may encrypt it at rest.
	FindStaffTOTPSecret(ctx context.Context, staffID tend.ID) ([]byte, error)
	// UpdateStaffTOTPSecret replaces the TOTP secret (nil clears it) and
	// forgets the last used time step; ENOTFOUND when missing.
	UpdateStaffTOTPSecret(ctx context.Context, staffID tend.ID, secret []byte) error
	// UseTOTPStep records that a code of time step was used; ECONFLICT
	// when that step or a later one was used before (a replay).
	UseTOTPStep(ctx context.Context, staffID tend.ID, step int64) error
	// EnsureTeam returns the id of the team named name, creating it
	// (created=true) when there is none.
	EnsureTeam(ctx context.Context, name string) (id tend.ID, created bool, err error)
	// FindTeamIDByName returns the team's id, or ENOTFOUND.
	FindTeamIDByName(ctx context.Context, name string) (tend.ID, error)
	// CreateStaffTeam puts a staff member in a team (no error if already there).
	CreateStaffTeam(ctx context.Context, staffID, teamID tend.ID) error

	// CreatePersonAccount inserts a; ECONFLICT when the username is taken
	// in any letter case.
	CreatePersonAccount(ctx context.Context, a *PersonAccount) error
	// FindPersonAccountByUsername matches ignoring case, or ENOTFOUND.
	FindPersonAccountByUsername(ctx context.Context, username string) (PersonAccount, error)
	// FindPersonAccountByID returns the account, or ENOTFOUND.
	FindPersonAccountByID(ctx context.Context, id tend.ID) (PersonAccount, error)
	// UpdatePersonAccount changes the account; ENOTFOUND when missing.
	UpdatePersonAccount(ctx context.Context, id tend.ID, u PersonUpdate) error

	// CreateInvite inserts inv.
	CreateInvite(ctx context.Context, inv *Invite) error
	// FindInviteByCodeHash returns the invite, or ENOTFOUND.
	FindInviteByCodeHash(ctx context.Context, hash []byte) (Invite, error)
	// UpdateInviteRedeemed marks the invite used by personID; ECONFLICT
	// when it was already used (two redemptions racing).
	UpdateInviteRedeemed(ctx context.Context, id, personID tend.ID) error

	// CreateRecoveryCodes inserts codes.
	CreateRecoveryCodes(ctx context.Context, codes []RecoveryCode) error
	// UpdateRecoveryCodeUsed marks the person's unused code with hash used;
	// ENOTFOUND when there is none.
	UpdateRecoveryCodeUsed(ctx context.Context, personID tend.ID, hash []byte) error

	// CreateResetCode inserts c and marks the person's earlier unused codes used.
	CreateResetCode(ctx context.Context, c *ResetCode) error
	// UpdateResetCodeUsed marks the person's unused, unexpired code with
	// hash used; ENOTFOUND when there is none.
	UpdateResetCodeUsed(ctx context.Context, personID tend.ID, hash []byte) error

	// CreateSession inserts s.
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByTokenHash returns the session, or ENOTFOUND.
	FindSessionByTokenHash(ctx context.Context, hash []byte) (Session, error)
	// UpdateSession changes the session; ENOTFOUND when it is gone.
	UpdateSession(ctx context.Context, id tend.ID, u SessionUpdate) error
	// DeleteSession removes one session; ENOTFOUND when it is gone.
	DeleteSession(ctx context.Context, id tend.ID) error
	// DeleteSessions removes every session of an account and says how many.
	DeleteSessions(ctx context.Context, accountID tend.ID) (int, error)
	// CreateSignIn records a sign-in attempt.
	CreateSignIn(ctx context.Context, s *SignIn) error

	// CreateToken inserts t.
	CreateToken(ctx context.Context, t *Token) error
	// FindTokenByID returns the token, or ENOTFOUND.
	FindTokenByID(ctx context.Context, id tend.ID) (Token, error)
	// UpdateTokenRevoked sets revoked_at; ENOTFOUND when missing.
	UpdateTokenRevoked(ctx context.Context, id tend.ID, at time.Time) error

	// UpdateRateLimit adds one to the counter for key in the window
	// starting at windowStart and returns the new count.
	UpdateRateLimit(ctx context.Context, key string, windowStart time.Time) (int, error)
	// A person's preferences (preferences.go).
	PreferencesTx
	// Supporters' invites and accounts (supporter.go).
	SupporterTx
}

// CareTeam tells whether a staff member is on a person's care team. The
// careteam package implements it; without one, only admins issue reset codes.
type CareTeam interface {
	IsCareTeamMember(ctx context.Context, staffID, personID tend.ID) (bool, error)
}

// Options tune the service. Zero values take the defaults in brackets.
type Options struct {
	Demo            bool          // staff need no second factor (demo mode only)
	TimeZone        string        // the service's zone, a person's default
	Country         string        // the service's country, a person's default
	Issuer          string        // shown in authenticator apps [Tend]
	HashConcurrency int           // hashes at once [runtime.NumCPU()]
	PersonIdle      time.Duration // [14 days]
	PersonAbsolute  time.Duration // [90 days]
	ResetCodeTTL    time.Duration // [24 h]
	InviteTTL       time.Duration // [72 h]
	Limits          Limits        // [DefaultLimits]
	CareTeam        CareTeam      // [nil: admins only issue reset codes]
	// Secrets seals second-factor secrets at rest (the vault's service
	// records key). Nil stores them as they are: tests only; serve always
	// sets it.
	Secrets Secrets
	// SSO says how single sign-on trusts the identity provider (sso.go).
	SSO SSOOptions
}

// Secrets seals and opens a staff member's second-factor secret, bound to
// that staff member. *vault.Vault does this through its records key.
type Secrets interface {
	SealSecret(ctx context.Context, staffID tend.ID, secret []byte) ([]byte, error)
	OpenSecret(ctx context.Context, staffID tend.ID, sealed []byte) ([]byte, error)
}

// Fixed for staff by DESIGN.md "Sessions".
const (
	StaffIdle      = 30 * time.Minute
	StaffAbsolute  = 12 * time.Hour
	extendEvery    = time.Minute
	maxTokenTTL    = 366 * 24 * time.Hour
	maxDeviceRunes = 80
)

// Service signs accounts in and out and keeps their credentials.
type Service struct {
	store  Store
	clock  tend.Clock
	opt    Options
	hasher *Hasher

	dummyOnce sync.Once
	dummy     string
	dummyErr  error

	// demoHashes: in demo mode every account is made with the same
	// password, printed for anyone to use; its hash is worked out once and
	// reused, so seeding a demo service costs one argon2id hash, not one
	// per account. Outside demo mode every account gets its own salt.
	demoMu     sync.Mutex
	demoHashes map[string]string
}

// accountHash hashes a new account's password (see demoHashes).
func (s *Service) accountHash(ctx context.Context, password string) (string, error) {
	if !s.opt.Demo {
		return s.hasher.Hash(ctx, password)
	}
	s.demoMu.Lock()
	defer s.demoMu.Unlock()
	if h, ok := s.demoHashes[password]; ok {
		return h, nil
	}
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	if s.demoHashes == nil {
		s.demoHashes = map[string]string{}
	}
	s.demoHashes[password] = h
	return h, nil
}

// NewService returns a Service over store, telling time by clock.
func NewService(store Store, clock tend.Clock, opt Options) *Service {
	if opt.HashConcurrency <= 0 {
		opt.HashConcurrency = runtime.NumCPU()
	}
	if opt.PersonIdle <= 0 {
		opt.PersonIdle = 14 * 24 * time.Hour
	}
	if opt.PersonAbsolute <= 0 {
		opt.PersonAbsolute = 90 * 24 * time.Hour
	}
	if opt.ResetCodeTTL <= 0 {
		opt.ResetCodeTTL = 24 * time.Hour
	}
	if opt.InviteTTL <= 0 {
		opt.InviteTTL = 72 * time.Hour
	}
	if opt.Issuer == "" {
		opt.Issuer = "Tend"
	}
	if opt.TimeZone == "" {
		opt.TimeZone = "UTC"
	}
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits
	}
	return &Service{store: store, clock: clock, opt: opt, hasher: NewHasher(opt.HashConcurrency)}
}

// Hasher returns the service's password hasher.
func (s *Service) Hasher() *Hasher { return s.hasher }

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// Client is where a request comes from: the real client address (after
// trusted proxies) and a short device description such as "Firefox on
// Android", derived by the caller.
type Client struct {
	Address string
	Device  string
}

func (c Client) device() string {
	d := strings.TrimSpace(c.Device)
	if r := []rune(d); len(r) > maxDeviceRunes {
		d = string(r[:maxDeviceRunes])
	}
	return d
}

// dummyHash is a hash of a fixed password, verified against for unknown
// accounts so they cost the same work as known ones.
func (s *Service) dummyHash(ctx context.Context) (string, error) {
	s.dummyOnce.Do(func() { s.dummy, s.dummyErr = s.hasher.Hash(ctx, dummyPassword) })
	return s.dummy, s.dummyErr
}

// verify checks password against hash, or against the dummy when hash is
// empty (then the answer is always false).
func (s *Service) verify(ctx context.Context, hash, password string) (bool, error) {
	if hash == "" {
		d, err := s.dummyHash(ctx)
		if err != nil {
			return false, err
		}
		_, err = s.hasher.Verify(ctx, d, password)
		return false, err
	}
	return s.hasher.Verify(ctx, hash, password)
}

// sum is SHA-256, how codes and tokens are stored.
func sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// randomCode returns n base32 characters (5 bits each) from crypto/rand.
func randomCode(n int) string {
	b := make([]byte, (n*5+7)/8)
	if _, err := rand.Read(b); err != nil {
		panic("auth: random source failed: " + err.Error()) // nothing is safe without one
	}
	return b32.EncodeToString(b)[:n]
}

// groupCode shows a code in groups of 4 separated by '-'.
func groupCode(c string) string {
	var parts []string
	for len(c) > 4 {
		parts = append(parts, c[:4])
		c = c[4:]
	}
	return strings.Join(append(parts, c), "-")
}

// normalizeCode undoes what people do when typing a code: spaces, dashes,
// lower case, and digits that look like letters missing from base32.
func normalizeCode(c string) string {
	c = strings.ToUpper(c)
	var b strings.Builder
	for _, r := range c {
		switch r {
		case ' ', '-', '\t':
		case '0':
			b.WriteRune('O')
		case '1':
			b.WriteRune('I')
		case '8':
			b.WriteRune('B')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isKind(err error, kind string) bool { return err != nil && tend.ErrorKind(err) == kind }

func isNotFound(err error) bool { return errors.Is(err, tend.ErrNotFound) }

func event(actor tend.Actor, action string, personID tend.ID, target, outcome string) tend.AuditEvent {
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role), Action: action,
		PersonID: personID, Target: target, Outcome: outcome}
}

func target(kind string, id tend.ID) string { return kind + ":" + string(id) }

// DefaultHashConcurrency is how many hashes run at once unless
// Options.HashConcurrency says otherwise.
func DefaultHashConcurrency() int { return runtime.NumCPU() }
