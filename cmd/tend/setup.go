package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/settings"
)

// setupField is one service setting that 'tend setup' asks for.
type setupField struct {
	flag, question string
	required       bool
	value          *string
}

func runSetup(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var from string
	var interactive bool
	fields := []setupField{
		{"name", "The service's name", true, new(string)},
		{"country", "Country, as a two-letter code (e.g. GB)", true, new(string)},
		{"time-zone", "Time zone (e.g. Europe/London)", true, new(string)},
		{"locale", "Language tag (e.g. en-GB)", true, new(string)},
		{"working-hours", "Working hours, when the care team reads what people send (e.g. mon-fri 09:00-17:00)", true, new(string)},
		{"holidays", "Closed days, comma-separated (e.g. 2026-12-25,2026-12-28), or empty", false, new(string)},
		{"out-of-hours", "Where people can turn when the service is closed", true, new(string)},
		{"emergency", "What to do in an emergency, naming the nearest emergency department", true, new(string)},
	}
	cfg, _, err := config.Load("setup", args, getenv, stderr, func(fs *flag.FlagSet) {
		for _, f := range fields {
			fs.StringVar(f.value, f.flag, "", f.question)
		}
		fs.StringVar(&from, "from", "", "read the settings from a JSON file instead (the TEND_SETTINGS_FILE format)")
		fs.BoolVar(&interactive, "ask", false, "ask for each setting not given as a flag")
	})
	if err != nil {
		return err
	}
	var s settings.Settings
	if from != "" {
		if s, err = readSettingsFile(from); err != nil {
			return err
		}
	} else {
		in := bufio.NewScanner(stdin)
		for _, f := range fields {
			if *f.value != "" || !interactive {
				continue
			}
			fmt.Fprintf(stdout, "%s: ", f.question)
			if in.Scan() {
				*f.value = strings.TrimSpace(in.Text())
			}
		}
		v := map[string]string{}
		for _, f := range fields {
			v[f.flag] = *f.value
		}
		s = settings.Settings{Name: v["name"], Country: v["country"], TimeZone: v["time-zone"], Locale: v["locale"],
			OutOfHours: v["out-of-hours"], Emergency: v["emergency"]}
		if v["working-hours"] != "" {
			if s.WorkingHours, err = settings.ParseHours(v["working-hours"]); err != nil {
				return fmt.Errorf("--working-hours: %w", err)
			}
		}
		for _, d := range strings.Split(v["holidays"], ",") {
			if d = strings.TrimSpace(d); d != "" {
				s.Holidays = append(s.Holidays, d)
			}
		}
	}
	db, err := openMigrated(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := settings.Save(ctx, db, s); err != nil {
		var p settings.ValidationError
		if errors.As(err, &p) {
			return fmt.Errorf("these settings need a look (give them as flags, with --ask, or in a file with --from):\n  - %s", strings.ReplaceAll(p.Error(), "; ", "\n  - "))
		}
		return errors.New(tend.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "saved the settings of %s\n", s.Name)
	return nil
}

// readSettingsFile reads settings from JSON (the format of the demo's
// settings.json), refusing unknown fields so a typo is not silently lost.
func readSettingsFile(path string) (settings.Settings, error) {
	var s settings.Settings
	f, err := os.Open(path) // #nosec G304 -- the operator names this file.
	if err != nil {
		return s, fmt.Errorf("settings file: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("settings file %s: %w", path, err)
	}
	return s, nil
}
