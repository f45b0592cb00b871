package web

import (
	"context"
	"testing"

	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/testenv"
)

type noSettings struct{}

func (noSettings) FindSettings(context.Context) (settings.Settings, int64, error) {
	return settings.Settings{}, 1, nil
}
func (noSettings) SaveSettings(context.Context, settings.Settings) error { return nil }

func newTestServer(t *testing.T) *Server {
	t.Helper()
	dir, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Logger: testenv.Discard(), Settings: settings.NewCache(noSettings{}), Crisis: dir, Catalog: cat,
		Ready: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
