package main

import (
	"sync"

	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/settings"
)

// reportSettings reads the outcome reports' settings from the service's
// settings as they are now: the measures' own, the modality list and the
// follow-up window as episodes use them, the time zone, and the words of
// the reliable-change rules in the service's language.
func reportSettings(cache *settings.Cache) func() report.Settings {
	catalogue := sync.OnceValues(i18n.New)
	return func() report.Settings {
		s, _ := cache.Get()
		ep := cache.Episodes()
		out := report.Settings{Outcome: s.Outcomes, Modalities: ep.Modalities, WindowWeeks: ep.WindowWeeks, Location: ep.Location}
		// The catalogue is embedded: it fails to load only in a broken
		// build, which serve refuses at start.
		if cat, err := catalogue(); err == nil {
			out.Texts = cat.Printer(s.Locale)
		}
		return out
	}
}
