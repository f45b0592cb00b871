package web

import (
	"net/http"

	"github.com/tendcare/tend"
)

// questionnaireChange is one instrument's change on the person's progress
// page, in the kind words of their scores page (safety-rules.md section
// 6): never a rate, a ratio, a threshold or a reliable-change label.
type questionnaireChange struct {
	Text string // "PHQ-9: Your scores went up since 2 March. ..."
}

// progressQuestionnaires words the change of each instrument with at least
// two finished totals, as the scores page words it (changeWords). Without
// the questionnaire service there is nothing to say.
func (s *Server) progressQuestionnaires(r *http.Request, a tend.Actor) ([]questionnaireChange, error) {
	if s.opt.Measures == nil {
		return nil, nil
	}
	series, err := s.opt.Measures.Scores(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	var out []questionnaireChange
	who := ""
	for _, se := range series {
		totals := se.Totals()
		if len(totals) < 2 {
			continue
		}
		if who == "" {
			if who, err = s.talkWith(r, a); err != nil {
				return nil, err
			}
		}
		words := changeWords(p.T, se.Instrument, totals[0], totals[len(totals)-1], who)
		out = append(out, questionnaireChange{Text: p.T("progress.questionnaire_change", se.Instrument.Short, words)})
	}
	return out, nil
}
