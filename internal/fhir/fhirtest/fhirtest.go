// Package fhirtest validates the FHIR R4 resources Tend emits with FHIR.js
// (internal/fhir/fhirjs), an implementation independent of Tend's own
// structs, so a test catches a resource other systems would refuse. It is
// for tests only and never imported by the product.
package fhirtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/testenv"
)

// EnvRequire names the environment variable that makes a missing node or
// node_modules fail the test instead of skipping it (CI sets it after
// `npm ci` in internal/fhir/fhirjs).
const EnvRequire = "TEND_TEST_FHIRJS"

// Message is one problem FHIR.js found, with its location in the resource.
type Message struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

func (m Message) String() string { return m.Location + ": " + m.Message }

// Result is what FHIR.js says of one resource.
type Result struct {
	ResourceType string    `json:"resourceType"`
	Errors       []Message `json:"errors"`
	Warnings     []Message `json:"warnings"`
}

// Validate fails the test for every error FHIR.js reports on any of the
// resources, printing them all. It skips the test when node or the harness's
// node_modules is missing, unless TEND_TEST_FHIRJS=1.
func Validate(t testing.TB, resources ...any) {
	t.Helper()
	for i, r := range run(t, resources) {
		for _, m := range r.Errors {
			t.Errorf("FHIR.js: resource %d (%s): %s", i, r.ResourceType, m)
		}
	}
}

// Errors returns, per resource, the error messages FHIR.js reports (an
// empty slice for a valid resource), so a test can assert that a broken
// resource is refused. It skips like Validate.
func Errors(t testing.TB, resources ...any) [][]Message {
	t.Helper()
	results := run(t, resources)
	out := make([][]Message, len(results))
	for i, r := range results {
		out[i] = append([]Message{}, r.Errors...)
	}
	return out
}

func run(t testing.TB, resources []any) []Result {
	t.Helper()
	script, err := harness()
	if err != nil {
		unavailable(t, err.Error())
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(t, "node is not on PATH (install Node.js 20 or later)")
	}
	if resources == nil {
		resources = []any{}
	}
	in, err := json.Marshal(resources)
	if err != nil {
		t.Fatalf("fhirtest: marshal resources: %v", err)
	}
	cmd := exec.Command(node, script) // #nosec G204 -- tests only: node from PATH runs this module's own harness script
	cmd.Dir = filepath.Dir(script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fhirtest: node %s: %v\n%s", script, err, stderr.String())
	}
	var results []Result
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("fhirtest: read FHIR.js output: %v\n%s", err, stdout.String())
	}
	if len(results) != len(resources) {
		t.Fatalf("fhirtest: FHIR.js gave %d results for %d resources", len(results), len(resources))
	}
	return results
}

// unavailable skips, or fails when TEND_TEST_FHIRJS=1 asks for FHIR.js.
func unavailable(t testing.TB, reason string) {
	t.Helper()
	msg := "FHIR.js validation unavailable: " + reason + "; FHIR.js is installed by `npm ci` in internal/fhir/fhirjs (set " + EnvRequire + "=1 or TEND_REQUIRE_ALL=1 to make this fail instead of skip)"
	if os.Getenv(EnvRequire) == "1" || testenv.RequireAll() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// harness returns the path of validate.js, found from the module root (the
// nearest directory above the working directory holding go.mod), after
// checking FHIR.js is installed beside it.
func harness() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
	base := filepath.Join(dir, "internal", "fhir", "fhirjs")
	script := filepath.Join(base, "validate.js")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("%s is missing", script)
	}
	if _, err := os.Stat(filepath.Join(base, "node_modules", "fhir", "package.json")); err != nil {
		return "", fmt.Errorf("%s has no node_modules/fhir", base)
	}
	return script, nil
}

// Join formats messages one a line, for a test's failure output.
func Join(ms []Message) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.String()
	}
	return strings.Join(s, "\n")
}
