package settings_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestAdminSaveSettings: the whole settings form is saved only by an admin,
// only when valid (field-by-field problems, nothing changed otherwise),
// audited in the same unit of work, keeps the crisis-line confirmations, and
// reaches the in-memory copy at once.
func TestAdminSaveSettings(t *testing.T) {
	ctx := context.Background()
	db := testenv.Store(t, nil)
	h, _ := settings.ParseHours("mon-fri 09:00-17:00")
	base := settings.Settings{Name: "Riverside", Country: "GB", TimeZone: "Europe/London", Locale: "en-GB", WorkingHours: h,
		OutOfHours: "Call NHS 111.", Emergency: "Go to the nearest A&E.", QuickExitURL: "https://www.bbc.co.uk/weather"}
	if err := settings.Save(ctx, db, base); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	dir, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	admin := settings.NewAdmin(store.For[settings.Tx](db), access.NewChecker(db), cache, dir, tend.SystemClock{})
	ada := tend.Actor{Kind: tend.KindStaff, ID: "s-ada", Role: tend.RoleAdmin, MFA: true}
	if err := admin.ConfirmCrisisLines(ctx, ada, "GB"); err != nil {
		t.Fatal(err)
	}

	t.Run("Refused", func(t *testing.T) {
		for _, actor := range []tend.Actor{
			{Kind: tend.KindStaff, ID: "s-lee", Role: tend.RoleClinician, MFA: true},
			{Kind: tend.KindStaff, ID: "s-morgan", Role: tend.RoleLead, MFA: true},
			{Kind: tend.KindStaff, ID: "s-ada", Role: tend.RoleAdmin},
			{Kind: tend.KindPerson, ID: "p-sam"},
		} {
			changed := base
			changed.OutOfHours = "Changed by someone else"
			if err := admin.SaveSettings(ctx, actor, changed); tend.ErrorKind(err) != tend.EFORBIDDEN {
				t.Errorf("%s %s saved settings: %v", actor.Kind, actor.Role, err)
			}
			if _, err := admin.Current(ctx, actor); tend.ErrorKind(err) != tend.EFORBIDDEN {
				t.Errorf("%s %s read the settings form: %v", actor.Kind, actor.Role, err)
			}
		}
	})

	t.Run("InvalidChangesNothing", func(t *testing.T) {
		bad := base
		bad.Name = "Renamed"
		bad.OutOfHours = " "
		bad.QuickExitURL = "http://example.org"
		bad.Lines = []settings.Line{{Name: "Duty line"}}
		err := admin.SaveSettings(ctx, ada, bad)
		var p settings.ValidationError
		if tend.ErrorKind(err) != tend.EINVALID || !errors.As(err, &p) {
			t.Fatalf("error %v, want EINVALID with a ValidationError", err)
		}
		want := map[string]string{
			"out_of_hours":   "Say where people can turn when the service is closed.",
			"quick_exit_url": "Enter an https address",
			"lines.0":        "Each line needs a number to call or text.",
		}
		for field, msg := range want {
			if !strings.HasPrefix(p[field], msg) {
				t.Errorf("%s: %q, want %q", field, p[field], msg)
			}
		}
		if len(p) != len(want) {
			t.Errorf("problems %v", p)
		}
		tooMany := base
		for range 6 {
			tooMany.Lines = append(tooMany.Lines, settings.Line{Name: "Line", Call: "0300 123 4567"})
		}
		if err := admin.SaveSettings(ctx, ada, tooMany); !errors.As(err, &p) || p["lines"] == "" {
			t.Errorf("six lines: %v", err)
		}
		cur, _ := cache.Get()
		stored, _, _ := db.FindSettings(ctx)
		if cur.Name != "Riverside" || stored.Name != "Riverside" || stored.OutOfHours != "Call NHS 111." {
			t.Errorf("invalid settings changed something: cache %q, stored %q", cur.Name, stored.Name)
		}
	})

	t.Run("Saved", func(t *testing.T) {
		good := base
		good.Country = " gb "
		good.OutOfHours = "Call the Riverside crisis team."
		good.Lines = []settings.Line{{Name: "Riverside crisis team", Call: "0300 123 4567", Hours: "17:00-09:00"}}
		good.YoungConfidentiality = "What you write here is private between you and your care team."
		if err := admin.SaveSettings(ctx, ada, good); err != nil {
			t.Fatal(err)
		}
		cur, _ := cache.Get()
		if cur.OutOfHours != good.OutOfHours || cur.Country != "GB" || len(cur.Lines) != 1 || cur.YoungConfidentiality != good.YoungConfidentiality {
			t.Errorf("the in-memory copy is not the saved one: %+v", cur)
		}
		if !cur.ConfirmedFor("GB", dir.Compiled) {
			t.Error("saving the form lost the crisis-line confirmation")
		}
		events, err := db.FindAuditEvents(ctx, store.AuditFilter{Actions: []string{"settings.saved"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].ActorID != ada.ID || events[0].Outcome != tend.OutcomeOK {
			t.Errorf("audit events %+v, want one settings.saved by the admin", events)
		}
	})
}
