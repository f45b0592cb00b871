package access

import (
	"context"
	"errors"

	"github.com/tendcare/tend"
)

// Facts loads the relationship between a caller and a person (or a team).
// Implementations read the primary database on every call and cache nothing,
// so a revoked grant or an ended membership holds on the next request.
type Facts interface {
	// Relationship returns what ties actor to personID. A person who does not
	// exist gives Exists false, not an error. Other errors are EINTERNAL or
	// EUNAVAILABLE.
	Relationship(ctx context.Context, actor tend.Actor, personID tend.ID) (Relationship, error)
	// TeamRelationship returns what ties actor to teamID (LeadOfTeam), with
	// Exists false for a team that does not exist.
	TeamRelationship(ctx context.Context, actor tend.Actor, teamID tend.ID) (Relationship, error)
}

// Checker answers "may this actor do this?" for domain services, which call
// it once per service call, before touching data.
type Checker struct {
	facts Facts
}

// NewChecker returns a Checker that loads relationships through facts.
func NewChecker(facts Facts) *Checker { return &Checker{facts: facts} }

// Check returns nil when actor may do action to personID's data. Otherwise it
// returns EUNAUTHORIZED for an anonymous caller, ENOTFOUND when the caller
// has no relationship with the person at all (another person's or another
// service's record is "not found", never "forbidden"), and EFORBIDDEN when
// the caller may know the person exists but not do this.
func (c *Checker) Check(ctx context.Context, actor tend.Actor, action Action, personID tend.ID) error {
	return c.CheckTarget(ctx, actor, action, personID, Target{})
}

// CheckTarget is Check for one record, for the rules that depend on it
// (homework's assigner, a task's area, a supporter's item).
func (c *Checker) CheckTarget(ctx context.Context, actor tend.Actor, action Action, personID tend.ID, t Target) error {
	if actor.Kind == "" {
		return errUnauthorized
	}
	rel, err := c.facts.Relationship(ctx, actor, personID)
	if err != nil {
		return err
	}
	if !rel.Exists {
		return notFound()
	}
	rel.Target = t
	return result(Decide(actor, action, rel))
}

// CheckTeam returns nil when actor may do action for teamID as a whole (the
// aggregate reports of a lead's teams); errors as Check.
func (c *Checker) CheckTeam(ctx context.Context, actor tend.Actor, action Action, teamID tend.ID) error {
	if actor.Kind == "" {
		return errUnauthorized
	}
	rel, err := c.facts.TeamRelationship(ctx, actor, teamID)
	if err != nil {
		return err
	}
	if !rel.Exists {
		return notFound()
	}
	d := Decide(actor, action, rel)
	if !d.Allow && actor.IsStaff(tend.RoleAdmin) {
		d.Hide = false // admins manage teams, so they know each exists
	}
	return result(d)
}

// CheckService returns nil when actor may do a service-level action (staff,
// invites, settings). Nothing is hidden there, so a denial is EFORBIDDEN.
func (c *Checker) CheckService(_ context.Context, actor tend.Actor, action Action) error {
	if actor.Kind == "" {
		return errUnauthorized
	}
	d := Decide(actor, action, Relationship{Exists: true})
	d.Hide = false
	return result(d)
}

var errUnauthorized = tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")

func notFound() error { return tend.Errorf(tend.ENOTFOUND, "Not found.") }

func result(d Decision) error {
	switch {
	case d.Allow:
		return nil
	case d.Hide:
		return notFound()
	case d.Reason == ReasonNoMFA:
		return tend.Wrap(tend.EFORBIDDEN, errors.New(d.Reason), "Set up your second factor (an authenticator app or a passkey) before opening anyone's information.")
	default:
		return tend.Wrap(tend.EFORBIDDEN, errors.New(d.Reason), "You do not have access to this.")
	}
}
