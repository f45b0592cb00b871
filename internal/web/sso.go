package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"golang.org/x/oauth2"
)

// Single sign-on for staff with OpenID Connect (docs/sso.md): the
// authorization code flow with PKCE, state and nonce, and the query
// response mode (CrossOriginProtection refuses a cross-site form_post). The
// state, nonce and PKCE verifier live in a short-lived cookie of this
// browser only, so a callback started in another browser, or crafted by
// someone else, does not match. Who the verified identity is in Tend is
// auth's decision (auth.SignInStaffSSO): never a new account, never a role.

// SSO configures single sign-on. Nil Options.SSO turns it off.
type SSO struct {
	Issuer       string   // the provider's issuer URL (discovery at Issuer/.well-known/openid-configuration)
	ClientID     string   // Tend's client id at the provider
	ClientSecret string   // "" for a public client (PKCE only)
	Scopes       []string // asked for besides "openid"
	Name         string   // the provider's name on the button ("Sign in with Name")
	// MFAACR lists "acr" values that mean the sign-in used more than one
	// factor, besides an "amr" claim holding "mfa". When set, they are also
	// asked for as acr_values.
	MFAACR []string
	// RequestMFA asks for MFAACR (acr_values); set when the provider's
	// second factor is accepted in place of Tend's.
	RequestMFA bool
	// SubjectClaim names the claim that identifies a staff member: "sub"
	// (the default) or "oid" (Microsoft Entra ID's object id, the same for
	// every application of the tenant and shown in its admin centre).
	SubjectClaim string
	// HTTPClient talks to the provider [a client with a 15 s timeout].
	HTTPClient *http.Client
}

// ssoCookie holds "state.nonce.verifier" for one sign-in attempt. On https
// the __Host- prefix keeps other hosts under the same domain from setting it.
const (
	ssoCookieName   = "tend_oidc"
	ssoCookieSecure = "__Host-tend_oidc"
	ssoCookieTTL    = 10 * time.Minute
	ssoTimeout      = 15 * time.Second
)

// ssoClient is the provider, discovered on first use and kept once found,
// so that Tend starts while the provider is down.
type ssoClient struct {
	mu       sync.Mutex
	provider *oidc.Provider
}

func (s *Server) ssoHTTP(ctx context.Context) context.Context {
	c := s.opt.SSO.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: ssoTimeout}
	}
	return oidc.ClientContext(ctx, c)
}

func (s *Server) ssoProvider(ctx context.Context) (*oidc.Provider, error) {
	s.sso.mu.Lock()
	defer s.sso.mu.Unlock()
	if s.sso.provider != nil {
		return s.sso.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, ssoTimeout)
	defer cancel()
	p, err := oidc.NewProvider(s.ssoHTTP(ctx), s.opt.SSO.Issuer)
	if err != nil {
		return nil, tend.Wrap(tend.EUNAVAILABLE, fmt.Errorf("sso: discovery: %w", err), "The identity provider cannot be reached.")
	}
	s.sso.provider = p
	return p, nil
}

// ssoConfig is the OAuth 2.0 client for r: the redirect address comes from
// the public URL, or, in demo mode without one, from the request's host.
func (s *Server) ssoConfig(r *http.Request, p *oidc.Provider) *oauth2.Config {
	base := ""
	if s.opt.PublicURL != nil {
		base = strings.TrimSuffix(s.opt.PublicURL.String(), "/")
	} else if s.opt.Demo {
		base = "http://" + r.Host
	}
	scopes := []string{oidc.ScopeOpenID}
	for _, sc := range s.opt.SSO.Scopes {
		if sc != "" && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	return &oauth2.Config{
		ClientID: s.opt.SSO.ClientID, ClientSecret: s.opt.SSO.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: base + "/signin/oidc/callback", Scopes: scopes,
	}
}

func (s *Server) ssoCookieName() string {
	if s.secureCookies() {
		return ssoCookieSecure
	}
	return ssoCookieName
}

// ssoStart sends the browser to the identity provider.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	if s.opt.SSO == nil || s.opt.Accounts == nil {
		return tend.ErrNotFound
	}
	if a := actorFrom(r); a.Kind != "" {
		http.Redirect(w, r, homeFor(a), http.StatusSeeOther)
		return nil
	}
	p, err := s.ssoProvider(r.Context())
	if err != nil {
		s.log.WarnContext(r.Context(), "single sign-on: provider unavailable", "request_id", requestIDFrom(r.Context()), "err", err)
		return s.signInProblem(w, r, http.StatusServiceUnavailable, s.printer().T("sso.unavailable"))
	}
	state, nonce, verifier := randomHex(32), randomHex(32), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite always; Secure on https.
		Name: s.ssoCookieName(), Value: state + "." + nonce + "." + verifier, Path: "/",
		MaxAge: int(ssoCookieTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("response_mode", "query")}
	if s.opt.SSO.RequestMFA && len(s.opt.SSO.MFAACR) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(s.opt.SSO.MFAACR, " ")))
	}
	// #nosec G710 -- the provider's authorization endpoint from its discovery document, not from the request.
	http.Redirect(w, r, s.ssoConfig(r, p).AuthCodeURL(state, opts...), http.StatusSeeOther)
	return nil
}

// ssoCallback finishes the flow: the state must match this browser's
// cookie, the code is exchanged with the PKCE verifier, and the ID token
// must verify (signature, issuer, audience, expiry) and carry this
// browser's nonce. Every failure gets the same answer.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	if s.opt.SSO == nil || s.opt.Accounts == nil {
		return tend.ErrNotFound
	}
	// The cookie is for one attempt: gone whatever happens next.
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- clearing the cookie.
		Name: s.ssoCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	id, why := s.ssoIdentity(r)
	if why != "" {
		// Why it failed is for the operator's log, never for the page.
		s.log.InfoContext(r.Context(), "single sign-on refused", "request_id", requestIDFrom(r.Context()), "reason", why)
		return s.ssoRefuse(w, r, s.opt.Accounts.SSOFailed(r.Context(), s.client(r)))
	}
	token, ss, err := s.opt.Accounts.SignInStaffSSO(r.Context(), id, s.client(r))
	if err != nil {
		return s.ssoRefuse(w, r, err)
	}
	s.setSession(w, token)
	to := "/signin/mfa"
	if ss.MFA {
		actor, _, err := s.opt.Accounts.Authenticate(r.Context(), token)
		if err != nil {
			return err
		}
		to = homeFor(actor)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// ssoIdentity checks the callback and returns the verified identity, or a
// short reason (no personal data) why not.
func (s *Server) ssoIdentity(r *http.Request) (auth.Identity, string) {
	q := r.URL.Query()
	if q.Get("error") != "" {
		return auth.Identity{}, "the provider answered with an error"
	}
	c, err := r.Cookie(s.ssoCookieName())
	if err != nil {
		return auth.Identity{}, "no sign-in attempt in this browser"
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return auth.Identity{}, "malformed attempt cookie"
	}
	state, nonce, verifier := parts[0], parts[1], parts[2]
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return auth.Identity{}, "state does not match"
	}
	code := q.Get("code")
	if code == "" {
		return auth.Identity{}, "no code"
	}
	p, err := s.ssoProvider(r.Context())
	if err != nil {
		return auth.Identity{}, "provider unavailable"
	}
	ctx, cancel := context.WithTimeout(r.Context(), ssoTimeout)
	defer cancel()
	ctx = s.ssoHTTP(ctx)
	tok, err := s.ssoConfig(r, p).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return auth.Identity{}, "code exchange failed"
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return auth.Identity{}, "no ID token"
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: s.opt.SSO.ClientID}).Verify(ctx, raw)
	if err != nil {
		return auth.Identity{}, "ID token did not verify"
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return auth.Identity{}, "nonce does not match"
	}
	var claims struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		AMR           []string        `json:"amr"`
		ACR           string          `json:"acr"`
		AZP           string          `json:"azp"`
		OID           string          `json:"oid"`
	}
	if err := idt.Claims(&claims); err != nil {
		return auth.Identity{}, "unreadable claims"
	}
	// With more than one audience the token must name Tend as its
	// authorized party (OpenID Connect Core 3.1.3.7).
	if len(idt.Audience) > 1 && claims.AZP != s.opt.SSO.ClientID {
		return auth.Identity{}, "authorized party is not Tend"
	}
	subject := idt.Subject
	if s.opt.SSO.SubjectClaim == "oid" {
		subject = claims.OID
	}
	if subject == "" {
		return auth.Identity{}, "no subject"
	}
	id := auth.Identity{Issuer: s.opt.SSO.Issuer, Subject: subject, MFA: providerMFA(claims.AMR, claims.ACR, s.opt.SSO.MFAACR)}
	if verified(claims.EmailVerified) {
		id.Email = claims.Email
	}
	return id, ""
}

// providerMFA reports whether the ID token says the sign-in used more than
// one factor: an "amr" value of "mfa" (RFC 8176), or an "acr" the operator
// named as meaning it. Nothing else counts.
func providerMFA(amr []string, acr string, mfaACR []string) bool {
	if slices.Contains(amr, "mfa") {
		return true
	}
	return acr != "" && slices.Contains(mfaACR, acr)
}

// verified reads "email_verified": a JSON true, or the string "true" that
// some providers send.
func verified(raw json.RawMessage) bool {
	v := strings.TrimSpace(string(raw))
	return v == "true" || v == `"true"`
}

// ssoRefuse shows the sign-in page with the refusal: the same page and
// status as a wrong password, with the same words whatever the cause.
func (s *Server) ssoRefuse(w http.ResponseWriter, r *http.Request, err error) error {
	kind := tend.ErrorKind(err)
	if kind != tend.EUNAUTHORIZED && kind != tend.ERATELIMITED {
		return err
	}
	status := http.StatusUnauthorized
	if kind == tend.ERATELIMITED {
		status = http.StatusTooManyRequests
	}
	return s.signInProblem(w, r, status, tend.ErrorMessage(err))
}

func (s *Server) signInProblem(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	return s.render(w, r, status, "signin", s.signInData(&signInPage{Base: Base{Title: s.printer().T("signin.title")}, Problem: problem}))
}

// signInData adds the single sign-on button to the sign-in page when it is
// set up.
func (s *Server) signInData(p *signInPage) *signInPage {
	if s.opt.SSO != nil && s.opt.Accounts != nil {
		p.SSOName = s.opt.SSO.Name
		if p.SSOName == "" {
			p.SSOName = s.printer().T("sso.default_name")
		}
	}
	return p
}

// adminStaffSSO fills the staff page's single sign-on column.
func (s *Server) adminStaffSSO(r *http.Request, a tend.Actor, page *adminStaffPage) error {
	if s.opt.SSO == nil {
		return nil
	}
	page.SSOName = s.signInData(&signInPage{}).SSOName
	links, err := s.opt.Accounts.ListSSOLinks(r.Context(), a)
	if err != nil {
		return err
	}
	for i := range page.Staff {
		for _, l := range links[page.Staff[i].ID] {
			if l.Issuer == s.opt.SSO.Issuer {
				page.Staff[i].SSOSubject = l.Subject
			}
		}
	}
	return nil
}

// adminStaffSSOLink links a staff member to their identity at the provider
// (the subject identifier the provider's admin console shows).
func (s *Server) adminStaffSSOLink(w http.ResponseWriter, r *http.Request) error {
	return s.adminStaffAction(w, r, "sso-linked", func(a tend.Actor, id tend.ID) error {
		if s.opt.SSO == nil {
			return tend.ErrNotFound
		}
		if err := r.ParseForm(); err != nil {
			return err
		}
		_, err := s.opt.Accounts.LinkSSO(r.Context(), a, id, s.opt.SSO.Issuer, r.PostForm.Get("subject"))
		return err
	})
}

// adminStaffSSOUnlink removes a staff member's single sign-on link and signs
// them out everywhere.
func (s *Server) adminStaffSSOUnlink(w http.ResponseWriter, r *http.Request) error {
	return s.adminStaffAction(w, r, "sso-removed", func(a tend.Actor, id tend.ID) error {
		if s.opt.SSO == nil {
			return tend.ErrNotFound
		}
		_, err := s.opt.Accounts.UnlinkSSO(r.Context(), a, id)
		return err
	})
}
