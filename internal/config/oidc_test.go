package config_test

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/config"
)

func TestLoadOIDC(t *testing.T) {
	base := map[string]string{"TEND_PUBLIC_URL": "https://tend.example.org", "TEND_OIDC_ISSUER": "https://id.example.org/realms/staff", "TEND_OIDC_CLIENT_ID": "tend"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			if v == "" {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	t.Run("OffByDefault", func(t *testing.T) {
		c, _, err := config.Load("serve", nil, env(nil), io.Discard, nil)
		if err != nil || c.OIDC.Issuer != "" {
			t.Fatalf("%+v, %v", c.OIDC, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		c, _, err := config.Load("serve", nil, env(with(map[string]string{"TEND_OIDC_SCOPES": "profile, groups", "TEND_OIDC_MFA": "provider",
			"TEND_OIDC_MFA_ACR": "gold, platinum", "TEND_OIDC_NAME": "Example ID", "TEND_OIDC_LINK_BY_EMAIL": "true"})), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		o := c.OIDC
		if o.Issuer != base["TEND_OIDC_ISSUER"] || o.ClientID != "tend" || !o.ProviderMFA || !o.LinkByEmail || o.Name != "Example ID" ||
			!slices.Equal(o.Scopes, []string{"profile", "groups", "email"}) || !slices.Equal(o.MFAACR, []string{"gold", "platinum"}) {
			t.Errorf("got %+v", o)
		}
	})
	t.Run("SecretFromFile", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "secret")
		if err := os.WriteFile(f, []byte("s3cret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, _, err := config.Load("serve", nil, env(with(map[string]string{"TEND_OIDC_CLIENT_SECRET_FILE": f})), io.Discard, nil)
		if err != nil || c.OIDC.ClientSecret != "s3cret" {
			t.Fatalf("secret %q, %v", c.OIDC.ClientSecret, err)
		}
	})
	for _, tt := range []struct {
		name  string
		extra map[string]string
		want  string
	}{
		{"ErrHTTPIssuer", map[string]string{"TEND_OIDC_ISSUER": "http://id.example.org"}, "must use https"},
		{"ErrNotURL", map[string]string{"TEND_OIDC_ISSUER": "id.example.org"}, "not an absolute URL"},
		{"ErrNoClientID", map[string]string{"TEND_OIDC_CLIENT_ID": ""}, "--oidc-client-id"},
		{"ErrNoPublicURL", map[string]string{"TEND_PUBLIC_URL": ""}, "needs --public-url"},
		{"ErrMFAWord", map[string]string{"TEND_OIDC_MFA": "both"}, "not tend or provider"},
		{"ErrSubjectClaim", map[string]string{"TEND_OIDC_SUBJECT_CLAIM": "email"}, "not sub or oid"},
		{"ErrClientWithoutIssuer", map[string]string{"TEND_OIDC_ISSUER": ""}, "--oidc-issuer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := config.Load("serve", nil, env(with(tt.extra)), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("DemoAllowsHTTPIssuerWithoutPublicURL", func(t *testing.T) {
		c, _, err := config.Load("serve", []string{"--demo"}, env(with(map[string]string{"TEND_PUBLIC_URL": "", "TEND_OIDC_ISSUER": "http://127.0.0.1:5556"})), io.Discard, nil)
		if err != nil || c.OIDC.Issuer != "http://127.0.0.1:5556" {
			t.Fatalf("%+v, %v", c.OIDC, err)
		}
	})
}
