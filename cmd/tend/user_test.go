package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// accountsEnv is a data folder with a key file and a migrated database.
func accountsEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	data := t.TempDir()
	env := baseEnv(t, data)
	if err := run(context.Background(), []string{"keys", "init"}, envOf(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	dsn := env["TEND_DB"]
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(data, "tend.db")
	}
	return env, dsn
}

func runOut(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, envOf(env), strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

var onceRE = regexp.MustCompile(`one-time password: (\S+)`)

// signInWith opens the database as the web server would and signs in.
func signInWith(t *testing.T, dsn, email, password string) (auth.Session, error) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetAuditChain(testenv.AuditChain())
	svc := auth.NewService(store.For[auth.Tx](db), tend.SystemClock{}, auth.Options{})
	_, ss, err := svc.SignInStaff(context.Background(), email, password, auth.Client{Address: "127.0.0.1"})
	return ss, err
}

func TestUser(t *testing.T) {
	env, dsn := accountsEnv(t)
	var once string
	t.Run("OK/CreatePrintsOneTimePassword", func(t *testing.T) {
		out, err := runOut(t, env, "", "user", "create", "--email", "Lee@Example.org", "--name", "Lee", "--role", "clinician", "--team", "North")
		if err != nil {
			t.Fatal(err)
		}
		m := onceRE.FindStringSubmatch(out)
		if m == nil || !strings.Contains(out, "created the clinician account lee@example.org") {
			t.Fatalf("output:\n%s", out)
		}
		once = m[1]
	})
	t.Run("OK/PasswordFromStdin", func(t *testing.T) {
		out, err := runOut(t, env, "a password from stdin\n", "user", "create", "--email", "admin@example.org", "--name", "Ada", "--role", "admin", "--password-stdin")
		if err != nil || strings.Contains(out, "one-time password") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("ErrConflict/SameEmail", func(t *testing.T) {
		_, err := runOut(t, env, "", "user", "create", "--email", "LEE@example.org", "--name", "Lee", "--role", "lead")
		if err == nil || !strings.Contains(err.Error(), "already a staff account for lee@example.org") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrInvalid/Role", func(t *testing.T) {
		_, err := runOut(t, env, "", "user", "create", "--email", "x@example.org", "--name", "X", "--role", "therapist")
		if err == nil || !strings.Contains(err.Error(), "clinician, lead or admin") {
			t.Fatalf("err = %v", err)
		}
	})
	var reset string
	t.Run("OK/Reset", func(t *testing.T) {
		out, err := runOut(t, env, "", "user", "reset", "--email", "lee@example.org")
		m := onceRE.FindStringSubmatch(out)
		if err != nil || m == nil || m[1] == once {
			t.Fatalf("%v\n%s", err, out)
		}
		reset = m[1]
	})
	t.Run("OK/ResetMFA", func(t *testing.T) {
		out, err := runOut(t, env, "", "user", "reset-mfa", "--email", "lee@example.org")
		if err != nil || !strings.Contains(out, "cleared the second factor") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("ErrNotFound/UnknownEmail", func(t *testing.T) {
		_, err := runOut(t, env, "", "user", "reset", "--email", "nobody@example.org")
		if err == nil || !strings.Contains(err.Error(), "no staff account for nobody@example.org") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("OK/AuditTrailIntact", func(t *testing.T) {
		out, err := runOut(t, env, "", "audit", "verify")
		if err != nil || !strings.Contains(out, "intact") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("OK/SignInWithResetPassword", func(t *testing.T) {
		if _, err := signInWith(t, dsn, "lee@example.org", once); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Errorf("the first one-time password still works: %v", err)
		}
		ss, err := signInWith(t, dsn, "lee@example.org", reset)
		if err != nil || !ss.PasswordChangeRequired || ss.MFAEnrolled {
			t.Fatalf("sign-in: %v, %+v", err, ss)
		}
		if _, err := signInWith(t, dsn, "admin@example.org", "a password from stdin"); err != nil {
			t.Fatalf("stdin password: %v", err)
		}
	})
	t.Run("ErrInvalid/NoAction", func(t *testing.T) {
		if _, err := runOut(t, env, "", "user"); err == nil {
			t.Fatal("no error")
		}
	})
}

// seedDemoAccounts puts the demo accounts and care teams into the database at dsn,
// as `serve --demo` would: lee has people, morgan (a lead) has none.
func seedDemoAccounts(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, testenv.Discard()); err != nil {
		t.Fatal(err)
	}
	db.SetAuditChain(testenv.AuditChain())
	clock := tend.SystemClock{}
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{CareTeam: db})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), access.NewChecker(db), clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
}

func TestUserDisable(t *testing.T) {
	env, dsn := accountsEnv(t)
	seedDemoAccounts(t, dsn)
	t.Run("ErrConflict/StillHasPeople", func(t *testing.T) {
		out, err := runOut(t, env, "", "user", "disable", "--email", "lee@example.org")
		if err == nil || !strings.Contains(err.Error(), "is still on the care team of 2 people") || !strings.Contains(err.Error(), "Reassign them") {
			t.Fatalf("err = %v\n%s", err, out)
		}
		if _, err := signInWith(t, dsn, "lee@example.org", "a demo password for tests"); err != nil {
			t.Errorf("a refused disable still locked lee out: %v", err)
		}
	})
	t.Run("OK/NoPeople", func(t *testing.T) {
		if _, err := signInWith(t, dsn, "morgan@example.org", "a demo password for tests"); err != nil {
			t.Fatalf("morgan cannot sign in before: %v", err)
		}
		out, err := runOut(t, env, "", "user", "disable", "--email", "Morgan@Example.org")
		if err != nil || !strings.Contains(out, "disabled morgan@example.org") {
			t.Fatalf("%v\n%s", err, out)
		}
		if _, err := signInWith(t, dsn, "morgan@example.org", "a demo password for tests"); err == nil {
			t.Error("a disabled account still signs in")
		}
	})
	t.Run("ErrConflict/AlreadyDisabled", func(t *testing.T) {
		_, err := runOut(t, env, "", "user", "disable", "--email", "morgan@example.org")
		if err == nil || !strings.Contains(err.Error(), "already disabled") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrNotFound/UnknownEmail", func(t *testing.T) {
		_, err := runOut(t, env, "", "user", "disable", "--email", "nobody@example.org")
		if err == nil || !strings.Contains(err.Error(), "no staff account for nobody@example.org") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrInvalid/NoEmail", func(t *testing.T) {
		if _, err := runOut(t, env, "", "user", "disable"); err == nil || !strings.Contains(err.Error(), "--email is required") {
			t.Fatalf("err = %v", err)
		}
	})
}
