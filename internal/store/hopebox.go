package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/hopebox"
)

// FindHopeBoxWords returns the person's words, newest first.
func (db *DB) FindHopeBoxWords(ctx context.Context, personID tend.ID) ([]hopebox.WordsRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, body, created_at FROM hope_box_words WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: hope box words: %w", err)
	}
	defer rows.Close()
	out := []hopebox.WordsRecord{}
	for rows.Next() {
		r := hopebox.WordsRecord{PersonID: personID}
		var id string
		if err := rows.Scan(&id, &r.Body, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: hope box words: %w", err)
		}
		r.ID, r.CreatedAt = tend.ID(id), r.CreatedAt.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: hope box words: %w", err)
	}
	return out, nil
}

// FindHopeBoxPhotos returns the person's photos without their bytes, newest first.
func (db *DB) FindHopeBoxPhotos(ctx context.Context, personID tend.ID) ([]hopebox.Photo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, content_type, width, height, created_at FROM hope_box_photos
		WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, string(personID))
	if err != nil {
		return nil, fmt.Errorf("store: hope box photos: %w", err)
	}
	defer rows.Close()
	out := []hopebox.Photo{}
	for rows.Next() {
		p := hopebox.Photo{PersonID: personID}
		var id string
		if err := rows.Scan(&id, &p.ContentType, &p.Width, &p.Height, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: hope box photos: %w", err)
		}
		p.ID, p.CreatedAt = tend.ID(id), p.CreatedAt.UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: hope box photos: %w", err)
	}
	return out, nil
}

// FindHopeBoxPhoto returns one of the person's photos with its bytes, or ENOTFOUND.
func (db *DB) FindHopeBoxPhoto(ctx context.Context, personID, id tend.ID) (hopebox.PhotoRecord, error) {
	r := hopebox.PhotoRecord{Photo: hopebox.Photo{ID: id, PersonID: personID}}
	err := db.read.QueryRowContext(ctx, `SELECT content_type, width, height, created_at, image, thumb FROM hope_box_photos WHERE person_id = $1 AND id = $2`,
		string(personID), string(id)).Scan(&r.ContentType, &r.Width, &r.Height, &r.CreatedAt, &r.Image, &r.Thumb)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tend.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store: hope box photo: %w", err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}

// CreateHopeBoxWords keeps words in the person's hope box.
func (tx *Tx) CreateHopeBoxWords(ctx context.Context, r hopebox.WordsRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO hope_box_words (id, person_id, body, created_at) VALUES ($1, $2, $3, $4)`,
		string(r.ID), string(r.PersonID), r.Body, r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create hope box words: %w", err)
	}
	return nil
}

// DeleteHopeBoxWords removes words; ENOTFOUND when the person has none with id.
func (tx *Tx) DeleteHopeBoxWords(ctx context.Context, personID, id tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM hope_box_words WHERE person_id = $1 AND id = $2`, string(personID), string(id))
	return affectedOne(res, err, "delete hope box words")
}

// CreateHopeBoxPhoto keeps a photo in the person's hope box.
func (tx *Tx) CreateHopeBoxPhoto(ctx context.Context, r hopebox.PhotoRecord) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO hope_box_photos (id, person_id, content_type, width, height, image, thumb, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(r.ID), string(r.PersonID), r.ContentType, r.Width, r.Height, r.Image, r.Thumb, r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("store: create hope box photo: %w", err)
	}
	return nil
}

// DeleteHopeBoxPhoto removes a photo; ENOTFOUND when the person has none with id.
func (tx *Tx) DeleteHopeBoxPhoto(ctx context.Context, personID, id tend.ID) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM hope_box_photos WHERE person_id = $1 AND id = $2`, string(personID), string(id))
	return affectedOne(res, err, "delete hope box photo")
}
