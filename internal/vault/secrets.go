package vault

import (
	"context"

	"github.com/tendcare/tend"
)

// StaffSecrets seals staff members' second-factor secrets with the service
// records key, each bound to its staff row (staff.totp_secret).
type StaffSecrets struct{ V *Vault }

// SealSecret seals a staff member's secret.
func (s StaffSecrets) SealSecret(ctx context.Context, staffID tend.ID, secret []byte) ([]byte, error) {
	return s.V.SealRecord(ctx, Field{Table: "staff", Column: "totp_secret", Row: staffID}, secret)
}

// OpenSecret opens a secret sealed by SealSecret for the same staff member.
func (s StaffSecrets) OpenSecret(ctx context.Context, staffID tend.ID, sealed []byte) ([]byte, error) {
	return s.V.OpenRecord(ctx, Field{Table: "staff", Column: "totp_secret", Row: staffID}, sealed)
}
