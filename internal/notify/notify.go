package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/vault"
)

// Recipient is the account a notification goes to.
type Recipient struct {
	Kind tend.AccountKind // tend.KindPerson or tend.KindStaff
	ID   tend.ID
}

// Kind is what a notification is about; it chooses the wording.
type Kind string

// The kinds of notification.
const (
	KindReminder      Kind = "reminder"       // a person's reminder (diary, homework, questionnaire)
	KindWeeklySummary Kind = "weekly_summary" // a person's weekly summary is ready in Tend
	KindTaskWaiting   Kind = "task_waiting"   // staff: a follow-up task is waiting to be acknowledged
)

// Message is one delivery.
type Message struct {
	// ID is unique per delivery; retries of the same delivery reuse it. The
	// Web Push Topic header and the e-mail Message-ID derive from it, so a
	// receiver can drop a repeat.
	ID   tend.ID
	Kind Kind
	// Path is the path on Tend the notification opens, e.g. "/me" or
	// "/clinic/tasks": never personal, no ids of people.
	Path string
}

// Result says how many channels accepted the message.
type Result struct{ Push, Email int }

// The audit actions this package records. Their events carry ids only.
const (
	AuditPushSubscribed   = "notify.push_subscribed"
	AuditPushUnsubscribed = "notify.push_unsubscribed"
	AuditEmailAdded       = "notify.email_added"
	AuditEmailVerified    = "notify.email_verified"
	AuditEmailRemoved     = "notify.email_removed"
)

// TokenValidFor is how long an e-mail verification link works.
const TokenValidFor = 24 * time.Hour

// DefaultPushHosts are the push services of the major browsers, allowed
// when the service's settings name none. "*.x" allows any host under x.
var DefaultPushHosts = []string{
	"fcm.googleapis.com",                // Chrome, Edge on Android, other Chromium browsers
	"updates.push.services.mozilla.com", // Firefox
	"*.notify.windows.com",              // Edge on Windows
	"web.push.apple.com",                // Safari
}

// The default wording. Services may set their own in Settings.
const (
	DefaultReminderText   = "You have a reminder"
	DefaultSummaryText    = "Your weekly summary is ready in Tend"
	DefaultTaskText       = "A follow-up task is waiting in Tend"
	DefaultSenderName     = "Tend"
	DefaultDiscreetText   = "You have a reminder"
	DefaultDiscreetSender = "Reminders"
)

// maxText bounds each wording setting.
const maxText = 80

// Settings are the service's notification settings (settings.Settings
// field "notifications"). Zero fields take the defaults above.
type Settings struct {
	ReminderText string `json:"reminder_text,omitempty"` // a person's reminder
	SummaryText  string `json:"summary_text,omitempty"`  // a person's weekly summary is ready
	TaskText     string `json:"task_text,omitempty"`     // staff: a task is waiting
	SenderName   string `json:"sender_name,omitempty"`   // e-mail sender display name
	// DiscreetText and DiscreetSender replace every wording and the sender
	// name for a person in discreet mode (safety-rules.md section 9).
	DiscreetText   string `json:"discreet_text,omitempty"`
	DiscreetSender string `json:"discreet_sender,omitempty"`
	// StaffEmail sends staff notifications to their work address too.
	StaffEmail bool `json:"staff_email,omitempty"`
	// PushHosts are the push-service hosts subscriptions may name; empty
	// means DefaultPushHosts.
	PushHosts []string `json:"push_hosts,omitempty"`
}

// WithDefaults returns s with every empty field set to its default.
func (s Settings) WithDefaults() Settings {
	def := func(p *string, d string) {
		if strings.TrimSpace(*p) == "" {
			*p = d
		}
	}
	def(&s.ReminderText, DefaultReminderText)
	def(&s.SummaryText, DefaultSummaryText)
	def(&s.TaskText, DefaultTaskText)
	def(&s.SenderName, DefaultSenderName)
	def(&s.DiscreetText, DefaultDiscreetText)
	def(&s.DiscreetSender, DefaultDiscreetSender)
	if len(s.PushHosts) == 0 {
		s.PushHosts = slices.Clone(DefaultPushHosts)
	}
	return s
}

// Validate returns EINVALID, naming the field, when a wording is too long
// or holds a line break or angle bracket, or a push host is not a host
// name (optionally starting "*.").
func (s Settings) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"The reminder wording", s.ReminderText}, {"The weekly summary wording", s.SummaryText},
		{"The task wording", s.TaskText}, {"The sender name", s.SenderName},
		{"The discreet wording", s.DiscreetText}, {"The discreet sender name", s.DiscreetSender},
	} {
		if len([]rune(f.v)) > maxText {
			return tend.Errorf(tend.EINVALID, "%s is at most %d characters.", f.name, maxText)
		}
		if strings.ContainsAny(f.v, "\r\n<>\"") {
			return tend.Errorf(tend.EINVALID, "%s cannot hold line breaks, quotes or angle brackets.", f.name)
		}
	}
	for _, h := range s.PushHosts {
		if !validHostPattern(h) {
			return tend.Errorf(tend.EINVALID, "%q is not a push service host name (for example fcm.googleapis.com or *.notify.windows.com).", h)
		}
	}
	return nil
}

func validHostPattern(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// hostAllowed reports whether host matches one of patterns; "*.x" matches
// any host under x (not x itself).
func hostAllowed(patterns []string, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, p := range patterns {
		p = strings.ToLower(p)
		if rest, ok := strings.CutPrefix(p, "*."); ok {
			if strings.HasSuffix(host, "."+rest) {
				return true
			}
		} else if host == p {
			return true
		}
	}
	return false
}

// PushRecord is one stored Web Push subscription. Sealed holds the
// subscription JSON (endpoint and keys) as a vault ciphertext.
type PushRecord struct {
	ID           tend.ID
	Account      Recipient
	EndpointHash string
	Sealed       []byte
	CreatedAt    time.Time
	LastUsed     *time.Time
}

// VAPIDRecord is the service's VAPID key pair; Private is sealed with the
// records key.
type VAPIDRecord struct {
	Public    string
	Private   []byte
	CreatedAt time.Time
}

// EmailRecord is a person's e-mail address row. Address is sealed under
// the person's key; TokenHash is the SHA-256 (hex) of the pending
// verification token, "" when none.
type EmailRecord struct {
	PersonID       tend.ID
	Address        []byte
	VerifiedAt     *time.Time
	TokenHash      string
	TokenExpiresAt *time.Time
	UpdatedAt      time.Time
}

// Store reads outside a unit of work.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindPushSubscriptions returns the account's subscriptions, oldest first.
	FindPushSubscriptions(ctx context.Context, kind tend.AccountKind, id tend.ID) ([]PushRecord, error)
	// FindVAPIDKey returns the service's VAPID key pair, or ENOTFOUND.
	FindVAPIDKey(ctx context.Context) (VAPIDRecord, error)
	// FindPersonEmail returns the person's address row, or ENOTFOUND.
	FindPersonEmail(ctx context.Context, personID tend.ID) (EmailRecord, error)
	// FindPersonNotifyDiscreet returns whether the person is in discreet
	// mode; ENOTFOUND when the person is missing or erased.
	FindPersonNotifyDiscreet(ctx context.Context, personID tend.ID) (bool, error)
	// FindStaffNotifyEmail returns the staff member's work address;
	// ENOTFOUND when the account is missing or disabled.
	FindStaffNotifyEmail(ctx context.Context, staffID tend.ID) (string, error)
}

// Tx is one unit of work.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
	// CreatePushSubscription adds a subscription.
	CreatePushSubscription(ctx context.Context, r PushRecord) error
	// DeletePushSubscription removes the account's subscription with this
	// endpoint hash and returns its id, or "" when there was none.
	DeletePushSubscription(ctx context.Context, account Recipient, endpointHash string) (tend.ID, error)
	// DeletePushSubscriptionByID removes a subscription; none is fine.
	DeletePushSubscriptionByID(ctx context.Context, id tend.ID) error
	// TouchPushSubscription records a delivery the push service accepted.
	TouchPushSubscription(ctx context.Context, id tend.ID, at time.Time) error
	// CreateVAPIDKey stores the key pair unless one exists already.
	CreateVAPIDKey(ctx context.Context, r VAPIDRecord) error
	// SavePersonEmail adds or replaces the person's address row.
	SavePersonEmail(ctx context.Context, r EmailRecord) error
	// UsePersonEmailToken marks the address whose pending token has this
	// hash and has not expired at as verified, clears the token, and
	// returns the person's id; "" when no such token is pending.
	UsePersonEmailToken(ctx context.Context, tokenHash string, at time.Time) (tend.ID, error)
	// DeletePersonEmail removes it; ENOTFOUND when there is none.
	DeletePersonEmail(ctx context.Context, personID tend.ID) error
}

// Sealer seals and opens (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
	SealRecord(ctx context.Context, f vault.Field, plaintext []byte) ([]byte, error)
	OpenRecord(ctx context.Context, f vault.Field, ciphertext []byte) ([]byte, error)
}

// Limiter counts requests against the service's rate limits (auth.Service).
type Limiter interface {
	CountPushSubscription(ctx context.Context, actor tend.Actor) error
	CountEmailVerification(ctx context.Context, actor tend.Actor) error
}

// Mail is one e-mail. Nothing personal goes in it besides To.
type Mail struct {
	To        string
	FromName  string
	Subject   string
	Text      string
	MessageID string // without angle brackets
	Date      time.Time
}

// Mailer sends e-mail (SMTP). An error that is not a *MailError, or one
// with Temporary set, is worth retrying.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// MailError is a failed send.
type MailError struct {
	Temporary bool
	Err       error
}

func (e *MailError) Error() string { return fmt.Sprintf("notify: mail: %v", e.Err) }
func (e *MailError) Unwrap() error { return e.Err }

// PushRequest is one Web Push message to one subscription.
type PushRequest struct {
	Endpoint, P256dh, Auth string // the subscription
	Payload                []byte // the plaintext, encrypted by the Pusher
	Topic                  string // the Topic header: repeats replace a pending copy
	TTL                    int    // seconds the push service keeps it
	Subject                string // VAPID subject (mailto: or https:)
	VAPIDPublic            string // base64url
	VAPIDPrivate           string // base64url
}

// Pusher sends Web Push requests (channel.WebPush). It returns the push
// service's status, or an error when the service was not reached.
type Pusher interface {
	Push(ctx context.Context, r PushRequest) (int, error)
}
