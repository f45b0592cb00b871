package rights

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/careteam"
)

// Manifest is manifest.json in the zip: what the download holds.
type Manifest struct {
	PersonID tend.ID   `json:"person_id"`
	MadeAt   time.Time `json:"made_at"`
	Files    []string  `json:"files"`
	// NotesIncluded says whether the service's records setting put the
	// clinician notes in (notes.json).
	NotesIncluded bool `json:"notes_included"`
}

// BundleFile is the name of the FHIR Bundle in the zip.
const BundleFile = "fhir-bundle.json"

// BuildExport makes the zip for one export (the build_data_export job). It
// reads every area as the person, through the areas' own services, so it
// holds exactly what the person could see on their pages, and seals the
// zip under the person's key. Running it again for an export already built,
// deleted or expired does nothing.
func (s *Service) BuildExport(ctx context.Context, exportID tend.ID) error {
	var r Record
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		r, err = tx.DataExportForUpdate(ctx, exportID)
		return err
	})
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if r.State != ExportPending || !s.clock.Now().UTC().Before(r.ExpiresAt) {
		return nil
	}
	data, err := s.zip(ctx, r.PersonID)
	if err != nil {
		return err
	}
	sealed, err := s.vault.SealPerson(ctx, r.PersonID, archiveField(r.ID), data)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.DataExportForUpdate(ctx, exportID)
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return nil // deleted meanwhile (an erasure)
		}
		if err != nil {
			return err
		}
		if cur.State != ExportPending {
			return nil
		}
		now := tx.Now().UTC()
		cur.State, cur.ReadyAt, cur.Archive, cur.Size = ExportReady, &now, sealed, len(data)
		cur.ExpiresAt = now.Add(ExportKeptFor)
		if err := tx.UpdateDataExport(ctx, cur); err != nil {
			return err
		}
		if err := tx.CreateNotice(ctx, careteam.Notice{ID: tend.NewID(), PersonID: cur.PersonID, Kind: careteam.NoticeExportReady, CreatedAt: now}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(tend.System, AuditExportReady, cur.PersonID, "data_export:"+string(cur.ID)))
	})
}

// zip gathers every part as the person and writes the zip.
func (s *Service) zip(ctx context.Context, personID tend.ID) ([]byte, error) {
	actor := personActor(personID)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	man := Manifest{PersonID: personID, MadeAt: s.clock.Now().UTC()}
	add := func(name string, body []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: man.MadeAt})
		if err != nil {
			return err
		}
		if _, err := w.Write(body); err != nil {
			return err
		}
		man.Files = append(man.Files, name)
		return nil
	}
	addJSON := func(name string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("rights: %s: %w", name, err)
		}
		if string(b) == "null" {
			b = []byte("[]") // an area with nothing in it (a nil list)
		}
		return add(name, b)
	}
	for _, p := range s.opt.Parts {
		v, err := p.Collect(ctx, actor, personID)
		if err != nil {
			return nil, fmt.Errorf("rights: collect %s: %w", p.Name, err)
		}
		if err := addJSON(p.Name+".json", v); err != nil {
			return nil, err
		}
	}
	if s.settings().NotesInExport && s.opt.Notes != nil {
		v, err := s.opt.Notes(ctx, actor, personID)
		if err != nil {
			return nil, fmt.Errorf("rights: collect notes: %w", err)
		}
		if err := addJSON("notes.json", v); err != nil {
			return nil, err
		}
		man.NotesIncluded = true
	}
	if s.opt.Bundle != nil {
		b, err := s.opt.Bundle(ctx, actor, personID)
		if err != nil {
			return nil, fmt.Errorf("rights: FHIR bundle: %w", err)
		}
		if err := add(BundleFile, b); err != nil {
			return nil, err
		}
	}
	if err := addJSON("manifest.json", man); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("rights: zip: %w", err)
	}
	return buf.Bytes(), nil
}
