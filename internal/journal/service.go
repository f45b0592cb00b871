package journal

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditMerged         = "journal.merged"           // a save from an older revision was merged
	AuditPromptAssigned = "journal_prompt.assigned"  // a clinician assigned a prompt to the person
	AuditPromptWithdrew = "journal_prompt.withdrawn" // a clinician withdrew an assigned prompt
	AuditPromptAdded    = "journal_prompt.added"     // an admin added an open prompt
	AuditPromptRetired  = "journal_prompt.retired"   // an admin retired an open prompt
)

// Limits, so a form cannot fill the database.
const (
	MaxEntryChars  = 20000 // characters of one entry
	MaxPromptChars = 300   // characters of one prompt
)

// The tables whose columns sealing binds each ciphertext to.
const (
	tableEntries     = "journal_entries"
	tableAssignments = "journal_assignments"
)

// Service keeps journals.
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

// Entries returns the person's entries, most recently changed first. A
// staff read needs the person's journal grant and is audited; the
// person's own reads write nothing. Errors as access.Checker.
func (s *Service) Entries(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Entry, error) {
	if err := s.read(ctx, actor, personID, "journal:"+string(personID)); err != nil {
		return nil, err
	}
	recs, err := s.store.FindJournalEntries(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(recs))
	for _, r := range recs {
		e, err := s.open(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Entry returns one of the person's entries: ENOTFOUND for an id that is
// not theirs; access and audit as Entries.
func (s *Service) Entry(ctx context.Context, actor tend.Actor, personID, id tend.ID) (Entry, error) {
	if err := s.read(ctx, actor, personID, "journal_entry:"+string(id)); err != nil {
		return Entry{}, err
	}
	r, err := s.store.FindJournalEntry(ctx, personID, id)
	if err != nil {
		return Entry{}, err
	}
	return s.open(ctx, r)
}

func (s *Service) read(ctx context.Context, actor tend.Actor, personID tend.ID, target string) error {
	if err := s.checker.Check(ctx, actor, access.JournalRead, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.JournalRead), personID, target))
	})
}

// Draft is one save of an entry, from the form or an autosave.
type Draft struct {
	// ID names the entry. A new entry's form carries a fresh id, so that
	// the first save creates it and every later save (a retry, an autosave)
	// changes the same entry instead of adding another.
	ID string
	// BasedOn is the revision the writer started from: 0 for a new entry.
	BasedOn int
	Text    string
	// PromptID is the open prompt or assignment the person picked when
	// starting the entry ("" for none); it is read on the first save only.
	PromptID string
}

// SaveResult says what a save did.
type SaveResult struct {
	Entry Entry
	// Created is true for the save that created the entry.
	Created bool
	// Merged is true when the entry had been changed elsewhere (another
	// window) since the writer's revision: both texts were kept.
	Merged bool
	// Unchanged is true when the text was already saved (a retry).
	Unchanged bool
}

// Save writes a draft of the person's entry: the latest text wins, except
// that a save from an older revision keeps both texts. Only the person
// writes in their journal. EINVALID for a bad id, revision or prompt, an
// empty new entry or one too long; access errors as access.Checker.
func (s *Service) Save(ctx context.Context, actor tend.Actor, personID tend.ID, d Draft) (SaveResult, error) {
	if err := s.checker.Check(ctx, actor, access.JournalWrite, personID); err != nil {
		return SaveResult{}, err
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return SaveResult{}, tend.Errorf(tend.EFORBIDDEN, "Only the person writes in their journal.")
	}
	id, err := tend.ParseID(strings.TrimSpace(d.ID))
	if err != nil {
		return SaveResult{}, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please copy your words, open the journal again and paste them in.")
	}
	if d.BasedOn < 0 {
		return SaveResult{}, tend.Errorf(tend.EINVALID, "That revision of the entry is not valid. Open the entry again.")
	}
	text := strings.ReplaceAll(d.Text, "\r\n", "\n")
	if utf8.RuneCountInString(text) > MaxEntryChars {
		return SaveResult{}, tend.Errorf(tend.EINVALID, "This entry is too long to save. Please start a new entry for the rest.")
	}
	var res SaveResult
	err = s.store.InTx(ctx, func(tx Tx) error {
		res, err = s.save(ctx, tx, actor, personID, id, d, text)
		return err
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

// idempotencyTTL is how long a create request's key is remembered: long
// enough for any client to give up retrying.
const idempotencyTTL = 7 * 24 * time.Hour

// Create adds a new entry for a client that names its request by an
// idempotency key rather than the entry by an id (the API): a retry with
// the same key returns the entry the first request made, Unchanged, and
// adds nothing. Errors as Save; EINVALID for a missing or overlong key.
func (s *Service) Create(ctx context.Context, actor tend.Actor, personID tend.ID, key, text, promptID string) (SaveResult, error) {
	if err := s.checker.Check(ctx, actor, access.JournalWrite, personID); err != nil {
		return SaveResult{}, err
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return SaveResult{}, tend.Errorf(tend.EFORBIDDEN, "Only the person writes in their journal.")
	}
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 100 {
		return SaveResult{}, tend.Errorf(tend.EINVALID, "Send an Idempotency-Key, the same on every retry of this request.")
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if utf8.RuneCountInString(text) > MaxEntryChars {
		return SaveResult{}, tend.Errorf(tend.EINVALID, "This entry is too long to save. Please start a new entry for the rest.")
	}
	var res SaveResult
	err := s.store.InTx(ctx, func(tx Tx) error {
		scope := "journal_entry:" + string(personID)
		if prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key); err == nil {
			r, err := tx.JournalEntryForUpdate(ctx, personID, tend.ID(prev))
			if err != nil {
				return err
			}
			e, err := s.open(ctx, r)
			res = SaveResult{Entry: e, Unchanged: true}
			return err
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		id := tend.NewID()
		var err error
		if res, err = s.save(ctx, tx, actor, personID, id, Draft{ID: string(id), Text: text, PromptID: promptID}, text); err != nil {
			return err
		}
		return tx.PutIdempotencyKey(ctx, scope, key, string(id), s.clock.Now().UTC().Add(idempotencyTTL))
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

// save writes d to entry id inside tx (see Save).
func (s *Service) save(ctx context.Context, tx Tx, actor tend.Actor, personID, id tend.ID, d Draft, text string) (SaveResult, error) {
	var res SaveResult
	now := s.clock.Now().UTC()
	cur, err := tx.JournalEntryForUpdate(ctx, personID, id)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		err = s.create(ctx, tx, actor, personID, id, d, text, &res)
		return res, err
	}
	if err != nil {
		return res, err
	}
	e, err := s.open(ctx, cur)
	if err != nil {
		return res, err
	}
	switch {
	case text == e.Text:
		return SaveResult{Entry: e, Unchanged: true}, nil
	case d.BasedOn > cur.Revision:
		return res, tend.Errorf(tend.EINVALID, "That revision of the entry does not exist. Open the entry again.")
	case d.BasedOn < cur.Revision:
		// Saved since this writer's revision (another window, or an
		// autosave that crossed a save): keep both texts.
		text = Merge(e.Text, text)
		res.Merged = true
	}
	rec := cur
	rec.Revision, rec.UpdatedAt = cur.Revision+1, now
	if rec.Body, err = s.seal(ctx, personID, tableEntries, "body", id, text); err != nil {
		return res, err
	}
	if err := tx.UpdateJournalEntry(ctx, rec); err != nil {
		return res, err
	}
	events := []tend.AuditEvent{event(actor, string(access.JournalWrite), personID, "journal_entry:"+string(id))}
	if res.Merged {
		events = append(events, event(actor, AuditMerged, personID, "journal_entry:"+string(id)))
	}
	if err := tx.AppendAudit(ctx, events...); err != nil {
		return res, err
	}
	e.Revision, e.Text, e.UpdatedAt = rec.Revision, text, now
	res.Entry = e
	return res, nil
}

func (s *Service) create(ctx context.Context, tx Tx, actor tend.Actor, personID, id tend.ID, d Draft, text string, res *SaveResult) error {
	if d.BasedOn != 0 {
		return tend.Errorf(tend.EINVALID, "That entry is no longer in your journal. Please copy your words and start a new entry.")
	}
	if strings.TrimSpace(text) == "" {
		return tend.Errorf(tend.EINVALID, "Write something before saving.")
	}
	e := Entry{ID: id, PersonID: personID, Revision: 1, Text: text}
	if p := strings.TrimSpace(d.PromptID); p != "" {
		pid, err := tend.ParseID(p)
		if err != nil {
			return tend.Errorf(tend.EINVALID, "That prompt is no longer offered. Please choose another, or write without one.")
		}
		if e.Prompt, e.Deeper, err = s.promptText(ctx, tx, personID, pid); err != nil {
			return err
		}
		e.PromptID = pid
	}
	now := s.clock.Now().UTC()
	e.CreatedAt, e.UpdatedAt = now, now
	rec := Record{ID: id, PersonID: personID, Revision: 1, PromptID: e.PromptID, CreatedAt: now, UpdatedAt: now}
	var err error
	if rec.Body, err = s.seal(ctx, personID, tableEntries, "body", id, text); err != nil {
		return err
	}
	if rec.Prompt, err = s.seal(ctx, personID, tableEntries, "prompt", id, promptValue(e)); err != nil {
		return err
	}
	if err := tx.CreateJournalEntry(ctx, rec); err != nil {
		if tend.ErrorKind(err) == tend.ECONFLICT {
			// The id is another person's entry: never say so.
			return tend.ErrNotFound
		}
		return err
	}
	if err := tx.AppendAudit(ctx, event(actor, string(access.JournalWrite), personID, "journal_entry:"+string(id))); err != nil {
		return err
	}
	*res = SaveResult{Entry: e, Created: true}
	return nil
}

// deeperMark starts the sealed prompt of an entry started from an
// assigned prompt, so the entry keeps saying so after it is withdrawn.
const deeperMark = "assigned:"

func promptValue(e Entry) string {
	if e.Deeper {
		return deeperMark + e.Prompt
	}
	return e.Prompt
}

// promptText returns the words of an open prompt, or of one of the
// person's assignments (deeper is true then).
func (s *Service) promptText(ctx context.Context, tx Tx, personID, id tend.ID) (string, bool, error) {
	p, err := tx.FindJournalPromptTx(ctx, id)
	if err == nil {
		return p.Text, false, nil
	}
	if tend.ErrorKind(err) != tend.ENOTFOUND {
		return "", false, err
	}
	a, err := tx.FindJournalAssignmentTx(ctx, personID, id)
	if tend.ErrorKind(err) == tend.ENOTFOUND || (err == nil && a.WithdrawnAt != nil) {
		return "", false, tend.Errorf(tend.EINVALID, "That prompt is no longer offered. Please choose another, or write without one.")
	}
	if err != nil {
		return "", false, err
	}
	b, err := s.sealer.OpenPerson(ctx, personID, vault.Field{Table: tableAssignments, Column: "prompt", Row: a.ID}, a.Prompt)
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// Merge combines the text saved since a writer's revision (current) with
// the writer's own, losing neither: when one contains the other the
// longer is kept, otherwise both, the saved text first.
func Merge(current, saver string) string {
	switch {
	case strings.Contains(saver, current):
		return saver
	case strings.Contains(current, saver):
		return current
	}
	return strings.TrimRight(current, "\n") + "\n\n" + saver
}

// Readers returns the care-team members who can read the person's journal
// now, as the access policy decides for each of them, so that every entry
// box can say who will read it. Only the person asks.
func (s *Service) Readers(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Reader, error) {
	if err := s.self(ctx, actor, personID); err != nil {
		return nil, err
	}
	members, err := s.store.FindJournalMembers(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := []Reader{}
	seen := map[tend.ID]bool{}
	for _, m := range members {
		// Each member is judged exactly as their own request would be:
		// a clinician who has passed their second factor.
		staff := tend.Actor{Kind: tend.KindStaff, ID: m.StaffID, Role: tend.RoleClinician, MFA: true}
		err := s.checker.Check(ctx, staff, access.JournalRead, personID)
		switch {
		case err == nil:
			if !seen[m.StaffID] {
				seen[m.StaffID] = true
				out = append(out, Reader(m))
			}
		case tend.ErrorKind(err) != tend.EFORBIDDEN && tend.ErrorKind(err) != tend.ENOTFOUND:
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) self(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if err := s.checker.Check(ctx, actor, access.JournalRead, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return tend.ErrNotFound
	}
	return nil
}

// Prompts returns the service's open prompts; anyone signed in may read
// them (they are the service's words, about nobody).
func (s *Service) Prompts(ctx context.Context, actor tend.Actor) ([]Prompt, error) {
	if actor.Kind == "" {
		return nil, tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	return s.store.FindJournalPrompts(ctx)
}

// ManagedPrompts returns the service's open prompts for the admin page
// that manages them (admins only).
func (s *Service) ManagedPrompts(ctx context.Context, actor tend.Actor) ([]Prompt, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return nil, err
	}
	return s.store.FindJournalPrompts(ctx)
}

// AddPrompt adds an open prompt to the service's list (admins only).
// EINVALID for an empty or too long prompt.
func (s *Service) AddPrompt(ctx context.Context, actor tend.Actor, text string) (Prompt, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return Prompt{}, err
	}
	text, err := cleanPrompt(text)
	if err != nil {
		return Prompt{}, err
	}
	p := Prompt{ID: tend.NewID(), Text: text}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateJournalPrompt(ctx, p, actor.ID, s.clock.Now().UTC()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPromptAdded, "", "journal_prompt:"+string(p.ID)))
	})
	if err != nil {
		return Prompt{}, err
	}
	return p, nil
}

// RetirePrompt takes an open prompt off the list (admins only); entries
// started from it keep its words. ENOTFOUND for an unknown prompt.
func (s *Service) RetirePrompt(ctx context.Context, actor tend.Actor, id string) error {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	pid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.RetireJournalPrompt(ctx, pid, s.clock.Now().UTC()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPromptRetired, "", "journal_prompt:"+string(pid)))
	})
}

func cleanPrompt(text string) (string, error) {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return "", tend.Errorf(tend.EINVALID, "Write the prompt first.")
	}
	if utf8.RuneCountInString(text) > MaxPromptChars {
		return "", tend.Errorf(tend.EINVALID, "A prompt can be up to %d characters.", MaxPromptChars)
	}
	return text, nil
}

// Assignments returns the prompts assigned to the person that the actor
// may see: the person sees all of theirs; their therapist sees all; another
// care-team member sees those they assigned (access.HomeworkRead). A staff
// read is audited.
func (s *Service) Assignments(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Assignment, error) {
	if actor.Kind == tend.KindStaff {
		// The page is for those who may assign: the therapist, or a
		// care-team member assigning their own.
		if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}); err != nil {
			return nil, err
		}
	} else if err := s.checker.Check(ctx, actor, access.HomeworkRead, personID); err != nil {
		return nil, err
	}
	recs, err := s.store.FindJournalAssignments(ctx, personID)
	if err != nil {
		return nil, err
	}
	var ids []tend.ID
	out := []Assignment{}
	for _, r := range recs {
		if actor.Kind == tend.KindStaff {
			if err := s.checker.CheckTarget(ctx, actor, access.HomeworkRead, personID, access.Target{AssignedBy: r.AssignedBy}); err != nil {
				continue
			}
		}
		b, err := s.sealer.OpenPerson(ctx, personID, vault.Field{Table: tableAssignments, Column: "prompt", Row: r.ID}, r.Prompt)
		if err != nil {
			return nil, err
		}
		out = append(out, Assignment{ID: r.ID, PersonID: personID, Text: string(b), AssignedBy: r.AssignedBy, AssignedAt: r.AssignedAt})
		ids = append(ids, r.AssignedBy)
	}
	if len(ids) > 0 {
		names, err := s.store.FindStaffNames(ctx, ids)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].AssignedByName = names[out[i].AssignedBy]
		}
	}
	if actor.Kind == tend.KindStaff {
		err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, event(actor, string(access.HomeworkRead), personID, "journal_assignments:"+string(personID)))
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Assign gives the person a prompt (a deeper one is never a default: only
// a clinician who knows the person assigns it). The therapist, or a
// care-team member assigning it themselves, may (access.HomeworkWrite).
// EINVALID for an empty or too long prompt.
func (s *Service) Assign(ctx context.Context, actor tend.Actor, personID tend.ID, text string) (Assignment, error) {
	if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}); err != nil {
		return Assignment{}, err
	}
	if actor.Kind != tend.KindStaff {
		return Assignment{}, tend.Errorf(tend.EFORBIDDEN, "Your clinician assigns prompts.")
	}
	text, err := cleanPrompt(text)
	if err != nil {
		return Assignment{}, err
	}
	a := Assignment{ID: tend.NewID(), PersonID: personID, Text: text, AssignedBy: actor.ID, AssignedAt: s.clock.Now().UTC()}
	rec := AssignmentRecord{ID: a.ID, PersonID: personID, AssignedBy: actor.ID, AssignedAt: a.AssignedAt}
	if rec.Prompt, err = s.seal(ctx, personID, tableAssignments, "prompt", a.ID, text); err != nil {
		return Assignment{}, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateJournalAssignment(ctx, rec); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPromptAssigned, personID, "journal_assignment:"+string(a.ID)))
	})
	if err != nil {
		return Assignment{}, err
	}
	return a, nil
}

// Withdraw takes an assigned prompt away; entries written from it keep
// its words. The therapist, or the clinician who assigned it, may.
// ENOTFOUND for an assignment that is not the person's or is withdrawn.
func (s *Service) Withdraw(ctx context.Context, actor tend.Actor, personID tend.ID, id string) error {
	if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}); err != nil {
		return err
	}
	aid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		a, err := tx.FindJournalAssignmentTx(ctx, personID, aid)
		if err != nil {
			return err
		}
		if a.WithdrawnAt != nil {
			return tend.ErrNotFound
		}
		if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: a.AssignedBy}); err != nil {
			return err
		}
		if err := tx.WithdrawJournalAssignment(ctx, personID, aid, actor.ID, s.clock.Now().UTC()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPromptWithdrew, personID, "journal_assignment:"+string(aid)))
	})
}

// MayAssign reports whether actor may assign prompts to the person, so a
// page offers the link only to them.
func (s *Service) MayAssign(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return actor.Kind == tend.KindStaff &&
		s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}) == nil
}

func (s *Service) seal(ctx context.Context, personID tend.ID, table, column string, row tend.ID, text string) ([]byte, error) {
	return s.sealer.SealPerson(ctx, personID, vault.Field{Table: table, Column: column, Row: row}, []byte(text))
}

func (s *Service) open(ctx context.Context, r Record) (Entry, error) {
	e := Entry{ID: r.ID, PersonID: r.PersonID, Revision: r.Revision, PromptID: r.PromptID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	b, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: tableEntries, Column: "body", Row: r.ID}, r.Body)
	if err != nil {
		return Entry{}, err
	}
	e.Text = string(b)
	p, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: tableEntries, Column: "prompt", Row: r.ID}, r.Prompt)
	if err != nil {
		return Entry{}, err
	}
	e.Prompt, e.Deeper = strings.CutPrefix(string(p), deeperMark)
	return e, nil
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
