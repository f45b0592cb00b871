package keys_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/keys"
)

func TestRotate(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "tend.key")
		first, err := keys.Init(path, now)
		if err != nil {
			t.Fatal(err)
		}
		rotated, err := keys.Rotate(path, now.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if rotated.Current == first.Current || len(rotated.Keys) != 2 || !strings.HasPrefix(rotated.Current, "sk-20261130-") {
			t.Fatalf("rotated file: current %q, %d keys", rotated.Current, len(rotated.Keys))
		}
		loaded, err := keys.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Current != rotated.Current {
			t.Errorf("file on disk has current %q, want %q", loaded.Current, rotated.Current)
		}
		old, ok := loaded.Key(first.Current)
		orig, _ := first.Key(first.Current)
		if !ok || string(old.Secret) != string(orig.Secret) {
			t.Error("the old key was not kept unchanged")
		}
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("mode after rotation = %v, %v; want 0600", info.Mode().Perm(), err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("folder holds %d entries after rotation, want only the key file", len(entries))
		}
	})
	t.Run("ErrMissingFile", func(t *testing.T) {
		if _, err := keys.Rotate(filepath.Join(t.TempDir(), "none.key"), now); !os.IsNotExist(err) {
			t.Errorf("Rotate of a missing file = %v, want not-exist", err)
		}
	})
	t.Run("ErrReadableByOthers", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tend.key")
		if _, err := keys.Init(path, now); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Rotate(path, now); err == nil {
			t.Error("Rotate accepted a world-readable key file")
		}
	})
}

func TestNewFileAndWithNewKey(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	f, err := keys.NewFile(now)
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.WithNewKey(now)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Keys) != 1 || len(g.Keys) != 2 || g.Current == f.Current {
		t.Errorf("original %d keys, copy %d keys, currents %q and %q", len(f.Keys), len(g.Keys), f.Current, g.Current)
	}
	if _, ok := g.Key(f.Current); !ok {
		t.Error("the copy lost the old key")
	}
	if _, ok := g.Key("sk-nothing"); ok {
		t.Error("Key found an id that is not there")
	}
}
