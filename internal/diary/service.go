package diary

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditConfigChanged = "diary_config.changed" // a row added or changed, or the skills list set
	AuditFlagged       = "diary.flagged"        // a day flagged "may not have been written by the person"
	AuditUnflagged     = "diary.unflagged"      // the flag removed
)

// The tables whose columns sealing binds each ciphertext to.
const (
	tableTargets = "diary_targets"
	tableCards   = "diary_cards"
	tableDrafts  = "diary_note_drafts"
)

// Limits, so a form cannot fill the database.
const (
	MaxTargets     = 30
	MaxLabelChars  = 60
	MaxChanges     = 200
	MaxKeyChars    = 100
	MaxRangeDays   = 400
	clockTolerance = 5 * time.Minute
)

// Service keeps diary cards.
type Service struct {
	store    Store
	checker  Checker
	sealer   Sealer
	prompter Prompter
	clock    tend.Clock
	settings func() Settings
}

// NewService returns a Service. settings gives the service's diary
// settings as they are now (nil: the defaults).
func NewService(store Store, checker Checker, sealer Sealer, prompter Prompter, clock tend.Clock, settings func() Settings) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Service{store: store, checker: checker, sealer: sealer, prompter: prompter, clock: clock, settings: settings}
}

// Settings returns the service's diary settings in force.
func (s *Service) Settings() Settings { return s.settings() }

// read checks a read of the person's diary and audits a staff read.
func (s *Service) read(ctx context.Context, actor tend.Actor, personID tend.ID, target string) error {
	if err := s.checker.Check(ctx, actor, access.DiaryRead, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.DiaryRead), personID, target))
	})
}

// Config returns the person's card configuration. Errors as
// access.Checker; a staff read is audited.
func (s *Service) Config(ctx context.Context, actor tend.Actor, personID tend.ID) (Config, error) {
	if err := s.read(ctx, actor, personID, "diary_config:"+string(personID)); err != nil {
		return Config{}, err
	}
	rec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return Config{}, err
	}
	return s.config(ctx, personID, rec)
}

// config merges the default rows with the person's stored rows.
func (s *Service) config(ctx context.Context, personID tend.ID, rec ConfigRecord) (Config, error) {
	return mergeConfig(personID, rec, func(r TargetRecord) (string, error) {
		return s.open(ctx, personID, tableTargets, "label", targetRow(personID, r.ID), r.Label)
	})
}

// mergeConfig merges the default rows with the person's stored rows,
// opening each stored label with label (nil leaves every label "": what
// a card's summary reads never depends on a label).
func mergeConfig(personID tend.ID, rec ConfigRecord, label func(TargetRecord) (string, error)) (Config, error) {
	c := Config{PersonID: personID, Set: rec.Set, Medication: rec.Medication, Group: rec.Group, TimeZone: rec.TimeZone, JoinedAt: rec.Joined}
	if c.Set == "" {
		c.Set = SkillsDBT
	}
	c.Skills = rec.Skills
	if c.Skills == nil {
		c.Skills = SetSkills(c.Set)
	}
	if loc, err := zone(rec.TimeZone); err == nil && rec.TimeZone != "" {
		c.Joined = Today(rec.Joined, loc)
	} else {
		c.Joined = Today(rec.Joined, time.UTC)
	}
	byID := map[string]TargetRecord{}
	for _, r := range rec.Targets {
		byID[r.ID] = r
	}
	targets := Defaults()
	for i, t := range targets {
		if r, ok := byID[t.ID]; ok {
			targets[i].Hidden, targets[i].Position, targets[i].ChangedBy, targets[i].ChangedAt = r.Hidden, r.Position, r.ChangedBy, r.ChangedAt
			if r.Label != nil && label != nil {
				l, err := label(r)
				if err != nil {
					return Config{}, err
				}
				targets[i].Label = l
			}
			delete(byID, t.ID)
		}
	}
	for _, r := range rec.Targets {
		if _, ok := byID[r.ID]; !ok {
			continue
		}
		t := Target{ID: r.ID, Section: r.Section, Kind: r.Kind, UrgeID: r.UrgeID, Counted: r.Counted, Medical: r.Medical,
			Hidden: r.Hidden, Position: r.Position, ChangedBy: r.ChangedBy, ChangedAt: r.ChangedAt}
		if r.Label != nil && label != nil {
			l, err := label(r)
			if err != nil {
				return Config{}, err
			}
			t.Label = l
		}
		targets = append(targets, t)
	}
	order := map[Section]int{SectionUrge: 0, SectionAction: 1, SectionEmotion: 2}
	slices.SortStableFunc(targets, func(a, b Target) int {
		if d := order[a.Section] - order[b.Section]; d != 0 {
			return d
		}
		return a.Position - b.Position
	})
	c.Targets = targets
	return c, nil
}

func targetRow(personID tend.ID, id string) tend.ID { return tend.ID(string(personID) + ":" + id) }

func draftRow(personID tend.ID, day time.Time) tend.ID {
	return tend.ID(string(personID) + ":" + day.Format(DayLayout))
}

func (s *Service) open(ctx context.Context, personID tend.ID, table, column string, row tend.ID, b []byte) (string, error) {
	if b == nil {
		return "", nil
	}
	p, err := s.sealer.OpenPerson(ctx, personID, vault.Field{Table: table, Column: column, Row: row}, b)
	if err != nil {
		return "", err
	}
	return string(p), nil
}

func (s *Service) seal(ctx context.Context, personID tend.ID, table, column string, row tend.ID, text string) ([]byte, error) {
	return s.sealer.SealPerson(ctx, personID, vault.Field{Table: table, Column: column, Row: row}, []byte(text))
}

func (s *Service) openCard(ctx context.Context, r CardRecord) (Card, error) {
	c := Card{ID: r.ID, PersonID: r.PersonID, Day: r.Day, TimeZone: r.TimeZone, ScaleVersion: r.ScaleVersion, Values: r.Values,
		NoteAt: r.NoteAt, LateDays: r.LateDays, InSession: r.InSession, EnteredBy: r.EnteredBy,
		FirstSavedAt: r.FirstSavedAt, UpdatedAt: r.UpdatedAt, Summary: r.Summary}
	if c.Values == nil {
		c.Values = map[Field]Value{}
	}
	note, err := s.open(ctx, r.PersonID, tableCards, "note", r.ID, r.Note)
	if err != nil {
		return Card{}, err
	}
	c.Note = note
	return c, nil
}

// Actions returns the action rows of the person's card, hidden ones too
// (an analysis may be about any of them). Like TargetOf, it checks no
// access and audits nothing.
func (s *Service) Actions(ctx context.Context, personID tend.ID) ([]Target, error) {
	rec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, personID, rec)
	if err != nil {
		return nil, err
	}
	return cfg.Section(SectionAction, true), nil
}

// TargetOf returns one row of the person's card, and false when the card
// has no such row. It checks no access: it is for pages that have already
// checked the caller may read a record naming the row (a chain analysis
// about an action), and it audits nothing.
func (s *Service) TargetOf(ctx context.Context, personID tend.ID, id string) (Target, bool, error) {
	rec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return Target{}, false, err
	}
	cfg, err := s.config(ctx, personID, rec)
	if err != nil {
		return Target{}, false, err
	}
	t, ok := cfg.Target(id)
	return t, ok, nil
}

// CardView is one day's card with what the card page needs besides it.
type CardView struct {
	Config Config
	Day    time.Time
	Card   Card
	Exists bool
	// Draft is the autosaved note not yet saved with the card ("" for
	// none), newer than the card's note.
	Draft   string
	DraftAt time.Time
	Flag    *Flag
}

// Card returns the person's card for day (Exists false when there is
// none yet). Errors as access.Checker; a staff read is audited.
func (s *Service) Card(ctx context.Context, actor tend.Actor, personID tend.ID, day time.Time) (CardView, error) {
	if err := s.read(ctx, actor, personID, "diary_card:"+string(personID)+":"+day.Format(DayLayout)); err != nil {
		return CardView{}, err
	}
	rec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return CardView{}, err
	}
	cfg, err := s.config(ctx, personID, rec)
	if err != nil {
		return CardView{}, err
	}
	v := CardView{Config: cfg, Day: day}
	cards, err := s.store.FindDiaryCards(ctx, personID, day, day)
	if err != nil {
		return CardView{}, err
	}
	if len(cards) > 0 {
		if v.Card, err = s.openCard(ctx, cards[0]); err != nil {
			return CardView{}, err
		}
		v.Exists = true
	}
	if actor.Kind == tend.KindPerson {
		b, at, err := s.store.FindDiaryNoteDraft(ctx, personID, day)
		switch {
		case err == nil && at.After(v.Card.NoteAt):
			if v.Draft, err = s.open(ctx, personID, tableDrafts, "body", draftRow(personID, day), b); err != nil {
				return CardView{}, err
			}
			v.DraftAt = at
		case err != nil && tend.ErrorKind(err) != tend.ENOTFOUND:
			return CardView{}, err
		}
	}
	flags, err := s.store.FindDiaryFlags(ctx, personID, day, day)
	if err != nil {
		return CardView{}, err
	}
	if len(flags) > 0 {
		v.Flag = &flags[0]
	}
	return v, nil
}

// Cards returns the person's cards dated from..to (at most MaxRangeDays),
// oldest first. EINVALID for a reversed or too long range; access as
// Config.
func (s *Service) Cards(ctx context.Context, actor tend.Actor, personID tend.ID, from, to time.Time) ([]Card, error) {
	if to.Before(from) || DaysBetween(from, to) >= MaxRangeDays {
		return nil, tend.Errorf(tend.EINVALID, "Ask for at most %d days, with from on or before to.", MaxRangeDays)
	}
	if err := s.read(ctx, actor, personID, "diary:"+string(personID)+":"+from.Format(DayLayout)+".."+to.Format(DayLayout)); err != nil {
		return nil, err
	}
	recs, err := s.store.FindDiaryCards(ctx, personID, from, to)
	if err != nil {
		return nil, err
	}
	return s.openCards(ctx, recs)
}

// openCards opens card records, in their order.
func (s *Service) openCards(ctx context.Context, recs []CardRecord) ([]Card, error) {
	out := make([]Card, 0, len(recs))
	for _, r := range recs {
		c, err := s.openCard(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// AllCards returns every card of the person, oldest first, for the
// exports that carry their whole history (FHIR, the person's download);
// an imported history may reach back before the day they joined. Errors
// as access.Checker; a staff read is audited once.
func (s *Service) AllCards(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Card, error) {
	if err := s.read(ctx, actor, personID, "diary:"+string(personID)+":all"); err != nil {
		return nil, err
	}
	first, last, ok, err := s.store.FindDiaryDays(ctx, personID)
	if err != nil || !ok {
		return []Card{}, err
	}
	recs, err := s.store.FindDiaryCards(ctx, personID, first, last)
	if err != nil {
		return nil, err
	}
	return s.openCards(ctx, recs)
}

// History returns the saves of the person's card for day, oldest first.
func (s *Service) History(ctx context.Context, actor tend.Actor, personID tend.ID, day time.Time) ([]SaveRecord, error) {
	if err := s.read(ctx, actor, personID, "diary_history:"+string(personID)+":"+day.Format(DayLayout)); err != nil {
		return nil, err
	}
	return s.store.FindDiarySaves(ctx, personID, day)
}

// Change is one field's new value (nil clears it) and when it was edited
// on the device (zero: the save's time).
type Change struct {
	Field Field
	Value *int
	At    time.Time
}

// Input is one save of a card.
type Input struct {
	Day string // YYYY-MM-DD, the person's civil date
	// TimeZone is the device's zone ("" for the person's own).
	TimeZone string
	// Key names the save: a retry with the same key changes nothing more.
	Key string
	// EditedAt is when the edits were made on the device (zero: now).
	EditedAt time.Time
	Changes  []Change
	// Note is the day's note; nil leaves it as it is.
	Note *string
	// Imported: the card comes from another record (a FHIR import), so
	// its day may be before the person joined Tend; never in the future.
	Imported bool
}

// Saved says what a save did.
type Saved struct {
	Card Card
	// Created: this save made the card. Replay: the key was seen before, and
	// nothing changed.
	Created, Replay bool
	// Applied lists what took effect; a field edited later elsewhere kept
	// the later value.
	Applied []Field
	// Prompts are the safety prompts the save raised (empty Response
	// entries omitted). Act: it recorded a self-harm act or a suicide
	// attempt (the screen then asks about physical safety first when the
	// card is for today or yesterday).
	Prompts []followup.Outcome
	Act     bool
}

// Prompted reports whether the save raised a safety prompt: the person
// sees the safety screen at once.
func (sv Saved) Prompted() bool { return len(sv.Prompts) > 0 || sv.Act }

// Outcome returns the prompt outcome the safety screen tells the person
// about: a task before a flag before nothing.
func (sv Saved) Outcome() followup.Outcome {
	rank := map[followup.Response]int{followup.ResponseTask: 0, followup.ResponseNextSession: 1, followup.ResponseNone: 2}
	best := followup.Outcome{}
	for i, o := range sv.Prompts {
		if i == 0 || rank[o.Response] < rank[best.Response] {
			best = o
		}
	}
	return best
}

// Save applies one save of the person's card: each field takes the later
// edit (by device time), the note likewise; every accepted save is kept in
// the history, and a retry with the same key changes nothing. The person
// saves their own card; a care-team member with "see and edit" on the
// diary enters it in session. Safety prompts are raised in the same unit
// of work. EINVALID for a bad date (future, or before the person joined
// unless the card is Imported),
// zone, key, field or rating, with nothing saved; access as
// access.Checker.
func (s *Service) Save(ctx context.Context, actor tend.Actor, personID tend.ID, in Input) (Saved, error) {
	if err := s.checker.Check(ctx, actor, access.DiaryWrite, personID); err != nil {
		return Saved{}, err
	}
	key := strings.TrimSpace(in.Key)
	if key == "" || len(key) > MaxKeyChars {
		return Saved{}, tend.Errorf(tend.EINVALID, "Send an Idempotency-Key, the same on every retry of this save. Nothing was saved.")
	}
	day, err := ParseDay(strings.TrimSpace(in.Day))
	if err != nil {
		return Saved{}, err
	}
	if len(in.Changes) > MaxChanges {
		return Saved{}, tend.Errorf(tend.EINVALID, "Too many changes in one save. Nothing was saved.")
	}
	var note *string
	if in.Note != nil {
		n := strings.TrimSpace(strings.ReplaceAll(*in.Note, "\r\n", "\n"))
		if utf8.RuneCountInString(n) > MaxNoteChars {
			return Saved{}, tend.Errorf(tend.EINVALID, "The note is too long to save (at most %d characters). Nothing was saved.", MaxNoteChars)
		}
		note = &n
	}
	now := s.clock.Now().UTC()
	edited := in.EditedAt.UTC()
	if edited.IsZero() || edited.After(now.Add(clockTolerance)) {
		edited = now
	}
	changes := make([]Change, 0, len(in.Changes))
	seen := map[Field]bool{}
	for _, ch := range in.Changes {
		f, err := parseField(string(ch.Field))
		if err != nil {
			return Saved{}, err
		}
		if seen[f] {
			return Saved{}, tend.Errorf(tend.EINVALID, "The save names %s twice. Nothing was saved.", f)
		}
		seen[f] = true
		at := ch.At.UTC()
		if at.IsZero() || at.After(now.Add(clockTolerance)) {
			at = edited
		}
		changes = append(changes, Change{Field: f, Value: ch.Value, At: at})
	}
	// The configuration is read before the unit of work, so that the
	// write lock is held only for the card itself (rows are never removed,
	// only hidden, so a change in between cannot make a save invalid).
	crec, err := s.store.FindDiaryConfig(ctx, personID)
	if err != nil {
		return Saved{}, err
	}
	cfg, err := s.config(ctx, personID, crec)
	if err != nil {
		return Saved{}, err
	}
	var out Saved
	err = s.store.InTx(ctx, func(tx Tx) error {
		out, err = s.save(ctx, tx, actor, cfg, day, in.TimeZone, key, now, edited, changes, note, in.Imported)
		return err
	})
	if err != nil {
		return Saved{}, err
	}
	return out, nil
}

func (s *Service) save(ctx context.Context, tx Tx, actor tend.Actor, cfg Config, day time.Time, zone, key string,
	now, edited time.Time, changes []Change, note *string, imported bool) (Saved, error) {
	personID := cfg.PersonID
	prev, err := tx.FindDiarySaveByKey(ctx, personID, key)
	if err == nil {
		return s.replay(ctx, tx, actor, cfg, prev)
	} else if tend.ErrorKind(err) != tend.ENOTFOUND {
		return Saved{}, err
	}
	if zone == "" {
		zone = cfg.TimeZone
	}
	loc, err := LoadZone(zone)
	if err != nil {
		return Saved{}, err
	}
	today := Today(now, loc)
	if day.After(today) {
		return Saved{}, tend.Errorf(tend.EINVALID, "That day has not happened yet. Nothing was saved.")
	}
	if !imported && day.Before(Today(cfg.JoinedAt, loc)) {
		return Saved{}, tend.Errorf(tend.EINVALID, "That day is before you joined, so it has no card. Nothing was saved.")
	}
	for _, ch := range changes {
		if ch.Value == nil {
			if _, err := parseField(string(ch.Field)); err != nil {
				return Saved{}, err
			}
			continue
		}
		if err := cfg.check(ch.Field, *ch.Value); err != nil {
			return Saved{}, err
		}
	}
	if actor.Kind == tend.KindStaff {
		if err := tx.AppendAudit(ctx, event(actor, string(access.DiaryWrite), personID, "diary_card:"+day.Format(DayLayout))); err != nil {
			return Saved{}, err
		}
	}
	rec, err := tx.DiaryCardForUpdate(ctx, personID, day)
	created := false
	switch {
	case tend.ErrorKind(err) == tend.ENOTFOUND:
		rec = CardRecord{ID: tend.NewID(), PersonID: personID, Day: day, TimeZone: loc.String(), ScaleVersion: ScaleVersion,
			Values: map[Field]Value{}, LateDays: max(DaysBetween(day, today), 0), InSession: actor.Kind == tend.KindStaff,
			EnteredBy: actor.ID, FirstSavedAt: now, UpdatedAt: now}
		created = true
	case err != nil:
		return Saved{}, err
	}
	var applied []Field
	for _, ch := range changes {
		cur, ok := rec.Values[ch.Field]
		if ok && ch.At.Before(cur.EditedAt) {
			continue
		}
		rec.Values[ch.Field] = Value{V: ch.Value, EditedAt: ch.At}
		applied = append(applied, ch.Field)
	}
	noteApplied := false
	if note != nil && (rec.NoteAt.IsZero() || !edited.Before(rec.NoteAt)) {
		rec.Note = nil
		if *note != "" {
			if rec.Note, err = s.seal(ctx, personID, tableCards, "note", rec.ID, *note); err != nil {
				return Saved{}, err
			}
		}
		rec.NoteAt = edited
		noteApplied = true
	}
	rec.Summary = Summarize(cfg, rec.Values, s.settings().Level())
	rec.UpdatedAt = now
	if created {
		if err := tx.CreateDiaryCard(ctx, rec); err != nil {
			return Saved{}, err
		}
	} else if err := tx.UpdateDiaryCard(ctx, rec, applied); err != nil {
		return Saved{}, err
	}
	if noteApplied {
		if err := tx.DeleteDiaryNoteDraft(ctx, personID, day); err != nil {
			return Saved{}, err
		}
	}
	sent := map[Field]*int{}
	for _, ch := range changes {
		sent[ch.Field] = ch.Value
	}
	hist := SaveRecord{ID: tend.NewID(), PersonID: personID, CardID: rec.ID, Day: day, Key: key, SavedBy: actor.ID,
		InSession: actor.Kind == tend.KindStaff, EditedAt: edited, SavedAt: now, Changes: sent, NoteChanged: note != nil, Applied: applied}
	if err := tx.CreateDiarySave(ctx, hist); err != nil {
		return Saved{}, err
	}
	out := Saved{Created: created, Applied: applied}
	if err := s.prompts(ctx, tx, actor, cfg, rec, changes, &out); err != nil {
		return Saved{}, err
	}
	c, err := s.openCard(ctx, rec)
	if err != nil {
		return Saved{}, err
	}
	out.Card = c
	return out, nil
}

// replay answers a retry of an accepted save as the save was answered: the
// card as it is now, what the save applied, and the safety prompts its
// changes raised (raised again, they add nothing: a source raises a kind
// once), so a resent form or request shows the person the same safety
// screen.
func (s *Service) replay(ctx context.Context, tx Tx, actor tend.Actor, cfg Config, prev SaveRecord) (Saved, error) {
	rec, err := tx.DiaryCardForUpdate(ctx, cfg.PersonID, prev.Day)
	if err != nil {
		return Saved{}, err
	}
	out := Saved{Replay: true, Applied: prev.Applied}
	changes := make([]Change, 0, len(prev.Changes))
	for f, v := range prev.Changes {
		changes = append(changes, Change{Field: f, Value: v, At: prev.EditedAt})
	}
	slices.SortFunc(changes, func(a, b Change) int { return strings.Compare(string(a.Field), string(b.Field)) })
	if err := s.prompts(ctx, tx, actor, cfg, rec, changes, &out); err != nil {
		return Saved{}, err
	}
	out.Card, err = s.openCard(ctx, rec)
	return out, err
}

// prompts raises the safety prompts the save contains: a self-harm act or
// a suicide attempt recorded, or an urge to end one's life rated at or
// above the service's level (safety-rules.md section 4). The card is the
// source, so a card raises each kind once however often it is saved.
func (s *Service) prompts(ctx context.Context, tx Tx, actor tend.Actor, cfg Config, rec CardRecord, changes []Change, out *Saved) error {
	if s.prompter == nil {
		return nil
	}
	for _, ch := range changes {
		if ch.Value == nil {
			continue
		}
		prefix, id := ch.Field.split()
		t, ok := cfg.Target(id)
		if !ok {
			continue
		}
		var tr followup.Trigger
		switch {
		case (prefix == prefixAct && *ch.Value == Yes || prefix == prefixCount && *ch.Value > 0) && t.Kind.Act():
			tr = followup.Trigger{PersonID: cfg.PersonID, Kind: followup.KindAct, SourceID: rec.ID, RecordedAt: ch.At}
			out.Act = true
		case prefix == prefixUrge && t.Kind == KindUrgeToDie:
			tr = followup.Trigger{PersonID: cfg.PersonID, Kind: followup.KindUrgeToDie, SourceID: rec.ID, RecordedAt: ch.At, Rating: *ch.Value}
		default:
			continue
		}
		o, err := s.prompter.Raise(ctx, tx, actor, tr)
		if err != nil {
			return err
		}
		if o.Response != "" {
			out.Prompts = append(out.Prompts, o)
		}
	}
	return nil
}

// SaveDraft autosaves the day's note as the person types: one unversioned
// draft per day, replaced by each autosave and removed when the card is
// saved with its note. Only the person drafts their own note. EINVALID for
// a bad date or an overlong note.
func (s *Service) SaveDraft(ctx context.Context, actor tend.Actor, personID tend.ID, dayText, text string) error {
	if err := s.checker.Check(ctx, actor, access.DiaryWrite, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return tend.Errorf(tend.EFORBIDDEN, "Only the person drafts their own note.")
	}
	day, err := ParseDay(dayText)
	if err != nil {
		return err
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if utf8.RuneCountInString(text) > MaxNoteChars {
		return tend.Errorf(tend.EINVALID, "The note is too long to save (at most %d characters).", MaxNoteChars)
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if strings.TrimSpace(text) == "" {
			return tx.DeleteDiaryNoteDraft(ctx, personID, day)
		}
		b, err := s.seal(ctx, personID, tableDrafts, "body", draftRow(personID, day), text)
		if err != nil {
			return err
		}
		return tx.PutDiaryNoteDraft(ctx, personID, day, b, s.clock.Now().UTC())
	})
}

// SetFlag notes, or un-notes, that a day "may not have been written by the
// person" (safety-rules.md section 9): a care-team member who reads the
// diary records it; Tend never infers it.
func (s *Service) SetFlag(ctx context.Context, actor tend.Actor, personID tend.ID, day time.Time, on bool) error {
	if err := s.checker.Check(ctx, actor, access.DiaryRead, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindStaff {
		return tend.Errorf(tend.EFORBIDDEN, "Only the care team notes this.")
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		target := "diary_card:" + day.Format(DayLayout)
		if !on {
			if err := tx.DeleteDiaryFlag(ctx, personID, day); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, event(actor, AuditUnflagged, personID, target))
		}
		if err := tx.PutDiaryFlag(ctx, Flag{PersonID: personID, Day: day, FlaggedBy: actor.ID, FlaggedAt: s.clock.Now().UTC()}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditFlagged, personID, target))
	})
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
