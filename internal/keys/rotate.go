package keys

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// NewFile returns a key file, in memory only, holding one fresh service key.
// Init writes one to disk; tests and tools that never touch disk use this.
func NewFile(now time.Time) (*File, error) {
	k, err := newKey(now)
	if err != nil {
		return nil, err
	}
	return &File{Format: 1, Current: k.ID, Keys: []Key{k}}, nil
}

// Key returns the key with the given id, and whether the file holds it.
func (f *File) Key(id string) (Key, bool) {
	for _, k := range f.Keys {
		if k.ID == id {
			return k, true
		}
	}
	return Key{}, false
}

// WithNewKey returns a copy of f with one more key, made current. Every older
// key stays, so data wrapped by them remains readable until it is re-wrapped.
func (f *File) WithNewKey(now time.Time) (*File, error) {
	k, err := newKey(now)
	if err != nil {
		return nil, err
	}
	for _, old := range f.Keys {
		if old.ID == k.ID {
			// Ids carry 48 random bits; a clash means the random source is broken.
			return nil, fmt.Errorf("keys: new key id %s clashes with an existing key", k.ID)
		}
	}
	out := &File{Format: f.Format, Current: k.ID, Keys: make([]Key, 0, len(f.Keys)+1)}
	out.Keys = append(out.Keys, f.Keys...)
	out.Keys = append(out.Keys, k)
	return out, nil
}

// Rotate adds a new service key to the key file at path and makes it
// current. The file is replaced atomically (a temporary file in the same
// folder, synced, renamed over the old one, and the folder synced), so a
// crash leaves either the old file or the new one, never a torn one.
func Rotate(path string, now time.Time) (*File, error) {
	f, err := Load(path)
	if err != nil {
		return nil, err
	}
	nf, err := f.WithNewKey(now)
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(path, nf); err != nil {
		return nil, err
	}
	return nf, nil
}

// writeAtomic replaces path with f's content, readable by this user only.
func writeAtomic(path string, f *File) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("keys: create temporary file in %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; say so explicitly, since the key file's
	// mode is what keeps other users out.
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("keys: chmod %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("keys: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("keys: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys: close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("keys: replace %s: %w", path, err)
	}
	done = true
	// The rename is durable only once the folder's entry is on disk.
	d, err := os.Open(dir) // #nosec G304 -- the folder of the operator's key file.
	if err != nil {
		return fmt.Errorf("keys: open %s: %w", dir, err)
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("keys: sync %s: %w", dir, err)
	}
	return d.Close()
}
