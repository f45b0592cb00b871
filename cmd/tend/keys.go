package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

const keysUsage = `Usage:
  tend keys init    create the service key file, the key store and the records key
  tend keys rotate  add a new service key and re-wrap every data key under it
                    (safe to run again after an interruption: it then finishes
                    the earlier rotation instead of adding another key)

Flags: --data, --key-file (TEND_KEY_FILE), --keystore (TEND_KEYSTORE).
`

func runKeys(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// run does not hand a context to this command yet; key commands are
	// short and an interrupted rotation is finished by running it again.
	ctx := context.Background()
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return errors.New("keys: say which action (init or rotate)")
	}
	switch args[0] {
	case "init":
		return runKeysInit(ctx, args[1:], getenv, stdout, stderr)
	case "rotate":
		return runKeysRotate(ctx, args[1:], getenv, stdout, stderr)
	default:
		fmt.Fprint(stderr, keysUsage)
		return fmt.Errorf("keys: unknown action %q (init or rotate)", args[0])
	}
}

// runKeysInit creates the key file, then the key store and its records
// key. It refuses a key store that already holds keys: a new key file could
// not open them, and the operator has most likely lost the old one.
func runKeysInit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("keys init", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.KeyFile); err == nil {
		return fmt.Errorf("%s already exists; it is kept, since replacing it would make encrypted data unreadable (to change keys, run 'tend keys rotate')", cfg.KeyFile)
	}
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		return err
	}
	defer ks.Close()
	if used, err := keyStoreInUse(ctx, ks); err != nil {
		return err
	} else if used {
		return errors.New("the key store already holds data keys made with another key file; restore that key file (TEND_KEY_FILE) instead of creating a new one, or point TEND_KEYSTORE at an empty key store")
	}
	f, err := keys.Init(cfg.KeyFile, time.Now())
	if errors.Is(err, keys.ErrExists) {
		return fmt.Errorf("%s already exists; it is kept, since replacing it would make encrypted data unreadable", cfg.KeyFile)
	}
	if err != nil {
		return err
	}
	v, err := vault.New(f, ks, tend.SystemClock{})
	if err != nil {
		return err
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created the service key %s in %s (readable by this user only)\n", f.Current, cfg.KeyFile)
	fmt.Fprintf(stdout, "created the key store and its records key (%s)\n", describeStore(ks))
	fmt.Fprintln(stdout, "Back up the key file and the key store apart from the database: without them, encrypted data cannot be read.")
	return nil
}

// runKeysRotate adds a new current service key and re-wraps every data key
// under it. When data keys are still wrapped by an older key (an earlier
// rotation was interrupted, or a node still ran on the old file), it adds no
// key and only finishes the re-wrapping.
func runKeysRotate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("keys rotate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	kf, err := keys.Load(cfg.KeyFile)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no service key at %s: run 'tend keys init' first (or set TEND_KEY_FILE)", cfg.KeyFile)
	}
	if err != nil {
		return err
	}
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		return err
	}
	defer ks.Close()
	v, err := vault.New(kf, ks, tend.SystemClock{})
	if err != nil {
		return err
	}
	pending, err := v.NeedsRewrap(ctx)
	if err != nil {
		return err
	}
	if pending {
		fmt.Fprintf(stdout, "some data keys are not yet wrapped by the current service key %s: finishing that rotation\n", kf.Current)
	} else {
		if kf, err = keys.Rotate(cfg.KeyFile, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added the service key %s to %s and made it current (%d keys in the file)\n", kf.Current, cfg.KeyFile, len(kf.Keys))
	}
	n, err := v.Rotate(ctx, kf)
	if err != nil {
		return fmt.Errorf("re-wrapped %d data keys, then: %w (run 'tend keys rotate' again to finish)", n, err)
	}
	fmt.Fprintf(stdout, "re-wrapped %d data keys under %s\n", n, kf.Current)
	fmt.Fprintln(stdout, "Older service keys stay in the key file: restart every node so it wraps new keys with the new one, and back up the key file again.")
	return nil
}

// keyStoreInUse reports whether ks holds any data key.
func keyStoreInUse(ctx context.Context, ks *store.KeyStore) (bool, error) {
	pks, err := ks.FindPersonKeys(ctx, vault.PersonKeyFilter{Limit: 1})
	if err != nil {
		return false, err
	}
	rks, err := ks.FindRecordsKeys(ctx)
	if err != nil {
		return false, err
	}
	return len(pks) > 0 || len(rks) > 0, nil
}

// describeStore names the key store without its credentials.
func describeStore(ks *store.KeyStore) string {
	if p := ks.Path(); p != "" {
		return p
	}
	return "PostgreSQL"
}
