package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/measure"
)

// Limits of one import (docs/fhir/diary-observations.md "Import").
const (
	// MaxImportBytes bounds the body of POST /fhir/r4.
	MaxImportBytes = 4 << 20
	// MaxImportEntries bounds the entries of one Bundle: a year of diary
	// cards and a few hundred questionnaires fit.
	MaxImportEntries = 1000
)

// Unit runs fn as one unit of work that every service call made with the
// context it is given joins (store.DB.Within): all of it commits, or none.
type Unit interface {
	Within(ctx context.Context, fn func(context.Context) error) error
}

// DiaryImport is the part of diary.Service an import uses.
type DiaryImport interface {
	Config(ctx context.Context, actor tend.Actor, personID tend.ID) (diary.Config, error)
	Save(ctx context.Context, actor tend.Actor, personID tend.ID, in diary.Input) (diary.Saved, error)
}

// MeasureImport is the part of measure.Service an import uses.
type MeasureImport interface {
	Instruments(ctx context.Context, actor tend.Actor) ([]measure.Available, error)
	Record(ctx context.Context, actor tend.Actor, personID tend.ID, rc measure.Recorded) (measure.Saved, error)
}

// Importer imports a transaction or batch Bundle of one person's
// QuestionnaireResponses and Observations, all or nothing, through the
// diary and measure services, so their access checks, audit, validation
// and safety prompts apply as on any save.
type Importer struct {
	Unit     Unit
	Diary    DiaryImport
	Measures MeasureImport
}

// ImportError is a refused import: which entry (-1 for the Bundle
// itself), its resource type and fullUrl, the element at fault, why, and
// the HTTP status to answer with. Nothing was imported.
type ImportError struct {
	Entry        int
	ResourceType string
	FullURL      string
	Element      string // a FHIRPath expression from Bundle
	Status       int
	Err          error
}

func (e *ImportError) Error() string { return e.Diagnostics() }
func (e *ImportError) Unwrap() error { return e.Err }

// Diagnostics says, safe to show, which entry was refused and why.
func (e *ImportError) Diagnostics() string {
	msg := strings.TrimSpace(tend.ErrorMessage(e.Err))
	if e.Entry < 0 {
		return msg + " Nothing was imported."
	}
	where := fmt.Sprintf("Entry %d", e.Entry)
	if e.ResourceType != "" {
		where += " (" + e.ResourceType
		if e.FullURL != "" {
			where += " " + e.FullURL
		}
		where += ")"
	}
	return where + ": " + msg + " Nothing was imported."
}

// Outcome is the refusal as an OperationOutcome.
func (e *ImportError) Outcome() OperationOutcome {
	code := "invalid"
	switch tend.ErrorKind(e.Err) {
	case tend.ENOTFOUND:
		code = "not-found"
	case tend.ECONFLICT:
		code = "conflict"
	case tend.ETOOLARGE:
		code = "too-costly"
	case tend.EFORBIDDEN, tend.EUNAUTHORIZED:
		code = "forbidden"
	case tend.EUNAVAILABLE, tend.EINTERNAL:
		code = "exception"
	}
	if e.Status == http.StatusUnprocessableEntity && code == "invalid" {
		code = "business-rule"
	}
	iss := OperationOutcomeIssue{Severity: "error", Code: code, Diagnostics: e.Diagnostics()}
	if e.Element != "" {
		iss.Expression = []string{e.Element}
	}
	return OperationOutcome{ResourceType: "OperationOutcome", Issue: []OperationOutcomeIssue{iss}}
}

// entry is one entry of an import, read.
type entry struct {
	index        int
	resourceType string
	fullURL      string
	qr           *QuestionnaireResponse
	obs          *Observation
}

// Parsed is a Bundle read for import, before anything is looked up: the
// person it is about and its entries.
type Parsed struct {
	Type     string
	PersonID tend.ID
	entries  []entry
}

// ignored are elements every resource may carry and Tend does not keep:
// its id (Tend gives its own), meta, narrative and language.
var ignored = []string{"id", "meta", "text", "language"}

// ParseBundle reads a transaction or batch Bundle for import: every entry
// a QuestionnaireResponse or an Observation, POSTed, about the same
// Patient, with no element Tend cannot keep. It reads nothing from the
// database.
func ParseBundle(body []byte) (Parsed, error) {
	bad := func(format string, args ...any) error {
		return &ImportError{Entry: -1, Status: http.StatusBadRequest, Err: tend.Errorf(tend.EINVALID, format, args...)}
	}
	if len(body) > MaxImportBytes {
		return Parsed{}, &ImportError{Entry: -1, Status: http.StatusRequestEntityTooLarge,
			Err: tend.Errorf(tend.ETOOLARGE, "The Bundle is too large (at most %d MB).", MaxImportBytes>>20)}
	}
	var head struct {
		ResourceType string            `json:"resourceType"`
		Type         string            `json:"type"`
		Entry        []json.RawMessage `json:"entry"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return Parsed{}, bad("The body is not a FHIR JSON Bundle.")
	}
	if head.ResourceType != "Bundle" {
		return Parsed{}, bad("POST /fhir/r4 takes a Bundle.")
	}
	if head.Type != "transaction" && head.Type != "batch" {
		return Parsed{}, bad("Tend imports a Bundle of type transaction or batch.")
	}
	if len(head.Entry) == 0 {
		return Parsed{}, bad("The Bundle has no entries.")
	}
	if len(head.Entry) > MaxImportEntries {
		return Parsed{}, &ImportError{Entry: -1, Status: http.StatusRequestEntityTooLarge,
			Err: tend.Errorf(tend.ETOOLARGE, "The Bundle has too many entries (at most %d).", MaxImportEntries)}
	}
	if err := strictDecode(body, &struct {
		ResourceType string            `json:"resourceType"`
		ID           string            `json:"id"`
		Meta         json.RawMessage   `json:"meta"`
		Type         string            `json:"type"`
		Timestamp    string            `json:"timestamp"`
		Entry        []json.RawMessage `json:"entry"`
	}{}); err != nil {
		return Parsed{}, bad("Tend cannot keep the Bundle element %s.", err)
	}
	p := Parsed{Type: head.Type}
	fullURLs := map[string]bool{}
	for i, raw := range head.Entry {
		e, person, err := parseEntry(i, raw)
		if err != nil {
			return Parsed{}, err
		}
		if e.fullURL != "" {
			if fullURLs[e.fullURL] {
				return Parsed{}, &ImportError{Entry: i, ResourceType: e.resourceType, FullURL: e.fullURL, Element: fmt.Sprintf("Bundle.entry[%d].fullUrl", i),
					Status: http.StatusBadRequest, Err: tend.Errorf(tend.EINVALID, "Another entry has the same fullUrl.")}
			}
			fullURLs[e.fullURL] = true
		}
		if p.PersonID == "" {
			p.PersonID = person
		} else if person != p.PersonID {
			return Parsed{}, &ImportError{Entry: i, ResourceType: e.resourceType, FullURL: e.fullURL, Element: fmt.Sprintf("Bundle.entry[%d].resource.subject", i),
				Status: http.StatusBadRequest, Err: tend.Errorf(tend.EINVALID, "Every resource of an import is about the same Patient.")}
		}
		p.entries = append(p.entries, e)
	}
	return p, nil
}

func parseEntry(i int, raw json.RawMessage) (entry, tend.ID, error) {
	e := entry{index: i}
	fail := func(element string, err error) (entry, tend.ID, error) {
		var ee *ElementError
		if errors.As(err, &ee) {
			element, err = ee.Element, ee.Err
		}
		path := fmt.Sprintf("Bundle.entry[%d]", i)
		switch {
		case element == "":
		case element == e.resourceType:
			path += ".resource"
		case strings.HasPrefix(element, e.resourceType+"."):
			path += ".resource" + strings.TrimPrefix(element, e.resourceType)
		case element == "resourceType":
			path += ".resource.resourceType"
		default:
			path += "." + element
		}
		return entry{}, "", &ImportError{Entry: i, ResourceType: e.resourceType, FullURL: e.fullURL, Element: path, Status: http.StatusBadRequest, Err: err}
	}
	var be struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *struct {
			Method string `json:"method"`
			URL    string `json:"url"`
		} `json:"request"`
	}
	if err := strictDecode(raw, &be); err != nil {
		return fail("", tend.Errorf(tend.EINVALID, "Tend cannot keep the entry element %s.", err))
	}
	e.fullURL = be.FullURL
	var rt struct {
		ResourceType string `json:"resourceType"`
	}
	if len(be.Resource) == 0 || json.Unmarshal(be.Resource, &rt) != nil {
		return fail("resource", tend.Errorf(tend.EINVALID, "The entry has no resource."))
	}
	e.resourceType = rt.ResourceType
	switch rt.ResourceType {
	case "QuestionnaireResponse", "Observation":
	default:
		return fail("resource", tend.Errorf(tend.EINVALID, "Tend imports QuestionnaireResponses and Observations only."))
	}
	if be.Request == nil || be.Request.Method != http.MethodPost || strings.Trim(be.Request.URL, "/") != rt.ResourceType {
		return fail("request", tend.Errorf(tend.EINVALID, "Each entry is a POST to its resource type (request.method POST, request.url %s): Tend gives imported resources its own ids.", rt.ResourceType))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(be.Resource, &m); err != nil {
		return fail("resource", tend.Errorf(tend.EINVALID, "The resource is not a JSON object."))
	}
	// The id is not kept (Tend gives its own) but a score Observation may
	// refer to a response by it.
	var id string
	if raw, ok := m["id"]; ok && json.Unmarshal(raw, &id) != nil {
		return fail(rt.ResourceType+".id", tend.Errorf(tend.EINVALID, "The id is a string."))
	}
	for _, k := range ignored {
		delete(m, k)
	}
	clean, err := json.Marshal(m)
	if err != nil {
		return fail("resource", tend.Errorf(tend.EINVALID, "The resource is not a JSON object."))
	}
	var subject *Reference
	if rt.ResourceType == "QuestionnaireResponse" {
		var qr QuestionnaireResponse
		if err := strictDecode(clean, &qr); err != nil {
			return fail(rt.ResourceType, tend.Errorf(tend.EINVALID, "Tend cannot keep the element %s of a QuestionnaireResponse.", err))
		}
		qr.ID = id
		e.qr, subject = &qr, qr.Subject
	} else {
		var o Observation
		if err := strictDecode(clean, &o); err != nil {
			return fail(rt.ResourceType, tend.Errorf(tend.EINVALID, "Tend cannot keep the element %s of an Observation.", err))
		}
		o.ID = id
		e.obs, subject = &o, o.Subject
	}
	if subject == nil {
		return fail(rt.ResourceType+".subject", tend.Errorf(tend.EINVALID, "The resource names no subject (Patient/<id> of the person)."))
	}
	person, ok := strings.CutPrefix(subject.Reference, "Patient/")
	if !ok || person == "" || len(person) > 64 || strings.ContainsAny(person, "/?#") {
		return fail(rt.ResourceType+".subject", tend.Errorf(tend.EINVALID, "The subject is a reference Patient/<id> to the person."))
	}
	return e, tend.ID(person), nil
}

// strictDecode decodes one JSON value into v, refusing an element v has
// no field for; the error names the element.
func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil {
		if _, err := d.Token(); err != io.EOF {
			return errors.New("after the end")
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%q (wrong type)", te.Field)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errors.New(f)
	}
	return errors.New("(not valid JSON)")
}

// op is one entry's service call, ready.
type op struct {
	entry
	diary    *diary.Input
	response *Response
	// scoreOf is the entry index of the QuestionnaireResponse a score
	// Observation is derived from (checked, then answered, never stored).
	scoreOf int
}

// plan checks every entry of p against the person's diary card (cfg) and
// the instruments, without writing: diary cards map to saves, responses to
// finished responses, and score Observations must be derived from a
// QuestionnaireResponse of the same Bundle and carry exactly the total Tend
// computes for it (a score is derived data: Tend keeps the answers and
// scores them itself, so a different total is refused, never stored).
func plan(p Parsed, cfg diary.Config, instruments []measure.Available) ([]op, error) {
	byURL := map[string]measure.Instrument{}
	for _, av := range instruments {
		byURL[QuestionnaireURL(av.Instrument)] = av.Instrument
	}
	find := func(url string) (measure.Instrument, bool) {
		in, ok := byURL[url]
		return in, ok
	}
	ops := make([]op, len(p.entries))
	refs := map[string]int{}
	rule := func(e entry, err error) error {
		element := ""
		var ee *ElementError
		if errors.As(err, &ee) {
			element, err = ee.Element, ee.Err
		}
		path := fmt.Sprintf("Bundle.entry[%d].resource", e.index)
		if element != "" && element != "resourceType" {
			path += strings.TrimPrefix(element, e.resourceType)
		}
		return &ImportError{Entry: e.index, ResourceType: e.resourceType, FullURL: e.fullURL, Element: path, Status: http.StatusUnprocessableEntity, Err: err}
	}
	for i, e := range p.entries {
		ops[i] = op{entry: e, scoreOf: -1}
		if e.qr == nil {
			continue
		}
		r, err := ParseResponse(*e.qr, find)
		if err != nil {
			return nil, rule(e, err)
		}
		ops[i].response = &r
		if e.fullURL != "" {
			refs[e.fullURL] = i
		}
		if e.qr.ID != "" {
			refs["QuestionnaireResponse/"+e.qr.ID] = i
		}
	}
	days := map[string]int{}
	for i, e := range p.entries {
		if e.obs == nil {
			continue
		}
		if hasCoding(e.obs.Code, DiaryCodeSystem, DiaryCardCode) {
			in, err := DiaryInput(cfg, *e.obs)
			if err != nil {
				return nil, rule(e, err)
			}
			if k, ok := days[in.Day]; ok {
				return nil, rule(e, refuse("Observation.effectiveDateTime", "Entry %d is the diary card of the same day; send one card per day.", k))
			}
			days[in.Day] = e.index
			ops[i].diary = &in
			continue
		}
		k, err := checkScore(*e.obs, refs, ops)
		if err != nil {
			return nil, rule(e, err)
		}
		ops[i].scoreOf = k
	}
	return ops, nil
}

// checkScore checks a score Observation against the response it is
// derived from; it returns that response's entry index.
func checkScore(o Observation, refs map[string]int, ops []op) (int, error) {
	if len(o.DerivedFrom) != 1 {
		return 0, refuse("Observation.derivedFrom", "Tend imports diary cards (%s|%s) and total scores derived from one QuestionnaireResponse in the same Bundle.", DiaryCodeSystem, DiaryCardCode)
	}
	k, ok := refs[o.DerivedFrom[0].Reference]
	if !ok {
		return 0, refuse("Observation.derivedFrom[0]", "A score is derived from a QuestionnaireResponse in the same Bundle (its fullUrl or QuestionnaireResponse/<id>).")
	}
	if len(o.Component) > 0 || len(o.Note) > 0 || o.ValueBoolean != nil || o.ValueCodeableConcept != nil {
		return 0, refuse("Observation", "A total score Observation has one value and no components or note.")
	}
	r := ops[k].response
	in := r.Instrument
	if want := scoreCode(in); len(want.Coding) > 0 && !hasCoding(o.Code, want.Coding[0].System, want.Coding[0].Code) {
		return 0, refuse("Observation.code", "The code is not %s's total score code (%s|%s).", in.Short, want.Coding[0].System, want.Coding[0].Code)
	}
	var got json.Number
	switch {
	case o.ValueQuantity != nil && o.ValueInteger == nil:
		got = o.ValueQuantity.Value
	case o.ValueInteger != nil && o.ValueQuantity == nil:
		got = json.Number(fmt.Sprint(*o.ValueInteger))
	default:
		return 0, refuse("Observation.value[x]", "A total score has one valueQuantity (or valueInteger).")
	}
	sc := in.Score(r.Recorded.Answers)
	if sc.Total == nil {
		return 0, refuse("Observation.value[x]", "The QuestionnaireResponse it is derived from has no total (an answer is missing), so it has no score.")
	}
	if !sameDecimal(got, in.FormatScore(*sc.Total)) {
		return 0, refuse("Observation.value[x]", "The total score is not the one the answers of the QuestionnaireResponse score; Tend keeps the answers and computes the score itself.")
	}
	return k, nil
}

// Import imports body (a transaction or batch Bundle) for the person its
// resources are about, as actor, all or nothing, and answers the
// transaction-response or batch-response Bundle. A batch is imported all
// or nothing too. Any refusal is an *ImportError naming the entry and
// why; nothing is imported then.
func (im *Importer) Import(ctx context.Context, actor tend.Actor, body []byte) (Bundle, error) {
	p, err := ParseBundle(body)
	if err != nil {
		return Bundle{}, err
	}
	whole := func(err error) error {
		var ie *ImportError
		if errors.As(err, &ie) {
			return err
		}
		st := http.StatusBadRequest
		switch tend.ErrorKind(err) {
		case tend.ENOTFOUND:
			st = http.StatusNotFound
		case tend.EFORBIDDEN:
			st = http.StatusForbidden
		case tend.EINTERNAL, tend.EUNAVAILABLE:
			return err
		}
		return &ImportError{Entry: -1, Status: st, Err: err}
	}
	// The person's card is read first, through the diary service: its
	// access check answers a person the actor may not see as not found
	// before anything about the Bundle's content is said.
	cfg := diary.Config{PersonID: p.PersonID, Targets: diary.Defaults()}
	if p.hasDiary() {
		if cfg, err = im.Diary.Config(ctx, actor, p.PersonID); err != nil {
			return Bundle{}, whole(err)
		}
	}
	var instruments []measure.Available
	if p.hasResponses() {
		if instruments, err = im.Measures.Instruments(ctx, actor); err != nil {
			return Bundle{}, whole(err)
		}
	}
	ops, err := plan(p, cfg, instruments)
	if err != nil {
		return Bundle{}, err
	}
	out := Bundle{ResourceType: "Bundle", Type: p.Type + "-response", Entry: make([]BundleEntry, len(ops))}
	kept := map[int]measure.Response{}
	// Scores are answered after every response is kept, wherever they
	// stand in the Bundle: their location names the response's score.
	order := make([]int, 0, len(ops))
	for _, derived := range []bool{false, true} {
		for i, o := range ops {
			if (o.scoreOf >= 0) == derived {
				order = append(order, i)
			}
		}
	}
	err = im.Unit.Within(ctx, func(ctx context.Context) error {
		for _, i := range order {
			o := ops[i]
			res, err := im.apply(ctx, actor, p.PersonID, o, kept)
			if err != nil {
				var ie *ImportError
				if errors.As(err, &ie) {
					return err
				}
				switch tend.ErrorKind(err) {
				case tend.EINTERNAL, tend.EUNAVAILABLE:
					return err
				}
				st := http.StatusUnprocessableEntity
				switch tend.ErrorKind(err) {
				case tend.ENOTFOUND:
					st = http.StatusNotFound
				case tend.ECONFLICT:
					st = http.StatusConflict
				case tend.EFORBIDDEN:
					st = http.StatusForbidden
				}
				return &ImportError{Entry: o.index, ResourceType: o.resourceType, FullURL: o.fullURL,
					Element: fmt.Sprintf("Bundle.entry[%d]", o.index), Status: st, Err: err}
			}
			out.Entry[i] = BundleEntry{FullURL: o.fullURL, Response: res}
		}
		return nil
	})
	if err != nil {
		return Bundle{}, err
	}
	return out, nil
}

// apply makes one entry's service call and says what it did.
func (im *Importer) apply(ctx context.Context, actor tend.Actor, personID tend.ID, o op, kept map[int]measure.Response) (*BundleEntryResponse, error) {
	switch {
	case o.diary != nil:
		sv, err := im.Diary.Save(ctx, actor, personID, *o.diary)
		if err != nil {
			return nil, err
		}
		status := "201 Created"
		if !sv.Created {
			status = "200 OK"
		}
		return entryResponse(status, "Observation/"+resourceID(string(sv.Card.ID)), sv.Prompted()), nil
	case o.response != nil:
		sv, err := im.Measures.Record(ctx, actor, personID, o.response.Recorded)
		if err != nil {
			return nil, err
		}
		kept[o.index] = sv.Response
		status := "201 Created"
		if sv.Replay {
			status = "200 OK"
		}
		return entryResponse(status, "QuestionnaireResponse/"+resourceID(string(sv.Response.ID)), sv.Prompted), nil
	default:
		r := kept[o.scoreOf]
		return entryResponse("200 OK", "Observation/"+ScoreObservationID(r), false), nil
	}
}

func entryResponse(status, location string, prompted bool) *BundleEntryResponse {
	res := &BundleEntryResponse{Status: status, Location: location}
	if prompted {
		oo := OperationOutcome{ResourceType: "OperationOutcome", Issue: []OperationOutcomeIssue{{Severity: "information", Code: "informational",
			Diagnostics: "This entry raised a safety prompt, as the same save in Tend does: the person's care team follows it up during working hours. It is not monitored in real time."}}}
		res.Outcome, _ = json.Marshal(oo)
	}
	return res
}

func (p Parsed) hasDiary() bool {
	for _, e := range p.entries {
		if e.obs != nil && hasCoding(e.obs.Code, DiaryCodeSystem, DiaryCardCode) {
			return true
		}
	}
	return false
}

func (p Parsed) hasResponses() bool {
	for _, e := range p.entries {
		if e.qr != nil {
			return true
		}
	}
	return false
}
