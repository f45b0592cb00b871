//go:build !unix

package store

// lockFile is a no-op where flock is unavailable; run one process per
// SQLite file there while migrating.
func lockFile(string) (func(), error) { return func() {}, nil }
