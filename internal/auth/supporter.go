package auth

import (
	"context"
	"time"

	"github.com/tendcare/tend"
)

// Supporters (young-people.md) are family members or friends a person
// invites. careteam keeps what the person gave them; this file keeps how
// they sign in. A supporter's account has the id of their supporter record,
// a username and a password: no e-mail, no real name. Usernames share one
// namespace with people's, so /signin takes a username and finds exactly
// one account, a person's or a supporter's.

// SupporterInvite lets one supporter make their account. Only the SHA-256
// of the code is stored; the code is bound to one supporter record.
type SupporterInvite struct {
	ID          tend.ID
	CodeHash    []byte
	SupporterID tend.ID
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RedeemedAt  *time.Time
	// Filled by the store from the supporter record:
	PersonID tend.ID
	Ended    bool // the person has ended this supporter
}

// SupporterAccount is a supporter's sign-in record.
type SupporterAccount struct {
	ID           tend.ID // the supporter's id in careteam
	Username     string  // as chosen; unique ignoring case, among people too
	PasswordHash string
	CreatedAt    time.Time
	// Filled by the store from the supporter record:
	PersonID tend.ID
	Ended    bool // the person has ended this supporter: no sign-in, no session
}

// SupporterOwner is what an invite needs to know about a supporter record.
type SupporterOwner struct {
	PersonID tend.ID
	Ended    bool
	Joined   bool // an account exists for it
}

// SupporterStore is what supporters' sign-in reads outside a unit of work.
type SupporterStore interface {
	// FindSupporterAccountByID returns the account, or ENOTFOUND.
	FindSupporterAccountByID(ctx context.Context, id tend.ID) (SupporterAccount, error)
	// FindSupporterAccountByUsername matches ignoring case, or ENOTFOUND.
	FindSupporterAccountByUsername(ctx context.Context, username string) (SupporterAccount, error)
}

// SupporterTx is what supporters' invites and joining write.
type SupporterTx interface {
	// FindSupporterOwner returns whose supporter supporterID is; ENOTFOUND
	// when there is no such supporter.
	FindSupporterOwner(ctx context.Context, supporterID tend.ID) (SupporterOwner, error)
	// CreateSupporterInvite inserts inv.
	CreateSupporterInvite(ctx context.Context, inv *SupporterInvite) error
	// FindSupporterInviteByCodeHash returns the invite, or ENOTFOUND.
	FindSupporterInviteByCodeHash(ctx context.Context, hash []byte) (SupporterInvite, error)
	// UpdateSupporterInviteRedeemed marks the invite used; ECONFLICT when
	// it was already used.
	UpdateSupporterInviteRedeemed(ctx context.Context, id tend.ID) error
	// CreateSupporterAccount inserts a; ECONFLICT when the username is
	// taken by a person or a supporter in any letter case, or the supporter
	// already has an account.
	CreateSupporterAccount(ctx context.Context, a *SupporterAccount) error
}

// CreateSupporterInvite makes a single-use invite code for a supporter the
// person has just added (careteam.AddSupporter) and returns it once: 16
// base32 characters (80 bits) in groups of 4, lasting Options.InviteTTL.
// Only the person whose supporter it is can; anyone else gets ENOTFOUND.
// EINVALID when the supporter has ended or has already joined.
func (s *Service) CreateSupporterInvite(ctx context.Context, actor tend.Actor, supporterID tend.ID) (string, SupporterInvite, error) {
	if actor.Kind != tend.KindPerson || actor.ID == "" || actor.Scopes != nil {
		return "", SupporterInvite{}, tend.ErrNotFound
	}
	code := randomCode(16)
	inv := SupporterInvite{ID: tend.NewID(), CodeHash: sum(code), SupporterID: supporterID, PersonID: actor.ID}
	err := s.store.InTx(ctx, func(tx Tx) error {
		o, err := tx.FindSupporterOwner(ctx, supporterID)
		if err != nil {
			return err
		}
		switch {
		case o.PersonID != actor.ID:
			return tend.ErrNotFound
		case o.Ended:
			return tend.Errorf(tend.EINVALID, "You have stopped this supporter. Invite them again to give them a new code.")
		case o.Joined:
			return tend.Errorf(tend.EINVALID, "This supporter has already joined.")
		}
		inv.CreatedAt = tx.Now().UTC()
		inv.ExpiresAt = inv.CreatedAt.Add(s.opt.InviteTTL)
		if err := tx.CreateSupporterInvite(ctx, &inv); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, "auth.supporter_invite_created", actor.ID, target("supporter_invite", inv.ID), tend.OutcomeOK))
	})
	if err != nil {
		return "", SupporterInvite{}, err
	}
	return groupCode(code), inv, nil
}

// SupporterJoinRequest is what a supporter gives to join: the code the
// person gave them, a username and a password. No e-mail.
type SupporterJoinRequest struct {
	Code     string
	Username string
	Password string
}

// SupporterJoined is the new account and its first session.
type SupporterJoined struct {
	Token   string
	Session Session
	Account SupporterAccount
}

// JoinSupporter makes a supporter's account from a supporter invite, which
// it uses up, and signs them in. Wrong codes are rate limited per address,
// with the same counter as people's invite codes.
func (s *Service) JoinSupporter(ctx context.Context, r SupporterJoinRequest, c Client) (SupporterJoined, error) {
	if err := CheckUsername(r.Username); err != nil {
		return SupporterJoined{}, err
	}
	if err := CheckPassword(r.Password); err != nil {
		return SupporterJoined{}, err
	}
	lim := newCounter(s.opt.Limits.Invite, "invite", c.Address)
	if err := s.checkLimits(ctx, "wrong invite codes", lim); err != nil {
		return SupporterJoined{}, err
	}
	hash, err := s.hasher.Hash(ctx, r.Password)
	if err != nil {
		return SupporterJoined{}, err
	}
	var out SupporterJoined
	var problem error
	err = s.store.InTx(ctx, func(tx Tx) error {
		now := tx.Now().UTC()
		inv, err := tx.FindSupporterInviteByCodeHash(ctx, sum(normalizeCode(r.Code)))
		switch {
		case isNotFound(err):
			problem = tend.Errorf(tend.EINVALID, "That code is not right. Check it, or ask the person who invited you for a new one.")
		case err != nil:
			return err
		case inv.RedeemedAt != nil:
			problem = tend.Errorf(tend.EINVALID, "That code has already been used. Ask the person who invited you for a new one.")
		case inv.Ended, !now.Before(inv.ExpiresAt):
			problem = tend.Errorf(tend.EINVALID, "That code has expired. Ask the person who invited you for a new one.")
		}
		if problem != nil {
			if err := countFailure(ctx, tx, lim); err != nil {
				return err
			}
			tgt := "supporter_invite:unknown"
			if inv.ID != "" {
				tgt = target("supporter_invite", inv.ID)
			}
			return tx.AppendAudit(ctx, event(tend.Actor{Kind: tend.KindSupporter}, "auth.supporter_invite_redeemed", inv.PersonID, tgt, tend.OutcomeFailed))
		}
		a := SupporterAccount{ID: inv.SupporterID, Username: r.Username, PasswordHash: hash, CreatedAt: now, PersonID: inv.PersonID}
		if err := tx.CreateSupporterAccount(ctx, &a); err != nil {
			if isKind(err, tend.ECONFLICT) {
				return tend.Errorf(tend.ECONFLICT, "The username %s is taken. Please choose another.", r.Username)
			}
			return err
		}
		if err := tx.UpdateSupporterInviteRedeemed(ctx, inv.ID); err != nil {
			return err
		}
		actor := tend.Actor{Kind: tend.KindSupporter, ID: a.ID}
		tok, ss, err := s.startSession(ctx, tx, tend.KindSupporter, a.ID, true, c.device())
		if err != nil {
			return err
		}
		if err := tx.CreateSignIn(ctx, &SignIn{ID: tend.NewID(), AccountKind: tend.KindSupporter, AccountID: a.ID, At: now, Device: c.device(), Outcome: tend.OutcomeOK}); err != nil {
			return err
		}
		out = SupporterJoined{Token: tok, Session: ss, Account: a}
		return tx.AppendAudit(ctx,
			event(actor, "auth.supporter_invite_redeemed", inv.PersonID, target("supporter_invite", inv.ID), tend.OutcomeOK),
			event(actor, "auth.sign_in", "", target("supporter", a.ID), tend.OutcomeOK))
	})
	if err != nil {
		return SupporterJoined{}, err
	}
	if problem != nil {
		return SupporterJoined{}, problem
	}
	return out, nil
}

// supporterLogin finds the supporter account for a username at sign-in.
// An ended supporter is as unknown as a name nobody holds.
func (s *Service) supporterLogin(ctx context.Context, ident string) (tend.ID, string, error) {
	a, err := s.store.FindSupporterAccountByUsername(ctx, ident)
	switch {
	case isNotFound(err):
		return "", "", nil
	case err != nil:
		return "", "", err
	case a.Ended:
		return "", "", nil
	}
	return a.ID, a.PasswordHash, nil
}

// authenticateSupporter checks that a supporter session's account still
// stands: once the person ends the supporter, their next request is
// signed out.
func (s *Service) authenticateSupporter(ctx context.Context, id tend.ID) error {
	a, err := s.store.FindSupporterAccountByID(ctx, id)
	if isNotFound(err) || (err == nil && a.Ended) {
		return errSignedOut
	}
	return err
}
