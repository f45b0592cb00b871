package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"

	"github.com/tendcare/tend"
)

// Options are a Service's optional parts.
type Options struct {
	// PublicURL is the address people reach Tend at (TEND_PUBLIC_URL):
	// e-mail links and the VAPID subject derive from it.
	PublicURL string
	// Subject is the VAPID subject, a mailto: or https: URL; "" uses
	// PublicURL.
	Subject string
	// Mailer sends e-mail; nil: no e-mail channel.
	Mailer Mailer
	// Pusher sends Web Push requests; nil: no push channel (subscriptions
	// are still kept).
	Pusher Pusher
	// AllowLoopback accepts push endpoints on loopback hosts, over http
	// too (tests and local receivers only: TEND_PUSH_ALLOW_LOOPBACK).
	AllowLoopback bool
	// Limiter counts push subscriptions and verification e-mails; nil: no limits.
	Limiter Limiter
	// Log records ids and counts only; nil discards.
	Log *slog.Logger
}

// Service delivers notifications and keeps the channels accounts set up.
type Service struct {
	store    Store
	sealer   Sealer
	clock    tend.Clock
	settings func() Settings
	opt      Options

	mu    sync.Mutex
	vapid *vapidKeys
}

// NewService returns a Service. settings returns the service's
// notification settings now (nil: the defaults).
func NewService(store Store, sealer Sealer, clock tend.Clock, settings func() Settings, opt Options) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	return &Service{store: store, sealer: sealer, clock: clock, settings: settings, opt: opt}
}

// Settings returns the notification settings now, with defaults filled in.
func (s *Service) Settings() Settings { return s.settings().WithDefaults() }

// EmailEnabled reports whether the service has an SMTP server configured.
func (s *Service) EmailEnabled() bool { return s.opt.Mailer != nil }

// The errors a delivery to retry returns. They say which channel and no
// more: a push service's or SMTP server's own error names the endpoint or
// echoes the address, and job errors are kept by the queue and shown on the
// jobs page.
var (
	errPushUnreachable = errors.New("notify: a push service could not be reached")
	errMailLater       = errors.New("notify: the SMTP server did not take the e-mail for now")
)

// payload is what a push message carries: nothing personal.
type payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Path  string `json:"path"`
	Tag   string `json:"tag"`
}

// wording returns the title and e-mail sender name for a message.
func wording(set Settings, k Kind, discreet bool) (title, sender string) {
	if discreet {
		return set.DiscreetText, set.DiscreetSender
	}
	switch k {
	case KindWeeklySummary:
		return set.SummaryText, set.SenderName
	case KindTaskWaiting:
		return set.TaskText, set.SenderName
	default:
		return set.ReminderText, set.SenderName
	}
}

// topic derives the Web Push Topic (at most 32 URL-safe characters) and
// the e-mail Message-ID's local part from a message id.
func topic(id tend.ID) string {
	h := sha256.Sum256([]byte("tend-notify|" + string(id)))
	return hex.EncodeToString(h[:16])
}

func checkMessage(to Recipient, m Message) error {
	if to.ID == "" || (to.Kind != tend.KindPerson && to.Kind != tend.KindStaff) {
		return tend.Errorf(tend.EINVALID, "A notification goes to a person or a staff member.")
	}
	if m.ID == "" {
		return tend.Errorf(tend.EINVALID, "A notification needs an id.")
	}
	switch m.Kind {
	case KindReminder, KindWeeklySummary, KindTaskWaiting:
	default:
		return tend.Errorf(tend.EINVALID, "Unknown kind of notification.")
	}
	if !strings.HasPrefix(m.Path, "/") || strings.HasPrefix(m.Path, "//") || strings.ContainsAny(m.Path, "\\\r\n") {
		return tend.Errorf(tend.EINVALID, "A notification opens a path on Tend.")
	}
	return nil
}

// Deliver sends m to every Web Push subscription of the account and, for
// a person, to their verified e-mail address; for staff, to their work
// address when the service turns staff e-mail on. It returns an error only
// when a channel failed in a way worth retrying (5xx, network) and nothing
// was accepted, so a job retries; a subscription answered 404 or 410 is
// deleted. An account with no channel gets Result{} and nil.
func (s *Service) Deliver(ctx context.Context, to Recipient, m Message) (Result, error) {
	if err := checkMessage(to, m); err != nil {
		return Result{}, err
	}
	set := s.Settings()
	discreet := false
	address := ""
	switch to.Kind {
	case tend.KindPerson:
		d, err := s.store.FindPersonNotifyDiscreet(ctx, to.ID)
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return Result{}, nil
		}
		if err != nil {
			return Result{}, err
		}
		discreet = d
		address, err = s.verifiedAddress(ctx, to.ID)
		if err != nil {
			return Result{}, err
		}
	case tend.KindStaff:
		if set.StaffEmail {
			a, err := s.store.FindStaffNotifyEmail(ctx, to.ID)
			if tend.ErrorKind(err) == tend.ENOTFOUND {
				return Result{}, nil
			}
			if err != nil {
				return Result{}, err
			}
			address = a
		}
	}
	title, sender := wording(set, m.Kind, discreet)
	var res Result
	var retry error
	if err := s.deliverPush(ctx, to, m, set, title, &res); err != nil {
		retry = err
	}
	if address != "" && s.opt.Mailer != nil {
		err := s.opt.Mailer.Send(ctx, Mail{
			To: address, FromName: sender, Subject: title,
			Text:      sentence(title) + "\r\n\r\n" + s.opt.PublicURL + m.Path + "\r\n",
			MessageID: topic(m.ID) + "@" + s.mailDomain(),
			Date:      s.clock.Now(),
		})
		switch {
		case err == nil:
			res.Email++
		case temporary(err):
			s.opt.Log.Warn("notify: e-mail not accepted, will retry", "message", m.ID, "kind", m.Kind, "account", to.ID)
			retry = errMailLater
		default:
			s.opt.Log.Warn("notify: e-mail refused", "message", m.ID, "kind", m.Kind, "account", to.ID)
		}
	}
	s.opt.Log.Info("notify: delivered", "message", m.ID, "kind", m.Kind, "account_kind", to.Kind, "account", to.ID,
		"push", res.Push, "email", res.Email)
	if res.Push+res.Email == 0 && retry != nil {
		return res, tend.Wrap(tend.EUNAVAILABLE, retry, "The notification could not be delivered yet.")
	}
	return res, nil
}

func temporary(err error) bool {
	var me *MailError
	if errors.As(err, &me) {
		return me.Temporary
	}
	return true
}

// mailDomain is the host of the public URL, for Message-IDs.
func (s *Service) mailDomain() string {
	if u, err := url.Parse(s.opt.PublicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "tend.invalid"
}

// marshalPayload encodes the push payload.
func marshalPayload(title string, m Message) []byte {
	b, _ := json.Marshal(payload{Title: title, Body: "", Path: m.Path, Tag: topic(m.ID)})
	return b
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role), Action: action,
		PersonID: personID, Target: target, Outcome: tend.OutcomeOK}
}

// sentence ends text with a full stop unless it ends with punctuation.
func sentence(text string) string {
	if strings.HasSuffix(text, ".") || strings.HasSuffix(text, "!") || strings.HasSuffix(text, "?") {
		return text
	}
	return text + "."
}
