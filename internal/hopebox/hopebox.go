package hopebox

import (
	"context"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// Words is something the person wrote that comforts them.
type Words struct {
	ID        tend.ID
	PersonID  tend.ID
	Text      string
	CreatedAt time.Time
}

// WordsRecord is Words as stored: the text sealed.
type WordsRecord struct {
	ID        tend.ID
	PersonID  tend.ID
	Body      []byte
	CreatedAt time.Time
}

// Photo describes a photo in the hope box (not its bytes).
type Photo struct {
	ID          tend.ID
	PersonID    tend.ID
	ContentType string // image/jpeg or image/png
	Width       int
	Height      int
	CreatedAt   time.Time
}

// PhotoRecord is a photo as stored: the image and its thumbnail sealed.
type PhotoRecord struct {
	Photo
	Image []byte
	Thumb []byte
}

// Box is everything in a person's hope box, newest first.
type Box struct {
	Words  []Words
	Photos []Photo
}

// Store reads outside a unit of work.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	// FindHopeBoxWords returns the person's words, newest first.
	FindHopeBoxWords(ctx context.Context, personID tend.ID) ([]WordsRecord, error)
	// FindHopeBoxPhotos returns the person's photos (no bytes), newest first.
	FindHopeBoxPhotos(ctx context.Context, personID tend.ID) ([]Photo, error)
	// FindHopeBoxPhoto returns one of the person's photos with its bytes,
	// or ENOTFOUND.
	FindHopeBoxPhoto(ctx context.Context, personID, id tend.ID) (PhotoRecord, error)
}

// Tx is one unit of work.
type Tx interface {
	CreateHopeBoxWords(ctx context.Context, r WordsRecord) error
	// DeleteHopeBoxWords returns ENOTFOUND when the person has no such words.
	DeleteHopeBoxWords(ctx context.Context, personID, id tend.ID) error
	CreateHopeBoxPhoto(ctx context.Context, r PhotoRecord) error
	// DeleteHopeBoxPhoto returns ENOTFOUND when the person has no such photo.
	DeleteHopeBoxPhoto(ctx context.Context, personID, id tend.ID) error
}

// Checker decides access (access.Checker).
type Checker interface {
	Check(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error
}

// Sealer seals and opens a person's data (vault.Vault).
type Sealer interface {
	SealPerson(ctx context.Context, personID tend.ID, f vault.Field, plaintext []byte) ([]byte, error)
	OpenPerson(ctx context.Context, personID tend.ID, f vault.Field, ciphertext []byte) ([]byte, error)
}
