package followup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// A task nobody acknowledges in the service's time reminds the care team,
// then the team lead (docs/follow-up-tasks.md "Reminders"): each once per
// task and level, on any number of nodes.

// NudgeLevel is who a reminder is for.
type NudgeLevel string

// The levels: the staff the task reaches now, then the lead(s) of the
// person's team (of the duty team, for a task routed there).
const (
	NudgeTeam NudgeLevel = "team"
	NudgeLead NudgeLevel = "lead"
)

// AuditTaskNudged records a reminder given, as a system event: the task's
// reminder id, never its content.
const AuditTaskNudged = "task.nudged"

// NudgePath is where a reminder leads: the staff member's task inbox,
// never a person's page.
const NudgePath = "/clinic/tasks"

// Limits on a reminder's delay.
const (
	MaxNudgeDays  = 10
	MaxNudgeHours = 80
)

// Delay is how long an open task waits before a reminder, in the
// service's working time: working days (the start of the nth working day
// after), working hours, or off. The zero Delay is the default, one working
// day.
type Delay struct {
	Off   bool
	Days  int
	Hours int
}

// DefaultDelay is one working day: the start of the next working day.
var DefaultDelay = Delay{Days: 1}

// ParseDelay reads "1 working day", "2 working days", "4 working hours" or
// "off"; empty text is the default. It checks the form only: Validate
// checks the limits.
func ParseDelay(text string) (Delay, error) {
	f := strings.Fields(strings.ToLower(text))
	switch {
	case len(f) == 0:
		return Delay{}, nil
	case len(f) == 1 && f[0] == "off":
		return Delay{Off: true}, nil
	case len(f) == 3 && f[1] == "working":
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 1 {
			break
		}
		switch f[2] {
		case "day", "days":
			return Delay{Days: n}, nil
		case "hour", "hours":
			return Delay{Hours: n}, nil
		}
	}
	return Delay{}, fmt.Errorf("%q: write a time such as \"1 working day\" or \"4 working hours\", or \"off\"", text)
}

// IsZero reports whether d is the default.
func (d Delay) IsZero() bool { return d == Delay{} }

// String writes d in the form ParseDelay reads ("" for the default).
func (d Delay) String() string {
	switch {
	case d.Off:
		return "off"
	case d.Days == 1:
		return "1 working day"
	case d.Days > 1:
		return strconv.Itoa(d.Days) + " working days"
	case d.Hours == 1:
		return "1 working hour"
	case d.Hours > 1:
		return strconv.Itoa(d.Hours) + " working hours"
	}
	return ""
}

// Effective returns d, or the default when d is zero.
func (d Delay) Effective() Delay {
	if d.IsZero() {
		return DefaultDelay
	}
	return d
}

// MarshalJSON writes the text form.
func (d Delay) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the text form.
func (d *Delay) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := ParseDelay(s)
	if err == nil {
		err = parsed.Validate()
	}
	if err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	*d = parsed
	return nil
}

// Validate checks d, for settings built in code rather than parsed.
func (d Delay) Validate() error {
	n := 0
	for _, set := range []bool{d.Off, d.Days != 0, d.Hours != 0} {
		if set {
			n++
		}
	}
	switch {
	case n > 1 || d.Days < 0 || d.Hours < 0:
		return errDelayForm
	case d.Days > MaxNudgeDays:
		return fmt.Errorf("at most %d working days", MaxNudgeDays)
	case d.Hours > MaxNudgeHours:
		return fmt.Errorf("at most %d working hours", MaxNudgeHours)
	}
	return nil
}

var errDelayForm = errors.New(`write a time such as "1 working day" or "4 working hours", or "off"`)

// InvalidDelay stands for text that ParseDelay refused, so that a form
// can keep it and validation names it.
var InvalidDelay = Delay{Days: -1}

// Nudges are the service's reminder settings: how long an open task waits
// before the care team is reminded (counted from when it opened), and how
// much longer before the team lead is (counted from the team's reminder,
// or from the opening when the team's is off).
type Nudges struct {
	Team Delay `json:"team,omitzero"`
	Lead Delay `json:"lead,omitzero"`
}

// Validate checks both delays, naming the first problem.
func (n Nudges) Validate() error {
	if err := n.Team.Validate(); err != nil {
		return fmt.Errorf("care team: %w", err)
	}
	if err := n.Lead.Validate(); err != nil {
		return fmt.Errorf("team lead: %w", err)
	}
	return nil
}

// Calendar counts the service's working time (settings.Settings: working
// hours in its time zone, holidays skipped). Either method returns the
// zero time when the service never opens within a year.
type Calendar interface {
	// AddWorkingDays returns the start of the nth working day after the
	// day t falls on.
	AddWorkingDays(t time.Time, n int) time.Time
	// AddWorkingTime returns when d of working time has passed after t.
	AddWorkingTime(t time.Time, d time.Duration) time.Time
}

// after returns when d has passed after t, and false when d is off. Without
// a calendar, or when the calendar finds no working time, it counts
// elapsed time instead: a reminder comes late rather than never.
func (d Delay) after(cal Calendar, t time.Time) (time.Time, bool) {
	d = d.Effective()
	if d.Off {
		return time.Time{}, false
	}
	var at time.Time
	if d.Days > 0 {
		if cal != nil {
			at = cal.AddWorkingDays(t, d.Days)
		}
		if at.IsZero() {
			at = t.Add(time.Duration(d.Days) * 24 * time.Hour)
		}
	} else {
		if cal != nil {
			at = cal.AddWorkingTime(t, time.Duration(d.Hours)*time.Hour)
		}
		if at.IsZero() {
			at = t.Add(time.Duration(d.Hours) * time.Hour)
		}
	}
	return at.UTC(), true
}

// Due returns when each level's reminder falls due for a task opened at
// opened; a level that is off is missing from the map.
func (n Nudges) Due(cal Calendar, opened time.Time) map[NudgeLevel]time.Time {
	out := map[NudgeLevel]time.Time{}
	base := opened
	if at, ok := n.Team.after(cal, opened); ok {
		out[NudgeTeam] = at
		base = at
	}
	if at, ok := n.Lead.after(cal, base); ok {
		out[NudgeLead] = at
	}
	return out
}

// Nudge is one reminder of one task at one level.
type Nudge struct {
	ID          tend.ID
	TaskID      tend.ID
	Level       NudgeLevel
	DueAt       time.Time
	CreatedAt   time.Time
	AlertedAt   *time.Time
	SentAt      *time.Time
	CancelledAt *time.Time
	Recipients  int
}

// NudgeUpdate changes a reminder. Nil fields stay as they are.
type NudgeUpdate struct {
	AlertedAt   *time.Time
	SentAt      *time.Time
	CancelledAt *time.Time
	Recipients  *int
}

// NudgeCandidate is an open task that still has a level not reminded.
type NudgeCandidate struct {
	TaskID   tend.ID
	OpenedAt time.Time
	Levels   []NudgeLevel // the levels already created
}

// SendNudgeArgs is the job that gives one reminder: its id and nothing
// else.
type SendNudgeArgs struct {
	NudgeID tend.ID `json:"nudge_id"`
}

// Kind names the job.
func (SendNudgeArgs) Kind() string { return "followup_nudge_send" }

// NudgeStore is what reminders need from storage.
type NudgeStore interface {
	InTx(ctx context.Context, fn func(NudgeTx) error) error
	// FindNudgeCandidates returns the open (not acknowledged) tasks that
	// do not have both levels yet, oldest first.
	FindNudgeCandidates(ctx context.Context) ([]NudgeCandidate, error)
}

// NudgeTx is one unit of work of reminders.
type NudgeTx interface {
	FindTaskByID(ctx context.Context, id tend.ID) (Task, error)
	FindPersonRouting(ctx context.Context, personID tend.ID) (PersonRouting, error)
	FindTeamActiveStaff(ctx context.Context, teamID tend.ID) ([]tend.ID, error)
	// FindTaskLeads returns the active staff with role lead on the team
	// of the task's person, or on its duty team when routed there.
	FindTaskLeads(ctx context.Context, t Task) ([]tend.ID, error)
	// CreateNudge adds n and reports whether it was new: a second reminder
	// of the same task and level adds nothing.
	CreateNudge(ctx context.Context, n Nudge) (bool, error)
	// FindNudgeByID returns ENOTFOUND for an unknown reminder.
	FindNudgeByID(ctx context.Context, id tend.ID) (Nudge, error)
	UpdateNudge(ctx context.Context, id tend.ID, u NudgeUpdate) error
	CreateStaffAlerts(ctx context.Context, taskID tend.ID, staffIDs []tend.ID, at time.Time) error
	// EnqueueJob adds a job, only if the unit of work commits (zero at: at
	// once).
	EnqueueJob(ctx context.Context, args interface{ Kind() string }, at time.Time) error
	AppendAudit(ctx context.Context, events ...tend.AuditEvent) error
}

// Notifier gives a staff member the neutral notice "A follow-up task is
// waiting in Tend" on their own channels (Web Push, e-mail: cmd/tend
// adapts notify.Service, whose kind for it is notify.KindTaskWaiting).
// messageID is the same on every retry of one reminder to one staff
// member, so a channel can deliver it once; path is the task inbox, never
// a person's page. An error means try again later.
type Notifier interface {
	NotifyTaskWaiting(ctx context.Context, staffID, messageID tend.ID, path string) error
}

// Nudger finds unacknowledged tasks whose reminder is due and gives the
// reminders.
type Nudger struct {
	store     NudgeStore
	notifier  Notifier
	clock     tend.Clock
	settings  func() Settings
	taskRoles []tend.CareRole
}

// NewNudger returns a Nudger; notifier nil gives in-app alerts only, and
// the other arguments are as NewService's.
func NewNudger(store NudgeStore, notifier Notifier, clock tend.Clock, settings func() Settings, taskRoles []tend.CareRole) *Nudger {
	if taskRoles == nil {
		taskRoles = access.DefaultTaskRoles
	}
	if settings == nil {
		settings = func() Settings { return Settings{} }
	}
	return &Nudger{store: store, notifier: notifier, clock: clock, settings: settings, taskRoles: taskRoles}
}

// Scan creates the reminders that have fallen due, each with its send job
// in the same unit of work (one per reminder), and returns how many it
// created. Running it twice, or on two nodes at once, creates each reminder
// once. A task that fails does not hold up the others.
func (n *Nudger) Scan(ctx context.Context) (int, error) {
	cands, err := n.store.FindNudgeCandidates(ctx)
	if err != nil {
		return 0, err
	}
	now := tx2now(n.clock)
	st := n.settings()
	created := 0
	var errs []error
	for _, c := range cands {
		due := st.Nudges.Due(st.Calendar, c.OpenedAt)
		for _, level := range []NudgeLevel{NudgeTeam, NudgeLead} {
			at, on := due[level]
			if !on || at.After(now) || slices.Contains(c.Levels, level) {
				continue
			}
			err := n.store.InTx(ctx, func(tx NudgeTx) error {
				t, err := tx.FindTaskByID(ctx, c.TaskID)
				if err != nil {
					return err
				}
				if t.State != StateOpen {
					return nil // acknowledged since the read above
				}
				nu := Nudge{ID: tend.NewID(), TaskID: t.ID, Level: level, DueAt: at, CreatedAt: now}
				added, err := tx.CreateNudge(ctx, nu)
				if err != nil || !added {
					return err
				}
				created++
				return tx.EnqueueJob(ctx, SendNudgeArgs{NudgeID: nu.ID}, time.Time{})
			})
			if err != nil {
				// The other tasks go on; the job retries this one.
				errs = append(errs, fmt.Errorf("followup: nudge task %s: %w", c.TaskID, err))
			}
		}
	}
	return created, errors.Join(errs...)
}

// SendResult is what giving one reminder did.
type SendResult struct {
	// Recipients is how many staff the reminder reached; 0 with Given
	// means nobody could be reminded (no lead on the team, say).
	Recipients int
	// Given is false when the task was acknowledged or resolved first, or
	// the reminder was already given.
	Given bool
}

// Send gives one reminder: a neutral in-app alert for each recipient, then
// a notice on their own channels. A task acknowledged or resolved since the
// reminder fell due is not reminded. Run again after an error, it alerts no
// one twice and reuses each notice's id.
func (n *Nudger) Send(ctx context.Context, nudgeID tend.ID) (SendResult, error) {
	var (
		nu    Nudge
		t     Task
		staff []tend.ID
		live  bool
	)
	err := n.store.InTx(ctx, func(tx NudgeTx) error {
		var err error
		if nu, err = tx.FindNudgeByID(ctx, nudgeID); err != nil {
			return err
		}
		if nu.SentAt != nil || nu.CancelledAt != nil {
			return nil
		}
		if t, err = tx.FindTaskByID(ctx, nu.TaskID); err != nil {
			return err
		}
		now := tx2now(n.clock)
		if t.State != StateOpen {
			return tx.UpdateNudge(ctx, nu.ID, NudgeUpdate{CancelledAt: &now})
		}
		if staff, err = n.recipients(ctx, tx, t, nu.Level); err != nil {
			return err
		}
		live = true
		if nu.AlertedAt != nil || len(staff) == 0 {
			return nil
		}
		if err := tx.CreateStaffAlerts(ctx, t.ID, staff, now); err != nil {
			return err
		}
		return tx.UpdateNudge(ctx, nu.ID, NudgeUpdate{AlertedAt: &now})
	})
	if err != nil || !live {
		return SendResult{}, err
	}
	if n.notifier != nil {
		for _, id := range staff {
			if err := n.notifier.NotifyTaskWaiting(ctx, id, NoticeID(nu.ID, id), NudgePath); err != nil {
				return SendResult{}, fmt.Errorf("followup: nudge notice: %w", err)
			}
		}
	}
	res := SendResult{Recipients: len(staff), Given: true}
	err = n.store.InTx(ctx, func(tx NudgeTx) error {
		cur, err := tx.FindNudgeByID(ctx, nudgeID)
		if err != nil {
			return err
		}
		if cur.SentAt != nil {
			res.Given = false
			return nil
		}
		now, count := tx2now(n.clock), len(staff)
		if err := tx.UpdateNudge(ctx, nu.ID, NudgeUpdate{SentAt: &now, Recipients: &count}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(tend.System, AuditTaskNudged, t.PersonID, "followup_nudge:"+string(nu.ID)))
	})
	return res, err
}

// recipients are the staff a reminder at level reaches: for the team, the
// staff the task reaches now (as its alert); for the lead, the lead(s) of
// the person's team, or of the duty team.
func (n *Nudger) recipients(ctx context.Context, tx NudgeTx, t Task, level NudgeLevel) ([]tend.ID, error) {
	if level == NudgeLead {
		return tx.FindTaskLeads(ctx, t)
	}
	return taskStaff(ctx, tx, t, n.taskRoles)
}

// NoticeID is the id of the notice one reminder gives one staff member:
// the same on every try, so a channel delivers it once.
func NoticeID(nudgeID, staffID tend.ID) tend.ID {
	ns, err := uuid.Parse(string(nudgeID))
	if err != nil {
		ns = uuid.NameSpaceOID
		staffID = nudgeID + "/" + staffID
	}
	return tend.ID(uuid.NewSHA1(ns, []byte(staffID)).String())
}

// routingReader is what finding a task's staff reads.
type routingReader interface {
	FindPersonRouting(ctx context.Context, personID tend.ID) (PersonRouting, error)
	FindTeamActiveStaff(ctx context.Context, teamID tend.ID) ([]tend.ID, error)
}

// taskStaff returns the staff task t reaches now: the person's active
// care-team members in the task roles, or the duty team's active staff for
// a task routed there; none for a task routed nowhere.
func taskStaff(ctx context.Context, tx routingReader, t Task, roles []tend.CareRole) ([]tend.ID, error) {
	var staff []tend.ID
	switch t.Route {
	case RouteCareTeam:
		pr, err := tx.FindPersonRouting(ctx, t.PersonID)
		if err != nil {
			return nil, err
		}
		for _, m := range pr.Members {
			if slices.Contains(roles, m.Role) && !slices.Contains(staff, m.StaffID) {
				staff = append(staff, m.StaffID)
			}
		}
	case RouteDuty:
		return tx.FindTeamActiveStaff(ctx, t.DutyTeamID)
	}
	return staff, nil
}
