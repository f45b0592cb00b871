package config_test

import (
	"io"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/config"
)

func TestLoadNotify(t *testing.T) {
	c, _, err := config.Load("serve", nil, env(map[string]string{
		"TEND_SMTP_URL": "smtp://user:secret@smtp.example.org:587", "TEND_MAIL_FROM": "reminders@example.org",
		"TEND_VAPID_SUBJECT": "mailto:admin@example.org", "TEND_PUSH_ALLOW_LOOPBACK": "true",
	}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Notify.SMTPURL != "smtp://user:secret@smtp.example.org:587" || c.Notify.MailFrom != "reminders@example.org" ||
		c.Notify.VAPIDSubject != "mailto:admin@example.org" || !c.Notify.PushAllowLoopback {
		t.Fatalf("%+v", c.Notify)
	}
	if c, _, err := config.Load("serve", nil, env(nil), io.Discard, nil); err != nil || c.Notify != (config.Notify{}) {
		t.Fatalf("defaults: %+v, %v", c.Notify, err)
	}
	for name, m := range map[string]map[string]string{
		"NoFrom":      {"TEND_SMTP_URL": "smtp://smtp.example.org"},
		"BadScheme":   {"TEND_SMTP_URL": "http://smtp.example.org", "TEND_MAIL_FROM": "a@example.org"},
		"BadStartTLS": {"TEND_SMTP_URL": "smtp://smtp.example.org?starttls=maybe", "TEND_MAIL_FROM": "a@example.org"},
		"NamedFrom":   {"TEND_SMTP_URL": "smtp://smtp.example.org", "TEND_MAIL_FROM": "Tend <a@example.org>"},
		"BadSubject":  {"TEND_VAPID_SUBJECT": "admin@example.org"},
		"BadLoopback": {"TEND_PUSH_ALLOW_LOOPBACK": "perhaps"},
	} {
		_, _, err := config.Load("serve", nil, env(m), io.Discard, nil)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
	// The password never appears in an error about the URL.
	_, _, err = config.Load("serve", nil, env(map[string]string{"TEND_SMTP_URL": "ftp://user:secret@smtp.example.org", "TEND_MAIL_FROM": "a@example.org"}), io.Discard, nil)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("bad URL with a password: %v", err)
	}
}
