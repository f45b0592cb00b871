package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
)

// FHIRHandler serves FHIR R4 at /fhir/r4 (docs/fhir/README.md): what the
// caller may see of a person's record, read through the same domain
// services as the JSON API (internal/fhir.Records), with the same sessions
// and scoped tokens. Errors are OperationOutcomes; another person's record
// answers 404. Mount it where the API is mounted, behind the same
// middleware.
type FHIRHandler struct {
	api     *Handler
	records *fhir.Records
	mux     *http.ServeMux
	// capability is the CapabilityStatement, made once from the route
	// table when the handler is built.
	capability fhir.CapabilityStatement
}

// fhirHandlerFunc is a /fhir/r4 handler: it gets the authenticated actor
// (the zero Actor on public routes) and returns an error to be written as
// an OperationOutcome.
type fhirHandlerFunc func(f *FHIRHandler, w http.ResponseWriter, r *http.Request, a tend.Actor) error

// fhirRoute is one line of the /fhir/r4 route table. The table is the
// single list of what /fhir/r4 serves: NewFHIR registers it, and the
// CapabilityStatement is derived from it (fhir.Capability), so the two
// cannot drift.
type fhirRoute struct {
	method  string
	pattern string
	public  bool
	search  []fhir.SearchParam // the parameters a search takes
	fn      fhirHandlerFunc
}

// The search parameters the person-scoped searches take.
var (
	searchPatient = fhir.SearchParam{Name: "patient", Type: "reference",
		Documentation: "The person: an id or Patient/<id>. A person may leave it out (themselves); staff must give it."}
	searchSubject = fhir.SearchParam{Name: "subject", Type: "reference", Documentation: "The same as patient, as Patient/<id>."}
	byPerson      = []fhir.SearchParam{searchPatient, searchSubject}
)

var fhirRoutes = []fhirRoute{
	{http.MethodGet, "/fhir/r4/metadata", true, nil, (*FHIRHandler).metadataShow},
	{http.MethodPost, "/fhir/r4", false, nil, (*FHIRHandler).bundleImport},
	{http.MethodGet, "/fhir/r4/Patient", false, nil, (*FHIRHandler).patientSearch},
	{http.MethodGet, "/fhir/r4/Patient/{id}", false, nil, (*FHIRHandler).patientRead},
	{http.MethodGet, "/fhir/r4/Patient/{id}/$everything", false, nil, (*FHIRHandler).patientEverything},
	{http.MethodGet, "/fhir/r4/Practitioner/{id}", false, nil, (*FHIRHandler).practitionerRead},
	{http.MethodGet, "/fhir/r4/Questionnaire", false, []fhir.SearchParam{
		{Name: "url", Type: "uri", Documentation: "The Questionnaire's canonical URL."},
		{Name: "name", Type: "string", Documentation: "The instrument's short key, such as phq-9."},
	}, (*FHIRHandler).questionnaireSearch},
	{http.MethodGet, "/fhir/r4/Questionnaire/{id}", false, nil, (*FHIRHandler).questionnaireRead},
	{http.MethodGet, "/fhir/r4/QuestionnaireResponse", false, byPerson, (*FHIRHandler).responseSearch},
	{http.MethodGet, "/fhir/r4/QuestionnaireResponse/{id}", false, nil, (*FHIRHandler).responseRead},
	{http.MethodGet, "/fhir/r4/Observation", false, byPerson, (*FHIRHandler).observationSearch},
	{http.MethodGet, "/fhir/r4/Observation/{id}", false, nil, (*FHIRHandler).observationRead},
	{http.MethodGet, "/fhir/r4/CarePlan", false, byPerson, (*FHIRHandler).carePlanSearch},
	{http.MethodGet, "/fhir/r4/CarePlan/{id}", false, nil, (*FHIRHandler).carePlanRead},
	{http.MethodGet, "/fhir/r4/CareTeam", false, byPerson, (*FHIRHandler).careTeamSearch},
	{http.MethodGet, "/fhir/r4/CareTeam/{id}", false, nil, (*FHIRHandler).careTeamRead},
	{http.MethodGet, "/fhir/r4/Consent", false, []fhir.SearchParam{searchPatient}, (*FHIRHandler).consentSearch},
	{http.MethodGet, "/fhir/r4/Consent/{id}", false, nil, (*FHIRHandler).consentRead},
}

// FHIRPatterns lists the routes /fhir/r4 serves as "METHOD /fhir/r4/..."
// net/http patterns, for the authorization matrix and the canary crawler.
func FHIRPatterns() []string {
	out := make([]string, len(fhirRoutes))
	for i, rt := range fhirRoutes {
		out[i] = rt.method + " " + rt.pattern
	}
	return out
}

// capabilityRoutes is the route table as fhir.Capability reads it.
func capabilityRoutes() []fhir.Route {
	out := make([]fhir.Route, len(fhirRoutes))
	for i, rt := range fhirRoutes {
		out[i] = fhir.Route{Method: rt.method, Path: rt.pattern, Search: rt.search}
	}
	return out
}

// NewFHIR builds the /fhir/r4 handler on the API's authentication (h) and
// the records it reads (records).
func NewFHIR(h *Handler, records *fhir.Records) (*FHIRHandler, error) {
	if h == nil || records == nil || records.Accounts == nil || records.CareTeams == nil {
		return nil, tend.Errorf(tend.EINTERNAL, "api: NewFHIR needs the API handler and records with Accounts and CareTeams")
	}
	f := &FHIRHandler{api: h, records: records, mux: http.NewServeMux()}
	f.capability = fhir.Capability(capabilityRoutes(), tend.Version, f.now())
	rs := make([]muxRoute, len(fhirRoutes))
	for i, rt := range fhirRoutes {
		rs[i] = muxRoute{rt.method, rt.pattern, f.wrap(rt)}
	}
	allowed := register(f.mux, rs, func(w http.ResponseWriter, r *http.Request) {
		writeOutcome(w, http.StatusMethodNotAllowed, "not-supported", "This address does not answer "+r.Method+".")
	})
	nothing := func(w http.ResponseWriter, r *http.Request) {
		f.fail(w, r, tend.Errorf(tend.ENOTFOUND, "There is nothing at this address."))
	}
	f.mux.HandleFunc("/fhir/r4/", nothing)
	if _, ok := allowed["/fhir/r4"]; !ok {
		f.mux.HandleFunc("/fhir/r4", nothing)
	}
	return f, nil
}

// ServeHTTP makes FHIRHandler an http.Handler.
func (f *FHIRHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

// wrap authenticates the caller as the API does, refuses anonymous calls
// to routes that need a sign-in, and turns a returned error into an
// OperationOutcome.
func (f *FHIRHandler) wrap(rt fhirRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var a tend.Actor
		if !rt.public {
			var err error
			if a, err = f.api.caller(r); err != nil {
				f.fail(w, r, err)
				return
			}
			w.Header().Set("Cache-Control", "no-store")
		}
		if err := rt.fn(f, w, r, a); err != nil {
			f.fail(w, r, err)
		}
	}
}

// outcomeCodes is the OperationOutcome issue code of each error kind.
var outcomeCodes = map[string]string{
	tend.ECONFLICT:     "conflict",
	tend.EINTERNAL:     "exception",
	tend.EINVALID:      "invalid",
	tend.ENOTFOUND:     "not-found",
	tend.EFORBIDDEN:    "forbidden",
	tend.EUNAVAILABLE:  "transient",
	tend.ETOOLARGE:     "too-costly",
	tend.ERATELIMITED:  "throttled",
	tend.EUNAUTHORIZED: "login",
}

// fail writes err as an OperationOutcome with the status the API gives its
// kind. Only tend.ErrorMessage(err) is shown; a server-side failure is
// logged with the request id, never sent.
func (f *FHIRHandler) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := tend.ErrorKind(err)
	status, ok := codes[kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		f.api.opt.Logger.ErrorContext(r.Context(), "fhir request failed", "request_id", w.Header().Get("X-Request-Id"),
			"route", r.Pattern, "kind", kind, "err", err)
	}
	if kind == tend.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tend"`)
	}
	detail := tend.ErrorMessage(err)
	if d, ok := genericDetail[kind]; ok {
		detail = d
	}
	WriteFHIRError(w, status, kind, detail)
}

// WriteFHIRError writes an error of kind as an OperationOutcome with
// status, for whatever answers under /fhir/r4: this handler, and the
// middleware in front of it (another site, too large a body).
func WriteFHIRError(w http.ResponseWriter, status int, kind, diagnostics string) {
	code, ok := outcomeCodes[kind]
	if !ok {
		code = "exception"
	}
	writeOutcome(w, status, code, diagnostics)
}

// writeOutcome writes an OperationOutcome with one error issue.
func writeOutcome(w http.ResponseWriter, status int, code, diagnostics string) {
	b, _ := json.Marshal(fhir.OperationOutcome{ResourceType: "OperationOutcome",
		Issue: []fhir.OperationOutcomeIssue{{Severity: "error", Code: code, Diagnostics: diagnostics}}})
	w.Header().Set("Content-Type", fhirJSON)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// metadataShow is the CapabilityStatement, derived from the route table.
func (f *FHIRHandler) metadataShow(w http.ResponseWriter, _ *http.Request, _ tend.Actor) error {
	return writeFHIR(w, http.StatusOK, f.capability)
}

// searchset starts a searchset Bundle under the records' base URL.
func (f *FHIRHandler) searchset() *fhir.Searchset { return fhir.NewSearchset(f.records.BaseURL) }

func (f *FHIRHandler) writeBundle(w http.ResponseWriter, s *fhir.Searchset) error {
	return writeFHIR(w, http.StatusOK, s.Bundle(f.now()))
}

func (f *FHIRHandler) now() time.Time {
	if f.api.opt.Clock != nil {
		return f.api.opt.Clock.Now().UTC()
	}
	return time.Now().UTC()
}

// fhirID reads the {id} of a person-scoped path as a Tend id; anything
// else names nothing Tend holds (404).
func fhirID(r *http.Request) (tend.ID, error) {
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return "", tend.Errorf(tend.ENOTFOUND, "There is no such record.")
	}
	return id, nil
}

// searchPerson reads whose records a search is about: patient=<id>,
// patient=Patient/<id> or subject=Patient/<id>. A person may leave it out
// (themselves); staff must give it. Parameters /fhir/r4 does not support
// are refused rather than ignored, so that a filter is never silently
// dropped.
func searchPerson(r *http.Request, a tend.Actor, allowed ...string) (tend.ID, error) {
	q := r.URL.Query()
	for name := range q {
		if name == "_format" || slices.Contains(allowed, name) {
			continue
		}
		return "", tend.Errorf(tend.EINVALID, "This search does not take the parameter %q.", truncateParam(name))
	}
	var ref string
	for _, name := range allowed {
		if v := q.Get(name); v != "" {
			if ref != "" && strings.TrimPrefix(v, "Patient/") != ref {
				return "", tend.Errorf(tend.EINVALID, "Name one person only.")
			}
			ref = strings.TrimPrefix(v, "Patient/")
		}
	}
	if ref == "" {
		if a.Kind == tend.KindPerson {
			return a.ID, nil
		}
		return "", tend.Errorf(tend.EINVALID, "Say whose records to search: patient=<id>.")
	}
	id, err := tend.ParseID(ref)
	if err != nil {
		return "", tend.Errorf(tend.ENOTFOUND, "There is no such person.")
	}
	return id, nil
}

func truncateParam(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// areaWithheld reports whether err says the caller knows the person but
// may not see this area: a search then finds nothing, as $everything
// leaves the area out. ENOTFOUND (a person the caller may not see) stays
// an error.
func areaWithheld(err error) bool { return tend.ErrorKind(err) == tend.EFORBIDDEN }

// patientSearch is the people the caller may see: a person themselves,
// staff the people on their caseload.
func (f *FHIRHandler) patientSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	if _, err := searchPerson(r, tend.Actor{Kind: tend.KindPerson}); err != nil {
		return err
	}
	list, err := f.records.Patients(r.Context(), a)
	if err != nil {
		return err
	}
	s := f.searchset()
	for _, p := range list {
		if err := s.Add("match", "Patient", p.ID, p); err != nil {
			return err
		}
	}
	return f.writeBundle(w, s)
}

func (f *FHIRHandler) patientRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := fhirID(r)
	if err != nil {
		return err
	}
	p, err := f.records.Patient(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeFHIR(w, http.StatusOK, p)
}

// patientEverything is everything about the person the caller may see
// (fhir.Records.Everything).
func (f *FHIRHandler) patientEverything(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := fhirID(r)
	if err != nil {
		return err
	}
	b, err := f.records.Everything(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeFHIR(w, http.StatusOK, b)
}

func (f *FHIRHandler) practitionerRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := fhirID(r)
	if err != nil {
		return err
	}
	p, err := f.records.Practitioner(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeFHIR(w, http.StatusOK, p)
}

// questionnaireSearch is the instruments the service offers, with Tend's
// scoring extension, optionally by url or name.
func (f *FHIRHandler) questionnaireSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	q := r.URL.Query()
	for name := range q {
		if name != "url" && name != "name" && name != "_format" {
			return tend.Errorf(tend.EINVALID, "This search does not take the parameter %q.", truncateParam(name))
		}
	}
	list, err := f.records.Questionnaires(r.Context(), a)
	if err != nil {
		return err
	}
	s := f.searchset()
	for _, qn := range list {
		if u := q.Get("url"); u != "" && u != qn.URL {
			continue
		}
		if n := q.Get("name"); n != "" && !strings.EqualFold(n, qn.Name) {
			continue
		}
		if err := s.Add("match", "Questionnaire", qn.ID, qn); err != nil {
			return err
		}
	}
	return f.writeBundle(w, s)
}

func (f *FHIRHandler) questionnaireRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	list, err := f.records.Questionnaires(r.Context(), a)
	if err != nil {
		return err
	}
	for _, qn := range list {
		if qn.ID == r.PathValue("id") {
			return writeFHIR(w, http.StatusOK, qn)
		}
	}
	return tend.Errorf(tend.ENOTFOUND, "There is no such questionnaire.")
}

// hide answers a read by id that access refuses as 404: the id alone
// must not tell the caller whose record it is.
func hide(err error) error {
	if areaWithheld(err) {
		return tend.Errorf(tend.ENOTFOUND, "There is no such record.")
	}
	return err
}

// carePlanSearch is the person's current safety plan, when they have one
// and the caller may see it.
func (f *FHIRHandler) carePlanSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := searchPerson(r, a, "patient", "subject")
	if err != nil {
		return err
	}
	s := f.searchset()
	cp, ok, err := f.records.CarePlan(r.Context(), a, id)
	if err != nil && !areaWithheld(err) {
		return err
	}
	if ok {
		if err := s.Add("match", "CarePlan", cp.ID, cp); err != nil {
			return err
		}
	}
	return f.writeBundle(w, s)
}

// carePlanRead reads CarePlan/{id}, the id being the person's.
func (f *FHIRHandler) carePlanRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := fhirID(r)
	if err != nil {
		return err
	}
	cp, ok, err := f.records.CarePlan(r.Context(), a, id)
	if err != nil {
		return hide(err)
	}
	if !ok {
		return tend.Errorf(tend.ENOTFOUND, "There is no safety plan yet.")
	}
	return writeFHIR(w, http.StatusOK, cp)
}

// careTeamSearch is the person's care team, with its Practitioners
// included.
func (f *FHIRHandler) careTeamSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := searchPerson(r, a, "patient", "subject")
	if err != nil {
		return err
	}
	ct, ps, err := f.records.CareTeam(r.Context(), a, id)
	if err != nil {
		return err
	}
	s := f.searchset()
	if err := s.Add("match", "CareTeam", ct.ID, ct); err != nil {
		return err
	}
	for _, p := range ps {
		if err := s.Add("include", "Practitioner", p.ID, p); err != nil {
			return err
		}
	}
	return f.writeBundle(w, s)
}

// careTeamRead reads CareTeam/{id}, the id being the person's.
func (f *FHIRHandler) careTeamRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	id, err := fhirID(r)
	if err != nil {
		return err
	}
	ct, _, err := f.records.CareTeam(r.Context(), a, id)
	if err != nil {
		return hide(err)
	}
	return writeFHIR(w, http.StatusOK, ct)
}

// A person's records of one resource type, and how /fhir/r4 searches and
// reads them: list reads them as the caller may see them, through the
// domain service that owns them; idOf is a record's resource id.

// searchRecords answers a search of a person's records (the person named
// by the params, see searchPerson), each a "match" entry.
func searchRecords[T any](f *FHIRHandler, w http.ResponseWriter, r *http.Request, a tend.Actor,
	resourceType string, list func(context.Context, tend.Actor, tend.ID) ([]T, error), idOf func(T) string, params ...string) error {
	id, err := searchPerson(r, a, params...)
	if err != nil {
		return err
	}
	recs, err := list(r.Context(), a, id)
	if err != nil {
		return err
	}
	s := f.searchset()
	for _, rec := range recs {
		if err := s.Add("match", resourceType, idOf(rec), rec); err != nil {
			return err
		}
	}
	return f.writeBundle(w, s)
}

// readRecord answers a read by id: whose record the id is, then that
// person's records as the caller may see them, then the one with the id.
// An area access refuses is 404, as an id nobody holds.
func readRecord[T any](f *FHIRHandler, w http.ResponseWriter, r *http.Request, a tend.Actor,
	list func(context.Context, tend.Actor, tend.ID) ([]T, error), idOf func(T) string) error {
	owner, err := f.records.OwnerOf(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	recs, err := list(r.Context(), a, owner)
	if err != nil {
		return hide(err)
	}
	for _, rec := range recs {
		if idOf(rec) == r.PathValue("id") {
			return writeFHIR(w, http.StatusOK, rec)
		}
	}
	return tend.Errorf(tend.ENOTFOUND, "There is no such record.")
}

// responses are a person's finished questionnaires; an area the caller
// may not see finds none.
func (f *FHIRHandler) responses(ctx context.Context, a tend.Actor, personID tend.ID) ([]fhir.QuestionnaireResponse, error) {
	ans, err := f.records.Answers(ctx, a, personID)
	if areaWithheld(err) {
		return nil, nil
	}
	return ans.Responses, err
}

func responseID(qr fhir.QuestionnaireResponse) string { return qr.ID }
func observationID(o fhir.Observation) string         { return o.ID }
func consentID(c fhir.Consent) string                 { return c.ID }

// responseSearch is a person's finished questionnaires.
func (f *FHIRHandler) responseSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return searchRecords(f, w, r, a, "QuestionnaireResponse", f.responses, responseID, "patient", "subject")
}

func (f *FHIRHandler) responseRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return readRecord(f, w, r, a, f.responses, responseID)
}

// observationSearch is a person's score and diary Observations, each kind
// as far as the caller may see it.
func (f *FHIRHandler) observationSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return searchRecords(f, w, r, a, "Observation", f.records.Observations, observationID, "patient", "subject")
}

func (f *FHIRHandler) observationRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return readRecord(f, w, r, a, f.records.Observations, observationID)
}

// consentSearch is the person's sharing choices: all of them for the
// person, a staff member's own for staff.
func (f *FHIRHandler) consentSearch(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return searchRecords(f, w, r, a, "Consent", f.records.Consents, consentID, "patient")
}

func (f *FHIRHandler) consentRead(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	return readRecord(f, w, r, a, f.records.Consents, consentID)
}
