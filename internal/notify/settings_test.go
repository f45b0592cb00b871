package notify_test

import (
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/notify"
)

func TestSettingsValidate(t *testing.T) {
	good := []notify.Settings{
		{},
		{ReminderText: "Time for a check-in", DiscreetSender: "Updates", PushHosts: []string{"fcm.googleapis.com", "*.notify.windows.com"}},
	}
	for _, s := range good {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	bad := []notify.Settings{
		{ReminderText: strings.Repeat("x", 81)},
		{SenderName: "Tend\r\nBcc: someone@example.org"},
		{DiscreetSender: `"quoted" <x@example.org>`},
		{PushHosts: []string{"https://fcm.googleapis.com"}},
		{PushHosts: []string{"*"}},
		{PushHosts: []string{"localhost"}},
	}
	for _, s := range bad {
		if err := s.Validate(); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", s, err)
		}
	}
	d := notify.Settings{}.WithDefaults()
	if d.ReminderText != "You have a reminder" || d.DiscreetSender != "Reminders" || len(d.PushHosts) != 4 {
		t.Fatalf("defaults %+v", d)
	}
}
