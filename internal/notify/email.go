package notify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/mail"
	"net/url"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/vault"
)

// maxAddress bounds an e-mail address (RFC 5321 path limit).
const maxAddress = 254

// VerifyPath is the page a verification link opens; the token goes in
// the query as t. The page asks the person to press a button, so a mail
// scanner that follows links does not use the token up.
const VerifyPath = "/email/verify"

// EmailStatus is a person's e-mail address as they see it in their settings.
type EmailStatus struct {
	Address  string // "" when none
	Verified bool
}

func emailField(personID tend.ID) vault.Field {
	return vault.Field{Table: "person_emails", Column: "address", Row: personID}
}

func selfPerson(actor tend.Actor) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	if actor.Kind != tend.KindPerson {
		return tend.ErrNotFound
	}
	return nil
}

// Email returns the signed-in person's address and whether it is verified.
func (s *Service) Email(ctx context.Context, actor tend.Actor) (EmailStatus, error) {
	if err := selfPerson(actor); err != nil {
		return EmailStatus{}, err
	}
	r, err := s.store.FindPersonEmail(ctx, actor.ID)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return EmailStatus{}, nil
	}
	if err != nil {
		return EmailStatus{}, err
	}
	a, err := s.sealer.OpenPerson(ctx, actor.ID, emailField(actor.ID), r.Address)
	if err != nil {
		return EmailStatus{}, err
	}
	return EmailStatus{Address: string(a), Verified: r.VerifiedAt != nil}, nil
}

// verifiedAddress returns the person's verified address, or "".
func (s *Service) verifiedAddress(ctx context.Context, personID tend.ID) (string, error) {
	r, err := s.store.FindPersonEmail(ctx, personID)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return "", nil
	}
	if err != nil || r.VerifiedAt == nil {
		return "", err
	}
	a, err := s.sealer.OpenPerson(ctx, personID, emailField(personID), r.Address)
	if err != nil {
		return "", err
	}
	return string(a), nil
}

// CheckAddress returns the address trimmed, or EINVALID.
func CheckAddress(address string) (string, error) {
	address = strings.TrimSpace(address)
	bad := tend.Errorf(tend.EINVALID, "Enter an e-mail address like name@example.org.")
	if address == "" || len(address) > maxAddress {
		return "", bad
	}
	a, err := mail.ParseAddress(address)
	if err != nil || a.Name != "" || a.Address != address || !strings.Contains(address[strings.LastIndex(address, "@")+1:], ".") {
		return "", bad
	}
	return address, nil
}

// SetEmail adds or changes the signed-in person's address and sends a
// verification link to it. Until the link is used nothing else goes to
// the address. EUNAVAILABLE when the service sends no e-mail or the
// verification e-mail could not be sent (the address is kept; sending it
// again sends a new link); ERATELIMITED past the limit.
func (s *Service) SetEmail(ctx context.Context, actor tend.Actor, address string) error {
	if err := selfPerson(actor); err != nil {
		return err
	}
	address, err := CheckAddress(address)
	if err != nil {
		return err
	}
	if s.opt.Mailer == nil {
		return tend.Errorf(tend.EUNAVAILABLE, "This service does not send e-mail.")
	}
	if s.opt.Limiter != nil {
		if err := s.opt.Limiter.CountEmailVerification(ctx, actor); err != nil {
			return err
		}
	}
	discreet, err := s.store.FindPersonNotifyDiscreet(ctx, actor.ID)
	if err != nil {
		return err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sealed, err := s.sealer.SealPerson(ctx, actor.ID, emailField(actor.ID), []byte(address))
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		now := tx.Now().UTC()
		exp := now.Add(TokenValidFor)
		if err := tx.SavePersonEmail(ctx, EmailRecord{PersonID: actor.ID, Address: sealed, TokenHash: sha256Hex(token), TokenExpiresAt: &exp, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditEmailAdded, actor.ID, "person:"+string(actor.ID)))
	})
	if err != nil {
		return err
	}
	set := s.Settings()
	sender := set.SenderName
	if discreet {
		sender = set.DiscreetSender
	}
	link := s.opt.PublicURL + VerifyPath + "?t=" + url.QueryEscape(token)
	err = s.opt.Mailer.Send(ctx, Mail{
		To: address, FromName: sender, Subject: "Confirm your e-mail address",
		Text: "Someone asked for reminders to be sent to this address.\r\n\r\n" +
			"To confirm, open this link within 24 hours and press the button:\r\n" + link + "\r\n\r\n" +
			"If it was not you, ignore this e-mail: nothing will be sent to this address.\r\n",
		MessageID: topic(tend.NewID()) + "@" + s.mailDomain(),
		Date:      s.clock.Now(),
	})
	if err != nil {
		s.opt.Log.Warn("notify: verification e-mail not sent", "person", actor.ID)
		return tend.Wrap(tend.EUNAVAILABLE, err, "The e-mail to confirm your address could not be sent. Please try again later.")
	}
	s.opt.Log.Info("notify: verification e-mail sent", "person", actor.ID)
	return nil
}

// VerifyEmail uses a verification token: the address it was sent to
// becomes the person's verified address. A token works once and for
// TokenValidFor; EINVALID otherwise. The token is the proof, so no
// sign-in is needed.
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	bad := tend.Errorf(tend.EINVALID, "This link has expired or has already been used. You can ask for a new one in your settings.")
	if token == "" || len(token) > 100 {
		return bad
	}
	hash := sha256Hex(token)
	return s.store.InTx(ctx, func(tx Tx) error {
		personID, err := tx.UsePersonEmailToken(ctx, hash, tx.Now().UTC())
		if err != nil {
			return err
		}
		if personID == "" {
			return bad
		}
		person := tend.Actor{Kind: tend.KindPerson, ID: personID}
		return tx.AppendAudit(ctx, event(person, AuditEmailVerified, personID, "person:"+string(personID)))
	})
}

// RemoveEmail forgets the signed-in person's address; ENOTFOUND when
// there is none.
func (s *Service) RemoveEmail(ctx context.Context, actor tend.Actor) error {
	if err := selfPerson(actor); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.DeletePersonEmail(ctx, actor.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditEmailRemoved, actor.ID, "person:"+string(actor.ID)))
	})
}
