package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/tendcare/tend"
)

// NewStaff is what creating a staff account takes.
type NewStaff struct {
	Email    string
	Name     string
	Role     tend.Role
	Team     string // team name, created when missing; "" for none
	Password string // "" makes a one-time password, returned once
}

func isAdmin(a tend.Actor) bool {
	return a.Kind == tend.KindSystem || (a.IsStaff(tend.RoleAdmin) && a.MFA)
}

// NormalizeEmail lower-cases and trims an e-mail address.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func checkEmail(e string) error {
	at := strings.IndexByte(e, '@')
	if at < 1 || at == len(e)-1 || len(e) > 254 || strings.ContainsAny(e, " \t\r\n,;<>") || strings.Count(e, "@") != 1 {
		return tend.Errorf(tend.EINVALID, "Enter an e-mail address such as name@example.org.")
	}
	return nil
}

// CreateStaff creates a staff account (admins and the command line only).
// With no password it makes a one-time password, returned here once; the
// first sign-in must replace it. A taken e-mail address is ECONFLICT.
func (s *Service) CreateStaff(ctx context.Context, actor tend.Actor, n NewStaff) (StaffAccount, string, error) {
	if !isAdmin(actor) {
		return StaffAccount{}, "", tend.ErrForbidden
	}
	email := NormalizeEmail(n.Email)
	if err := checkEmail(email); err != nil {
		return StaffAccount{}, "", err
	}
	name := strings.TrimSpace(n.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return StaffAccount{}, "", tend.Errorf(tend.EINVALID, "Enter the staff member's name (at most 100 characters).")
	}
	switch n.Role {
	case tend.RoleClinician, tend.RoleLead, tend.RoleAdmin:
	default:
		return StaffAccount{}, "", tend.Errorf(tend.EINVALID, "The role must be clinician, lead or admin.")
	}
	password, temporary := n.Password, false
	if password == "" {
		password, temporary = groupCode(randomCode(16)), true
	}
	if err := CheckPassword(password); err != nil {
		return StaffAccount{}, "", err
	}
	hash, err := s.accountHash(ctx, password)
	if err != nil {
		return StaffAccount{}, "", err
	}
	a := StaffAccount{ID: tend.NewID(), Email: email, Name: name, Role: n.Role, PasswordHash: hash, PasswordTemporary: temporary}
	err = s.store.InTx(ctx, func(tx Tx) error {
		a.CreatedAt = tx.Now().UTC()
		if err := tx.CreateStaffAccount(ctx, &a); err != nil {
			if isKind(err, tend.ECONFLICT) {
				return tend.Errorf(tend.ECONFLICT, "There is already a staff account for %s.", email)
			}
			return err
		}
		evs := []tend.AuditEvent{event(actor, "auth.staff_created", "", target("staff", a.ID), tend.OutcomeOK)}
		if team := strings.TrimSpace(n.Team); team != "" {
			id, created, err := tx.EnsureTeam(ctx, team)
			if err != nil {
				return err
			}
			if created {
				evs = append(evs, event(actor, "team.created", "", target("team", id), tend.OutcomeOK))
			}
			if err := tx.CreateStaffTeam(ctx, a.ID, id); err != nil {
				return err
			}
			evs = append(evs, event(actor, "team.staff_added", "", target("staff", a.ID), tend.OutcomeOK))
		}
		return tx.AppendAudit(ctx, evs...)
	})
	if err != nil {
		return StaffAccount{}, "", err
	}
	if !temporary {
		password = ""
	}
	return a, password, nil
}

// SignInStaff checks a staff member's e-mail and password and starts a
// session. The session has MFA false until VerifyTOTP (or ConfirmTOTP for
// a first enrolment) passes, except in demo mode. A wrong password and an
// unknown address give the same EUNAUTHORIZED answer after the same work.
func (s *Service) SignInStaff(ctx context.Context, email, password string, c Client) (string, Session, error) {
	email = NormalizeEmail(email)
	var acct *StaffAccount
	a, err := s.store.FindStaffAccountByEmail(ctx, email)
	switch {
	case err == nil && a.DisabledAt == nil:
		acct = &a
	case err != nil && !isNotFound(err):
		return "", Session{}, err
	}
	var id tend.ID
	var hash string
	if acct != nil {
		id, hash = acct.ID, acct.PasswordHash
	}
	tok, ss, err := s.signIn(ctx, tend.KindStaff, "staff", email, id, hash, password, c, s.opt.Demo,
		"That e-mail address and password do not match an account.")
	if err != nil {
		return "", Session{}, err
	}
	ss.MFAEnrolled = acct.MFAEnrolledAt != nil
	ss.PasswordChangeRequired = acct.PasswordTemporary
	return tok, ss, nil
}

// signIn is the shared sign-in: limits, one hash (against a dummy for an
// unknown account), then the session or the failure, recorded and audited.
func (s *Service) signIn(ctx context.Context, kind tend.AccountKind, scope, ident string, id tend.ID, hash, password string, c Client, mfa bool, wrong string) (string, Session, error) {
	cs := []counter{
		newCounter(s.opt.Limits.SignInAccountAddress, "sign-in", scope, ident, c.Address),
		newCounter(s.opt.Limits.SignInAccount, "sign-in", scope, ident),
		newCounter(s.opt.Limits.SignInAddress, "sign-in", "address", c.Address),
	}
	actor := tend.Actor{Kind: kind, ID: id}
	pid := tend.ID("")
	if kind == tend.KindPerson {
		pid = id
	}
	tgt := target(string(kind), id)
	if id == "" {
		tgt = string(kind) + ":unknown"
	}
	if lerr := s.checkLimits(ctx, "sign-in attempts", cs...); lerr != nil {
		if id != "" {
			err := s.store.InTx(ctx, func(tx Tx) error {
				if err := tx.CreateSignIn(ctx, &SignIn{ID: tend.NewID(), AccountKind: kind, AccountID: id, At: tx.Now().UTC(), Device: c.device(), Outcome: OutcomeRateLimited}); err != nil {
					return err
				}
				return tx.AppendAudit(ctx, event(actor, "auth.sign_in", pid, tgt, tend.OutcomeDenied))
			})
			if err != nil {
				return "", Session{}, err
			}
		}
		return "", Session{}, lerr
	}
	if password == "" || len(password) > maxPasswordLen {
		password = dummyPassword + "!" // still costs one hash, never matches
	}
	ok, err := s.verify(ctx, hash, password)
	if err != nil {
		return "", Session{}, err
	}
	var tok string
	var ss Session
	err = s.store.InTx(ctx, func(tx Tx) error {
		outcome := tend.OutcomeOK
		if ok {
			if tok, ss, err = s.startSession(ctx, tx, kind, id, mfa, c.device()); err != nil {
				return err
			}
		} else {
			outcome = tend.OutcomeFailed
			if err := countFailure(ctx, tx, cs...); err != nil {
				return err
			}
		}
		if id != "" {
			if err := tx.CreateSignIn(ctx, &SignIn{ID: tend.NewID(), AccountKind: kind, AccountID: id, At: tx.Now().UTC(), Device: c.device(), Outcome: outcome}); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, event(actor, "auth.sign_in", pid, tgt, outcome))
	})
	if err != nil {
		return "", Session{}, err
	}
	if !ok {
		return "", Session{}, tend.Errorf(tend.EUNAUTHORIZED, "%s", wrong)
	}
	return tok, ss, nil
}

// Enrolment is a new TOTP secret to put into an authenticator app.
type Enrolment struct {
	Secret string // base32, for typing in
	URL    string // otpauth:// URL, for a QR code
}

// BeginTOTP makes a new TOTP secret for the signed-in staff member, who
// has none enrolled yet. ConfirmTOTP with a code from the app finishes.
func (s *Service) BeginTOTP(ctx context.Context, token string) (Enrolment, error) {
	actor, ss, err := s.Authenticate(ctx, token)
	if err != nil {
		return Enrolment{}, err
	}
	if actor.Kind != tend.KindStaff {
		return Enrolment{}, tend.ErrNotFound
	}
	if ss.MFAEnrolled {
		return Enrolment{}, tend.Errorf(tend.ECONFLICT, "A second factor is already set up. An admin can reset it if the device is lost.")
	}
	a, err := s.store.FindStaffAccountByID(ctx, actor.ID)
	if err != nil {
		return Enrolment{}, err
	}
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.opt.Issuer, AccountName: a.Email, Secret: secret})
	if err != nil {
		return Enrolment{}, err
	}
	stored := secret
	if s.opt.Secrets != nil {
		if stored, err = s.opt.Secrets.SealSecret(ctx, actor.ID, secret); err != nil {
			return Enrolment{}, err
		}
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdateStaffTOTPSecret(ctx, actor.ID, stored); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.mfa_enrolment_started", "", target("staff", actor.ID), tend.OutcomeOK))
	})
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP finishes enrolment with a code from the app: the second
// factor is enrolled and this session has passed it.
func (s *Service) ConfirmTOTP(ctx context.Context, token, code string) (Session, error) {
	return s.checkTOTP(ctx, token, code, true)
}

// VerifyTOTP checks a code for an enrolled staff member and marks the
// session as having passed its second factor. A code's time step is
// accepted once: a replayed code is refused.
func (s *Service) VerifyTOTP(ctx context.Context, token, code string) (Session, error) {
	return s.checkTOTP(ctx, token, code, false)
}

func (s *Service) checkTOTP(ctx context.Context, token, code string, enrol bool) (Session, error) {
	actor, ss, err := s.Authenticate(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if actor.Kind != tend.KindStaff {
		return Session{}, tend.ErrNotFound
	}
	if enrol == ss.MFAEnrolled {
		if enrol {
			return Session{}, tend.Errorf(tend.ECONFLICT, "A second factor is already set up.")
		}
		return Session{}, tend.Errorf(tend.ECONFLICT, "Set up a second factor first.")
	}
	c := newCounter(s.opt.Limits.MFA, "mfa", string(actor.ID))
	if err := s.checkLimits(ctx, "wrong codes", c); err != nil {
		return Session{}, err
	}
	action := "auth.mfa_verified"
	if enrol {
		action = "auth.mfa_enrolled"
	}
	var problem error
	err = s.store.InTx(ctx, func(tx Tx) error {
		secret, err := tx.FindStaffTOTPSecret(ctx, actor.ID)
		if err != nil {
			return err
		}
		if s.opt.Secrets != nil && secret != nil {
			if secret, err = s.opt.Secrets.OpenSecret(ctx, actor.ID, secret); err != nil {
				return err
			}
		}
		step, ok := matchTOTP(secret, code, tx.Now())
		if ok {
			err := tx.UseTOTPStep(ctx, actor.ID, step)
			if isKind(err, tend.ECONFLICT) {
				ok, problem = false, tend.Errorf(tend.EINVALID, "That code was already used. Wait for the next code and enter it.")
			} else if err != nil {
				return err
			}
		} else {
			problem = tend.Errorf(tend.EINVALID, "That code is not right. Check the time on your device and enter the current code.")
		}
		if !ok {
			if err := countFailure(ctx, tx, c); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, event(actor, action, "", target("staff", actor.ID), tend.OutcomeFailed))
		}
		if enrol {
			now := tx.Now().UTC()
			p := &now
			if err := tx.UpdateStaffAccount(ctx, actor.ID, StaffUpdate{MFAEnrolledAt: &p}); err != nil {
				return err
			}
			ss.MFAEnrolled = true
		}
		yes := true
		if err := tx.UpdateSession(ctx, ss.ID, SessionUpdate{MFA: &yes}); err != nil {
			return err
		}
		ss.MFA = true
		return tx.AppendAudit(ctx, event(actor, action, "", target("staff", actor.ID), tend.OutcomeOK))
	})
	if err != nil {
		return Session{}, err
	}
	if problem != nil {
		return Session{}, problem
	}
	return ss, nil
}

// TOTPPeriod is the time step of TOTP codes (RFC 6238's default).
const TOTPPeriod = 30

// matchTOTP finds the time step (now, or one step either side for clock
// drift) whose code is code.
func matchTOTP(secret []byte, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(secret) == 0 || len(code) != 6 {
		return 0, false
	}
	enc := b32.EncodeToString(secret)
	opts := totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, skew := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(skew*TOTPPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(enc, t, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / TOTPPeriod, true
		}
	}
	return 0, false
}

// ResetMFA clears a staff member's second factor (they lost the device)
// and signs them out everywhere; they enrol again at the next sign-in.
// Admins and the command line only.
func (s *Service) ResetMFA(ctx context.Context, actor tend.Actor, staffID tend.ID) error {
	if !isAdmin(actor) {
		return tend.ErrForbidden
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdateStaffTOTPSecret(ctx, staffID, nil); err != nil {
			return err
		}
		var none *time.Time
		if err := tx.UpdateStaffAccount(ctx, staffID, StaffUpdate{MFAEnrolledAt: &none}); err != nil {
			return err
		}
		if _, err := revokeAll(ctx, tx, actor, tend.KindStaff, staffID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.mfa_reset", "", target("staff", staffID), tend.OutcomeOK))
	})
}

// FindStaffByEmail returns a staff account for admins and the command line.
func (s *Service) FindStaffByEmail(ctx context.Context, actor tend.Actor, email string) (StaffAccount, error) {
	if !isAdmin(actor) {
		return StaffAccount{}, tend.ErrNotFound
	}
	a, err := s.store.FindStaffAccountByEmail(ctx, NormalizeEmail(email))
	if isNotFound(err) {
		return StaffAccount{}, tend.Errorf(tend.ENOTFOUND, "There is no staff account for %s.", NormalizeEmail(email))
	}
	return a, err
}

// ResetStaffPassword gives a staff member a new one-time password (returned
// once) and signs them out everywhere. Admins and the command line only.
func (s *Service) ResetStaffPassword(ctx context.Context, actor tend.Actor, staffID tend.ID) (string, error) {
	if !isAdmin(actor) {
		return "", tend.ErrForbidden
	}
	password := groupCode(randomCode(16))
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	yes := true
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdateStaffAccount(ctx, staffID, StaffUpdate{PasswordHash: &hash, PasswordTemporary: &yes}); err != nil {
			return err
		}
		if _, err := revokeAll(ctx, tx, actor, tend.KindStaff, staffID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.password_reset", "", target("staff", staffID), tend.OutcomeOK))
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// ChangePassword replaces the signed-in account's password after checking
// the current one, and ends the account's other sessions.
func (s *Service) ChangePassword(ctx context.Context, token, current, next string) error {
	actor, ss, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if err := CheckPassword(next); err != nil {
		return err
	}
	var old string
	switch actor.Kind {
	case tend.KindStaff:
		a, err := s.store.FindStaffAccountByID(ctx, actor.ID)
		if err != nil {
			return err
		}
		old = a.PasswordHash
	case tend.KindPerson:
		p, err := s.store.FindPersonAccountByID(ctx, actor.ID)
		if err != nil {
			return err
		}
		old = p.PasswordHash
	default:
		return errSignedOut
	}
	c := newCounter(s.opt.Limits.SignInAccount, "change-password", string(actor.ID))
	if err := s.checkLimits(ctx, "wrong passwords", c); err != nil {
		return err
	}
	ok, err := s.hasher.Verify(ctx, old, current)
	if err != nil {
		return err
	}
	var hash string
	if ok {
		if hash, err = s.hasher.Hash(ctx, next); err != nil {
			return err
		}
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if !ok {
			if err := countFailure(ctx, tx, c); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, event(actor, "auth.password_changed", personOf(actor), target(string(actor.Kind), actor.ID), tend.OutcomeFailed))
		}
		if actor.Kind == tend.KindStaff {
			no := false
			if err := tx.UpdateStaffAccount(ctx, actor.ID, StaffUpdate{PasswordHash: &hash, PasswordTemporary: &no}); err != nil {
				return err
			}
		} else if err := tx.UpdatePersonAccount(ctx, actor.ID, PersonUpdate{PasswordHash: &hash}); err != nil {
			return err
		}
		// Other sessions end; this one stays.
		if _, err := revokeAll(ctx, tx, actor, actor.Kind, actor.ID); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, &ss); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.password_changed", personOf(actor), target(string(actor.Kind), actor.ID), tend.OutcomeOK))
	})
	if err != nil {
		return err
	}
	if !ok {
		return tend.Errorf(tend.EINVALID, "Your current password is not right.")
	}
	return nil
}
