package channel

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/tendcare/tend/internal/notify"
	gomail "github.com/wneessen/go-mail"
)

// SMTP sends e-mail through the service's SMTP server.
type SMTP struct {
	host     string
	port     int
	ssl      bool
	tls      gomail.TLSPolicy
	user     string
	password string
	from     string
	helo     string
}

// NewSMTP reads TEND_SMTP_URL and TEND_MAIL_FROM:
//
//	smtp://user:password@host:port?starttls=mandatory   (the default; port 587)
//	smtp://host:25?starttls=opportunistic|none
//	smtps://user:password@host:465                        (TLS from the start)
//
// from is the bare sender address; the display name comes from the
// settings (neutral, or the discreet sender name). helo names this host to
// the server ("" for the library's default).
func NewSMTP(rawURL, from, helo string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("channel: TEND_SMTP_URL is not a URL like smtp://user:password@host:587")
	}
	if _, err := notify.CheckAddress(from); err != nil {
		return nil, errors.New("channel: TEND_MAIL_FROM is not an e-mail address")
	}
	m := &SMTP{host: u.Hostname(), from: from, helo: helo, tls: gomail.TLSMandatory}
	switch u.Scheme {
	case "smtp":
		m.port = 587
	case "smtps":
		m.port, m.ssl = 465, true
	default:
		return nil, fmt.Errorf("channel: TEND_SMTP_URL scheme %q is not smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port <= 0 || m.port > 65535 {
			return nil, errors.New("channel: TEND_SMTP_URL has a bad port")
		}
	}
	switch u.Query().Get("starttls") {
	case "", "mandatory":
	case "opportunistic":
		m.tls = gomail.TLSOpportunistic
	case "none":
		m.tls = gomail.NoTLS
	default:
		return nil, errors.New("channel: TEND_SMTP_URL starttls is mandatory, opportunistic or none")
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	return m, nil
}

// Send sends one plain-text e-mail. A refusal the server calls temporary
// (4xx) or a connection failure comes back as a temporary *MailError.
func (m *SMTP) Send(ctx context.Context, ml notify.Mail) error {
	opt := []gomail.MsgOption{gomail.WithNoDefaultUserAgent()}
	if ascii(ml.Text) {
		// Plain ASCII goes as it is (8bit), so links stay whole on one line.
		opt = append(opt, gomail.WithEncoding(gomail.NoEncoding))
	}
	msg := gomail.NewMsg(opt...)
	if err := msg.FromFormat(ml.FromName, m.from); err != nil {
		return &notify.MailError{Err: err}
	}
	if err := msg.To(ml.To); err != nil {
		return &notify.MailError{Err: err}
	}
	msg.Subject(ml.Subject)
	msg.SetMessageIDWithValue(ml.MessageID)
	msg.SetDateWithValue(ml.Date)
	msg.SetBodyString(gomail.TypeTextPlain, ml.Text)
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(30 * time.Second)}
	if m.ssl {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(m.tls))
	}
	if m.helo != "" {
		opts = append(opts, gomail.WithHELO(m.helo))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(m.user), gomail.WithPassword(m.password))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return &notify.MailError{Err: err}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) {
			return &notify.MailError{Temporary: se.IsTemp(), Err: err}
		}
		return &notify.MailError{Temporary: true, Err: err}
	}
	return nil
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
