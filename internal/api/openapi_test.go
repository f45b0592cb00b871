package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
)

// spec fetches the document from the handler itself, as clients do.
func spec(t *testing.T, e *env) []byte {
	t.Helper()
	_, res := e.do("", http.MethodGet, "/api/v1/openapi.json", "")
	if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json = %d %s", res.Code, res.Header().Get("Content-Type"))
	}
	return res.Body.Bytes()
}

func newValidator(t *testing.T, doc []byte) validator.Validator {
	t.Helper()
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		t.Fatalf("NewValidator: %v", errs)
	}
	return v
}

// TestOpenAPIDocument parses the document with libopenapi, builds the
// OpenAPI 3.1 model, and validates it against the OpenAPI 3.1 schema.
func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t)
	doc := spec(t, e)
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	if v := d.GetVersion(); v != "3.1.0" {
		t.Fatalf("version %q, want 3.1.0", v)
	}
	m, err := d.BuildV3Model()
	if err != nil {
		t.Fatalf("BuildV3Model: %v", err)
	}
	if m == nil || m.Model.Paths == nil || m.Model.Components == nil {
		t.Fatal("no paths or components")
	}
	v := newValidator(t, doc)
	ok, verrs := v.ValidateDocument()
	for _, ve := range verrs {
		t.Errorf("document: %s: %s (line %d)", ve.Message, ve.Reason, ve.SpecLine)
		for _, se := range ve.SchemaValidationErrors {
			t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
		}
	}
	if !ok {
		t.Fatal("the document is not valid OpenAPI 3.1")
	}
	t.Logf("OpenAPI 3.1 document: valid, %d errors, %d paths", len(verrs), m.Model.Paths.PathItems.Len())
	schemes := m.Model.Components.SecuritySchemes
	if s, ok := schemes.Get("sessionCookie"); !ok || s.Type != "apiKey" || s.In != "cookie" || s.Name != "tend_session" {
		t.Errorf("security scheme sessionCookie = %+v", s)
	}
	if s, ok := schemes.Get("bearerToken"); !ok || s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("security scheme bearerToken = %+v", s)
	}
	if _, ok := m.Model.Components.Schemas.Get("Problem"); !ok {
		t.Error("no Problem schema")
	}
}

// TestOpenAPIMatchesRoutes holds the route table and the document against
// each other: every route is documented with the same method and path, and
// every documented operation is served. Public routes say so (security: []).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(spec(t, e), &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	publicDoc := map[string]bool{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue
			}
			k := strings.ToUpper(method) + " " + path
			documented = append(documented, k)
			var op struct {
				Security *[]any `json:"security"`
			}
			_ = json.Unmarshal(raw, &op)
			if op.Security != nil && len(*op.Security) == 0 {
				publicDoc[k] = true
			}
		}
	}
	served, public := api.Routes()
	sort.Strings(documented)
	sort.Strings(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is served but not in openapi.json", r)
		}
		if public[r] != publicDoc[r] {
			t.Errorf("route %s: public in code %v, in openapi.json %v", r, public[r], publicDoc[r])
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("operation %s is in openapi.json but not served", d)
		}
	}
	if len(served) == 0 {
		t.Fatal("no routes")
	}
}

// TestOpenAPIScopes checks that the Scope enum is the access vocabulary.
func TestOpenAPIScopes(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Components struct {
			Schemas struct {
				Scope struct {
					Enum []string `json:"enum"`
				} `json:"Scope"`
				Area struct {
					Enum []string `json:"enum"`
				} `json:"Area"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(spec(t, e), &doc); err != nil {
		t.Fatal(err)
	}
	var actions, areas []string
	for _, a := range access.Actions {
		actions = append(actions, string(a))
	}
	for _, a := range access.Areas {
		areas = append(areas, string(a))
	}
	if !slices.Equal(doc.Components.Schemas.Scope.Enum, actions) {
		t.Errorf("Scope enum = %v, want access.Actions %v", doc.Components.Schemas.Scope.Enum, actions)
	}
	if !slices.Equal(doc.Components.Schemas.Area.Enum, areas) {
		t.Errorf("Area enum = %v, want access.Areas %v", doc.Components.Schemas.Area.Enum, areas)
	}
}

// TestCodesCoverEveryKind keeps the duplicated kind-to-status table
// complete and equal to internal/web's (written here by hand).
func TestCodesCoverEveryKind(t *testing.T) {
	want := map[string]int{
		tend.ECONFLICT: 409, tend.EINTERNAL: 500, tend.EINVALID: 400, tend.ENOTFOUND: 404, tend.EFORBIDDEN: 403,
		tend.EUNAVAILABLE: 503, tend.ETOOLARGE: 413, tend.ERATELIMITED: 429, tend.EUNAUTHORIZED: 401,
	}
	got := api.Codes()
	if len(got) != len(want) {
		t.Fatalf("codes has %d kinds, want %d", len(got), len(want))
	}
	for k, s := range want {
		if got[k] != s {
			t.Errorf("codes[%s] = %d, want %d", k, got[k], s)
		}
	}
}

// validateResponse checks one answer against the document.
func validateResponse(t *testing.T, v validator.Validator, req *http.Request, res *httptest.ResponseRecorder) {
	t.Helper()
	r := res.Result()
	defer r.Body.Close()
	r.Body = ioNopCloser(res.Body.Bytes())
	if ok, errs := v.ValidateHttpResponse(req, r); !ok {
		for _, ve := range errs {
			t.Errorf("response does not match openapi.json: %s: %s", ve.Message, ve.Reason)
			for _, se := range ve.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
			}
		}
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func ioNopCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }
