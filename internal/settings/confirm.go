package settings

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/crisis"
)

// staleAfter is how old a check may be before admins are asked to look
// again (crisis-lines.json "about": entries older than 12 months are
// flagged).
const staleAfter = 365 * 24 * time.Hour

// Awaiting is one country whose crisis lines an admin should check.
type Awaiting struct {
	Country, Name string
	Unconfirmed   bool     // never confirmed against this version of the file
	Stale         []string // names of lines checked over 12 months ago, or never
	ConfirmedAt   time.Time
}

// AwaitingConfirmation lists the countries an admin should look at: every
// listed country the service has not confirmed against this crisis-lines
// file, or confirmed over 12 months ago, with the lines whose own check is
// missing or over 12 months old. The service's own country comes first.
func AwaitingConfirmation(dir *crisis.Directory, s Settings, now time.Time) []Awaiting {
	var out []Awaiting
	for _, c := range dir.Listed {
		a := Awaiting{Country: c.Code, Name: c.Name, Unconfirmed: !s.ConfirmedFor(c.Code, dir.Compiled)}
		conf, ok := s.Confirmed[c.Code]
		if ok {
			a.ConfirmedAt = conf.At
		}
		if ok && now.Sub(conf.At) > staleAfter {
			a.Unconfirmed = true
		}
		// An admin's confirmation counts as a check of every line in it; the
		// file's own dates count until there is one.
		if a.Unconfirmed {
			view := dir.View(c.Code, crisis.Options{Confirmed: func(string) bool { return true }, Now: now})
			for _, l := range view.Stale {
				a.Stale = append(a.Stale, l.Name)
			}
		}
		if a.Unconfirmed {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Country == s.Country && out[j].Country != s.Country })
	return out
}

// Confirm records that by checked country's crisis lines against the
// crisis-lines file compiled on compiled. The caller has checked that by
// may change the service's settings, and writes the audit event in the
// same unit of work.
func Confirm(ctx context.Context, st Store, dir *crisis.Directory, by tend.ID, country string, now time.Time) error {
	if _, ok := dir.Lookup(country); !ok {
		return tend.Errorf(tend.EINVALID, "Tend has no crisis lines for %q.", country)
	}
	s, _, err := st.FindSettings(ctx)
	if err != nil {
		return fmt.Errorf("settings: confirm: %w", err)
	}
	if s.Confirmed == nil {
		s.Confirmed = map[string]Confirmation{}
	}
	c, _ := dir.Lookup(country)
	s.Confirmed[c.Code] = Confirmation{By: by, At: now.UTC(), Compiled: dir.Compiled}
	return Save(ctx, st, s)
}
