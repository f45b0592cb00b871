package vault

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/keys"
)

// Field names where a ciphertext lives. Sealing binds the ciphertext to it,
// so a ciphertext copied to another table, column or row does not open.
type Field struct {
	Table, Column string
	Row           tend.ID
}

// Format1 is the first byte of every ciphertext this version writes:
// format, key id length, key id, 96-bit nonce, then AES-256-GCM output.
const Format1 byte = 1

const (
	nonceSize = 12
	tagSize   = 16
	// cacheLimit bounds how many unwrapped data keys stay in memory.
	cacheLimit = 10000
	// cacheTTL bounds how long a key erased on another node can still be
	// used here from the cache.
	cacheTTL = 5 * time.Minute
	// rewrapBatch is how many keys one rotation transaction re-wraps.
	rewrapBatch = 500
)

// Vault seals and opens free-text fields. It is safe for concurrent use.
type Vault struct {
	store KeyStore
	clock tend.Clock
	cache *keyCache

	mu      sync.RWMutex
	file    *keys.File
	wrapper map[string]cipher.AEAD // service key id -> key-wrapping cipher
	records string                 // id of the records key new seals use, once known
}

// New returns a Vault that wraps data keys with keyFile's current service
// key, keeps them in store, and opens keys wrapped by any key in keyFile.
func New(keyFile *keys.File, store KeyStore, clock tend.Clock) (*Vault, error) {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	w, err := wrappers(keyFile)
	if err != nil {
		return nil, err
	}
	return &Vault{store: store, clock: clock, cache: newKeyCache(cacheLimit, cacheTTL), file: keyFile, wrapper: w}, nil
}

// wrappers derives one key-wrapping cipher per service key. The service key
// also keys the audit chain's HMAC, so wrapping uses a key derived from it
// for this one purpose rather than the secret itself.
func wrappers(f *keys.File) (map[string]cipher.AEAD, error) {
	if f == nil {
		return nil, errors.New("vault: no key file")
	}
	if _, err := f.CurrentKey(); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	m := make(map[string]cipher.AEAD, len(f.Keys))
	for _, k := range f.Keys {
		if len(k.Secret) != keys.Size {
			return nil, fmt.Errorf("vault: service key %s is not %d bytes", k.ID, keys.Size)
		}
		wk, err := hkdf.Key(sha256.New, k.Secret, nil, "tend key wrapping v1", 32)
		if err != nil {
			return nil, fmt.Errorf("vault: derive wrapping key: %w", err)
		}
		a, err := newAEAD(wk)
		if err != nil {
			return nil, err
		}
		m[k.ID] = a
	}
	return m, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return a, nil
}

// SealPerson encrypts plaintext, a field of the person's, under the
// person's data key (made on first use). An erased person's data cannot be
// sealed: the error wraps ErrErased.
func (v *Vault) SealPerson(ctx context.Context, personID tend.ID, f Field, plaintext []byte) ([]byte, error) {
	if err := checkPerson(personID); err != nil {
		return nil, err
	}
	id, a, err := v.personKey(ctx, personID, true)
	if err != nil {
		return nil, err
	}
	return seal(a, id, fieldAAD("person", f), plaintext)
}

// OpenPerson decrypts a ciphertext SealPerson made for the same person and
// field. After Erase it returns an ENOTFOUND error wrapping ErrErased ("This
// information was erased."); a ciphertext altered, moved or sealed for
// someone else returns an EINTERNAL error wrapping ErrUnreadable.
func (v *Vault) OpenPerson(ctx context.Context, personID tend.ID, f Field, ciphertext []byte) ([]byte, error) {
	if err := checkPerson(personID); err != nil {
		return nil, err
	}
	keyID, err := peekKeyID(ciphertext)
	if err != nil {
		return nil, err
	}
	id, a, err := v.personKey(ctx, personID, false)
	if err != nil {
		return nil, err
	}
	if id != keyID {
		return nil, unreadable(fmt.Errorf("sealed by data key %s, the person's key is %s", keyID, id))
	}
	return open(a, fieldAAD("person", f), ciphertext)
}

// SealRecord encrypts plaintext, a field of a service record (clinician
// notes, tasks), under the service records key, made on first use.
func (v *Vault) SealRecord(ctx context.Context, f Field, plaintext []byte) ([]byte, error) {
	id, a, err := v.currentRecordsKey(ctx)
	if err != nil {
		return nil, err
	}
	return seal(a, id, fieldAAD("record", f), plaintext)
}

// OpenRecord decrypts a ciphertext SealRecord made for the same field. A
// ciphertext altered or moved returns an EINTERNAL error wrapping
// ErrUnreadable.
func (v *Vault) OpenRecord(ctx context.Context, f Field, ciphertext []byte) ([]byte, error) {
	keyID, err := peekKeyID(ciphertext)
	if err != nil {
		return nil, err
	}
	a, err := v.recordsKey(ctx, keyID)
	if err != nil {
		return nil, err
	}
	return open(a, fieldAAD("record", f), ciphertext)
}

// EnsureRecordsKey makes the service records key if there is none yet, so
// 'tend keys init' leaves a complete key store behind.
func (v *Vault) EnsureRecordsKey(ctx context.Context) error {
	_, _, err := v.currentRecordsKey(ctx)
	return err
}

// Erase destroys the person's data key and records the erasure in the
// ledger. Everything sealed for the person, in the database and in every
// backup of it, becomes unreadable; OpenPerson then returns an error
// wrapping ErrErased.
func (v *Vault) Erase(ctx context.Context, personID tend.ID) error {
	if err := checkPerson(personID); err != nil {
		return err
	}
	v.cache.remove(personCacheKey(personID))
	if err := v.store.ErasePerson(ctx, personID, v.clock.Now().UTC()); err != nil {
		return fmt.Errorf("vault: erase: %w", err)
	}
	// Removed again: an open that read the key before the erasure
	// committed must not leave it cached (the cache's generation also
	// refuses such late inserts).
	v.cache.remove(personCacheKey(personID))
	return nil
}

// Rotate makes newFile's current key the one that wraps data keys, and
// re-wraps every person key and records key still wrapped by another
// service key. newFile must still hold the older keys: a rotation cut short
// leaves some keys under them, and those stay readable; running Rotate
// again finishes the work. It returns how many keys it re-wrapped.
func (v *Vault) Rotate(ctx context.Context, newFile *keys.File) (int, error) {
	w, err := wrappers(newFile)
	if err != nil {
		return 0, err
	}
	v.mu.Lock()
	v.file, v.wrapper = newFile, w
	v.mu.Unlock()
	cur := newFile.Current

	total := 0
	var after tend.ID
	for {
		batch, err := v.store.FindPersonKeys(ctx, PersonKeyFilter{NotWrappedBy: cur, After: after, Limit: rewrapBatch})
		if err != nil {
			return total, fmt.Errorf("vault: rotate: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		rw := make([]Rewrap, 0, len(batch))
		for _, pk := range batch {
			dk, err := v.unwrap(pk.Key, personWrapAAD(pk.PersonID, pk.Key.ID, pk.Key.ServiceKeyID))
			if err != nil {
				return total, fmt.Errorf("vault: rotate key of %s: %w", pk.PersonID, err)
			}
			nk, err := v.wrap(dk, pk.Key.ID, pk.Key.Created, func(svc string) []byte { return personWrapAAD(pk.PersonID, pk.Key.ID, svc) })
			clear(dk)
			if err != nil {
				return total, err
			}
			rw = append(rw, Rewrap{PersonID: pk.PersonID, From: pk.Key.ServiceKeyID, Key: nk})
		}
		n, err := v.store.RewrapKeys(ctx, rw)
		total += n
		if err != nil {
			return total, fmt.Errorf("vault: rotate: %w", err)
		}
		after = batch[len(batch)-1].PersonID
	}

	rks, err := v.store.FindRecordsKeys(ctx)
	if err != nil {
		return total, fmt.Errorf("vault: rotate: %w", err)
	}
	var rw []Rewrap
	for _, rk := range rks {
		if rk.ServiceKeyID == cur {
			continue
		}
		dk, err := v.unwrap(rk, recordsWrapAAD(rk.ID, rk.ServiceKeyID))
		if err != nil {
			return total, fmt.Errorf("vault: rotate records key %s: %w", rk.ID, err)
		}
		nk, err := v.wrap(dk, rk.ID, rk.Created, func(svc string) []byte { return recordsWrapAAD(rk.ID, svc) })
		clear(dk)
		if err != nil {
			return total, err
		}
		rw = append(rw, Rewrap{From: rk.ServiceKeyID, Key: nk})
	}
	if len(rw) > 0 {
		n, err := v.store.RewrapKeys(ctx, rw)
		total += n
		if err != nil {
			return total, fmt.Errorf("vault: rotate: %w", err)
		}
	}
	return total, nil
}

// NeedsRewrap reports whether any data key is still wrapped by a service
// key other than the current one: a rotation that has not finished.
func (v *Vault) NeedsRewrap(ctx context.Context) (bool, error) {
	cur := v.currentServiceKeyID()
	pks, err := v.store.FindPersonKeys(ctx, PersonKeyFilter{NotWrappedBy: cur, Limit: 1})
	if err != nil {
		return false, fmt.Errorf("vault: %w", err)
	}
	if len(pks) > 0 {
		return true, nil
	}
	rks, err := v.store.FindRecordsKeys(ctx)
	if err != nil {
		return false, fmt.Errorf("vault: %w", err)
	}
	for _, rk := range rks {
		if rk.ServiceKeyID != cur {
			return true, nil
		}
	}
	return false, nil
}

func (v *Vault) currentServiceKeyID() string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.file.Current
}

func checkPerson(id tend.ID) error {
	if id == "" {
		return tend.Errorf(tend.EINVALID, "No person was named.")
	}
	return nil
}

// personKey returns the person's data key id and cipher, from the cache or
// the key store; with create, it makes the key when the person has none.
func (v *Vault) personKey(ctx context.Context, personID tend.ID, create bool) (string, cipher.AEAD, error) {
	ck := personCacheKey(personID)
	id, a, gen, ok := v.cache.get(ck, v.clock.Now())
	if ok {
		return id, a, nil
	}
	wk, err := v.store.FindPersonKey(ctx, personID)
	if errors.Is(err, tend.ErrNotFound) && !IsErased(err) {
		if !create {
			return "", nil, unreadable(errors.New("the person has no data key"))
		}
		wk, err = v.createPersonKey(ctx, personID)
	}
	if err != nil {
		if IsErased(err) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("vault: person key: %w", err)
	}
	dk, err := v.unwrap(wk, personWrapAAD(personID, wk.ID, wk.ServiceKeyID))
	if err != nil {
		return "", nil, err
	}
	a, err = newAEAD(dk)
	clear(dk)
	if err != nil {
		return "", nil, err
	}
	v.cache.put(ck, wk.ID, a, gen, v.clock.Now())
	return wk.ID, a, nil
}

func (v *Vault) createPersonKey(ctx context.Context, personID tend.ID) (WrappedKey, error) {
	dk, err := randomBytes(32)
	if err != nil {
		return WrappedKey{}, err
	}
	defer clear(dk)
	id, err := newKeyID("dk-")
	if err != nil {
		return WrappedKey{}, err
	}
	wk, err := v.wrap(dk, id, v.clock.Now().UTC(), func(svc string) []byte { return personWrapAAD(personID, id, svc) })
	if err != nil {
		return WrappedKey{}, err
	}
	err = v.store.CreatePersonKey(ctx, personID, wk)
	if tend.ErrorKind(err) == tend.ECONFLICT {
		// Another request or node made the key first; use theirs.
		return v.store.FindPersonKey(ctx, personID)
	}
	return wk, err
}

// currentRecordsKey returns the records key new seals use: the oldest one,
// so that processes which raced to create it agree.
func (v *Vault) currentRecordsKey(ctx context.Context) (string, cipher.AEAD, error) {
	v.mu.RLock()
	id := v.records
	v.mu.RUnlock()
	if id != "" {
		a, err := v.recordsKey(ctx, id)
		return id, a, err
	}
	rks, err := v.store.FindRecordsKeys(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("vault: records key: %w", err)
	}
	if len(rks) == 0 {
		if err := v.createRecordsKey(ctx); err != nil {
			return "", nil, err
		}
		if rks, err = v.store.FindRecordsKeys(ctx); err != nil {
			return "", nil, fmt.Errorf("vault: records key: %w", err)
		}
		if len(rks) == 0 {
			return "", nil, errors.New("vault: the records key was not stored")
		}
	}
	id = rks[0].ID
	a, err := v.recordsKeyFrom(id, rks)
	if err != nil {
		return "", nil, err
	}
	v.mu.Lock()
	v.records = id
	v.mu.Unlock()
	return id, a, nil
}

func (v *Vault) createRecordsKey(ctx context.Context) error {
	dk, err := randomBytes(32)
	if err != nil {
		return err
	}
	defer clear(dk)
	id, err := newKeyID("rk-")
	if err != nil {
		return err
	}
	wk, err := v.wrap(dk, id, v.clock.Now().UTC(), func(svc string) []byte { return recordsWrapAAD(id, svc) })
	if err != nil {
		return err
	}
	if err := v.store.CreateRecordsKey(ctx, wk); err != nil {
		return fmt.Errorf("vault: create records key: %w", err)
	}
	return nil
}

// recordsKey returns the cipher of the records key with the given id.
func (v *Vault) recordsKey(ctx context.Context, id string) (cipher.AEAD, error) {
	if _, a, _, ok := v.cache.get(recordsCacheKey(id), v.clock.Now()); ok {
		return a, nil
	}
	rks, err := v.store.FindRecordsKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault: records key: %w", err)
	}
	return v.recordsKeyFrom(id, rks)
}

func (v *Vault) recordsKeyFrom(id string, rks []WrappedKey) (cipher.AEAD, error) {
	ck := recordsCacheKey(id)
	_, _, gen, _ := v.cache.get(ck, v.clock.Now())
	for _, rk := range rks {
		if rk.ID != id {
			continue
		}
		dk, err := v.unwrap(rk, recordsWrapAAD(rk.ID, rk.ServiceKeyID))
		if err != nil {
			return nil, err
		}
		a, err := newAEAD(dk)
		clear(dk)
		if err != nil {
			return nil, err
		}
		v.cache.put(ck, id, a, gen, v.clock.Now())
		return a, nil
	}
	return nil, unreadable(fmt.Errorf("no records key %s", id))
}

// wrap seals a data key under the current service key. aad gives the
// associated data for a service key id.
func (v *Vault) wrap(dk []byte, id string, created time.Time, aad func(serviceKeyID string) []byte) (WrappedKey, error) {
	v.mu.RLock()
	svc := v.file.Current
	w := v.wrapper[svc]
	v.mu.RUnlock()
	nonce, err := randomBytes(nonceSize)
	if err != nil {
		return WrappedKey{}, err
	}
	out := w.Seal(nonce, nonce, dk, aad(svc))
	return WrappedKey{ID: id, ServiceKeyID: svc, Wrapped: out, Created: created}, nil
}

// unwrap opens a wrapped data key with the service key that wrapped it.
func (v *Vault) unwrap(wk WrappedKey, aad []byte) ([]byte, error) {
	v.mu.RLock()
	w, ok := v.wrapper[wk.ServiceKeyID]
	v.mu.RUnlock()
	if !ok {
		return nil, tend.Wrap(tend.EINTERNAL, fmt.Errorf("%w: %s wrapped data key %s", ErrServiceKeyMissing, wk.ServiceKeyID, wk.ID), "Encrypted information cannot be read with this key file.")
	}
	if len(wk.Wrapped) < nonceSize+tagSize {
		return nil, unreadable(fmt.Errorf("wrapped data key %s is too short", wk.ID))
	}
	dk, err := w.Open(nil, wk.Wrapped[:nonceSize], wk.Wrapped[nonceSize:], aad)
	if err != nil {
		return nil, unreadable(fmt.Errorf("wrapped data key %s does not open: %w", wk.ID, err))
	}
	if len(dk) != 32 {
		return nil, unreadable(fmt.Errorf("data key %s is %d bytes", wk.ID, len(dk)))
	}
	return dk, nil
}

func seal(a cipher.AEAD, keyID string, fieldAD, plaintext []byte) ([]byte, error) {
	n := len(keyID)
	if n == 0 || n > 255 {
		return nil, fmt.Errorf("vault: key id %q cannot be written", keyID)
	}
	header := make([]byte, 0, 2+n)
	header = append(header, Format1, uint8(n&0xff))
	header = append(header, keyID...)
	nonce, err := randomBytes(nonceSize)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(header)+nonceSize+len(plaintext)+tagSize)
	out = append(out, header...)
	out = append(out, nonce...)
	return a.Seal(out, nonce, plaintext, append(header, fieldAD...)), nil
}

func open(a cipher.AEAD, fieldAD, ct []byte) ([]byte, error) {
	if _, err := peekKeyID(ct); err != nil {
		return nil, err
	}
	hl := 2 + int(ct[1])
	header := ct[:hl:hl]
	nonce := ct[hl : hl+nonceSize]
	pt, err := a.Open(nil, nonce, ct[hl+nonceSize:], append(header, fieldAD...))
	if err != nil {
		return nil, unreadable(err)
	}
	return pt, nil
}

// peekKeyID reads the id of the key that sealed ct.
func peekKeyID(ct []byte) (string, error) {
	if len(ct) < 2 {
		return "", unreadable(errors.New("too short"))
	}
	if ct[0] != Format1 {
		return "", unreadable(fmt.Errorf("unknown format %d", ct[0]))
	}
	hl := 2 + int(ct[1])
	if ct[1] == 0 || len(ct) < hl+nonceSize+tagSize {
		return "", unreadable(errors.New("too short"))
	}
	return string(ct[2:hl]), nil
}

// fieldAAD binds a ciphertext to its kind of key and its place. Every part
// is length-prefixed, so ("ab", "c") and ("a", "bc") differ.
func fieldAAD(kind string, f Field) []byte {
	return lengthPrefixed("tend field v1", kind, f.Table, f.Column, string(f.Row))
}

func personWrapAAD(personID tend.ID, keyID, serviceKeyID string) []byte {
	return lengthPrefixed("tend person key v1", string(personID), keyID, serviceKeyID)
}

func recordsWrapAAD(keyID, serviceKeyID string) []byte {
	return lengthPrefixed("tend records key v1", keyID, serviceKeyID)
}

func lengthPrefixed(parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

func unreadable(cause error) error {
	return tend.Wrap(tend.EINTERNAL, fmt.Errorf("%w: %w", ErrUnreadable, cause), "This information could not be read.")
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("vault: random source: %w", err)
	}
	return b, nil
}

func newKeyID(prefix string) (string, error) {
	b, err := randomBytes(9)
	if err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func personCacheKey(id tend.ID) string { return "p:" + string(id) }
func recordsCacheKey(id string) string { return "r:" + id }
