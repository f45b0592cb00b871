package testenv

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ with what the code produces now")

// Golden compares got with testdata/NAME.golden, or rewrites the file when
// the tests run with -update. Review every rewritten file before committing.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil { // #nosec G306 -- test data
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path) // #nosec G304 -- test data
	if err != nil {
		t.Fatalf("%s: %v (run go test -update to create it)", path, err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from what the code produces now (run go test -update to accept, then review the diff):\n--- got ---\n%s", path, got)
	}
}
