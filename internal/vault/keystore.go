package vault

import (
	"context"
	"errors"
	"time"

	"github.com/tendcare/tend"
)

// WrappedKey is a data key as the key store holds it: sealed by a service
// key, never in the clear.
type WrappedKey struct {
	ID           string    // the data key's id, carried in every ciphertext it seals
	ServiceKeyID string    // the service key that wrapped it
	Wrapped      []byte    // nonce and AES-GCM sealed key
	Created      time.Time // when the data key was made
}

// PersonKey is one person's wrapped data key.
type PersonKey struct {
	PersonID tend.ID
	Key      WrappedKey
}

// PersonKeyFilter selects person keys, in person id order, for rotation.
type PersonKeyFilter struct {
	NotWrappedBy string  // only keys wrapped by another service key
	After        tend.ID // only people after this id ("" from the start)
	Limit        int     // at most this many (0: no limit)
}

// Rewrap is one data key sealed again under another service key.
type Rewrap struct {
	PersonID tend.ID    // whose key; "" for a records key
	From     string     // the service key id it must still be wrapped by
	Key      WrappedKey // the key's id, with the new ServiceKeyID and Wrapped
}

// KeyStore holds wrapped data keys and the erasure ledger, apart from the
// main database (DESIGN.md "Encryption and keys"). store.KeyStore
// implements it.
type KeyStore interface {
	// FindPersonKey returns the person's wrapped data key. It returns an
	// ENOTFOUND error wrapping ErrErased when the person was erased, and
	// tend.ErrNotFound when the person never had a key.
	FindPersonKey(ctx context.Context, personID tend.ID) (WrappedKey, error)
	// CreatePersonKey stores a person's first data key. It returns
	// ECONFLICT when the person already has one (another process made it
	// first), and an ENOTFOUND error wrapping ErrErased when the person was
	// erased, so an erased person never gets a new key.
	CreatePersonKey(ctx context.Context, personID tend.ID, key WrappedKey) error
	// FindPersonKeys returns the person keys f selects.
	FindPersonKeys(ctx context.Context, f PersonKeyFilter) ([]PersonKey, error)
	// ErasePerson deletes the person's data key and records the person in
	// the erasure ledger, in one transaction. Erasing twice, or a person
	// without a key, is not an error.
	ErasePerson(ctx context.Context, personID tend.ID, at time.Time) error
	// FindRecordsKeys returns every records key, oldest first (normally
	// exactly one; two only if two processes created it at once).
	FindRecordsKeys(ctx context.Context) ([]WrappedKey, error)
	// CreateRecordsKey stores a records key. ECONFLICT when its id exists.
	CreateRecordsKey(ctx context.Context, key WrappedKey) error
	// RewrapKeys stores new wrappings in one transaction, each only where
	// the key is still wrapped by Rewrap.From, and returns how many
	// changed. A key erased or re-wrapped meanwhile is skipped.
	RewrapKeys(ctx context.Context, rw []Rewrap) (int, error)
}

// ErrErased is the cause inside the error returned for an erased person's
// data: errors.Is(err, vault.ErrErased) tells erasure apart from other
// missing things.
var ErrErased = errors.New("vault: the person's data key was erased")

// ErrUnreadable is the cause when a ciphertext does not open: it was
// altered, copied to another row or column, or sealed by another key.
var ErrUnreadable = errors.New("vault: the ciphertext does not open")

// ErrServiceKeyMissing is the cause when a data key was wrapped by a
// service key that the key file does not hold.
var ErrServiceKeyMissing = errors.New("vault: the service key that wrapped this data key is not in the key file")

// Erased returns the error for an erased person's data, as both the key
// store and the vault report it.
func Erased() error {
	return tend.Wrap(tend.ENOTFOUND, ErrErased, "This information was erased.")
}

// IsErased reports whether err says the person's data was erased.
func IsErased(err error) bool { return errors.Is(err, ErrErased) }
