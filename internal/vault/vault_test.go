package vault_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

var start = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// eachKeyStore runs fn on a fresh SQLite key store, and on a fresh
// PostgreSQL one when TEND_TEST_POSTGRES is set.
func eachKeyStore(t *testing.T, fn func(t *testing.T, ks *store.KeyStore)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, testenv.KeyStore(t, testenv.SQLiteKeyStoreDSN(t))) })
	if testenv.PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, testenv.KeyStore(t, testenv.KeyStoreDSN(t))) })
	}
}

func keyFile(t *testing.T) *keys.File {
	t.Helper()
	f, err := keys.NewFile(start)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func newVault(t *testing.T, f *keys.File, ks vault.KeyStore) *vault.Vault {
	t.Helper()
	v, err := vault.New(f, ks, &tend.FixedClock{T: start})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustSeal(t *testing.T, v *vault.Vault, person tend.ID, f vault.Field, text string) []byte {
	t.Helper()
	ct, err := v.SealPerson(context.Background(), person, f, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func wantUnreadable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, vault.ErrUnreadable) || tend.ErrorKind(err) != tend.EINTERNAL {
		t.Errorf("err = %v; want EINTERNAL wrapping ErrUnreadable", err)
	}
}

func wantErased(t *testing.T, err error) {
	t.Helper()
	if !vault.IsErased(err) || tend.ErrorKind(err) != tend.ENOTFOUND || tend.ErrorMessage(err) != "This information was erased." {
		t.Errorf("err = %v; want ENOTFOUND %q wrapping ErrErased", err, "This information was erased.")
	}
}

// TestSealOpen proves what opens and what does not: a ciphertext opens only
// for its own person, key, table, column and row, and only unaltered.
func TestSealOpen(t *testing.T) {
	eachKeyStore(t, func(t *testing.T, ks *store.KeyStore) {
		ctx := context.Background()
		kf := keyFile(t)
		v := newVault(t, kf, ks)
		ana, ben, cal := tend.NewID(), tend.NewID(), tend.NewID()
		field := vault.Field{Table: "diary_cards", Column: "note", Row: tend.NewID()}
		ct := mustSeal(t, v, ana, field, "urge at 2 a.m., used ice")
		mustSeal(t, v, ben, field, "ben's own note") // ben has a key of his own

		if bytes.Contains(ct, []byte("urge")) {
			t.Fatal("the ciphertext holds the plaintext")
		}
		if ct[0] != vault.Format1 {
			t.Errorf("format byte = %d, want %d", ct[0], vault.Format1)
		}
		if again := mustSeal(t, v, ana, field, "urge at 2 a.m., used ice"); bytes.Equal(again, ct) {
			t.Error("sealing twice gave the same ciphertext: the nonce is not random")
		}

		otherRow, otherColumn, otherTable := field, field, field
		otherRow.Row = tend.NewID()
		otherColumn.Column = "skills"
		otherTable.Table = "journal_entries"
		flip := func(i int) []byte {
			c := bytes.Clone(ct)
			c[i] ^= 0x01
			return c
		}
		keyIDLen := int(ct[1])
		tests := []struct {
			name   string
			person tend.ID
			field  vault.Field
			ct     []byte
			want   string // "" opens; "unreadable"
		}{
			{"OK", ana, field, ct, ""},
			{"ErrOtherRow", ana, otherRow, ct, "unreadable"},
			{"ErrOtherColumn", ana, otherColumn, ct, "unreadable"},
			{"ErrOtherTable", ana, otherTable, ct, "unreadable"},
			{"ErrTamperedFormat", ana, field, flip(0), "unreadable"},
			{"ErrTamperedKeyID", ana, field, flip(2), "unreadable"},
			{"ErrTamperedNonce", ana, field, flip(2 + keyIDLen), "unreadable"},
			{"ErrTamperedBody", ana, field, flip(2 + keyIDLen + 12), "unreadable"},
			{"ErrTamperedTag", ana, field, flip(len(ct) - 1), "unreadable"},
			{"ErrTruncated", ana, field, ct[:len(ct)-1], "unreadable"},
			{"ErrEmpty", ana, field, nil, "unreadable"},
			{"ErrOtherPersonsKey", ben, field, ct, "unreadable"},
			{"ErrPersonWithoutKey", cal, field, ct, "unreadable"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := v.OpenPerson(ctx, tt.person, tt.field, tt.ct)
				if tt.want == "" {
					if err != nil || string(got) != "urge at 2 a.m., used ice" {
						t.Errorf("open = %q, %v", got, err)
					}
					return
				}
				if got != nil {
					t.Errorf("a failed open returned %q", got)
				}
				wantUnreadable(t, err)
			})
		}

		t.Run("OKFreshVault", func(t *testing.T) {
			// A second process (no cache) opens with the same key file and store.
			got, err := newVault(t, kf, ks).OpenPerson(ctx, ana, field, ct)
			if err != nil || string(got) != "urge at 2 a.m., used ice" {
				t.Errorf("open in a fresh vault = %q, %v", got, err)
			}
		})
		t.Run("OKRecord", func(t *testing.T) {
			note := vault.Field{Table: "clinician_notes", Column: "body", Row: tend.NewID()}
			rct, err := v.SealRecord(ctx, note, []byte("discussed the chain analysis"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.OpenRecord(ctx, note, rct)
			if err != nil || string(got) != "discussed the chain analysis" {
				t.Errorf("open record = %q, %v", got, err)
			}
			moved := note
			moved.Row = tend.NewID()
			_, err = v.OpenRecord(ctx, moved, rct)
			wantUnreadable(t, err)
			_, err = v.OpenPerson(ctx, ana, note, rct)
			wantUnreadable(t, err)
			rks, err := ks.FindRecordsKeys(ctx)
			if err != nil || len(rks) != 1 {
				t.Errorf("records keys = %d, %v; want exactly one", len(rks), err)
			}
		})
		t.Run("ErrNoPerson", func(t *testing.T) {
			if _, err := v.SealPerson(ctx, "", field, []byte("x")); tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("seal for nobody = %v, want EINVALID", err)
			}
		})
	})
}

// TestErase proves that erasure destroys a person's key for good: their
// fields stop opening (in this process and in a fresh one), nothing new can
// be sealed for them, and other people are untouched.
func TestErase(t *testing.T) {
	eachKeyStore(t, func(t *testing.T, ks *store.KeyStore) {
		ctx := context.Background()
		kf := keyFile(t)
		v := newVault(t, kf, ks)
		ana, ben, nobody := tend.NewID(), tend.NewID(), tend.NewID()
		field := vault.Field{Table: "journal_entries", Column: "body", Row: tend.NewID()}
		anaCT := mustSeal(t, v, ana, field, "ana's journal")
		benCT := mustSeal(t, v, ben, field, "ben's journal")
		if _, err := v.OpenPerson(ctx, ana, field, anaCT); err != nil { // now cached
			t.Fatal(err)
		}
		if err := v.Erase(ctx, ana); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			run  func() error
		}{
			{"ErrErasedOpen", func() error { _, err := v.OpenPerson(ctx, ana, field, anaCT); return err }},
			{"ErrErasedOpenFreshVault", func() error { _, err := newVault(t, kf, ks).OpenPerson(ctx, ana, field, anaCT); return err }},
			{"ErrErasedSeal", func() error { _, err := v.SealPerson(ctx, ana, field, []byte("new")); return err }},
			{"ErrErasedWithoutKey", func() error {
				if err := v.Erase(ctx, nobody); err != nil {
					return err
				}
				_, err := v.SealPerson(ctx, nobody, field, []byte("new"))
				return err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErased(t, tt.run()) })
		}
		t.Run("OKOtherPerson", func(t *testing.T) {
			got, err := v.OpenPerson(ctx, ben, field, benCT)
			if err != nil || string(got) != "ben's journal" {
				t.Errorf("ben's field = %q, %v", got, err)
			}
		})
		t.Run("OKEraseTwice", func(t *testing.T) {
			if err := v.Erase(ctx, ana); err != nil {
				t.Errorf("second erase = %v", err)
			}
		})
		t.Run("OKLedger", func(t *testing.T) {
			ids, err := ks.ErasedPeople(ctx)
			if err != nil || len(ids) != 2 || ids[0] != ana || ids[1] != nobody {
				t.Errorf("ledger = %v, %v; want [%s %s]", ids, err, ana, nobody)
			}
			if _, err := ks.FindPersonKey(ctx, ana); !vault.IsErased(err) {
				t.Errorf("key store still answers for ana: %v", err)
			}
		})
	})
}

// TestRotate proves that rotation re-wraps every data key under the new
// service key, that old data still opens (also from a key file without the
// old key, once rotation is done), and that a half-done rotation still
// opens everything and finishes when run again.
func TestRotate(t *testing.T) {
	eachKeyStore(t, func(t *testing.T, ks *store.KeyStore) {
		ctx := context.Background()
		old := keyFile(t)
		v := newVault(t, old, ks)
		ana, ben := tend.NewID(), tend.NewID()
		field := vault.Field{Table: "safety_plans", Column: "warning_signs", Row: tend.NewID()}
		note := vault.Field{Table: "clinician_notes", Column: "body", Row: tend.NewID()}
		anaCT := mustSeal(t, v, ana, field, "ana's plan")
		benCT := mustSeal(t, v, ben, field, "ben's plan")
		noteCT, err := v.SealRecord(ctx, note, []byte("a note"))
		if err != nil {
			t.Fatal(err)
		}
		rotated, err := old.WithNewKey(start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		n, err := v.Rotate(ctx, rotated)
		if err != nil || n != 3 {
			t.Fatalf("rotate = %d, %v; want 3 keys re-wrapped (2 people, 1 records key)", n, err)
		}
		onlyNew := &keys.File{Format: 1, Current: rotated.Current}
		k, _ := rotated.Key(rotated.Current)
		onlyNew.Keys = []keys.Key{k}

		openAll := func(t *testing.T, v *vault.Vault) {
			t.Helper()
			for _, c := range []struct {
				person tend.ID
				ct     []byte
				want   string
			}{{ana, anaCT, "ana's plan"}, {ben, benCT, "ben's plan"}} {
				if got, err := v.OpenPerson(ctx, c.person, field, c.ct); err != nil || string(got) != c.want {
					t.Errorf("open %s = %q, %v", c.want, got, err)
				}
			}
			if got, err := v.OpenRecord(ctx, note, noteCT); err != nil || string(got) != "a note" {
				t.Errorf("open note = %q, %v", got, err)
			}
		}
		t.Run("OKSameVault", func(t *testing.T) { openAll(t, v) })
		t.Run("OKWithoutOldKey", func(t *testing.T) { openAll(t, newVault(t, onlyNew, ks)) })
		t.Run("OKNewSealsUseNewKey", func(t *testing.T) {
			cal := tend.NewID()
			mustSeal(t, v, cal, field, "cal's plan")
			wk, err := ks.FindPersonKey(ctx, cal)
			if err != nil || wk.ServiceKeyID != rotated.Current {
				t.Errorf("cal's key wrapped by %q, %v; want %q", wk.ServiceKeyID, err, rotated.Current)
			}
			stale, err := ks.FindPersonKeys(ctx, vault.PersonKeyFilter{NotWrappedBy: rotated.Current})
			if err != nil || len(stale) != 0 {
				t.Errorf("%d keys still under the old service key, %v", len(stale), err)
			}
			rks, _ := ks.FindRecordsKeys(ctx)
			if len(rks) != 1 || rks[0].ServiceKeyID != rotated.Current {
				t.Errorf("records keys = %+v", rks)
			}
		})
		t.Run("OKRunAgainDoesNothing", func(t *testing.T) {
			if n, err := v.Rotate(ctx, rotated); err != nil || n != 0 {
				t.Errorf("second rotate = %d, %v; want 0", n, err)
			}
		})
		t.Run("OKHalfDone", func(t *testing.T) {
			// A node still on the old key file makes a key after the
			// rotation: the rotation is then half done.
			lagging := newVault(t, old, ks)
			dee := tend.NewID()
			deeCT := mustSeal(t, lagging, dee, field, "dee's plan")
			fresh := newVault(t, rotated, ks)
			if got, err := fresh.OpenPerson(ctx, dee, field, deeCT); err != nil || string(got) != "dee's plan" {
				t.Errorf("open under the old key = %q, %v", got, err)
			}
			if need, err := fresh.NeedsRewrap(ctx); err != nil || !need {
				t.Errorf("NeedsRewrap = %v, %v; want true", need, err)
			}
			if n, err := fresh.Rotate(ctx, rotated); err != nil || n != 1 {
				t.Errorf("finishing rotate = %d, %v; want 1", n, err)
			}
			if need, err := fresh.NeedsRewrap(ctx); err != nil || need {
				t.Errorf("NeedsRewrap after finishing = %v, %v; want false", need, err)
			}
		})
	})
}

// TestMissingServiceKey proves that a key file without the key that wrapped
// a person's data key cannot open their data.
func TestMissingServiceKey(t *testing.T) {
	eachKeyStore(t, func(t *testing.T, ks *store.KeyStore) {
		ctx := context.Background()
		v := newVault(t, keyFile(t), ks)
		ana := tend.NewID()
		field := vault.Field{Table: "journal_entries", Column: "body", Row: tend.NewID()}
		ct := mustSeal(t, v, ana, field, "ana's journal")
		note := vault.Field{Table: "clinician_notes", Column: "body", Row: tend.NewID()}
		rct, err := v.SealRecord(ctx, note, []byte("a note"))
		if err != nil {
			t.Fatal(err)
		}
		other := newVault(t, keyFile(t), ks)
		tests := []struct {
			name string
			run  func() error
		}{
			{"ErrServiceKeyMissingPerson", func() error { _, err := other.OpenPerson(ctx, ana, field, ct); return err }},
			{"ErrServiceKeyMissingRecord", func() error { _, err := other.OpenRecord(ctx, note, rct); return err }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.run()
				if !errors.Is(err, vault.ErrServiceKeyMissing) || tend.ErrorKind(err) != tend.EINTERNAL {
					t.Errorf("err = %v; want EINTERNAL wrapping ErrServiceKeyMissing", err)
				}
			})
		}
	})
}

// TestFirstSealRace proves that two nodes sealing a person's first field at
// once agree on one data key.
func TestFirstSealRace(t *testing.T) {
	eachKeyStore(t, func(t *testing.T, ks *store.KeyStore) {
		ctx := context.Background()
		kf := keyFile(t)
		nodes := []*vault.Vault{newVault(t, kf, ks), newVault(t, kf, ks), newVault(t, kf, ks), newVault(t, kf, ks)}
		ana := tend.NewID()
		field := vault.Field{Table: "diary_cards", Column: "note", Row: tend.NewID()}
		cts := make([][]byte, len(nodes))
		errs := make([]error, len(nodes))
		var wg sync.WaitGroup
		for i, v := range nodes {
			wg.Go(func() { cts[i], errs[i] = v.SealPerson(ctx, ana, field, []byte("same")) })
		}
		wg.Wait()
		for i := range nodes {
			if errs[i] != nil {
				t.Fatalf("node %d: %v", i, errs[i])
			}
			for _, v := range nodes {
				if got, err := v.OpenPerson(ctx, ana, field, cts[i]); err != nil || string(got) != "same" {
					t.Errorf("node %d's ciphertext = %q, %v", i, got, err)
				}
			}
		}
	})
}
