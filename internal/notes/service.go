package notes

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditCorrected = "note.corrected" // a new version of a note was written
	AuditExported  = "note.exported"  // the notes went into the person's own download
)

// MaxChars bounds the text of one note.
const MaxChars = 20000

// table is where versions live; sealing binds each text to its row.
const table = "clinician_notes"

// Service keeps clinician notes.
type Service struct {
	store   Store
	checker Checker
	sealer  Sealer
	clock   tend.Clock
	// exportAllowed is the records setting ForExport follows (WithExport).
	exportAllowed func() bool
}

// NewService returns a Service.
func NewService(store Store, checker Checker, sealer Sealer, clock tend.Clock) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	return &Service{store: store, checker: checker, sealer: sealer, clock: clock}
}

// Draft is a note as a clinician writes it.
type Draft struct {
	Kind      Kind
	SessionID string // "" for a free note
	Text      string
}

// staffOnly refuses anyone but staff before the policy is asked: notes are
// never the person's (the policy denies them too; this keeps the answer
// "not found" for any account that is not staff).
func staffOnly(actor tend.Actor) error {
	if actor.Kind != tend.KindStaff {
		return tend.ErrNotFound
	}
	return nil
}

// List returns the notes about the person, newest first, each with the
// versions it corrected. Every read is audited. ENOTFOUND for anyone but
// staff; access errors as access.Checker (NoteRead).
func (s *Service) List(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Note, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	if err := s.checker.Check(ctx, actor, access.NoteRead, personID); err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.NoteRead), personID, "notes:"+string(personID)))
	}); err != nil {
		return nil, err
	}
	return s.notes(ctx, personID)
}

// WithExport returns a copy of s whose ForExport follows allowed: the
// service's records setting that puts clinician notes in a person's own
// download (DESIGN.md "Who sees what"). Without it, ForExport refuses.
func (s *Service) WithExport(allowed func() bool) *Service {
	c := *s
	c.exportAllowed = allowed
	return &c
}

// ForExport returns the notes about the person for their own download
// (internal/rights), and only that: the person alone, and only while the
// service's records setting says notes go into it. ENOTFOUND otherwise,
// the same answer notes give the person everywhere else. The read is
// audited.
func (s *Service) ForExport(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Note, error) {
	if actor.Kind != tend.KindPerson || actor.ID != personID || s.exportAllowed == nil || !s.exportAllowed() {
		return nil, tend.ErrNotFound
	}
	if err := s.checker.Check(ctx, actor, access.DataExport, personID); err != nil {
		return nil, err
	}
	if err := s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, AuditExported, personID, "notes:"+string(personID)))
	}); err != nil {
		return nil, err
	}
	return s.notes(ctx, personID)
}

// notes reads and opens every version of the person's notes.
func (s *Service) notes(ctx context.Context, personID tend.ID) ([]Note, error) {
	recs, err := s.store.FindNoteRecords(ctx, personID)
	if err != nil {
		return nil, err
	}
	byNote := map[tend.ID]*Note{}
	var order []tend.ID
	var writers []tend.ID
	for _, r := range recs {
		text, err := s.sealer.OpenRecord(ctx, field(r.ID), r.Body)
		if err != nil {
			return nil, fmt.Errorf("notes: open %s: %w", r.ID, err)
		}
		v := Version{ID: r.ID, Version: r.Version, Text: string(text), WrittenBy: r.WrittenBy, WrittenAt: r.WrittenAt}
		writers = append(writers, r.WrittenBy)
		n, ok := byNote[r.NoteID]
		if !ok {
			n = &Note{ID: r.NoteID, PersonID: r.PersonID}
			byNote[r.NoteID] = n
			order = append(order, r.NoteID)
		} else {
			n.Earlier = append([]Version{n.Current}, n.Earlier...)
		}
		n.SessionID, n.Kind, n.Current = r.SessionID, r.Kind, v
	}
	names, err := s.store.FindStaffNames(ctx, writers)
	if err != nil {
		return nil, err
	}
	out := make([]Note, 0, len(order))
	for i := len(order) - 1; i >= 0; i-- {
		n := byNote[order[i]]
		n.Current.WriterName = names[n.Current.WrittenBy]
		for j := range n.Earlier {
			n.Earlier[j].WriterName = names[n.Earlier[j].WrittenBy]
		}
		out = append(out, *n)
	}
	return out, nil
}

// Write adds a new note about the person. EINVALID for an unknown kind, a
// malformed session id, or text that is empty or too long; access errors as
// access.Checker (NoteWrite).
func (s *Service) Write(ctx context.Context, actor tend.Actor, personID tend.ID, d Draft) (Note, error) {
	if err := staffOnly(actor); err != nil {
		return Note{}, err
	}
	if err := s.checker.Check(ctx, actor, access.NoteWrite, personID); err != nil {
		return Note{}, err
	}
	if !d.Kind.Valid() {
		return Note{}, tend.Errorf(tend.EINVALID, "Choose what kind of note this is.")
	}
	var session tend.ID
	if sid := strings.TrimSpace(d.SessionID); sid != "" {
		var err error
		if session, err = tend.ParseID(sid); err != nil {
			return Note{}, tend.Errorf(tend.EINVALID, "That session could not be found.")
		}
	}
	text, err := cleanText(d.Text)
	if err != nil {
		return Note{}, err
	}
	id := tend.NewID()
	r := Record{ID: id, NoteID: id, Version: 1, PersonID: personID, SessionID: session, Kind: d.Kind, WrittenBy: actor.ID, WrittenAt: s.clock.Now().UTC()}
	if err := s.create(ctx, actor, r, text, string(access.NoteWrite)); err != nil {
		return Note{}, err
	}
	return Note{ID: id, PersonID: personID, SessionID: session, Kind: d.Kind,
		Current: Version{ID: id, Version: 1, Text: text, WrittenBy: actor.ID, WrittenAt: r.WrittenAt}}, nil
}

// Correct writes a new version of one of the person's notes; the earlier
// versions stay. ENOTFOUND for a note that is not about the person; errors
// otherwise as Write.
func (s *Service) Correct(ctx context.Context, actor tend.Actor, personID tend.ID, noteID string, text string) (Note, error) {
	if err := staffOnly(actor); err != nil {
		return Note{}, err
	}
	if err := s.checker.Check(ctx, actor, access.NoteWrite, personID); err != nil {
		return Note{}, err
	}
	nid, err := tend.ParseID(strings.TrimSpace(noteID))
	if err != nil {
		return Note{}, tend.ErrNotFound
	}
	text, err = cleanText(text)
	if err != nil {
		return Note{}, err
	}
	var out Note
	err = s.store.InTx(ctx, func(tx Tx) error {
		prev, err := tx.LatestNoteRecord(ctx, personID, nid)
		if err != nil {
			return err
		}
		r := Record{ID: tend.NewID(), NoteID: nid, Version: prev.Version + 1, PersonID: personID, SessionID: prev.SessionID, Kind: prev.Kind,
			WrittenBy: actor.ID, WrittenAt: s.clock.Now().UTC()}
		if err := s.createTx(ctx, tx, actor, r, text, string(access.NoteWrite), AuditCorrected); err != nil {
			return err
		}
		out = Note{ID: nid, PersonID: personID, SessionID: r.SessionID, Kind: r.Kind,
			Current: Version{ID: r.ID, Version: r.Version, Text: text, WrittenBy: actor.ID, WrittenAt: r.WrittenAt}}
		return nil
	})
	return out, err
}

// MayWrite reports whether actor may write notes about the person, so a
// page offers the form only to those the policy lets write.
func (s *Service) MayWrite(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return actor.Kind == tend.KindStaff && s.checker.Check(ctx, actor, access.NoteWrite, personID) == nil
}

func (s *Service) create(ctx context.Context, actor tend.Actor, r Record, text string, actions ...string) error {
	return s.store.InTx(ctx, func(tx Tx) error { return s.createTx(ctx, tx, actor, r, text, actions...) })
}

func (s *Service) createTx(ctx context.Context, tx Tx, actor tend.Actor, r Record, text string, actions ...string) error {
	var err error
	if r.Body, err = s.sealer.SealRecord(ctx, field(r.ID), []byte(text)); err != nil {
		return fmt.Errorf("notes: seal: %w", err)
	}
	if err := tx.CreateNoteRecord(ctx, r); err != nil {
		return err
	}
	events := make([]tend.AuditEvent, 0, len(actions))
	for _, a := range actions {
		events = append(events, event(actor, a, r.PersonID, "note:"+string(r.NoteID)))
	}
	return tx.AppendAudit(ctx, events...)
}

func cleanText(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", tend.Errorf(tend.EINVALID, "Write the note before saving it.")
	}
	if utf8.RuneCountInString(s) > MaxChars {
		return "", tend.Errorf(tend.EINVALID, "The note is too long. Please make it shorter.")
	}
	return s, nil
}

func field(row tend.ID) vault.Field { return vault.Field{Table: table, Column: "body", Row: row} }

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
