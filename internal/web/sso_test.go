package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/web"
)

// ssoEnv is Tend outside demo mode (staff need a second factor) with single
// sign-on to an identity provider started in the test, served over real
// HTTP so that the browser's round trip through the provider is real.
type ssoEnv struct {
	t        *testing.T
	idp      *testenv.IdP
	ts       *httptest.Server
	db       *store.DB
	accounts *auth.Service
	lee      auth.StaffAccount // clinician, linked to subject "lee-sub"
	ada      auth.StaffAccount // admin, not linked
}

type ssoSetup struct {
	providerMFA  bool
	linkByEmail  bool
	mfaACR       []string
	limits       auth.Limits
	subjectClaim string
}

func newSSOEnv(t *testing.T, o ssoSetup) *ssoEnv {
	t.Helper()
	ctx := context.Background()
	idp := testenv.NewIdP(t)
	db := testenv.Store(t, nil)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	dir, _ := crisis.Load()
	cat, _ := i18n.New()
	accounts := auth.NewService(store.For[auth.Tx](db), tend.SystemClock{}, auth.Options{TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Limits: o.limits, SSO: auth.SSOOptions{ProviderMFA: o.providerMFA, LinkByEmail: o.linkByEmail}})
	// The listener comes first: the public URL names its address.
	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	public, _ := url.Parse("http://" + ts.Listener.Addr().String())
	srv, err := web.New(web.Options{
		Logger: testenv.Discard(), PublicURL: public, Settings: cache, Crisis: dir, Catalog: cat,
		Ready: func(context.Context) error { return nil }, Accounts: accounts,
		CareTeam: careteam.NewService(store.For[careteam.Tx](db), access.NewChecker(db), tend.SystemClock{}),
		SSO: &web.SSO{Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret, Name: "Example ID",
			MFAACR: o.mfaACR, RequestMFA: o.providerMFA, SubjectClaim: o.subjectClaim},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	e := &ssoEnv{t: t, idp: idp, ts: ts, db: db, accounts: accounts}
	e.lee = e.staff(t, "lee@example.org", tend.RoleClinician)
	e.ada = e.staff(t, "ada@example.org", tend.RoleAdmin)
	if _, err := accounts.LinkSSO(ctx, tend.System, e.lee.ID, idp.Issuer(), "lee-sub"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *ssoEnv) staff(t *testing.T, email string, role tend.Role) auth.StaffAccount {
	t.Helper()
	a, _, err := e.accounts.CreateStaff(context.Background(), tend.System, auth.NewStaff{Email: email, Name: "Staff " + string(role), Role: role, Team: "North", Password: "a long staff password"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// browser is a client with its own cookies that follows redirects, as a
// browser does, and remembers where it ended.
func (e *ssoEnv) browser() *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

type ssoResult struct {
	status int
	final  string // path of the last URL
	body   string
}

func (e *ssoEnv) get(c *http.Client, u string) ssoResult {
	e.t.Helper()
	res, err := c.Get(u)
	if err != nil {
		e.t.Error(err) // Error, not Fatal: subtests call this too
		return ssoResult{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return ssoResult{status: res.StatusCode, final: res.Request.URL.Path, body: string(b)}
}

// signIn runs the whole flow in browser c as subject at the provider.
func (e *ssoEnv) signIn(c *http.Client, subject string, claims func(map[string]any)) ssoResult {
	e.t.Helper()
	e.idp.SignInAs(subject, claims)
	return e.get(c, e.ts.URL+"/signin/oidc")
}

// session returns browser c's session, or ok false when it has none.
func (e *ssoEnv) session(c *http.Client) (tend.Actor, auth.Session, bool) {
	e.t.Helper()
	u, _ := url.Parse(e.ts.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "tend_session" && ck.Value != "" {
			a, ss, err := e.accounts.Authenticate(context.Background(), ck.Value)
			if err != nil {
				return tend.Actor{}, auth.Session{}, false
			}
			return a, ss, true
		}
	}
	return tend.Actor{}, auth.Session{}, false
}

// refused checks r is the sign-in page refusing, with the single
// sign-on button still there.
func (e *ssoEnv) refused(t *testing.T, r ssoResult) {
	t.Helper()
	if r.status != http.StatusUnauthorized || r.final != "/signin/oidc/callback" {
		t.Fatalf("refusal: status %d at %s, want 401 at the callback\n%s", r.status, r.final, r.body)
	}
	mustContain(t, "refusal", r.body, `class="error-summary"`, "Single sign-on did not sign you in.", `action="/signin"`, "Sign in with Example ID")
}

var nonceAttr = regexp.MustCompile(`nonce="[^"]*"`)

func TestSSOSignIn(t *testing.T) {
	e := newSSOEnv(t, ssoSetup{})

	t.Run("ButtonOnSignInPage", func(t *testing.T) {
		r := e.get(e.browser(), e.ts.URL+"/signin")
		mustContain(t, "sign-in page", r.body, `href="/signin/oidc"`, "Sign in with Example ID")
	})

	t.Run("OKLinkedStaffThenTendSecondFactor", func(t *testing.T) {
		c := e.browser()
		// A session token planted before signing in is never the one
		// signed in (session fixation).
		u, _ := url.Parse(e.ts.URL)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "tend_session", Value: "tses_planted", Path: "/"}})
		r := e.signIn(c, "lee-sub", func(m map[string]any) { m["amr"] = []string{"pwd", "mfa"} })
		if r.status != http.StatusOK || r.final != "/signin/mfa" {
			t.Fatalf("landed on %s (%d), want Tend's second factor at /signin/mfa\n%s", r.final, r.status, r.body)
		}
		a, ss, ok := e.session(c)
		if !ok || a.ID != e.lee.ID || a.Kind != tend.KindStaff {
			t.Fatalf("session is %+v (ok %v), want lee's staff session", a, ok)
		}
		if ss.MFA {
			t.Error("the provider's MFA was accepted though the service keeps its own second factor")
		}
		if ss.ExpiresAt.Sub(ss.CreatedAt) != auth.StaffIdle {
			t.Errorf("idle expiry %v, want the staff session's %v", ss.ExpiresAt.Sub(ss.CreatedAt), auth.StaffIdle)
		}
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == "tend_session" && ck.Value == "tses_planted" {
				t.Error("the planted session token survived signing in")
			}
		}
		// Pages need the second factor still: the clinic sends back.
		if r := e.get(c, e.ts.URL+"/clinic"); r.final == "/clinic" && r.status == http.StatusOK {
			t.Error("the clinic opened before Tend's second factor")
		}
		// The sign-in is on the account's record and in the audit trail.
		ins, err := e.db.FindSignIns(context.Background(), e.lee.ID, 10)
		if err != nil || len(ins) == 0 || ins[0].Outcome != tend.OutcomeOK {
			t.Errorf("sign-ins %+v (%v), want an ok one", ins, err)
		}
		if n := auditCount(t, e.db, "auth.sso_sign_in", tend.OutcomeOK); n != 1 {
			t.Errorf("%d ok single sign-on audit events, want 1", n)
		}
	})

	t.Run("ErrUnknownSubjectSameAsWrongPassword", func(t *testing.T) {
		uc := e.browser()
		r := e.signIn(uc, "nobody-sub", nil)
		e.refused(t, r)
		if _, _, ok := e.session(uc); ok {
			t.Error("a session was made")
		}
		// A wrong password is refused with the same status on the same page.
		c := e.browser()
		res, err := c.PostForm(e.ts.URL+"/signin", url.Values{"identifier": {"lee@example.org"}, "password": {"wrong password here"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != r.status {
			t.Errorf("wrong password %d, unknown identity %d: want the same", res.StatusCode, r.status)
		}
		mustContain(t, "wrong password", string(b), `class="error-summary"`, `action="/signin"`, "Sign in with Example ID")
		if n := auditCount(t, e.db, "auth.sso_sign_in", tend.OutcomeFailed); n < 1 {
			t.Error("the refused identity was not audited")
		}
	})

	t.Run("ErrDisabledSameAsUnknown", func(t *testing.T) {
		ctx := context.Background()
		kim := e.staff(t, "kim@example.org", tend.RoleClinician)
		if _, err := e.accounts.LinkSSO(ctx, tend.System, kim.ID, e.idp.Issuer(), "kim-sub"); err != nil {
			t.Fatal(err)
		}
		if err := e.accounts.DisableStaff(ctx, tend.System, kim.ID); err != nil {
			t.Fatal(err)
		}
		disabled := e.signIn(e.browser(), "kim-sub", nil)
		e.refused(t, disabled)
		unknown := e.signIn(e.browser(), "nobody-sub", nil)
		if a, b := nonceAttr.ReplaceAllString(disabled.body, ""), nonceAttr.ReplaceAllString(unknown.body, ""); a != b {
			t.Error("a disabled account's refusal differs from an unknown identity's")
		}
	})

	tampered := []struct {
		name   string
		claims func(map[string]any)
	}{
		{"ErrWrongNonce", func(m map[string]any) { m["nonce"] = "another-nonce" }},
		{"ErrNoNonce", func(m map[string]any) { delete(m, "nonce") }},
		{"ErrWrongIssuer", func(m map[string]any) { m["iss"] = "https://other.example.org" }},
		{"ErrWrongAudience", func(m map[string]any) { m["aud"] = "another-client" }},
		{"ErrOtherAuthorizedParty", func(m map[string]any) { m["aud"] = []string{"tend", "another-client"}; m["azp"] = "another-client" }},
		{"ErrExpired", func(m map[string]any) { m["exp"] = time.Now().Add(-time.Hour).Unix() }},
	}
	for _, tt := range tampered {
		t.Run(tt.name, func(t *testing.T) {
			c := e.browser()
			e.refused(t, e.signIn(c, "lee-sub", tt.claims))
			if _, _, ok := e.session(c); ok {
				t.Error("a session was made")
			}
		})
	}

	t.Run("OKTwoAudiencesWithTendAsAuthorizedParty", func(t *testing.T) {
		r := e.signIn(e.browser(), "lee-sub", func(m map[string]any) { m["aud"] = []string{"tend", "another-client"}; m["azp"] = "tend" })
		if r.final != "/signin/mfa" {
			t.Fatalf("landed on %s (%d)", r.final, r.status)
		}
	})

	t.Run("ErrWrongState", func(t *testing.T) {
		c := e.browser()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		e.idp.SignInAs("lee-sub", nil)
		res, err := c.Get(e.ts.URL + "/signin/oidc")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		res, err = c.Get(res.Header.Get("Location")) // the provider approves
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		back, _ := url.Parse(res.Header.Get("Location"))
		q := back.Query()
		q.Set("state", "forged-state")
		back.RawQuery = q.Encode()
		c.CheckRedirect = nil
		e.refused(t, e.get(c, back.String()))
		if _, _, ok := e.session(c); ok {
			t.Error("a session was made")
		}
	})

	t.Run("ErrCallbackInAnotherBrowser", func(t *testing.T) {
		// The attempt starts in one browser; its callback is opened in
		// another (login CSRF): that browser has no attempt cookie.
		c := e.browser()
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		e.idp.SignInAs("lee-sub", nil)
		res, err := c.Get(e.ts.URL + "/signin/oidc")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		res, err = c.Get(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		other := e.browser()
		e.refused(t, e.get(other, res.Header.Get("Location")))
		if _, _, ok := e.session(other); ok {
			t.Error("a session was made in the other browser")
		}
	})

	t.Run("AuthorizationRequest", func(t *testing.T) {
		e.signIn(e.browser(), "lee-sub", nil)
		q := e.idp.LastAuthorize()
		if q.Get("code_challenge_method") != "S256" || q.Get("state") == "" || q.Get("nonce") == "" || q.Get("response_mode") != "query" ||
			q.Get("redirect_uri") != e.ts.URL+"/signin/oidc/callback" || !strings.Contains(q.Get("scope"), "openid") {
			t.Errorf("authorization request %v", q)
		}
	})

	t.Run("ClaimsNeverCreateStaffOrChangeRoles", func(t *testing.T) {
		ctx := context.Background()
		before, err := e.accounts.ListStaff(ctx, tend.System)
		if err != nil {
			t.Fatal(err)
		}
		grant := func(m map[string]any) {
			m["email"], m["email_verified"] = "new.person@example.org", true
			m["name"], m["role"], m["roles"], m["groups"] = "New Person", "admin", []string{"admin"}, []string{"admin"}
			m["amr"] = []string{"mfa"}
		}
		e.refused(t, e.signIn(e.browser(), "new-sub", grant))
		after, err := e.accounts.ListStaff(ctx, tend.System)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("%d staff after, %d before: claims made an account", len(after), len(before))
		}
		c := e.browser()
		e.signIn(c, "lee-sub", grant)
		a, _, ok := e.session(c)
		if !ok || a.Role != tend.RoleClinician {
			t.Errorf("lee signed in as %+v (ok %v), want the clinician role kept", a, ok)
		}
		acct, err := e.db.FindStaffAccountByID(ctx, e.lee.ID)
		if err != nil || acct.Role != tend.RoleClinician || acct.Name != e.lee.Name || acct.Email != e.lee.Email {
			t.Errorf("lee's account changed: %+v (%v)", acct, err)
		}
	})

	t.Run("PeopleNeverSignInBySSO", func(t *testing.T) {
		// An identity is only ever looked up among staff links: even a
		// provider subject equal to a person's id or username matches no one.
		e.refused(t, e.signIn(e.browser(), "sam", nil))
	})
}

func TestSSOProviderMFA(t *testing.T) {
	e := newSSOEnv(t, ssoSetup{providerMFA: true, mfaACR: []string{"gold"}})
	tests := []struct {
		name    string
		claims  func(map[string]any)
		wantMFA bool
	}{
		{"OKAMRSaysMFA", func(m map[string]any) { m["amr"] = []string{"pwd", "otp", "mfa"} }, true},
		{"OKACRNamedByService", func(m map[string]any) { m["acr"] = "gold" }, true},
		{"OnePasswordStillAsksTend", func(m map[string]any) { m["amr"] = []string{"pwd"} }, false},
		{"OtherACRStillAsksTend", func(m map[string]any) { m["acr"] = "silver" }, false},
		{"NoClaimStillAsksTend", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.browser()
			r := e.signIn(c, "lee-sub", tt.claims)
			_, ss, ok := e.session(c)
			if !ok {
				t.Fatalf("no session (%d at %s)", r.status, r.final)
			}
			if ss.MFA != tt.wantMFA {
				t.Errorf("session MFA %v, want %v", ss.MFA, tt.wantMFA)
			}
			want := "/signin/mfa"
			if tt.wantMFA {
				want = "/clinic"
			}
			if r.final != want || r.status != http.StatusOK {
				t.Errorf("landed on %s (%d), want %s", r.final, r.status, want)
			}
		})
	}
	t.Run("AsksForACR", func(t *testing.T) {
		e.signIn(e.browser(), "lee-sub", nil)
		if got := e.idp.LastAuthorize().Get("acr_values"); got != "gold" {
			t.Errorf("acr_values %q, want gold", got)
		}
	})
}

func TestSSOLinkByEmail(t *testing.T) {
	e := newSSOEnv(t, ssoSetup{linkByEmail: true})
	ctx := context.Background()
	t.Run("ErrUnverifiedEmail", func(t *testing.T) {
		e.refused(t, e.signIn(e.browser(), "ada-sub", func(m map[string]any) { m["email"], m["email_verified"] = "ada@example.org", false }))
	})
	t.Run("OKVerifiedEmailLinksOnce", func(t *testing.T) {
		c := e.browser()
		e.signIn(c, "ada-sub", func(m map[string]any) { m["email"], m["email_verified"] = "ADA@example.org", true })
		if a, _, ok := e.session(c); !ok || a.ID != e.ada.ID || a.Role != tend.RoleAdmin {
			t.Fatalf("session %+v (ok %v), want ada's", a, ok)
		}
		links, err := e.accounts.ListSSOLinks(ctx, tend.System)
		if err != nil || len(links[e.ada.ID]) != 1 || links[e.ada.ID][0].Subject != "ada-sub" {
			t.Fatalf("ada's links %+v (%v)", links[e.ada.ID], err)
		}
		// Later sign-ins need no e-mail: the link holds.
		c = e.browser()
		e.signIn(c, "ada-sub", nil)
		if a, _, ok := e.session(c); !ok || a.ID != e.ada.ID {
			t.Error("the stored link did not sign ada in")
		}
	})
	t.Run("ErrEmailOfStaffLinkedElsewhere", func(t *testing.T) {
		// lee is linked to lee-sub: another subject with lee's address is
		// not linked to lee too.
		e.refused(t, e.signIn(e.browser(), "lee-other-sub", func(m map[string]any) { m["email"], m["email_verified"] = "lee@example.org", true }))
	})
	t.Run("ErrEmailOfNobody", func(t *testing.T) {
		e.refused(t, e.signIn(e.browser(), "x-sub", func(m map[string]any) { m["email"], m["email_verified"] = "nobody@example.org", true }))
	})
}

func TestSSORateLimited(t *testing.T) {
	e := newSSOEnv(t, ssoSetup{limits: auth.Limits{SignInAddress: auth.Limit{Max: 3, Window: time.Hour}, SignInAccount: auth.Limit{Max: 100, Window: time.Hour},
		SignInAccountAddress: auth.Limit{Max: 100, Window: time.Hour}, MFA: auth.Limit{Max: 5, Window: time.Hour}}})
	for range 3 {
		e.refused(t, e.signIn(e.browser(), "nobody-sub", nil))
	}
	c := e.browser()
	r := e.signIn(c, "lee-sub", nil)
	if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many sign-in attempts") {
		t.Fatalf("after 3 refusals: %d\n%s", r.status, r.body)
	}
	if _, _, ok := e.session(c); ok {
		t.Error("a session was made past the limit")
	}
	// Password sign-ins from the address share the limit.
	res, err := e.browser().PostForm(e.ts.URL+"/signin", url.Values{"identifier": {"lee@example.org"}, "password": {"a long staff password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("password sign-in after single sign-on refusals: %d, want 429", res.StatusCode)
	}
}

func TestSSOAdminLinks(t *testing.T) {
	e := newSSOEnv(t, ssoSetup{})
	ctx := context.Background()
	// Ada signs in with her password and her second factor, as admins do.
	c := e.browser()
	res, err := c.PostForm(e.ts.URL+"/signin", url.Values{"identifier": {"ada@example.org"}, "password": {"a long staff password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	_, ss, ok := e.session(c)
	if !ok {
		t.Fatal("ada did not sign in")
	}
	if err := e.db.InTx(ctx, func(tx *store.Tx) error {
		yes := true
		return tx.UpdateSession(ctx, ss.ID, auth.SessionUpdate{MFA: &yes})
	}); err != nil {
		t.Fatal(err)
	}
	kim := e.staff(t, "kim@example.org", tend.RoleClinician)
	page := e.get(c, e.ts.URL+"/admin/staff")
	mustContain(t, "staff page", page.body, "Single sign-on", `action="/admin/staff/`+string(kim.ID)+`/sso"`, "lee-sub")

	res, err = c.PostForm(e.ts.URL+"/admin/staff/"+string(kim.ID)+"/sso", url.Values{"subject": {"kim-sub"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Query().Get("done") != "sso-linked" {
		t.Fatalf("link ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	kc := e.browser()
	e.signIn(kc, "kim-sub", nil)
	if a, _, ok := e.session(kc); !ok || a.ID != kim.ID {
		t.Fatal("kim did not sign in through the link the admin made")
	}
	// The same identity cannot be linked to a second account.
	res, err = c.PostForm(e.ts.URL+"/admin/staff/"+string(e.ada.ID)+"/sso", url.Values{"subject": {"kim-sub"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(b), "linked already") {
		t.Errorf("second link of one identity: %d", res.StatusCode)
	}
	// Removing the link signs kim out and stops the identity signing in.
	res, err = c.PostForm(e.ts.URL+"/admin/staff/"+string(kim.ID)+"/sso/remove", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if _, _, ok := e.session(kc); ok {
		t.Error("kim's session outlived the removed link")
	}
	e.refused(t, e.signIn(e.browser(), "kim-sub", nil))

	// A clinician cannot link anyone (not even themselves).
	lc := e.browser()
	e.signIn(lc, "lee-sub", nil)
	res, err = lc.PostForm(e.ts.URL+"/admin/staff/"+string(e.lee.ID)+"/sso", url.Values{"subject": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK || res.Request.URL.Query().Get("done") == "sso-linked" {
		t.Errorf("a clinician linked an identity: %d at %s", res.StatusCode, res.Request.URL)
	}
	if n := auditCount(t, e.db, "auth.sso_linked", tend.OutcomeOK); n != 2 { // lee's (set-up) and kim's
		t.Errorf("%d link audit events, want 2", n)
	}
	if n := auditCount(t, e.db, "auth.sso_unlinked", tend.OutcomeOK); n != 1 {
		t.Errorf("%d unlink audit events, want 1", n)
	}
}

// auditCount counts the audit events of action with outcome.
func auditCount(t *testing.T, db *store.DB, action, outcome string) int {
	t.Helper()
	var n int
	if err := db.Writer().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND outcome = $2`, action, outcome).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSSOSubjectClaimOID: with Microsoft Entra ID's object id as the
// identifier, "oid" links and "sub" is ignored.
func TestSSOSubjectClaimOID(t *testing.T) {
	e := newSSOEnv(t, ssoSetup{subjectClaim: "oid"})
	c := e.browser()
	e.signIn(c, "pairwise-sub", func(m map[string]any) { m["oid"] = "lee-sub" })
	if a, _, ok := e.session(c); !ok || a.ID != e.lee.ID {
		t.Fatalf("session %+v (ok %v), want lee's through oid", a, ok)
	}
	e.refused(t, e.signIn(e.browser(), "lee-sub", nil)) // sub alone, no oid
	e.refused(t, e.signIn(e.browser(), "lee-sub", func(m map[string]any) { m["oid"] = "someone-else" }))
}
