// Package testenv gives tests real parts: a fresh, migrated database per test
// on SQLite (a file in t.TempDir, since WAL needs a file), or on PostgreSQL
// when TEND_TEST_POSTGRES is set (each test its own database, copied from a
// per-package template), and the TEND_REQUIRE_ALL rule that turns a skip for
// a missing service into a failure. It is imported only by tests.
package testenv
