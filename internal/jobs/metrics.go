package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tendcare/tend/internal/queue"
	"github.com/tendcare/tend/internal/store"
)

// jobCounts is the tend_jobs gauge: how many jobs of each kind are in each
// state, read from the database at each scrape (so every node reports the
// whole service's queue; completed, discarded and cancelled jobs count
// those finished in the last 24 hours).
type jobCounts struct {
	db   *store.DB
	desc *prometheus.Desc
}

func newJobCounts(db *store.DB) *jobCounts {
	return &jobCounts{db: db, desc: prometheus.NewDesc("tend_jobs",
		"Background jobs by kind and state (finished states: the last 24 hours).", []string{"kind", "state"}, nil)}
}

func (c *jobCounts) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *jobCounts) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.db.FindJobCounts(ctx, c.db.Now().Add(-queue.RecentWindow))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n.N), n.Kind, n.State)
	}
}
