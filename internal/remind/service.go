package remind

import (
	"context"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Service keeps the person's reminder preferences and sends their reminders.
type Service struct {
	store   Store
	checker Checker
	sender  Sender
	clock   tend.Clock
}

// NewService returns a Service. sender delivers the reminders (nil: sends
// fail and are retried until a sender is wired in).
func NewService(store Store, checker Checker, sender Sender, clock tend.Clock) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	return &Service{store: store, checker: checker, sender: sender, clock: clock}
}

// self checks the action for the person's own account: only the person,
// never staff or a supporter; everyone else gets "not found".
func (s *Service) self(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		if actor.Kind == "" {
			return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
		}
		return tend.ErrNotFound
	}
	return s.checker.Check(ctx, actor, access.RemindersManage, personID)
}

// View is what the reminders page shows.
type View struct {
	Preferences Preferences
	TimeZone    string
	Recent      []Send // the latest sends, newest first
}

// Preferences returns the person's reminder preferences (all off when
// they saved none), their time zone and their latest sends. ENOTFOUND
// for anyone but the person.
func (s *Service) Preferences(ctx context.Context, actor tend.Actor, personID tend.ID) (View, error) {
	if err := s.self(ctx, actor, personID); err != nil {
		return View{}, err
	}
	zone, err := s.store.ReminderTimeZone(ctx, personID)
	if err != nil {
		return View{}, err
	}
	p, err := s.store.FindReminderPreferences(ctx, personID)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		p, err = Defaults(personID), nil
	}
	if err != nil {
		return View{}, err
	}
	recent, err := s.store.FindReminderSends(ctx, personID, 5)
	if err != nil {
		return View{}, err
	}
	return View{Preferences: p, TimeZone: zone, Recent: recent}, nil
}

// InvalidError is preferences that cannot be saved, by form field.
type InvalidError struct{ Problems map[string]string }

func (e *InvalidError) Error() string { return "remind: invalid preferences" }

// Save stores the person's reminder preferences and when a reminder may
// next fall due. EINVALID (wrapping *InvalidError) when a time is wrong;
// ENOTFOUND for anyone but the person.
func (s *Service) Save(ctx context.Context, actor tend.Actor, personID tend.ID, p Preferences) (Preferences, error) {
	if err := s.self(ctx, actor, personID); err != nil {
		return Preferences{}, err
	}
	p.PersonID = personID
	if probs := p.Validate(); len(probs) > 0 {
		return Preferences{}, &tend.Error{Kind: tend.EINVALID, Message: "Please check the highlighted fields.", Err: &InvalidError{Problems: probs}}
	}
	zone, err := s.store.ReminderTimeZone(ctx, personID)
	if err != nil {
		return Preferences{}, err
	}
	loc, err := loadLocation(zone)
	if err != nil {
		return Preferences{}, err
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		now := tx.Now().UTC()
		p.UpdatedAt = now
		p.NextDueAt = Next(p, loc, now)
		if err := tx.PutReminderPreferences(ctx, p); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditUpdated, personID))
	})
	if err != nil {
		return Preferences{}, err
	}
	return p, nil
}

// maxDuePerRun bounds the people one due run handles; the rest are
// handled by the next run.
const maxDuePerRun = 1000

// catchUp bounds how far back a due run looks for occurrences it missed
// (the service was down): those are recorded as skipped, never sent.
const catchUp = 48 * time.Hour

// FindDue records the reminders that have fallen due (a periodic job):
// for each, in one unit of work, a send row (unique per person, kind and
// occurrence) and a send_reminder job, or a skipped send when it is past
// LateBound or in quiet hours. It returns how many sends it added. Running
// it twice, or on several nodes at once, adds each send once.
func (s *Service) FindDue(ctx context.Context) (int, error) {
	people, err := s.store.FindDueReminders(ctx, s.clock.Now().UTC(), maxDuePerRun)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, id := range people {
		n, err := s.due(ctx, id)
		if err != nil {
			return added, err
		}
		added += n
	}
	return added, nil
}

// due handles one person whose next_due_at has passed.
func (s *Service) due(ctx context.Context, personID tend.ID) (int, error) {
	added := 0
	err := s.store.InTx(ctx, func(tx Tx) error {
		added = 0
		p, zone, err := tx.ReminderPreferencesForUpdate(ctx, personID)
		if err != nil {
			return err
		}
		now := tx.Now().UTC()
		if p.NextDueAt == nil || p.NextDueAt.After(now) {
			return nil // another node got here first
		}
		// The zone is read now: a changed zone applies from its next
		// occurrence, and the unique key keeps one send per local date.
		loc, err := loadLocation(zone)
		if err != nil {
			loc = time.UTC
		}
		from := *p.NextDueAt
		if now.Sub(from) > catchUp {
			from = now.Add(-catchUp)
		}
		for _, o := range Occurrences(p, loc, from, now) {
			snd := Send{ID: tend.NewID(), PersonID: personID, Kind: o.Kind, Occurrence: o.Key, DueAt: o.At.UTC(),
				State: StatePending, CreatedAt: now}
			switch {
			case o.Skip != "":
				snd.State, snd.Reason, snd.DoneAt = StateSkipped, o.Skip, &now
			case now.Sub(o.At) > LateBound:
				snd.State, snd.Reason, snd.DoneAt = StateSkipped, SkipLate, &now
			}
			ok, err := tx.CreateReminderSend(ctx, snd)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			added++
			if snd.State == StatePending {
				if err := tx.EnqueueJob(ctx, SendArgs{SendID: snd.ID}, time.Time{}); err != nil {
					return err
				}
			}
		}
		return tx.SetReminderNextDue(ctx, personID, Next(p, loc, now))
	})
	return added, err
}

// Deliver sends one pending send (the send_reminder job): it checks again
// that it is not past LateBound and what applies today, calls the Sender
// with the send id (so a retry is recognised by the channels) and a path
// that names no person, and marks it sent with the channels it reached. A
// send already sent or skipped is left as it is. An error means "retry".
func (s *Service) Deliver(ctx context.Context, sendID tend.ID) error {
	var msg Message
	var to Recipient
	send := false
	err := s.store.InTx(ctx, func(tx Tx) error {
		snd, err := tx.ReminderSendForUpdate(ctx, sendID)
		if err != nil {
			return err
		}
		if snd.State != StatePending {
			return nil
		}
		now := tx.Now().UTC()
		skip := func(reason string) error {
			snd.State, snd.Reason, snd.DoneAt = StateSkipped, reason, &now
			return tx.UpdateReminderSend(ctx, snd)
		}
		if now.Sub(snd.DueAt) > LateBound {
			return skip(SkipLate)
		}
		p, _, err := tx.ReminderPreferencesForUpdate(ctx, snd.PersonID)
		if tend.ErrorKind(err) == tend.ENOTFOUND {
			return skip(SkipOff)
		}
		if err != nil {
			return err
		}
		path, reason, err := s.what(ctx, tx, p, snd)
		if err != nil {
			return err
		}
		if reason != "" {
			return skip(reason)
		}
		to = Recipient{Kind: tend.KindPerson, ID: snd.PersonID}
		msg = Message{ID: snd.ID, Kind: messageKind(snd.Kind), Path: path}
		send = true
		return nil
	})
	if err != nil || !send {
		return err
	}
	if s.sender == nil {
		return fmt.Errorf("remind: no sender wired in")
	}
	res, err := s.sender.Deliver(ctx, to, msg)
	if err != nil {
		return fmt.Errorf("remind: deliver: %w", err)
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		snd, err := tx.ReminderSendForUpdate(ctx, sendID)
		if err != nil {
			return err
		}
		if snd.State != StatePending {
			return nil
		}
		now := tx.Now().UTC()
		snd.State, snd.Push, snd.Email, snd.DoneAt = StateSent, res.Push, res.Email, &now
		return tx.UpdateReminderSend(ctx, snd)
	})
}

// what decides what a send reminds of: the path of the page it opens, or
// why it is skipped. The daily send merges the diary card, homework and
// questionnaire reminders; with one of them it opens that page, with
// several the person's home page.
func (s *Service) what(ctx context.Context, tx Tx, p Preferences, snd Send) (path, skip string, err error) {
	if snd.Kind == KindWeekly {
		if !p.Weekly {
			return "", SkipOff, nil
		}
		return "/me/progress", "", nil
	}
	if !p.Daily() {
		return "", SkipOff, nil
	}
	var paths []string
	cardSaved := false
	if p.Diary {
		cardSaved, err = tx.DiaryCardSaved(ctx, snd.PersonID, snd.Occurrence)
		if err != nil {
			return "", "", err
		}
		if !cardSaved {
			paths = append(paths, "/me/diary")
		}
	}
	if p.Homework {
		open, err := tx.HomeworkOpen(ctx, snd.PersonID)
		if err != nil {
			return "", "", err
		}
		if open {
			paths = append(paths, "/me/skills")
		}
	}
	if p.Questionnaires {
		due, err := tx.QuestionnaireDueOn(ctx, snd.PersonID, snd.Occurrence)
		if err != nil {
			return "", "", err
		}
		if due {
			paths = append(paths, "/me/questionnaires")
		}
	}
	switch {
	case len(paths) == 1:
		return paths[0], "", nil
	case len(paths) > 1:
		return "/me", "", nil
	case cardSaved:
		return "", SkipDone, nil
	}
	return "", SkipNothing, nil
}
