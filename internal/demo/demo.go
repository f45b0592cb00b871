package demo

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/tendcare/tend/internal/settings"
)

//go:embed settings.json
var settingsJSON []byte

// Settings returns the demo service's settings: complete, so the help page
// shows everything a real service would set. The emergency number and NHS
// 111 route come from the GB entries of the clinical crisis-lines file.
func Settings() (settings.Settings, error) {
	var s settings.Settings
	if err := json.Unmarshal(settingsJSON, &s); err != nil {
		return s, fmt.Errorf("demo: settings: %w", err)
	}
	if p := s.Validate(); p != nil {
		return s, fmt.Errorf("demo: settings: %w", p)
	}
	return s, nil
}
