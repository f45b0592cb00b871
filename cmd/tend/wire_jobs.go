package main

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/queue"
	"github.com/tendcare/tend/internal/retention"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
)

// wireRetention builds the retention jobs' work: old unsent drafts
// deleted, and an erasure job for every request whose hold ended without
// one, each period as the service's settings say now.
func wireRetention(db *store.DB, cache *settings.Cache, clock tend.Clock) jobs.Retention {
	svc := retention.NewService(store.For[retention.Tx](db), clock, func() retention.Settings {
		s, _ := cache.Get()
		return s.Retention
	})
	return jobs.Retention{
		Drafts: func(ctx context.Context) (int64, error) {
			d, err := svc.DeleteDrafts(ctx)
			return d.Total(), err
		},
		Erasures: svc.EnqueueErasures,
	}
}

// wireQueue builds the admins' jobs page service over River's table and
// client (the job client must be wired into db, as jobs.New does, for a
// retry to run).
func wireQueue(db *store.DB, checker *access.Checker, clock tend.Clock) *queue.Service {
	return queue.NewService(store.For[queue.Tx](db), checker, clock)
}
