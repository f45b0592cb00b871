package groups

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// The audit actions this package records, besides access actions.
const (
	AuditGroupCreated = "group.created"
	AuditEnrolled     = "group.enrolled"
)

// Limits, so a form cannot fill the database.
const (
	MaxNameChars     = 120
	MaxScheduleChars = 300
)

// idempotencyTTL is how long a request's key is remembered.
const idempotencyTTL = 7 * 24 * time.Hour

// Service keeps support groups.
type Service struct {
	store   Store
	checker Checker
	clock   tend.Clock
}

// NewService returns a Service.
func NewService(store Store, checker Checker, clock tend.Clock) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	return &Service{store: store, checker: checker, clock: clock}
}

// runsGroups reports whether actor is staff who may run groups: clinicians
// and leads. Admins hold no clinical data.
func runsGroups(actor tend.Actor) error {
	switch {
	case actor.Kind != tend.KindStaff:
		return tend.ErrNotFound
	case actor.Role == tend.RoleClinician || actor.Role == tend.RoleLead:
		return nil
	}
	return tend.Errorf(tend.EFORBIDDEN, "Support groups are run by clinicians.")
}

// Mine returns the groups actor runs. ENOTFOUND for anyone but staff,
// EFORBIDDEN for admins.
func (s *Service) Mine(ctx context.Context, actor tend.Actor) ([]Group, error) {
	if err := runsGroups(actor); err != nil {
		return nil, err
	}
	return s.store.FindGroupsByFacilitator(ctx, actor.ID)
}

// Create starts a group run by actor. EINVALID for a missing or too long
// name, kind or schedule.
func (s *Service) Create(ctx context.Context, actor tend.Actor, name, kind, schedule string) (Group, error) {
	if err := runsGroups(actor); err != nil {
		return Group{}, err
	}
	g := Group{ID: tend.NewID(), Name: strings.TrimSpace(name), Kind: strings.TrimSpace(kind), Schedule: strings.TrimSpace(schedule),
		FacilitatorID: actor.ID, CreatedAt: s.clock.Now().UTC()}
	switch {
	case g.Name == "":
		return Group{}, tend.Errorf(tend.EINVALID, "Give the group a name.")
	case g.Kind == "":
		return Group{}, tend.Errorf(tend.EINVALID, "Say what kind of group it is.")
	case utf8.RuneCountInString(g.Name) > MaxNameChars, utf8.RuneCountInString(g.Kind) > MaxNameChars,
		utf8.RuneCountInString(g.Schedule) > MaxScheduleChars:
		return Group{}, tend.Errorf(tend.EINVALID, "One of the answers is too long. Please make it shorter.")
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateGroup(ctx, g); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: string(actor.Role),
			Action: AuditGroupCreated, Target: "group:" + string(g.ID)})
	})
	if err != nil {
		return Group{}, err
	}
	return g, nil
}

// own returns the group when actor runs it; ENOTFOUND otherwise, so a
// group's existence tells nobody else anything.
func (s *Service) own(ctx context.Context, actor tend.Actor, id string) (Group, error) {
	if err := runsGroups(actor); err != nil {
		return Group{}, err
	}
	gid, err := tend.ParseID(strings.TrimSpace(id))
	if err != nil {
		return Group{}, tend.ErrNotFound
	}
	g, err := s.store.FindGroupByID(ctx, gid)
	if err != nil {
		return Group{}, err
	}
	if g.FacilitatorID != actor.ID {
		return Group{}, tend.ErrNotFound
	}
	return g, nil
}

// Detail returns a group with its members, meetings and the people its
// facilitator may still enrol. Only the facilitator may ask (ENOTFOUND
// otherwise). Members the facilitator may no longer see (their membership
// of the person's care team ended) are left out; reading the attendance of
// those shown is audited, once per person.
func (s *Service) Detail(ctx context.Context, actor tend.Actor, id string) (Detail, error) {
	g, err := s.own(ctx, actor, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Group: g}
	members, err := s.store.FindGroupMembers(ctx, g.ID)
	if err != nil {
		return Detail{}, err
	}
	var events []tend.AuditEvent
	shown := map[tend.ID]bool{}
	for _, m := range members {
		if s.checker.Check(ctx, actor, access.GroupAttendanceRead, m.PersonID) != nil {
			continue
		}
		d.Members = append(d.Members, m)
		shown[m.PersonID] = true
		events = append(events, event(actor, string(access.GroupAttendanceRead), m.PersonID, "group:"+string(g.ID)))
	}
	if len(events) > 0 {
		if err := s.store.InTx(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, events...) }); err != nil {
			return Detail{}, err
		}
	}
	meetings, err := s.store.FindGroupMeetings(ctx, g.ID)
	if err != nil {
		return Detail{}, err
	}
	for _, mt := range meetings {
		for p := range mt.Attendance {
			if !shown[p] {
				delete(mt.Attendance, p)
			}
		}
		d.Meetings = append(d.Meetings, mt)
	}
	people, err := s.store.FindFacilitatedPeople(ctx, actor.ID)
	if err != nil {
		return Detail{}, err
	}
	for _, p := range people {
		if !slices.ContainsFunc(members, func(m Member) bool { return m.PersonID == p.PersonID }) {
			d.Candidates = append(d.Candidates, p)
		}
	}
	return d, nil
}

// Enrol adds a person to a group the actor runs. The actor must be the
// person's group facilitator (access.GroupAttendanceWrite); ENOTFOUND for a
// group that is not theirs or a malformed person id. Enrolling a member
// again changes nothing.
func (s *Service) Enrol(ctx context.Context, actor tend.Actor, groupID, personID string) error {
	g, err := s.own(ctx, actor, groupID)
	if err != nil {
		return err
	}
	pid, err := tend.ParseID(strings.TrimSpace(personID))
	if err != nil {
		return tend.Errorf(tend.EINVALID, "Choose who to enrol.")
	}
	if err := s.checker.Check(ctx, actor, access.GroupAttendanceWrite, pid); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		added, err := tx.CreateGroupMember(ctx, g.ID, pid, actor.ID, s.clock.Now().UTC())
		if err != nil || !added {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditEnrolled, pid, "group:"+string(g.ID)))
	})
}

// Recorded says what recording attendance did.
type Recorded struct {
	MeetingID tend.ID
	// Added is false for a retry with the same key: nothing was written.
	Added bool
}

// Record sets attendance at the group's meeting on m.HeldOn, creating the
// meeting when it is the first record for that day; a later record for the
// same day replaces a person's status. Every person must be a member the
// actor may record for (EINVALID names none; access errors as
// access.Checker). A retry with the same key writes nothing and returns
// the first meeting. EINVALID for a missing key, a bad date or status.
func (s *Service) Record(ctx context.Context, actor tend.Actor, groupID string, m Marks) (Recorded, error) {
	g, err := s.own(ctx, actor, groupID)
	if err != nil {
		return Recorded{}, err
	}
	key := strings.TrimSpace(m.Key)
	if key == "" || len(key) > 100 {
		return Recorded{}, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
	}
	heldOn := strings.TrimSpace(m.HeldOn)
	if _, err := time.Parse(time.DateOnly, heldOn); err != nil {
		return Recorded{}, tend.Errorf(tend.EINVALID, "Give the date of the meeting, such as 2026-03-02.")
	}
	if len(m.Status) == 0 {
		return Recorded{}, tend.Errorf(tend.EINVALID, "Record attendance for at least one person.")
	}
	people := make([]tend.ID, 0, len(m.Status))
	for p, st := range m.Status {
		if !st.Valid() {
			return Recorded{}, tend.Errorf(tend.EINVALID, "Choose attended, absent or cancelled for each person.")
		}
		if err := s.checker.Check(ctx, actor, access.GroupAttendanceWrite, p); err != nil {
			return Recorded{}, err
		}
		people = append(people, p)
	}
	slices.Sort(people)
	var out Recorded
	scope := "group_attendance:" + string(g.ID)
	err = s.store.InTx(ctx, func(tx Tx) error {
		if prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key); err == nil {
			out = Recorded{MeetingID: tend.ID(prev)}
			return nil
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		now := s.clock.Now().UTC()
		for _, p := range people {
			ok, err := tx.IsGroupMember(ctx, g.ID, p)
			if err != nil {
				return err
			}
			if !ok {
				return tend.Errorf(tend.EINVALID, "Enrol each person in the group before recording their attendance.")
			}
		}
		mid, err := tx.PutGroupMeeting(ctx, tend.NewID(), g.ID, heldOn, actor.ID, now)
		if err != nil {
			return err
		}
		events := make([]tend.AuditEvent, 0, len(people))
		for _, p := range people {
			if err := tx.PutGroupAttendance(ctx, mid, p, m.Status[p], actor.ID, now); err != nil {
				return err
			}
			events = append(events, event(actor, string(access.GroupAttendanceWrite), p, "group_meeting:"+string(mid)))
		}
		if err := tx.PutIdempotencyKey(ctx, scope, key, string(mid), now.Add(idempotencyTTL)); err != nil {
			return err
		}
		out = Recorded{MeetingID: mid, Added: true}
		return tx.AppendAudit(ctx, events...)
	})
	if err != nil {
		return Recorded{}, err
	}
	return out, nil
}

// PersonView is a person's groups and attendance.
type PersonView struct {
	Groups     []Enrolment
	Attendance []Attendance
}

// ForPerson returns the groups the person is enrolled in and their
// attendance. A staff read is audited; the person's own writes nothing.
// Errors as access.Checker (GroupAttendanceRead).
func (s *Service) ForPerson(ctx context.Context, actor tend.Actor, personID tend.ID) (PersonView, error) {
	if err := s.checker.Check(ctx, actor, access.GroupAttendanceRead, personID); err != nil {
		return PersonView{}, err
	}
	if actor.Kind == tend.KindStaff {
		if err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, event(actor, string(access.GroupAttendanceRead), personID, "group_attendance:"+string(personID)))
		}); err != nil {
			return PersonView{}, err
		}
	}
	var v PersonView
	var err error
	if v.Groups, err = s.store.FindPersonGroups(ctx, personID); err != nil {
		return PersonView{}, err
	}
	if v.Attendance, err = s.store.FindPersonAttendance(ctx, personID); err != nil {
		return PersonView{}, err
	}
	return v, nil
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
