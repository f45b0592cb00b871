package demo

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/remind"
)

// seedReminders gives sam a diary card reminder at 20:00 in their own time
// zone, as they would set it on their reminders page.
func seedReminders(ctx context.Context, svc *remind.Service, sam tend.ID) error {
	who := tend.Actor{Kind: tend.KindPerson, ID: sam}
	p := remind.Defaults(sam)
	p.Diary, p.At = true, "20:00"
	_, err := svc.Save(ctx, who, sam, p)
	return err
}
