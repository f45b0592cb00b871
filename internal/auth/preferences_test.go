package auth_test

import (
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
)

func TestPreferences(t *testing.T) {
	e := newEnv(t, auth.Options{})
	sam := e.person("sam")
	alex := e.person("alex")
	me := tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID}
	t.Run("OK/Defaults", func(t *testing.T) {
		p, err := e.svc.Preferences(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		// The service's zone (newEnv: Europe/London), nothing else chosen.
		want := auth.Preferences{TimeZone: "Europe/London"}
		if p != want {
			t.Errorf("preferences = %+v, want %+v", p, want)
		}
	})
	t.Run("OK/TimeZone", func(t *testing.T) {
		if err := e.svc.SetTimeZone(ctx, me, "Australia/Perth"); err != nil {
			t.Fatal(err)
		}
		e.wantAudit("auth.time_zone_set", tend.OutcomeOK)
		if p, _ := e.svc.Preferences(ctx, me); p.TimeZone != "Australia/Perth" {
			t.Errorf("zone = %q, want Australia/Perth", p.TimeZone)
		}
		if p, _ := e.svc.Preferences(ctx, tend.Actor{Kind: tend.KindPerson, ID: alex.Person.ID}); p.TimeZone != "Europe/London" {
			t.Errorf("alex's zone changed with sam's: %q", p.TimeZone)
		}
	})
	t.Run("ErrInvalid/TimeZone", func(t *testing.T) {
		for _, tz := range []string{"", "Local", "Mars/Olympus_Mons"} {
			wantKind(t, e.svc.SetTimeZone(ctx, me, tz), tend.EINVALID)
		}
		if p, _ := e.svc.Preferences(ctx, me); p.TimeZone != "Australia/Perth" {
			t.Errorf("a refused zone changed the zone to %q", p.TimeZone)
		}
	})
	t.Run("OK/Discreet", func(t *testing.T) {
		if err := e.svc.SetDiscreet(ctx, me, true); err != nil {
			t.Fatal(err)
		}
		e.wantAudit("auth.discreet_set", tend.OutcomeOK)
		if p, _ := e.svc.Preferences(ctx, me); !p.Discreet {
			t.Error("discreet mode is off after turning it on")
		}
		if err := e.svc.SetDiscreet(ctx, me, false); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Preferences(ctx, me); p.Discreet {
			t.Error("discreet mode is on after turning it off")
		}
	})
	t.Run("OK/PINShownAsSetNeverAsHash", func(t *testing.T) {
		if err := e.svc.SetPIN(ctx, me, "24680", 15); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Preferences(ctx, me); !p.PIN || p.AutoLockMinutes != 15 {
			t.Errorf("after setting a PIN: %+v, want PIN and 15 minutes", p)
		}
		if err := e.svc.SetPIN(ctx, me, "", 15); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Preferences(ctx, me); p.PIN || p.AutoLockMinutes != 0 {
			t.Errorf("after removing the PIN: %+v, want no PIN and no auto-lock", p)
		}
	})
	t.Run("ErrInvalid/PINLength", func(t *testing.T) {
		for _, pin := range []string{"123", "123456789", "12a4", " 1234"} {
			wantKind(t, e.svc.SetPIN(ctx, me, pin, 5), tend.EINVALID)
		}
		for _, pin := range []string{"1234", "12345678"} {
			if err := auth.CheckPIN(pin); err != nil {
				t.Errorf("CheckPIN(%q) = %v", pin, err)
			}
		}
	})
	t.Run("ErrNotFound/OnlyThePerson", func(t *testing.T) {
		for _, a := range []tend.Actor{{}, {Kind: tend.KindStaff, ID: sam.Person.ID}, {Kind: tend.KindPerson}} {
			_, err := e.svc.Preferences(ctx, a)
			wantKind(t, err, tend.ENOTFOUND)
			wantKind(t, e.svc.SetTimeZone(ctx, a, "UTC"), tend.ENOTFOUND)
			wantKind(t, e.svc.SetDiscreet(ctx, a, true), tend.ENOTFOUND)
		}
	})
	t.Run("ErrForbidden/Tokens", func(t *testing.T) {
		narrow := tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID, Scopes: []string{}}
		_, err := e.svc.Preferences(ctx, narrow)
		wantKind(t, err, tend.EFORBIDDEN)
		reader := tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID, Scopes: []string{string(access.ProfileRead)}}
		if _, err := e.svc.Preferences(ctx, reader); err != nil {
			t.Errorf("a token with %s: %v", access.ProfileRead, err)
		}
		wantKind(t, e.svc.SetTimeZone(ctx, reader, "UTC"), tend.EFORBIDDEN)
		wantKind(t, e.svc.SetDiscreet(ctx, reader, false), tend.EFORBIDDEN)
	})
	t.Run("ErrNotFound/Gone", func(t *testing.T) {
		gone := tend.Actor{Kind: tend.KindPerson, ID: tend.NewID()}
		_, err := e.svc.Preferences(ctx, gone)
		wantKind(t, err, tend.ENOTFOUND)
		wantKind(t, e.svc.SetDiscreet(ctx, gone, true), tend.ENOTFOUND)
	})
}
