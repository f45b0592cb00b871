package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/store"
)

// pgBackupAdvice is what backup and restore say on PostgreSQL, where the
// database's own tools do the job better than Tend could.
const pgBackupAdvice = `on PostgreSQL, back up with PostgreSQL's own tools: pg_dump --format=custom (restore with pg_restore), or pg_basebackup with WAL archiving for point-in-time recovery; back up the key store's database the same way, apart from the main one; after restoring, run 'tend restore --ledger-only'. See docs/backup.md`

// runBackup writes a checked copy of the SQLite database and, separately,
// of the key store.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var to, keysTo string
	cfg, _, err := config.Load("backup", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "write the database backup to this new file")
		fs.StringVar(&keysTo, "keys-to", "", "write the key store backup to this new file (in another folder than --to)")
	})
	if err != nil {
		return err
	}
	if to == "" && keysTo == "" {
		return errors.New("backup: say where: --to FILE for the database, --keys-to FILE for the key store (see docs/backup.md)")
	}
	if to != "" && keysTo != "" {
		if err := apartFromDatabaseBackup(to, keysTo); err != nil {
			return err
		}
	}
	if to != "" {
		path := cfg.SQLitePath()
		if path == "" {
			return errors.New("backup: the database is " + pgBackupAdvice)
		}
		if _, err := os.Stat(path); err != nil { // #nosec G703 -- the operator names the database
			return fmt.Errorf("backup: no database at %s (set --data or --db): %w", path, err)
		}
		db, err := store.Open(ctx, cfg.DB, store.Options{ReadConns: 1})
		if err != nil {
			return err
		}
		info, err := db.Backup(ctx, to)
		_ = db.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: the database at schema %d, %d bytes; integrity and foreign key checks passed\n", to, info.Version, info.Size)
	}
	if keysTo != "" {
		path, ok := strings.CutPrefix(cfg.KeyStore, "sqlite:")
		if !ok {
			return errors.New("backup: the key store is " + pgBackupAdvice)
		}
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("backup: no key store at %s (set --data or --keystore): %w", path, err)
		}
		ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
		if err != nil {
			return err
		}
		info, err := ks.Backup(ctx, keysTo)
		_ = ks.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: the key store at schema %d, %d bytes; integrity and foreign key checks passed\n", keysTo, info.Version, info.Size)
		fmt.Fprintln(stdout, "Keep key store backups apart from database backups, for a shorter time, and the key file apart from both (docs/backup.md).")
	}
	return nil
}

// apartFromDatabaseBackup refuses a key store backup in the same file or
// folder as the database backup. The two are kept apart on purpose: an old
// key store backup still holds the data keys of people erased since, so
// one kept beside the database backups, under the same retention, would
// let anyone holding both (and the key file) read what was erased.
func apartFromDatabaseBackup(to, keysTo string) error {
	a, err := filepath.Abs(to)
	if err != nil {
		return err
	}
	b, err := filepath.Abs(keysTo)
	if err != nil {
		return err
	}
	if a == b {
		return errors.New("backup: --to and --keys-to name the same file; the key store is never backed up into the database backup")
	}
	if filepath.Dir(a) == filepath.Dir(b) {
		return fmt.Errorf("backup: --keys-to is in the same folder as --to (%s); keep key store backups in another place, with a shorter retention, since an old one still holds the keys of people erased since (docs/backup.md)", filepath.Dir(a))
	}
	return nil
}

const restoreUsage = `Usage:
  tend restore --from FILE [--keys-from FILE2] [--force]   (Tend stopped)
  tend restore --keys-from FILE2                          (Tend stopped)
  tend restore --ledger-only        re-apply the erasure ledger (after pg_restore)

Takes serve's --data, --db, --keystore and --key-file. See docs/backup.md.
`

// restoreFlags are restore's own flags.
type restoreFlags struct {
	from, keysFrom              string
	force, ledgerOnly, allowOld bool
}

// runRestore restores a database backup into the data folder, and/or a key
// store backup, after checking them, and re-applies the erasure ledger.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var f restoreFlags
	cfg, _, err := config.Load("restore", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&f.from, "from", "", "database backup file (from 'tend backup --to')")
		fs.StringVar(&f.keysFrom, "keys-from", "", "key store backup file (from 'tend backup --keys-to')")
		fs.BoolVar(&f.force, "force", false, "replace a database that holds data (Tend must be stopped)")
		fs.BoolVar(&f.ledgerOnly, "ledger-only", false, "only re-apply the erasure ledger to the database (after a PostgreSQL restore)")
		fs.BoolVar(&f.allowOld, "allow-missing-keys", false, "restore even if some sealed data has no key in the key store (it stays unreadable)")
	})
	if err != nil {
		return err
	}
	switch {
	case f.ledgerOnly && (f.from != "" || f.keysFrom != ""):
		return errors.New("restore: --ledger-only restores nothing; give it without --from and --keys-from")
	case f.ledgerOnly:
		return restoreLedger(ctx, cfg, stdout)
	case f.from == "" && f.keysFrom == "":
		fmt.Fprint(stderr, restoreUsage)
		return errors.New("restore: say what to restore: --from FILE, --keys-from FILE, or --ledger-only")
	}
	if f.from != "" && cfg.SQLitePath() == "" {
		return errors.New("restore: the database is " + pgBackupAdvice)
	}
	if f.keysFrom != "" && !strings.HasPrefix(cfg.KeyStore, "sqlite:") {
		return errors.New("restore: the key store is " + pgBackupAdvice)
	}
	kf, err := keys.Load(cfg.KeyFile)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore: no key file at %s: put the key file back first (from its own backup; set TEND_KEY_FILE), since nothing sealed can be read without it", cfg.KeyFile)
	}
	if err != nil {
		return err
	}

	// Check everything before replacing anything.
	var placeKeys func() error
	var inv store.KeyInventory
	if f.keysFrom != "" {
		var cleanup func()
		inv, placeKeys, cleanup, err = prepareKeyStore(ctx, cfg, f.keysFrom)
		defer cleanup()
	} else {
		inv, err = currentInventory(ctx, cfg)
	}
	if err != nil {
		return err
	}
	if missing := missingServiceKeys(inv, kf); len(missing) > 0 {
		return fmt.Errorf("restore: the key file %s lacks the service key(s) %s that wrap data keys in the key store; put back the key file that goes with it (rotation never removes keys from a key file). Nothing was restored", cfg.KeyFile, strings.Join(missing, ", "))
	}
	var placeDB func() error
	var rep dbReport
	if f.from != "" {
		var cleanup func()
		rep, placeDB, cleanup, err = prepareDatabase(ctx, cfg, newLogger(cfg, stderr), f, inv)
		defer cleanup()
		if err != nil {
			return err
		}
	}
	if placeKeys != nil {
		if err := placeKeys(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored the key store from %s: %d data keys, %d people in the erasure ledger\n", f.keysFrom, len(inv.PersonKeys), len(inv.Erased))
	}
	if placeDB != nil {
		if err := placeDB(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "restored the database from %s (schema %d; 'tend serve' migrates it on start if this build is newer)\n", f.from, rep.version)
		rep.print(stdout, len(inv.Erased))
	}
	return nil
}

// currentInventory reads the key store that the restored database will be
// used with. A missing SQLite key store is refused: every key would be
// missing.
func currentInventory(ctx context.Context, cfg config.Config) (store.KeyInventory, error) {
	if p, ok := strings.CutPrefix(cfg.KeyStore, "sqlite:"); ok {
		if _, err := os.Stat(p); err != nil {
			return store.KeyInventory{}, fmt.Errorf("restore: no key store at %s: restore it first (--keys-from), or set --keystore (TEND_KEYSTORE)", p)
		}
	}
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		return store.KeyInventory{}, err
	}
	defer ks.Close()
	return ks.Inventory(ctx)
}

// missingServiceKeys lists the service keys that wrap keys in inv but are
// not in the key file.
func missingServiceKeys(inv store.KeyInventory, kf *keys.File) []string {
	have := map[string]bool{}
	for _, k := range kf.Keys {
		have[k.ID] = true
	}
	var out []string
	for id := range inv.ServiceKeys {
		if !have[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// prepareKeyStore checks a key store backup and returns its inventory and
// the step that puts it in place. It refuses a backup older than the
// current key store: one whose erasure ledger lacks people the current one
// records (restoring it would bring their data keys back), or that lacks
// data keys or records keys made since (data sealed with them would become
// unreadable). --force does not override this.
func prepareKeyStore(ctx context.Context, cfg config.Config, from string) (store.KeyInventory, func() error, func(), error) {
	nothing := func() {}
	dest, ok := strings.CutPrefix(cfg.KeyStore, "sqlite:")
	if !ok {
		return store.KeyInventory{}, nil, nothing, errors.New("restore: the key store is " + pgBackupAdvice)
	}
	tmp, err := store.CopyFile(from, dest)
	if err != nil {
		return store.KeyInventory{}, nil, nothing, err
	}
	cleanup := func() { removeSQLite(tmp) }
	fail := func(err error) (store.KeyInventory, func() error, func(), error) {
		return store.KeyInventory{}, nil, cleanup, err
	}
	info, err := store.CheckFile(ctx, tmp)
	if err != nil {
		return fail(fmt.Errorf("restore: %s cannot be restored: %w", from, err))
	}
	if info.Kind != store.FileKeyStore {
		return fail(fmt.Errorf("restore: %s holds a %s, not a key store (use --from for database backups)", from, info.Kind))
	}
	backup, err := inventoryOf(ctx, "sqlite:"+tmp)
	if err != nil {
		return fail(err)
	}
	exists := false
	st, err := os.Stat(dest) // #nosec G703 -- the operator names the key store
	if err == nil && st.Size() > 0 {
		exists = true
		cur, err := inventoryOf(ctx, cfg.KeyStore)
		if err != nil {
			return fail(err)
		}
		if err := notOlder(cur, backup, dest, from); err != nil {
			return fail(err)
		}
	}
	place, err := placing(ctx, tmp, dest, exists)
	if err != nil {
		return fail(err)
	}
	return backup, place, cleanup, nil
}

// placing readies the checked working copy tmp to replace dest, folding
// its write-ahead log into the file, and returns the step that moves it
// into place: refused while a Tend has an existing dest open.
func placing(ctx context.Context, tmp, dest string, exists bool) (func() error, error) {
	if err := store.Settle(ctx, tmp); err != nil {
		return nil, err
	}
	return func() error {
		if exists {
			if err := notInUse(ctx, dest); err != nil {
				return err
			}
		}
		return store.ReplaceFile(tmp, dest)
	}, nil
}

func inventoryOf(ctx context.Context, dsn string) (store.KeyInventory, error) {
	ks, err := store.OpenKeyStore(ctx, dsn)
	if err != nil {
		return store.KeyInventory{}, err
	}
	defer ks.Close()
	return ks.Inventory(ctx)
}

// notOlder refuses to restore the key store backup over cur when cur knows
// something the backup does not.
func notOlder(cur, backup store.KeyInventory, dest, from string) error {
	var erased, newer int
	for id := range cur.Erased {
		if _, ok := backup.Erased[id]; !ok {
			erased++
		}
	}
	for id := range cur.PersonKeys {
		if _, ok := backup.PersonKeys[id]; !ok {
			newer++
		}
	}
	for id := range cur.RecordsKeys {
		if !backup.RecordsKeys[id] {
			newer++
		}
	}
	switch {
	case erased > 0:
		return fmt.Errorf("restore: refused: the key store at %s is newer than the backup %s. Its erasure ledger records %d erased %s that the backup does not, and restoring the backup would bring back the data keys that were destroyed when they were erased, making their erased data readable again. The current key store was kept. Restore a key store backup made after the last erasure, or keep the current key store and restore only the database (--from)",
			dest, from, erased, plural(erased, "person", "people"))
	case newer > 0:
		return fmt.Errorf("restore: refused: the key store at %s is newer than the backup %s: it holds %d data %s made after the backup, and everything sealed with them would become unreadable. The current key store was kept. Restore only the database (--from), with the current key store",
			dest, from, newer, plural(newer, "key", "keys"))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// notInUse refuses to replace a SQLite file that a running Tend has open.
func notInUse(ctx context.Context, path string) error {
	busy, err := store.InUse(ctx, path)
	if err != nil {
		return err
	}
	if busy {
		return fmt.Errorf("restore: %s is in use: stop Tend (every 'tend serve' on this data folder) and run the restore again. Nothing was replaced", path)
	}
	return nil
}

// removeSQLite removes a working copy and any files SQLite kept beside it.
func removeSQLite(path string) {
	for _, side := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + side) // #nosec G703 -- a working copy Tend made beside the file the operator named
	}
}

// dbReport is what checking a database backup against the key store found.
type dbReport struct {
	version       int64
	keys, fields  int             // keys referenced and sealed values checked
	erasedPeople  map[tend.ID]int // erased people with sealed values in the backup
	missingKeys   int             // keys of people not erased that the key store lacks
	missingFields int
	forgotten     store.ErasedInDatabase
	contentRows   int64 // rows of erased people's content deleted
	contentSkip   bool  // the schema was not current, so content was not deleted
}

func (r dbReport) print(w io.Writer, ledger int) {
	fmt.Fprintf(w, "checked: integrity and foreign keys; %d sealed values under %d keys, each key in the key store", r.fields, r.keys)
	if r.missingKeys > 0 {
		fmt.Fprintf(w, " except %d (%d values that stay unreadable)", r.missingKeys, r.missingFields)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "erasure ledger: %d %s erased; %d of them have an account in the restored database and %d have sealed data there, which cannot be decrypted (their data keys are destroyed); %d of their sessions and %d API tokens removed\n",
		ledger, plural(ledger, "person", "people"), r.forgotten.People, len(r.erasedPeople), r.forgotten.Sessions, r.forgotten.Tokens)
	if r.contentSkip {
		fmt.Fprintln(w, "their content was not deleted, since the database is not at this build's schema: run 'tend migrate', then 'tend restore --ledger-only'")
	} else if r.forgotten.People > 0 {
		fmt.Fprintf(w, "their content was deleted again and their accounts disabled, as at their erasure (%d rows)\n", r.contentRows)
	}
}

// applyLedger re-applies the current key store's erasure ledger to db: the
// erased people's sessions and tokens end, and, when db is at this build's
// schema, their content is deleted and their accounts disabled as their
// erasure did (store.Tx.ErasePersonData), in one unit of work. Their sealed
// fields could not be decrypted anyway: their data keys are destroyed.
func applyLedger(ctx context.Context, db *store.DB, inv store.KeyInventory, rep *dbReport) error {
	erased := make([]tend.ID, 0, len(inv.Erased))
	for id := range inv.Erased {
		erased = append(erased, id)
	}
	sort.Slice(erased, func(i, j int) bool { return erased[i] < erased[j] })
	var err error
	if rep.forgotten, err = db.ForgetErased(ctx, erased); err != nil {
		return err
	}
	if len(erased) == 0 {
		return nil
	}
	if err := db.CheckSchema(ctx); err != nil {
		rep.contentSkip = true
		return nil //nolint:nilerr // reported: content deletion needs the current schema
	}
	return db.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range erased {
			n, err := tx.ErasePersonData(ctx, id, inv.Erased[id], rights.ErasedName(id))
			if errors.Is(err, tend.ErrNotFound) {
				continue // not in this database: nothing of theirs to delete
			}
			if err != nil {
				return err
			}
			for _, c := range n {
				rep.contentRows += c
			}
		}
		return nil
	})
}

// prepareDatabase copies a database backup beside the database, checks it
// (integrity, foreign keys, schema version, that every key its sealed
// values name is in the key store or belongs to an erased person),
// re-applies the erasure ledger to the copy, and returns the step that
// moves it into place.
func prepareDatabase(ctx context.Context, cfg config.Config, log *slog.Logger, f restoreFlags, inv store.KeyInventory) (dbReport, func() error, func(), error) {
	nothing := func() {}
	rep := dbReport{erasedPeople: map[tend.ID]int{}}
	dest := cfg.SQLitePath()
	if dest == "" {
		return rep, nil, nothing, errors.New("restore: the database is " + pgBackupAdvice)
	}
	exists := false
	if st, err := os.Stat(dest); err == nil && st.Size() > 0 { // #nosec G703 -- the operator names the database
		exists = true
		if !f.force {
			return rep, nil, nothing, fmt.Errorf("restore: %s holds a database already; restore into a new data folder (--data), or stop Tend and add --force to replace it. Nothing was restored", dest)
		}
	}
	tmp, err := store.CopyFile(f.from, dest)
	if err != nil {
		return rep, nil, nothing, err
	}
	cleanup := func() { removeSQLite(tmp) }
	fail := func(err error) (dbReport, func() error, func(), error) { return rep, nil, cleanup, err }
	info, err := store.CheckFile(ctx, tmp)
	if err != nil {
		return fail(fmt.Errorf("restore: %s cannot be restored: %w. Nothing was restored", f.from, err))
	}
	if info.Kind != store.FileDatabase {
		return fail(fmt.Errorf("restore: %s holds a %s, not the database (use --keys-from for key store backups)", f.from, info.Kind))
	}
	rep.version = info.Version
	db, err := store.Open(ctx, "sqlite:"+tmp, store.Options{ReadConns: 2})
	if err != nil {
		return fail(err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = db.Close()
		}
	}()
	uses, err := db.SealedKeys(ctx)
	if err != nil {
		return fail(err)
	}
	for id, u := range uses {
		rep.keys++
		rep.fields += u.Fields
		if inv.RecordsKeys[id] {
			continue
		}
		if _, ok := inv.PersonKeys[id]; ok {
			continue
		}
		if erasedOnly(u, inv) {
			for p := range u.People {
				rep.erasedPeople[p] += u.Fields
			}
			continue
		}
		rep.missingKeys++
		rep.missingFields += u.Fields
	}
	if rep.missingKeys > 0 && !f.allowOld {
		return fail(fmt.Errorf("restore: refused: %d sealed values in %s were sealed with %d data %s that the key store does not hold, and whose people were not erased: with this key store they could never be read. The key store is older than the backup, or belongs to another Tend: restore the key store backup made with or after this database backup (--keys-from), or add --allow-missing-keys to restore anyway. Nothing was restored",
			rep.missingFields, f.from, rep.missingKeys, plural(rep.missingKeys, "key", "keys")))
	}
	// Bring the copy to this build's schema, as serve would on start, so
	// that the erasure's content deletion below knows every table.
	if cfg.Migrate && db.CheckSchema(ctx) != nil {
		if err := db.Migrate(ctx, log); err != nil {
			return fail(err)
		}
	}
	if err := applyLedger(ctx, db, inv, &rep); err != nil {
		return fail(err)
	}
	closed = true
	if err := db.Close(); err != nil {
		return fail(err)
	}
	place, err := placing(ctx, tmp, dest, exists)
	if err != nil {
		return fail(err)
	}
	return rep, place, cleanup, nil
}

// erasedOnly reports whether every value sealed with a key the key store
// lacks belongs to people in the erasure ledger.
func erasedOnly(u *store.KeyUse, inv store.KeyInventory) bool {
	if len(u.People) == 0 {
		return false
	}
	for p := range u.People {
		if _, ok := inv.Erased[p]; !ok {
			return false
		}
	}
	return true
}

// restoreLedger re-applies the erasure ledger to the database in place: for
// a database restored by other means (pg_restore, a file copy).
func restoreLedger(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	inv, err := currentInventory(ctx, cfg)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil && errors.Is(err, store.ErrNewerSchema) {
		return err
	}
	uses, err := db.SealedKeys(ctx)
	if err != nil {
		return err
	}
	rep := dbReport{erasedPeople: map[tend.ID]int{}}
	for id, u := range uses {
		rep.keys++
		rep.fields += u.Fields
		if _, ok := inv.PersonKeys[id]; ok || inv.RecordsKeys[id] {
			continue
		}
		if erasedOnly(u, inv) {
			for p := range u.People {
				rep.erasedPeople[p] += u.Fields
			}
			continue
		}
		rep.missingKeys++
		rep.missingFields += u.Fields
	}
	if err := applyLedger(ctx, db, inv, &rep); err != nil {
		return err
	}
	rep.print(stdout, len(inv.Erased))
	if rep.missingKeys > 0 {
		return fmt.Errorf("restore: the erasure ledger was applied, but %d sealed values use %d data keys the key store does not hold: restore the key store that goes with this database", rep.missingFields, rep.missingKeys)
	}
	return nil
}
