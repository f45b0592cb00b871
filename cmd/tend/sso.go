package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/web"
)

// webSSO turns the single sign-on settings into the web server's; nil
// when no identity provider is configured.
func webSSO(o config.OIDC) *web.SSO {
	if o.Issuer == "" {
		return nil
	}
	return &web.SSO{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
		Name: o.Name, MFAACR: o.MFAACR, RequestMFA: o.ProviderMFA, SubjectClaim: o.SubjectClaim}
}

// userSSO links or unlinks a staff member's single sign-on identity.
func userSSO(ctx context.Context, svc *auth.Service, cfg config.Config, action, email, subject string, stdout io.Writer) error {
	a, err := svc.FindStaffByEmail(ctx, tend.System, email)
	if err != nil {
		return cliError(err)
	}
	if action == "unlink-sso" {
		n, err := svc.UnlinkSSO(ctx, tend.System, a.ID)
		if err != nil {
			return cliError(err)
		}
		if n == 0 {
			fmt.Fprintf(stdout, "%s had no single sign-on link\n", a.Email)
			return nil
		}
		fmt.Fprintf(stdout, "removed the single sign-on link of %s and signed them out everywhere\n", a.Email)
		return nil
	}
	if cfg.OIDC.Issuer == "" {
		return errors.New("user link-sso: no identity provider: set TEND_OIDC_ISSUER (or --oidc-issuer) as serve has it")
	}
	if subject == "" {
		return errors.New("user link-sso: --subject is required (the identity provider's subject identifier for them)")
	}
	if _, err := svc.LinkSSO(ctx, tend.System, a.ID, cfg.OIDC.Issuer, subject); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "linked %s to subject %s at %s\n", a.Email, subject, cfg.OIDC.Issuer)
	return nil
}
