package auth

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
)

// Single sign-on for staff through the service's OpenID Connect identity
// provider (docs/sso.md). The web layer runs the protocol and verifies the
// ID token; this file decides who that identity is in Tend. It maps an
// identity only to an existing staff account through a stored link: it
// never creates an account and never takes a role, a name or anything else
// from the provider's claims.

// Identity is who the identity provider says signed in, taken from an ID
// token whose signature, issuer, audience, expiry and nonce were verified.
type Identity struct {
	Issuer  string // the provider's issuer URL, exactly as configured
	Subject string // the "sub" claim: stable and unique within the issuer
	// Email is the "email" claim when the provider says it is verified
	// ("email_verified": true), else "". Used only to link on a first
	// sign-in when SSOOptions.LinkByEmail is set.
	Email string
	// MFA is true when the token says the sign-in used more than one
	// factor (the "amr" or "acr" claim; see the web layer's rule).
	MFA bool
}

// SSOLink ties one identity (issuer and subject) to one staff account.
type SSOLink struct {
	ID        tend.ID
	StaffID   tend.ID
	Issuer    string
	Subject   string
	CreatedBy tend.ID // the admin who linked it, or the staff member on a first sign-in by e-mail
	CreatedAt time.Time
}

// SSOOptions say how the deployment trusts its identity provider.
type SSOOptions struct {
	// ProviderMFA accepts the provider's second factor in place of Tend's,
	// for sign-ins whose identity says MFA. Otherwise Tend still asks for
	// its own second factor after single sign-on.
	ProviderMFA bool
	// LinkByEmail links an unlinked identity on its first sign-in to the
	// staff account with the same e-mail address, when the provider says
	// the address is verified. Off unless the operator opts in: it trusts
	// the provider to own every address it vouches for.
	LinkByEmail bool
}

// SSOStore is what the single sign-on methods read outside a unit of work.
// The store's *DB implements it next to Store.
type SSOStore interface {
	// FindSSOLinks lists every link, ordered by staff and issuer.
	FindSSOLinks(ctx context.Context) ([]SSOLink, error)
}

// SSOTx is the unit of work of the single sign-on methods; the store's *Tx
// implements it next to Tx.
type SSOTx interface {
	Tx
	// FindSSOLink returns the link of issuer and subject, or ENOTFOUND.
	FindSSOLink(ctx context.Context, issuer, subject string) (SSOLink, error)
	// FindSSOLinkByStaff returns the staff member's link to issuer, or ENOTFOUND.
	FindSSOLinkByStaff(ctx context.Context, staffID tend.ID, issuer string) (SSOLink, error)
	// CreateSSOLink inserts l; ECONFLICT when the identity is linked
	// already or the staff member has a link to that issuer.
	CreateSSOLink(ctx context.Context, l *SSOLink) error
	// DeleteSSOLinks removes the staff member's links and says how many.
	DeleteSSOLinks(ctx context.Context, staffID tend.ID) (int, error)
}

func (s *Service) inSSOTx(ctx context.Context, fn func(SSOTx) error) error {
	return s.store.InTx(ctx, func(tx Tx) error {
		stx, ok := tx.(SSOTx)
		if !ok {
			return tend.Errorf(tend.EINTERNAL, "auth: the unit of work cannot keep single sign-on links")
		}
		return fn(stx)
	})
}

// errSSORefused is the one answer to every refused single sign-on: an unknown
// identity, a disabled account and a token that failed verification read
// the same, so the answer tells nobody which accounts exist.
var errSSORefused = tend.Errorf(tend.EUNAUTHORIZED, "Single sign-on did not sign you in. Sign in with your e-mail address and password, or ask an admin to link your account.")

// SSORefused returns the answer SignInStaffSSO gives to every refusal, for
// the web layer to give when the protocol itself fails.
func SSORefused() error { return errSSORefused }

const maxClaimLen = 255

// SignInStaffSSO signs in the staff account linked to id and starts a
// session exactly as SignInStaff does. The session passed its second
// factor only in demo mode or when SSOOptions.ProviderMFA is set and id.MFA
// is true; otherwise the caller asks for Tend's second factor next. An
// unknown identity, a disabled account and a provider that is not set up
// all give the same EUNAUTHORIZED answer, are audited, and count against
// the same per-address sign-in limit as wrong passwords.
func (s *Service) SignInStaffSSO(ctx context.Context, id Identity, c Client) (string, Session, error) {
	ident := id.Issuer + "\x00" + id.Subject
	cs := []counter{
		newCounter(s.opt.Limits.SignInAccountAddress, "sign-in", "sso", ident, c.Address),
		newCounter(s.opt.Limits.SignInAccount, "sign-in", "sso", ident),
		newCounter(s.opt.Limits.SignInAddress, "sign-in", "address", c.Address),
	}
	if err := s.checkLimits(ctx, "sign-in attempts", cs...); err != nil {
		return "", Session{}, err
	}
	valid := id.Issuer != "" && id.Subject != "" && len(id.Issuer) <= maxClaimLen && len(id.Subject) <= maxClaimLen &&
		utf8.ValidString(id.Subject)
	email := NormalizeEmail(id.Email)
	var tok string
	var ss Session
	var acct StaffAccount
	ok := false
	err := s.inSSOTx(ctx, func(tx SSOTx) error {
		var found bool
		var err error
		if valid {
			acct, found, err = s.ssoAccount(ctx, tx, id.Issuer, id.Subject, email)
			if err != nil {
				return err
			}
		}
		actor := tend.Actor{Kind: tend.KindStaff}
		tgt := "staff:unknown"
		if found {
			actor.ID, tgt = acct.ID, target("staff", acct.ID)
		}
		ok = found && acct.DisabledAt == nil
		outcome := tend.OutcomeOK
		if ok {
			mfa := s.opt.Demo || (s.opt.SSO.ProviderMFA && id.MFA)
			if tok, ss, err = s.startSession(ctx, tx, tend.KindStaff, acct.ID, mfa, c.device()); err != nil {
				return err
			}
		} else {
			outcome = tend.OutcomeFailed
			if err := countFailure(ctx, tx, cs...); err != nil {
				return err
			}
		}
		if found {
			if err := tx.CreateSignIn(ctx, &SignIn{ID: tend.NewID(), AccountKind: tend.KindStaff, AccountID: acct.ID, At: tx.Now().UTC(), Device: c.device(), Outcome: outcome}); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, event(actor, "auth.sso_sign_in", "", tgt, outcome))
	})
	if err != nil {
		return "", Session{}, err
	}
	if !ok {
		return "", Session{}, errSSORefused
	}
	ss.MFAEnrolled = acct.MFAEnrolledAt != nil
	ss.PasswordChangeRequired = acct.PasswordTemporary
	return tok, ss, nil
}

// ssoAccount finds the staff account linked to issuer and subject. When
// there is no link and linking by e-mail is on, a verified e-mail address
// that names an enabled staff account without a link to this issuer links
// them now (audited). found is false when nobody matches.
func (s *Service) ssoAccount(ctx context.Context, tx SSOTx, issuer, subject, email string) (StaffAccount, bool, error) {
	l, err := tx.FindSSOLink(ctx, issuer, subject)
	if err == nil {
		a, err := tx.FindStaffAccountByID(ctx, l.StaffID)
		if isNotFound(err) {
			return StaffAccount{}, false, nil
		}
		return a, err == nil, err
	}
	if !isNotFound(err) {
		return StaffAccount{}, false, err
	}
	if !s.opt.SSO.LinkByEmail || !validEmail(email) {
		return StaffAccount{}, false, nil
	}
	a, err := tx.FindStaffAccountByEmail(ctx, email)
	if isNotFound(err) {
		return StaffAccount{}, false, nil
	}
	if err != nil {
		return StaffAccount{}, false, err
	}
	if a.DisabledAt != nil {
		// Refused below; no link is made for a disabled account.
		return a, true, nil
	}
	// A staff member already linked to another identity at this issuer is
	// not re-linked by an e-mail claim: an admin changes links.
	linked, err := ssoLinked(ctx, tx, a.ID, issuer)
	if err != nil {
		return StaffAccount{}, false, err
	}
	if linked {
		return StaffAccount{}, false, nil
	}
	l = SSOLink{ID: tend.NewID(), StaffID: a.ID, Issuer: issuer, Subject: subject, CreatedBy: a.ID, CreatedAt: tx.Now().UTC()}
	if err := tx.CreateSSOLink(ctx, &l); err != nil {
		return StaffAccount{}, false, err
	}
	self := tend.Actor{Kind: tend.KindStaff, ID: a.ID}
	if err := tx.AppendAudit(ctx, event(self, "auth.sso_linked_by_email", "", target("staff", a.ID), tend.OutcomeOK)); err != nil {
		return StaffAccount{}, false, err
	}
	return a, true, nil
}

// validEmail reports whether e looks like an e-mail address.
func validEmail(e string) bool { return e != "" && checkEmail(e) == nil }

// ssoLinked reports whether the staff member has a link to issuer.
func ssoLinked(ctx context.Context, tx SSOTx, staffID tend.ID, issuer string) (bool, error) {
	_, err := tx.FindSSOLinkByStaff(ctx, staffID, issuer)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// SSOFailed records a single sign-on that failed before an identity was
// known (a state that does not match, a code the provider refused, an ID
// token that did not verify): audited, and counted against the address's
// sign-in limit. It returns the answer to give, the same as for an unknown
// identity, or ERATELIMITED once the address has failed too often.
func (s *Service) SSOFailed(ctx context.Context, c Client) error {
	cs := []counter{newCounter(s.opt.Limits.SignInAddress, "sign-in", "address", c.Address)}
	if err := s.checkLimits(ctx, "sign-in attempts", cs...); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := countFailure(ctx, tx, cs...); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(tend.Actor{Kind: tend.KindStaff}, "auth.sso_sign_in", "", "staff:unknown", tend.OutcomeFailed))
	})
	if err != nil {
		return err
	}
	return errSSORefused
}

// LinkSSO links the identity (issuer, subject) to a staff account, so that
// it signs in as that account. Admins and the command line only. It is
// ECONFLICT when the identity is linked to anyone already or the staff
// member has a link to that issuer (remove it first).
func (s *Service) LinkSSO(ctx context.Context, actor tend.Actor, staffID tend.ID, issuer, subject string) (SSOLink, error) {
	if !isAdmin(actor) {
		return SSOLink{}, tend.ErrForbidden
	}
	issuer, subject = strings.TrimSpace(issuer), strings.TrimSpace(subject)
	if issuer == "" {
		return SSOLink{}, tend.Errorf(tend.EINVALID, "Single sign-on is not set up: there is no identity provider to link to.")
	}
	if subject == "" || len(subject) > maxClaimLen || !utf8.ValidString(subject) || len(issuer) > maxClaimLen {
		return SSOLink{}, tend.Errorf(tend.EINVALID, "Enter the staff member's subject identifier from the identity provider (at most 255 characters).")
	}
	var l SSOLink
	err := s.inSSOTx(ctx, func(tx SSOTx) error {
		a, err := tx.FindStaffAccountByID(ctx, staffID)
		if isNotFound(err) {
			return tend.Errorf(tend.ENOTFOUND, "There is no such staff account.")
		}
		if err != nil {
			return err
		}
		if a.DisabledAt != nil {
			return tend.Errorf(tend.ECONFLICT, "%s is disabled.", a.Name)
		}
		l = SSOLink{ID: tend.NewID(), StaffID: a.ID, Issuer: issuer, Subject: subject, CreatedBy: actor.ID, CreatedAt: tx.Now().UTC()}
		if err := tx.CreateSSOLink(ctx, &l); err != nil {
			if isKind(err, tend.ECONFLICT) {
				return tend.Errorf(tend.ECONFLICT, "That identity is linked already, or %s has a link to this provider: remove it first.", a.Name)
			}
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.sso_linked", "", target("staff", a.ID), tend.OutcomeOK))
	})
	if err != nil {
		return SSOLink{}, err
	}
	return l, nil
}

// UnlinkSSO removes every single sign-on link of a staff member and signs
// them out everywhere. Admins and the command line only.
func (s *Service) UnlinkSSO(ctx context.Context, actor tend.Actor, staffID tend.ID) (int, error) {
	if !isAdmin(actor) {
		return 0, tend.ErrForbidden
	}
	var n int
	err := s.inSSOTx(ctx, func(tx SSOTx) error {
		var err error
		if n, err = tx.DeleteSSOLinks(ctx, staffID); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if _, err := revokeAll(ctx, tx, actor, tend.KindStaff, staffID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.sso_unlinked", "", target("staff", staffID), tend.OutcomeOK))
	})
	return n, err
}

// ListSSOLinks lists every single sign-on link by staff id, for the admin
// pages (admins only).
func (s *Service) ListSSOLinks(ctx context.Context, actor tend.Actor) (map[tend.ID][]SSOLink, error) {
	if !isAdmin(actor) {
		return nil, tend.ErrForbidden
	}
	st, ok := s.store.(SSOStore)
	if !ok {
		return nil, tend.Errorf(tend.EINTERNAL, "auth: the store does not list single sign-on links")
	}
	ls, err := st.FindSSOLinks(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[tend.ID][]SSOLink, len(ls))
	for _, l := range ls {
		out[l.StaffID] = append(out[l.StaffID], l)
	}
	return out, nil
}
