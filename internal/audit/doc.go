// Package audit owns the audit trail's integrity: every event is sealed with
// an HMAC over the previous event's seal, one chain per node, so an edited,
// deleted or reordered event is detected by Verify. The key comes from the
// service key file, never from the database. Events carry identifiers and
// kinds only, never content. Reading the trail goes through the access
// checker like any other read.
package audit
