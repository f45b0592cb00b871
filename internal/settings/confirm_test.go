package settings_test

import (
	"context"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/settings"
)

type memStore struct {
	s settings.Settings
	v int64
}

func (m *memStore) FindSettings(context.Context) (settings.Settings, int64, error) {
	if m.v == 0 {
		return settings.Settings{}, 0, tend.ErrNotFound
	}
	return m.s, m.v, nil
}

func (m *memStore) SaveSettings(_ context.Context, s settings.Settings) error {
	m.s, m.v = s, m.v+1
	return nil
}

func TestConfirm(t *testing.T) {
	ctx := context.Background()
	dir, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := settings.ParseHours("mon-fri 09:00-17:00")
	st := &memStore{s: settings.Settings{Name: "Riverside", Country: "IE", TimeZone: "Europe/Dublin", Locale: "en-IE", WorkingHours: h,
		OutOfHours: "Call the duty line", Emergency: "Go to the emergency department"}, v: 1}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	awaiting := settings.AwaitingConfirmation(dir, st.s, now)
	if len(awaiting) != len(dir.Listed) || awaiting[0].Country != "IE" || !awaiting[0].Unconfirmed {
		t.Fatalf("before any confirmation: %d awaiting, first %+v; want every country, the service's own (IE) first", len(awaiting), awaiting[0])
	}
	if err := settings.Confirm(ctx, st, dir, "admin-1", "ie", now); err != nil {
		t.Fatal(err)
	}
	if !st.s.ConfirmedFor("IE", dir.Compiled) || st.s.Confirmed["IE"].By != "admin-1" {
		t.Fatalf("confirmation not recorded: %+v", st.s.Confirmed)
	}
	for _, a := range settings.AwaitingConfirmation(dir, st.s, now) {
		if a.Country == "IE" {
			t.Errorf("IE still awaits confirmation right after it: %+v", a)
		}
	}
	t.Run("NewerFileNeedsNewConfirmation", func(t *testing.T) {
		if st.s.ConfirmedFor("IE", "2099-01-01") {
			t.Error("a confirmation of an older file counts for a newer one")
		}
	})
	t.Run("StaleAfterAYear", func(t *testing.T) {
		later := now.Add(400 * 24 * time.Hour)
		var ie *settings.Awaiting
		for _, a := range settings.AwaitingConfirmation(dir, st.s, later) {
			if a.Country == "IE" {
				ie = &a
			}
		}
		if ie == nil || len(ie.Stale) == 0 || !ie.Unconfirmed {
			t.Errorf("a year later IE should await a new check: %+v", ie)
		}
	})
	t.Run("ErrUnknownCountry", func(t *testing.T) {
		if err := settings.Confirm(ctx, st, dir, "admin-1", "FR", now); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("confirming a country Tend has no lines for = %v", err)
		}
	})
}
