package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/vault"
)

// FileKind tells which of Tend's two databases a SQLite file holds.
type FileKind string

// The kinds of database file a backup can hold.
const (
	FileDatabase FileKind = "database"  // the main database
	FileKeyStore FileKind = "key store" // the key store
)

// FileInfo describes a checked SQLite file.
type FileInfo struct {
	Kind    FileKind
	Version int64 // schema version (goose) of that kind
	Size    int64 // bytes
}

// ErrNotSQLite means a backup was asked of a database on PostgreSQL, where
// pg_dump or WAL archiving does the job (docs/backup.md).
var ErrNotSQLite = errors.New("store: backups by 'tend backup' are for SQLite; on PostgreSQL use pg_dump or WAL archiving (docs/backup.md)")

// Backup copies the database to dest while Tend keeps serving, checks the
// copy and only then gives it its name. See backupSQLite.
func (db *DB) Backup(ctx context.Context, dest string) (FileInfo, error) {
	if db.engine != SQLite {
		return FileInfo{}, ErrNotSQLite
	}
	return backupSQLite(ctx, db.path, dest, FileDatabase)
}

// Backup copies the key store to dest, as DB.Backup does the database.
func (ks *KeyStore) Backup(ctx context.Context, dest string) (FileInfo, error) {
	if ks.db.engine != SQLite {
		return FileInfo{}, ErrNotSQLite
	}
	return backupSQLite(ctx, ks.db.path, dest, FileKeyStore)
}

// backupSQLite writes a copy of the SQLite file src to dest with VACUUM
// INTO: one read transaction, so the copy is the database as it was at one
// instant (every commit acknowledged before the backup began is in it), and
// writers go on meanwhile (WAL). The copy goes to a temporary file beside
// dest, is synced to disk, passes the integrity and foreign key checks, and
// only then takes dest's name, so a file at dest is always a whole, checked
// backup. It never replaces an existing dest.
func backupSQLite(ctx context.Context, src, dest string, want FileKind) (FileInfo, error) {
	if _, err := os.Lstat(dest); err == nil {
		return FileInfo{}, fmt.Errorf("%s already exists: a backup never replaces a file; name a new one", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return FileInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Stat(src); err != nil {
		return FileInfo{}, fmt.Errorf("store: backup: the %s file: %w", want, err)
	}
	tmp, err := tempBeside(dest)
	if err != nil {
		return FileInfo{}, err
	}
	keep := false
	defer func() {
		if !keep {
			_ = os.Remove(tmp)
		}
	}()
	// A connection of its own: the reader pool is query_only, which VACUUM
	// INTO refuses, and the single writer must stay free for saves.
	conn, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return FileInfo{}, fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.ExecContext(ctx, `VACUUM INTO $1`, tmp); err != nil {
		return FileInfo{}, fmt.Errorf("store: backup: copy: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return FileInfo{}, err
	}
	info, err := CheckFile(ctx, tmp)
	if err != nil {
		return FileInfo{}, fmt.Errorf("store: backup: the copy failed its checks and was removed: %w", err)
	}
	if info.Kind != want {
		return FileInfo{}, fmt.Errorf("store: backup: the copy holds a %s, not a %s", info.Kind, want)
	}
	if err := placeNew(tmp, dest); err != nil {
		return FileInfo{}, err
	}
	keep = true
	return info, nil
}

// tempBeside creates an empty, private file in dest's folder for a copy to
// be written into (VACUUM INTO accepts an empty file).
func tempBeside(dest string) (string, error) {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("store: create %s: %w", dir, err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(dest)+".tmp-"+hex.EncodeToString(b[:]))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600) // #nosec G304 -- beside the file the operator named.
	if err != nil {
		return "", fmt.Errorf("store: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return tmp, nil
}

// placeNew gives tmp the name dest without ever replacing a file that
// appeared at dest meanwhile, and syncs the folder so the name survives a
// crash.
func placeNew(tmp, dest string) error {
	if err := os.Link(tmp, dest); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s appeared while the backup was written; it is kept, and this backup was removed", dest)
		}
		// Some file systems have no hard links: rename, having checked.
		if _, serr := os.Lstat(dest); serr == nil {
			return fmt.Errorf("%s appeared while the backup was written; it is kept, and this backup was removed", dest)
		}
		if err := os.Rename(tmp, dest); err != nil {
			return fmt.Errorf("store: backup: %w", err)
		}
	} else {
		_ = os.Remove(tmp)
	}
	return syncDir(filepath.Dir(dest))
}

// ReplaceFile moves the checked file src over dest (a restore), removing
// dest's write-ahead log and shared memory files first so they can never be
// replayed into the restored database, and syncs the folder.
func ReplaceFile(src, dest string) error {
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dest + side); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: restore: remove %s: %w", dest+side, err)
		}
	}
	if err := os.Rename(src, dest); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return syncDir(filepath.Dir(dest))
}

// CopyFile copies src to a new private file beside dest and syncs it,
// returning its name: the working copy a restore checks and then moves
// into place, so the operator's backup file is never changed.
func CopyFile(src, dest string) (string, error) {
	tmp, err := tempBeside(dest)
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(src) // #nosec G304 -- the operator names the backup.
	if err == nil {
		err = os.WriteFile(tmp, b, 0o600) // #nosec G703 -- a path made by tempBeside.
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("store: copy %s: %w", src, err)
	}
	return tmp, nil
}

func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0) // #nosec G304 -- a file this package wrote.
	if err != nil {
		return fmt.Errorf("store: sync %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("store: sync %s: %w", name, err)
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir) // #nosec G304 -- the backup's folder.
	if err != nil {
		return fmt.Errorf("store: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: sync %s: %w", dir, err)
	}
	return nil
}

// CheckFile opens the SQLite file at name and checks it whole: SQLite's
// integrity check and foreign key check, that it is Tend's main database or
// key store (and which), and that its schema is not newer than this build
// knows. The file may be changed only as opening any SQLite file may be.
func CheckFile(ctx context.Context, name string) (FileInfo, error) {
	st, err := os.Stat(name)
	if err != nil {
		return FileInfo{}, fmt.Errorf("store: %w", err)
	}
	conn, err := sql.Open("sqlite", "file:"+name+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return FileInfo{}, fmt.Errorf("store: open %s: %w", name, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	info := FileInfo{Size: st.Size()}

	problems, err := pragmaLines(ctx, conn, `PRAGMA integrity_check`)
	if err != nil {
		return info, fmt.Errorf("%s is not a readable SQLite database: %w", name, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return info, fmt.Errorf("%s failed SQLite's integrity check: %s", name, firstLines(problems, 5))
	}
	rows, err := conn.QueryContext(ctx, `SELECT "table", COALESCE(rowid, 0), parent FROM pragma_foreign_key_check`)
	if err != nil {
		return info, fmt.Errorf("store: foreign key check: %w", err)
	}
	var broken []string
	for rows.Next() {
		var table, parent string
		var rowid int64
		if err := rows.Scan(&table, &rowid, &parent); err != nil {
			_ = rows.Close() //nolint:sqlclosecheck // closed before the next query on the same connection
			return info, err
		}
		broken = append(broken, fmt.Sprintf("%s row %d has no %s", table, rowid, parent))
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return info, err
	}
	_ = rows.Close()
	if len(broken) > 0 {
		return info, fmt.Errorf("%s failed the foreign key check: %s", name, firstLines(broken, 5))
	}

	has := func(table string) (bool, error) {
		var n int
		err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&n)
		return n > 0, err
	}
	isMain, err := has("goose_db_version")
	if err != nil {
		return info, fmt.Errorf("store: %w", err)
	}
	isKeys, err := has(keystoreVersionTable)
	if err != nil {
		return info, fmt.Errorf("store: %w", err)
	}
	var table string
	var target int64
	switch {
	case isMain && !isKeys:
		info.Kind, table, target = FileDatabase, "goose_db_version", newestVersion(migrations, "migrations/sqlite")
	case isKeys && !isMain:
		info.Kind, table, target = FileKeyStore, keystoreVersionTable, newestVersion(keystoreMigrations, "migrations/keystore/sqlite")
	default:
		return info, fmt.Errorf("%s is not a Tend database or key store", name)
	}
	var v sql.NullInt64
	// #nosec G202 -- table is one of two constant names.
	if err := conn.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+table+` WHERE is_applied`).Scan(&v); err != nil {
		return info, fmt.Errorf("store: read schema version: %w", err)
	}
	info.Version = v.Int64
	if info.Version > target {
		return info, fmt.Errorf("%w (the %s in %s is at %d, this build at %d)", ErrNewerSchema, info.Kind, name, info.Version, target)
	}
	return info, nil
}

func pragmaLines(ctx context.Context, conn *sql.DB, q string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func firstLines(lines []string, n int) string {
	if len(lines) <= n {
		return strings.Join(lines, "; ")
	}
	return strings.Join(lines[:n], "; ") + fmt.Sprintf("; and %d more", len(lines)-n)
}

// newestVersion is the highest migration number embedded under dir.
func newestVersion(fsys fs.FS, dir string) int64 {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	var v int64
	for _, e := range entries {
		n, _, _ := strings.Cut(path.Base(e.Name()), "_")
		if x, err := strconv.ParseInt(n, 10, 64); err == nil && x > v {
			v = x
		}
	}
	return v
}

// InUse reports whether another connection has the SQLite file at name
// open (a running Tend), by trying to take it for this connection alone:
// leaving WAL mode needs exclusive access. It leaves the file in rollback
// journal mode with its write-ahead log folded in, ready to be replaced; it
// is for a restore that has decided to replace the file.
func InUse(ctx context.Context, name string) (bool, error) {
	conn, err := sql.Open("sqlite", "file:"+name+"?_pragma=busy_timeout(0)")
	if err != nil {
		return false, fmt.Errorf("store: open %s: %w", name, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	var mode string
	err = conn.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode)
	if err != nil {
		if isBusy(err) {
			return true, nil
		}
		return false, fmt.Errorf("store: %s: %w", name, err)
	}
	return !strings.EqualFold(mode, "delete"), nil
}

// Settle folds the SQLite file's write-ahead log into the file itself,
// leaves it in rollback journal mode with no log beside it, and syncs it:
// a working copy that is about to be renamed must carry every change
// inside the one file, since its log would not follow the rename. It fails
// if any connection still has the file open.
//
// Leaving WAL mode does not wait on SQLite's busy handler, so Settle tries
// again for a few seconds while another connection is finishing.
func Settle(ctx context.Context, name string) error {
	var mode string
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; {
		mode, err = leaveWAL(ctx, name)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("store: settle %s: %w", name, err)
	}
	if !strings.EqualFold(mode, "delete") {
		return fmt.Errorf("store: settle %s: another connection has it open (journal mode still %s)", name, mode)
	}
	if _, err := os.Stat(name + "-wal"); err == nil {
		return fmt.Errorf("store: settle %s: its write-ahead log is still there", name)
	}
	return syncFile(name)
}

func leaveWAL(ctx context.Context, name string) (string, error) {
	conn, err := sql.Open("sqlite", "file:"+name+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return "", err
	}
	conn.SetMaxOpenConns(1)
	var mode string
	err = conn.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode)
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	return mode, err
}

// KeyUse counts what one data key or records key sealed in the database.
type KeyUse struct {
	Fields int                 // sealed values carrying the key's id
	People map[tend.ID]bool    // the people those values belong to, where the table says
	Tables map[string]struct{} // where they are
}

// SealedKeys lists the id of every key that sealed a value in the
// database, by reading the header of each value in every BLOB or BYTEA
// column (vault ciphertexts carry their key's id in the clear), with the
// people those values belong to where their table has a person_id. Values
// that are not vault ciphertexts (hashes, MACs) are passed over. River's
// tables hold no sealed values and are skipped.
func (db *DB) SealedKeys(ctx context.Context) (map[string]*KeyUse, error) {
	// A dialect difference kept here, beside its only use.
	colsQ := `SELECT m.name, p.name, UPPER(p.type) FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'river_%'
		ORDER BY m.name, p.cid`
	if db.engine == Postgres {
		colsQ = `SELECT table_name, column_name, UPPER(data_type) FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name NOT LIKE 'river_%'
			ORDER BY table_name, ordinal_position`
	}
	rows, err := db.read.QueryContext(ctx, colsQ)
	if err != nil {
		return nil, fmt.Errorf("store: list columns: %w", err)
	}
	blobs := map[string][]string{}
	withPerson := map[string]bool{}
	var tables []string
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			_ = rows.Close() //nolint:sqlclosecheck // closed before the next query on the same connection
			return nil, err
		}
		if c == "person_id" {
			withPerson[t] = true
		}
		if typ == "BLOB" || typ == "BYTEA" {
			if len(blobs[t]) == 0 {
				tables = append(tables, t)
			}
			blobs[t] = append(blobs[t], c)
		}
	}
	if err := rows.Err(); err != nil {
		_ = rows.Close()
		return nil, err
	}
	_ = rows.Close()

	uses := map[string]*KeyUse{}
	for _, t := range tables {
		person := "''"
		if withPerson[t] {
			person = "person_id"
		}
		for _, c := range blobs[t] {
			// Identifiers come from the schema itself, never from input. The
			// first 300 bytes hold any key id (at most 255 bytes).
			q := fmt.Sprintf(`SELECT %s, substr(%s, 1, 300) FROM %s WHERE %s IS NOT NULL`, person, quoteIdent(c), quoteIdent(t), quoteIdent(c)) // #nosec G201 -- quoted identifiers from the schema itself, never from input.
			if err := db.scanKeys(ctx, q, t, uses); err != nil {
				return nil, fmt.Errorf("store: read %s.%s: %w", t, c, err)
			}
		}
	}
	return uses, nil
}

func (db *DB) scanKeys(ctx context.Context, q, table string, uses map[string]*KeyUse) error {
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var person sql.NullString
		var head []byte
		if err := rows.Scan(&person, &head); err != nil {
			return err
		}
		id, err := vault.KeyID(head)
		if err != nil || !vaultKeyID(id) {
			continue
		}
		u := uses[id]
		if u == nil {
			u = &KeyUse{People: map[tend.ID]bool{}, Tables: map[string]struct{}{}}
			uses[id] = u
		}
		u.Fields++
		u.Tables[table] = struct{}{}
		if person.String != "" {
			u.People[tend.ID(person.String)] = true
		}
	}
	return rows.Err()
}

// vaultKeyID tells a data key's or records key's id (vault.newKeyID:
// "dk-" or "rk-" and 12 base64url characters) from bytes that only happen
// to look like a ciphertext header.
func vaultKeyID(id string) bool {
	if len(id) != 15 || (!strings.HasPrefix(id, "dk-") && !strings.HasPrefix(id, "rk-")) {
		return false
	}
	for _, r := range id[3:] {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// KeyInventory is what a key store holds, without any secret: which data
// keys exist, for whom, under which service keys, and who was erased.
type KeyInventory struct {
	PersonKeys  map[string]tend.ID // data key id -> person
	RecordsKeys map[string]bool    // records key ids
	ServiceKeys map[string]int     // service key id -> keys it wraps
	Erased      map[tend.ID]time.Time
}

// Inventory reads the key store's KeyInventory.
func (ks *KeyStore) Inventory(ctx context.Context) (KeyInventory, error) {
	inv := KeyInventory{PersonKeys: map[string]tend.ID{}, RecordsKeys: map[string]bool{}, ServiceKeys: map[string]int{}, Erased: map[tend.ID]time.Time{}}
	pks, err := ks.FindPersonKeys(ctx, vault.PersonKeyFilter{})
	if err != nil {
		return inv, err
	}
	for _, pk := range pks {
		inv.PersonKeys[pk.Key.ID] = pk.PersonID
		inv.ServiceKeys[pk.Key.ServiceKeyID]++
	}
	rks, err := ks.FindRecordsKeys(ctx)
	if err != nil {
		return inv, err
	}
	for _, rk := range rks {
		inv.RecordsKeys[rk.ID] = true
		inv.ServiceKeys[rk.ServiceKeyID]++
	}
	rows, err := ks.db.read.QueryContext(ctx, `SELECT person_id, erased_at FROM erasure_ledger`)
	if err != nil {
		return inv, fmt.Errorf("store: read erasure ledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return inv, fmt.Errorf("store: read erasure ledger: %w", err)
		}
		inv.Erased[tend.ID(id)] = at.UTC()
	}
	return inv, rows.Err()
}

// ErasedInDatabase is what re-applying the erasure ledger to a restored
// database found and did.
type ErasedInDatabase struct {
	People   int   // people in the ledger who have an account in the database
	Sessions int64 // their sign-in sessions ended
	Tokens   int64 // their API tokens deleted
}

// ForgetErased re-applies the erasure ledger to a restored database, in
// one transaction: for every person in ids who has an account here, their
// sessions and API tokens are deleted, so a session or token restored with
// an old backup cannot be used. Their sealed fields need nothing: their
// data key is gone from the key store, so nothing of theirs decrypts.
func (db *DB) ForgetErased(ctx context.Context, ids []tend.ID) (ErasedInDatabase, error) {
	var out ErasedInDatabase
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("store: erasure ledger: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, id := range ids {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1`, string(id)).Scan(&n); err != nil {
			return out, fmt.Errorf("store: erasure ledger: %w", err)
		}
		out.People += n
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_kind = 'person' AND account_id = $1`, string(id))
		if err != nil {
			return out, fmt.Errorf("store: erasure ledger: sessions: %w", err)
		}
		c, _ := res.RowsAffected()
		out.Sessions += c
		res, err = tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE account_kind = 'person' AND account_id = $1`, string(id))
		if err != nil {
			return out, fmt.Errorf("store: erasure ledger: tokens: %w", err)
		}
		c, _ = res.RowsAffected()
		out.Tokens += c
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("store: erasure ledger: commit: %w", err)
	}
	return out, nil
}
