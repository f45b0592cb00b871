package fhir

import (
	"strings"
	"time"
)

// Route is one line of the /fhir/r4 route table as the CapabilityStatement
// describes it: the method, the path under Prefix, and for a search the
// parameters it takes.
type Route struct {
	Method string
	Path   string // such as "/fhir/r4/Patient/{id}/$everything"
	Search []SearchParam
}

// SearchParam is one search parameter a search route takes.
type SearchParam struct {
	Name          string
	Type          string // an R4 search parameter type: reference, token, uri, string …
	Documentation string
}

// Prefix is where Tend serves FHIR R4.
const Prefix = "/fhir/r4"

// Capability derives the CapabilityStatement from the route table, so that
// it says exactly what is served: GET /Type is a search-type, GET
// /Type/{id} a read, GET /Type/{id}/$op an operation, and POST at the base
// the transaction and batch interactions. date is when it was made.
func Capability(routes []Route, version string, date time.Time) CapabilityStatement {
	rest := CapabilityRest{
		Mode: "server",
		Documentation: "Read access to what the caller may see of a person's record in Tend, with the same sessions and " +
			"scoped API tokens as /api/v1. Another person's record answers 404.",
		Security: &CapabilitySecurity{Description: "Send a personal access token as Authorization: Bearer <token> " +
			"(its scopes are access action names), or use a signed-in browser session. Only the CapabilityStatement needs neither."},
	}
	index := map[string]int{}
	resource := func(typ string) *CapabilityResource {
		i, ok := index[typ]
		if !ok {
			i = len(rest.Resource)
			index[typ] = i
			rest.Resource = append(rest.Resource, CapabilityResource{Type: typ})
		}
		return &rest.Resource[i]
	}
	for _, rt := range routes {
		path := strings.TrimPrefix(rt.Path, Prefix)
		parts := strings.Split(strings.Trim(path, "/"), "/")
		switch {
		case path == "" || path == "/":
			if rt.Method == "POST" {
				rest.Interaction = append(rest.Interaction, CapabilityInteraction{Code: "transaction"}, CapabilityInteraction{Code: "batch"})
			}
		case parts[0] == "metadata":
			// The CapabilityStatement itself.
		case len(parts) == 1 && rt.Method == "GET":
			r := resource(parts[0])
			r.Interaction = append(r.Interaction, CapabilityInteraction{Code: "search-type"})
			for _, p := range rt.Search {
				r.SearchParam = append(r.SearchParam, CapabilitySearchParam(p))
			}
		case len(parts) == 2 && rt.Method == "GET":
			r := resource(parts[0])
			r.Interaction = append(r.Interaction, CapabilityInteraction{Code: "read"})
		case len(parts) == 3 && strings.HasPrefix(parts[2], "$") && rt.Method == "GET":
			r := resource(parts[0])
			op := strings.TrimPrefix(parts[2], "$")
			r.Operation = append(r.Operation, CapabilityOperation{Name: op,
				Definition: "http://hl7.org/fhir/OperationDefinition/" + parts[0] + "-" + op})
		}
	}
	return CapabilityStatement{
		ResourceType: "CapabilityStatement",
		Status:       "active",
		Date:         date.UTC().Format(time.RFC3339),
		Publisher:    "Tend",
		Kind:         "instance",
		Software:     &CapabilitySoftware{Name: "Tend", Version: version},
		Implementation: &CapabilityImplementation{
			Description: "Tend's FHIR R4 interface: questionnaires, responses, scores, diary cards, the safety plan, the care team and sharing choices.",
		},
		FHIRVersion: "4.0.1",
		Format:      []string{"application/fhir+json"},
		Rest:        []CapabilityRest{rest},
	}
}
