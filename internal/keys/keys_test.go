package keys_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/keys"
)

func TestInitAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "tend.key")
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	f, err := keys.Init(path, now)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	got, err := keys.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := got.CurrentKey()
	if err != nil || k.ID != f.Current || len(k.Secret) != keys.Size || !strings.HasPrefix(k.ID, "sk-20261129-") {
		t.Errorf("loaded key %q (%d bytes), %v", k.ID, len(k.Secret), err)
	}
	t.Run("ErrExists", func(t *testing.T) {
		if _, err := keys.Init(path, now); !errors.Is(err, keys.ErrExists) {
			t.Errorf("second Init = %v, want ErrExists", err)
		}
		again, _ := keys.Load(path)
		if k2, _ := again.CurrentKey(); string(k2.Secret) != string(k.Secret) {
			t.Error("the existing key was replaced")
		}
	})
	t.Run("ErrReadableByOthers", func(t *testing.T) {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Load(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("Load of a world-readable key file = %v", err)
		}
	})
	t.Run("ErrNotAKeyFile", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad.key")
		if err := os.WriteFile(bad, []byte(`{"format":1,"current":"x","keys":[{"id":"x","secret":"c2hvcnQ="}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.Load(bad); err == nil || !strings.Contains(err.Error(), "is not 32 bytes") {
			t.Errorf("Load of a short key = %v", err)
		}
	})
}
