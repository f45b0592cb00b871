package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
)

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openMigrated opens the database and, unless told not to, migrates it.
// Without migrating it still refuses a schema it does not match.
func openMigrated(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		err = db.Migrate(ctx, log)
	} else {
		err = db.CheckSchema(ctx)
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	cfg.Migrate = true
	db, err := openMigrated(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema is at version %d\n", v)
	return nil
}

// keyFileMissing says why the key file cannot be used, or "".
func keyFileProblem(path string) string {
	if _, err := keys.Load(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Sprintf("no service key at %s: run 'tend keys init' (or set TEND_KEY_FILE)", path)
		}
		return err.Error()
	}
	return ""
}
