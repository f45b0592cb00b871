package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
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
	// exports; later, e-mails and notifications.
	Routes func(account string) []string
	// Fetch returns what account gets for path.
	Fetch func(account, path string) (string, error)
	// Logs returns everything logged so far.
	Logs func() string
}

// CrawlReport counts what a crawl searched and lists what it found.
type CrawlReport struct {
	Fields, Accounts, Responses int
	Leaks                       []string
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
	r := CrawlReport{Fields: len(c.Fields), Accounts: len(c.Accounts)}
	for _, a := range c.Accounts {
		for _, path := range c.Routes(a) {
			body, err := c.Fetch(a, path)
			if err != nil {
				t.Fatalf("fetch %s as %s: %v", path, a, err)
			}
			r.Responses++
			for _, f := range c.Fields {
				if a == f.Owner || (f.Seen != nil && f.Seen(a)) {
					continue
				}
				if strings.Contains(body, values[f.Name]) {
					r.Leaks = append(r.Leaks, fmt.Sprintf("%s's %s reached %s at %s", f.Owner, f.Name, a, path))
				}
			}
		}
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
	return r
}
