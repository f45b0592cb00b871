package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// eachKeyStoreDSN runs fn on a fresh SQLite key store, and on a fresh
// PostgreSQL one when TEND_TEST_POSTGRES is set.
func eachKeyStoreDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, testenv.SQLiteKeyStoreDSN(t)) })
	if testenv.PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, testenv.KeyStoreDSN(t)) })
	}
}

func testKeyFile(t *testing.T) *keys.File {
	t.Helper()
	kf, err := keys.NewFile(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return kf
}

func testVault(t *testing.T, kf *keys.File, ks vault.KeyStore) *vault.Vault {
	t.Helper()
	v, err := vault.New(kf, ks, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestOpenKeyStore proves the key store migrates once, keeps its rows
// across reopening, and refuses to live in Tend's main database.
func TestOpenKeyStore(t *testing.T) {
	ctx := context.Background()
	eachKeyStoreDSN(t, func(t *testing.T, dsn string) {
		t.Run("OKReopen", func(t *testing.T) {
			ks, err := store.OpenKeyStore(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			id := tend.NewID()
			key := vault.WrappedKey{ID: "dk-1", ServiceKeyID: "sk-1", Wrapped: []byte("wrapped"), Created: time.Now()}
			if err := ks.CreatePersonKey(ctx, id, key); err != nil {
				t.Fatal(err)
			}
			_ = ks.Close()
			ks = testenv.KeyStore(t, dsn)
			got, err := ks.FindPersonKey(ctx, id)
			if err != nil || got.ID != "dk-1" || got.ServiceKeyID != "sk-1" || string(got.Wrapped) != "wrapped" || got.Created.Location() != time.UTC {
				t.Errorf("after reopening: %+v, %v", got, err)
			}
		})
	})
	t.Run("ErrMainDatabase", func(t *testing.T) {
		_, err := store.OpenKeyStore(ctx, testenv.DSN(t))
		if err == nil || !strings.Contains(err.Error(), "main database") {
			t.Errorf("OpenKeyStore on the main database = %v, want a refusal", err)
		}
	})
}

// TestKeyStore proves the key store's contract: one key per person, erasure
// removes the key and fills the ledger in one go, an erased person never
// gets a key again, and re-wrapping skips keys that changed meanwhile.
func TestKeyStore(t *testing.T) {
	ctx := context.Background()
	eachKeyStoreDSN(t, func(t *testing.T, dsn string) {
		ks := testenv.KeyStore(t, dsn)
		ana, ben := tend.NewID(), tend.NewID()
		key := func(id, svc string) vault.WrappedKey {
			return vault.WrappedKey{ID: id, ServiceKeyID: svc, Wrapped: []byte(id + svc), Created: time.Now()}
		}
		if err := ks.CreatePersonKey(ctx, ana, key("dk-ana", "sk-1")); err != nil {
			t.Fatal(err)
		}
		if err := ks.CreatePersonKey(ctx, ben, key("dk-ben", "sk-1")); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrConflictSecondKey", func(t *testing.T) {
			if err := ks.CreatePersonKey(ctx, ana, key("dk-ana2", "sk-1")); tend.ErrorKind(err) != tend.ECONFLICT {
				t.Errorf("second key = %v, want ECONFLICT", err)
			}
		})
		t.Run("ErrNotFoundNoKey", func(t *testing.T) {
			_, err := ks.FindPersonKey(ctx, tend.NewID())
			if tend.ErrorKind(err) != tend.ENOTFOUND || vault.IsErased(err) {
				t.Errorf("unknown person = %v, want plain ENOTFOUND", err)
			}
		})
		t.Run("OKFilter", func(t *testing.T) {
			all, err := ks.FindPersonKeys(ctx, vault.PersonKeyFilter{NotWrappedBy: "sk-2", Limit: 1})
			if err != nil || len(all) != 1 {
				t.Errorf("limit 1 = %d, %v", len(all), err)
			}
			none, err := ks.FindPersonKeys(ctx, vault.PersonKeyFilter{NotWrappedBy: "sk-1"})
			if err != nil || len(none) != 0 {
				t.Errorf("keys not under sk-1 = %d, %v", len(none), err)
			}
		})
		if err := ks.ErasePerson(ctx, ana, time.Now()); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrErasedFind", func(t *testing.T) {
			if _, err := ks.FindPersonKey(ctx, ana); !vault.IsErased(err) || tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("find after erasure = %v", err)
			}
		})
		t.Run("ErrErasedCreate", func(t *testing.T) {
			if err := ks.CreatePersonKey(ctx, ana, key("dk-ana3", "sk-1")); !vault.IsErased(err) {
				t.Errorf("new key after erasure = %v, want ErrErased", err)
			}
		})
		t.Run("OKRewrapSkipsChanged", func(t *testing.T) {
			n, err := ks.RewrapKeys(ctx, []vault.Rewrap{
				{PersonID: ana, From: "sk-1", Key: key("dk-ana", "sk-2")}, // erased
				{PersonID: ben, From: "sk-9", Key: key("dk-ben", "sk-2")}, // not under sk-9
				{PersonID: ben, From: "sk-1", Key: key("dk-ben", "sk-2")},
			})
			if err != nil || n != 1 {
				t.Errorf("rewrap = %d, %v; want 1", n, err)
			}
			got, _ := ks.FindPersonKey(ctx, ben)
			if got.ServiceKeyID != "sk-2" || string(got.Wrapped) != "dk-bensk-2" {
				t.Errorf("ben's key after rewrap = %+v", got)
			}
		})
		t.Run("OKLedger", func(t *testing.T) {
			if err := ks.ErasePerson(ctx, ana, time.Now()); err != nil {
				t.Fatal(err)
			}
			ids, err := ks.ErasedPeople(ctx)
			if err != nil || len(ids) != 1 || ids[0] != ana {
				t.Errorf("ledger = %v, %v", ids, err)
			}
		})
	})
}

func canary(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "tend-canary-" + hex.EncodeToString(b)
}

// openMainSQLite opens a main database in a real SQLite file, whatever
// engine the suite runs on: the tests below read the file's bytes.
func openMainSQLite(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestFreeTextNotInRawDatabase proves free text never reaches the database
// files in the clear: a canary sealed into a row is absent from the SQLite
// file and its WAL, while a plaintext control written the same way is found
// (so the scan itself works). Nothing is checkpointed, so the rows sit in
// the WAL, where a careless design would leak them first.
func TestFreeTextNotInRawDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	main := filepath.Join(dir, "tend.db")
	db := openMainSQLite(t, main)
	ks := testenv.KeyStore(t, "sqlite:"+filepath.Join(dir, "keystore.db"))
	kf := testKeyFile(t)
	v := testVault(t, kf, ks)

	if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE canary_fields (id TEXT PRIMARY KEY, person_id TEXT NOT NULL, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	person := tend.NewID()
	secret, control := canary(t), canary(t)
	sealedRow, plainRow := tend.NewID(), tend.NewID()
	ct, err := v.SealPerson(ctx, person, vault.Field{Table: "canary_fields", Column: "body", Row: sealedRow}, []byte("I felt "+secret+" tonight"))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []struct {
		id   tend.ID
		body []byte
	}{{sealedRow, ct}, {plainRow, []byte("I felt " + control + " tonight")}} {
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO canary_fields (id, person_id, body) VALUES ($1, $2, $3)`, string(row.id), string(person), row.body); err != nil {
			t.Fatal(err)
		}
	}

	var files []string
	for _, base := range []string{main, filepath.Join(dir, "keystore.db")} {
		for _, suffix := range []string{"", "-wal"} {
			if _, err := os.Stat(base + suffix); err == nil {
				files = append(files, base+suffix)
			}
		}
	}
	if len(files) < 3 {
		t.Fatalf("expected the database, its WAL and the key store on disk; found %v", files)
	}
	controlFound := false
	for _, f := range files {
		b, err := os.ReadFile(f) // #nosec G304 -- the test's own files.
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the sealed canary in the clear", filepath.Base(f))
		}
		if bytes.Contains(b, []byte(control)) {
			controlFound = true
		}
	}
	if !controlFound {
		t.Fatal("the plaintext control was not found: the scan does not see what was written")
	}
	// And the sealed row still opens, so the absence is not an empty write.
	var got []byte
	if err := db.Writer().QueryRowContext(ctx, `SELECT body FROM canary_fields WHERE id = $1`, string(sealedRow)).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if pt, err := v.OpenPerson(ctx, person, vault.Field{Table: "canary_fields", Column: "body", Row: sealedRow}, got); err != nil || !strings.Contains(string(pt), secret) {
		t.Errorf("the sealed row does not open: %v", err)
	}
}

// TestBackupCannotResurrectErasedPerson proves erasure reaches old backups:
// a copy of the database made before person A was erased, opened with the
// current key store, no longer opens A's fields, while B's still open.
func TestBackupCannotResurrectErasedPerson(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	main := filepath.Join(dir, "tend.db")
	db := openMainSQLite(t, main)
	ks := testenv.KeyStore(t, "sqlite:"+filepath.Join(dir, "keystore.db"))
	kf := testKeyFile(t)
	v := testVault(t, kf, ks)

	if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE journal_test (id TEXT PRIMARY KEY, person_id TEXT NOT NULL, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	a, b := tend.NewID(), tend.NewID()
	want := map[tend.ID]string{}
	for _, w := range []struct {
		person tend.ID
		text   string
	}{{a, "a's first entry"}, {a, "a's second entry"}, {b, "b's entry"}} {
		row := tend.NewID()
		ct, err := v.SealPerson(ctx, w.person, vault.Field{Table: "journal_test", Column: "body", Row: row}, []byte(w.text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO journal_test (id, person_id, body) VALUES ($1, $2, $3)`, string(row), string(w.person), ct); err != nil {
			t.Fatal(err)
		}
		want[row] = w.text
	}
	if _, err := db.Writer().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(main) // #nosec G304 -- the test's own file.
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup", "tend.db")
	if err := os.MkdirAll(filepath.Dir(backup), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup, raw, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := v.Erase(ctx, a); err != nil {
		t.Fatal(err)
	}

	// The restore: the old copy, the current key store, a fresh process.
	restored := openMainSQLite(t, backup)
	fresh := testVault(t, kf, ks)
	rows, err := restored.Writer().QueryContext(ctx, `SELECT id, person_id, body FROM journal_test ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type rec struct {
		id, person tend.ID
		body       []byte
	}
	var recs []rec
	for rows.Next() {
		var id, person string
		var body []byte
		if err := rows.Scan(&id, &person, &body); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec{tend.ID(id), tend.ID(person), body})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("the backup holds %d rows, want 3", len(recs))
	}
	for _, r := range recs {
		for name, v := range map[string]*vault.Vault{"same process": v, "fresh process": fresh} {
			pt, err := v.OpenPerson(ctx, r.person, vault.Field{Table: "journal_test", Column: "body", Row: r.id}, r.body)
			switch r.person {
			case a:
				if !vault.IsErased(err) || tend.ErrorKind(err) != tend.ENOTFOUND || pt != nil {
					t.Errorf("%s: erased person's field from the backup = %q, %v; want ErrErased", name, pt, err)
				}
			case b:
				if err != nil || string(pt) != want[r.id] {
					t.Errorf("%s: other person's field from the backup = %q, %v", name, pt, err)
				}
			}
		}
	}
}
