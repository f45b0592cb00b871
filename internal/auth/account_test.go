package auth_test

import (
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

func TestAccount(t *testing.T) {
	e := newEnv(t, auth.Options{})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	sam := e.person("sam")
	asSam := tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID}
	t.Run("OK/Person", func(t *testing.T) {
		a, err := e.svc.Account(ctx, asSam)
		if err != nil {
			t.Fatal(err)
		}
		want := auth.Account{Kind: tend.KindPerson, ID: sam.Person.ID, Username: "sam", State: sam.Person.State, TimeZone: "Europe/London"}
		if a != want {
			t.Fatalf("Account = %+v, want %+v", a, want)
		}
	})
	t.Run("OK/Staff", func(t *testing.T) {
		a, err := e.svc.Account(ctx, tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician})
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != tend.KindStaff || a.ID != lee.ID || a.Role != tend.RoleClinician || a.Name != "Lee Example" || a.Username != "" {
			t.Fatalf("Account = %+v", a)
		}
	})
	t.Run("OK/TokenWithProfileRead", func(t *testing.T) {
		tok := asSam
		tok.Scopes = []string{"profile.read"}
		if _, err := e.svc.Account(ctx, tok); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrForbidden/TokenWithoutProfileRead", func(t *testing.T) {
		tok := asSam
		tok.Scopes = []string{"care_team.read"}
		_, err := e.svc.Account(ctx, tok)
		wantKind(t, err, tend.EFORBIDDEN)
	})
	t.Run("ErrUnauthorized/Anonymous", func(t *testing.T) {
		_, err := e.svc.Account(ctx, tend.Actor{})
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrNotFound/Gone", func(t *testing.T) {
		_, err := e.svc.Account(ctx, tend.Actor{Kind: tend.KindPerson, ID: tend.NewID()})
		wantKind(t, err, tend.ENOTFOUND)
	})
}
