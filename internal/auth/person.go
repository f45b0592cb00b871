package auth

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/tendcare/tend"
)

// NewInvite is what inviting a person takes. Age is recorded here, by the
// service, never asked of the person (young-people.md): an age band or a
// birth date, not both.
type NewInvite struct {
	TeamID    tend.ID // or Team
	Team      string  // team name, when TeamID is empty
	AgeBand   string
	BirthDate string           // YYYY-MM-DD
	State     tend.PersonState // the person's state on joining [accepted]
	TTL       time.Duration    // [Options.InviteTTL]
}

// CreateInvite makes a single-use invite and returns its code once: 16
// base32 characters (80 bits) shown in groups of 4. Only the code's
// SHA-256 is stored. Staff who passed their second factor, and the command
// line, can invite.
func (s *Service) CreateInvite(ctx context.Context, actor tend.Actor, n NewInvite) (string, Invite, error) {
	if actor.Kind != tend.KindSystem && (actor.Kind != tend.KindStaff || !actor.MFA) {
		return "", Invite{}, tend.ErrForbidden
	}
	if n.AgeBand != "" && n.BirthDate != "" {
		return "", Invite{}, tend.Errorf(tend.EINVALID, "Give an age band or a birth date, not both.")
	}
	switch n.AgeBand {
	case "", AgeUnder18, Age18To25, AgeOver25:
	default:
		return "", Invite{}, tend.Errorf(tend.EINVALID, "The age band must be under_18, 18_25 or over_25.")
	}
	now := s.now()
	if n.BirthDate != "" {
		d, err := time.Parse(time.DateOnly, n.BirthDate)
		if err != nil || d.After(now) || d.Year() < 1900 {
			return "", Invite{}, tend.Errorf(tend.EINVALID, "Write the birth date as YYYY-MM-DD, for example 2010-04-23.")
		}
	}
	switch n.State {
	case "":
		n.State = tend.StateAccepted
	case tend.StateReferred, tend.StateAccepted, tend.StateInTreatment:
	default:
		return "", Invite{}, tend.Errorf(tend.EINVALID, "A person joins as referred, accepted or in treatment.")
	}
	ttl := n.TTL
	if ttl == 0 {
		ttl = s.opt.InviteTTL
	}
	if ttl < time.Minute || ttl > 90*24*time.Hour {
		return "", Invite{}, tend.Errorf(tend.EINVALID, "An invite lasts between 1 minute and 90 days.")
	}
	code := randomCode(16)
	inv := Invite{ID: tend.NewID(), CodeHash: sum(code), TeamID: n.TeamID, AgeBand: n.AgeBand, BirthDate: n.BirthDate,
		State: n.State, CreatedBy: actor.ID}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if inv.TeamID == "" {
			id, err := tx.FindTeamIDByName(ctx, strings.TrimSpace(n.Team))
			if isNotFound(err) {
				return tend.Errorf(tend.EINVALID, "There is no team named %q.", strings.TrimSpace(n.Team))
			}
			if err != nil {
				return err
			}
			inv.TeamID = id
		}
		inv.CreatedAt = tx.Now().UTC()
		inv.ExpiresAt = inv.CreatedAt.Add(ttl)
		if err := tx.CreateInvite(ctx, &inv); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.invite_created", "", target("invite", inv.ID), tend.OutcomeOK))
	})
	if err != nil {
		return "", Invite{}, err
	}
	return groupCode(code), inv, nil
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{3,32}$`)

// CheckUsername returns EINVALID saying what is wrong with a username.
func CheckUsername(u string) error {
	if !usernameRE.MatchString(u) {
		return tend.Errorf(tend.EINVALID, "Choose a username of 3 to 32 letters, digits, dots, dashes or underscores. It does not need to be your real name.")
	}
	return nil
}

// CheckTimeZone returns EINVALID unless tz is an IANA zone name.
func CheckTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return tend.Errorf(tend.EINVALID, "Choose a time zone from the list.")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return tend.Errorf(tend.EINVALID, "Choose a time zone from the list.")
	}
	return nil
}

// JoinRequest is what a person gives to join with an invite.
type JoinRequest struct {
	Code          string
	Username      string
	Password      string
	TimeZone      string // [Options.TimeZone]
	Country       string // [Options.Country]
	RecoveryCodes bool   // make 10 single-use recovery codes
}

// Joined is the new account, its first session and any recovery codes
// (shown once).
type Joined struct {
	Token         string
	Session       Session
	Person        PersonAccount
	RecoveryCodes []string
}

// Join creates a person's account from an invite, which it uses up, and
// signs them in. Wrong invite codes are rate limited per address.
func (s *Service) Join(ctx context.Context, r JoinRequest, c Client) (Joined, error) {
	if r.TimeZone == "" {
		r.TimeZone = s.opt.TimeZone
	}
	if r.Country == "" {
		r.Country = s.opt.Country
	}
	r.Country = strings.ToUpper(strings.TrimSpace(r.Country))
	if err := CheckUsername(r.Username); err != nil {
		return Joined{}, err
	}
	if err := CheckPassword(r.Password); err != nil {
		return Joined{}, err
	}
	if err := CheckTimeZone(r.TimeZone); err != nil {
		return Joined{}, err
	}
	if r.Country != "" && !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(r.Country) {
		return Joined{}, tend.Errorf(tend.EINVALID, "Choose a country from the list.")
	}
	lim := newCounter(s.opt.Limits.Invite, "invite", c.Address)
	if err := s.checkLimits(ctx, "wrong invite codes", lim); err != nil {
		return Joined{}, err
	}
	hash, err := s.accountHash(ctx, r.Password)
	if err != nil {
		return Joined{}, err
	}
	var out Joined
	var plain []string
	var codes []RecoveryCode
	if r.RecoveryCodes {
		for range 10 {
			p := randomCode(12)
			plain = append(plain, groupCode(p))
			codes = append(codes, RecoveryCode{ID: tend.NewID(), CodeHash: sum(p)})
		}
	}
	var problem error
	err = s.store.InTx(ctx, func(tx Tx) error {
		now := tx.Now().UTC()
		inv, err := tx.FindInviteByCodeHash(ctx, sum(normalizeCode(r.Code)))
		switch {
		case isNotFound(err):
			problem = tend.Errorf(tend.EINVALID, "That invite code is not right. Check it, or ask your service for a new one.")
		case err != nil:
			return err
		case inv.RedeemedAt != nil:
			problem = tend.Errorf(tend.EINVALID, "That invite code has already been used. Ask your service for a new one.")
		case !now.Before(inv.ExpiresAt):
			problem = tend.Errorf(tend.EINVALID, "That invite code has expired. Ask your service for a new one.")
		}
		anon := tend.Actor{Kind: tend.KindPerson}
		if problem != nil {
			if err := countFailure(ctx, tx, lim); err != nil {
				return err
			}
			tgt := "invite:unknown"
			if inv.ID != "" {
				tgt = target("invite", inv.ID)
			}
			return tx.AppendAudit(ctx, event(anon, "auth.invite_redeemed", "", tgt, tend.OutcomeFailed))
		}
		p := PersonAccount{ID: tend.NewID(), Username: r.Username, PasswordHash: hash, TeamID: inv.TeamID, State: inv.State,
			BirthDate: inv.BirthDate, AgeBand: inv.AgeBand, TimeZone: r.TimeZone, Country: r.Country, CreatedAt: now}
		if err := tx.CreatePersonAccount(ctx, &p); err != nil {
			if isKind(err, tend.ECONFLICT) {
				return tend.Errorf(tend.ECONFLICT, "The username %s is taken. Please choose another.", r.Username)
			}
			return err
		}
		if err := tx.UpdateInviteRedeemed(ctx, inv.ID, p.ID); err != nil {
			return err
		}
		actor := tend.Actor{Kind: tend.KindPerson, ID: p.ID}
		evs := []tend.AuditEvent{event(actor, "auth.invite_redeemed", p.ID, target("invite", inv.ID), tend.OutcomeOK)}
		if len(codes) > 0 {
			for i := range codes {
				codes[i].PersonID = p.ID
			}
			if err := tx.CreateRecoveryCodes(ctx, codes); err != nil {
				return err
			}
			evs = append(evs, event(actor, "auth.recovery_codes_created", p.ID, target("person", p.ID), tend.OutcomeOK))
		}
		tok, ss, err := s.startSession(ctx, tx, tend.KindPerson, p.ID, true, c.device())
		if err != nil {
			return err
		}
		if err := tx.CreateSignIn(ctx, &SignIn{ID: tend.NewID(), AccountKind: tend.KindPerson, AccountID: p.ID, At: now, Device: c.device(), Outcome: tend.OutcomeOK}); err != nil {
			return err
		}
		evs = append(evs, event(actor, "auth.sign_in", p.ID, target("person", p.ID), tend.OutcomeOK))
		out = Joined{Token: tok, Session: ss, Person: p, RecoveryCodes: plain}
		return tx.AppendAudit(ctx, evs...)
	})
	if err != nil {
		return Joined{}, err
	}
	if problem != nil {
		return Joined{}, problem
	}
	return out, nil
}

// SignInPerson checks a username (any letter case) and password and starts
// a session. A wrong password and an unknown username give the same
// EUNAUTHORIZED answer after the same work. Supporters share the username
// namespace with people (supporter.go) and sign in here too.
func (s *Service) SignInPerson(ctx context.Context, username, password string, c Client) (string, Session, error) {
	ident := strings.ToLower(strings.TrimSpace(username))
	var id tend.ID
	var hash string
	kind := tend.KindPerson
	p, err := s.store.FindPersonAccountByUsername(ctx, ident)
	switch {
	case err == nil:
		id, hash = p.ID, p.PasswordHash
	case !isNotFound(err):
		return "", Session{}, err
	default:
		if id, hash, err = s.supporterLogin(ctx, ident); err != nil {
			return "", Session{}, err
		}
		if id != "" {
			kind = tend.KindSupporter
		}
	}
	return s.signIn(ctx, kind, "person", ident, id, hash, password, c, true,
		"That username and password do not match an account.")
}

// IssueResetCode gives a person a short-lived, single-use code to set a new
// password (people have no e-mail to reset with). Admins, and staff on the
// person's care team (Options.CareTeam), can issue one; it replaces any
// earlier unused code. The code is returned once.
func (s *Service) IssueResetCode(ctx context.Context, actor tend.Actor, personID tend.ID) (string, ResetCode, error) {
	allowed, err := s.MayIssueResetCode(ctx, actor, personID)
	if err != nil {
		return "", ResetCode{}, err
	}
	if !allowed {
		return "", ResetCode{}, tend.ErrNotFound
	}
	code := randomCode(12)
	rc := ResetCode{ID: tend.NewID(), PersonID: personID, CodeHash: sum(code), IssuedBy: actor.ID}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.FindPersonAccountByID(ctx, personID); err != nil {
			return err
		}
		rc.CreatedAt = tx.Now().UTC()
		rc.ExpiresAt = rc.CreatedAt.Add(s.opt.ResetCodeTTL)
		if err := tx.CreateResetCode(ctx, &rc); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.reset_code_issued", personID, target("reset_code", rc.ID), tend.OutcomeOK))
	})
	if err != nil {
		return "", ResetCode{}, err
	}
	return groupCode(code), rc, nil
}

// ResetRequest sets a person's new password with a reset code from the
// care team or one of their own recovery codes.
type ResetRequest struct {
	Username    string
	Code        string
	NewPassword string
}

// ResetPassword redeems a reset or recovery code: the code is used up, the
// password replaced, every session ended, and a new session started.
// Wrong codes are rate limited per account and per address, and an
// unknown username gets the same answer as a wrong code.
func (s *Service) ResetPassword(ctx context.Context, r ResetRequest, c Client) (string, Session, error) {
	if err := CheckPassword(r.NewPassword); err != nil {
		return "", Session{}, err
	}
	ident := strings.ToLower(strings.TrimSpace(r.Username))
	cs := []counter{
		newCounter(s.opt.Limits.ResetAccount, "reset", ident),
		newCounter(s.opt.Limits.ResetAddress, "reset", "address", c.Address),
	}
	if err := s.checkLimits(ctx, "wrong codes", cs...); err != nil {
		return "", Session{}, err
	}
	p, err := s.store.FindPersonAccountByUsername(ctx, ident)
	if err != nil && !isNotFound(err) {
		return "", Session{}, err
	}
	hash, err := s.hasher.Hash(ctx, r.NewPassword) // also for an unknown account: the same work
	if err != nil {
		return "", Session{}, err
	}
	codeHash := sum(normalizeCode(r.Code))
	var tok string
	var ss Session
	var problem error
	err = s.store.InTx(ctx, func(tx Tx) error {
		actor := tend.Actor{Kind: tend.KindPerson, ID: p.ID}
		tgt := target("person", p.ID)
		if p.ID == "" {
			tgt = "person:unknown"
		}
		used, how := false, "reset_code"
		if p.ID != "" {
			err := tx.UpdateResetCodeUsed(ctx, p.ID, codeHash)
			if err == nil {
				used = true
			} else if !isNotFound(err) {
				return err
			} else if err := tx.UpdateRecoveryCodeUsed(ctx, p.ID, codeHash); err == nil {
				used, how = true, "recovery_code"
			} else if !isNotFound(err) {
				return err
			}
		}
		if !used {
			problem = tend.Errorf(tend.EINVALID, "That username and code do not match, or the code has expired. Ask your care team for a new code.")
			if err := countFailure(ctx, tx, cs...); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, event(actor, "auth.password_reset", p.ID, tgt, tend.OutcomeFailed))
		}
		if err := tx.UpdatePersonAccount(ctx, p.ID, PersonUpdate{PasswordHash: &hash}); err != nil {
			return err
		}
		if _, err := revokeAll(ctx, tx, actor, tend.KindPerson, p.ID); err != nil {
			return err
		}
		if tok, ss, err = s.startSession(ctx, tx, tend.KindPerson, p.ID, true, c.device()); err != nil {
			return err
		}
		if err := tx.CreateSignIn(ctx, &SignIn{ID: tend.NewID(), AccountKind: tend.KindPerson, AccountID: p.ID, At: tx.Now().UTC(), Device: c.device(), Outcome: tend.OutcomeOK}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx,
			event(actor, "auth.password_reset", p.ID, target(how, p.ID), tend.OutcomeOK),
			event(actor, "auth.sign_in", p.ID, tgt, tend.OutcomeOK))
	})
	if err != nil {
		return "", Session{}, err
	}
	if problem != nil {
		return "", Session{}, problem
	}
	return tok, ss, nil
}
