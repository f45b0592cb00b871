package tend_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// outer packages may depend on domain packages, never the reverse
// (STYLE.md: root <- domain <- {store, web, fhir, jobs} <- cmd).
var outer = map[string]bool{
	"store": true, "web": true, "jobs": true, "fhir": true, "api": true,
	"testenv": true, "config": true,
}

// forbidden are what a domain package (or the root) must never import.
var forbidden = []string{"net/http", "database/sql", "html/template"}

// TestDependencyDirection reads the real import graph with go list.
func TestDependencyDirection(t *testing.T) {
	const module = "github.com/tendcare/tend"
	out, err := exec.Command("go", "list", "-json", "-deps=false", "./...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		isRoot := rel == ""
		name, isInternal := strings.CutPrefix(rel, "internal/")
		if !isRoot && (!isInternal || outer[name] || strings.Contains(name, "/")) {
			continue
		}
		checked++
		for _, d := range p.Deps {
			for _, f := range forbidden {
				if d == f {
					t.Errorf("%s imports %s: domain packages stay free of HTTP, SQL and templates", p.ImportPath, d)
				}
			}
			if dep, ok := strings.CutPrefix(d, module+"/internal/"); ok && outer[strings.SplitN(dep, "/", 2)[0]] {
				t.Errorf("%s imports %s: dependencies point inward", p.ImportPath, d)
			}
			if isRoot && strings.HasPrefix(d, module+"/") {
				t.Errorf("the root package imports %s: it holds only shared vocabulary", d)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("checked only %d packages: the go list output was not read", checked)
	}
}
