package auth

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
)

var scopeRE = regexp.MustCompile(`^[a-z][a-z0-9_.:]{0,63}$`)

// CreateToken makes an API token for actor's account with scopes, expiring
// at expires (required, at most a year away). The secret is returned once;
// only its SHA-256 is kept. Staff must have passed their second factor.
func (s *Service) CreateToken(ctx context.Context, actor tend.Actor, scopes []string, expires time.Time) (string, Token, error) {
	if actor.ID == "" || (actor.Kind != tend.KindStaff && actor.Kind != tend.KindPerson) || actor.Scopes != nil {
		return "", Token{}, tend.ErrForbidden // tokens do not make tokens
	}
	if actor.Kind == tend.KindStaff && !actor.MFA {
		return "", Token{}, tend.Errorf(tend.EFORBIDDEN, "Confirm your second factor before creating a token.")
	}
	if len(scopes) == 0 {
		return "", Token{}, tend.Errorf(tend.EINVALID, "Choose at least one scope for the token.")
	}
	scopes = slices.Clone(scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	for _, sc := range scopes {
		if !scopeRE.MatchString(sc) {
			return "", Token{}, tend.Errorf(tend.EINVALID, "%q is not a scope.", sc)
		}
	}
	now := s.now()
	if expires.IsZero() || !expires.After(now) {
		return "", Token{}, tend.Errorf(tend.EINVALID, "Choose when the token expires (within a year).")
	}
	if expires.Sub(now) > maxTokenTTL {
		return "", Token{}, tend.Errorf(tend.EINVALID, "A token can last at most a year.")
	}
	lim := newCounter(s.opt.Limits.TokenCreate, "token", string(actor.ID))
	if err := s.checkLimits(ctx, "new tokens", lim); err != nil {
		return "", Token{}, err
	}
	secret := newToken("tapi_")
	t := Token{ID: tend.NewID(), TokenHash: sum(secret), AccountKind: actor.Kind, AccountID: actor.ID, Role: actor.Role,
		Scopes: scopes, ExpiresAt: expires.UTC()}
	err := s.store.InTx(ctx, func(tx Tx) error {
		t.CreatedAt = tx.Now().UTC()
		if err := countFailure(ctx, tx, lim); err != nil { // counts every creation
			return err
		}
		if err := tx.CreateToken(ctx, &t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.token_created", personOf(actor), target("token", t.ID), tend.OutcomeOK))
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// AuthenticateToken returns the actor for an API token, with its Scopes
// set, or EUNAUTHORIZED when the token is unknown, expired or revoked. It
// writes nothing.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (tend.Actor, error) {
	bad := tend.Errorf(tend.EUNAUTHORIZED, "That API token is not valid.")
	if !strings.HasPrefix(secret, "tapi_") {
		return tend.Actor{}, bad
	}
	t, err := s.store.FindTokenByHash(ctx, sum(secret))
	if isNotFound(err) {
		return tend.Actor{}, bad
	}
	if err != nil {
		return tend.Actor{}, err
	}
	if t.RevokedAt != nil || !s.now().Before(t.ExpiresAt) {
		return tend.Actor{}, bad
	}
	a := tend.Actor{Kind: t.AccountKind, ID: t.AccountID, MFA: true, Scopes: t.Scopes}
	if a.Scopes == nil {
		a.Scopes = []string{}
	}
	if t.AccountKind == tend.KindStaff {
		st, err := s.store.FindStaffAccountByID(ctx, t.AccountID)
		if isNotFound(err) || (err == nil && st.DisabledAt != nil) {
			return tend.Actor{}, bad
		}
		if err != nil {
			return tend.Actor{}, err
		}
		a.Role = st.Role
	}
	return a, nil
}

// FindTokens lists the account's own API tokens (hashes only), newest first.
func (s *Service) FindTokens(ctx context.Context, actor tend.Actor) ([]Token, error) {
	if actor.ID == "" {
		return nil, errSignedOut
	}
	if actor.Kind != tend.KindPerson && actor.Kind != tend.KindStaff {
		return nil, tend.ErrNotFound // only people and staff have tokens
	}
	return s.store.FindTokens(ctx, actor.ID)
}

// RevokeToken revokes one of actor's own tokens; revoking twice is fine.
// Admins can revoke anyone's.
func (s *Service) RevokeToken(ctx context.Context, actor tend.Actor, id tend.ID) error {
	return s.store.InTx(ctx, func(tx Tx) error {
		t, err := tx.FindTokenByID(ctx, id)
		if err != nil {
			return err
		}
		if t.AccountID != actor.ID && !isAdmin(actor) {
			return tend.ErrNotFound
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := tx.UpdateTokenRevoked(ctx, id, tx.Now().UTC()); err != nil {
			return err
		}
		pid := tend.ID("")
		if t.AccountKind == tend.KindPerson {
			pid = t.AccountID
		}
		return tx.AppendAudit(ctx, event(actor, "auth.token_revoked", pid, target("token", id), tend.OutcomeOK))
	})
}
