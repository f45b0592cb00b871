package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
)

// runAudit checks the audit trail: every seal recomputed from the key file.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "Usage: tend audit verify")
		return errors.New("audit: say which action (verify)")
	}
	cfg, _, err := config.Load("audit verify", args[1:], getenv, stderr, nil)
	if err != nil {
		return err
	}
	kf, err := keys.Load(cfg.KeyFile)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	r, err := audit.Verify(ctx, db, audit.Chains(kf))
	if err != nil {
		return err
	}
	if len(r.Problems) > 0 {
		for _, p := range r.Problems {
			fmt.Fprintln(stdout, "BROKEN", p)
		}
		return fmt.Errorf("the audit trail was changed: %d problems in %d events over %d chains", len(r.Problems), r.Events, r.Chains)
	}
	fmt.Fprintf(stdout, "audit trail intact: %d events in %d chains\n", r.Events, r.Chains)
	return nil
}
