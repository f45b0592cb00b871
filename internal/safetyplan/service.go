package safetyplan

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditMerged   = "safety_plan.merged"   // a save based on an older version was merged
	AuditReviewed = "safety_plan.reviewed" // a clinician marked the plan reviewed
)

// Limits on what one plan holds, so a form cannot fill the database.
const (
	MaxEntries    = 30   // entries per step or list
	MaxEntryChars = 1000 // characters per entry
	MaxTextChars  = 4000 // characters of a single free-text answer
)

// table is where versions live; sealing binds each section to it.
const table = "safety_plan_versions"

// Service keeps safety plans.
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

// SaveResult says what a save did.
type SaveResult struct {
	Plan Plan
	// Merged is true when the plan had changed since the saver's version:
	// both sides' entries were kept, and the saver should look it over.
	Merged bool
}

// Current returns the newest version of the person's plan, with its last
// review, and false when there is none yet (show the service's default card
// then, never an empty plan). The person's own reads write nothing; a staff
// read is audited. EFORBIDDEN/ENOTFOUND as access.Checker.
func (s *Service) Current(ctx context.Context, actor tend.Actor, personID tend.ID) (Plan, bool, error) {
	p, err := s.current(ctx, actor, personID)
	if err != nil {
		return Plan{}, false, err
	}
	return p, p.Version > 0, nil
}

func (s *Service) current(ctx context.Context, actor tend.Actor, personID tend.ID) (Plan, error) {
	if err := s.checker.Check(ctx, actor, access.SafetyPlanRead, personID); err != nil {
		return Plan{}, err
	}
	if err := s.auditRead(ctx, actor, personID); err != nil {
		return Plan{}, err
	}
	recs, err := s.store.FindSafetyPlanVersions(ctx, personID)
	if err != nil {
		return Plan{}, err
	}
	if len(recs) == 0 {
		return Plan{PersonID: personID}, nil
	}
	plans, err := s.open(ctx, recs[:1])
	if err != nil {
		return Plan{}, err
	}
	p := plans[0]
	rv, err := s.store.FindSafetyPlanReview(ctx, personID)
	switch {
	case err == nil:
		names, err := s.store.FindStaffNames(ctx, []tend.ID{rv.ReviewedBy})
		if err != nil {
			return Plan{}, err
		}
		rv.ReviewerName = names[rv.ReviewedBy]
		p.Review = &rv
	case tend.ErrorKind(err) != tend.ENOTFOUND:
		return Plan{}, err
	}
	return p, nil
}

// Versions returns every version of the person's plan, newest first (an
// empty slice when there is none). Access and audit as Current.
func (s *Service) Versions(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Plan, error) {
	if err := s.checker.Check(ctx, actor, access.SafetyPlanRead, personID); err != nil {
		return nil, err
	}
	if err := s.auditRead(ctx, actor, personID); err != nil {
		return nil, err
	}
	recs, err := s.store.FindSafetyPlanVersions(ctx, personID)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, recs)
}

// Save writes c as a new version, never overwriting one. basedOn is the
// version the saver started from ("" or "0" for none). When the plan has
// moved on since then, both sides' entries are kept and the result says
// Merged. EINVALID for a plan with no text, too much text or a bad version;
// access errors as access.Checker (SafetyPlanWrite).
func (s *Service) Save(ctx context.Context, actor tend.Actor, personID tend.ID, basedOn string, c Content) (SaveResult, error) {
	if err := s.checker.Check(ctx, actor, access.SafetyPlanWrite, personID); err != nil {
		return SaveResult{}, err
	}
	base, err := parseVersion(basedOn, true)
	if err != nil {
		return SaveResult{}, err
	}
	c, err = clean(c)
	if err != nil {
		return SaveResult{}, err
	}
	var res SaveResult
	err = s.store.InTx(ctx, func(tx Tx) error {
		latest, err := tx.LatestSafetyPlan(ctx, personID)
		current := 0
		switch {
		case err == nil:
			current = latest.Version
		case tend.ErrorKind(err) != tend.ENOTFOUND:
			return err
		}
		if base > current {
			return tend.Errorf(tend.EINVALID, "That version of the plan does not exist. Open the plan again and make your changes there.")
		}
		if base < current {
			// Someone saved since this saver opened the plan: keep both.
			mine, err := s.openRecord(ctx, latest)
			if err != nil {
				return err
			}
			var was Content
			if base > 0 {
				r, err := tx.SafetyPlanVersion(ctx, personID, base)
				if err != nil {
					return err
				}
				old, err := s.openRecord(ctx, r)
				if err != nil {
					return err
				}
				was = old.Content
			}
			c = Merge(was, mine.Content, c)
			res.Merged = true
		}
		rec := Record{ID: tend.NewID(), PersonID: personID, Version: current + 1, BasedOn: base, Merged: res.Merged,
			SavedByKind: actor.Kind, SavedBy: actor.ID, SavedAt: s.clock.Now().UTC()}
		if rec.Sealed, err = s.seal(ctx, rec, c); err != nil {
			return err
		}
		if err := tx.CreateSafetyPlanVersion(ctx, rec); err != nil {
			return err
		}
		target := "safety_plan_version:" + string(rec.ID)
		events := []tend.AuditEvent{event(actor, string(access.SafetyPlanWrite), personID, target)}
		if res.Merged {
			events = append(events, event(actor, AuditMerged, personID, target))
		}
		if err := tx.AppendAudit(ctx, events...); err != nil {
			return err
		}
		res.Plan = Plan{Content: c, PersonID: personID, Version: rec.Version, BasedOn: base, Merged: res.Merged,
			SavedByKind: rec.SavedByKind, SavedBy: rec.SavedBy, SavedAt: rec.SavedAt}
		return nil
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

// MarkReviewed records that a clinician went through version (the form's
// value) with the person: a separate, audited action. Only staff who may
// edit the plan may; EINVALID for a version that does not exist.
func (s *Service) MarkReviewed(ctx context.Context, actor tend.Actor, personID tend.ID, version string) (Review, error) {
	if err := s.checker.Check(ctx, actor, access.SafetyPlanWrite, personID); err != nil {
		return Review{}, err
	}
	if actor.Kind != tend.KindStaff {
		return Review{}, tend.Errorf(tend.EFORBIDDEN, "Your clinician marks the plan as reviewed.")
	}
	v, err := parseVersion(version, false)
	if err != nil {
		return Review{}, err
	}
	rv := Review{ID: tend.NewID(), PersonID: personID, Version: v, ReviewedBy: actor.ID, ReviewedAt: s.clock.Now().UTC()}
	err = s.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.SafetyPlanVersion(ctx, personID, v); err != nil {
			if tend.ErrorKind(err) == tend.ENOTFOUND {
				return tend.Errorf(tend.EINVALID, "That version of the plan does not exist.")
			}
			return err
		}
		if err := tx.CreateSafetyPlanReview(ctx, rv); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditReviewed, personID, "safety_plan_review:"+string(rv.ID)))
	})
	if err != nil {
		return Review{}, err
	}
	return rv, nil
}

// auditRead records a staff member's read of the plan. The person's own
// reads are not staff reads and write nothing, so the plan opens even when
// the database cannot take writes.
func (s *Service) auditRead(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.SafetyPlanRead), personID, "safety_plan:"+string(personID)))
	})
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}

func parseVersion(s string, zeroOK bool) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" && zeroOK {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || (n == 0 && !zeroOK) {
		return 0, tend.Errorf(tend.EINVALID, "That version of the plan is not valid. Open the plan again.")
	}
	return n, nil
}

// clean trims entries, drops empty ones and checks the limits.
func clean(c Content) (Content, error) {
	var out Content
	for i, s := range c.Steps {
		var err error
		if out.Steps[i], err = cleanList(s); err != nil {
			return Content{}, err
		}
	}
	var err error
	if out.Reasons, err = cleanList(c.Reasons); err != nil {
		return Content{}, err
	}
	out.MostImportant = strings.TrimSpace(c.MostImportant)
	out.Likely = strings.TrimSpace(c.Likely)
	if utf8.RuneCountInString(out.MostImportant) > MaxTextChars || utf8.RuneCountInString(out.Likely) > MaxTextChars {
		return Content{}, tend.Errorf(tend.EINVALID, "One of the answers is too long. Please make it shorter.")
	}
	if out.Empty() {
		return Content{}, tend.Errorf(tend.EINVALID, "Write at least one thing in the plan before saving it.")
	}
	return out, nil
}

func cleanList(in []string) ([]string, error) {
	var out []string
	for _, e := range in {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if utf8.RuneCountInString(e) > MaxEntryChars {
			return nil, tend.Errorf(tend.EINVALID, "One of the entries is too long. Please split it into shorter ones.")
		}
		out = append(out, e)
	}
	if len(out) > MaxEntries {
		return nil, tend.Errorf(tend.EINVALID, "A step can hold up to %d entries.", MaxEntries)
	}
	return out, nil
}

// Merge combines a save based on base with the newer current plan, keeping
// every entry of both sides: current's entries in order, then the saver's
// entries current lacks. A single answer changed on one side only takes
// that side; changed on both, both texts are kept.
func Merge(base, current, saver Content) Content {
	var out Content
	for i := range out.Steps {
		out.Steps[i] = union(current.Steps[i], saver.Steps[i])
	}
	out.Reasons = union(current.Reasons, saver.Reasons)
	out.MostImportant = mergeText(base.MostImportant, current.MostImportant, saver.MostImportant)
	out.Likely = mergeText(base.Likely, current.Likely, saver.Likely)
	return out
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, e := range b {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

func mergeText(base, current, saver string) string {
	switch {
	case current == saver, saver == base, saver == "":
		return current
	case current == base, current == "":
		return saver
	}
	return current + "\n\n" + saver
}

func (s *Service) seal(ctx context.Context, r Record, c Content) ([len(Sections)][]byte, error) {
	var out [len(Sections)][]byte
	values := make([]any, 0, len(Sections))
	for _, st := range c.Steps {
		values = append(values, nonNil(st))
	}
	values = append(values, c.MostImportant, nonNil(c.Reasons), c.Likely)
	for i, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return out, fmt.Errorf("safetyplan: encode %s: %w", Sections[i], err)
		}
		if out[i], err = s.sealer.SealPerson(ctx, r.PersonID, vault.Field{Table: table, Column: Sections[i], Row: r.ID}, b); err != nil {
			return out, fmt.Errorf("safetyplan: seal %s: %w", Sections[i], err)
		}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Service) openRecord(ctx context.Context, r Record) (Plan, error) {
	p := Plan{PersonID: r.PersonID, Version: r.Version, BasedOn: r.BasedOn, Merged: r.Merged,
		SavedByKind: r.SavedByKind, SavedBy: r.SavedBy, SavedAt: r.SavedAt}
	for i, ct := range r.Sealed {
		b, err := s.sealer.OpenPerson(ctx, r.PersonID, vault.Field{Table: table, Column: Sections[i], Row: r.ID}, ct)
		if err != nil {
			return Plan{}, err
		}
		var dst any
		switch {
		case i < Steps:
			dst = &p.Steps[i]
		case Sections[i] == "most_important":
			dst = &p.MostImportant
		case Sections[i] == "reasons":
			dst = &p.Reasons
		default:
			dst = &p.Likely
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return Plan{}, fmt.Errorf("safetyplan: decode %s: %w", Sections[i], err)
		}
	}
	return p, nil
}

func (s *Service) open(ctx context.Context, recs []Record) ([]Plan, error) {
	out := make([]Plan, 0, len(recs))
	var staff []tend.ID
	for _, r := range recs {
		p, err := s.openRecord(ctx, r)
		if err != nil {
			return nil, err
		}
		if r.SavedByKind == tend.KindStaff {
			staff = append(staff, r.SavedBy)
		}
		out = append(out, p)
	}
	if len(staff) > 0 {
		names, err := s.store.FindStaffNames(ctx, staff)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].SavedByKind == tend.KindStaff {
				out[i].SavedByName = names[out[i].SavedBy]
			}
		}
	}
	return out, nil
}

// MayEdit reports whether actor may save the person's plan, so a page
// offers the form only to those the policy lets save it.
func (s *Service) MayEdit(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return s.checker.Check(ctx, actor, access.SafetyPlanWrite, personID) == nil
}
