package web

import (
	"net/http"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// Patterns lists the patterns of every route, for the matrix test.
func (s *Server) Patterns() []string {
	var out []string
	for _, r := range s.routeTable() {
		out = append(out, r.pattern)
	}
	return out
}

// SafetyScreen serves the safety screen for out to the signed-in person, as
// a save that contains a trigger does (the diary and questionnaires).
func (s *Server) SafetyScreen(out followup.Outcome, actDay *time.Time) http.Handler {
	return s.withSession(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		a, err := requireKind(r, tend.KindPerson)
		if err != nil {
			return err
		}
		return s.safetyScreen(w, r, a, out, actDay)
	}))
}
