package keys

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Size is the length of every key in bytes (AES-256, HMAC-SHA-256).
const Size = 32

// Key is one service key.
type Key struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Secret  []byte    `json:"secret"` // base64 in the file
}

// File is the content of the key file: every service key ever made (so old
// data stays readable during a rotation) and which one is current.
type File struct {
	Format  int    `json:"format"`
	Current string `json:"current"`
	Keys    []Key  `json:"keys"`
}

// ErrExists is returned by Init when the key file is already there.
var ErrExists = errors.New("keys: the key file already exists")

// Init creates a key file at path with one fresh service key. It refuses to
// overwrite an existing file, since that would make encrypted data unreadable.
func Init(path string, now time.Time) (*File, error) {
	k, err := newKey(now)
	if err != nil {
		return nil, err
	}
	f := &File{Format: 1, Current: k.ID, Keys: []Key{k}}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("keys: create folder: %w", err)
	}
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the operator names this file.
	if errors.Is(err, os.ErrExist) {
		return nil, ErrExists
	}
	if err != nil {
		return nil, fmt.Errorf("keys: create %s: %w", path, err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("keys: write %s: %w", path, err)
	}
	if err := w.Sync(); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("keys: sync %s: %w", path, err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return f, nil
}

// Load reads and checks the key file at path. A file that others can read is
// refused: the service key unlocks every person's data.
func Load(path string) (*File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keys: %s can be read by other users (mode %v): run chmod 600 %s", path, info.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path) // #nosec G304 -- the operator names this file.
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("keys: %s is not a Tend key file: %w", path, err)
	}
	if f.Format != 1 {
		return nil, fmt.Errorf("keys: %s has format %d, which this version does not know", path, f.Format)
	}
	if _, err := f.CurrentKey(); err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	for _, k := range f.Keys {
		if len(k.Secret) != Size {
			return nil, fmt.Errorf("keys: %s: key %s is not %d bytes", path, k.ID, Size)
		}
	}
	return &f, nil
}

// CurrentKey returns the key new data is written with.
func (f *File) CurrentKey() (Key, error) {
	for _, k := range f.Keys {
		if k.ID == f.Current {
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("current key %q is missing", f.Current)
}

func newKey(now time.Time) (Key, error) {
	secret := make([]byte, Size)
	if _, err := rand.Read(secret); err != nil {
		return Key{}, fmt.Errorf("keys: random source: %w", err)
	}
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		return Key{}, fmt.Errorf("keys: random source: %w", err)
	}
	return Key{ID: "sk-" + now.UTC().Format("20060102") + "-" + base64.RawURLEncoding.EncodeToString(id), Created: now.UTC(), Secret: secret}, nil
}
