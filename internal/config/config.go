package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is everything an operator can set. Every field has a flag and a
// TEND_* variable; see Usage for the list.
type Config struct {
	Addr           string         // listen address
	DataDir        string         // holds the SQLite database, the key file and demo files
	DB             string         // "sqlite:PATH" or a postgres:// URL
	KeyFile        string         // the service key file (tend keys init)
	KeyStore       string         // person data keys: "sqlite:PATH" or a postgres:// URL, apart from DB
	Demo           bool           // demo mode: made-up data, relaxed deployment checks
	PublicURL      *url.URL       // https address people use; nil when unset
	TrustedProxies []netip.Prefix // proxies whose X-Forwarded-For is believed
	SettingsFile   string         // first service settings, read once before the first start
	Migrate        bool           // serve migrates the database on start
	LogFormat      string         // "json" or "text"
	LogLevel       slog.Level     // minimum level logged
	TLSCert        string         // certificate file when Tend terminates TLS itself
	TLSKey         string         // key file for TLSCert
	MaxBodyBytes   int64          // largest request body accepted
	PruneEvery     time.Duration  // how often expired rows are pruned
	RemindEvery    time.Duration  // how often the reminders due are looked for
	Workers        bool           // this node runs background jobs
	ShutdownGrace  time.Duration  // time given to requests and jobs to finish on shutdown
	OIDC           OIDC           // single sign-on for staff; off when OIDC.Issuer is ""
	Notify         Notify         // e-mail and Web Push channels (docs/notifications.md)
	BackupDir      string         // scheduled database backups go here (SQLite only); "" for none
	BackupKeysDir  string         // scheduled key store backups go here, apart from BackupDir; "" for none
	BackupEvery    time.Duration  // how often scheduled backups run
	BackupKeep     int            // how many scheduled backups of each kind are kept

	// JobRescueAfter is how long a job may stay running before River
	// takes it for stuck (its node killed) and runs it again.
	JobRescueAfter time.Duration
}

// OIDC configures single sign-on for staff with an OpenID Connect identity
// provider (docs/sso.md). The redirect address is PublicURL plus
// /signin/oidc/callback.
type OIDC struct {
	Issuer       string   // the provider's issuer URL; "" turns single sign-on off
	ClientID     string   // Tend's client id at the provider
	ClientSecret string   // "" for a public client
	Scopes       []string // asked for besides openid
	Name         string   // shown on the button: "Sign in with Name"
	// ProviderMFA accepts the provider's second factor in place of Tend's
	// when the ID token says one was used (amr "mfa", or an acr in MFAACR).
	ProviderMFA bool
	MFAACR      []string // acr values that mean a second factor was used
	LinkByEmail bool     // link an unlinked identity by its verified e-mail on first sign-in
	// SubjectClaim is the claim that identifies a staff member: sub, or
	// oid for Microsoft Entra ID.
	SubjectClaim string
}

// Notify configures the notification channels (docs/notifications.md).
type Notify struct {
	SMTPURL  string // smtp://user:password@host:port?starttls=mandatory|opportunistic|none or smtps://; "" sends no e-mail
	MailFrom string // the bare sender address of every e-mail
	// VAPIDSubject is the contact sent to push services (mailto: or
	// https:); "" uses the public URL.
	VAPIDSubject string
	// PushAllowLoopback accepts push endpoints on loopback hosts (tests
	// and local receivers only).
	PushAllowLoopback bool
}

// Setting describes one configuration item for flags, the environment and docs.
type setting struct {
	flag, env, def, usage string
	secret                bool // may come from ENV_FILE
}

var settings = []setting{
	{"addr", "TEND_ADDR", "127.0.0.1:8080", "address to listen on", false},
	{"data", "TEND_DATA", "./tend-data", "folder for the SQLite database, the key file and demo files", false},
	{"db", "TEND_DB", "", "database: sqlite:PATH or postgres://... (default: sqlite in the data folder)", true},
	{"key-file", "TEND_KEY_FILE", "", "service key file written by 'tend keys init' (default: DATA/tend.key)", false},
	{"keystore", "TEND_KEYSTORE", "", "key store for person data keys: sqlite:PATH or postgres://... (default: sqlite:DATA/keystore.db)", true},
	{"demo", "TEND_DEMO", "false", "run with made-up demo data (never for real people)", false},
	{"public-url", "TEND_PUBLIC_URL", "", "https address people use to reach Tend (required outside demo mode)", false},
	{"trusted-proxies", "TEND_TRUSTED_PROXIES", "", "comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For is believed", false},
	{"settings-file", "TEND_SETTINGS_FILE", "", "JSON file with the first service settings (read when the database has none)", false},
	{"migrate", "TEND_MIGRATE", "true", "migrate the database on start", false},
	{"log-format", "TEND_LOG_FORMAT", "", "log format: json or text (default: json, text in demo mode)", false},
	{"log-level", "TEND_LOG_LEVEL", "info", "log level: debug, info, warn or error", false},
	{"tls-cert", "TEND_TLS_CERT", "", "certificate file, when Tend terminates TLS itself", false},
	{"tls-key", "TEND_TLS_KEY", "", "private key file for --tls-cert", false},
	{"max-body", "TEND_MAX_BODY", "1048576", "largest request body in bytes", false},
	{"prune-every", "TEND_PRUNE_EVERY", "1h", "how often expired rows are pruned", false},
	{"remind-every", "TEND_REMIND_EVERY", "1m", "how often the people's reminders due are looked for (a reminder goes out at most this late)", false},
	{"workers", "TEND_WORKERS", "true", "run background jobs on this node", false},
	{"shutdown-grace", "TEND_SHUTDOWN_GRACE", "20s", "time given to requests and jobs to finish on shutdown", false},
	{"job-rescue-after", "TEND_JOB_RESCUE_AFTER", "1h", "how long a job may stay running before it is taken for stuck (its node killed) and run again; at least 1m", false},
	{"backup-dir", "TEND_BACKUP_DIR", "", "folder for scheduled database backups (SQLite only; empty: none)", false},
	{"backup-keys-dir", "TEND_BACKUP_KEYS_DIR", "", "folder for scheduled key store backups, apart from --backup-dir (empty: none)", false},
	{"backup-every", "TEND_BACKUP_EVERY", "24h", "how often scheduled backups run", false},
	{"backup-keep", "TEND_BACKUP_KEEP", "7", "how many scheduled backups of each kind to keep", false},
	{"oidc-issuer", "TEND_OIDC_ISSUER", "", "OpenID Connect issuer URL for staff single sign-on (off when empty; docs/sso.md)", false},
	{"oidc-client-id", "TEND_OIDC_CLIENT_ID", "", "Tend's client id at the identity provider", false},
	{"oidc-client-secret", "TEND_OIDC_CLIENT_SECRET", "", "Tend's client secret at the identity provider (empty for a public client)", true},
	{"oidc-scopes", "TEND_OIDC_SCOPES", "", "scopes asked for besides openid, comma- or space-separated (email is added with --oidc-link-by-email)", false},
	{"oidc-name", "TEND_OIDC_NAME", "", "the identity provider's name on the sign-in button (default: single sign-on)", false},
	{"oidc-mfa", "TEND_OIDC_MFA", "tend", "whose second factor staff use after single sign-on: tend, or provider (accepted only when the ID token says so)", false},
	{"oidc-mfa-acr", "TEND_OIDC_MFA_ACR", "", "comma-separated acr values that mean the provider asked for a second factor (besides amr mfa)", false},
	{"oidc-link-by-email", "TEND_OIDC_LINK_BY_EMAIL", "false", "link an identity to the staff account with the same verified e-mail address on its first sign-in", false},
	{"oidc-subject-claim", "TEND_OIDC_SUBJECT_CLAIM", "sub", "the ID token claim that identifies a staff member: sub, or oid for Microsoft Entra ID", false},
	{"smtp-url", "TEND_SMTP_URL", "", "SMTP server for e-mail: smtp://user:password@host:587 (STARTTLS; ?starttls=opportunistic or none to relax) or smtps://user:password@host:465; empty sends no e-mail (docs/notifications.md)", true},
	{"mail-from", "TEND_MAIL_FROM", "", "sender address of every e-mail Tend sends (required with --smtp-url)", false},
	{"vapid-subject", "TEND_VAPID_SUBJECT", "", "contact sent to push services with each Web Push message: mailto:... or https://... (default: the public URL)", false},
	{"push-allow-loopback", "TEND_PUSH_ALLOW_LOOPBACK", "false", "accept Web Push endpoints on loopback hosts, over http too (tests and local receivers only)", false},
}

// Load reads the configuration for the named subcommand from args (flags)
// and getenv (TEND_* variables). Flags win over variables, variables over
// defaults. extra, when not nil, registers the subcommand's own flags. It
// returns the remaining positional arguments too.
func Load(name string, args []string, getenv func(string) string, out io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	fs := flag.NewFlagSet("tend "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	if extra != nil {
		extra(fs)
	}
	vals := make(map[string]*string, len(settings))
	for _, s := range settings {
		v := s.def
		if e, err := lookup(getenv, s); err != nil {
			return Config{}, nil, err
		} else if e != "" {
			v = e
		}
		p := new(string)
		*p = v
		vals[s.flag] = p
		if s.def == "false" || s.def == "true" {
			fs.Var(boolFlag{p}, s.flag, s.usage+" ("+s.env+")")
		} else {
			fs.StringVar(p, s.flag, v, s.usage+" ("+s.env+")")
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, nil, err
	}
	c, err := build(vals)
	return c, fs.Args(), err
}

func lookup(getenv func(string) string, s setting) (string, error) {
	v := getenv(s.env)
	if !s.secret {
		return v, nil
	}
	path := getenv(s.env + "_FILE")
	if path == "" {
		return v, nil
	}
	if v != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set: keep one", s.env, s.env)
	}
	b, err := os.ReadFile(path) // #nosec G304 -- the operator names this file.
	if err != nil {
		return "", fmt.Errorf("%s_FILE: cannot read %s: %w", s.env, path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func build(v map[string]*string) (Config, error) {
	var errs []error
	bad := func(flagName, format string, args ...any) {
		errs = append(errs, fmt.Errorf("--%s (%s): %s", flagName, envOf(flagName), fmt.Sprintf(format, args...)))
	}
	c := Config{
		Addr:         *v["addr"],
		DataDir:      *v["data"],
		DB:           *v["db"],
		KeyFile:      *v["key-file"],
		KeyStore:     *v["keystore"],
		SettingsFile: *v["settings-file"],
		LogFormat:    *v["log-format"],
		TLSCert:      *v["tls-cert"],
		TLSKey:       *v["tls-key"],
	}
	c.Demo, _ = strconv.ParseBool(*v["demo"])
	c.Migrate, _ = strconv.ParseBool(*v["migrate"])
	c.Workers, _ = strconv.ParseBool(*v["workers"])
	for _, b := range []string{"demo", "migrate", "workers"} {
		if _, err := strconv.ParseBool(*v[b]); err != nil {
			bad(b, "%q is not true or false", *v[b])
		}
	}
	if c.DataDir == "" {
		bad("data", "must name a folder")
	}
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "tend.db")
	} else if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		bad("db", "must start with sqlite: or postgres:// (got something else)")
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "tend.key")
	}
	// The key store stays in the data folder even when --db moves the
	// database elsewhere: keys kept beside the data they unlock would travel
	// in the same backups (DESIGN.md "Encryption and keys").
	switch {
	case c.KeyStore == "":
		c.KeyStore = "sqlite:" + filepath.Join(c.DataDir, "keystore.db")
	case !strings.HasPrefix(c.KeyStore, "sqlite:") && !strings.HasPrefix(c.KeyStore, "postgres://") && !strings.HasPrefix(c.KeyStore, "postgresql://"):
		bad("keystore", "must start with sqlite: or postgres:// (got something else)")
	case c.KeyStore == c.DB:
		bad("keystore", "must differ from --db: the key store lives apart from the database")
	}
	if raw := *v["public-url"]; raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			bad("public-url", "%q is not an absolute URL such as https://tend.example.org", raw)
		case u.Scheme != "https" && !c.Demo:
			bad("public-url", "must use https (people's sign-ins and passkeys need it)")
		default:
			u.Path = strings.TrimSuffix(u.Path, "/")
			c.PublicURL = u
		}
	}
	for _, part := range strings.Split(*v["trusted-proxies"], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				bad("trusted-proxies", "%q is not an address or CIDR range", part)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.Demo {
			c.LogFormat = "text"
		}
	case "json", "text":
	default:
		bad("log-format", "%q is not json or text", c.LogFormat)
	}
	if err := c.LogLevel.UnmarshalText([]byte(*v["log-level"])); err != nil {
		bad("log-level", "%q is not debug, info, warn or error", *v["log-level"])
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls-cert", "set both --tls-cert and --tls-key, or neither")
	}
	n, err := strconv.ParseInt(*v["max-body"], 10, 64)
	if err != nil || n < 1024 {
		bad("max-body", "%q is not a number of bytes of at least 1024", *v["max-body"])
	}
	c.MaxBodyBytes = n
	if c.PruneEvery, err = parsePositive(*v["prune-every"]); err != nil {
		bad("prune-every", "%v", err)
	}
	if c.RemindEvery, err = parsePositive(*v["remind-every"]); err != nil {
		bad("remind-every", "%v", err)
	}
	if c.ShutdownGrace, err = parsePositive(*v["shutdown-grace"]); err != nil {
		bad("shutdown-grace", "%v", err)
	}
	// River refuses a rescue time under its job timeout (1 minute).
	if c.JobRescueAfter, err = parsePositive(*v["job-rescue-after"]); err != nil || c.JobRescueAfter < time.Minute {
		bad("job-rescue-after", "%q is not a duration of at least 1m", *v["job-rescue-after"])
	}
	c.OIDC = buildOIDC(v, c.Demo, c.PublicURL, bad)
	c.Notify = Notify{SMTPURL: strings.TrimSpace(*v["smtp-url"]), MailFrom: strings.TrimSpace(*v["mail-from"]), VAPIDSubject: strings.TrimSpace(*v["vapid-subject"])}
	if c.Notify.PushAllowLoopback, err = strconv.ParseBool(*v["push-allow-loopback"]); err != nil {
		bad("push-allow-loopback", "%q is not true or false", *v["push-allow-loopback"])
	}
	if u := c.Notify.SMTPURL; u != "" {
		pu, err := url.Parse(u)
		switch {
		case err != nil || pu.Hostname() == "" || (pu.Scheme != "smtp" && pu.Scheme != "smtps"):
			bad("smtp-url", "is not a URL like smtp://user:password@host:587 or smtps://user:password@host:465")
		case !slices.Contains([]string{"", "mandatory", "opportunistic", "none"}, pu.Query().Get("starttls")):
			bad("smtp-url", "starttls is mandatory, opportunistic or none")
		}
	}
	if c.Notify.MailFrom != "" {
		if a, err := mail.ParseAddress(c.Notify.MailFrom); err != nil || a.Name != "" || a.Address != c.Notify.MailFrom {
			bad("mail-from", "%q is not a bare e-mail address such as reminders@example.org", c.Notify.MailFrom)
		}
	}
	if c.Notify.SMTPURL != "" && c.Notify.MailFrom == "" {
		bad("mail-from", "is required with --smtp-url")
	}
	if s := c.Notify.VAPIDSubject; s != "" && !strings.HasPrefix(s, "mailto:") && !strings.HasPrefix(s, "https://") {
		bad("vapid-subject", "%q is not a mailto: or https:// URL", s)
	}
	c.BackupDir, c.BackupKeysDir = *v["backup-dir"], *v["backup-keys-dir"]
	if c.BackupEvery, err = parsePositive(*v["backup-every"]); err != nil {
		bad("backup-every", "%v", err)
	}
	if c.BackupKeep, err = strconv.Atoi(*v["backup-keep"]); err != nil || c.BackupKeep < 1 {
		bad("backup-keep", "%q is not a whole number of at least 1", *v["backup-keep"])
	}
	if c.BackupDir != "" && !strings.HasPrefix(c.DB, "sqlite:") {
		bad("backup-dir", "scheduled backups are for SQLite; on PostgreSQL use pg_dump or WAL archiving (docs/backup.md)")
	}
	if c.BackupKeysDir != "" && !strings.HasPrefix(c.KeyStore, "sqlite:") {
		bad("backup-keys-dir", "scheduled backups are for SQLite; on PostgreSQL use pg_dump or WAL archiving (docs/backup.md)")
	}
	// An old key store backup still holds the keys of people erased since;
	// kept beside the database backups it would undo their erasure.
	if c.BackupKeysDir != "" && filepath.Clean(c.BackupKeysDir) == filepath.Clean(c.BackupDir) {
		bad("backup-keys-dir", "must differ from --backup-dir: key store backups are kept apart from database backups (docs/backup.md)")
	}
	return c, errors.Join(errs...)
}

func parsePositive(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 30s or 1h", s)
	}
	return d, nil
}

func envOf(flagName string) string {
	for _, s := range settings {
		if s.flag == flagName {
			return s.env
		}
	}
	return ""
}

// SQLitePath returns the database file when DB names SQLite, or "".
func (c Config) SQLitePath() string {
	p, ok := strings.CutPrefix(c.DB, "sqlite:")
	if !ok {
		return ""
	}
	return p
}

// Env lists every TEND_* variable with its flag and meaning, for docs and
// `tend help`.
func Env() [][3]string {
	rows := make([][3]string, 0, len(settings))
	for _, s := range settings {
		env := s.env
		if s.secret {
			env += " (or " + s.env + "_FILE)"
		}
		rows = append(rows, [3]string{env, "--" + s.flag, s.usage})
	}
	return rows
}

type boolFlag struct{ p *string }

func (b boolFlag) String() string {
	if b.p == nil {
		return ""
	}
	return *b.p
}
func (b boolFlag) Set(s string) error {
	if _, err := strconv.ParseBool(s); err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*b.p = s
	return nil
}
func (b boolFlag) IsBoolFlag() bool { return true }

// buildOIDC reads and checks the single sign-on settings.
func buildOIDC(v map[string]*string, demo bool, public *url.URL, bad func(string, string, ...any)) OIDC {
	o := OIDC{
		Issuer:       strings.TrimSpace(*v["oidc-issuer"]),
		ClientID:     strings.TrimSpace(*v["oidc-client-id"]),
		ClientSecret: *v["oidc-client-secret"],
		Name:         strings.TrimSpace(*v["oidc-name"]),
		Scopes:       splitList(*v["oidc-scopes"], " ,"),
		MFAACR:       splitList(*v["oidc-mfa-acr"], ","),
	}
	link, err := strconv.ParseBool(*v["oidc-link-by-email"])
	if err != nil {
		bad("oidc-link-by-email", "%q is not true or false", *v["oidc-link-by-email"])
	}
	o.LinkByEmail = link
	switch o.SubjectClaim = *v["oidc-subject-claim"]; o.SubjectClaim {
	case "sub", "oid":
	default:
		bad("oidc-subject-claim", "%q is not sub or oid", o.SubjectClaim)
	}
	switch *v["oidc-mfa"] {
	case "tend", "":
	case "provider":
		o.ProviderMFA = true
	default:
		bad("oidc-mfa", "%q is not tend or provider", *v["oidc-mfa"])
	}
	if o.Issuer == "" {
		if o.ClientID != "" || o.ClientSecret != "" {
			bad("oidc-issuer", "is needed when --oidc-client-id or --oidc-client-secret is set")
		}
		return OIDC{}
	}
	u, err := url.Parse(o.Issuer)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		bad("oidc-issuer", "%q is not an absolute URL such as https://id.example.org/realms/staff", o.Issuer)
	case u.Scheme != "https" && !demo:
		bad("oidc-issuer", "must use https")
	}
	if o.ClientID == "" {
		bad("oidc-client-id", "is needed with --oidc-issuer")
	}
	if public == nil && !demo {
		bad("oidc-issuer", "needs --public-url: the redirect address is PUBLIC_URL/signin/oidc/callback")
	}
	if o.LinkByEmail && !slices.Contains(o.Scopes, "email") {
		o.Scopes = append(o.Scopes, "email")
	}
	return o
}

// splitList splits s at any of seps and drops empty parts.
func splitList(s, seps string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
