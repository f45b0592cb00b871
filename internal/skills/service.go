package skills

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditEnded     = "homework.ended"     // a clinician ended or withdrew homework
	AuditPractice  = "homework.practiced" // the person logged practice
	AuditFavourite = "skills.favourite"   // the person marked or unmarked a favourite
)

// Limits on what one form holds, so a form cannot fill the database.
const (
	MaxNoteChars = 2000
	// idempotencyTTL is how long a practice log's key is remembered: long
	// enough for an offline retry days later.
	idempotencyTTL = 7 * 24 * time.Hour
)

// The tables sealing binds each ciphertext to.
const (
	homeworkTable = "homework"
	practiceTable = "homework_practice"
)

// Service keeps favourites, homework and practice.
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

// self checks that actor is the person: favourites and the person's own
// pages are theirs alone, so anyone else gets ENOTFOUND.
func (s *Service) self(ctx context.Context, actor tend.Actor, action access.Action, personID tend.ID) error {
	if err := s.checker.Check(ctx, actor, action, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return tend.ErrNotFound
	}
	return nil
}

// Favourites returns the ids of the person's favourite skills, newest
// first. Only the person reads them (ENOTFOUND for anyone else).
func (s *Service) Favourites(ctx context.Context, actor tend.Actor, personID tend.ID) ([]string, error) {
	if err := s.self(ctx, actor, access.HomeworkRead, personID); err != nil {
		return nil, err
	}
	return s.store.FindSkillFavourites(ctx, personID)
}

// SetFavourite marks (on) or unmarks a skill as one of the person's
// favourites; doing it twice changes nothing more. ENOTFOUND for a skill
// that is not in the library.
func (s *Service) SetFavourite(ctx context.Context, actor tend.Actor, personID tend.ID, skillID string, on bool) error {
	if err := s.self(ctx, actor, access.HomeworkWrite, personID); err != nil {
		return err
	}
	if _, ok := Find(skillID); !ok {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if on {
			err = tx.PutSkillFavourite(ctx, personID, skillID)
		} else {
			err = tx.DeleteSkillFavourite(ctx, personID, skillID)
		}
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditFavourite, personID, "skill:"+skillID))
	})
}

// parseItem reads "skill:<id>" or "worksheet:<id>".
func parseItem(item string) (skill, worksheet string, err error) {
	kind, id, _ := strings.Cut(strings.TrimSpace(item), ":")
	switch kind {
	case "skill":
		if _, ok := Find(id); ok {
			return id, "", nil
		}
	case "worksheet":
		if _, ok := FindWorksheet(id); ok {
			return "", id, nil
		}
	}
	return "", "", tend.Errorf(tend.EINVALID, "Choose a skill or a worksheet from the list.")
}

// Assign gives the person a skill or worksheet to practise, with a due date
// or a frequency (never both) and an optional note, sealed. Any active
// care-team member may assign; EINVALID for a bad form, access errors as
// access.Checker.
func (s *Service) Assign(ctx context.Context, actor tend.Actor, personID tend.ID, a Assignment) (Homework, error) {
	if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}); err != nil {
		return Homework{}, err
	}
	if actor.Kind != tend.KindStaff {
		return Homework{}, tend.Errorf(tend.EFORBIDDEN, "Your clinician assigns homework.")
	}
	skill, worksheet, err := parseItem(a.Item)
	if err != nil {
		return Homework{}, err
	}
	due := strings.TrimSpace(a.Due)
	switch {
	case due != "" && a.PerWeek != 0:
		return Homework{}, tend.Errorf(tend.EINVALID, "Give either a date or how often, not both.")
	case due == "" && a.PerWeek == 0:
		return Homework{}, tend.Errorf(tend.EINVALID, "Give a date or how often to practise.")
	case a.PerWeek < 0 || a.PerWeek > 7:
		return Homework{}, tend.Errorf(tend.EINVALID, "Choose how often from the list.")
	case due != "":
		if _, err := time.Parse(time.DateOnly, due); err != nil {
			return Homework{}, tend.Errorf(tend.EINVALID, "Give the date as year-month-day, like 2026-03-14.")
		}
	}
	note := strings.TrimSpace(a.Note)
	if utf8.RuneCountInString(note) > MaxNoteChars {
		return Homework{}, tend.Errorf(tend.EINVALID, "The note is too long. Please make it shorter.")
	}
	rec := HomeworkRecord{ID: tend.NewID(), PersonID: personID, SkillID: skill, Worksheet: worksheet, Due: due, PerWeek: a.PerWeek,
		AssignedBy: actor.ID, AssignedAt: s.now()}
	if note != "" {
		if rec.Note, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: homeworkTable, Column: "note", Row: rec.ID}, []byte(note)); err != nil {
			return Homework{}, fmt.Errorf("skills: seal homework note: %w", err)
		}
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateHomework(ctx, rec); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, string(access.HomeworkWrite), personID, "homework:"+string(rec.ID)))
	})
	if err != nil {
		return Homework{}, err
	}
	return Homework{ID: rec.ID, PersonID: personID, SkillID: skill, Worksheet: worksheet, Due: due, PerWeek: a.PerWeek, Note: note,
		AssignedBy: actor.ID, AssignedAt: rec.AssignedAt}, nil
}

// End ends (or withdraws) open homework: it leaves the person's home page,
// and its practice stays. The therapist, or the clinician who assigned it;
// ENOTFOUND for homework that is not the person's or not open.
func (s *Service) End(ctx context.Context, actor tend.Actor, personID, homeworkID tend.ID) error {
	if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}); err != nil {
		return err
	}
	if actor.Kind != tend.KindStaff {
		return tend.ErrNotFound
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		h, err := tx.HomeworkByID(ctx, personID, homeworkID)
		if err != nil {
			return err
		}
		if err := s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: h.AssignedBy}); err != nil {
			return tend.ErrNotFound // another clinician's homework is not theirs to see
		}
		if err := tx.EndHomework(ctx, personID, homeworkID, actor.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditEnded, personID, "homework:"+string(homeworkID)))
	})
}

// List returns the person's homework the actor may read, newest first,
// each with its practice, and (for the person and the therapist) the
// practice of skills outside homework. open limits it to open homework.
// The person's reads write nothing; a staff read is audited once. Anyone on
// the care team may call it (to assign), seeing only what the policy lets
// them: the therapist all, others what they assigned.
func (s *Service) List(ctx context.Context, actor tend.Actor, personID tend.ID, open bool) ([]Homework, []Practice, error) {
	if err := s.checker.CheckTarget(ctx, actor, access.HomeworkRead, personID, access.Target{AssignedBy: actor.ID}); err != nil {
		return nil, nil, err
	}
	if actor.Kind == tend.KindStaff {
		if err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, event(actor, string(access.HomeworkRead), personID, "homework:"+string(personID)))
		}); err != nil {
			return nil, nil, err
		}
	}
	f := HomeworkFilter{PersonID: personID}
	if open {
		f.Open = &open
	}
	recs, err := s.store.FindHomework(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	mayRead := map[tend.ID]bool{} // by assigner
	var out []Homework
	for _, r := range recs {
		ok, seen := mayRead[r.AssignedBy]
		if !seen {
			ok = s.checker.CheckTarget(ctx, actor, access.HomeworkRead, personID, access.Target{AssignedBy: r.AssignedBy}) == nil
			mayRead[r.AssignedBy] = ok
		}
		if !ok {
			continue
		}
		h, err := s.openHomework(ctx, r)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, h)
	}
	// Practice outside homework has no assigner: the therapist's and the person's.
	loose := s.checker.CheckTarget(ctx, actor, access.HomeworkRead, personID, access.Target{}) == nil
	prs, err := s.store.FindHomeworkPractice(ctx, personID)
	if err != nil {
		return nil, nil, err
	}
	index := map[tend.ID]int{}
	for i, h := range out {
		index[h.ID] = i
	}
	var free []Practice
	for _, r := range prs {
		i, ok := index[r.HomeworkID]
		if r.HomeworkID != "" && !ok {
			continue
		}
		if r.HomeworkID == "" && !loose {
			continue
		}
		p, err := s.openPractice(ctx, r)
		if err != nil {
			return nil, nil, err
		}
		if r.HomeworkID == "" {
			free = append(free, p)
		} else {
			out[i].Practice = append(out[i].Practice, p)
		}
	}
	if err := s.names(ctx, out); err != nil {
		return nil, nil, err
	}
	return out, free, nil
}

// FindHomework returns one piece of the person's homework for the person,
// with its practice; ENOTFOUND for anyone else's.
func (s *Service) FindHomework(ctx context.Context, actor tend.Actor, personID, homeworkID tend.ID) (Homework, error) {
	if err := s.self(ctx, actor, access.HomeworkRead, personID); err != nil {
		return Homework{}, err
	}
	recs, err := s.store.FindHomework(ctx, HomeworkFilter{PersonID: personID, ID: &homeworkID})
	if err != nil {
		return Homework{}, err
	}
	if len(recs) == 0 {
		return Homework{}, tend.ErrNotFound
	}
	h, err := s.openHomework(ctx, recs[0])
	if err != nil {
		return Homework{}, err
	}
	prs, err := s.store.FindHomeworkPractice(ctx, personID)
	if err != nil {
		return Homework{}, err
	}
	for _, r := range prs {
		if r.HomeworkID == h.ID {
			p, err := s.openPractice(ctx, r)
			if err != nil {
				return Homework{}, err
			}
			h.Practice = append(h.Practice, p)
		}
	}
	hs := []Homework{h}
	if err := s.names(ctx, hs); err != nil {
		return Homework{}, err
	}
	return hs[0], nil
}

// LogPractice records that the person practised homework (homeworkID) or a
// library skill on their own (homeworkID "" and skillID): done, with an
// optional note and worksheet answers (sealed) and whether it helped. A
// retry with the same key adds nothing and returns the first practice with
// added false. Only the person logs their practice; EINVALID for a bad
// form, ENOTFOUND for homework that is not theirs or no longer open.
func (s *Service) LogPractice(ctx context.Context, actor tend.Actor, personID, homeworkID tend.ID, skillID string, n NewPractice) (Practice, bool, error) {
	if err := s.self(ctx, actor, access.HomeworkWrite, personID); err != nil {
		return Practice{}, false, err
	}
	key := strings.TrimSpace(n.Key)
	if key == "" || len(key) > 100 {
		return Practice{}, false, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
	}
	if !n.Helpful.Valid() {
		return Practice{}, false, tend.Errorf(tend.EINVALID, "Choose whether it helped, or leave it.")
	}
	note := strings.TrimSpace(n.Note)
	if utf8.RuneCountInString(note) > MaxNoteChars {
		return Practice{}, false, tend.Errorf(tend.EINVALID, "The note is too long. Please make it shorter.")
	}
	p := Practice{ID: tend.NewID(), PersonID: personID, HomeworkID: homeworkID, SkillID: skillID, Helpful: n.Helpful, Note: note, RecordedAt: s.now()}
	var added bool
	err := s.store.InTx(ctx, func(tx Tx) error {
		scope := "homework_practice:" + string(personID)
		if prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key); err == nil {
			p = Practice{ID: tend.ID(prev), PersonID: personID, HomeworkID: homeworkID, SkillID: skillID}
			return nil
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		if homeworkID != "" {
			h, err := tx.HomeworkByID(ctx, personID, homeworkID)
			if err != nil {
				return err
			}
			if !h.EndedAt.IsZero() {
				return tend.Errorf(tend.ENOTFOUND, "This homework has ended. You can still practise the skill from the library.")
			}
			p.SkillID, p.Worksheet = h.SkillID, h.Worksheet
			if sk, ok := Find(h.SkillID); ok {
				p.Worksheet = sk.Worksheet // a skill practised through its worksheet
			}
		} else {
			sk, ok := Find(skillID)
			if !ok {
				return tend.ErrNotFound
			}
			p.Worksheet = sk.Worksheet
		}
		if p.Worksheet != "" {
			w, _ := FindWorksheet(p.Worksheet)
			answers, err := w.Clean(n.Answers)
			if err != nil {
				return err
			}
			if len(answers) > 0 {
				p.Answers = answers
			}
		}
		rec := PracticeRecord{ID: p.ID, PersonID: personID, HomeworkID: p.HomeworkID, SkillID: p.SkillID, Worksheet: p.Worksheet,
			RecordedAt: p.RecordedAt, Helpful: p.Helpful}
		var err error
		if note != "" {
			if rec.Note, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: practiceTable, Column: "note", Row: rec.ID}, []byte(note)); err != nil {
				return fmt.Errorf("skills: seal practice note: %w", err)
			}
		}
		if p.Answers != nil {
			b, err := json.Marshal(p.Answers)
			if err != nil {
				return fmt.Errorf("skills: encode answers: %w", err)
			}
			if rec.Answers, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: practiceTable, Column: "answers", Row: rec.ID}, b); err != nil {
				return fmt.Errorf("skills: seal answers: %w", err)
			}
		}
		if err := tx.CreateHomeworkPractice(ctx, rec); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, event(actor, AuditPractice, personID, "homework_practice:"+string(rec.ID))); err != nil {
			return err
		}
		added = true
		return tx.PutIdempotencyKey(ctx, scope, key, string(rec.ID), rec.RecordedAt.Add(idempotencyTTL))
	})
	if err != nil {
		return Practice{}, false, err
	}
	return p, added, nil
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) openHomework(ctx context.Context, r HomeworkRecord) (Homework, error) {
	h := Homework{ID: r.ID, PersonID: r.PersonID, SkillID: r.SkillID, Worksheet: r.Worksheet, Due: r.Due, PerWeek: r.PerWeek,
		AssignedBy: r.AssignedBy, AssignedAt: r.AssignedAt, EndedAt: r.EndedAt}
	if r.Note != nil {
		b, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: homeworkTable, Column: "note", Row: r.ID}, r.Note)
		if err != nil {
			return Homework{}, err
		}
		h.Note = string(b)
	}
	return h, nil
}

func (s *Service) openPractice(ctx context.Context, r PracticeRecord) (Practice, error) {
	p := Practice{ID: r.ID, PersonID: r.PersonID, HomeworkID: r.HomeworkID, SkillID: r.SkillID, Worksheet: r.Worksheet,
		RecordedAt: r.RecordedAt, Helpful: r.Helpful}
	if r.Note != nil {
		b, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: practiceTable, Column: "note", Row: r.ID}, r.Note)
		if err != nil {
			return Practice{}, err
		}
		p.Note = string(b)
	}
	if r.Answers != nil {
		b, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: practiceTable, Column: "answers", Row: r.ID}, r.Answers)
		if err != nil {
			return Practice{}, err
		}
		if err := json.Unmarshal(b, &p.Answers); err != nil {
			return Practice{}, fmt.Errorf("skills: decode answers: %w", err)
		}
	}
	return p, nil
}

func (s *Service) names(ctx context.Context, hs []Homework) error {
	var ids []tend.ID
	for _, h := range hs {
		ids = append(ids, h.AssignedBy)
	}
	if len(ids) == 0 {
		return nil
	}
	names, err := s.store.FindStaffNames(ctx, ids)
	if err != nil {
		return err
	}
	for i := range hs {
		hs[i].AssignedByName = names[hs[i].AssignedBy]
	}
	return nil
}

// Items lists what a clinician can assign, as the assign form's values.
func Items() []string {
	var out []string
	for _, s := range Library {
		out = append(out, "skill:"+s.ID)
	}
	for _, w := range Worksheets {
		out = append(out, "worksheet:"+w.ID)
	}
	return out
}

// ParsePerWeek reads the frequency select ("" for none).
func ParsePerWeek(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 7 {
		return 0, tend.Errorf(tend.EINVALID, "Choose how often from the list.")
	}
	return n, nil
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}

// SeesAll reports whether actor reads all of the person's homework (the
// therapist's view), not only what they assigned, so a page can say which.
func (s *Service) SeesAll(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return s.checker.CheckTarget(ctx, actor, access.HomeworkRead, personID, access.Target{}) == nil
}
