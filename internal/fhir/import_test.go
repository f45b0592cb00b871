package fhir_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

const password = "a demo password for tests"

// tend is one Tend on its own database (SQLite, or PostgreSQL when
// TEND_TEST_POSTGRES is set): the demo service, with sam's diary and
// questionnaires when seeded.
type tendEnv struct {
	db       *store.DB
	accounts *auth.Service
	careTeam *careteam.Service
	diary    *diary.Service
	measure  *measure.Service
	importer *fhir.Importer
	zone     *time.Location
}

func newTend(t *testing.T, withRecords bool) *tendEnv {
	t.Helper()
	ctx := context.Background()
	db := testenv.Store(t, nil)
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
	clock := tend.SystemClock{}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	e := &tendEnv{db: db}
	e.zone, err = time.LoadLocation(s.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
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
	seed := demo.Services{Accounts: e.accounts, CareTeam: e.careTeam}
	if withRecords {
		seed.DiaryAt, seed.Backdate, seed.FollowUp, seed.MeasureAt = diaryAt, db.BackdateDemoPerson, followUp, measureAt
	}
	if err := demo.Seed(ctx, seed, password); err != nil {
		t.Fatal(err)
	}
	e.diary, e.measure = diaryAt(clock), measureAt(clock)
	e.importer = &fhir.Importer{Unit: db, Diary: e.diary, Measures: e.measure}
	return e
}

func (e *tendEnv) person(t *testing.T, username string) tend.Actor {
	t.Helper()
	p, err := e.db.FindPersonAccountByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
}

func (e *tendEnv) staff(t *testing.T, email string) tend.Actor {
	t.Helper()
	s, err := e.db.FindStaffAccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return tend.Actor{Kind: tend.KindStaff, ID: s.ID, Role: tend.RoleClinician, MFA: true}
}

// invite makes a newly invited person who has just joined.
func (e *tendEnv) invite(t *testing.T, username string) tend.Actor {
	t.Helper()
	ctx := context.Background()
	code, _, err := e.accounts.CreateInvite(ctx, tend.System, auth.NewInvite{Team: demo.TeamRiverside, AgeBand: "18_25", State: tend.StateInTreatment})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.accounts.Join(ctx, auth.JoinRequest{Code: code, Username: username, Password: password}, auth.Client{Address: "127.0.0.1", Device: "test"}); err != nil {
		t.Fatal(err)
	}
	return e.person(t, username)
}

func (e *tendEnv) count(t *testing.T, table string, personID tend.ID) int {
	t.Helper()
	var n int
	if err := e.db.Writer().QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE person_id = $1`, string(personID)).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// counts are the rows an import may add for a person.
func (e *tendEnv) counts(t *testing.T, personID tend.ID) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"diary_cards", "diary_saves", "measure_responses", "measure_assignments", "measure_due", "followup_tasks", "followup_entries"} {
		if table == "followup_entries" {
			var n int
			if err := e.db.Writer().QueryRow(`SELECT COUNT(*) FROM followup_entries f JOIN followup_tasks t ON t.id = f.task_id WHERE t.person_id = $1`,
				string(personID)).Scan(&n); err != nil {
				t.Fatalf("count %s: %v", table, err)
			}
			out[table] = n
			continue
		}
		out[table] = e.count(t, table, personID)
	}
	var n int
	if err := e.db.Writer().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE person_id = $1 AND action IN ('diary.write', 'questionnaire.recorded')`,
		string(personID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	out["audit write events"] = n
	return out
}

// export is what a person's QuestionnaireResponses and Observations are
// in FHIR: the responses and score Observations as the read side gives
// them (fhir.Records.Answers), and one Observation per diary card in the
// last 400 days.
type export struct {
	responses []fhir.QuestionnaireResponse
	scores    []fhir.Observation
	cards     []fhir.Observation
}

func (e *tendEnv) export(t *testing.T, actor tend.Actor, personID tend.ID) export {
	t.Helper()
	rec := &fhir.Records{Accounts: e.accounts, CareTeams: e.careTeam, Diary: e.diary, Measures: e.measure}
	b, err := rec.Everything(context.Background(), actor, personID)
	if err != nil {
		t.Fatal(err)
	}
	var out export
	for i, en := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(en.Resource, &head); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		switch head.ResourceType {
		case "QuestionnaireResponse":
			var qr fhir.QuestionnaireResponse
			if err := json.Unmarshal(en.Resource, &qr); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			out.responses = append(out.responses, qr)
		case "Observation":
			var o fhir.Observation
			if err := json.Unmarshal(en.Resource, &o); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			if len(o.Code.Coding) > 0 && o.Code.Coding[0].System == fhir.DiaryCodeSystem && o.Code.Coding[0].Code == fhir.DiaryCardCode {
				out.cards = append(out.cards, o)
			} else {
				out.scores = append(out.scores, o)
			}
		}
	}
	return out
}

// bundle makes a transaction Bundle of x's resources about subject.
func (x export) bundle(t *testing.T, subject tend.ID) []byte {
	t.Helper()
	b := fhir.Bundle{ResourceType: "Bundle", Type: "transaction"}
	add := func(rt string, i int, v any) {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{FullURL: fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", len(b.Entry)), Resource: raw,
			Request: &fhir.BundleEntryRequest{Method: http.MethodPost, URL: rt}})
		_ = i
	}
	ref := &fhir.Reference{Reference: fhir.PatientRef(subject)}
	for i, qr := range x.responses {
		qr.Subject = ref
		add("QuestionnaireResponse", i, qr)
	}
	for i, o := range x.scores {
		o.Subject = ref
		add("Observation", i, o)
	}
	for i, o := range x.cards {
		o.Subject = ref
		add("Observation", i, o)
	}
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// normal is x without ids and metadata: subject references, resource ids,
// meta, issued, and the response ids a score is derived from.
func (x export) normal(t *testing.T) string {
	t.Helper()
	var parts []string
	for _, qr := range x.responses {
		qr.ID, qr.Subject = "", nil
		parts = append(parts, mustJSON(t, qr))
	}
	for _, o := range append(slices.Clone(x.scores), x.cards...) {
		o.ID, o.Subject, o.Meta, o.Issued = "", nil, nil, ""
		for i := range o.DerivedFrom {
			o.DerivedFrom[i].Reference = "QuestionnaireResponse/<id>"
		}
		parts = append(parts, mustJSON(t, o))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\n")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImportRoundTrip: sam's QuestionnaireResponses and Observations, imported
// for a newly invited person in a fresh Tend and exported again, are the
// same apart from ids and metadata; every Observation validates with
// FHIR.js.
func TestImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newTend(t, true)
	sam := src.person(t, "sam")
	before := src.export(t, sam, sam.ID)
	if len(before.responses) == 0 || len(before.scores) == 0 || len(before.cards) < 10 {
		t.Fatalf("sam's export: %d responses, %d scores, %d cards; want the demo's", len(before.responses), len(before.scores), len(before.cards))
	}
	var resources []any
	for _, o := range append(slices.Clone(before.scores), before.cards...) {
		resources = append(resources, o)
	}
	fhirtest.Validate(t, resources...)

	dst := newTend(t, false)
	casey := dst.invite(t, "casey")
	out, err := dst.importer.Import(ctx, casey, before.bundle(t, casey.ID))
	if err != nil {
		t.Fatal(err)
	}
	if out.Type != "transaction-response" || len(out.Entry) != len(before.responses)+len(before.scores)+len(before.cards) {
		t.Fatalf("answer: %s with %d entries", out.Type, len(out.Entry))
	}
	for i, en := range out.Entry {
		if en.Response == nil || !strings.HasPrefix(en.Response.Status, "20") || en.Response.Location == "" {
			t.Errorf("entry %d: response %+v", i, en.Response)
		}
	}
	fhirtest.Validate(t, out)
	after := dst.export(t, casey, casey.ID)
	if got, want := after.normal(t), before.normal(t); got != want {
		t.Errorf("the round trip changed the records:\n got %s\nwant %s", got, want)
	}
	for _, o := range after.cards {
		if o.Subject == nil || o.Subject.Reference != fhir.PatientRef(casey.ID) {
			t.Errorf("card %s is about %v", o.EffectiveDateTime, o.Subject)
		}
	}
}

// TestImport: a Bundle imports all or nothing, for the person it is about,
// through the services (access, audit, validation, safety prompts).
func TestImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newTend(t, true)
	sam := src.person(t, "sam")
	x := src.export(t, sam, sam.ID)
	dst := newTend(t, false)
	casey := dst.invite(t, "casey")
	good := x.bundle(t, casey.ID)

	t.Run("BadEntryImportsNothing", func(t *testing.T) {
		var b fhir.Bundle
		if err := json.Unmarshal(good, &b); err != nil {
			t.Fatal(err)
		}
		k := len(b.Entry) - 2 // a diary card, after responses and scores
		var o map[string]any
		if err := json.Unmarshal(b.Entry[k].Resource, &o); err != nil {
			t.Fatal(err)
		}
		comps := o["component"].([]any)
		comps[0].(map[string]any)["valueInteger"] = 9 // an urge is 0-5
		b.Entry[k].Resource, _ = json.Marshal(o)
		body, _ := json.Marshal(b)

		before := dst.counts(t, casey.ID)
		_, err := dst.importer.Import(ctx, casey, body)
		var ie *fhir.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("Import = %v, want an ImportError", err)
		}
		if ie.Entry != k || ie.Status != http.StatusUnprocessableEntity {
			t.Errorf("refusal names entry %d with status %d, want entry %d, 422", ie.Entry, ie.Status, k)
		}
		oo := ie.Outcome()
		d := oo.Issue[0].Diagnostics
		if !strings.Contains(d, fmt.Sprintf("Entry %d (Observation %s)", k, b.Entry[k].FullURL)) || !strings.Contains(d, "0 to 5") ||
			oo.Issue[0].Expression[0] != fmt.Sprintf("Bundle.entry[%d].resource.component[0].valueInteger", k) {
			t.Errorf("outcome = %+v", oo)
		}
		fhirtest.Validate(t, oo)
		if after := dst.counts(t, casey.ID); !mapsEqual(before, after) {
			t.Errorf("a refused Bundle changed rows: before %v, after %v", before, after)
		}
	})

	t.Run("RuleFailureAfterWritesImportsNothing", func(t *testing.T) {
		// The last card is dated in the future: the diary service refuses
		// it after the entries before it were written in the same unit.
		var b fhir.Bundle
		if err := json.Unmarshal(good, &b); err != nil {
			t.Fatal(err)
		}
		k := len(b.Entry) - 1
		var o map[string]any
		if err := json.Unmarshal(b.Entry[k].Resource, &o); err != nil {
			t.Fatal(err)
		}
		o["effectiveDateTime"] = time.Now().AddDate(0, 0, 3).Format("2006-01-02")
		b.Entry[k].Resource, _ = json.Marshal(o)
		body, _ := json.Marshal(b)
		before := dst.counts(t, casey.ID)
		_, err := dst.importer.Import(ctx, casey, body)
		var ie *fhir.ImportError
		if !errors.As(err, &ie) || ie.Entry != k || !strings.Contains(ie.Diagnostics(), "not happened yet") {
			t.Fatalf("Import = %v, want entry %d refused for its date", err, k)
		}
		if after := dst.counts(t, casey.ID); !mapsEqual(before, after) {
			t.Errorf("a refused Bundle changed rows: before %v, after %v", before, after)
		}
	})

	t.Run("ScoreMismatchRefused", func(t *testing.T) {
		var b fhir.Bundle
		if err := json.Unmarshal(good, &b); err != nil {
			t.Fatal(err)
		}
		k := len(x.responses) // the first score Observation
		var o fhir.Observation
		if err := json.Unmarshal(b.Entry[k].Resource, &o); err != nil {
			t.Fatal(err)
		}
		o.ValueQuantity.Value += "1"
		b.Entry[k].Resource, _ = json.Marshal(o)
		body, _ := json.Marshal(b)
		before := dst.counts(t, casey.ID)
		_, err := dst.importer.Import(ctx, casey, body)
		var ie *fhir.ImportError
		if !errors.As(err, &ie) || ie.Entry != k || !strings.Contains(ie.Diagnostics(), "computes the score itself") {
			t.Fatalf("Import = %v, want entry %d refused for its score", err, k)
		}
		if after := dst.counts(t, casey.ID); !mapsEqual(before, after) {
			t.Errorf("a refused Bundle changed rows: before %v, after %v", before, after)
		}
	})

	t.Run("AnotherPersonNotFound", func(t *testing.T) {
		riley := dst.person(t, "riley")
		before := dst.counts(t, casey.ID)
		_, err := dst.importer.Import(ctx, riley, good)
		var ie *fhir.ImportError
		if !errors.As(err, &ie) || ie.Status != http.StatusNotFound {
			t.Fatalf("Import by another person = %v, want 404", err)
		}
		// A clinician who is not on casey's care team: the same.
		_, err = dst.importer.Import(ctx, dst.staff(t, "kim@example.org"), good)
		if !errors.As(err, &ie) || ie.Status != http.StatusNotFound {
			t.Fatalf("Import by a stranger clinician = %v, want 404", err)
		}
		if after := dst.counts(t, casey.ID); !mapsEqual(before, after) {
			t.Errorf("a refused import changed rows: before %v, after %v", before, after)
		}
	})

	t.Run("OK", func(t *testing.T) {
		before := dst.counts(t, casey.ID)
		out, err := dst.importer.Import(ctx, casey, good)
		if err != nil {
			t.Fatal(err)
		}
		after := dst.counts(t, casey.ID)
		if got := after["diary_cards"] - before["diary_cards"]; got != len(x.cards) {
			t.Errorf("%d cards imported, want %d", got, len(x.cards))
		}
		if got := after["measure_responses"] - before["measure_responses"]; got != len(x.responses) {
			t.Errorf("%d responses imported, want %d", got, len(x.responses))
		}
		if after["audit write events"] <= before["audit write events"] {
			t.Error("the import wrote no audit events")
		}
		// Safety prompts: sam's self-harm act raised one for casey's care
		// team, as the same save in Tend does, and the answer says so.
		if after["followup_entries"] <= before["followup_entries"] {
			t.Errorf("no safety prompt raised on import: %v", after)
		}
		prompted := 0
		for _, en := range out.Entry {
			if len(en.Response.Outcome) > 0 {
				prompted++
			}
		}
		if prompted == 0 {
			t.Error("the answer tells of no safety prompt")
		}

		t.Run("RetryChangesNothing", func(t *testing.T) {
			again, err := dst.importer.Import(ctx, casey, good)
			if err != nil {
				t.Fatal(err)
			}
			if got := dst.counts(t, casey.ID); got["diary_cards"] != after["diary_cards"] || got["diary_saves"] != after["diary_saves"] ||
				got["measure_responses"] != after["measure_responses"] || got["followup_entries"] != after["followup_entries"] {
				t.Errorf("a retried import changed rows: %v, then %v", after, got)
			}
			for i := range again.Entry {
				if again.Entry[i].Response.Status != "200 OK" {
					t.Errorf("entry %d: retry answers %s, want 200 OK", i, again.Entry[i].Response.Status)
				}
				if again.Entry[i].Response.Location != out.Entry[i].Response.Location {
					t.Errorf("entry %d: retry answers %s, first %s", i, again.Entry[i].Response.Location, out.Entry[i].Response.Location)
				}
			}
		})
	})

	t.Run("CareTeamMemberWithEdit", func(t *testing.T) {
		// Lee is sam's therapist in the source; in the fresh Tend, Lee joins
		// casey's care team and may enter casey's diary only once casey
		// lets Lee edit it.
		ctx := context.Background()
		lee := dst.staff(t, "lee@example.org")
		ally := dst.invite(t, "ally")
		admin := dst.staff(t, "admin@example.org")
		admin.Role = tend.RoleAdmin
		m, err := dst.careTeam.AddMember(ctx, admin, ally.ID, lee.ID, tend.CareTherapist)
		if err != nil {
			t.Fatal(err)
		}
		cards := export{cards: x.cards[:1]}
		body := cards.bundle(t, ally.ID)
		before := dst.counts(t, ally.ID)
		_, err = dst.importer.Import(ctx, lee, body)
		var ie *fhir.ImportError
		if !errors.As(err, &ie) || ie.Status != http.StatusForbidden && ie.Status != http.StatusNotFound {
			t.Fatalf("Lee imported into a diary ally does not let Lee edit: %v", err)
		}
		if after := dst.counts(t, ally.ID); !mapsEqual(before, after) {
			t.Errorf("a refused import changed rows: before %v, after %v", before, after)
		}
		if err := dst.careTeam.SetGrant(ctx, ally, ally.ID, m.ID, access.AreaDiary, access.LevelEdit); err != nil {
			t.Fatal(err)
		}
		if _, err := dst.importer.Import(ctx, lee, body); err != nil {
			t.Fatalf("Lee, whom ally lets edit the diary, cannot import: %v", err)
		}
		if got := dst.count(t, "diary_cards", ally.ID); got != 1 {
			t.Errorf("%d cards after Lee's import, want 1", got)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
