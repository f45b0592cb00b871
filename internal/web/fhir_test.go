package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestFHIRMounted: /fhir/r4 is served behind the web server's middleware
// with the same sessions as the pages and the API; its own routes are
// tested in internal/api (TestFHIRRead).
func TestFHIRMounted(t *testing.T) {
	d := newDemoServer(t)
	sam, alex := string(d.people["sam"]), string(d.people["alex"])
	for _, tt := range []struct {
		name, who, path string
		want            int
		contains        string
	}{
		{"Metadata", "", "/fhir/r4/metadata", http.StatusOK, `"CapabilityStatement"`},
		{"Anonymous", "", "/fhir/r4/Patient", http.StatusUnauthorized, `"OperationOutcome"`},
		{"Self", "sam", "/fhir/r4/Patient", http.StatusOK, sam},
		{"Other", "sam", "/fhir/r4/Patient/" + alex, http.StatusNotFound, `"not-found"`},
		{"Everything", "sam", "/fhir/r4/Patient/" + sam + "/$everything", http.StatusOK, `"searchset"`},
		{"Base", "sam", "/fhir/r4", http.StatusMethodNotAllowed, `"OperationOutcome"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := d.get(t, tt.who, tt.path)
			if res.Code != tt.want || !strings.Contains(res.Body.String(), tt.contains) {
				t.Errorf("%s as %q: %d, want %d with %q\n%s", tt.path, tt.who, res.Code, tt.want, tt.contains, res.Body)
			}
			if ct := res.Header().Get("Content-Type"); ct != "application/fhir+json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}
