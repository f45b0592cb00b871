package web

import (
	"net/url"
	"strings"

	"github.com/tendcare/tend/internal/notify"
)

// The notification part of the admin settings form
// (docs/notifications.md): the wording of notifications and e-mails, the
// discreet wording and sender name, whether staff get e-mail, and the push
// services subscriptions may use. Empty fields take the defaults, which
// the form shows as placeholders.

// setNotify fills the notification part of the settings form.
func (f *settingsForm) setNotify(n notify.Settings) {
	f.Notify = n
	f.PushHosts = strings.Join(n.PushHosts, "\n")
}

// notifySettingsFromForm reads the notification part of the settings form.
func notifySettingsFromForm(f url.Values) notify.Settings {
	n := notify.Settings{
		ReminderText:   strings.TrimSpace(f.Get("notifications.reminder_text")),
		SummaryText:    strings.TrimSpace(f.Get("notifications.summary_text")),
		TaskText:       strings.TrimSpace(f.Get("notifications.task_text")),
		SenderName:     strings.TrimSpace(f.Get("notifications.sender_name")),
		DiscreetText:   strings.TrimSpace(f.Get("notifications.discreet_text")),
		DiscreetSender: strings.TrimSpace(f.Get("notifications.discreet_sender")),
		StaffEmail:     f.Get("notifications.staff_email") == "yes",
	}
	n.PushHosts = strings.FieldsFunc(strings.ToLower(f.Get("notifications.push_hosts")), func(c rune) bool {
		return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t'
	})
	return n
}

// notifyField is one wording field of the form, with its default shown as
// the placeholder.
type notifyField struct {
	ID, Label, Value, Default string
}

// NotifyFields lists the wording fields in page order.
func (page *adminSettingsPage) NotifyFields() []notifyField {
	n := page.Form.Notify
	def := notify.Settings{}.WithDefaults()
	out := []notifyField{
		{"reminder_text", "", n.ReminderText, def.ReminderText},
		{"summary_text", "", n.SummaryText, def.SummaryText},
		{"task_text", "", n.TaskText, def.TaskText},
		{"sender_name", "", n.SenderName, def.SenderName},
		{"discreet_text", "", n.DiscreetText, def.DiscreetText},
		{"discreet_sender", "", n.DiscreetSender, def.DiscreetSender},
	}
	for i := range out {
		out[i].Label = page.T("admin.settings_notify_" + out[i].ID)
	}
	return out
}
