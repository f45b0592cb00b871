package medication

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditStopped = "medication.stopped"
)

// Limits, so a form cannot fill the database.
const (
	MaxNameChars     = 200
	MaxDoseChars     = 200
	MaxScheduleChars = 500
)

// table is where medications live; sealing binds each field to its row.
const table = "medications"

// Service keeps medication lists.
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

// New is a medication as the prescriber adds it.
type New struct {
	// ID names the medication. A form carries a fresh id, so a retry of
	// the same form adds nothing; "" makes a new one.
	ID        string
	Name      string
	Dose      string
	Schedule  string
	AsNeeded  bool
	StartedOn string // YYYY-MM-DD
}

// List returns the person's medication list, current first. A staff read
// is audited; the person's own reads write nothing. Errors as
// access.Checker (MedicationRead).
func (s *Service) List(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Medication, error) {
	if err := s.checker.Check(ctx, actor, access.MedicationRead, personID); err != nil {
		return nil, err
	}
	if actor.Kind == tend.KindStaff {
		if err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, event(actor, string(access.MedicationRead), personID, "medications:"+string(personID)))
		}); err != nil {
			return nil, err
		}
	}
	recs, err := s.store.FindMedications(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]Medication, 0, len(recs))
	for _, r := range recs {
		m, err := s.open(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Add puts a medication on the person's list and reports whether it was
// new: a retry with the same id adds nothing and returns the first. EINVALID
// for a missing name, dose or schedule, text that is too long or a start
// date that is not a date; access errors as access.Checker (MedicationWrite).
func (s *Service) Add(ctx context.Context, actor tend.Actor, personID tend.ID, n New) (Medication, bool, error) {
	if err := s.checker.Check(ctx, actor, access.MedicationWrite, personID); err != nil {
		return Medication{}, false, err
	}
	n, err := clean(n)
	if err != nil {
		return Medication{}, false, err
	}
	id := tend.NewID()
	if n.ID != "" {
		if id, err = tend.ParseID(n.ID); err != nil {
			return Medication{}, false, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
		}
	}
	m := Medication{ID: id, PersonID: personID, Name: n.Name, Dose: n.Dose, Schedule: n.Schedule, AsNeeded: n.AsNeeded, StartedOn: n.StartedOn,
		AddedBy: actor.ID, AddedAt: s.clock.Now().UTC()}
	added := true
	err = s.store.InTx(ctx, func(tx Tx) error {
		if prev, err := tx.FindMedicationTx(ctx, personID, id); err == nil {
			// A retry of the same form: keep what the first one added.
			added = false
			m, err = s.open(ctx, prev)
			return err
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		r, err := s.seal(ctx, m)
		if err != nil {
			return err
		}
		if err := tx.CreateMedication(ctx, r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, string(access.MedicationWrite), personID, "medication:"+string(id)))
	})
	if err != nil {
		return Medication{}, false, err
	}
	return m, added, nil
}

// Stop records that one of the person's medications stopped on stoppedOn
// (YYYY-MM-DD; "" means today in loc). It stays on the list as stopped.
// Stopping one already stopped changes nothing. ENOTFOUND for a medication
// that is not the person's; EINVALID for a date that is not one, or one
// before the start; access errors as access.Checker (MedicationWrite).
func (s *Service) Stop(ctx context.Context, actor tend.Actor, personID tend.ID, id string, stoppedOn string, loc *time.Location) (Medication, error) {
	if err := s.checker.Check(ctx, actor, access.MedicationWrite, personID); err != nil {
		return Medication{}, err
	}
	mid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return Medication{}, tend.ErrNotFound
	}
	if loc == nil {
		loc = time.UTC
	}
	now := s.clock.Now()
	stoppedOn = strings.TrimSpace(stoppedOn)
	if stoppedOn == "" {
		stoppedOn = now.In(loc).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, stoppedOn); err != nil {
		return Medication{}, tend.Errorf(tend.EINVALID, "Give the date it stopped as a date, such as 2026-03-02.")
	}
	var m Medication
	err = s.store.InTx(ctx, func(tx Tx) error {
		r, err := tx.FindMedicationTx(ctx, personID, mid)
		if err != nil {
			return err
		}
		if r.StoppedOn != "" {
			m, err = s.open(ctx, r)
			return err
		}
		if stoppedOn < r.StartedOn {
			return tend.Errorf(tend.EINVALID, "The date it stopped is before the date it started.")
		}
		at := now.UTC()
		if err := tx.StopMedication(ctx, personID, mid, stoppedOn, actor.ID, at); err != nil {
			return err
		}
		r.StoppedOn, r.StoppedBy, r.StoppedAt = stoppedOn, actor.ID, &at
		if m, err = s.open(ctx, r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, string(access.MedicationWrite), personID, "medication:"+string(mid)),
			event(actor, AuditStopped, personID, "medication:"+string(mid)))
	})
	if err != nil {
		return Medication{}, err
	}
	return m, nil
}

// MayEdit reports whether actor may change the person's list, so a page
// offers the forms only to the prescriber.
func (s *Service) MayEdit(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return s.checker.Check(ctx, actor, access.MedicationWrite, personID) == nil
}

func clean(n New) (New, error) {
	n.ID = strings.TrimSpace(n.ID)
	n.Name = strings.TrimSpace(n.Name)
	n.Dose = strings.TrimSpace(n.Dose)
	n.Schedule = strings.TrimSpace(n.Schedule)
	n.StartedOn = strings.TrimSpace(n.StartedOn)
	switch {
	case n.Name == "":
		return n, tend.Errorf(tend.EINVALID, "Write the name of the medication.")
	case n.Dose == "":
		return n, tend.Errorf(tend.EINVALID, "Write the dose.")
	case n.Schedule == "":
		return n, tend.Errorf(tend.EINVALID, "Write when it is taken.")
	case utf8.RuneCountInString(n.Name) > MaxNameChars, utf8.RuneCountInString(n.Dose) > MaxDoseChars,
		utf8.RuneCountInString(n.Schedule) > MaxScheduleChars:
		return n, tend.Errorf(tend.EINVALID, "One of the answers is too long. Please make it shorter.")
	}
	if _, err := time.Parse(time.DateOnly, n.StartedOn); err != nil {
		return n, tend.Errorf(tend.EINVALID, "Give the start date as a date, such as 2026-03-02.")
	}
	return n, nil
}

func (s *Service) seal(ctx context.Context, m Medication) (Record, error) {
	r := Record{ID: m.ID, PersonID: m.PersonID, AsNeeded: m.AsNeeded, StartedOn: m.StartedOn, StoppedOn: m.StoppedOn,
		AddedBy: m.AddedBy, AddedAt: m.AddedAt}
	for _, f := range []struct {
		col string
		in  string
		out *[]byte
	}{{"name", m.Name, &r.Name}, {"dose", m.Dose, &r.Dose}, {"schedule", m.Schedule, &r.Schedule}} {
		b, err := s.sealer.SealPerson(ctx, m.PersonID, vault.Field{Table: table, Column: f.col, Row: m.ID}, []byte(f.in))
		if err != nil {
			return Record{}, fmt.Errorf("medication: seal %s: %w", f.col, err)
		}
		*f.out = b
	}
	return r, nil
}

func (s *Service) open(ctx context.Context, r Record) (Medication, error) {
	m := Medication{ID: r.ID, PersonID: r.PersonID, AsNeeded: r.AsNeeded, StartedOn: r.StartedOn, StoppedOn: r.StoppedOn,
		AddedBy: r.AddedBy, AddedAt: r.AddedAt, StoppedBy: r.StoppedBy, StoppedAt: r.StoppedAt}
	for _, f := range []struct {
		col string
		in  []byte
		out *string
	}{{"name", r.Name, &m.Name}, {"dose", r.Dose, &m.Dose}, {"schedule", r.Schedule, &m.Schedule}} {
		b, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: table, Column: f.col, Row: r.ID}, f.in)
		if err != nil {
			return Medication{}, fmt.Errorf("medication: open %s: %w", f.col, err)
		}
		*f.out = string(b)
	}
	return m, nil
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
