package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

const drillPassword = "drill-password-1234"

// sqliteEnv is a demo environment on SQLite whatever engine the suite runs
// on: 'tend backup' and 'tend restore' of files are SQLite's (PostgreSQL
// has its own tools; see TestBackupOnPostgresPointsAtPgDump).
func sqliteEnv(data string) map[string]string {
	return map[string]string{"TEND_DATA": data, "TEND_ADDR": "127.0.0.1:0", "TEND_LOG_LEVEL": "warn", "TEND_DEMO_PASSWORD": drillPassword}
}

func runCmd(env map[string]string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, envOf(env), strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

// signInAs signs in over HTTP and returns the session cookie.
func signInAs(t *testing.T, base, who string) *http.Cookie {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/signin", url.Values{"identifier": {who}, "password": {drillPassword}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "tend_session" && ck.Value != "" {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatalf("sign-in as %s: %d, no session cookie", who, res.StatusCode)
	return nil
}

// saveCard saves sam's diary card for day over the API, as an app would,
// and returns the status and body.
func saveCard(base string, session *http.Cookie, day, key, note string, value int) (int, string, error) {
	body := fmt.Sprintf(`{"changes":[{"field":"skills","value":%d}],"note":%q}`, value, note)
	req, err := http.NewRequest(http.MethodPut, base+"/api/v1/me/diary/"+day, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.AddCookie(session)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}

type ackedSave struct {
	key, note string
	value     int
	at        time.Time // when the save's answer arrived
}

// TestBackupRestoreDrill backs up a running Tend while acknowledged saves
// go on, restores into a new data folder, and checks that every save
// acknowledged before the backup began is there and served.
func TestBackupRestoreDrill(t *testing.T) {
	data := t.TempDir()
	env := sqliteEnv(data)
	base, stop := start(t, env, "serve", "--demo")
	session := signInAs(t, base, "sam")
	day := time.Now().UTC().AddDate(0, 0, -2).Format(time.DateOnly)
	canary := "canary-" + randomHex(t)

	var mu sync.Mutex
	var acked []ackedSave
	var saveErr error
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-quit:
				return
			default:
			}
			s := ackedSave{key: fmt.Sprintf("drill-%d", i), note: fmt.Sprintf("%s note %d", canary, i), value: i % 8}
			code, body, err := saveCard(base, session, day, s.key, s.note, s.value)
			s.at = time.Now()
			mu.Lock()
			if err == nil && code != http.StatusCreated && code != http.StatusOK {
				err = fmt.Errorf("save %d: %d %s", i, code, body)
			}
			if err != nil {
				saveErr = err
				mu.Unlock()
				return
			}
			acked = append(acked, s)
			mu.Unlock()
		}
	}()
	ackCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	waitFor := func(n int) {
		t.Helper()
		for ackCount() < n {
			select {
			case <-done:
				t.Fatalf("saving stopped: %v", saveErr)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	waitFor(20)

	dbBackup := filepath.Join(t.TempDir(), "tend-backup.db")
	keysBackup := filepath.Join(t.TempDir(), "keystore-backup.db")
	began := time.Now()
	out, err := runCmd(env, "backup", "--to", dbBackup, "--keys-to", keysBackup)
	if err != nil {
		t.Fatalf("backup while serving: %v", err)
	}
	after := ackCount()
	waitFor(after + 10) // saves go on after the backup, too
	close(quit)
	<-done
	if saveErr != nil {
		t.Fatal(saveErr)
	}
	if !strings.Contains(out, "integrity and foreign key checks passed") {
		t.Errorf("backup said %q", out)
	}

	// A running Tend's database is never replaced.
	if _, err := runCmd(env, "restore", "--from", dbBackup, "--force"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("restore --force under a running Tend = %v, want a refusal saying it is in use", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// The diary notes are sealed: their text is in no backup.
	for _, f := range []string{dbBackup, keysBackup} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("%s holds a diary note's plaintext", filepath.Base(f))
		}
	}

	var before []ackedSave
	mu.Lock()
	for _, s := range acked {
		if s.at.Before(began) {
			before = append(before, s)
		}
	}
	total := len(acked)
	mu.Unlock()
	if len(before) < 20 || total <= len(before) {
		t.Fatalf("%d saves before the backup and %d in all: the drill did not overlap the backup", len(before), total)
	}

	// Restore into a new data folder, with the key file copied by hand (it
	// is kept apart from both backups).
	data2 := t.TempDir()
	kf, err := os.ReadFile(filepath.Join(data, "tend.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data2, "tend.key"), kf, 0o600); err != nil {
		t.Fatal(err)
	}
	env2 := sqliteEnv(data2)
	out, err = runCmd(env2, "restore", "--from", dbBackup, "--keys-from", keysBackup)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(out, "restored the database") || !strings.Contains(out, "restored the key store") {
		t.Errorf("restore said %q", out)
	}
	if _, err := store.CheckFile(context.Background(), filepath.Join(data2, "tend.db")); err != nil {
		t.Errorf("the restored database: %v", err)
	}
	if _, err := store.CheckFile(context.Background(), filepath.Join(data2, "keystore.db")); err != nil {
		t.Errorf("the restored key store: %v", err)
	}
	saved := savedKeys(t, filepath.Join(data2, "tend.db"))
	for _, s := range before {
		if !saved[s.key] {
			t.Errorf("save %s, acknowledged before the backup began, is not in the restored database", s.key)
		}
	}

	// The restored Tend serves them: each save acknowledged before the
	// backup, sent again, is answered as the save already made, and the
	// card opens with a note from the drill.
	base2, stop2 := start(t, env2, "serve", "--demo")
	session2 := signInAs(t, base2, "sam")
	for _, s := range before {
		code, body, err := saveCard(base2, session2, day, s.key, s.note, s.value)
		if err != nil {
			t.Fatal(err)
		}
		if code != http.StatusOK || !strings.Contains(body, `"replay":true`) {
			t.Errorf("save %s sent again to the restored Tend: %d %s; want the save it already holds", s.key, code, body)
			break
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base2+"/api/v1/me/diary?from="+day+"&to="+day, nil)
	req.AddCookie(session2)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), canary+" note ") {
		t.Errorf("GET the card from the restored Tend = %d, want its note from the drill:\n%.400s", res.StatusCode, b)
	}
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
}

// savedKeys reads the idempotency keys of every diary save in a database
// file.
func savedKeys(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT idem_key FROM diary_saves`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func randomHex(t *testing.T) string {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// demoFolder makes a stopped demo Tend's data folder.
func demoFolder(t *testing.T) (string, map[string]string) {
	t.Helper()
	data := t.TempDir()
	env := sqliteEnv(data)
	_, stop := start(t, env, "serve", "--demo")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	return data, env
}

type sealedField struct {
	person tend.ID
	field  vault.Field
	ct     []byte
}

// sealedPlaces are columns sealed under the person's key, each with the
// row id as the field's row.
var sealedPlaces = [][2]string{{"diary_cards", "note"}, {"journal_entries", "body"}, {"chain_analyses", "body"}, {"medications", "name"}, {"toolbox_own_activities", "title"}}

// sealedFields reads the sealed person fields of sealedPlaces in a
// database file, by username.
func sealedFields(t *testing.T, path string) map[string][]sealedField {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]sealedField{}
	for _, pl := range sealedPlaces {
		rows, err := db.Query(`SELECT p.username, t.person_id, t.id, t.` + pl[1] + ` FROM ` + pl[0] + ` t JOIN people p ON p.id = t.person_id WHERE t.` + pl[1] + ` IS NOT NULL`) // #nosec G202 -- fixed names
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var who, person, row string
			var ct []byte
			if err := rows.Scan(&who, &person, &row, &ct); err != nil {
				t.Fatal(err)
			}
			out[who] = append(out[who], sealedField{tend.ID(person), vault.Field{Table: pl[0], Column: pl[1], Row: tend.ID(row)}, ct})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rows.Close() //nolint:sqlclosecheck // closed here, before the next query on the same connection
	}
	return out
}

// openVault opens the vault of a data folder: its key file and key store.
func openVault(t *testing.T, data, keystore string) (*vault.Vault, *store.KeyStore) {
	t.Helper()
	kf, err := keys.Load(filepath.Join(data, "tend.key"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := store.OpenKeyStore(context.Background(), "sqlite:"+keystore)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ks.Close() })
	v, err := vault.New(kf, ks, nil)
	if err != nil {
		t.Fatal(err)
	}
	return v, ks
}

// TestRestoreAfterErasure restores a backup taken before sam erased their
// account, with the current key store: nothing of sam's decrypts, and
// other people's data opens intact.
func TestRestoreAfterErasure(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := sqliteEnv(data)
	base, stop := start(t, env, "serve", "--demo")
	// Alex writes a diary note, so other people have sealed
	// data besides whatever the demo gives them.
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	for _, who := range []string{"alex"} {
		if code, body, err := saveCard(base, signInAs(t, base, who), day, "erasure-test", who+"'s own note", 3); err != nil || code >= 300 {
			t.Fatalf("%s's save: %d %s %v", who, code, body, err)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "before-erasure.db")
	if _, err := runCmd(env, "backup", "--to", backup); err != nil {
		t.Fatal(err)
	}
	before := sealedFields(t, backup)
	others := 0
	for who, fs := range before {
		if who != "sam" {
			others += len(fs)
		}
	}
	if len(before["sam"]) == 0 || others == 0 {
		t.Fatalf("the demo has %d sealed fields of sam's and %d of other people's; the test needs both", len(before["sam"]), others)
	}
	samID := before["sam"][0].person

	// Sam erases their account on their own page. The service's hold is
	// set to 0, so the erase_account job runs at once: it deletes sam's
	// content and destroys their data key, which enters the erasure
	// ledger in the key store.
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(data, "tend.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := cache.Get()
	zero := 0
	st.Records.ErasureHoldDays = &zero
	if err := cache.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	base, stop = start(t, env, "serve", "--demo")
	req, err := http.NewRequest(http.MethodPost, base+"/me/data/erase", strings.NewReader(url.Values{"password": {drillPassword}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(signInAs(t, base, "sam"))
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sam's erasure request answered %d, want 303", res.StatusCode)
	}
	ks, err := store.OpenKeyStore(ctx, "sqlite:"+filepath.Join(data, "keystore.db"))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(90 * time.Second); ; {
		erased, err := ks.ErasedPeople(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(erased, samID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("sam's data key was not destroyed within 90 s of their erasure request")
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = ks.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	// Restore the pre-erasure backup into a new folder, with the current
	// key store and key file.
	data2 := t.TempDir()
	kf, _ := os.ReadFile(filepath.Join(data, "tend.key"))
	if err := os.WriteFile(filepath.Join(data2, "tend.key"), kf, 0o600); err != nil {
		t.Fatal(err)
	}
	env2 := sqliteEnv(data2)
	env2["TEND_KEYSTORE"] = "sqlite:" + filepath.Join(data, "keystore.db")
	out, err := runCmd(env2, "restore", "--from", backup)
	if err != nil {
		t.Fatalf("restore of the pre-erasure backup: %v", err)
	}
	t.Log(out)
	if !strings.Contains(out, "1 person erased; 1 of them have an account in the restored database") {
		t.Errorf("restore did not report the erasure ledger:\n%s", out)
	}

	v2, _ := openVault(t, data2, filepath.Join(data, "keystore.db"))
	for _, f := range before["sam"] {
		if _, err := v2.OpenPerson(ctx, f.person, f.field, f.ct); !vault.IsErased(err) {
			t.Errorf("sam's %s.%s opened after the erasure: %v", f.field.Table, f.field.Column, err)
		}
	}
	after := sealedFields(t, filepath.Join(data2, "tend.db"))
	if len(after["sam"]) != 0 {
		t.Errorf("%d of sam's sealed fields are back in the restored database; re-applying the erasure ledger should have deleted them", len(after["sam"]))
	}
	for who, fs := range before {
		if who == "sam" {
			continue
		}
		if len(after[who]) != len(fs) {
			t.Errorf("%s has %d sealed fields after the restore, %d before", who, len(after[who]), len(fs))
		}
		for _, f := range after[who] {
			if _, err := v2.OpenPerson(ctx, f.person, f.field, f.ct); err != nil {
				t.Errorf("%s's %s.%s does not open after the restore: %v", who, f.field.Table, f.field.Column, err)
			}
		}
	}

	// The restored Tend does not let sam back in, and serves alex.
	base, stop = start(t, env2, "serve", "--demo")
	res, err = noRedirect.PostForm(base+"/signin", url.Values{"identifier": {"sam"}, "password": {drillPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusSeeOther {
		t.Error("sam signed in to the restored Tend after erasing their account")
	}
	signInAs(t, base, "alex")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreRefusals: the ways a backup or restore must refuse, each with
// a message that says why.
func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	data, env := demoFolder(t)
	dir, keysDir := t.TempDir(), t.TempDir()
	dbBackup, keysBackup := filepath.Join(dir, "tend.db"), filepath.Join(keysDir, "keystore.db")
	if _, err := runCmd(env, "backup", "--to", dbBackup, "--keys-to", keysBackup); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrBackupOverExistingFile", func(t *testing.T) {
		before, _ := os.ReadFile(dbBackup)
		_, err := runCmd(env, "backup", "--to", dbBackup)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("backup over an existing file = %v", err)
		}
		if after, _ := os.ReadFile(dbBackup); !bytes.Equal(before, after) {
			t.Error("the existing file was changed")
		}
	})
	t.Run("ErrKeysBesideDatabaseBackup", func(t *testing.T) {
		_, err := runCmd(env, "backup", "--to", filepath.Join(dir, "a.db"), "--keys-to", filepath.Join(dir, "b.db"))
		if err == nil || !strings.Contains(err.Error(), "same folder") {
			t.Errorf("key store backup beside the database backup = %v", err)
		}
		_, err = runCmd(env, "backup", "--to", filepath.Join(dir, "a.db"), "--keys-to", filepath.Join(dir, "a.db"))
		if err == nil || !strings.Contains(err.Error(), "same file") {
			t.Errorf("key store backup into the database backup = %v", err)
		}
	})
	t.Run("ErrCorruptFile", func(t *testing.T) {
		junk := filepath.Join(t.TempDir(), "junk.db")
		if err := os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 500), 0o600); err != nil {
			t.Fatal(err)
		}
		data2 := t.TempDir()
		_, err := runCmd(withData(env, data2, data), "restore", "--from", junk)
		if err == nil || !strings.Contains(err.Error(), "cannot be restored") {
			t.Errorf("restore of a file that is not a database = %v", err)
		}
		// A real backup with pages overwritten in the middle.
		b, _ := os.ReadFile(dbBackup)
		bad := append([]byte(nil), b...)
		for i := len(bad) / 2; i < len(bad)/2+8192 && i < len(bad); i++ {
			bad[i] = 0x5a
		}
		torn := filepath.Join(t.TempDir(), "torn.db")
		if err := os.WriteFile(torn, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = runCmd(withData(env, data2, data), "restore", "--from", torn)
		if err == nil || !strings.Contains(err.Error(), "cannot be restored") {
			t.Errorf("restore of a damaged backup = %v", err)
		}
		if _, serr := os.Stat(filepath.Join(data2, "tend.db")); serr == nil {
			t.Error("a refused restore left a database behind")
		}
	})
	t.Run("ErrOverExistingDatabase", func(t *testing.T) {
		_, err := runCmd(env, "restore", "--from", dbBackup)
		if err == nil || !strings.Contains(err.Error(), "holds a database already") {
			t.Errorf("restore over a database without --force = %v", err)
		}
	})
	t.Run("ErrKeyStoreIsNewer", func(t *testing.T) {
		// A person erased after the key store backup was made.
		_, ks := openVault(t, data, filepath.Join(data, "keystore.db"))
		if err := ks.ErasePerson(ctx, tend.NewID(), time.Now()); err != nil {
			t.Fatal(err)
		}
		_ = ks.Close()
		_, err := runCmd(env, "restore", "--keys-from", keysBackup)
		if err == nil || !strings.Contains(err.Error(), "newer than the backup") || !strings.Contains(err.Error(), "erasure ledger records 1 erased person") ||
			!strings.Contains(err.Error(), "bring back the data keys") {
			t.Errorf("restore over a newer key store = %v", err)
		}
		// The current key store is untouched.
		_, ks = openVault(t, data, filepath.Join(data, "keystore.db"))
		inv, err := ks.Inventory(ctx)
		if err != nil || len(inv.Erased) != 1 {
			t.Errorf("after the refusal the key store's ledger has %d people (%v)", len(inv.Erased), err)
		}
	})
	t.Run("ErrKeyStoreHasNewerKeys", func(t *testing.T) {
		v, _ := openVault(t, data, filepath.Join(data, "keystore.db"))
		if _, err := v.SealPerson(ctx, tend.NewID(), vault.Field{Table: "journal_entries", Column: "body", Row: tend.NewID()}, []byte("x")); err != nil {
			t.Fatal(err)
		}
		_, err := runCmd(env, "restore", "--keys-from", keysBackup)
		if err == nil || !strings.Contains(err.Error(), "newer than the backup") {
			t.Errorf("restore over a key store with newer keys = %v", err)
		}
	})
	t.Run("ErrMissingKeys", func(t *testing.T) {
		// A key store that is not this database's: every data key missing.
		data2 := t.TempDir()
		kf, _ := os.ReadFile(filepath.Join(data, "tend.key"))
		if err := os.WriteFile(filepath.Join(data2, "tend.key"), kf, 0o600); err != nil {
			t.Fatal(err)
		}
		_, ks := openVault(t, data2, filepath.Join(data2, "keystore.db"))
		_ = ks.Close()
		_, err := runCmd(sqliteEnv(data2), "restore", "--from", dbBackup)
		if err == nil || !strings.Contains(err.Error(), "that the key store does not hold") {
			t.Errorf("restore with a key store that lacks its keys = %v", err)
		}
	})
}

// withData is env with another data folder, keeping the key file and key
// store of from.
func withData(env map[string]string, data, from string) map[string]string {
	m := map[string]string{}
	for k, v := range env {
		m[k] = v
	}
	m["TEND_DATA"] = data
	m["TEND_KEY_FILE"] = filepath.Join(from, "tend.key")
	m["TEND_KEYSTORE"] = "sqlite:" + filepath.Join(from, "keystore.db")
	return m
}

func TestBackupOnPostgresPointsAtPgDump(t *testing.T) {
	env := map[string]string{"TEND_DATA": t.TempDir(), "TEND_DB": "postgres://tend@db.invalid/tend"}
	_, err := runCmd(env, "backup", "--to", filepath.Join(t.TempDir(), "x.db"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "docs/backup.md") {
		t.Errorf("backup on PostgreSQL = %v, want it to point at pg_dump and the docs", err)
	}
	_, err = runCmd(env, "restore", "--from", filepath.Join(t.TempDir(), "x.db"))
	if err == nil || !strings.Contains(err.Error(), "pg_restore") {
		t.Errorf("restore on PostgreSQL = %v, want it to point at pg_restore", err)
	}
}

// TestRestoreLedgerOnly re-applies the erasure ledger to a database in
// place, as after a pg_restore: on PostgreSQL when the suite runs there.
func TestRestoreLedgerOnly(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := baseEnv(t, data)
	env["TEND_DEMO_PASSWORD"] = drillPassword
	base, stop := start(t, env, "serve", "--demo")
	signInAs(t, base, "sam")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dsn := env["TEND_DB"]
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(data, "tend.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sam, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	// The ledger says sam was erased; the database (restored from before)
	// still holds sam's account and sessions.
	_, ks := openVault(t, data, filepath.Join(data, "keystore.db"))
	if err := ks.ErasePerson(ctx, sam.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	_ = ks.Close()
	for range 2 { // a second run finds nothing more to do, and says so
		out, err := runCmd(env, "restore", "--ledger-only")
		if err != nil {
			t.Fatalf("restore --ledger-only: %v", err)
		}
		if !strings.Contains(out, "1 person erased; 1 of them have an account") {
			t.Errorf("restore --ledger-only said:\n%s", out)
		}
	}
	base, stop = start(t, env, "serve", "--demo")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/signin", url.Values{"identifier": {"sam"}, "password": {drillPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusSeeOther {
		t.Error("sam signed in after the erasure ledger was re-applied")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
