package auth

import (
	"context"
	"slices"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// Account is what a signed-in account sees of itself (the API's /me):
// who it is, and for a person their username, state and time zone. It
// carries no hashes and nothing clinical.
type Account struct {
	Kind tend.AccountKind
	ID   tend.ID
	Role tend.Role // staff only
	Name string    // staff only
	// Person only:
	Username string
	State    tend.PersonState
	TimeZone string
}

// Account returns actor's own account. An API token needs the scope
// access.ProfileRead (EFORBIDDEN without it). EUNAUTHORIZED when actor is
// anonymous; ENOTFOUND for kinds of account that have no record here, or
// when the account is gone.
func (s *Service) Account(ctx context.Context, actor tend.Actor) (Account, error) {
	if actor.ID == "" || actor.Kind == "" {
		return Account{}, errSignedOut
	}
	if actor.Scopes != nil && !slices.Contains(actor.Scopes, string(access.ProfileRead)) {
		return Account{}, tend.Errorf(tend.EFORBIDDEN, "This token's scopes do not include %s.", access.ProfileRead)
	}
	a := Account{Kind: actor.Kind, ID: actor.ID}
	switch actor.Kind {
	case tend.KindStaff:
		st, err := s.store.FindStaffAccountByID(ctx, actor.ID)
		if err != nil {
			return Account{}, err
		}
		a.Role, a.Name = st.Role, st.Name
	case tend.KindPerson:
		p, err := s.store.FindPersonAccountByID(ctx, actor.ID)
		if err != nil {
			return Account{}, err
		}
		a.Username, a.State, a.TimeZone = p.Username, p.State, p.TimeZone
	default:
		return Account{}, tend.ErrNotFound
	}
	return a, nil
}
