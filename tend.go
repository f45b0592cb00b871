package tend

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// ID identifies a row. IDs are random UUIDv7 values written in their canonical
// text form, so they sort by creation time without revealing a sequence.
type ID string

// NewID returns a fresh UUIDv7 identifier.
func NewID() ID {
	u, err := uuid.NewV7()
	if err != nil {
		// uuid.NewV7 fails only when the system's random source fails, and
		// nothing in Tend can continue safely without one.
		panic(fmt.Sprintf("tend: random source failed: %v", err))
	}
	return ID(u.String())
}

// ParseID checks that s is a canonical UUID and returns it as an ID.
func ParseID(s string) (ID, error) {
	u, err := uuid.Parse(s)
	if err != nil || u.String() != s {
		return "", Errorf(EINVALID, "That identifier is not valid.")
	}
	return ID(s), nil
}

func (id ID) String() string { return string(id) }

// Clock tells the time. It is injected so that reminders, time zones and
// "this week" are testable; production uses SystemClock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current instant in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FixedClock always returns the same instant; tests move it by hand.
type FixedClock struct{ T time.Time }

// Now returns the fixed instant.
func (c *FixedClock) Now() time.Time { return c.T }

// Advance moves the fixed clock forward by d.
func (c *FixedClock) Advance(d time.Duration) { c.T = c.T.Add(d) }

// Version is the build's version, set at link time with
// -ldflags "-X github.com/tendcare/tend.Version=v1.2.3".
var Version = "dev"
