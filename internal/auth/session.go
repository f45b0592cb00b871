package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/tendcare/tend"
)

// newToken returns a random 256-bit token, URL-safe, with a prefix that
// says what it is (so a leaked one is recognisable in a secret scanner).
func newToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: random source failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

var errSignedOut = tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")

// startSession creates a session for the account in the unit of work and
// returns its token (shown once, to be put in a cookie).
func (s *Service) startSession(ctx context.Context, tx Tx, kind tend.AccountKind, id tend.ID, mfa bool, device string) (string, Session, error) {
	tok := newToken("tses_")
	now := tx.Now().UTC()
	idle, abs := StaffIdle, StaffAbsolute
	if kind == tend.KindPerson || kind == tend.KindSupporter {
		idle, abs = s.opt.PersonIdle, s.opt.PersonAbsolute
	}
	ss := Session{ID: tend.NewID(), TokenHash: sum(tok), AccountKind: kind, AccountID: id, MFA: mfa, Device: device,
		CreatedAt: now, LastSeenAt: now, AbsoluteAt: now.Add(abs)}
	ss.ExpiresAt = minTime(now.Add(idle), ss.AbsoluteAt)
	if err := tx.CreateSession(ctx, &ss); err != nil {
		return "", Session{}, err
	}
	return tok, ss, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Authenticate returns the actor and session for a session token, or
// EUNAUTHORIZED when it is unknown, expired or its account disabled. It
// writes nothing on most calls: it moves the idle expiry at most once a
// minute, and a failed move does not fail the request. A Locked session
// still authenticates; the caller must ask for the PIN (Unlock) before
// showing anything.
func (s *Service) Authenticate(ctx context.Context, token string) (tend.Actor, Session, error) {
	if !strings.HasPrefix(token, "tses_") {
		return tend.Actor{}, Session{}, errSignedOut
	}
	ss, err := s.store.FindSessionByTokenHash(ctx, sum(token))
	if isNotFound(err) {
		return tend.Actor{}, Session{}, errSignedOut
	}
	if err != nil {
		return tend.Actor{}, Session{}, err
	}
	now := s.now()
	if !now.Before(ss.ExpiresAt) || !now.Before(ss.AbsoluteAt) {
		return tend.Actor{}, Session{}, errSignedOut
	}
	actor := tend.Actor{Kind: ss.AccountKind, ID: ss.AccountID, MFA: ss.MFA}
	idle := StaffIdle
	switch ss.AccountKind {
	case tend.KindStaff:
		a, err := s.store.FindStaffAccountByID(ctx, ss.AccountID)
		if isNotFound(err) || (err == nil && a.DisabledAt != nil) {
			return tend.Actor{}, Session{}, errSignedOut
		}
		if err != nil {
			return tend.Actor{}, Session{}, err
		}
		actor.Role = a.Role
		actor.MFA = ss.MFA || s.opt.Demo
		ss.MFA = actor.MFA
		ss.MFAEnrolled = a.MFAEnrolledAt != nil
		ss.PasswordChangeRequired = a.PasswordTemporary
	case tend.KindPerson:
		p, err := s.store.FindPersonAccountByID(ctx, ss.AccountID)
		if isNotFound(err) {
			return tend.Actor{}, Session{}, errSignedOut
		}
		if err != nil {
			return tend.Actor{}, Session{}, err
		}
		idle = s.opt.PersonIdle
		actor.MFA = true
		switch {
		case p.PINHash == "":
			// Without a PIN nothing can unlock the session, so a lock left
			// from before the PIN was removed no longer holds.
			ss.Locked = false
		case p.AutoLockMinutes > 0 && now.Sub(ss.LastSeenAt) >= time.Duration(p.AutoLockMinutes)*time.Minute:
			ss.Locked = true
		}
	case tend.KindSupporter:
		if err := s.authenticateSupporter(ctx, ss.AccountID); err != nil {
			return tend.Actor{}, Session{}, err
		}
		idle = s.opt.PersonIdle
		actor.MFA = true
	default:
		return tend.Actor{}, Session{}, errSignedOut
	}
	// A locked session is not extended: moving LastSeenAt would undo the
	// auto-lock, and a locked screen is not activity.
	if !ss.Locked && now.Sub(ss.LastSeenAt) >= extendEvery {
		exp := minTime(now.Add(idle), ss.AbsoluteAt)
		err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.UpdateSession(ctx, ss.ID, SessionUpdate{LastSeenAt: &now, ExpiresAt: &exp})
		})
		if err == nil {
			ss.LastSeenAt, ss.ExpiresAt = now, exp
		}
	}
	return actor, ss, nil
}

// SignOut ends the session of token. An unknown token is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.store.InTx(ctx, func(tx Tx) error {
		ss, err := tx.FindSessionByTokenHash(ctx, sum(token))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, ss.ID); err != nil && !isNotFound(err) {
			return err
		}
		actor := tend.Actor{Kind: ss.AccountKind, ID: ss.AccountID}
		return tx.AppendAudit(ctx, event(actor, "auth.session_revoked", personOf(actor), target("session", ss.ID), tend.OutcomeOK))
	})
}

// SignOutEverywhere ends every session of actor's account (for example
// after "I lost my phone") and returns how many were ended.
func (s *Service) SignOutEverywhere(ctx context.Context, actor tend.Actor) (int, error) {
	if actor.ID == "" || (actor.Kind != tend.KindPerson && actor.Kind != tend.KindStaff) {
		return 0, errSignedOut
	}
	var n int
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		n, err = revokeAll(ctx, tx, actor, actor.Kind, actor.ID)
		return err
	})
	return n, err
}

// revokeAll deletes every session of the account and audits it.
func revokeAll(ctx context.Context, tx Tx, actor tend.Actor, kind tend.AccountKind, id tend.ID) (int, error) {
	n, err := tx.DeleteSessions(ctx, id)
	if err != nil {
		return 0, err
	}
	pid := tend.ID("")
	if kind == tend.KindPerson {
		pid = id
	}
	return n, tx.AppendAudit(ctx, event(actor, "auth.sessions_revoked", pid, target(string(kind), id), tend.OutcomeOK))
}

func personOf(a tend.Actor) tend.ID {
	if a.Kind == tend.KindPerson {
		return a.ID
	}
	return ""
}

// FindSignIns returns the account's recorded sign-ins, newest first (the
// person's "own sign-ins" page). Only the account itself may read them.
func (s *Service) FindSignIns(ctx context.Context, actor tend.Actor, accountID tend.ID) ([]SignIn, error) {
	if actor.ID != accountID || actor.ID == "" {
		return nil, tend.ErrNotFound
	}
	return s.store.FindSignIns(ctx, accountID, 100)
}

// Lock locks the session of token at once; the PIN unlocks it. Only people
// with a PIN can lock.
func (s *Service) Lock(ctx context.Context, token string) error {
	actor, ss, err := s.Authenticate(ctx, token)
	if err != nil {
		return err
	}
	if actor.Kind != tend.KindPerson {
		return tend.Errorf(tend.EINVALID, "Only a person's session can be locked.")
	}
	p, err := s.store.FindPersonAccountByID(ctx, actor.ID)
	if err != nil {
		return err
	}
	if p.PINHash == "" {
		return tend.Errorf(tend.EINVALID, "Set a PIN first, so you can unlock again.")
	}
	locked := true
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdateSession(ctx, ss.ID, SessionUpdate{Locked: &locked}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.session_locked", actor.ID, target("session", ss.ID), tend.OutcomeOK))
	})
}

// Unlock checks pin for a locked session and unlocks it. Wrong PINs are
// rate limited per session.
func (s *Service) Unlock(ctx context.Context, token, pin string) (Session, error) {
	actor, ss, err := s.Authenticate(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if actor.Kind != tend.KindPerson {
		return Session{}, tend.Errorf(tend.EINVALID, "Only a person's session has a PIN.")
	}
	c := newCounter(s.opt.Limits.PIN, "pin", string(ss.ID))
	if err := s.checkLimits(ctx, "wrong PINs", c); err != nil {
		return Session{}, err
	}
	p, err := s.store.FindPersonAccountByID(ctx, actor.ID)
	if err != nil {
		return Session{}, err
	}
	if p.PINHash == "" {
		return ss, nil
	}
	ok, err := s.hasher.Verify(ctx, p.PINHash, pin)
	if err != nil {
		return Session{}, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if !ok {
			if err := countFailure(ctx, tx, c); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, event(actor, "auth.unlock", actor.ID, target("session", ss.ID), tend.OutcomeFailed))
		}
		now, unlocked := tx.Now().UTC(), false
		exp := minTime(now.Add(s.opt.PersonIdle), ss.AbsoluteAt)
		if err := tx.UpdateSession(ctx, ss.ID, SessionUpdate{Locked: &unlocked, LastSeenAt: &now, ExpiresAt: &exp}); err != nil {
			return err
		}
		ss.Locked, ss.LastSeenAt, ss.ExpiresAt = false, now, exp
		return tx.AppendAudit(ctx, event(actor, "auth.unlock", actor.ID, target("session", ss.ID), tend.OutcomeOK))
	})
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, tend.Errorf(tend.EINVALID, "That PIN is not right.")
	}
	return ss, nil
}

// SetPIN sets (or, with pin "", removes) the person's PIN and how many
// idle minutes lock a session (0: only when they lock it themselves).
func (s *Service) SetPIN(ctx context.Context, actor tend.Actor, pin string, autoLockMinutes int) error {
	if actor.Kind != tend.KindPerson || actor.ID == "" {
		return tend.ErrNotFound
	}
	if autoLockMinutes < 0 || autoLockMinutes > 24*60 {
		return tend.Errorf(tend.EINVALID, "Choose an auto-lock time between 0 and 1440 minutes.")
	}
	hash := ""
	if pin != "" {
		if err := CheckPIN(pin); err != nil {
			return err
		}
		var err error
		if hash, err = s.hasher.Hash(ctx, pin); err != nil {
			return err
		}
	} else {
		autoLockMinutes = 0
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.UpdatePersonAccount(ctx, actor.ID, PersonUpdate{PINHash: &hash, AutoLockMinutes: &autoLockMinutes}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.pin_set", actor.ID, target("person", actor.ID), tend.OutcomeOK))
	})
}
