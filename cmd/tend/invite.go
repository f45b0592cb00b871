package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/config"
)

// runInvite makes a single-use invite code for a person joining a team.
func runInvite(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var team, band, birth, state string
	var expires time.Duration
	cfg, rest, err := config.Load("invite", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&team, "team", "", "the team the person joins (required)")
		fs.StringVar(&band, "age-band", "", "under_18, 18_25 or over_25 (or --birth-date)")
		fs.StringVar(&birth, "birth-date", "", "the person's birth date, YYYY-MM-DD (or --age-band)")
		fs.StringVar(&state, "state", "accepted", "the person's state on joining: referred, accepted or in_treatment")
		fs.DurationVar(&expires, "expires", 72*time.Hour, "how long the code can be used")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("invite: unexpected %q", rest[0])
	}
	if team == "" {
		return errors.New("invite: --team is required")
	}
	db, svc, err := accounts(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	code, inv, err := svc.CreateInvite(ctx, tend.System, auth.NewInvite{Team: team, AgeBand: band, BirthDate: birth,
		State: tend.PersonState(state), TTL: expires})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "invite code: %s\nIt works once, until %s. Give it to the person privately; they choose a username and password when they join.\n",
		code, inv.ExpiresAt.Format("2006-01-02 15:04 UTC"))
	return nil
}
