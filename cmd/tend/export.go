package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
	"github.com/tendcare/tend/internal/web"
)

const exportUsage = `Usage:
  tend export outcomes --cohort 2026|2026-Q3 --to FILE [--format csv|json] [--data DIR | --db URL]
  tend export person --person ID --to FILE [--data DIR | --db URL]

outcomes writes the outcome figures of the whole service for service
evaluation: the outcomes report of the episodes of care that ended in one
calendar year or quarter, built and suppressed by exactly the rules of the
report leads read (counts from 1 to 4 are "fewer than 5", with the
complementary cells that would give them away). It holds no person's id,
name or dates, only the cohort's. One audit event records the export.

person writes everything Tend holds about one person that a transfer to
another service carries, as a FHIR R4 Bundle (never clinician notes). The
export is audited as a read of that person's record.

Either file is created with permissions 0600; an existing file is never
overwritten.

Flags:
`

// runExport runs the operator's exports (tend export outcomes | person).
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, exportUsage)
		return errors.New("export: say what to export (outcomes or person)")
	}
	switch args[0] {
	case "outcomes":
		return runExportOutcomes(ctx, args[1:], getenv, stdout, stderr)
	case "person":
		return runExportPerson(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, exportUsage)
		return nil
	}
	fmt.Fprint(stderr, exportUsage)
	return fmt.Errorf("export: unknown export %q (outcomes or person)", args[0])
}

func exportFlags(fs *flag.FlagSet) {
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), exportUsage)
		fs.PrintDefaults()
	}
}

func runExportOutcomes(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var to, cohortFlag, format string
	cfg, rest, err := config.Load("export outcomes", args, getenv, stderr, func(fs *flag.FlagSet) {
		exportFlags(fs)
		fs.StringVar(&to, "to", "", "the file to write (it must not exist yet)")
		fs.StringVar(&cohortFlag, "cohort", "", "the episodes of care that ended in a calendar year (2026) or quarter (2026-Q3)")
		fs.StringVar(&format, "format", "csv", "csv (the report page's CSV) or json (the API's OutcomesReport)")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("export outcomes: unexpected %q", rest[0])
	}
	if to == "" {
		return errors.New("export outcomes: say where to write it with --to FILE")
	}
	c, ok := outcome.ParseCohort(cohortFlag)
	if !ok {
		return errors.New("export outcomes: give the cohort as a year (--cohort 2026) or a quarter (--cohort 2026-Q3)")
	}
	if format != "csv" && format != "json" {
		return errors.New("export outcomes: --format is csv or json")
	}
	e, err := openExport(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.close()
	svc := report.NewService(store.For[report.Tx](e.db), access.NewChecker(e.db), tend.SystemClock{}, reportSettings(e.cache))
	var rep outcome.Report
	err = writeNew(to, func(w io.Writer) error {
		var err error
		if rep, err = svc.Export(ctx, tend.System, c); err != nil {
			return err
		}
		return writeOutcomes(w, rep, e.printer, format)
	})
	if err != nil {
		return fmt.Errorf("export outcomes: %s", exportError(err))
	}
	shown, suppressed := countFigures(rep)
	fmt.Fprintf(stdout, "Wrote the outcome figures of %s for the whole service (%d groupings: %d figures shown or worded, %d suppressed) to %s.\n",
		c.String(), len(rep.Scopes), shown, suppressed, to)
	return nil
}

func runExportPerson(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var to, person string
	cfg, rest, err := config.Load("export person", args, getenv, stderr, func(fs *flag.FlagSet) {
		exportFlags(fs)
		fs.StringVar(&to, "to", "", "the file to write (it must not exist yet)")
		fs.StringVar(&person, "person", "", "the id of the person whose record to export")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("export person: unexpected %q", rest[0])
	}
	if to == "" {
		return errors.New("export person: say where to write it with --to FILE")
	}
	personID, err := tend.ParseID(person)
	if err != nil {
		return errors.New("export person: give the person's id with --person ID")
	}
	e, err := openExport(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.close()
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	e.closers = append(e.closers, ks.Close)
	v, err := vault.New(e.keys, ks, tend.SystemClock{})
	if err != nil {
		return err
	}
	dir, err := crisis.Load()
	if err != nil {
		return err
	}
	svc := wire(cfg, e.db, v, e.cache, dir, tend.SystemClock{})
	records := fhirRecords(e.db, tend.SystemClock{}, svc, "")
	var entries int
	err = writeNew(to, func(w io.Writer) error {
		b, err := records.Transfer(ctx, tend.System, personID)
		if err != nil {
			return err
		}
		entries = len(b.Entry)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	})
	if err != nil {
		return fmt.Errorf("export person: %s", exportError(err))
	}
	fmt.Fprintf(stdout, "Wrote the FHIR Bundle of person %s (%d resources) to %s.\n", personID, entries, to)
	return nil
}

// writeOutcomes writes the report as the report page's CSV export or the
// API's JSON document: the same projection, so a suppressed figure is
// "fewer than 5" and never a number.
func writeOutcomes(w io.Writer, rep outcome.Report, p *i18n.Printer, format string) error {
	if format == "csv" {
		return web.OutcomesCSV(w, rep, p)
	}
	out, err := api.OutcomesOut(rep, p, "")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// countFigures counts the report's figures: those shown (or worded, such
// as "no data") and those suppressed.
func countFigures(rep outcome.Report) (shown, suppressed int) {
	for _, sc := range rep.Scopes {
		for _, row := range sc.Rows {
			for _, f := range row.Cells {
				if f.State == outcome.Suppressed {
					suppressed++
				} else {
					shown++
				}
			}
		}
	}
	return shown, suppressed
}

// exportEnv is what every export reads through: the database with the
// command line's audit chain, and the service's settings and words.
type exportEnv struct {
	cfg     config.Config
	db      *store.DB
	cache   *settings.Cache
	printer *i18n.Printer
	keys    *keys.File
	closers []func() error
}

func (e *exportEnv) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		_ = e.closers[i]()
	}
}

// openExport opens the database as it is (never migrating it: an export
// only reads, and writes its audit events), with an audit chain of this
// process keyed from the key file.
func openExport(ctx context.Context, cfg config.Config, stderr io.Writer) (*exportEnv, error) {
	cfg.Migrate = false
	kf, err := keys.Load(cfg.KeyFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("export: %s", keyFileProblem(cfg.KeyFile))
		}
		return nil, err
	}
	sk, err := kf.CurrentKey()
	if err != nil {
		return nil, err
	}
	db, err := openMigrated(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return nil, err
	}
	e := &exportEnv{cfg: cfg, db: db, keys: kf, closers: []func() error{db.Close}}
	host, _ := os.Hostname()
	db.SetAuditChain(audit.NewChain(sk, fmt.Sprintf("%s-export-%d", host, os.Getpid())))
	e.cache = settings.NewCache(db)
	if err := e.cache.Refresh(ctx); err != nil {
		e.close()
		return nil, err
	}
	cat, err := i18n.New()
	if err != nil {
		e.close()
		return nil, err
	}
	st, _ := e.cache.Get()
	e.printer = cat.Printer(st.Locale)
	return e, nil
}

// writeNew creates path with permissions 0600, refusing one that exists,
// and fills it with write; when write fails the file is removed, so that
// no partial export is left behind.
func writeNew(path string, write func(io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the operator names the file.
	if errors.Is(err, fs.ErrExist) {
		return tend.Errorf(tend.ECONFLICT, "%s exists already: an export never overwrites a file, so name a new one.", path)
	}
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	return f.Sync()
}

// exportError words an error for the operator: a domain error's safe
// message, anything else as it is.
func exportError(err error) string {
	if tend.ErrorKind(err) != tend.EINTERNAL {
		return tend.ErrorMessage(err)
	}
	return err.Error()
}
