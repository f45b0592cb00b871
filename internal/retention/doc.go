// Package retention decides how long what Tend keeps only for a while is
// kept: unsent drafts, and erasure requests whose hold has ended. It deletes
// only what was never sent (a saved diary card, a finished questionnaire or
// any other saved record is never touched), and records each run as an
// audit event with counts only, never content.
package retention
