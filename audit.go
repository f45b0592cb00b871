package tend

import "time"

// AuditEvent is one entry of the audit trail: who did what to whose data,
// when, and with what outcome. Events are append-only and hash-chained
// (internal/audit); they never hold content, only identifiers and kinds.
type AuditEvent struct {
	ID        ID
	At        time.Time
	ActorKind AccountKind
	ActorID   ID
	ActorRole string // staff role, or the care-team role the access came through
	Action    string // an access action or an account event, e.g. "diary.read", "auth.sign_in"
	PersonID  ID     // whose data, when it is a person's
	Target    string // what was touched, as kind:id (never content)
	Outcome   string // "ok", "denied", "failed"
}

// The outcomes an audit event records.
const (
	OutcomeOK     = "ok"
	OutcomeDenied = "denied"
	OutcomeFailed = "failed"
)
