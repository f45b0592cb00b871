package settings

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/rights"
)

// Cache holds the current settings in memory, so the help page renders with
// no database read and keeps working while the database is down. Every node
// refreshes its copy on a short interval, so an admin's change on one node
// reaches the others within that interval.
type Cache struct {
	store Store
	cur   atomic.Pointer[cached]
}

type cached struct {
	s       Settings
	version int64
}

// NewCache returns an empty cache over st; call Refresh before use.
func NewCache(st Store) *Cache { return &Cache{store: st} }

// Get returns the settings held in memory and whether there are any.
func (c *Cache) Get() (Settings, bool) {
	p := c.cur.Load()
	if p == nil {
		return Settings{}, false
	}
	return p.s, true
}

// Refresh reads the settings from the store. When the store fails, the copy
// in memory is kept, so the help page goes on working.
func (c *Cache) Refresh(ctx context.Context) error {
	s, v, err := c.store.FindSettings(ctx)
	if errors.Is(err, tend.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p := c.cur.Load(); p == nil || p.version != v {
		c.cur.Store(&cached{s: s, version: v})
	}
	return nil
}

// Save validates and stores s, then holds it in memory at once.
func (c *Cache) Save(ctx context.Context, s Settings) error {
	if err := Save(ctx, c.store, s); err != nil {
		return err
	}
	return c.Refresh(ctx)
}

// Run refreshes the cache every interval until ctx ends. Failures are
// logged and the last good copy stays in use.
func (c *Cache) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Warn("settings refresh failed; keeping the copy in memory", "err", err)
			}
		}
	}
}

// FollowUp returns what follow-up tasks read from the settings now: the duty
// team, the safety-prompt rules, and the reminders with the working time
// they count in.
func (c *Cache) FollowUp() followup.Settings {
	s, _ := c.Get()
	return followup.Settings{DutyTeam: s.DutyTeam, Rules: s.Triggers, Nudges: s.Nudges, Calendar: s}
}

// Diary returns the diary card's settings now.
func (c *Cache) Diary() diary.Settings {
	s, _ := c.Get()
	return s.Diary
}

// Records returns the records settings for the person's data rights now.
func (c *Cache) Records() rights.Settings {
	s, _ := c.Get()
	return s.Records
}

// Episodes returns what episodes of care read from the settings now: the
// modality list, the follow-up window and the service's time zone.
func (c *Cache) Episodes() episodes.Settings {
	s, _ := c.Get()
	return episodes.Settings{Modalities: s.Modalities, WindowWeeks: s.FollowUpWindowWeeks, Location: s.Location()}
}
