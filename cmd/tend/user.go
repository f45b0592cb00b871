package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
)

const userUsage = `Usage:
  tend user create --email E --name N --role clinician|lead|admin [--team NAME] [--password-stdin]
                   create a staff account; prints a one-time password unless
                   --password-stdin reads one (the first line of standard input)
  tend user reset --email E
                   give a new one-time password and sign out everywhere
  tend user reset-mfa --email E
                   clear the second factor (lost device) and sign out everywhere;
                   they set up a new one at their next sign-in
  tend user disable --email E
                   disable the account and sign out everywhere; refused while
                   they are still on anyone's care team (reassign their people
                   on the admin care teams page first)
  tend user link-sso --email E --subject S [--oidc-issuer URL]
                   link their identity at the single sign-on provider (the
                   subject identifier it shows; the issuer is TEND_OIDC_ISSUER)
  tend user unlink-sso --email E
                   remove their single sign-on links and sign out everywhere

Every change is written to the audit trail as done by the command line.
`

// accounts opens the database with the audit chain wired in (every change
// these commands make is audited) and the auth service over it.
func accounts(ctx context.Context, cfg config.Config, stderr io.Writer) (*store.DB, *auth.Service, error) {
	kf, err := keys.Load(cfg.KeyFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("no service key at %s: run 'tend keys init' first (or set TEND_KEY_FILE)", cfg.KeyFile)
		}
		return nil, nil, err
	}
	k, err := kf.CurrentKey()
	if err != nil {
		return nil, nil, err
	}
	db, err := openMigrated(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return nil, nil, err
	}
	host, _ := os.Hostname()
	db.SetAuditChain(audit.NewChain(k, fmt.Sprintf("%s-cli-%d", host, os.Getpid())))
	svc := auth.NewService(store.For[auth.Tx](db), tend.SystemClock{}, auth.Options{Demo: cfg.Demo})
	return db, svc, nil
}

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user: say which action (create, reset, reset-mfa or disable)")
	}
	action := args[0]
	var email, name, role, team, subject string
	var fromStdin bool
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the staff member's e-mail address")
		if action == "create" {
			fs.StringVar(&name, "name", "", "the staff member's name")
			fs.StringVar(&role, "role", "", "clinician, lead or admin")
			fs.StringVar(&team, "team", "", "a team to put them in (created when missing)")
			fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
		}
		if action == "link-sso" {
			fs.StringVar(&subject, "subject", "", "the staff member's subject identifier at the identity provider")
		}
	}
	switch action {
	case "create", "reset", "reset-mfa", "disable", "link-sso", "unlink-sso":
	default:
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("user: unknown action %q (create, reset, reset-mfa or disable)", action)
	}
	cfg, rest, err := config.Load("user "+action, args[1:], getenv, stderr, flags)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("user %s: unexpected %q", action, rest[0])
	}
	if email == "" {
		return fmt.Errorf("user %s: --email is required", action)
	}
	var password string
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("user create: read the password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
		if password == "" {
			return errors.New("user create: --password-stdin read an empty password")
		}
	}
	db, svc, err := accounts(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	switch action {
	case "create":
		a, once, err := svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: email, Name: name, Role: tend.Role(role), Team: team, Password: password})
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "created the %s account %s\n", a.Role, a.Email)
		if once != "" {
			fmt.Fprintf(stdout, "one-time password: %s\nGive it to them privately; they choose their own at the first sign-in, then set up a second factor.\n", once)
		}
		return nil
	case "reset":
		a, err := svc.FindStaffByEmail(ctx, tend.System, email)
		if err != nil {
			return cliError(err)
		}
		once, err := svc.ResetStaffPassword(ctx, tend.System, a.ID)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "signed %s out everywhere\none-time password: %s\nGive it to them privately; they choose their own at the next sign-in.\n", a.Email, once)
		return nil
	case "link-sso", "unlink-sso":
		return userSSO(ctx, svc, cfg, action, email, subject, stdout)
	case "disable":
		a, err := svc.FindStaffByEmail(ctx, tend.System, email)
		if err != nil {
			return cliError(err)
		}
		// DisableStaff refuses while they still have people (DESIGN.md
		// "Lifecycle"); its message says what to do first.
		if err := svc.DisableStaff(ctx, tend.System, a.ID); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "disabled %s and signed them out everywhere\n", a.Email)
		return nil
	default: // reset-mfa
		a, err := svc.FindStaffByEmail(ctx, tend.System, email)
		if err != nil {
			return cliError(err)
		}
		if err := svc.ResetMFA(ctx, tend.System, a.ID); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "cleared the second factor of %s and signed them out everywhere; they set up a new one at their next sign-in\n", a.Email)
		return nil
	}
}

// cliError shows a Tend error's safe message, and keeps others whole (the
// operator runs the command line and may read internal causes).
func cliError(err error) error {
	if k := tend.ErrorKind(err); k != tend.EINTERNAL {
		return errors.New(tend.ErrorMessage(err))
	}
	return err
}
