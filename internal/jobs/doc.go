// Package jobs runs Tend's background work on River, on both engines with one
// client type: riversqlite on SQLite (polling), riverdatabasesql with a pgx
// listener on PostgreSQL (LISTEN/NOTIFY, many nodes). Every kind of job and
// every periodic job is registered in kinds.go. Workers are idempotent, and
// jobs are enqueued in the same unit of work as the data that needs them
// (store.Tx.Enqueue). Jobs never carry personal content in their arguments.
package jobs
