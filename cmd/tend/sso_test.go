package main

import (
	"context"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// ssoSignIn opens the database as the web server would and signs in with a
// verified identity.
func ssoSignIn(t *testing.T, dsn string, id auth.Identity) error {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetAuditChain(testenv.AuditChain())
	svc := auth.NewService(store.For[auth.Tx](db), tend.SystemClock{}, auth.Options{})
	_, _, err = svc.SignInStaffSSO(context.Background(), id, auth.Client{Address: "127.0.0.1"})
	return err
}

func TestUserLinkSSO(t *testing.T) {
	env, dsn := accountsEnv(t)
	if _, err := runOut(t, env, "", "user", "create", "--email", "lee@example.org", "--name", "Lee", "--role", "clinician"); err != nil {
		t.Fatal(err)
	}
	const issuer = "https://id.example.org/realms/staff"
	t.Run("ErrNoIssuer", func(t *testing.T) {
		_, err := runOut(t, env, "", "user", "link-sso", "--email", "lee@example.org", "--subject", "lee-sub")
		if err == nil || !strings.Contains(err.Error(), "TEND_OIDC_ISSUER") {
			t.Fatalf("err = %v", err)
		}
	})
	env["TEND_OIDC_ISSUER"], env["TEND_OIDC_CLIENT_ID"], env["TEND_PUBLIC_URL"] = issuer, "tend", "https://tend.example.org"
	t.Run("ErrNoSubject", func(t *testing.T) {
		if _, err := runOut(t, env, "", "user", "link-sso", "--email", "lee@example.org"); err == nil {
			t.Fatal("linked without a subject")
		}
	})
	t.Run("ErrUnknownStaff", func(t *testing.T) {
		if _, err := runOut(t, env, "", "user", "link-sso", "--email", "nobody@example.org", "--subject", "x"); err == nil {
			t.Fatal("linked an unknown account")
		}
	})
	t.Run("OKLinkThenSignIn", func(t *testing.T) {
		out, err := runOut(t, env, "", "user", "link-sso", "--email", "lee@example.org", "--subject", "lee-sub")
		if err != nil || !strings.Contains(out, "linked lee@example.org to subject lee-sub") {
			t.Fatalf("%v\n%s", err, out)
		}
		if err := ssoSignIn(t, dsn, auth.Identity{Issuer: issuer, Subject: "lee-sub"}); err != nil {
			t.Fatalf("sign-in through the link: %v", err)
		}
	})
	t.Run("OKUnlink", func(t *testing.T) {
		out, err := runOut(t, env, "", "user", "unlink-sso", "--email", "lee@example.org")
		if err != nil || !strings.Contains(out, "removed the single sign-on link") {
			t.Fatalf("%v\n%s", err, out)
		}
		if err := ssoSignIn(t, dsn, auth.Identity{Issuer: issuer, Subject: "lee-sub"}); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Fatalf("sign-in after unlink: %v", err)
		}
	})
}
