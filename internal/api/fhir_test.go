package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// The words planted in sam's records, to look for in answers.
const (
	fhirPlanWords = "Text Robin on 07700 900123"
	fhirNoteWords = "clinician-only note words 5b1f"
)

// fhirEnv is the whole demo service (sam's diary cards, questionnaires,
// Lee's note, plus a safety plan sam writes) with /fhir/r4 in front of it,
// on a real database (SQLite, or PostgreSQL when TEND_TEST_POSTGRES is set).
type fhirEnv struct {
	db       *store.DB
	accounts *auth.Service
	careTeam *careteam.Service
	fhir     *api.FHIRHandler
	sessions map[string]string
	actors   map[string]tend.Actor
	ids      map[string]tend.ID
}

func newFHIREnv(t *testing.T) *fhirEnv {
	t.Helper()
	ctx := context.Background()
	clock := tend.SystemClock{} // the demo's records are dated back from today
	db := testenv.Store(t, clock)
	if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
		t.Fatal(err)
	}
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	e := &fhirEnv{db: db, sessions: map[string]string{}, actors: map[string]tend.Actor{}, ids: map[string]tend.ID{}}
	e.accounts = auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	e.careTeam = careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	followUp := followup.NewService(store.For[followup.Tx](db), checker, v, clock, func() followup.Settings { return followup.Settings{Rules: s.Triggers} }, nil)
	diaryAt := func(c tend.Clock) *diary.Service {
		return diary.NewService(store.For[diary.Tx](db), checker, v, followUp, c, nil)
	}
	measureAt := func(c tend.Clock) *measure.Service {
		return measure.NewService(store.For[measure.Tx](db), checker, followUp, c, nil)
	}
	noteSvc := notes.NewService(store.For[notes.Tx](db), checker, v, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: e.accounts, CareTeam: e.careTeam, Notes: noteSvc,
		DiaryAt: diaryAt, Backdate: db.BackdateDemoPerson, FollowUp: followUp, MeasureAt: measureAt}, demoPassword); err != nil {
		t.Fatal(err)
	}
	plans := safetyplan.NewService(store.For[safetyplan.Tx](db), checker, v, clock)
	c := auth.Client{Address: "192.0.2.1", Device: "Firefox / Linux"}
	for _, who := range demoAccounts {
		var tok string
		if strings.Contains(who, "@") {
			tok, _, err = e.accounts.SignInStaff(ctx, who, demoPassword, c)
		} else {
			tok, _, err = e.accounts.SignInPerson(ctx, who, demoPassword, c)
		}
		if err != nil {
			t.Fatalf("sign in as %s: %v", who, err)
		}
		a, _, err := e.accounts.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		e.sessions[who], e.actors[who], e.ids[who] = tok, a, a.ID
	}
	sam := e.actors["sam"]
	var plan safetyplan.Content
	plan.Steps[0] = []string{"Staying in my room all evening"}
	plan.Steps[3] = []string{fhirPlanWords}
	plan.MostImportant = "My sister"
	plan.Reasons = []string{"Finishing my course"}
	if _, err := plans.Save(ctx, sam, sam.ID, "", plan); err != nil {
		t.Fatal(err)
	}
	lee := e.actors["lee@example.org"]
	if _, err := noteSvc.Write(ctx, lee, sam.ID, notes.Draft{Kind: notes.KindNote, Text: fhirNoteWords}); err != nil {
		t.Fatal(err)
	}
	// sam shares their questionnaires (only) with Priya, their prescriber.
	team, err := e.careTeam.Team(ctx, sam, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range team {
		if m.StaffID == e.ids["priya@example.org"] {
			if err := e.careTeam.SetGrant(ctx, sam, sam.ID, m.ID, access.AreaQuestionnaires, access.LevelSee); err != nil {
				t.Fatal(err)
			}
		}
	}
	h, err := api.New(api.Options{Logger: testenv.Logger(t), Accounts: e.accounts, CareTeam: e.careTeam, Looks: audit.NewReader(db, checker), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	e.fhir, err = api.NewFHIR(h, &fhir.Records{Accounts: e.accounts, CareTeams: e.careTeam, SafetyPlans: plans, Diary: diaryAt(clock),
		Measures: measureAt(clock), Owners: db, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// get calls path as who: "" is anonymous, "bearer:<secret>" a token, else
// a demo account's session cookie.
func (e *fhirEnv) get(who, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	switch {
	case strings.HasPrefix(who, "bearer:"):
		req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(who, "bearer:"))
	case who != "":
		req.AddCookie(&http.Cookie{Name: "tend_session", Value: e.sessions[who]})
	}
	rec := httptest.NewRecorder()
	e.fhir.ServeHTTP(rec, req)
	return rec
}

// bundleOf decodes a Bundle and its resources by type.
func bundleOf(t *testing.T, body []byte) (fhir.Bundle, map[string][]json.RawMessage) {
	t.Helper()
	var b fhir.Bundle
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("not a Bundle: %v\n%s", err, body)
	}
	byType := map[string][]json.RawMessage{}
	for _, en := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(en.Resource, &head); err != nil {
			t.Fatal(err)
		}
		byType[head.ResourceType] = append(byType[head.ResourceType], en.Resource)
	}
	return b, byType
}

// TestFHIRRead is the scenario table for /fhir/r4: each route as each kind
// of caller. Expectations are written by hand from DESIGN.md "Who sees
// what" and the demo (sam: Lee therapist with the service's defaults,
// Priya prescriber whom sam shares questionnaires with, Jo group
// facilitator with nothing shared; kim is on another team; the admin sees
// no clinical data at all).
func TestFHIRRead(t *testing.T) {
	e := newFHIREnv(t)
	sam, alex := string(e.ids["sam"]), string(e.ids["alex"])
	lee, priya := string(e.ids["lee@example.org"]), string(e.ids["priya@example.org"])
	ctx := context.Background()

	// Ids of sam's records, found as sam.
	_, own := bundleOf(t, e.get("sam", "/fhir/r4/Patient/"+sam+"/$everything").Body.Bytes())
	idOf := func(typ string, match func(json.RawMessage) bool) string {
		for _, raw := range own[typ] {
			if match == nil || match(raw) {
				var head struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal(raw, &head)
				return head.ID
			}
		}
		t.Fatalf("sam has no %s", typ)
		return ""
	}
	isDiary := func(raw json.RawMessage) bool { return strings.Contains(string(raw), fhir.DiaryCardCode) }
	qrID := idOf("QuestionnaireResponse", nil)
	diaryID := idOf("Observation", isDiary)
	scoreID := idOf("Observation", func(raw json.RawMessage) bool { return !isDiary(raw) })
	team, err := e.careTeam.Team(ctx, e.actors["sam"], e.ids["sam"])
	if err != nil {
		t.Fatal(err)
	}
	var leeMember, priyaMember string
	for _, m := range team {
		switch string(m.StaffID) {
		case lee:
			leeMember = string(m.ID)
		case priya:
			priyaMember = string(m.ID)
		}
	}
	samToken, _, err := e.accounts.CreateToken(ctx, e.actors["sam"], []string{"profile.read", "care_team.read"}, time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	looksBefore := e.staffReads(t, "lee@example.org")

	const (
		notFound = `"not-found"`
		plan     = fhirPlanWords
		note     = fhirNoteWords
	)
	P := "/fhir/r4/"
	for _, tt := range []struct {
		name, who, path string
		status          int
		contains        []string
		notContains     []string
	}{
		// Anonymous callers see the CapabilityStatement only.
		{"Metadata/Anonymous", "", P + "metadata", 200, []string{`"CapabilityStatement"`, `"everything"`, `"search-type"`, `"read"`}, nil},
		{"Patient/Anonymous", "", P + "Patient", 401, []string{`"OperationOutcome"`, `"login"`}, nil},
		{"Everything/Anonymous", "", P + "Patient/" + sam + "/$everything", 401, []string{`"login"`}, []string{plan}},
		{"Nothing/Here", "sam", P + "Nothing", 404, []string{notFound}, nil},

		// The person: themselves, never anyone else.
		{"Patient/Self", "sam", P + "Patient", 200, []string{`"searchset"`, sam, `"anonymous"`}, []string{alex}},
		{"PatientRead/Self", "sam", P + "Patient/" + sam, 200, []string{`"sam"`}, nil},
		{"PatientRead/Other", "sam", P + "Patient/" + alex, 404, []string{notFound}, []string{`"alex"`}},
		{"PatientRead/NotAnID", "sam", P + "Patient/sam", 404, []string{notFound}, nil},
		{"Everything/Self", "sam", P + "Patient/" + sam + "/$everything", 200,
			[]string{plan, `"CarePlan"`, `"CareTeam"`, `"Consent"`, qrID, diaryID, scoreID, `"Questionnaire"`, "Practitioner/" + lee}, []string{note}},
		{"Everything/Other", "sam", P + "Patient/" + alex + "/$everything", 404, []string{notFound}, nil},
		{"Practitioner/OnMyTeam", "sam", P + "Practitioner/" + lee, 200, []string{`"Lee"`}, nil},
		{"Practitioner/NotOnMyTeam", "sam", P + "Practitioner/" + string(e.ids["kim@example.org"]), 404, []string{notFound}, nil},
		{"Questionnaire/Search", "sam", P + "Questionnaire", 200, []string{`"phq-9"`, fhir.ScoringURL}, nil},
		{"Questionnaire/ByName", "sam", P + "Questionnaire?name=gad-7", 200, []string{`"gad-7"`}, []string{`"phq-9"`}},
		{"Questionnaire/Read", "sam", P + "Questionnaire/phq-9.1.en", 200, []string{fhir.ScoringURL, `"answerOption"`}, nil},
		{"Questionnaire/Unknown", "sam", P + "Questionnaire/no-such", 404, []string{notFound}, nil},
		{"Responses/Self", "sam", P + "QuestionnaireResponse", 200, []string{qrID, `"completed"`}, nil},
		{"Responses/Other", "sam", P + "QuestionnaireResponse?patient=" + alex, 404, []string{notFound}, nil},
		{"Responses/Subject", "sam", P + "QuestionnaireResponse?subject=Patient/" + sam, 200, []string{qrID}, nil},
		{"Response/Read", "sam", P + "QuestionnaireResponse/" + qrID, 200, []string{qrID}, nil},
		{"Observations/Self", "sam", P + "Observation", 200, []string{diaryID, scoreID}, nil},
		{"Observations/UnknownParam", "sam", P + "Observation?code=x", 400, []string{`"invalid"`}, nil},
		{"Observation/Read", "sam", P + "Observation/" + diaryID, 200, []string{diaryID}, nil},
		{"Observation/ReadScore", "sam", P + "Observation/" + scoreID, 200, []string{scoreID}, nil},
		{"CarePlan/Self", "sam", P + "CarePlan", 200, []string{plan, fhir.SafetyPlanSystem}, nil},
		{"CarePlan/Read", "sam", P + "CarePlan/" + sam, 200, []string{plan}, nil},
		{"CareTeam/Self", "sam", P + "CareTeam", 200, []string{"Practitioner/" + lee, "Practitioner/" + priya, `"therapist"`}, nil},
		{"CareTeam/Read", "sam", P + "CareTeam/" + sam, 200, []string{"Practitioner/" + lee}, nil},
		{"Consent/Self", "sam", P + "Consent", 200, []string{leeMember, priyaMember, `"diary"`}, nil},
		{"Consent/Read", "sam", P + "Consent/" + leeMember, 200, []string{`"safety_plan"`, `"correct"`}, nil},

		// Another person reading sam's records by id: 404 for each.
		{"Response/OtherPerson", "alex", P + "QuestionnaireResponse/" + qrID, 404, []string{notFound}, nil},
		{"Observation/OtherPerson", "alex", P + "Observation/" + diaryID, 404, []string{notFound}, nil},
		{"CarePlan/OtherPerson", "alex", P + "CarePlan/" + sam, 404, []string{notFound}, []string{plan}},
		{"CareTeam/OtherPerson", "alex", P + "CareTeam/" + sam, 404, []string{notFound}, nil},
		{"Consent/OtherPerson", "alex", P + "Consent/" + leeMember, 404, []string{notFound}, nil},
		{"Observations/OtherPerson", "alex", P + "Observation?patient=" + sam, 404, []string{notFound}, []string{diaryID}},

		// Lee, sam's therapist: the diary, questionnaires and safety plan
		// (the service's defaults), never the notes, and only Lee's own
		// sharing choice.
		{"Patient/Caseload", "lee@example.org", P + "Patient", 200, []string{sam, alex}, []string{string(e.ids["riley"])}},
		{"Everything/Therapist", "lee@example.org", P + "Patient/" + sam + "/$everything", 200,
			[]string{plan, diaryID, qrID, scoreID, leeMember}, []string{note, priyaMember}},
		{"Responses/StaffNeedsPatient", "lee@example.org", P + "QuestionnaireResponse", 400, []string{`"invalid"`}, nil},
		{"Observations/Therapist", "lee@example.org", P + "Observation?patient=Patient/" + sam, 200, []string{diaryID, scoreID}, nil},
		{"Practitioner/Self", "lee@example.org", P + "Practitioner/" + lee, 200, []string{`"Lee"`}, nil},

		// Priya, the prescriber sam shares questionnaires with: those only.
		{"Everything/Prescriber", "priya@example.org", P + "Patient/" + sam + "/$everything", 200,
			[]string{qrID, scoreID, priyaMember}, []string{plan, diaryID, note, leeMember}},
		{"CarePlan/NotShared", "priya@example.org", P + "CarePlan?patient=" + sam, 200, []string{`"total":0`}, []string{plan}},
		{"CarePlanRead/NotShared", "priya@example.org", P + "CarePlan/" + sam, 404, []string{notFound}, []string{plan}},
		{"Observations/Prescriber", "priya@example.org", P + "Observation?patient=" + sam, 200, []string{scoreID}, []string{diaryID}},
		{"ObservationRead/NotShared", "priya@example.org", P + "Observation/" + diaryID, 404, []string{notFound}, nil},

		// Jo, the group facilitator: nothing shared, never notes.
		{"Everything/Facilitator", "jo@example.org", P + "Patient/" + sam + "/$everything", 200,
			[]string{`"Patient"`, `"CareTeam"`}, []string{qrID, diaryID, scoreID, plan, note}},
		{"Responses/Facilitator", "jo@example.org", P + "QuestionnaireResponse?patient=" + sam, 200, []string{`"total":0`}, []string{qrID}},

		// Kim (another team) and the admin (no clinical data at all).
		{"Patient/OtherTeam", "kim@example.org", P + "Patient/" + sam, 404, []string{notFound}, nil},
		{"Everything/OtherTeam", "kim@example.org", P + "Patient/" + sam + "/$everything", 404, []string{notFound}, []string{plan}},
		{"Responses/OtherTeam", "kim@example.org", P + "QuestionnaireResponse?patient=" + sam, 404, []string{notFound}, nil},
		// The admin manages people's accounts and care teams, so access
		// answers 403 rather than 404, and never with data.
		{"Patient/Admin", "admin@example.org", P + "Patient/" + sam, 403, []string{`"forbidden"`}, []string{`"sam"`}},
		{"Everything/Admin", "admin@example.org", P + "Patient/" + sam + "/$everything", 403, []string{`"forbidden"`}, []string{plan}},
		{"Observations/Admin", "admin@example.org", P + "Observation?patient=" + sam, 200, []string{`"total":0`}, []string{diaryID, scoreID}},
		{"CarePlan/Admin", "admin@example.org", P + "CarePlan/" + sam, 404, []string{notFound}, []string{plan}},
		{"Patients/Admin", "admin@example.org", P + "Patient", 200, []string{`"total":0`}, []string{sam}},

		// A scoped token reads only what its scopes name.
		{"Everything/Token", "bearer:" + samToken, P + "Patient/" + sam + "/$everything", 200, []string{`"CareTeam"`}, []string{plan, qrID, diaryID}},
		{"Everything/BadToken", "bearer:nope", P + "Patient/" + sam + "/$everything", 401, []string{`"login"`}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := e.get(tt.who, tt.path)
			body := res.Body.String()
			if res.Code != tt.status {
				t.Fatalf("%s as %q: %d, want %d\n%s", tt.path, tt.who, res.Code, tt.status, body)
			}
			if ct := res.Header().Get("Content-Type"); ct != "application/fhir+json" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("the answer lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(body, s) {
					t.Errorf("the answer holds %q", s)
				}
			}
		})
	}
	if after := e.staffReads(t, "lee@example.org"); after <= looksBefore {
		t.Errorf("Lee's reads of sam were not audited: %d events before, %d after", looksBefore, after)
	}
}

// staffReads counts the staff reads of sam's data by who, as sam's "who
// looked" page lists them.
func (e *fhirEnv) staffReads(t *testing.T, who string) int {
	t.Helper()
	looks, err := audit.NewReader(e.db, access.NewChecker(e.db)).WhoLooked(context.Background(), e.actors["sam"], e.ids["sam"], 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range looks {
		if l.ActorID == e.ids[who] {
			n++
		}
	}
	return n
}

// TestFHIRValidates: every resource type /fhir/r4 emits, and the whole
// $everything Bundle of the demo's sam (as sam and as Lee), validates with
// FHIR.js with no errors.
func TestFHIRValidates(t *testing.T) {
	e := newFHIREnv(t)
	sam, lee := string(e.ids["sam"]), string(e.ids["lee@example.org"])
	var resources []any
	add := func(who, path string) []byte {
		res := e.get(who, path)
		if res.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, res.Code, res.Body)
		}
		var v any
		if err := json.Unmarshal(res.Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		resources = append(resources, v)
		return res.Body.Bytes()
	}
	add("", "/fhir/r4/metadata")
	everything := add("sam", "/fhir/r4/Patient/"+sam+"/$everything")
	add("lee@example.org", "/fhir/r4/Patient/"+sam+"/$everything")
	add("lee@example.org", "/fhir/r4/Patient")
	add("sam", "/fhir/r4/Questionnaire")
	add("sam", "/fhir/r4/Practitioner/"+lee)
	add("sam", "/fhir/r4/Patient/"+sam)
	add("sam", "/fhir/r4/CarePlan/"+sam)
	add("sam", "/fhir/r4/CareTeam/"+sam)
	add("sam", "/fhir/r4/Consent")
	add("sam", "/fhir/r4/Observation")
	add("sam", "/fhir/r4/QuestionnaireResponse")
	// Each entry of sam's $everything on its own too, so that a message
	// names the resource.
	b, byType := bundleOf(t, everything)
	for _, typ := range []string{"Patient", "Practitioner", "CareTeam", "CarePlan", "Consent", "Questionnaire", "QuestionnaireResponse", "Observation"} {
		if len(byType[typ]) == 0 {
			t.Errorf("sam's $everything has no %s", typ)
		}
	}
	for _, en := range b.Entry {
		var v any
		if err := json.Unmarshal(en.Resource, &v); err != nil {
			t.Fatal(err)
		}
		resources = append(resources, v)
	}
	notFound := e.get("alex", "/fhir/r4/Patient/"+sam)
	var oo any
	if err := json.Unmarshal(notFound.Body.Bytes(), &oo); err != nil {
		t.Fatal(err)
	}
	resources = append(resources, oo)
	fhirtest.Validate(t, resources...)
}

// TestFHIREverythingInvariants checks what FHIR.js does not: every
// reference in sam's $everything resolves to an entry of the Bundle (a
// QuestionnaireResponse's questionnaire to a Questionnaire entry, also
// served at /fhir/r4), and every QuestionnaireResponse's items match its
// Questionnaire: each linkId is a question of it, and each answer is one
// of the options it lists.
func TestFHIREverythingInvariants(t *testing.T) {
	e := newFHIREnv(t)
	sam := string(e.ids["sam"])
	// A token of sam's that reads their sharing choices but not their
	// care team: the Practitioners the Consents name are still included.
	narrow, _, err := e.accounts.CreateToken(context.Background(), e.actors["sam"], []string{"profile.read", "sharing.manage"}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"sam", "lee@example.org", "priya@example.org", "jo@example.org", "bearer:" + narrow} {
		name := who
		if strings.HasPrefix(who, "bearer:") {
			name = "token"
		}
		t.Run(name, func(t *testing.T) {
			res := e.get(who, "/fhir/r4/Patient/"+sam+"/$everything")
			if res.Code != http.StatusOK {
				t.Fatalf("%d\n%s", res.Code, res.Body)
			}
			b, byType := bundleOf(t, res.Body.Bytes())
			if b.Type != "searchset" || b.Total == nil {
				t.Errorf("type %q total %v", b.Type, b.Total)
			}
			entries := map[string]bool{}
			for _, en := range b.Entry {
				if en.FullURL == "" || entries[en.FullURL] {
					t.Errorf("fullUrl %q is empty or repeated", en.FullURL)
				}
				entries[en.FullURL] = true
			}
			for _, en := range b.Entry {
				var v any
				if err := json.Unmarshal(en.Resource, &v); err != nil {
					t.Fatal(err)
				}
				for _, ref := range references(v) {
					if !entries[ref] {
						t.Errorf("%s refers to %s, which is not in the Bundle", en.FullURL, ref)
					}
				}
			}
			questionnaires := map[string]fhir.Questionnaire{}
			for _, raw := range byType["Questionnaire"] {
				var q fhir.Questionnaire
				if err := json.Unmarshal(raw, &q); err != nil {
					t.Fatal(err)
				}
				questionnaires[q.URL] = q
				if res := e.get(who, "/fhir/r4/Questionnaire/"+q.ID); res.Code != http.StatusOK {
					t.Errorf("Questionnaire/%s is in the Bundle but not served: %d", q.ID, res.Code)
				}
			}
			for _, raw := range byType["QuestionnaireResponse"] {
				var qr fhir.QuestionnaireResponse
				if err := json.Unmarshal(raw, &qr); err != nil {
					t.Fatal(err)
				}
				q, ok := questionnaires[qr.Questionnaire]
				if !ok {
					t.Errorf("QuestionnaireResponse/%s answers %s, which is not in the Bundle", qr.ID, qr.Questionnaire)
					continue
				}
				if len(qr.Item) == 0 {
					t.Errorf("QuestionnaireResponse/%s has no items", qr.ID)
				}
				for _, it := range qr.Item {
					qi, ok := findItem(q.Item, it.LinkID)
					if !ok || qi.Type != "choice" {
						t.Errorf("QuestionnaireResponse/%s item %q is not a question of %s", qr.ID, it.LinkID, q.URL)
						continue
					}
					for _, a := range it.Answer {
						if a.ValueCoding == nil || !slices.ContainsFunc(qi.AnswerOption, func(o fhir.AnswerOption) bool {
							return o.ValueCoding != nil && o.ValueCoding.System == a.ValueCoding.System && o.ValueCoding.Code == a.ValueCoding.Code
						}) {
							t.Errorf("QuestionnaireResponse/%s item %q: the answer %+v is not an option of %s", qr.ID, it.LinkID, a.ValueCoding, q.URL)
						}
					}
				}
			}
		})
	}
}

func findItem(items []fhir.QuestionnaireItem, linkID string) (fhir.QuestionnaireItem, bool) {
	for _, it := range items {
		if it.LinkID == linkID {
			return it, true
		}
		if sub, ok := findItem(it.Item, linkID); ok {
			return sub, true
		}
	}
	return fhir.QuestionnaireItem{}, false
}

// references returns every Reference.reference in v (relative Type/id),
// and a QuestionnaireResponse's questionnaire as the Questionnaire/id it
// names.
func references(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["reference"].(string); ok {
				out = append(out, ref)
			}
			if x["resourceType"] == "QuestionnaireResponse" {
				if q, ok := x["questionnaire"].(string); ok {
					out = append(out, "Questionnaire/"+q[strings.LastIndex(q, "/")+1:])
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}

// TestFHIRCapabilityMatchesRoutes: the CapabilityStatement at
// /fhir/r4/metadata names every route of the table, and nothing else.
func TestFHIRCapabilityMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	f, err := api.NewFHIR(e.api, &fhir.Records{Accounts: e.accounts, CareTeams: e.careTeam})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/fhir/r4/metadata", nil)
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	var cs fhir.CapabilityStatement
	if err := json.Unmarshal(rec.Body.Bytes(), &cs); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %v", rec.Code, err)
	}
	served := map[string]bool{}
	for _, in := range cs.Rest[0].Interaction {
		served["POST /fhir/r4 "+in.Code] = true
	}
	for _, r := range cs.Rest[0].Resource {
		for _, in := range r.Interaction {
			switch in.Code {
			case "read":
				served["GET /fhir/r4/"+r.Type+"/{id}"] = true
			case "search-type":
				served["GET /fhir/r4/"+r.Type] = true
			default:
				t.Errorf("%s lists interaction %q, which no route serves", r.Type, in.Code)
			}
		}
		for _, op := range r.Operation {
			served["GET /fhir/r4/"+r.Type+"/{id}/$"+op.Name] = true
		}
	}
	want := map[string]bool{}
	for _, p := range api.FHIRPatterns() {
		switch p {
		case "GET /fhir/r4/metadata":
		case "POST /fhir/r4":
			want[p+" transaction"], want[p+" batch"] = true, true
		default:
			want[p] = true
		}
	}
	for p := range want {
		if !served[p] {
			t.Errorf("the route %q is missing from the CapabilityStatement", p)
		}
	}
	for p := range served {
		if !want[p] {
			t.Errorf("the CapabilityStatement lists %q, which is not a route", p)
		}
	}
}
