// Package store keeps Tend's data in SQLite (embedded, the default) or
// PostgreSQL, with one SQL text for both engines ($N placeholders) and every
// dialect difference in dialect.go. Every service call runs in one unit of
// work (DB.InTx): its data, audit events and background jobs commit together
// or not at all. Store never decides who may see what; domain services do.
package store
