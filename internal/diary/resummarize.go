package diary

import (
	"context"
	"fmt"
	"time"

	"github.com/tendcare/tend"
)

// resummarizeBatch bounds the cards read and written in one unit of work.
const resummarizeBatch = 500

// Resummarize summarises again every card summarised before the summary
// counted strong urges, from its stored values and the person's card
// configuration as it is now, in units of work of a few hundred cards, so
// that outcome reports count such cards' urges ridden out once it is done.
// It is the service's own work: it checks no access and audits nothing,
// since nobody reads the cards. It returns how many cards it summarised;
// run again, it finds none left. ctx ending stops it between batches.
func (s *Service) Resummarize(ctx context.Context) (int, error) {
	level := s.settings().Level()
	var (
		afterPerson tend.ID
		afterDay    time.Time
		done        int
	)
	configs := map[tend.ID]Config{}
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		cards, err := s.store.FindUnsummarizedDiaryCards(ctx, afterPerson, afterDay, resummarizeBatch)
		if err != nil {
			return done, err
		}
		if len(cards) == 0 {
			return done, nil
		}
		sums := make([]Summary, len(cards))
		for i, c := range cards {
			cfg, ok := configs[c.PersonID]
			if !ok {
				rec, err := s.store.FindDiaryConfig(ctx, c.PersonID)
				if err != nil {
					return done, fmt.Errorf("diary: resummarize: %w", err)
				}
				if cfg, err = mergeConfig(c.PersonID, rec, nil); err != nil {
					return done, err
				}
				// Cards come in person order: only the current person's
				// configuration is needed again.
				clear(configs)
				configs[c.PersonID] = cfg
			}
			sums[i] = Summarize(cfg, c.Values, level)
		}
		err = s.store.InTx(ctx, func(tx Tx) error {
			for i, c := range cards {
				ok, err := tx.UpdateDiarySummary(ctx, c.PersonID, c.ID, c.UpdatedAt, sums[i])
				if err != nil {
					return err
				}
				if ok {
					done++
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		last := cards[len(cards)-1]
		afterPerson, afterDay = last.PersonID, last.Day
	}
}
