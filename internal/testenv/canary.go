package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Canary is a unique string planted in a field a person can withhold.
func Canary(field string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "canary-" + strings.ReplaceAll(field, ".", "-") + "-" + hex.EncodeToString(b)
}

// CanaryField is a field a person can withhold, and how to plant a value
// in it as its owner.
type CanaryField struct {
	Name  string
	Owner string                    // the account that writes it
	Plant func(value string) error  // writes value as the owner
	Seen  func(account string) bool // accounts allowed to see it (the owner always may)
}

// Crawler plants a canary in every registered field, then fetches every
// route as every account and searches each answer, and the logs, for the
// canaries that account may not see (DESIGN.md "Tests that must be able
// to fail"). Later issues register their fields and routes.
type Crawler struct {
	Fields   []CanaryField
	Accounts []string
	// Routes lists what account can fetch: paths of pages, API answers,
	// exports; later, e-mails and notifications. Crawl calls it on the
	// test's goroutine, once per account, after planting.
	Routes func(account string) []string
	// Fetch returns what account gets for path. With Workers above one it
	// is called from several goroutines at once.
	Fetch func(account, path string) (string, error)
	// Logs returns everything logged so far.
	Logs func() string
	// Workers is how many fetches run at once (one when zero).
	Workers int
}

// CrawlReport counts what a crawl searched and lists what it found.
type CrawlReport struct {
	Fields, Accounts, Responses int
	Leaks                       []string // sorted
}

// Crawl plants, fetches and searches.
func (c *Crawler) Crawl(t testing.TB) CrawlReport {
	t.Helper()
	values := map[string]string{}
	for _, f := range c.Fields {
		v := Canary(f.Name)
		if err := f.Plant(v); err != nil {
			t.Fatalf("plant %s: %v", f.Name, err)
		}
		values[f.Name] = v
	}
	type fetch struct{ account, path string }
	var todo []fetch
	for _, a := range c.Accounts {
		for _, path := range c.Routes(a) {
			todo = append(todo, fetch{a, path})
		}
	}
	r := CrawlReport{Fields: len(c.Fields), Accounts: len(c.Accounts), Responses: len(todo)}
	// search returns the leaks in what account got at path.
	search := func(account, path, body string) []string {
		var leaks []string
		for _, f := range c.Fields {
			if account == f.Owner || (f.Seen != nil && f.Seen(account)) {
				continue
			}
			if strings.Contains(body, values[f.Name]) {
				leaks = append(leaks, fmt.Sprintf("%s's %s reached %s at %s", f.Owner, f.Name, account, path))
			}
		}
		return leaks
	}
	var (
		mu       sync.Mutex
		failures []string
		next     = make(chan fetch)
		wg       sync.WaitGroup
	)
	for range max(c.Workers, 1) {
		wg.Go(func() {
			for f := range next {
				body, err := c.Fetch(f.account, f.path)
				mu.Lock()
				if err != nil {
					failures = append(failures, fmt.Sprintf("fetch %s as %s: %v", f.path, f.account, err))
				} else {
					r.Leaks = append(r.Leaks, search(f.account, f.path, body)...)
				}
				mu.Unlock()
			}
		})
	}
	for _, f := range todo {
		next <- f
	}
	close(next)
	wg.Wait()
	if len(failures) > 0 {
		slices.Sort(failures)
		t.Fatalf("%d fetches failed:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	if c.Logs != nil {
		logs := c.Logs()
		r.Responses++
		for _, f := range c.Fields {
			if strings.Contains(logs, values[f.Name]) {
				r.Leaks = append(r.Leaks, fmt.Sprintf("%s's %s reached the logs", f.Owner, f.Name))
			}
		}
	}
	slices.Sort(r.Leaks)
	return r
}
