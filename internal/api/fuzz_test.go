package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// Fuzzing of every JSON decoder of the API: one target per request type,
// each sending whatever body the fuzzer makes to the real handler on a
// real database (the demo service, built once per target), as an account
// allowed to make the request, so that the body goes all the way through
// decoding and the domain service's validation. For every input:
//
//   - nothing panics, and the answer is never a 5xx: a body is the
//     caller's fault or fine, never Tend's;
//   - a refused body (any 4xx but 429) changes nothing in the database.
//
// The seed corpora are in testdata/fuzz/<FuzzName>/, made from the
// requests of TestAPI and edge cases; `go test` runs them every time, and
// `go test -fuzz` (the fuzz stage of .ci/run) grows them. A body may name
// the fixtures below as {placeholders}, filled in before it is sent, so
// that the corpus files hold no ids of one run.

// fuzzRequest is one request type: who sends it, where, and the fixtures
// it needs (each returning placeholders for the path and the body).
type fuzzRequest struct {
	who, method, path string
	// idempotent requests carry an Idempotency-Key (one per body).
	idempotent bool
	setup      func(t testing.TB, e *env) map[string]string
}

// fuzzAPI runs the fuzz target of one request type.
func fuzzAPI(f *testing.F, rq fuzzRequest) {
	e := newEnv(f)
	vars := map[string]string{
		"{sam}": string(e.ids["sam"]), "{alex}": string(e.ids["alex"]), "{riley}": string(e.ids["riley"]),
		"{lee-on-sam}":  string(e.memberID(f, "sam", "lee@example.org")),
		"{in-30-days}":  e.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339),
		"{in-2-years}":  e.clock.Now().Add(2 * 365 * 24 * time.Hour).Format(time.RFC3339),
		"{no-such-id}":  string(tend.NewID()),
		"{today}":       e.clock.Now().Format(time.DateOnly),
		"{yesterday}":   e.clock.Now().AddDate(0, 0, -1).Format(time.DateOnly),
		"{recorded-at}": e.clock.Now().Add(-2 * time.Minute).Format(time.RFC3339),
	}
	if rq.setup != nil {
		for k, v := range rq.setup(f, e) {
			vars[k] = v
		}
	}
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, k, v)
		}
		// A new record's id, different for every input.
		return strings.ReplaceAll(s, "{new-id}", string(tend.NewID()))
	}
	path := fill(rq.path)
	state := dbState(f, e.db)
	f.Fuzz(func(t *testing.T, body []byte) {
		body = []byte(fill(string(body)))
		req := httptest.NewRequest(rq.method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "tend_session", Value: e.sessions[rq.who]})
		if rq.idempotent {
			sum := sha256.Sum256(body)
			req.Header.Set("Idempotency-Key", hex.EncodeToString(sum[:16]))
		}
		before := state(t)
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s answered %d for the body %q:\n%s", rq.method, rq.path, rec.Code, body, rec.Body.String())
		}
		if rec.Code >= 400 {
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("a refusal (%d) comes as %q, not a problem", rec.Code, ct)
			}
			if diff := testenv.ChangedTables(before, state(t)); rec.Code != http.StatusTooManyRequests && len(diff) > 0 {
				t.Fatalf("%s %s refused the body %q (%d: %s) but changed %v", rq.method, rq.path, body, rec.Code, rec.Body.String(), diff)
			}
		}
	})
}

// dbState returns a function that says what the database holds, table by
// table (a digest of every row), to tell whether a request changed it.
// The audit trail is left out: a staff member's read is audited even when
// what they then send is refused, and that is as it should be.
func dbState(t testing.TB, db *store.DB) func(testing.TB) map[string]string {
	ctx := context.Background()
	var tables []string
	for _, name := range testenv.Tables(t, db) {
		if !strings.HasPrefix(name, "audit_") {
			tables = append(tables, name)
		}
	}
	if db.Engine() == store.Postgres {
		// One round trip: PostgreSQL digests every table itself.
		parts := make([]string, len(tables))
		for i, table := range tables {
			parts[i] = `SELECT '` + table + `', md5(COALESCE(string_agg(t::text, ',' ORDER BY t::text), '')) FROM "` + table + `" t`
		}
		query := strings.Join(parts, " UNION ALL ")
		return func(t testing.TB) map[string]string {
			rows, err := db.Writer().QueryContext(ctx, query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := make(map[string]string, len(tables))
			for rows.Next() {
				var table, digest string
				if err := rows.Scan(&table, &digest); err != nil {
					t.Fatal(err)
				}
				out[table] = digest
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	return func(t testing.TB) map[string]string {
		out := make(map[string]string, len(tables))
		for _, table := range tables {
			out[table] = testenv.RowsDigest(t, db, `SELECT * FROM "`+table+`"`)
		}
		return out
	}
}

// call makes a fixture through the API itself and fails unless it answers
// want.
func (e *env) call(t testing.TB, who, method, path, body string, want int) string {
	t.Helper()
	_, res := e.doKey(who, method, path, body, string(tend.NewID()))
	if res.Code != want {
		t.Fatalf("%s %s: %d %s", method, path, res.Code, res.Body.String())
	}
	return res.Body.String()
}

// The fixtures.

func seenContactNotice(t testing.TB, e *env) map[string]string {
	if err := e.followUp.MarkNoticeSeen(ctx, e.actors["sam"], e.ids["sam"]); err != nil {
		t.Fatal(err)
	}
	return nil
}

func openTask(t testing.TB, e *env) map[string]string {
	seenContactNotice(t, e)
	e.call(t, "sam", "POST", "/api/v1/me/contact-requests", `{"how":"call"}`, http.StatusCreated)
	tasks, err := e.followUp.Inbox(ctx, e.actors["lee@example.org"])
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no task in Lee's inbox (%v)", err)
	}
	return map[string]string{"{task}": string(tasks[0].ID)}
}

func homework(t testing.TB, e *env) map[string]string {
	hw, err := e.skills.Assign(ctx, e.actors["lee@example.org"], e.ids["sam"], skills.Assignment{Item: "skill:tipp", PerWeek: 3, Note: "Try it after school"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"{homework}": string(hw.ID)}
}

func journalEntry(t testing.TB, e *env) map[string]string {
	entry, err := e.journal.Save(ctx, e.actors["sam"], e.ids["sam"], journal.Draft{ID: string(tend.NewID()), Text: "A quiet evening with my cat"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"{entry}": string(entry.Entry.ID)}
}

func chainGrant(t testing.TB, e *env) map[string]string {
	if err := e.careTeam.SetGrants(ctx, e.actors["sam"], e.ids["sam"], []careteam.GrantChange{
		{MemberID: e.memberID(t, "sam", "lee@example.org"), Area: access.AreaChainAnalysis, Level: access.LevelEdit}}); err != nil {
		t.Fatal(err)
	}
	return nil
}

func openChain(t testing.TB, e *env) map[string]string {
	chainGrant(t, e)
	opened, err := e.chains.Open(ctx, e.actors["lee@example.org"], e.ids["sam"], chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"{chain}": string(opened.Analysis.ID)}
}

func clinicianNote(t testing.TB, e *env) map[string]string {
	note, err := e.notes.Write(ctx, e.actors["lee@example.org"], e.ids["sam"], notes.Draft{Kind: notes.KindNote, Text: "Agreed a plan for the holidays"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"{note}": string(note.ID)}
}

func medicine(t testing.TB, e *env) map[string]string {
	med, _, err := e.meds.Add(ctx, e.actors["priya@example.org"], e.ids["sam"], medication.New{Name: "Sertraline", Dose: "50 mg", Schedule: "Once a day", StartedOn: "2026-01-12"})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"{med}": string(med.ID)}
}

func skillsGroup(t testing.TB, e *env) map[string]string {
	group, err := e.groups.Create(ctx, e.actors["jo@example.org"], "Tuesday skills group", "DBT skills group", "Tuesdays, 18:00")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.groups.Enrol(ctx, e.actors["jo@example.org"], string(group.ID), string(e.ids["sam"])); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"{group}": string(group.ID)}
}

func rileyInTreatment(t testing.TB, e *env) map[string]string {
	path := "/api/v1/people/" + string(e.ids["riley"]) + "/episodes"
	e.call(t, "kim@example.org", "POST", path, `{"step":"refer","date":"2026-02-20","source":"primary_care","modality":"DBT"}`, http.StatusCreated)
	e.call(t, "kim@example.org", "POST", path, `{"step":"decide","accepted":true,"date":"2026-02-25"}`, http.StatusOK)
	e.call(t, "kim@example.org", "POST", path, `{"step":"start","date":"2026-03-01"}`, http.StatusOK)
	return nil
}

func importedWellbeing(t testing.TB, e *env) map[string]string {
	q, err := os.ReadFile("../fhir/testdata/example-wellbeing.json")
	if err != nil {
		t.Fatal(err)
	}
	out := e.call(t, "admin@example.org", "POST", "/api/v1/instruments", `{"questionnaire":`+string(q)+`,"rights":"Made up for Tend's tests; no licence needed."}`, http.StatusCreated)
	const key = `"id":"`
	i := strings.Index(out, key)
	if i < 0 {
		t.Fatalf("no id in %s", out)
	}
	id := out[i+len(key):]
	return map[string]string{"{wellbeing-id}": id[:strings.IndexByte(id, '"')]}
}

func questionnaireDue(t testing.TB, e *env) map[string]string {
	gad, err := e.measure.Assign(ctx, e.actors["lee@example.org"], e.ids["sam"], measure.NewAssignment{InstrumentID: "gad-7.1.en", Schedule: measure.Schedule{Kind: measure.ScheduleOnce}})
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := e.measure.Waiting(ctx, e.actors["sam"], e.ids["sam"])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range waiting {
		if d.Due.AssignmentID == gad.ID {
			return map[string]string{"{q-due}": string(d.Due.ID)}
		}
	}
	t.Fatal("the GAD-7 is not waiting for sam")
	return nil
}

// The targets, one per request type that has a body.

func FuzzRemindersSave(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PUT", path: "/api/v1/me/reminders"})
}

func FuzzSharingUpdate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal"})
}

func FuzzTokenCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "POST", path: "/api/v1/me/tokens"})
}

func FuzzSafetyPlanSave(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PUT", path: "/api/v1/me/safety-plan"})
}

func FuzzContactRequestCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "POST", path: "/api/v1/me/contact-requests", idempotent: true, setup: seenContactNotice})
}

func FuzzTaskResolve(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/resolve", setup: openTask})
}

func FuzzToolboxUseCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses"})
}

func FuzzHomeworkPracticeCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "POST", path: "/api/v1/me/homework/{homework}/practice", setup: homework})
}

func FuzzJournalCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "POST", path: "/api/v1/me/journal"})
}

func FuzzJournalSave(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PUT", path: "/api/v1/me/journal/{entry}", setup: journalEntry})
}

func FuzzChainSave(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "lee@example.org", method: "PUT", path: "/api/v1/people/{sam}/chains/{chain}", setup: openChain})
}

func FuzzChainOpen(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/chains", setup: chainGrant})
}

func FuzzNoteCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/notes", setup: clinicianNote})
}

func FuzzMedicationCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication"})
}

func FuzzMedicationStop(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication/{med}/stop", setup: medicine})
}

func FuzzGroupAttendanceCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "jo@example.org", method: "POST", path: "/api/v1/groups/{group}/attendance", setup: skillsGroup})
}

func FuzzEpisodeStep(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes"})
}

func FuzzSessionCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/sessions", setup: rileyInTreatment})
}

func FuzzIncidentCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/incidents", setup: rileyInTreatment})
}

func FuzzDiarySave(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02"})
}

func FuzzDiaryTargetCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "POST", path: "/api/v1/me/diary-config/targets"})
}

func FuzzDiaryTargetUpdate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PATCH", path: "/api/v1/me/diary-config/targets/u.self_harm"})
}

func FuzzInstrumentImport(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "admin@example.org", method: "POST", path: "/api/v1/instruments"})
}

func FuzzInstrumentPrompts(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "admin@example.org", method: "PUT", path: "/api/v1/instruments/{wellbeing-id}/prompts", setup: importedWellbeing})
}

func FuzzAssignmentCreate(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments", setup: importedWellbeing})
}

func FuzzQuestionnaireSave(f *testing.F) {
	fuzzAPI(f, fuzzRequest{who: "sam", method: "PUT", path: "/api/v1/me/questionnaires/{q-due}", setup: questionnaireDue})
}
