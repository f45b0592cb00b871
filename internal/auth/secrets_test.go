package auth_test

import (
	"bytes"
	"encoding/base32"
	"testing"

	"github.com/pquerna/otp/totp"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestSecretsSealed: with the vault wired in (as serve does), the second
// factor's secret is not stored as it is, and the second factor still works.
func TestSecretsSealed(t *testing.T) {
	ks := testenv.KeyStore(t, testenv.KeyStoreDSN(t))
	v, err := vault.New(testenv.ServiceKeys, ks, tend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, auth.Options{Secrets: vault.StaffSecrets{V: v}})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	tok, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, auth.Client{Address: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.svc.BeginTOTP(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := e.db.Writer().QueryRow(`SELECT totp_secret FROM staff WHERE id = $1`, string(lee.ID)).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 || bytes.Contains(stored, raw) {
		t.Fatalf("the secret is stored as it is (%d bytes)", len(stored))
	}
	code, err := totp.GenerateCode(en.Secret, e.clock.T)
	if err != nil {
		t.Fatal(err)
	}
	if ss, err := e.svc.ConfirmTOTP(ctx, tok, code); err != nil || !ss.MFA {
		t.Fatalf("confirm with a sealed secret: %v", err)
	}
}
