// Command vulndb builds the Go vulnerability database in the layout that
// `govulncheck -db file://DIR` reads (https://go.dev/security/vuln/database#api)
// from the OSV files the golang.org/x/vulndb module carries in data/osv, so
// that CI can check for known vulnerabilities without reaching vuln.go.dev:
//
//	DIR/index/db.json       {"modified": the database's date}
//	DIR/index/modules.json  each affected module and the entries naming it
//	DIR/index/vulns.json    each entry's id, date and aliases
//	DIR/ID/<id>.json        the entries themselves, copied unchanged
//
// The module index leaves out each entry's fixed version, which only lets
// govulncheck skip reading entries that cannot apply: it reads every entry
// naming a module Tend uses and decides from the entry's own ranges.
//
// Usage: go run ./.ci/vulndb -osv MODULE_DIR/data/osv -out DIR -modified RFC3339
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// entry is the part of an OSV entry the index needs.
type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

func main() {
	osvDir := flag.String("osv", "", "the data/osv folder of the golang.org/x/vulndb module")
	out := flag.String("out", "", "the folder to write the database to (must not exist)")
	modified := flag.String("modified", "", "the database's date, RFC 3339 (the OSV files carry none)")
	flag.Parse()
	if err := run(*osvDir, *out, *modified); err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func run(osvDir, out, modified string) error {
	if osvDir == "" || out == "" || modified == "" {
		return fmt.Errorf("-osv, -out and -modified are all needed")
	}
	date, err := time.Parse(time.RFC3339, modified)
	if err != nil {
		return fmt.Errorf("-modified: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(osvDir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no OSV files in %s", osvDir)
	}
	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			return err
		}
	}
	modules := map[string][]moduleVuln{}
	var vulns []vuln
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if e.ID == "" || e.ID+".json" != filepath.Base(f) {
			return fmt.Errorf("%s: the entry's id is %q", f, e.ID)
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		seen := map[string]bool{}
		for _, a := range e.Affected {
			if p := a.Package.Name; p != "" && !seen[p] {
				seen[p] = true
				modules[p] = append(modules[p], moduleVuln{ID: e.ID, Modified: e.Modified})
			}
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return err
		}
	}
	var index []module
	for p, vs := range modules {
		index = append(index, module{Path: p, Vulns: vs})
	}
	sort.Slice(index, func(i, j int) bool { return index[i].Path < index[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return strings.Compare(vulns[i].ID, vulns[j].ID) < 0 })
	for name, v := range map[string]any{
		"db.json": struct {
			Modified time.Time `json:"modified"`
		}{date},
		"modules.json": index,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, "index", name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("vulndb: %d entries, %d modules, dated %s\n", len(vulns), len(index), date.Format(time.RFC3339))
	return nil
}
