package main

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
)

// wireNudges builds the reminders of unacknowledged follow-up tasks: an
// in-app alert for each recipient, and the neutral "task waiting" notice on
// their own channels through n (none when n is nil).
func wireNudges(db *store.DB, cache *settings.Cache, clock tend.Clock, n *notify.Service) *followup.Nudger {
	var notifier followup.Notifier
	if n != nil {
		notifier = taskNotifier{n}
	}
	return followup.NewNudger(store.For[followup.NudgeTx](db), notifier, clock, cache.FollowUp, nil)
}

// taskNotifier gives followup.Nudger notify.Service's delivery.
type taskNotifier struct{ n *notify.Service }

func (t taskNotifier) NotifyTaskWaiting(ctx context.Context, staffID, messageID tend.ID, path string) error {
	_, err := t.n.Deliver(ctx, notify.Recipient{Kind: tend.KindStaff, ID: staffID},
		notify.Message{ID: messageID, Kind: notify.KindTaskWaiting, Path: path})
	return err
}
