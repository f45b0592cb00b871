package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tendcare/tend/internal/store"
)

// KeyStoreDSN returns a fresh, empty database for a key store, removed when
// the test ends: a SQLite file in t.TempDir(), or its own PostgreSQL
// database when TEND_TEST_POSTGRES is set.
func KeyStoreDSN(t testing.TB) string {
	t.Helper()
	if PostgresURL() == "" {
		return SQLiteKeyStoreDSN(t)
	}
	return postgresDB(t, false)
}

// SQLiteKeyStoreDSN returns a fresh SQLite key store file, whatever engine
// the suite runs on.
func SQLiteKeyStoreDSN(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "keystore.db")
}

// KeyStore opens a migrated key store at dsn, closed when the test ends.
func KeyStore(t testing.TB, dsn string) *store.KeyStore {
	t.Helper()
	ks, err := store.OpenKeyStore(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open key store %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = ks.Close() })
	return ks
}
