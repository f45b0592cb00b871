package remind

import (
	"context"

	"github.com/tendcare/tend/internal/notify"
)

// The channel types are notify's: a send reaches the person's devices and
// verified e-mail address through notify.Service.
type (
	Recipient = notify.Recipient
	Message   = notify.Message
	Result    = notify.Result
)

// Sender delivers one message to the person's channels (notify.Service).
// The message's ID is the send's id, reused by retries, so the channels
// can drop a repeat. An error means "try again later".
type Sender interface {
	Deliver(ctx context.Context, to notify.Recipient, m notify.Message) (notify.Result, error)
}

// messageKind is the notification kind of a send kind.
func messageKind(k Kind) notify.Kind {
	if k == KindWeekly {
		return notify.KindWeeklySummary
	}
	return notify.KindReminder
}
