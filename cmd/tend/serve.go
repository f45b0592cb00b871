package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
	"github.com/tendcare/tend/internal/web"
)

// settingsRefresh is how soon a settings change made on one node reaches
// the help page on the others.
const settingsRefresh = 15 * time.Second

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := config.Load("serve", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	start := time.Now()

	if cfg.Demo {
		if err := prepareDemoFolder(cfg); err != nil {
			return err
		}
	}
	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	mode := store.ModeLive
	if cfg.Demo {
		mode = store.ModeDemo
	}
	if err := db.ClaimMode(ctx, mode); err != nil {
		return errors.New(tend.ErrorMessage(err))
	}
	if err := firstSettings(ctx, cfg, db); err != nil {
		return err
	}
	if !cfg.Demo {
		if err := checkDeployment(ctx, cfg, db); err != nil {
			return err
		}
	}

	kf, err := keys.Load(cfg.KeyFile)
	if err != nil {
		return err
	}
	sk, err := kf.CurrentKey()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	node := fmt.Sprintf("%s-%d", host, os.Getpid())
	db.SetAuditChain(audit.NewChain(sk, node))

	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		return err
	}
	dir, err := crisis.Load()
	if err != nil {
		return err
	}
	cat, err := i18n.New()
	if err != nil {
		return err
	}
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	defer ks.Close()
	v, err := vault.New(kf, ks, tend.SystemClock{})
	if err != nil {
		return err
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		return err
	}
	svc := wire(cfg, db, v, cache, dir, tend.SystemClock{})
	jc, err := jobs.New(db, jobs.Options{Node: node, Work: cfg.Workers, PruneEvery: cfg.PruneEvery, RescueAfter: cfg.JobRescueAfter, Logger: log, Schedule: svc.measure.Schedule,
		Resummarize: svc.diary.Resummarize,
		Rights:      jobs.Rights{BuildExport: svc.rights.BuildExport, Erase: svc.rights.Erase, SweepExports: svc.rights.Sweep},
		Retention:   wireRetention(db, cache, tend.SystemClock{}),
		Nudges:      jobs.Nudges{Scan: svc.nudger.Scan, Send: svc.nudger.Send},
		Reminders:   jobs.Reminders{FindDue: svc.remind.FindDue, Deliver: svc.remind.Deliver, Every: cfg.RemindEvery},
		Backups:     jobs.Backups{Dir: cfg.BackupDir, KeysDir: cfg.BackupKeysDir, KeyStore: ks, Every: cfg.BackupEvery, Keep: cfg.BackupKeep}})
	if err != nil {
		return err
	}
	var demoPassword string
	if cfg.Demo {
		if demoPassword, err = seedDemo(ctx, cfg, getenv, db, svc, cache); err != nil {
			return err
		}
		// Seeding hashed a dozen passwords (argon2id, 19 MiB each); hand that
		// memory back now rather than over the scavenger's next minutes.
		debug.FreeOSMemory()
	}
	apiHandler, err := api.New(api.Options{Logger: log, Accounts: svc.accounts, CareTeam: svc.careTeam, Looks: svc.looks, SafetyPlan: svc.plan, FollowUp: svc.followUp, Settings: cache, Clock: tend.SystemClock{},
		Toolbox: svc.toolbox, Journal: svc.journal, HopeBox: svc.hopeBox, Diary: svc.diary, Chains: svc.chains, Measures: svc.measure, Reports: svc.report,
		Notes: svc.notes, Medication: svc.medication, Groups: svc.groups, Rights: svc.rights, Reminders: svc.remind,
		Skills: svc.skills, SkillTexts: func() skills.Texts {
			st, _ := cache.Get()
			return cat.Printer(st.Locale)
		},
		FHIRImport: &fhir.Importer{Unit: db, Diary: svc.diary, Measures: svc.measure},
	})
	if err != nil {
		return err
	}
	fhirBase := ""
	if cfg.PublicURL != nil {
		fhirBase = strings.TrimSuffix(cfg.PublicURL.String(), "/") + fhir.Prefix
	}
	fhirHandler, err := api.NewFHIR(apiHandler, fhirRecords(db, tend.SystemClock{}, svc, fhirBase))
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(jc.Collectors()...)
	srv, err := web.New(web.Options{
		Logger: log, Demo: cfg.Demo, PublicURL: cfg.PublicURL, TrustedProxies: cfg.TrustedProxies,
		MaxBodyBytes: cfg.MaxBodyBytes, Settings: cache, Crisis: dir, Catalog: cat, Registry: reg,
		Accounts: svc.accounts, CareTeam: svc.careTeam, Looks: svc.looks, Admin: svc.admin, SafetyPlan: svc.plan, Journal: svc.journal, HopeBox: svc.hopeBox, API: apiHandler, FHIR: fhirHandler, FollowUp: svc.followUp,
		Toolbox: svc.toolbox, Skills: svc.skills, Chains: svc.chains,
		Notes: svc.notes, Medication: svc.medication, Groups: svc.groups,
		Episodes: svc.episodes, Diary: svc.diary,
		Measures:  svc.measure,
		Reports:   svc.report,
		Rights:    svc.rights,
		Reminders: svc.remind,
		Notify:    svc.notify,
		Jobs:      wireQueue(db, svc.checker, tend.SystemClock{}),
		SSO:       webSSO(cfg.OIDC),
		Confirmed: func(country string) bool {
			s, _ := cache.Get()
			return s.ConfirmedFor(country, dir.Compiled)
		},
		Ready: func(ctx context.Context) error {
			if err := db.Ping(ctx); err != nil {
				return err
			}
			return db.CheckSchema(ctx)
		},
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set --addr or TEND_ADDR)", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	go cache.Run(bg, settingsRefresh, log)
	if err := jc.Start(bg); err != nil {
		return err
	}

	served := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			served <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			served <- hs.Serve(ln)
		}
	}()
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	log.Info("tend started", "version", tend.Version, "addr", ln.Addr().String(), "engine", string(db.Engine()), "demo", cfg.Demo, "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(stdout, "Tend is listening on %s\n", url)
	if cfg.Demo {
		fmt.Fprintf(stdout, "Demo mode: made-up data in %s. Not for real people.\nOpen %s/help for the help page.\n", cfg.DataDir, url)
		fmt.Fprintf(stdout, "Sign in at %s/signin with password %s as:\n  people: sam, alex, riley\n  staff: lee@example.org (therapist of sam and alex), priya@example.org (prescriber for sam),\n         jo@example.org (group facilitator for sam), kim@example.org (therapist of riley, another team),\n         morgan@example.org (lead of Lee's team), admin@example.org\n", url, demoPassword)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
	defer cancel()
	herr := hs.Shutdown(sctx)
	jerr := jc.Stop(sctx)
	stopBG()
	if err := errors.Join(herr, jerr); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// seedDemo creates the demo accounts once and returns their password.
func seedDemo(ctx context.Context, cfg config.Config, getenv func(string) string, db *store.DB, svc services, cache *settings.Cache) (string, error) {
	pw, err := demo.Password(cfg.DataDir, getenv("TEND_DEMO_PASSWORD"))
	if err != nil {
		return "", err
	}
	err = demo.Seed(ctx, demo.Services{Accounts: svc.accounts, CareTeam: svc.careTeam, Toolbox: svc.toolbox, Skills: svc.skills,
		Journal: svc.journal, HopeBox: svc.hopeBox, Chains: svc.chains,
		Medication: svc.medication, Groups: svc.groups, Notes: svc.notes, Episodes: svc.episodes,
		DiaryAt: svc.diaryAt, Backdate: db.BackdateDemoPerson, FollowUp: svc.followUp,
		MeasureAt: svc.measureAt, Reminders: svc.remind}, pw)
	if errors.Is(err, demo.ErrSeeded) {
		return pw, nil
	}
	if err != nil {
		return "", err
	}
	duty, err := demo.SeedDutyTeam(ctx, svc.accounts)
	if err != nil {
		return "", err
	}
	s, _ := cache.Get()
	s.DutyTeam = duty
	return pw, cache.Save(ctx, s)
}

// prepareDemoFolder creates the data folder and its key file, so the demo
// needs no setup at all.
func prepareDemoFolder(cfg config.Config) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", cfg.DataDir, err)
	}
	if _, err := os.Stat(cfg.KeyFile); errors.Is(err, os.ErrNotExist) {
		if _, err := keys.Init(cfg.KeyFile, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// firstSettings fills in the service settings before the first start: the
// demo service's in demo mode, or TEND_SETTINGS_FILE's. Once the database
// has settings, admins change them in the app and the file is ignored.
func firstSettings(ctx context.Context, cfg config.Config, db *store.DB) error {
	if _, _, err := db.FindSettings(ctx); !errors.Is(err, tend.ErrNotFound) {
		return err
	}
	var s settings.Settings
	var err error
	switch {
	case cfg.Demo:
		s, err = demo.Settings()
	case cfg.SettingsFile != "":
		s, err = readSettingsFile(cfg.SettingsFile)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	return settings.Save(ctx, db, s)
}

// checkDeployment refuses to serve real people until everything DESIGN.md
// "Deployment" requires is there, naming each missing setting and its fix.
func checkDeployment(ctx context.Context, cfg config.Config, db *store.DB) error {
	var missing []string
	if cfg.PublicURL == nil {
		missing = append(missing, "TEND_PUBLIC_URL (--public-url): the https address people use, e.g. https://tend.example.org")
	}
	if p := keyFileProblem(cfg.KeyFile); p != "" {
		missing = append(missing, "service key: "+p)
	}
	s, _, err := db.FindSettings(ctx)
	switch {
	case errors.Is(err, tend.ErrNotFound):
		missing = append(missing, "service settings (working hours, out-of-hours route, emergency wording): run 'tend setup', or set TEND_SETTINGS_FILE")
	case err != nil:
		return err
	default:
		if p := s.Validate(); p != nil {
			missing = append(missing, "service settings: "+p.Error()+" (run 'tend setup' to fix)")
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("serve cannot start outside demo mode until these are set (or run with --demo to try Tend on made-up data):\n  - %s", strings.Join(missing, "\n  - "))
}
