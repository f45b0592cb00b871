package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// keysEnv is the environment of the key commands: a data folder, and a
// PostgreSQL key store when the suite runs there.
func keysEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	data := t.TempDir()
	env := map[string]string{"TEND_DATA": data, "TEND_LOG_LEVEL": "warn"}
	dsn := "sqlite:" + filepath.Join(data, "keystore.db")
	if testenv.PostgresURL() != "" {
		dsn = testenv.KeyStoreDSN(t)
		env["TEND_KEYSTORE"] = dsn
	}
	return env, dsn
}

func runKeysCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"keys"}, args...), envOf(env), nil, &out, io.Discard)
	return out.String(), err
}

// sealSome seals one field for each of n people with the key file at path,
// as the server would, and returns a function that checks they all open
// with a given key file.
func sealSome(t *testing.T, path, dsn string, n int) func(t *testing.T, kf *keys.File) {
	t.Helper()
	ctx := context.Background()
	kf, err := keys.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ks := testenv.KeyStore(t, dsn)
	v, err := vault.New(kf, ks, nil)
	if err != nil {
		t.Fatal(err)
	}
	type sealed struct {
		person tend.ID
		field  vault.Field
		ct     []byte
	}
	var all []sealed
	for i := range n {
		s := sealed{person: tend.NewID(), field: vault.Field{Table: "journal_entries", Column: "body", Row: tend.NewID()}}
		if s.ct, err = v.SealPerson(ctx, s.person, s.field, []byte("entry "+string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	return func(t *testing.T, kf *keys.File) {
		t.Helper()
		v, err := vault.New(kf, ks, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range all {
			if got, err := v.OpenPerson(ctx, s.person, s.field, s.ct); err != nil || string(got) != "entry "+string(rune('a'+i)) {
				t.Errorf("field %d = %q, %v", i, got, err)
			}
		}
	}
}

// onlyCurrent returns f with its current key alone, to prove nothing still
// needs an older one.
func onlyCurrent(t *testing.T, f *keys.File) *keys.File {
	t.Helper()
	k, err := f.CurrentKey()
	if err != nil {
		t.Fatal(err)
	}
	return &keys.File{Format: f.Format, Current: f.Current, Keys: []keys.Key{k}}
}

func TestKeysInit(t *testing.T) {
	ctx := context.Background()
	env, dsn := keysEnv(t)
	keyPath := filepath.Join(env["TEND_DATA"], "tend.key")
	out, err := runKeysCmd(t, env, "init")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "created the service key") || !strings.Contains(out, "created the key store") {
		t.Errorf("output:\n%s", out)
	}
	ks := testenv.KeyStore(t, dsn)
	rks, err := ks.FindRecordsKeys(ctx)
	kf, _ := keys.Load(keyPath)
	if err != nil || len(rks) != 1 || kf == nil || rks[0].ServiceKeyID != kf.Current {
		t.Fatalf("records keys after init = %+v, %v", rks, err)
	}
	t.Run("ErrKeyFileExists", func(t *testing.T) {
		if _, err := runKeysCmd(t, env, "init"); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("second init = %v, want a refusal", err)
		}
	})
	t.Run("ErrKeyStoreInUse", func(t *testing.T) {
		// The key file is lost but the key store is not: a new key file
		// could open nothing in it.
		if err := os.Remove(keyPath); err != nil {
			t.Fatal(err)
		}
		if _, err := runKeysCmd(t, env, "init"); err == nil || !strings.Contains(err.Error(), "already holds data keys") {
			t.Errorf("init over a used key store = %v, want a refusal", err)
		}
		if _, err := os.Stat(keyPath); !os.IsNotExist(err) {
			t.Error("a refused init left a key file behind")
		}
	})
	t.Run("ErrUnknownAction", func(t *testing.T) {
		if _, err := runKeysCmd(t, env, "shred"); err == nil || !strings.Contains(err.Error(), "unknown action") {
			t.Errorf("keys shred = %v", err)
		}
	})
}

func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		env, dsn := keysEnv(t)
		keyPath := filepath.Join(env["TEND_DATA"], "tend.key")
		if _, err := runKeysCmd(t, env, "init"); err != nil {
			t.Fatal(err)
		}
		before, _ := keys.Load(keyPath)
		openAll := sealSome(t, keyPath, dsn, 3)
		out, err := runKeysCmd(t, env, "rotate")
		if err != nil {
			t.Fatal(err)
		}
		after, err := keys.Load(keyPath)
		if err != nil || len(after.Keys) != 2 || after.Current == before.Current {
			t.Fatalf("key file after rotate: %+v, %v", after, err)
		}
		// 3 person keys and the records key.
		if !strings.Contains(out, "re-wrapped 4 data keys under "+after.Current) {
			t.Errorf("output:\n%s", out)
		}
		openAll(t, onlyCurrent(t, after))

		out, err = runKeysCmd(t, env, "rotate")
		if err != nil {
			t.Fatal(err)
		}
		third, _ := keys.Load(keyPath)
		if len(third.Keys) != 3 || !strings.Contains(out, "re-wrapped 4 data keys") {
			t.Errorf("second rotate: %d keys, output:\n%s", len(third.Keys), out)
		}
		openAll(t, onlyCurrent(t, third))
	})
	t.Run("OKAfterCrash", func(t *testing.T) {
		// The key file was rotated, then the process died before
		// re-wrapping: running rotate again adds no key and finishes.
		env, dsn := keysEnv(t)
		keyPath := filepath.Join(env["TEND_DATA"], "tend.key")
		if _, err := runKeysCmd(t, env, "init"); err != nil {
			t.Fatal(err)
		}
		openAll := sealSome(t, keyPath, dsn, 2)
		crashed, err := keys.Rotate(keyPath, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		out, err := runKeysCmd(t, env, "rotate")
		if err != nil {
			t.Fatal(err)
		}
		after, _ := keys.Load(keyPath)
		if len(after.Keys) != 2 || after.Current != crashed.Current {
			t.Errorf("rotate after a crash changed the key file: current %s (%d keys), want %s (2 keys)", after.Current, len(after.Keys), crashed.Current)
		}
		if !strings.Contains(out, "finishing that rotation") || !strings.Contains(out, "re-wrapped 3 data keys") {
			t.Errorf("output:\n%s", out)
		}
		openAll(t, onlyCurrent(t, after))
		ks := testenv.KeyStore(t, dsn)
		if stale, err := ks.FindPersonKeys(ctx, vault.PersonKeyFilter{NotWrappedBy: after.Current}); err != nil || len(stale) != 0 {
			t.Errorf("%d keys still under an old service key, %v", len(stale), err)
		}
	})
	t.Run("ErrNoKeyFile", func(t *testing.T) {
		env, _ := keysEnv(t)
		if _, err := runKeysCmd(t, env, "rotate"); err == nil || !strings.Contains(err.Error(), "tend keys init") {
			t.Errorf("rotate without a key file = %v", err)
		}
	})
	t.Run("ErrKeyStoreIsDatabase", func(t *testing.T) {
		env, _ := keysEnv(t)
		env["TEND_DB"] = "sqlite:" + filepath.Join(env["TEND_DATA"], "tend.db")
		env["TEND_KEYSTORE"] = env["TEND_DB"]
		if _, err := runKeysCmd(t, env, "init"); err == nil || !strings.Contains(err.Error(), "keystore") {
			t.Errorf("init with the key store in the database = %v", err)
		}
	})
}
