package hopebox

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The tables whose columns sealing binds each ciphertext to.
const (
	tableWords  = "hope_box_words"
	tablePhotos = "hope_box_photos"
)

// Service keeps hope boxes.
type Service struct {
	store   Store
	checker Checker
	sealer  Sealer
	clock   tend.Clock
}

// NewService returns a Service.
func NewService(store Store, checker Checker, sealer Sealer, clock tend.Clock) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	return &Service{store: store, checker: checker, sealer: sealer, clock: clock}
}

// self lets only the person through. Anyone else, whatever they may see of
// the person, gets ENOTFOUND: the hope box is never shareable, and its
// existence is nobody else's business.
func (s *Service) self(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error {
	if actor.Kind == "" {
		return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return tend.ErrNotFound
	}
	// For the person, a refusal here is their token's scope: say so.
	return s.checker.Check(ctx, actor, action, personID)
}

// Box returns what is in the person's hope box, newest first (photos
// without their bytes).
func (s *Service) Box(ctx context.Context, actor tend.Actor, personID tend.ID) (Box, error) {
	if err := s.self(ctx, actor, access.HopeBoxRead, personID); err != nil {
		return Box{}, err
	}
	recs, err := s.store.FindHopeBoxWords(ctx, personID)
	if err != nil {
		return Box{}, err
	}
	b := Box{Words: make([]Words, 0, len(recs))}
	for _, r := range recs {
		t, err := s.sealer.OpenPerson(ctx, personID, vault.Field{Table: tableWords, Column: "body", Row: r.ID}, r.Body)
		if err != nil {
			return Box{}, err
		}
		b.Words = append(b.Words, Words{ID: r.ID, PersonID: personID, Text: string(t), CreatedAt: r.CreatedAt})
	}
	if b.Photos, err = s.store.FindHopeBoxPhotos(ctx, personID); err != nil {
		return Box{}, err
	}
	return b, nil
}

// AddWords keeps words that comfort the person. EINVALID for empty or too
// long words, or a full box.
func (s *Service) AddWords(ctx context.Context, actor tend.Actor, personID tend.ID, text string) (Words, error) {
	if err := s.self(ctx, actor, access.HopeBoxWrite, personID); err != nil {
		return Words{}, err
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return Words{}, tend.Errorf(tend.EINVALID, "Write something before adding it.")
	}
	if utf8.RuneCountInString(text) > maxBoxWords {
		return Words{}, tend.Errorf(tend.EINVALID, "That is too long for one card. Please split it into shorter ones.")
	}
	recs, err := s.store.FindHopeBoxWords(ctx, personID)
	if err != nil {
		return Words{}, err
	}
	if len(recs) >= maxItems {
		return Words{}, tend.Errorf(tend.EINVALID, "Your hope box is full. Remove something to make room.")
	}
	w := Words{ID: tend.NewID(), PersonID: personID, Text: text, CreatedAt: s.clock.Now().UTC()}
	r := WordsRecord{ID: w.ID, PersonID: personID, CreatedAt: w.CreatedAt}
	if r.Body, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: tableWords, Column: "body", Row: w.ID}, []byte(text)); err != nil {
		return Words{}, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error { return tx.CreateHopeBoxWords(ctx, r) })
	if err != nil {
		return Words{}, err
	}
	return w, nil
}

// DeleteWords removes words from the box. ENOTFOUND when they are not the
// person's.
func (s *Service) DeleteWords(ctx context.Context, actor tend.Actor, personID tend.ID, id string) error {
	if err := s.self(ctx, actor, access.HopeBoxWrite, personID); err != nil {
		return err
	}
	wid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error { return tx.DeleteHopeBoxWords(ctx, personID, wid) })
}

// AddPhoto keeps a photo that comforts the person: a JPEG or PNG (by its
// content) of at most MaxPhotoBytes, kept as its pixels only, with a small
// thumbnail. EINVALID, with a message that says why, for anything else.
func (s *Service) AddPhoto(ctx context.Context, actor tend.Actor, personID tend.ID, data []byte) (Photo, error) {
	if err := s.self(ctx, actor, access.HopeBoxWrite, personID); err != nil {
		return Photo{}, err
	}
	if len(data) == 0 {
		return Photo{}, tend.Errorf(tend.EINVALID, "Choose a photo to add.")
	}
	photos, err := s.store.FindHopeBoxPhotos(ctx, personID)
	if err != nil {
		return Photo{}, err
	}
	if len(photos) >= maxItems {
		return Photo{}, tend.Errorf(tend.EINVALID, "Your hope box is full. Remove something to make room.")
	}
	n, err := normalize(data)
	if err != nil {
		return Photo{}, err
	}
	p := Photo{ID: tend.NewID(), PersonID: personID, ContentType: n.contentType, Width: n.width, Height: n.height, CreatedAt: s.clock.Now().UTC()}
	r := PhotoRecord{Photo: p}
	if r.Image, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: tablePhotos, Column: "image", Row: p.ID}, n.image); err != nil {
		return Photo{}, err
	}
	if r.Thumb, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: tablePhotos, Column: "thumb", Row: p.ID}, n.thumb); err != nil {
		return Photo{}, err
	}
	if err := s.store.InTx(ctx, func(tx Tx) error { return tx.CreateHopeBoxPhoto(ctx, r) }); err != nil {
		return Photo{}, err
	}
	return p, nil
}

// PhotoBytes returns a photo's bytes (or its thumbnail's) and content
// type. ENOTFOUND when it is not the person's.
func (s *Service) PhotoBytes(ctx context.Context, actor tend.Actor, personID tend.ID, id string, thumb bool) ([]byte, string, error) {
	if err := s.self(ctx, actor, access.HopeBoxRead, personID); err != nil {
		return nil, "", err
	}
	pid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return nil, "", tend.ErrNotFound
	}
	r, err := s.store.FindHopeBoxPhoto(ctx, personID, pid)
	if err != nil {
		return nil, "", err
	}
	col, ct := "image", r.Image
	if thumb {
		col, ct = "thumb", r.Thumb
	}
	b, err := s.sealer.OpenPerson(ctx, personID, vault.Field{Table: tablePhotos, Column: col, Row: r.ID}, ct)
	if err != nil {
		return nil, "", err
	}
	return b, r.ContentType, nil
}

// DeletePhoto removes a photo from the box. ENOTFOUND when it is not the
// person's.
func (s *Service) DeletePhoto(ctx context.Context, actor tend.Actor, personID tend.ID, id string) error {
	if err := s.self(ctx, actor, access.HopeBoxWrite, personID); err != nil {
		return err
	}
	pid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error { return tx.DeleteHopeBoxPhoto(ctx, personID, pid) })
}
