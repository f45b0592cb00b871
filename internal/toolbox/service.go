package toolbox

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditChoice         = "toolbox.choice"          // a person hid, showed, pinned or unpinned an activity
	AuditCaution        = "toolbox.caution"         // a person accepted or withdrew the medical caution
	AuditOwnAdded       = "toolbox.own_added"       // a person added their own activity
	AuditServiceAdded   = "toolbox.service_added"   // an admin added a service activity
	AuditServiceRetired = "toolbox.service_retired" // an admin retired one
)

// Limits, so that a form cannot fill the database.
const (
	MaxTitleChars = 200 // characters of an activity's wording
	MaxOwn        = 50  // own activities per person
	MaxKeyChars   = 100 // characters of an idempotency key
	MaxLog        = 200 // uses a log page shows
)

// The sealed fields.
const (
	usesTable = "toolbox_uses"
	ownTable  = "toolbox_own_activities"
)

// Service keeps the toolbox.
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

// self allows only the person themself: nobody else uses, arranges or adds
// to a person's toolbox (ENOTFOUND otherwise).
func (s *Service) self(ctx context.Context, actor tend.Actor, personID tend.ID, action access.Action) error {
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return tend.ErrNotFound
	}
	return s.checker.Check(ctx, actor, action, personID)
}

// Toolbox is what a person's toolbox holds now.
type Toolbox struct {
	Activities      []Activity // starters, the service's, then the person's own; hidden ones included
	CautionAccepted bool
}

// Visible returns the activities not hidden, of kind k ("" for all), the
// pinned ones first.
func (t Toolbox) Visible(k Kind) []Activity {
	var out []Activity
	for _, a := range t.Activities {
		if !a.Hidden && (k == "" || a.Kind == k) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b Activity) int {
		switch {
		case a.Pinned && !b.Pinned:
			return -1
		case b.Pinned && !a.Pinned:
			return 1
		}
		return 0
	})
	return out
}

// Find returns the activity with id.
func (t Toolbox) Find(id string) (Activity, bool) {
	for _, a := range t.Activities {
		if a.ID == id {
			return a, true
		}
	}
	return Activity{}, false
}

// Pickable returns what "pick one for me" may choose from: activities of
// kind k ("" for any) that are not hidden and carry no caution the person
// has not accepted.
func (t Toolbox) Pickable(k Kind) []Activity {
	var out []Activity
	for _, a := range t.Visible(k) {
		if a.Caution && !t.CautionAccepted {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Pick is "pick one for me": one of Pickable(k), chosen by n (n(len)
// returns an index; nil means at random), avoiding not when there is
// another. False when there is nothing to pick.
func (t Toolbox) Pick(k Kind, not string, n func(int) int) (Activity, bool) {
	all := t.Pickable(k)
	if len(all) > 1 {
		all = slices.DeleteFunc(all, func(a Activity) bool { return a.ID == not })
	}
	if len(all) == 0 {
		return Activity{}, false
	}
	if n == nil {
		n = rand.IntN // #nosec G404 -- choosing an activity needs no secrecy.
	}
	return all[n(len(all))], true
}

// Toolbox returns the person's toolbox. It reads only, so it opens while
// the database cannot take writes. Only the person may (ENOTFOUND).
func (s *Service) Toolbox(ctx context.Context, actor tend.Actor, personID tend.ID) (Toolbox, error) {
	if err := s.self(ctx, actor, personID, access.ToolboxLogRead); err != nil {
		return Toolbox{}, err
	}
	return s.toolbox(ctx, personID, false)
}

func (s *Service) toolbox(ctx context.Context, personID tend.ID, retired bool) (Toolbox, error) {
	prefs, err := s.store.FindToolboxPrefs(ctx, personID)
	if err != nil {
		return Toolbox{}, err
	}
	svc, err := s.store.FindServiceActivities(ctx, retired)
	if err != nil {
		return Toolbox{}, err
	}
	own, err := s.store.FindToolboxOwn(ctx, personID)
	if err != nil {
		return Toolbox{}, err
	}
	t := Toolbox{CautionAccepted: prefs.CautionAccepted}
	for _, a := range Starters {
		a.Source = SourceStarter
		t.Activities = append(t.Activities, a)
	}
	for _, a := range svc {
		t.Activities = append(t.Activities, Activity{ID: "service-" + string(a.ID), Kind: a.Kind, Source: SourceService, Title: a.Title, Caution: a.Caution})
	}
	for _, r := range own {
		b, err := s.sealer.OpenPerson(ctx, personID, vault.Field{Table: ownTable, Column: "title", Row: r.ID}, r.Sealed)
		if err != nil {
			return Toolbox{}, err
		}
		t.Activities = append(t.Activities, Activity{ID: "own-" + string(r.ID), Kind: r.Kind, Source: SourceOwn, Title: string(b)})
	}
	for _, c := range prefs.Choices {
		for i := range t.Activities {
			if t.Activities[i].ID == c.ActivityID {
				t.Activities[i].Hidden, t.Activities[i].Pinned = c.Hidden, c.Pinned
			}
		}
	}
	return t, nil
}

// ChoiceChange is one change to how an activity shows.
type ChoiceChange string

// The changes a person makes on the manage page.
const (
	ChangeHide  ChoiceChange = "hide"
	ChangeShow  ChoiceChange = "show"
	ChangePin   ChoiceChange = "pin"
	ChangeUnpin ChoiceChange = "unpin"
)

// Choose hides, shows, pins or unpins one of the person's activities. A
// hidden activity is not pinned. EINVALID for an unknown activity or change.
func (s *Service) Choose(ctx context.Context, actor tend.Actor, personID tend.ID, activityID string, change ChoiceChange) error {
	if err := s.self(ctx, actor, personID, access.ToolboxLogWrite); err != nil {
		return err
	}
	t, err := s.toolbox(ctx, personID, false)
	if err != nil {
		return err
	}
	a, ok := t.Find(activityID)
	if !ok {
		return tend.Errorf(tend.EINVALID, "That activity is not in your toolbox.")
	}
	c := Choice{ActivityID: a.ID, Hidden: a.Hidden, Pinned: a.Pinned}
	switch change {
	case ChangeHide:
		c.Hidden, c.Pinned = true, false
	case ChangeShow:
		c.Hidden = false
	case ChangePin:
		c.Pinned, c.Hidden = true, false
	case ChangeUnpin:
		c.Pinned = false
	default:
		return tend.Errorf(tend.EINVALID, "Choose what to change.")
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.PutToolboxChoice(ctx, personID, c); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditChoice, personID, "toolbox_activity:"+a.ID))
	})
}

// SetCaution records that the person accepted (or withdrew) the medical
// caution of safety-rules.md section 8, after which "pick one for me" may
// choose activities with cold water or intense exercise.
func (s *Service) SetCaution(ctx context.Context, actor tend.Actor, personID tend.ID, accepted bool) error {
	if err := s.self(ctx, actor, personID, access.ToolboxLogWrite); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.PutToolboxCaution(ctx, personID, accepted, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditCaution, personID, "person:"+string(personID)))
	})
}

// AddOwn adds an activity the person wrote, sealed with their key. Their
// words are theirs: they are never checked against the service list.
// EINVALID for an unknown kind, no text, too much text or too many.
func (s *Service) AddOwn(ctx context.Context, actor tend.Actor, personID tend.ID, kind Kind, title string) (Activity, error) {
	if err := s.self(ctx, actor, personID, access.ToolboxLogWrite); err != nil {
		return Activity{}, err
	}
	title, err := cleanTitle(kind, title)
	if err != nil {
		return Activity{}, err
	}
	own, err := s.store.FindToolboxOwn(ctx, personID)
	if err != nil {
		return Activity{}, err
	}
	if len(own) >= MaxOwn {
		return Activity{}, tend.Errorf(tend.EINVALID, "Your toolbox holds up to %d of your own activities. Hide one you no longer use first.", MaxOwn)
	}
	r := OwnRecord{ID: tend.NewID(), PersonID: personID, Kind: kind, CreatedAt: s.now()}
	if r.Sealed, err = s.sealer.SealPerson(ctx, personID, vault.Field{Table: ownTable, Column: "title", Row: r.ID}, []byte(title)); err != nil {
		return Activity{}, fmt.Errorf("toolbox: seal own activity: %w", err)
	}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateToolboxOwn(ctx, r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditOwnAdded, personID, "toolbox_own:"+string(r.ID)))
	})
	if err != nil {
		return Activity{}, err
	}
	return Activity{ID: "own-" + string(r.ID), Kind: kind, Source: SourceOwn, Title: title}, nil
}

func cleanTitle(kind Kind, title string) (string, error) {
	if !kind.Valid() {
		return "", tend.Errorf(tend.EINVALID, "Choose which kind of activity this is.")
	}
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return "", tend.Errorf(tend.EINVALID, "Write what the activity is.")
	}
	if utf8.RuneCountInString(title) > MaxTitleChars {
		return "", tend.Errorf(tend.EINVALID, "Keep the activity under %d characters.", MaxTitleChars)
	}
	return title, nil
}

// answers are the sealed part of a use.
type answers struct {
	Question   Question `json:"q"`
	UrgeBefore int      `json:"before"`
	UrgeAfter  int      `json:"after"`
	Helpful    bool     `json:"helpful"`
}

// Log stores a finished use. A use with a key the person has used before
// is a retry (a double submit, or a queued use sent again): nothing is
// added and the first use is returned with added false. EINVALID for a
// missing key, an answer out of range or an activity the person does not
// have.
func (s *Service) Log(ctx context.Context, actor tend.Actor, personID tend.ID, n NewUse) (Use, bool, error) {
	if err := s.self(ctx, actor, personID, access.ToolboxLogWrite); err != nil {
		return Use{}, false, err
	}
	n.Key = strings.TrimSpace(n.Key)
	if n.Key == "" || len(n.Key) > MaxKeyChars {
		return Use{}, false, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please try again.")
	}
	if !n.Question.Valid() {
		return Use{}, false, tend.Errorf(tend.EINVALID, "Choose whether this is an urge to hurt yourself or thoughts of ending your life.")
	}
	if n.UrgeBefore < 0 || n.UrgeBefore > 10 || n.UrgeAfter < 0 || n.UrgeAfter > 10 {
		return Use{}, false, tend.Errorf(tend.EINVALID, "Choose how strong the urge is, from 0 to 10.")
	}
	if !slices.Contains(Minutes, n.Minutes) {
		return Use{}, false, tend.Errorf(tend.EINVALID, "Choose 5, 10 or 15 minutes.")
	}
	t, err := s.toolbox(ctx, personID, true)
	if err != nil {
		return Use{}, false, err
	}
	act, ok := t.Find(n.ActivityID)
	if !ok {
		return Use{}, false, tend.Errorf(tend.EINVALID, "Choose an activity from your toolbox.")
	}
	now := s.now()
	recorded := n.RecordedAt.UTC().Truncate(time.Microsecond)
	if n.RecordedAt.IsZero() || recorded.After(now) {
		// A device clock ahead of ours would put the use in the future.
		recorded = now
	}
	a := answers{Question: n.Question, UrgeBefore: n.UrgeBefore, UrgeAfter: n.UrgeAfter, Helpful: n.Helpful}
	r := UseRecord{ID: tend.NewID(), PersonID: personID, Key: n.Key, ActivityID: act.ID, Minutes: n.Minutes, RecordedAt: recorded, ReceivedAt: now}
	b, err := json.Marshal(a)
	if err != nil {
		return Use{}, false, fmt.Errorf("toolbox: encode use: %w", err)
	}
	if r.Sealed, err = s.sealer.SealPerson(ctx, personID, useField(r.ID), b); err != nil {
		return Use{}, false, fmt.Errorf("toolbox: seal use: %w", err)
	}
	var added bool
	err = s.store.InTx(ctx, func(tx Tx) error {
		var err error
		r, added, err = tx.CreateToolboxUse(ctx, r)
		if err != nil || !added {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, string(access.ToolboxLogWrite), personID, "toolbox_use:"+string(r.ID)))
	})
	if err != nil {
		return Use{}, false, err
	}
	u, err := s.open(ctx, t, r)
	return u, added, err
}

func useField(id tend.ID) vault.Field {
	return vault.Field{Table: usesTable, Column: "answers", Row: id}
}

func (s *Service) open(ctx context.Context, t Toolbox, r UseRecord) (Use, error) {
	b, err := s.sealer.OpenPerson(ctx, r.PersonID, useField(r.ID), r.Sealed)
	if err != nil {
		return Use{}, err
	}
	var a answers
	if err := json.Unmarshal(b, &a); err != nil {
		return Use{}, fmt.Errorf("toolbox: decode use: %w", err)
	}
	u := Use{ID: r.ID, PersonID: r.PersonID, Question: a.Question, UrgeBefore: a.UrgeBefore, UrgeAfter: a.UrgeAfter, Helpful: a.Helpful,
		ActivityID: r.ActivityID, Minutes: r.Minutes, RecordedAt: r.RecordedAt, ReceivedAt: r.ReceivedAt}
	u.Activity, _ = t.Find(r.ActivityID)
	return u, nil
}

// Uses returns the person's log, newest first: for the person, and for
// care-team members the person shares the toolbox log with (each staff
// read audited). EFORBIDDEN/ENOTFOUND as access.Checker.
func (s *Service) Uses(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Use, error) {
	if err := s.checker.Check(ctx, actor, access.ToolboxLogRead, personID); err != nil {
		return nil, err
	}
	if actor.Kind == tend.KindStaff {
		err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.AppendAudit(ctx, event(actor, string(access.ToolboxLogRead), personID, "toolbox_log:"+string(personID)))
		})
		if err != nil {
			return nil, err
		}
	}
	recs, err := s.store.FindToolboxUses(ctx, personID, MaxLog)
	if err != nil {
		return nil, err
	}
	t, err := s.toolbox(ctx, personID, true)
	if err != nil {
		return nil, err
	}
	out := make([]Use, 0, len(recs))
	for _, r := range recs {
		u, err := s.open(ctx, t, r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// Use returns one of the person's uses, for the person only (the page
// after a use). ENOTFOUND for anyone else or an unknown id.
func (s *Service) Use(ctx context.Context, actor tend.Actor, personID, id tend.ID) (Use, error) {
	if err := s.self(ctx, actor, personID, access.ToolboxLogRead); err != nil {
		return Use{}, err
	}
	r, err := s.store.FindToolboxUse(ctx, personID, id)
	if err != nil {
		return Use{}, err
	}
	t, err := s.toolbox(ctx, personID, true)
	if err != nil {
		return Use{}, err
	}
	return s.open(ctx, t, r)
}

// ServiceActivities returns the activities the service added, retired
// ones too. Admins only (access.SettingsManage).
func (s *Service) ServiceActivities(ctx context.Context, actor tend.Actor) ([]ServiceActivity, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return nil, err
	}
	return s.store.FindServiceActivities(ctx, true)
}

// AddServiceActivity adds an activity to every person's toolbox. The
// admin must confirm it causes no pain, does not mark the body and does
// not imitate self-harm, and wording that names what safety-rules.md
// section 7 forbids (rubber bands, ice, drawing on skin, hot chilli,
// hitting things...) is refused: EINVALID.
func (s *Service) AddServiceActivity(ctx context.Context, actor tend.Actor, n NewServiceActivity) (ServiceActivity, error) {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return ServiceActivity{}, err
	}
	title, err := cleanTitle(n.Kind, n.Title)
	if err != nil {
		return ServiceActivity{}, err
	}
	if !n.Safe {
		return ServiceActivity{}, tend.Errorf(tend.EINVALID, "Confirm that the activity causes no pain, does not mark the body and does not imitate self-harm.")
	}
	if Refused(title) {
		return ServiceActivity{}, tend.Errorf(tend.EINVALID, "Tend does not offer activities that cause pain, mark the body or imitate self-harm (such as rubber bands, ice on the skin, icy water, drawing on the skin, hot chilli or hitting things). Substitute behaviours are still self-injury.")
	}
	a := ServiceActivity{ID: tend.NewID(), Kind: n.Kind, Title: title, Caution: n.Caution, AddedBy: actor.ID, AddedAt: s.now()}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.CreateServiceActivity(ctx, a); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditServiceAdded, "", "toolbox_service_activity:"+string(a.ID)))
	})
	return a, err
}

// RetireServiceActivity takes a service activity out of every toolbox;
// logged uses of it keep its wording. ENOTFOUND when it is not active.
func (s *Service) RetireServiceActivity(ctx context.Context, actor tend.Actor, id tend.ID) error {
	if err := s.checker.CheckService(ctx, actor, access.SettingsManage); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.RetireServiceActivity(ctx, id, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditServiceRetired, "", "toolbox_service_activity:"+string(id)))
	})
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target, Outcome: tend.OutcomeOK}
}
