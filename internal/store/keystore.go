package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/vault"
)

//go:embed migrations/keystore/sqlite/*.sql migrations/keystore/postgres/*.sql
var keystoreMigrations embed.FS

// keystoreVersionTable is the key store's own goose table, so the key store
// can never be mistaken for the main database, nor the reverse.
const keystoreVersionTable = "keystore_goose_version"

// keystoreLockID is the PostgreSQL advisory lock that serialises key store
// migrations across nodes ("tendks").
const keystoreLockID = 0x7465_6e64_6b73

// KeyStore holds the wrapped person data keys, the records key and the
// erasure ledger in a database apart from the main one (a separate SQLite
// file, or a separate PostgreSQL database). It implements vault.KeyStore.
type KeyStore struct {
	db *DB
}

var _ vault.KeyStore = (*KeyStore)(nil)

// OpenKeyStore opens the key store at dsn ("sqlite:PATH" or a postgres://
// URL), with the same durability settings as the main database, and
// migrates it. It refuses a database that holds Tend's main schema: keys
// kept beside the data they unlock would travel in the same backups.
func OpenKeyStore(ctx context.Context, dsn string) (*KeyStore, error) {
	db, err := Open(ctx, dsn, Options{ReadConns: 4})
	if err != nil {
		return nil, fmt.Errorf("store: key store: %w", err)
	}
	ks := &KeyStore{db: db}
	if err := ks.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return ks, nil
}

// Close closes the key store's connections.
func (ks *KeyStore) Close() error { return ks.db.Close() }

// Engine tells which engine the key store runs on.
func (ks *KeyStore) Engine() Engine { return ks.db.engine }

// Path returns the key store's SQLite file, or "" on PostgreSQL.
func (ks *KeyStore) Path() string { return ks.db.path }

func (ks *KeyStore) migrate(ctx context.Context) error {
	db := ks.db
	if main, err := db.tableExists(ctx, "goose_db_version"); err != nil {
		return fmt.Errorf("store: key store: %w", err)
	} else if main {
		return errors.New("store: the key store points at Tend's main database; give it its own (TEND_KEYSTORE: another SQLite file, or another PostgreSQL database)")
	}
	var unlock func()
	if db.engine == SQLite {
		u, err := lockFile(db.path + ".migrate-lock")
		if err != nil {
			return err
		}
		unlock = u
	} else {
		unlock = func() {}
	}
	defer unlock()
	conn, closeConn, err := db.migrationPool()
	if err != nil {
		return err
	}
	defer closeConn()
	sub, err := fs.Sub(keystoreMigrations, path.Join("migrations", "keystore", string(db.engine)))
	if err != nil {
		return err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithTableName(keystoreVersionTable)}
	dialect := goose.DialectSQLite3
	if db.engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(keystoreLockID))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, conn, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: key store migrations: %w", err)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: key store version: %w", err)
	}
	sources := p.ListSources()
	if n := len(sources); n > 0 && cur > sources[n-1].Version {
		return fmt.Errorf("%w (key store at %d, this build at %d)", ErrNewerSchema, cur, sources[n-1].Version)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate key store: %w", err)
	}
	return nil
}

// inTx runs fn in one write transaction on the key store.
func (ks *KeyStore) inTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := ks.db.write.BeginTx(ctx, nil)
	if err != nil {
		return tend.Wrap(tend.EUNAVAILABLE, fmt.Errorf("store: key store: begin: %w", err), "The key store is not available right now.")
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: key store: commit: %w", err)
	}
	return nil
}

// FindPersonKey returns the person's wrapped data key: vault.Erased() when
// the person is in the erasure ledger, tend.ErrNotFound when they never had
// a key.
func (ks *KeyStore) FindPersonKey(ctx context.Context, personID tend.ID) (vault.WrappedKey, error) {
	var wk vault.WrappedKey
	err := ks.db.read.QueryRowContext(ctx,
		`SELECT key_id, service_key_id, wrapped, created_at FROM person_keys WHERE person_id = $1`, string(personID)).
		Scan(&wk.ID, &wk.ServiceKeyID, &wk.Wrapped, &wk.Created)
	if errors.Is(err, sql.ErrNoRows) {
		erased, err := isErased(ctx, ks.db.read, personID)
		if err != nil {
			return vault.WrappedKey{}, err
		}
		if erased {
			return vault.WrappedKey{}, vault.Erased()
		}
		return vault.WrappedKey{}, tend.ErrNotFound
	}
	if err != nil {
		return vault.WrappedKey{}, fmt.Errorf("store: find person key: %w", err)
	}
	wk.Created = wk.Created.UTC()
	return wk, nil
}

func isErased(ctx context.Context, q querier, personID tend.ID) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM erasure_ledger WHERE person_id = $1`, string(personID)).Scan(&n); err != nil {
		return false, fmt.Errorf("store: read erasure ledger: %w", err)
	}
	return n > 0, nil
}

// CreatePersonKey stores a person's first data key: ECONFLICT when they
// have one already, vault.Erased() when they were erased.
func (ks *KeyStore) CreatePersonKey(ctx context.Context, personID tend.ID, key vault.WrappedKey) error {
	return ks.inTx(ctx, func(tx *sql.Tx) error {
		if err := ks.lockPerson(ctx, tx, personID); err != nil {
			return err
		}
		erased, err := isErased(ctx, tx, personID)
		if err != nil {
			return err
		}
		if erased {
			return vault.Erased()
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO person_keys (person_id, key_id, service_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)`,
			string(personID), key.ID, key.ServiceKeyID, key.Wrapped, key.Created.UTC())
		if ks.db.engine.isUniqueViolation(err) {
			return tend.Wrap(tend.ECONFLICT, err, "This person already has a data key.")
		}
		if err != nil {
			return fmt.Errorf("store: create person key: %w", err)
		}
		return nil
	})
}

// FindPersonKeys returns the person keys f selects, in person id order.
func (ks *KeyStore) FindPersonKeys(ctx context.Context, f vault.PersonKeyFilter) ([]vault.PersonKey, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = math.MaxInt32
	}
	// One fixed text: an empty NotWrappedBy or After selects everything.
	rows, err := ks.db.read.QueryContext(ctx, `SELECT person_id, key_id, service_key_id, wrapped, created_at FROM person_keys
		WHERE ($1 = '' OR service_key_id <> $1) AND person_id > $2
		ORDER BY person_id LIMIT $3`, f.NotWrappedBy, string(f.After), limit)
	if err != nil {
		return nil, fmt.Errorf("store: find person keys: %w", err)
	}
	defer rows.Close()
	var out []vault.PersonKey
	for rows.Next() {
		var pk vault.PersonKey
		var id string
		if err := rows.Scan(&id, &pk.Key.ID, &pk.Key.ServiceKeyID, &pk.Key.Wrapped, &pk.Key.Created); err != nil {
			return nil, fmt.Errorf("store: find person keys: %w", err)
		}
		pk.PersonID = tend.ID(id)
		pk.Key.Created = pk.Key.Created.UTC()
		out = append(out, pk)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find person keys: %w", err)
	}
	return out, nil
}

// ErasePerson records the person in the erasure ledger and deletes their
// data key, in one transaction. Erasing twice keeps the first time.
func (ks *KeyStore) ErasePerson(ctx context.Context, personID tend.ID, at time.Time) error {
	return ks.inTx(ctx, func(tx *sql.Tx) error {
		if err := ks.lockPerson(ctx, tx, personID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO erasure_ledger (person_id, erased_at) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING`,
			string(personID), at.UTC()); err != nil {
			return fmt.Errorf("store: erasure ledger: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM person_keys WHERE person_id = $1`, string(personID)); err != nil {
			return fmt.Errorf("store: delete person key: %w", err)
		}
		return nil
	})
}

// ErasedPeople lists everyone in the erasure ledger, earliest first, for
// 'tend restore' to re-apply to an older backup.
func (ks *KeyStore) ErasedPeople(ctx context.Context) ([]tend.ID, error) {
	return queryIDs(ctx, ks.db.read, "read erasure ledger", `SELECT person_id FROM erasure_ledger ORDER BY erased_at, person_id`)
}

// FindRecordsKeys returns every records key, oldest first.
func (ks *KeyStore) FindRecordsKeys(ctx context.Context) ([]vault.WrappedKey, error) {
	rows, err := ks.db.read.QueryContext(ctx, `SELECT id, service_key_id, wrapped, created_at FROM records_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("store: find records keys: %w", err)
	}
	defer rows.Close()
	var out []vault.WrappedKey
	for rows.Next() {
		var wk vault.WrappedKey
		if err := rows.Scan(&wk.ID, &wk.ServiceKeyID, &wk.Wrapped, &wk.Created); err != nil {
			return nil, fmt.Errorf("store: find records keys: %w", err)
		}
		wk.Created = wk.Created.UTC()
		out = append(out, wk)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find records keys: %w", err)
	}
	return out, nil
}

// CreateRecordsKey stores a records key: ECONFLICT when its id exists.
func (ks *KeyStore) CreateRecordsKey(ctx context.Context, key vault.WrappedKey) error {
	_, err := ks.db.write.ExecContext(ctx,
		`INSERT INTO records_keys (id, service_key_id, wrapped, created_at) VALUES ($1, $2, $3, $4)`,
		key.ID, key.ServiceKeyID, key.Wrapped, key.Created.UTC())
	if ks.db.engine.isUniqueViolation(err) {
		return tend.Wrap(tend.ECONFLICT, err, "That records key exists already.")
	}
	if err != nil {
		return fmt.Errorf("store: create records key: %w", err)
	}
	return nil
}

// RewrapKeys stores new wrappings in one transaction, each only where the
// key is still wrapped by its From key, and returns how many changed.
func (ks *KeyStore) RewrapKeys(ctx context.Context, rw []vault.Rewrap) (int, error) {
	n := 0
	err := ks.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, r := range rw {
			var res sql.Result
			var err error
			if r.PersonID != "" {
				res, err = tx.ExecContext(ctx,
					`UPDATE person_keys SET service_key_id = $1, wrapped = $2 WHERE person_id = $3 AND key_id = $4 AND service_key_id = $5`,
					r.Key.ServiceKeyID, r.Key.Wrapped, string(r.PersonID), r.Key.ID, r.From)
			} else {
				res, err = tx.ExecContext(ctx,
					`UPDATE records_keys SET service_key_id = $1, wrapped = $2 WHERE id = $3 AND service_key_id = $4`,
					r.Key.ServiceKeyID, r.Key.Wrapped, r.Key.ID, r.From)
			}
			if err != nil {
				return fmt.Errorf("store: re-wrap key %s: %w", r.Key.ID, err)
			}
			c, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += int(c)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// lockPerson serialises CreatePersonKey and ErasePerson for one person, so
// a key can never be created alongside an erasure committing at the same
// moment. SQLite needs nothing: its writer takes the database at BEGIN. (A
// dialect difference kept here until dialect.go is free to take it.)
func (ks *KeyStore) lockPerson(ctx context.Context, tx *sql.Tx, personID tend.ID) error {
	if ks.db.engine == SQLite {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, int32(keystoreLockID&0x7fffffff), string(personID)); err != nil {
		return fmt.Errorf("store: lock person key: %w", err)
	}
	return nil
}
