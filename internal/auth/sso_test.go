package auth_test

import (
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

const issuer = "https://id.example.org/realms/staff"

var ssoClient = auth.Client{Address: "192.0.2.1", Device: "Firefox on Linux"}

func TestLinkSSO(t *testing.T) {
	e := newEnv(t, auth.Options{})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	kim := e.staff("kim@example.org", tend.RoleClinician)
	admin := tend.Actor{Kind: tend.KindStaff, ID: e.staff("admin@example.org", tend.RoleAdmin).ID, Role: tend.RoleAdmin, MFA: true}

	t.Run("ErrForbiddenClinician", func(t *testing.T) {
		_, err := e.svc.LinkSSO(ctx, tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true}, lee.ID, issuer, "lee-sub")
		wantKind(t, err, tend.EFORBIDDEN)
	})
	t.Run("ErrForbiddenAdminWithoutSecondFactor", func(t *testing.T) {
		a := admin
		a.MFA = false
		_, err := e.svc.LinkSSO(ctx, a, lee.ID, issuer, "lee-sub")
		wantKind(t, err, tend.EFORBIDDEN)
	})
	t.Run("OK", func(t *testing.T) {
		if _, err := e.svc.LinkSSO(ctx, admin, lee.ID, issuer, " lee-sub "); err != nil {
			t.Fatal(err)
		}
		ev := e.wantAudit("auth.sso_linked", tend.OutcomeOK)
		if ev.ActorID != admin.ID || ev.Target != "staff:"+string(lee.ID) {
			t.Errorf("audit event %+v", ev)
		}
	})
	t.Run("ErrConflictIdentityTaken", func(t *testing.T) {
		_, err := e.svc.LinkSSO(ctx, admin, kim.ID, issuer, "lee-sub")
		wantKind(t, err, tend.ECONFLICT)
	})
	t.Run("ErrConflictSecondLinkToIssuer", func(t *testing.T) {
		_, err := e.svc.LinkSSO(ctx, admin, lee.ID, issuer, "another-sub")
		wantKind(t, err, tend.ECONFLICT)
	})
	t.Run("OKSameSubjectOtherIssuer", func(t *testing.T) {
		if _, err := e.svc.LinkSSO(ctx, admin, kim.ID, "https://other.example.org", "lee-sub"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalidEmptySubject", func(t *testing.T) {
		_, err := e.svc.LinkSSO(ctx, admin, kim.ID, issuer, "  ")
		wantKind(t, err, tend.EINVALID)
	})
	t.Run("ErrNotFoundStaff", func(t *testing.T) {
		_, err := e.svc.LinkSSO(ctx, admin, tend.NewID(), issuer, "x")
		wantKind(t, err, tend.ENOTFOUND)
	})
}

func TestSignInStaffSSO(t *testing.T) {
	e := newEnv(t, auth.Options{})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	if _, err := e.svc.LinkSSO(ctx, tend.System, lee.ID, issuer, "lee-sub"); err != nil {
		t.Fatal(err)
	}

	t.Run("OKSessionWaitsForTendSecondFactor", func(t *testing.T) {
		tok, ss, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub", MFA: true}, ssoClient)
		if err != nil {
			t.Fatal(err)
		}
		if ss.MFA {
			t.Error("the provider's second factor counted though the service did not accept it")
		}
		a, _, err := e.svc.Authenticate(ctx, tok)
		if err != nil || a.ID != lee.ID || a.Role != tend.RoleClinician || a.MFA {
			t.Errorf("Authenticate = %+v, %v", a, err)
		}
		e.wantAudit("auth.sso_sign_in", tend.OutcomeOK)
	})
	t.Run("ErrUnauthorizedOtherIssuer", func(t *testing.T) {
		_, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: "https://other.example.org", Subject: "lee-sub"}, ssoClient)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrUnauthorizedEmpty", func(t *testing.T) {
		_, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer}, ssoClient)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrUnauthorizedEmailWithoutOptIn", func(t *testing.T) {
		_, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "new-sub", Email: "lee@example.org"}, ssoClient)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("SameAnswerUnknownAndDisabled", func(t *testing.T) {
		kim := e.staff("kim@example.org", tend.RoleClinician)
		if _, err := e.svc.LinkSSO(ctx, tend.System, kim.ID, issuer, "kim-sub"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DisableStaff(ctx, tend.System, kim.ID); err != nil {
			t.Fatal(err)
		}
		_, _, disabled := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "kim-sub"}, ssoClient)
		_, _, unknown := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "nobody"}, ssoClient)
		wantKind(t, disabled, tend.EUNAUTHORIZED)
		if tend.ErrorMessage(disabled) != tend.ErrorMessage(unknown) || tend.ErrorKind(disabled) != tend.ErrorKind(unknown) {
			t.Errorf("disabled %q, unknown %q: want the same answer", disabled, unknown)
		}
		e.wantAudit("auth.sso_sign_in", tend.OutcomeFailed)
	})
	t.Run("UnlinkEndsSessionsAndSignIns", func(t *testing.T) {
		tok, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub"}, ssoClient)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.UnlinkSSO(ctx, tend.System, lee.ID); err != nil || n != 1 {
			t.Fatalf("UnlinkSSO = %d, %v", n, err)
		}
		if _, _, err := e.svc.Authenticate(ctx, tok); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Errorf("session after unlink: %v", err)
		}
		_, _, err = e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub"}, ssoClient)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
}

func TestSignInStaffSSOProviderMFA(t *testing.T) {
	e := newEnv(t, auth.Options{SSO: auth.SSOOptions{ProviderMFA: true}})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	if _, err := e.svc.LinkSSO(ctx, tend.System, lee.ID, issuer, "lee-sub"); err != nil {
		t.Fatal(err)
	}
	for _, mfa := range []bool{true, false} {
		_, ss, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub", MFA: mfa}, ssoClient)
		if err != nil {
			t.Fatal(err)
		}
		if ss.MFA != mfa {
			t.Errorf("identity MFA %v: session MFA %v", mfa, ss.MFA)
		}
	}
}

func TestSignInStaffSSOLinkByEmail(t *testing.T) {
	e := newEnv(t, auth.Options{SSO: auth.SSOOptions{LinkByEmail: true}})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	_, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub", Email: "Lee@Example.org"}, ssoClient)
	if err != nil {
		t.Fatal(err)
	}
	e.wantAudit("auth.sso_linked_by_email", tend.OutcomeOK)
	links, err := e.svc.ListSSOLinks(ctx, tend.System)
	if err != nil || len(links[lee.ID]) != 1 || links[lee.ID][0].Subject != "lee-sub" || links[lee.ID][0].Issuer != issuer {
		t.Fatalf("links %+v, %v", links, err)
	}
	// Another subject naming the same address does not take the account over.
	_, _, err = e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "other-sub", Email: "lee@example.org"}, ssoClient)
	wantKind(t, err, tend.EUNAUTHORIZED)
}

func TestSignInStaffSSORateLimited(t *testing.T) {
	e := newEnv(t, auth.Options{Limits: auth.Limits{SignInAddress: auth.Limit{Max: 2, Window: time.Hour}}})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	if _, err := e.svc.LinkSSO(ctx, tend.System, lee.ID, issuer, "lee-sub"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, e.svc.SSOFailed(ctx, ssoClient), tend.EUNAUTHORIZED)
	_, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "nobody"}, ssoClient)
	wantKind(t, err, tend.EUNAUTHORIZED)
	_, _, err = e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub"}, ssoClient)
	wantKind(t, err, tend.ERATELIMITED)
	// Another address is not limited.
	if _, _, err := e.svc.SignInStaffSSO(ctx, auth.Identity{Issuer: issuer, Subject: "lee-sub"}, auth.Client{Address: "192.0.2.2"}); err != nil {
		t.Errorf("another address: %v", err)
	}
}
