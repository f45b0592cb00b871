package careteam

import (
	"context"
	"slices"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// AuditSupporterView is recorded each time a supporter opens their page:
// the person can see that their supporter looked.
const AuditSupporterView = "supporter.viewed"

// SupporterStore is what a supporter's own page needs from storage.
type SupporterStore interface {
	// FindSupporterByID returns a current supporter with their items;
	// ENOTFOUND when there is none or they have ended.
	FindSupporterByID(ctx context.Context, supporterID tend.ID) (Supporter, error)
}

// SupporterView is what a supporter sees on their own page: whose supporter
// they are, by the person's username only, and the items the person gave
// them. Nothing else of the person's record is in it.
type SupporterView struct {
	SupporterID    tend.ID
	PersonUsername string
	Items          []access.SupporterItem
}

// SupporterHome returns the signed-in supporter's view. Only a supporter can
// have one (ENOTFOUND for anyone else, and for a supporter the person has
// ended). Each item is shown only when the access policy allows this
// supporter to read it (SafetyPlanRead narrowed to the item), so the policy,
// not this method, decides; the read is audited against the person.
//
// The person's username is the one part of their basic record a supporter
// sees, as the name of the relationship (the person chose it as a
// pseudonym); the rest of the record (state, team) stays under
// access.ProfileRead, which supporters are never given.
func (s *Service) SupporterHome(ctx context.Context, actor tend.Actor) (SupporterView, error) {
	if actor.Kind != tend.KindSupporter || actor.ID == "" {
		return SupporterView{}, tend.ErrNotFound
	}
	sup, err := s.store.FindSupporterByID(ctx, actor.ID)
	if err != nil {
		return SupporterView{}, err
	}
	v := SupporterView{SupporterID: sup.ID}
	for _, it := range access.SupporterItems { // in the fixed order of the list
		if !slices.Contains(sup.Items, it) {
			continue
		}
		err := s.checker.CheckTarget(ctx, actor, access.SafetyPlanRead, sup.PersonID, access.Target{Item: it})
		switch {
		case err == nil:
			v.Items = append(v.Items, it)
		case tend.ErrorKind(err) != tend.EFORBIDDEN:
			return SupporterView{}, err
		}
	}
	profile, err := s.store.FindPersonProfile(ctx, sup.PersonID)
	if err != nil {
		return SupporterView{}, err
	}
	v.PersonUsername = profile.Username
	err = s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, s.event(actor, AuditSupporterView, sup.PersonID, "supporter:"+string(sup.ID)))
	})
	if err != nil {
		return SupporterView{}, err
	}
	return v, nil
}
