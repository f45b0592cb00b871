package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/testenv"
)

// TestAPI is the scenario table for the JSON API. Every expectation is
// written by hand from DESIGN.md "Who sees what", the access policy and the
// demo accounts (issue 3, items 9 and 10); none is generated from what the
// code does. Every answer is also checked against openapi.json, and every
// route needs at least one success and one error row.
//
// who: "" is anonymous; a demo account signs in with its session cookie;
// "bearer:…" sends a token; "header:…" sends a raw Authorization header.
// Paths and bodies use {placeholders} filled in once the fixture exists.
func TestAPI(t *testing.T) {
	e := newEnv(t)
	v := newValidator(t, spec(t, e))

	// Tokens of sam: one narrow, one to revoke, one revoked, one expired;
	// one of Lee's, which sam must not be able to touch.
	narrow, _ := e.token(t, "sam", 30*24*time.Hour, "care_team.read")
	_, toRevoke := e.token(t, "sam", 30*24*time.Hour, "care_team.read")
	revoked, revokedTok := e.token(t, "sam", 30*24*time.Hour, "care_team.read", "audit.read_own")
	if err := e.accounts.RevokeToken(ctx, e.actors["sam"], revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	expired, _ := e.token(t, "sam", time.Minute, "care_team.read", "audit.read_own")
	_, leeTok := e.token(t, "lee@example.org", 30*24*time.Hour, "profile.read")
	full, _ := e.token(t, "sam", 30*24*time.Hour, "profile.read", "audit.read_own")
	e.clock.Advance(2 * time.Minute) // the expired token is now past its expiry
	// sam has read what happens with a contact request; alex has not.
	if err := e.followUp.MarkNoticeSeen(ctx, e.actors["sam"], e.ids["sam"]); err != nil {
		t.Fatal(err)
	}

	// Lee (sam's therapist) sets sam a piece of homework.
	hw, err := e.skills.Assign(ctx, e.actors["lee@example.org"], e.ids["sam"], skills.Assignment{Item: "skill:tipp", PerWeek: 3, Note: "Try it after school"})
	if err != nil {
		t.Fatal(err)
	}

	// Sam has a journal entry and words in the hope box.
	entry, err := e.journal.Save(ctx, e.actors["sam"], e.ids["sam"], journal.Draft{ID: string(tend.NewID()), Text: "A quiet evening with my cat"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.hopeBox.AddWords(ctx, e.actors["sam"], e.ids["sam"], "My sister's laugh"); err != nil {
		t.Fatal(err)
	}

	// Sam lets Lee see and edit their chain analyses; Lee opens one with sam.
	if err := e.careTeam.SetGrants(ctx, e.actors["sam"], e.ids["sam"], []careteam.GrantChange{
		{MemberID: e.memberID(t, "sam", "lee@example.org"), Area: access.AreaChainAnalysis, Level: access.LevelEdit}}); err != nil {
		t.Fatal(err)
	}
	opened, err := e.chains.Open(ctx, e.actors["lee@example.org"], e.ids["sam"], chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"})
	if err != nil {
		t.Fatal(err)
	}

	// Priya keeps sam's medication list; jo runs a skills group with sam
	// enrolled; lee wrote a note about sam.
	med, _, err := e.meds.Add(ctx, e.actors["priya@example.org"], e.ids["sam"], medication.New{Name: "Sertraline", Dose: "50 mg", Schedule: "Once a day", StartedOn: "2026-01-12"})
	if err != nil {
		t.Fatal(err)
	}
	group, err := e.groups.Create(ctx, e.actors["jo@example.org"], "Tuesday skills group", "DBT skills group", "Tuesdays, 18:00")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.groups.Enrol(ctx, e.actors["jo@example.org"], string(group.ID), string(e.ids["sam"])); err != nil {
		t.Fatal(err)
	}
	note, err := e.notes.Write(ctx, e.actors["lee@example.org"], e.ids["sam"], notes.Draft{Kind: notes.KindNote, Text: "Agreed a plan for the holidays"})
	if err != nil {
		t.Fatal(err)
	}

	// Alex lets Lee (their therapist) see and edit their diary card.
	if err := e.careTeam.SetGrants(ctx, e.actors["alex"], e.ids["alex"], []careteam.GrantChange{
		{MemberID: e.memberID(t, "alex", "lee@example.org"), Area: access.AreaDiary, Level: access.LevelEdit}}); err != nil {
		t.Fatal(err)
	}

	// Questionnaires (issue 7): Lee assigns sam a GAD-7 to answer and a
	// PHQ-9 to end, and alex a PHQ-9, which alex finishes. The example
	// Questionnaire of the fhir package is what the admin imports.
	gad, err := e.measure.Assign(ctx, e.actors["lee@example.org"], e.ids["sam"], measure.NewAssignment{InstrumentID: "gad-7.1.en", Schedule: measure.Schedule{Kind: measure.ScheduleOnce}})
	if err != nil {
		t.Fatal(err)
	}
	toEnd, err := e.measure.Assign(ctx, e.actors["lee@example.org"], e.ids["sam"], measure.NewAssignment{InstrumentID: "phq-9.1.en", Schedule: measure.Schedule{Kind: measure.ScheduleOnce}})
	if err != nil {
		t.Fatal(err)
	}
	samDue := ""
	waiting, err := e.measure.Waiting(ctx, e.actors["sam"], e.ids["sam"])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range waiting {
		if d.Due.AssignmentID == gad.ID {
			samDue = string(d.Due.ID)
		}
	}
	if _, err := e.measure.Assign(ctx, e.actors["lee@example.org"], e.ids["alex"], measure.NewAssignment{InstrumentID: "phq-9.1.en", Schedule: measure.Schedule{Kind: measure.ScheduleOnce}}); err != nil {
		t.Fatal(err)
	}
	alexWaiting, err := e.measure.Waiting(ctx, e.actors["alex"], e.ids["alex"])
	if err != nil || len(alexWaiting) != 1 || samDue == "" {
		t.Fatalf("waiting: sam %v, alex %v, %v", waiting, alexWaiting, err)
	}
	alexSaved, err := e.measure.Save(ctx, e.actors["alex"], e.ids["alex"], alexWaiting[0].Due.ID,
		measure.Answers{"1": 1, "2": 1, "3": 2, "4": 1, "5": 0, "6": 1, "7": 0, "8": 0, "9": 0}, true)
	if err != nil {
		t.Fatal(err)
	}
	// The outcomes report (issue 8): made-up people of Riverside (which
	// morgan leads) whose episodes ended in January 2026, 12 on DBT and 3
	// on CBT: the 3 are "fewer than 5". Tokens of morgan with and without
	// report.read.
	testenv.WriteEnded(t, e.db, 1, 1,
		testenv.Ended{Team: demo.TeamRiverside, Therapist: "lee@example.org", Modality: "DBT", People: 12, EndedOn: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)},
		testenv.Ended{Team: demo.TeamRiverside, Therapist: "lee@example.org", Modality: "CBT", People: 3, EndedOn: time.Date(2026, 1, 27, 0, 0, 0, 0, time.UTC)})
	reportToken, _ := e.token(t, "morgan@example.org", 30*24*time.Hour, "report.read")
	noReportToken, _ := e.token(t, "morgan@example.org", 30*24*time.Hour, "profile.read")
	wellbeing, err := os.ReadFile("../fhir/testdata/example-wellbeing.json")
	if err != nil {
		t.Fatal(err)
	}
	wellbeingInstrument, err := fhir.ParseQuestionnaire(wellbeing)
	if err != nil {
		t.Fatal(err)
	}

	riverside, err := e.db.FindStaffTeamID(ctx, e.ids["morgan@example.org"])
	if err != nil {
		t.Fatal(err)
	}
	// Alex has a download of their information, made by its job.
	alexExport, err := e.rights.RequestExport(ctx, e.actors["alex"], e.ids["alex"])
	if err != nil {
		t.Fatal(err)
	}
	if err := e.rights.BuildExport(ctx, alexExport.ID); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer(
		"{riverside}", string(riverside),
		"{entry}", string(entry.Entry.ID), "{no-entry}", string(tend.NewID()),
		"{homework}", string(hw.ID),
		"{chain}", string(opened.Analysis.ID),
		"{med}", string(med.ID), "{group}", string(group.ID), "{note}", string(note.ID), "{new-med}", string(tend.NewID()),
		"{alex-export}", string(alexExport.ID),
		"{sam}", string(e.ids["sam"]), "{riley}", string(e.ids["riley"]), "{alex}", string(e.ids["alex"]),
		"{lee-on-sam}", string(e.memberID(t, "sam", "lee@example.org")),
		"{kim-on-riley}", string(e.memberID(t, "riley", "kim@example.org")),
		"{to-revoke}", string(toRevoke.ID), "{lee-token}", string(leeTok.ID),
		"{narrow}", narrow, "{revoked}", revoked, "{expired}", expired, "{full}", full,
		"{in-30-days}", e.clock.Now().Add(30*24*time.Hour).Format(time.RFC3339),
		"{in-2-years}", e.clock.Now().Add(2*365*24*time.Hour).Format(time.RFC3339),
		"{q-due}", samDue, "{q-to-end}", string(toEnd.ID), "{q-response}", string(alexSaved.Response.ID),
		"{wellbeing}", string(wellbeing), "{wellbeing-id}", wellbeingInstrument.ID,
		"{report-token}", reportToken, "{no-report-token}", noReportToken,
	)
	tests := []struct {
		name            string
		who             string
		method, path    string
		body            string
		wantStatus      int
		wantContains    []string
		wantNotContains []string
		notInSpec       bool           // answers for paths or methods the document does not describe
		key             string         // an Idempotency-Key header
		wantCount       map[string]int // how many times the answer holds each string
		capture         string         // keep the answer's task_id as {capture} for later rows
	}{
		// The document itself needs no sign-in.
		{name: "OpenAPIIsPublic", method: "GET", path: "/api/v1/openapi.json", wantStatus: 200, wantContains: []string{`"openapi": "3.1.0"`, "bearerToken", "sessionCookie"}},

		// Who is signed in.
		{name: "ErrUnauthorized/AnonymousMe", method: "GET", path: "/api/v1/me", wantStatus: 401, wantContains: []string{`"status":401`, "Sign in"}},
		{name: "PersonMe", who: "sam", method: "GET", path: "/api/v1/me", wantStatus: 200,
			wantContains:    []string{`"kind":"person"`, `"id":"{sam}"`, `"username":"sam"`, `"state":"in_treatment"`, `"time_zone":"Europe/London"`},
			wantNotContains: []string{"hash", "argon2", "tses_", `"role"`}},
		{name: "StaffMe", who: "lee@example.org", method: "GET", path: "/api/v1/me", wantStatus: 200,
			wantContains: []string{`"kind":"staff"`, `"role":"clinician"`, `"name":"Lee"`}, wantNotContains: []string{"username", "hash"}},
		{name: "AdminMe", who: "admin@example.org", method: "GET", path: "/api/v1/me", wantStatus: 200, wantContains: []string{`"role":"admin"`}},
		{name: "TokenWithProfileReadMe", who: "bearer:{full}", method: "GET", path: "/api/v1/me", wantStatus: 200, wantContains: []string{`"username":"sam"`}},
		{name: "ErrForbidden/TokenWithoutProfileReadMe", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me", wantStatus: 403,
			wantContains: []string{"profile.read"}, wantNotContains: []string{`"username"`}},
		{name: "ErrUnauthorized/RevokedToken", who: "bearer:{revoked}", method: "GET", path: "/api/v1/me/care-team", wantStatus: 401,
			wantContains: []string{"not valid"}, wantNotContains: []string{"Lee"}},
		{name: "ErrUnauthorized/ExpiredToken", who: "bearer:{expired}", method: "GET", path: "/api/v1/me/care-team", wantStatus: 401,
			wantContains: []string{"not valid"}, wantNotContains: []string{"Lee"}},
		{name: "ErrUnauthorized/UnknownToken", who: "bearer:tapi_not-a-real-token", method: "GET", path: "/api/v1/me", wantStatus: 401},
		{name: "ErrUnauthorized/NotBearer", who: "header:Basic c2FtOnB3", method: "GET", path: "/api/v1/me", wantStatus: 401, wantContains: []string{"Bearer"}},

		// The person's care team.
		{name: "PersonCareTeam", who: "sam", method: "GET", path: "/api/v1/me/care-team", wantStatus: 200,
			wantContains:    []string{`"staff_name":"Lee","role":"therapist"`, `"staff_name":"Priya","role":"prescriber"`, `"staff_name":"Jo","role":"group_facilitator"`, `"state":"active"`},
			wantNotContains: []string{"Kim"}},
		{name: "OtherPersonCareTeam", who: "riley", method: "GET", path: "/api/v1/me/care-team", wantStatus: 200,
			wantContains: []string{`"staff_name":"Kim","role":"therapist"`}, wantNotContains: []string{"Lee", "Priya", "Jo"}},
		{name: "NarrowTokenReadsCareTeam", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "ErrNotFound/StaffHaveNoOwnCareTeam", who: "lee@example.org", method: "GET", path: "/api/v1/me/care-team", wantStatus: 404, wantNotContains: []string{"Priya"}},
		{name: "ErrNotFound/AdminHasNoOwnCareTeam", who: "admin@example.org", method: "GET", path: "/api/v1/me/care-team", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousCareTeam", method: "GET", path: "/api/v1/me/care-team", wantStatus: 401},

		// A person's care team as staff see it.
		{name: "TherapistSeesCareTeam", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200,
			wantContains: []string{`"staff_name":"Priya"`, `"staff_name":"Jo"`}},
		{name: "LeadSeesCareTeam", who: "morgan@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "PersonSeesOwnCareTeamByID", who: "sam", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		// Policy: admins manage care-team membership (who is on it, never clinical data).
		{name: "AdminSeesMembership", who: "admin@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "ErrNotFound/StrangerClinician", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 404,
			wantNotContains: []string{"Lee", "Priya", "Jo", "therapist"}},
		{name: "ErrNotFound/LeadOfAnotherTeam", who: "morgan@example.org", method: "GET", path: "/api/v1/people/{riley}/care-team", wantStatus: 404, wantNotContains: []string{"Kim"}},
		{name: "ErrNotFound/AnotherPerson", who: "sam", method: "GET", path: "/api/v1/people/{riley}/care-team", wantStatus: 404, wantNotContains: []string{"Kim"}},
		{name: "ErrNotFound/MalformedID", who: "lee@example.org", method: "GET", path: "/api/v1/people/not-an-id/care-team", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousPersonCareTeam", method: "GET", path: "/api/v1/people/{sam}/care-team", wantStatus: 401, wantNotContains: []string{"Lee"}},

		// The staff caseload (each person shown is an audited read).
		{name: "TherapistCaseload", who: "lee@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"username":"sam"`, `"username":"alex"`, `"roles":["therapist"]`, `"membership":"active"`}, wantNotContains: []string{"riley"}},
		{name: "OtherTeamCaseload", who: "kim@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"username":"riley"`}, wantNotContains: []string{"sam", "alex"}},
		{name: "AdminCaseloadIsEmpty", who: "admin@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"cases":[]`}, wantNotContains: []string{"sam", "alex", "riley"}},
		{name: "ErrNotFound/PeopleHaveNoCaseload", who: "sam", method: "GET", path: "/api/v1/caseload", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousCaseload", method: "GET", path: "/api/v1/caseload", wantStatus: 401},

		// Who looked: Lee's caseload above was a read of sam's record.
		{name: "PersonWhoLooked", who: "sam", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 200,
			wantContains: []string{`"staff_name":"Lee"`, `"action":"profile.read"`}, wantNotContains: []string{"Kim"}},
		{name: "TokenWithAuditReadOwn", who: "bearer:{full}", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 200, wantContains: []string{`"staff_name":"Lee"`}},
		{name: "ErrForbidden/NarrowTokenCannotReadWhoLooked", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 403,
			wantNotContains: []string{"Lee", "looks"}},
		{name: "ErrNotFound/StaffWhoLooked", who: "lee@example.org", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 404},
		{name: "ErrNotFound/AdminWhoLooked", who: "admin@example.org", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 404, wantNotContains: []string{"sam"}},
		{name: "ErrUnauthorized/AnonymousWhoLooked", method: "GET", path: "/api/v1/me/who-looked", wantStatus: 401},

		// Notices.
		{name: "PersonNotices", who: "sam", method: "GET", path: "/api/v1/me/notices", wantStatus: 200,
			wantContains: []string{`"kind":"care_team.joined"`, `"kind":"sharing.default_applied"`, `"staff_name":"Lee"`, `"area":"diary"`}, wantNotContains: []string{"Kim"}},
		{name: "ErrForbidden/NarrowTokenNotices", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/notices", wantStatus: 403},
		{name: "ErrNotFound/StaffNotices", who: "lee@example.org", method: "GET", path: "/api/v1/me/notices", wantStatus: 404},

		// The person's downloads of their information (docs/data-rights.md):
		// only the person; the job makes the zip (TestExportDownload).
		{name: "PersonExportsNone", who: "sam", method: "GET", path: "/api/v1/me/exports", wantStatus: 200, wantContains: []string{`"exports":[]`}},
		{name: "PersonExportCreate", who: "sam", method: "POST", path: "/api/v1/me/exports", wantStatus: 202, wantContains: []string{`"state":"pending"`}},
		{name: "ErrRateLimited/ExportPending", who: "sam", method: "POST", path: "/api/v1/me/exports", wantStatus: 429},
		{name: "PersonExportsPending", who: "sam", method: "GET", path: "/api/v1/me/exports", wantStatus: 200, wantContains: []string{`"state":"pending"`}},
		{name: "OtherPersonExportReady", who: "alex", method: "GET", path: "/api/v1/me/exports", wantStatus: 200, wantContains: []string{`"state":"ready"`, `{alex-export}`}},
		{name: "PersonExportDownload", who: "alex", method: "GET", path: "/api/v1/me/exports/{alex-export}", wantStatus: 200, wantContains: []string{"journal.json", "manifest.json"}},
		{name: "ErrNotFound/AnotherPersonsExport", who: "sam", method: "GET", path: "/api/v1/me/exports/{alex-export}", wantStatus: 404},
		{name: "ErrNotFound/StaffDownloadsExport", who: "lee@example.org", method: "GET", path: "/api/v1/me/exports/{alex-export}", wantStatus: 404},
		{name: "ErrNotFound/UnknownExport", who: "sam", method: "GET", path: "/api/v1/me/exports/{sam}", wantStatus: 404},
		{name: "ErrNotFound/MalformedExportID", who: "sam", method: "GET", path: "/api/v1/me/exports/not-an-id", wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenExports", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/exports", wantStatus: 403},
		{name: "ErrNotFound/StaffExports", who: "lee@example.org", method: "GET", path: "/api/v1/me/exports", wantStatus: 404},
		{name: "ErrNotFound/StaffExportCreate", who: "lee@example.org", method: "POST", path: "/api/v1/me/exports", wantStatus: 404},
		{name: "ErrNotFound/AdminExports", who: "admin@example.org", method: "GET", path: "/api/v1/me/exports", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousExports", method: "GET", path: "/api/v1/me/exports", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousExportCreate", method: "POST", path: "/api/v1/me/exports", wantStatus: 401},

		// Sharing.
		{name: "PersonSharing", who: "sam", method: "GET", path: "/api/v1/me/sharing", wantStatus: 200,
			wantContains: []string{`"member_id":"{lee-on-sam}","area":"diary","level":"see"`, `"area":"safety_plan","level":"edit"`}},
		{name: "ErrForbidden/NarrowTokenSharing", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/sharing", wantStatus: 403, wantNotContains: []string{"grants"}},
		{name: "ErrNotFound/StaffSharing", who: "lee@example.org", method: "GET", path: "/api/v1/me/sharing", wantStatus: 404},
		{name: "ErrNotFound/AdminSharing", who: "admin@example.org", method: "GET", path: "/api/v1/me/sharing", wantStatus: 404},
		// Reminders: the person's own, off until turned on; never staff's.
		{name: "PersonRemindersOffByDefault", who: "alex", method: "GET", path: "/api/v1/me/reminders", wantStatus: 200,
			wantContains: []string{`"diary":false`, `"homework":false`, `"questionnaires":false`, `"weekly":false`, `"at":"20:00"`}, wantNotContains: []string{"next_due_at"}},
		{name: "PersonSetsReminders", who: "alex", method: "PUT", path: "/api/v1/me/reminders",
			body: `{"diary":true,"weekly":true,"weekly_day":3,"at":"19:30","quiet_from":"22:00","quiet_to":"07:00"}`, wantStatus: 200,
			wantContains: []string{`"diary":true`, `"weekly_day":3`, `"at":"19:30"`, `"quiet_from":"22:00"`, `"next_due_at":`}},
		{name: "PersonSeesReminders", who: "alex", method: "GET", path: "/api/v1/me/reminders", wantStatus: 200, wantContains: []string{`"at":"19:30"`}},
		{name: "ErrInvalid/ReminderTime", who: "alex", method: "PUT", path: "/api/v1/me/reminders", body: `{"diary":true,"weekly_day":0,"at":"7pm"}`, wantStatus: 400,
			wantContains: []string{"at:"}},
		{name: "ErrInvalid/ReminderQuietHalf", who: "alex", method: "PUT", path: "/api/v1/me/reminders", body: `{"weekly_day":0,"at":"20:00","quiet_from":"22:00"}`, wantStatus: 400,
			wantContains: []string{"quiet:"}},
		{name: "ErrInvalid/ReminderMissingTime", who: "alex", method: "PUT", path: "/api/v1/me/reminders", body: `{"diary":true}`, wantStatus: 400},
		{name: "OtherPersonRemindersUntouched", who: "sam", method: "GET", path: "/api/v1/me/reminders", wantStatus: 200, wantContains: []string{`"diary":false`},
			wantNotContains: []string{`"at":"19:30"`}},
		{name: "ErrNotFound/StaffReminders", who: "lee@example.org", method: "GET", path: "/api/v1/me/reminders", wantStatus: 404, wantNotContains: []string{"19:30"}},
		{name: "ErrNotFound/AdminSetsReminders", who: "admin@example.org", method: "PUT", path: "/api/v1/me/reminders", body: `{"weekly_day":0,"at":"08:00"}`, wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenReminders", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/reminders", wantStatus: 403},
		{name: "PersonSetsGrant", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"see"}`, wantStatus: 200,
			wantContains: []string{`"member_id":"{lee-on-sam}","area":"journal","level":"see"`}},
		{name: "PersonSeesNewGrant", who: "sam", method: "GET", path: "/api/v1/me/sharing", wantStatus: 200, wantContains: []string{`"area":"journal","level":"see"`}},
		{name: "ErrInvalid/UnknownField", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"edit","colour":"red"}`, wantStatus: 400,
			wantContains: []string{`Unknown field \"colour\"`}},
		{name: "ErrInvalid/TwoValues", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"edit"} {"level":"see"}`, wantStatus: 400,
			wantContains: []string{"one JSON value"}},
		{name: "ErrInvalid/NotJSON", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `level=edit`, wantStatus: 400, wantContains: []string{"not valid JSON"}},
		{name: "ErrInvalid/WrongType", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":2}`, wantStatus: 400, wantContains: []string{`\"level\"`, "string"}},
		{name: "ErrInvalid/UnknownLevel", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/journal", body: `{"level":"all"}`, wantStatus: 400},
		{name: "ErrInvalid/HopeBoxNeverShared", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/hope_box", body: `{"level":"see"}`, wantStatus: 400,
			wantContains: []string{"never shared"}},
		{name: "ErrNotFound/AnotherPersonsMember", who: "sam", method: "PUT", path: "/api/v1/me/sharing/{kim-on-riley}/diary", body: `{"level":"see"}`, wantStatus: 404},
		{name: "ErrNotFound/StaffCannotSetGrants", who: "lee@example.org", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 404},
		{name: "ErrNotFound/AdminCannotSetGrants", who: "admin@example.org", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenCannotSetGrants", who: "bearer:{narrow}", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 403},
		{name: "ErrUnauthorized/AnonymousSetGrant", method: "PUT", path: "/api/v1/me/sharing/{lee-on-sam}/diary", body: `{"level":"edit"}`, wantStatus: 401},

		// Tokens.
		{name: "ListTokens", who: "sam", method: "GET", path: "/api/v1/me/tokens", wantStatus: 200,
			wantContains: []string{`"scopes":["care_team.read"]`, `"revoked_at"`}, wantNotContains: []string{"tapi_", "hash"}},
		{name: "CreateToken", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read","audit.read_own"],"expires_at":"{in-30-days}"}`, wantStatus: 201,
			wantContains: []string{`"token":"tapi_`, `"scopes":["audit.read_own","care_team.read"]`}},
		{name: "ErrInvalid/UnknownScope", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["everything"],"expires_at":"{in-30-days}"}`, wantStatus: 400,
			wantContains: []string{`\"everything\" is not a scope`}, wantNotContains: []string{"tapi_"}},
		{name: "ErrInvalid/NoScopes", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":[],"expires_at":"{in-30-days}"}`, wantStatus: 400},
		{name: "ErrInvalid/NoExpiry", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"]}`, wantStatus: 400, wantContains: []string{"expires"}},
		{name: "ErrInvalid/ExpiryOverAYear", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-2-years}"}`, wantStatus: 400,
			wantContains: []string{"at most a year"}},
		{name: "ErrInvalid/BadExpiry", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"next week"}`, wantStatus: 400},
		{name: "ErrInvalid/TokenUnknownField", who: "sam", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-30-days}","admin":true}`, wantStatus: 400,
			wantContains: []string{`Unknown field \"admin\"`}},
		{name: "ErrInvalid/EmptyBody", who: "sam", method: "POST", path: "/api/v1/me/tokens", wantStatus: 400},
		{name: "ErrForbidden/TokensDoNotMakeTokens", who: "bearer:{full}", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-30-days}"}`, wantStatus: 403,
			wantNotContains: []string{"tapi_"}},
		{name: "ErrUnauthorized/AnonymousTokens", method: "GET", path: "/api/v1/me/tokens", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousCreateToken", method: "POST", path: "/api/v1/me/tokens", body: `{"scopes":["care_team.read"],"expires_at":"{in-30-days}"}`, wantStatus: 401},
		{name: "RevokeToken", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/{to-revoke}", wantStatus: 204},
		{name: "RevokeTokenTwice", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/{to-revoke}", wantStatus: 204},
		{name: "ErrNotFound/AnotherAccountsToken", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/{lee-token}", wantStatus: 404},
		{name: "ErrNotFound/UnknownToken", who: "sam", method: "DELETE", path: "/api/v1/me/tokens/not-an-id", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousRevoke", method: "DELETE", path: "/api/v1/me/tokens/{to-revoke}", wantStatus: 401},

		// The person's safety plan. The demo seeds none; sam shares it with
		// Lee (therapist, edit), not with Kim (another team).
		{name: "PlanNoneYet", who: "sam", method: "GET", path: "/api/v1/me/safety-plan", wantStatus: 200,
			wantContains: []string{`"exists":false`, `"person_id":"{sam}"`}, wantNotContains: []string{`"content"`, `"version"`}},
		{name: "PlanVersionsNoneYet", who: "sam", method: "GET", path: "/api/v1/me/safety-plan/versions", wantStatus: 200, wantContains: []string{`"versions":[]`}},
		{name: "SavePlan", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body:       `{"based_on":0,"content":{"steps":[["Feeling I can't cope"],["Go for a walk","Music"]],"most_important":"My dog","reasons":["My sister"],"likely":"Likely"}}`,
			wantStatus: 200, wantContains: []string{`"exists":true`, `"version":1`, `"based_on":0`, `"merged":false`, `"saved_by_kind":"person"`,
				`"steps":[["Feeling I can't cope"],["Go for a walk","Music"],[],[],[],[]]`, `"most_important":"My dog"`}},
		{name: "SavePlanAgain", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body:       `{"based_on":1,"content":{"steps":[["Feeling I can't cope"],["Go for a walk"]],"most_important":"My dog","reasons":["My sister"],"likely":"Likely"}}`,
			wantStatus: 200, wantContains: []string{`"version":2`, `"based_on":1`, `"merged":false`}},
		// Saved from version 1 after version 2 exists: both sides are kept.
		{name: "SavePlanFromOldVersionMerges", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body:       `{"based_on":1,"content":{"steps":[["Feeling I can't cope"],["Go for a walk","Music","Call Ana"]],"most_important":"My dog","reasons":["My sister"],"likely":"Likely"}}`,
			wantStatus: 200, wantContains: []string{`"version":3`, `"based_on":1`, `"merged":true`, `Call Ana`}},
		{name: "PlanCurrent", who: "sam", method: "GET", path: "/api/v1/me/safety-plan", wantStatus: 200,
			wantContains: []string{`"exists":true`, `"version":3`, `"merged":true`, `"most_important":"My dog"`}},
		{name: "PlanVersions", who: "sam", method: "GET", path: "/api/v1/me/safety-plan/versions", wantStatus: 200,
			wantCount: map[string]int{`"exists":true`: 3}, wantContains: []string{`{"exists":true,"person_id":"{sam}","version":3`}},
		{name: "ErrInvalid/PlanUnknownField", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body: `{"based_on":3,"content":{"most_important":"x"},"colour":"red"}`, wantStatus: 400, wantContains: []string{`Unknown field \"colour\"`}},
		{name: "ErrInvalid/PlanUnknownContentField", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body: `{"based_on":3,"content":{"most_important":"x","mood":"low"}}`, wantStatus: 400, wantContains: []string{`Unknown field \"mood\"`}},
		{name: "ErrInvalid/PlanWithoutBasedOn", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body: `{"content":{"most_important":"x"}}`, wantStatus: 400, wantContains: []string{"based_on"}},
		{name: "ErrInvalid/PlanSevenSteps", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body: `{"based_on":3,"content":{"steps":[[],[],[],[],[],[],["x"]]}}`, wantStatus: 400, wantContains: []string{"6 steps"}},
		{name: "ErrInvalid/PlanEmpty", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan", body: `{"based_on":3,"content":{}}`, wantStatus: 400},
		{name: "ErrInvalid/PlanFutureVersion", who: "sam", method: "PUT", path: "/api/v1/me/safety-plan",
			body: `{"based_on":9,"content":{"most_important":"x"}}`, wantStatus: 400, wantContains: []string{"does not exist"}},
		{name: "ErrForbidden/NarrowTokenCannotReadPlan", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/safety-plan", wantStatus: 403,
			wantNotContains: []string{"My dog", "exists"}},
		{name: "ErrForbidden/NarrowTokenCannotReadVersions", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/safety-plan/versions", wantStatus: 403,
			wantNotContains: []string{"My dog"}},
		{name: "ErrForbidden/NarrowTokenCannotSavePlan", who: "bearer:{narrow}", method: "PUT", path: "/api/v1/me/safety-plan",
			body: `{"based_on":3,"content":{"most_important":"x"}}`, wantStatus: 403},
		{name: "ErrNotFound/StaffHaveNoOwnPlan", who: "lee@example.org", method: "GET", path: "/api/v1/me/safety-plan", wantStatus: 404},
		{name: "ErrNotFound/StaffHaveNoOwnVersions", who: "lee@example.org", method: "GET", path: "/api/v1/me/safety-plan/versions", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousPlan", method: "GET", path: "/api/v1/me/safety-plan", wantStatus: 401, wantNotContains: []string{"My dog"}},
		{name: "ErrUnauthorized/AnonymousSavePlan", method: "PUT", path: "/api/v1/me/safety-plan", body: `{"based_on":3,"content":{"most_important":"x"}}`, wantStatus: 401},

		// A person's plan as staff see it, per the person's sharing.
		{name: "TherapistSeesPlan", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/safety-plan", wantStatus: 200,
			wantContains: []string{`"exists":true`, `"version":3`, `"most_important":"My dog"`}},
		{name: "RileyPlanNoneYet", who: "kim@example.org", method: "GET", path: "/api/v1/people/{riley}/safety-plan", wantStatus: 200, wantContains: []string{`"exists":false`}},
		{name: "ErrNotFound/StrangerClinicianPlan", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/safety-plan", wantStatus: 404,
			wantNotContains: []string{"My dog", "exists"}},
		{name: "ErrNotFound/AnotherPersonsPlan", who: "riley", method: "GET", path: "/api/v1/people/{sam}/safety-plan", wantStatus: 404, wantNotContains: []string{"My dog"}},
		// Policy: admins know who is on a care team but never see clinical data (403, not 404).
		{name: "ErrForbidden/AdminPlan", who: "admin@example.org", method: "GET", path: "/api/v1/people/{sam}/safety-plan", wantStatus: 403, wantNotContains: []string{"My dog"}},
		{name: "ErrNotFound/MalformedPlanID", who: "lee@example.org", method: "GET", path: "/api/v1/people/not-an-id/safety-plan", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousPersonPlan", method: "GET", path: "/api/v1/people/{sam}/safety-plan", wantStatus: 401},

		// "Ask my care team to contact me".
		{name: "ContactRequest", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", key: "req-1", capture: "task",
			body: `{"how":"call","recorded_at":"2026-03-02T08:58:00Z"}`, wantStatus: 201,
			wantContains: []string{`"route":"care_team"`, `"routed":true`, `"added":true`, `"next_read_at"`}},
		{name: "ContactRequestRetryAddsNothing", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", key: "req-1",
			body: `{"how":"call","recorded_at":"2026-03-02T08:58:00Z"}`, wantStatus: 200, wantContains: []string{`"task_id":"{task}"`, `"added":false`}},
		{name: "ContactRequestSecond", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", key: "req-2",
			body: `{"how":"text"}`, wantStatus: 201, wantContains: []string{`"task_id":"{task}"`, `"added":true`}},
		{name: "ErrInvalid/ContactWithoutKey", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", body: `{"how":"call"}`, wantStatus: 400,
			wantContains: []string{"Idempotency-Key"}},
		{name: "ErrInvalid/ContactUnknownField", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", key: "req-3",
			body: `{"how":"call","phone":"07700900123"}`, wantStatus: 400, wantContains: []string{`Unknown field \"phone\"`}},
		{name: "ErrInvalid/ContactUnknownMethod", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", key: "req-4", body: `{"how":"email"}`, wantStatus: 400},
		{name: "ErrInvalid/ContactBadRecordedAt", who: "sam", method: "POST", path: "/api/v1/me/contact-requests", key: "req-5",
			body: `{"how":"call","recorded_at":"yesterday"}`, wantStatus: 400, wantContains: []string{"recorded_at"}},
		{name: "ErrConflict/ContactBeforeNotice", who: "alex", method: "POST", path: "/api/v1/me/contact-requests", key: "req-1", body: `{"how":"call"}`, wantStatus: 409},
		{name: "ErrForbidden/NarrowTokenContact", who: "bearer:{narrow}", method: "POST", path: "/api/v1/me/contact-requests", key: "req-6", body: `{"how":"call"}`, wantStatus: 403},
		{name: "ErrNotFound/StaffContact", who: "lee@example.org", method: "POST", path: "/api/v1/me/contact-requests", key: "req-1", body: `{"how":"call"}`, wantStatus: 404},
		{name: "ContactNoticeRead", who: "alex", method: "POST", path: "/api/v1/me/contact-requests/notice", wantStatus: 204},
		{name: "ContactNoticeReadAgain", who: "alex", method: "POST", path: "/api/v1/me/contact-requests/notice", wantStatus: 204},
		{name: "ErrNotFound/StaffContactNotice", who: "lee@example.org", method: "POST", path: "/api/v1/me/contact-requests/notice", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousContactNotice", method: "POST", path: "/api/v1/me/contact-requests/notice", wantStatus: 401},
		{name: "SafetyPrompts", who: "sam", method: "GET", path: "/api/v1/me/safety-prompts", wantStatus: 200,
			wantContains: []string{`"urge_to_die_level":4`, `"kind":"act","response":"task_now","service_response":"task_now"`, `"kind":"contact_request"`}},
		{name: "ErrNotFound/StaffSafetyPrompts", who: "lee@example.org", method: "GET", path: "/api/v1/me/safety-prompts", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousSafetyPrompts", method: "GET", path: "/api/v1/me/safety-prompts", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousContact", method: "POST", path: "/api/v1/me/contact-requests", key: "req-1", body: `{"how":"call"}`, wantStatus: 401},

		// The staff inbox: metadata only. Three calls, two entries.
		{name: "TherapistInbox", who: "lee@example.org", method: "GET", path: "/api/v1/tasks", wantStatus: 200,
			wantContains: []string{`"id":"{task}"`, `"username":"sam"`, `"state":"open"`, `"route":"care_team"`, `"recipient":true`,
				`"kind":"contact_request","how":"call","recorded_at":"2026-03-02T08:58:00Z"`, `"how":"text"`},
			wantCount: map[string]int{`"kind":"contact_request"`: 2}, wantNotContains: []string{"note"}},
		{name: "OtherTeamInbox", who: "kim@example.org", method: "GET", path: "/api/v1/tasks", wantStatus: 200,
			wantContains: []string{`"tasks":[]`}, wantNotContains: []string{"sam"}},
		{name: "ErrNotFound/PeopleHaveNoInbox", who: "sam", method: "GET", path: "/api/v1/tasks", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousInbox", method: "GET", path: "/api/v1/tasks", wantStatus: 401},
		{name: "LeadTeamTasks", who: "morgan@example.org", method: "GET", path: "/api/v1/team-tasks", wantStatus: 200,
			wantContains: []string{`"id":"{task}"`, `"username":"sam"`, `"recipient":false`}, wantNotContains: []string{"note"}},
		{name: "TherapistCaseloadWithTask", who: "lee@example.org", method: "GET", path: "/api/v1/caseload", wantStatus: 200,
			wantContains: []string{`"open_task":{"id":"{task}","state":"open"`, `"homework_open":`}},
		{name: "ErrNotFound/TeamTasksNotALead", who: "lee@example.org", method: "GET", path: "/api/v1/team-tasks", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousTeamTasks", method: "GET", path: "/api/v1/team-tasks", wantStatus: 401},

		// Acknowledge and resolve.
		{name: "ErrNotFound/StrangerAcknowledges", who: "kim@example.org", method: "POST", path: "/api/v1/tasks/{task}/acknowledge", wantStatus: 404},
		{name: "ErrNotFound/PersonAcknowledges", who: "sam", method: "POST", path: "/api/v1/tasks/{task}/acknowledge", wantStatus: 404},
		{name: "ErrNotFound/UnknownTask", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/not-an-id/acknowledge", wantStatus: 404},
		{name: "Acknowledge", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/acknowledge", wantStatus: 204},
		{name: "ErrConflict/AcknowledgeTwice", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/acknowledge", wantStatus: 409},
		{name: "InboxAcknowledged", who: "lee@example.org", method: "GET", path: "/api/v1/tasks", wantStatus: 200,
			wantContains: []string{`"state":"acknowledged"`, `"acknowledged_at":"2026-03-02T09:02:00Z"`}},
		{name: "ErrUnauthorized/AnonymousAcknowledge", method: "POST", path: "/api/v1/tasks/{task}/acknowledge", wantStatus: 401},
		{name: "ErrInvalid/ResolveWithoutNote", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/resolve", body: `{"note":"  "}`, wantStatus: 400,
			wantContains: []string{"note"}},
		{name: "ErrInvalid/ResolveUnknownField", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/resolve", body: `{"note":"Called","outcome":"ok"}`, wantStatus: 400,
			wantContains: []string{`Unknown field \"outcome\"`}},
		{name: "ErrNotFound/StrangerResolves", who: "kim@example.org", method: "POST", path: "/api/v1/tasks/{task}/resolve", body: `{"note":"Called"}`, wantStatus: 404},
		{name: "Resolve", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/resolve", body: `{"note":"Called sam, agreed a plan."}`, wantStatus: 204},
		{name: "ErrConflict/ResolveTwice", who: "lee@example.org", method: "POST", path: "/api/v1/tasks/{task}/resolve", body: `{"note":"Again"}`, wantStatus: 409},
		{name: "InboxAfterResolve", who: "lee@example.org", method: "GET", path: "/api/v1/tasks", wantStatus: 200,
			wantContains: []string{`"tasks":[]`}, wantNotContains: []string{"Called sam"}},

		// The coping toolbox: the person's own; staff read a log only on
		// the person's page (web). A retried use with the same key is
		// stored once.
		{name: "ToolboxActivities", who: "sam", method: "GET", path: "/api/v1/me/toolbox/activities", wantStatus: 200,
			wantContains: []string{`"caution_accepted":false`, `"id":"breathe.paced","kind":"breathe","source":"starter","message_id":"toolbox.activity.breathe.paced","caution":false,"hidden":false,"pinned":false,"pickable":true`,
				`"id":"move.walk_dance","kind":"move","source":"starter","message_id":"toolbox.activity.move.walk_dance","caution":true,"hidden":false,"pinned":false,"pickable":false`}},
		{name: "ErrNotFound/StaffToolbox", who: "lee@example.org", method: "GET", path: "/api/v1/me/toolbox/activities", wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenToolbox", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/toolbox/activities", wantStatus: 403},
		{name: "ErrUnauthorized/AnonymousToolbox", method: "GET", path: "/api/v1/me/toolbox/activities", wantStatus: 401},
		{name: "ToolboxUse", who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-1",
			body:       `{"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false,"recorded_at":"2026-03-02T08:50:00Z"}`,
			wantStatus: 201, wantContains: []string{`"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false,"recorded_at":"2026-03-02T08:50:00Z"`}},
		{name: "ToolboxUseRetryStoresNothing", who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-1",
			body:       `{"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":2,"helpful":true}`,
			wantStatus: 200, wantContains: []string{`"urge_after":8`}},
		{name: "ToolboxUses", who: "sam", method: "GET", path: "/api/v1/me/toolbox/uses", wantStatus: 200,
			wantCount: map[string]int{`"question":"urge"`: 1}, wantContains: []string{`"recorded_at":"2026-03-02T08:50:00Z"`}},
		{name: "ErrInvalid/ToolboxUseWithoutKey", who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses",
			body: `{"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false}`, wantStatus: 400},
		{name: "ErrInvalid/ToolboxUseWithoutRating", who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-2",
			body: `{"question":"urge","activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false}`, wantStatus: 400},
		{name: "ErrInvalid/ToolboxUseUnknownActivity", who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-3",
			body: `{"question":"urge","urge_before":8,"activity_id":"rubber.band","minutes":5,"urge_after":8,"helpful":false}`, wantStatus: 400},
		{name: "ErrInvalid/ToolboxUseUnknownField", who: "sam", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-4",
			body: `{"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false,"score":3}`, wantStatus: 400},
		{name: "ErrNotFound/StaffToolboxUses", who: "lee@example.org", method: "GET", path: "/api/v1/me/toolbox/uses", wantStatus: 404},
		{name: "ErrNotFound/StaffLogsToolboxUse", who: "lee@example.org", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-5",
			body: `{"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false}`, wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenToolboxUse", who: "bearer:{narrow}", method: "POST", path: "/api/v1/me/toolbox/uses", key: "tb-6",
			body: `{"question":"urge","urge_before":8,"activity_id":"breathe.paced","minutes":5,"urge_after":8,"helpful":false}`, wantStatus: 403},
		{name: "ErrUnauthorized/AnonymousToolboxUses", method: "GET", path: "/api/v1/me/toolbox/uses", wantStatus: 401},

		// The skills library: any signed-in account; q filters by words in
		// the service's language; TIPP carries its caution word for word.
		{name: "SkillsLibrary", who: "sam", method: "GET", path: "/api/v1/skills", wantStatus: 200,
			wantContains: []string{`"id":"dear_man"`, `"acronym":"DEAR MAN"`, `"modalities":["DBT-A"]`, `"caution":"Very cold water slows the heart quickly;`}},
		{name: "SkillsSearchByAcronym", who: "lee@example.org", method: "GET", path: "/api/v1/skills?q=dear+man", wantStatus: 200,
			wantContains: []string{`"id":"dear_man"`}, wantCount: map[string]int{`"id":`: 1}},
		{name: "ErrInvalid/SkillsQueryTooLong", who: "sam", method: "GET", path: "/api/v1/skills?q=" + strings.Repeat("a", 201), wantStatus: 400},
		{name: "ErrUnauthorized/AnonymousSkills", method: "GET", path: "/api/v1/skills", wantStatus: 401},

		// Homework: the person's own; a retried practice log adds nothing.
		{name: "HomeworkPractice", who: "sam", method: "POST", path: "/api/v1/me/homework/{homework}/practice", key: "hw-1",
			body: `{"helpful":"yes","note":"Paced breathing helped"}`, wantStatus: 201, wantContains: []string{`"added":true`}},
		{name: "HomeworkPracticeRetryAddsNothing", who: "sam", method: "POST", path: "/api/v1/me/homework/{homework}/practice", key: "hw-1",
			body: `{"helpful":"yes","note":"Paced breathing helped"}`, wantStatus: 200, wantContains: []string{`"added":false`}},
		{name: "Homework", who: "sam", method: "GET", path: "/api/v1/me/homework", wantStatus: 200,
			wantContains: []string{`"id":"{homework}"`, `"skill_id":"tipp"`, `"per_week":3`, `"note":"Try it after school"`, `"assigned_by_name":"Lee"`,
				`"helpful":"yes","note":"Paced breathing helped"`},
			wantCount: map[string]int{`"recorded_at"`: 1}},
		{name: "OtherPersonHasNoHomework", who: "riley", method: "GET", path: "/api/v1/me/homework", wantStatus: 200,
			wantContains: []string{`"homework":[]`}, wantNotContains: []string{"after school", "Paced"}},
		{name: "ErrNotFound/OtherPersonLogsPractice", who: "riley", method: "POST", path: "/api/v1/me/homework/{homework}/practice", key: "hw-2",
			body: `{"helpful":"no"}`, wantStatus: 404},
		{name: "ErrNotFound/StaffHaveNoHomework", who: "lee@example.org", method: "GET", path: "/api/v1/me/homework", wantStatus: 404},
		{name: "ErrInvalid/PracticeWithoutKey", who: "sam", method: "POST", path: "/api/v1/me/homework/{homework}/practice", body: `{"helpful":"yes"}`, wantStatus: 400},
		{name: "ErrInvalid/PracticeBadHelpful", who: "sam", method: "POST", path: "/api/v1/me/homework/{homework}/practice", key: "hw-3",
			body: `{"helpful":"maybe"}`, wantStatus: 400},
		{name: "ErrForbidden/NarrowTokenHomework", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/homework", wantStatus: 403},
		{name: "ErrUnauthorized/AnonymousHomework", method: "GET", path: "/api/v1/me/homework", wantStatus: 401},

		// What the route table does not serve.
		{name: "ErrNotFound/UnknownPath", who: "sam", method: "GET", path: "/api/v1/diary", wantStatus: 404, notInSpec: true,
			wantContains: []string{`"type":"about:blank"`, `"title":"Not Found"`, `"status":404`}},
		// The journal: the person's own, with who can read it; a care-team
		// member reads a shared journal on the staff pages, never /me.
		{name: "JournalList", who: "sam", method: "GET", path: "/api/v1/me/journal", wantStatus: 200,
			// Sam shared the journal with Lee (see) in a row above.
			wantContains: []string{`"readers":[{"name":"Lee","role":"therapist"}]`, `"id":"{entry}"`, "A quiet evening with my cat"}},
		{name: "JournalCreate", who: "sam", method: "POST", path: "/api/v1/me/journal", key: "journal-1", body: `{"text":"Written through the API"}`, wantStatus: 201,
			wantContains: []string{`"revision":1`, "Written through the API", `"merged":false`}},
		{name: "JournalCreateRetryAddsNothing", who: "sam", method: "POST", path: "/api/v1/me/journal", key: "journal-1", body: `{"text":"Written through the API"}`, wantStatus: 200,
			wantContains: []string{`"revision":1`, "Written through the API"}},
		{name: "JournalListAfterRetry", who: "sam", method: "GET", path: "/api/v1/me/journal", wantStatus: 200,
			wantCount: map[string]int{"Written through the API": 1}},
		{name: "JournalShow", who: "sam", method: "GET", path: "/api/v1/me/journal/{entry}", wantStatus: 200,
			wantContains: []string{"A quiet evening with my cat", `"prompt_id":null`}},
		{name: "JournalSave", who: "sam", method: "PUT", path: "/api/v1/me/journal/{entry}", body: `{"based_on":1,"text":"A quiet evening with my cat, and a film"}`, wantStatus: 200,
			wantContains: []string{`"revision":2`, `"merged":false`}},
		{name: "JournalSaveFromOldRevisionKeepsBoth", who: "sam", method: "PUT", path: "/api/v1/me/journal/{entry}", body: `{"based_on":1,"text":"Written on my phone"}`, wantStatus: 200,
			wantContains: []string{`"revision":3`, `"merged":true`, "and a film", "Written on my phone"}},
		{name: "ErrInvalid/JournalCreateWithoutKey", who: "sam", method: "POST", path: "/api/v1/me/journal", body: `{"text":"x"}`, wantStatus: 400},
		{name: "ErrInvalid/JournalCreateEmpty", who: "sam", method: "POST", path: "/api/v1/me/journal", key: "journal-2", body: `{"text":" "}`, wantStatus: 400},
		{name: "ErrInvalid/JournalSaveWithoutBasedOn", who: "sam", method: "PUT", path: "/api/v1/me/journal/{entry}", body: `{"text":"x"}`, wantStatus: 400},
		{name: "ErrInvalid/JournalUnknownField", who: "sam", method: "PUT", path: "/api/v1/me/journal/{entry}", body: `{"based_on":3,"text":"x","mood":5}`, wantStatus: 400},
		{name: "ErrNotFound/JournalPutCreatesNothing", who: "sam", method: "PUT", path: "/api/v1/me/journal/{no-entry}", body: `{"based_on":1,"text":"x"}`, wantStatus: 404},
		{name: "ErrNotFound/AnotherPersonsEntry", who: "riley", method: "GET", path: "/api/v1/me/journal/{entry}", wantStatus: 404, wantNotContains: []string{"quiet evening"}},
		{name: "ErrNotFound/AnotherPersonSavesEntry", who: "riley", method: "PUT", path: "/api/v1/me/journal/{entry}", body: `{"based_on":3,"text":"x"}`, wantStatus: 404},
		{name: "ErrNotFound/StaffHaveNoOwnJournal", who: "lee@example.org", method: "GET", path: "/api/v1/me/journal", wantStatus: 404, wantNotContains: []string{"quiet evening"}},
		{name: "ErrNotFound/StaffEntry", who: "lee@example.org", method: "GET", path: "/api/v1/me/journal/{entry}", wantStatus: 404, wantNotContains: []string{"quiet evening"}},
		{name: "ErrForbidden/NarrowTokenCannotReadJournal", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/journal", wantStatus: 403, wantNotContains: []string{"quiet evening"}},
		{name: "ErrUnauthorized/AnonymousJournal", method: "GET", path: "/api/v1/me/journal", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousJournalCreate", method: "POST", path: "/api/v1/me/journal", key: "journal-3", body: `{"text":"x"}`, wantStatus: 401},

		// Chain analyses: the person's own, and a care-team member's with
		// sam's "see and edit" grant (Lee); opened by staff only, never
		// pushed to the person.
		{name: "ChainListPerson", who: "sam", method: "GET", path: "/api/v1/me/chains", wantStatus: 200,
			wantContains: []string{`"id":"{chain}"`, `"day":"2026-03-01"`, `"target_id":"a.self_harm"`, `"state":"draft"`, `"opened_by_name":"Lee"`, `"completed_at":null`}},
		{name: "ChainShowPerson", who: "sam", method: "GET", path: "/api/v1/me/chains/{chain}", wantStatus: 200, wantContains: []string{`"revision":1`}},
		{name: "ChainSavePerson", who: "sam", method: "PUT", path: "/api/v1/me/chains/{chain}",
			body: `{"based_on":1,"content":{"prompting":"A message from school","links":[{"id":"","type":"thought","text":"Nobody cares"}]}}`, wantStatus: 200,
			wantContains: []string{`"revision":2`, `"merged":false`, "A message from school", `"type":"thought"`}},
		{name: "ChainSaveStaffFromOldRevisionKeepsBoth", who: "lee@example.org", method: "PUT", path: "/api/v1/people/{sam}/chains/{chain}",
			body: `{"based_on":1,"content":{"prompting":"An argument at home"}}`, wantStatus: 200,
			wantContains: []string{`"revision":3`, `"merged":true`, "A message from school", "An argument at home", "Nobody cares"}},
		{name: "PersonChainList", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/chains", wantStatus: 200, wantContains: []string{`"id":"{chain}"`, "An argument at home"}},
		{name: "PersonChainShow", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/chains/{chain}", wantStatus: 200, wantContains: []string{`"revision":3`}},
		{name: "PersonChainOpen", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/chains", key: "chain-1", body: `{"day":"2026-03-02","target_id":"a.self_harm"}`,
			wantStatus: 201, wantContains: []string{`"day":"2026-03-02"`, `"revision":1`}},
		{name: "PersonChainOpenRetryOpensNothing", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/chains", key: "chain-1", body: `{"day":"2026-03-02","target_id":"a.self_harm"}`,
			wantStatus: 200, wantContains: []string{`"day":"2026-03-02"`}},
		{name: "ChainListAfterRetry", who: "sam", method: "GET", path: "/api/v1/me/chains", wantStatus: 200, wantCount: map[string]int{`"day":"2026-03-02"`: 1}},
		{name: "ChainCompletePerson", who: "sam", method: "PUT", path: "/api/v1/me/chains/{chain}", body: `{"based_on":3,"state":"complete"}`, wantStatus: 200,
			wantContains: []string{`"state":"complete"`, `"revision":4`}},
		{name: "ErrConflict/ChainSaveWhenComplete", who: "lee@example.org", method: "PUT", path: "/api/v1/people/{sam}/chains/{chain}", body: `{"based_on":4,"content":{"repair":"x"}}`, wantStatus: 409},
		{name: "ChainReopenStaff", who: "lee@example.org", method: "PUT", path: "/api/v1/people/{sam}/chains/{chain}", body: `{"based_on":4,"state":"draft"}`, wantStatus: 200,
			wantContains: []string{`"state":"draft"`, `"completed_at":null`}},
		{name: "ErrForbidden/PersonDoesNotOpenChain", who: "sam", method: "POST", path: "/api/v1/people/{sam}/chains", key: "chain-2", body: `{"day":"2026-03-02","target_id":"a.self_harm"}`, wantStatus: 403},
		{name: "ErrForbidden/PrescriberNotSharedChains", who: "priya@example.org", method: "GET", path: "/api/v1/people/{sam}/chains", wantStatus: 403, wantNotContains: []string{"argument"}},
		{name: "ErrForbidden/PrescriberOpensChain", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/chains", key: "chain-3", body: `{"day":"2026-03-02","target_id":"a.self_harm"}`, wantStatus: 403},
		{name: "ErrNotFound/KimChains", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/chains", wantStatus: 404, wantNotContains: []string{"argument"}},
		{name: "ErrNotFound/KimShowsChain", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/chains/{chain}", wantStatus: 404, wantNotContains: []string{"argument"}},
		{name: "ErrNotFound/KimSavesChain", who: "kim@example.org", method: "PUT", path: "/api/v1/people/{sam}/chains/{chain}", body: `{"based_on":5,"content":{"repair":"x"}}`, wantStatus: 404},
		{name: "ErrNotFound/AnotherPersonsChain", who: "riley", method: "GET", path: "/api/v1/me/chains/{chain}", wantStatus: 404, wantNotContains: []string{"argument"}},
		{name: "ErrNotFound/StaffHaveNoOwnChains", who: "lee@example.org", method: "GET", path: "/api/v1/me/chains", wantStatus: 404},
		{name: "ErrNotFound/ChainPutOpensNothing", who: "sam", method: "PUT", path: "/api/v1/me/chains/{no-entry}", body: `{"based_on":1,"content":{}}`, wantStatus: 404},
		{name: "ErrInvalid/ChainOpenWithoutKey", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/chains", body: `{"day":"2026-03-02","target_id":"a.self_harm"}`, wantStatus: 400},
		{name: "ErrInvalid/ChainOpenBadDay", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/chains", key: "chain-4", body: `{"day":"yesterday","target_id":"a.self_harm"}`, wantStatus: 400},
		{name: "ErrInvalid/ChainSaveWithoutBasedOn", who: "sam", method: "PUT", path: "/api/v1/me/chains/{chain}", body: `{"content":{}}`, wantStatus: 400},
		{name: "ErrInvalid/ChainLinkType", who: "sam", method: "PUT", path: "/api/v1/me/chains/{chain}", body: `{"based_on":5,"content":{"links":[{"id":"","type":"method","text":"x"}]}}`, wantStatus: 400},
		{name: "ErrUnauthorized/AnonymousChains", method: "GET", path: "/api/v1/me/chains", wantStatus: 401},

		// The hope box: the person's alone, never shared.
		{name: "HopeBox", who: "sam", method: "GET", path: "/api/v1/me/hope-box", wantStatus: 200,
			wantContains: []string{"My sister's laugh", `"photos":[]`}},
		{name: "HopeBoxOfAnotherPersonIsTheirOwn", who: "riley", method: "GET", path: "/api/v1/me/hope-box", wantStatus: 200,
			wantContains: []string{`"words":[]`}, wantNotContains: []string{"sister"}},
		{name: "ErrNotFound/StaffHaveNoHopeBox", who: "lee@example.org", method: "GET", path: "/api/v1/me/hope-box", wantStatus: 404, wantNotContains: []string{"sister"}},
		{name: "ErrForbidden/NarrowTokenCannotReadHopeBox", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/hope-box", wantStatus: 403, wantNotContains: []string{"sister"}},
		{name: "ErrUnauthorized/AnonymousHopeBox", method: "GET", path: "/api/v1/me/hope-box", wantStatus: 401},

		// Clinician notes: therapist, prescriber and care coordinator only;
		// never the group facilitator, never the person.
		{name: "PrescriberReadsNotes", who: "priya@example.org", method: "GET", path: "/api/v1/people/{sam}/notes", wantStatus: 200,
			wantContains: []string{`"id":"{note}"`, `"kind":"note"`, "Agreed a plan for the holidays", `"writer_name":"Lee"`, `"session_id":null`, `"earlier":[]`}},
		{name: "ErrForbidden/FacilitatorReadsNoNotes", who: "jo@example.org", method: "GET", path: "/api/v1/people/{sam}/notes", wantStatus: 403, wantNotContains: []string{"holidays"}},
		{name: "ErrNotFound/PersonNeverReadsNotes", who: "sam", method: "GET", path: "/api/v1/people/{sam}/notes", wantStatus: 404, wantNotContains: []string{"holidays"}},
		{name: "ErrNotFound/StrangerReadsNoNotes", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/notes", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousNotes", method: "GET", path: "/api/v1/people/{sam}/notes", wantStatus: 401},
		{name: "TherapistWritesFormulation", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/notes",
			body: `{"kind":"safety_formulation","text":"Evenings alone are hardest; calling her sister helps."}`, wantStatus: 201,
			wantContains: []string{`"kind":"safety_formulation"`, `"version":1`}},
		{name: "PrescriberCorrectsNote", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/notes",
			body: `{"corrects":"{note}","text":"Agreed a plan for the holidays and the new term"}`, wantStatus: 201,
			wantContains: []string{`"id":"{note}"`, `"version":2`, "the new term"}},
		{name: "NoteHistoryKept", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/notes", wantStatus: 200,
			wantContains: []string{"the new term", `"earlier":[{"version":1,"text":"Agreed a plan for the holidays"`}},
		{name: "ErrInvalid/NoteKindOffTheList", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/notes", body: `{"kind":"risk_level","text":"x"}`, wantStatus: 400},
		{name: "ErrInvalid/NoteRating", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/notes", body: `{"kind":"safety_formulation","text":"x","rating":3}`, wantStatus: 400,
			wantContains: []string{`Unknown field \"rating\"`}},
		{name: "ErrForbidden/FacilitatorWritesNoNote", who: "jo@example.org", method: "POST", path: "/api/v1/people/{sam}/notes", body: `{"kind":"note","text":"x"}`, wantStatus: 403},
		{name: "ErrNotFound/PersonWritesNoNote", who: "sam", method: "POST", path: "/api/v1/people/{sam}/notes", body: `{"kind":"note","text":"x"}`, wantStatus: 404},

		// The medication list: the prescriber keeps it; therapist,
		// coordinator and the person read it.
		{name: "PersonMedication", who: "sam", method: "GET", path: "/api/v1/me/medication", wantStatus: 200,
			wantContains: []string{`"id":"{med}"`, `"name":"Sertraline"`, `"stopped_on":null`}, wantNotContains: []string{"holidays"}},
		{name: "ErrNotFound/StaffHaveNoOwnMedication", who: "lee@example.org", method: "GET", path: "/api/v1/me/medication", wantStatus: 404},
		{name: "TherapistReadsMedication", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/medication", wantStatus: 200, wantContains: []string{"Sertraline"}},
		{name: "ErrForbidden/FacilitatorReadsNoMedication", who: "jo@example.org", method: "GET", path: "/api/v1/people/{sam}/medication", wantStatus: 403, wantNotContains: []string{"Sertraline"}},
		{name: "ErrNotFound/StrangerReadsNoMedication", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/medication", wantStatus: 404},
		{name: "PrescriberAddsMedication", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication",
			body: `{"id":"{new-med}","name":"Melatonin","dose":"2 mg","schedule":"At bedtime","as_needed":true,"started_on":"2025-11-03"}`, wantStatus: 201,
			wantContains: []string{`"id":"{new-med}"`, `"as_needed":true`, `"added":true`}},
		{name: "PrescriberAddRetryAddsNothing", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication",
			body: `{"id":"{new-med}","name":"Melatonin","dose":"2 mg","schedule":"At bedtime","as_needed":true,"started_on":"2025-11-03"}`, wantStatus: 200,
			wantContains: []string{`"added":false`}},
		{name: "ErrInvalid/MedicationWithoutDose", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication",
			body: `{"name":"Melatonin","schedule":"At bedtime","started_on":"2025-11-03"}`, wantStatus: 400, wantContains: []string{"dose"}},
		{name: "ErrForbidden/TherapistAddsNoMedication", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/medication",
			body: `{"name":"Melatonin","dose":"2 mg","schedule":"At bedtime","started_on":"2025-11-03"}`, wantStatus: 403},
		{name: "PrescriberStopsMedication", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication/{new-med}/stop",
			body: `{"stopped_on":"2026-01-12"}`, wantStatus: 200, wantContains: []string{`"stopped_on":"2026-01-12"`, `"name":"Melatonin"`}},
		{name: "StoppedMedicationStaysListed", who: "sam", method: "GET", path: "/api/v1/me/medication", wantStatus: 200,
			wantContains: []string{`"name":"Melatonin"`, `"stopped_on":"2026-01-12"`}, wantCount: map[string]int{`"name":"Melatonin"`: 1}},
		{name: "ErrNotFound/StopUnknownMedication", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication/{no-entry}/stop", wantStatus: 404},
		{name: "ErrForbidden/TherapistStopsNoMedication", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/medication/{med}/stop", wantStatus: 403},
		{name: "ErrInvalid/StopBeforeStart", who: "priya@example.org", method: "POST", path: "/api/v1/people/{sam}/medication/{med}/stop",
			body: `{"stopped_on":"2020-01-01"}`, wantStatus: 400},

		// Support groups: the facilitator runs them and records attendance.
		{name: "FacilitatorGroups", who: "jo@example.org", method: "GET", path: "/api/v1/groups", wantStatus: 200,
			wantContains: []string{`"id":"{group}"`, `"name":"Tuesday skills group"`, `"kind":"DBT skills group"`}},
		{name: "OtherClinicianRunsNoGroups", who: "lee@example.org", method: "GET", path: "/api/v1/groups", wantStatus: 200, wantContains: []string{`"groups":[]`}},
		{name: "ErrNotFound/PeopleRunNoGroups", who: "sam", method: "GET", path: "/api/v1/groups", wantStatus: 404},
		{name: "ErrForbidden/AdminRunsNoGroups", who: "admin@example.org", method: "GET", path: "/api/v1/groups", wantStatus: 403},
		{name: "FacilitatorRecordsAttendance", who: "jo@example.org", method: "POST", path: "/api/v1/groups/{group}/attendance", key: "attendance-1",
			body: `{"held_on":"2026-03-03","attendance":[{"person_id":"{sam}","status":"attended"}]}`, wantStatus: 201, wantContains: []string{`"added":true`}},
		{name: "AttendanceRetryWritesNothing", who: "jo@example.org", method: "POST", path: "/api/v1/groups/{group}/attendance", key: "attendance-1",
			body: `{"held_on":"2026-03-03","attendance":[{"person_id":"{sam}","status":"absent"}]}`, wantStatus: 200, wantContains: []string{`"added":false`}},
		{name: "ErrInvalid/AttendanceWithoutKey", who: "jo@example.org", method: "POST", path: "/api/v1/groups/{group}/attendance",
			body: `{"held_on":"2026-03-03","attendance":[{"person_id":"{sam}","status":"attended"}]}`, wantStatus: 400, wantContains: []string{"Idempotency-Key"}},
		{name: "ErrInvalid/AttendanceStatusOffTheList", who: "jo@example.org", method: "POST", path: "/api/v1/groups/{group}/attendance", key: "attendance-2",
			body: `{"held_on":"2026-03-10","attendance":[{"person_id":"{sam}","status":"late"}]}`, wantStatus: 400},
		{name: "ErrNotFound/AnotherClinician'sGroup", who: "lee@example.org", method: "POST", path: "/api/v1/groups/{group}/attendance", key: "attendance-3",
			body: `{"held_on":"2026-03-03","attendance":[{"person_id":"{sam}","status":"attended"}]}`, wantStatus: 404},

		// Episodes of care, sessions and incidents: the care team's (Kim is
		// riley's therapist; the clock reads 2026-03-02). The person sees
		// their own episodes and sessions, never the incidents.
		{name: "EpisodesNoneYet", who: "kim@example.org", method: "GET", path: "/api/v1/people/{riley}/episodes", wantStatus: 200, wantContains: []string{`"episodes":[]`}},
		{name: "ErrInvalid/ModalityOffTheList", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"refer","date":"2026-02-20","source":"self","modality":"EMDR"}`, wantStatus: 400, wantContains: []string{"modality"}},
		{name: "EpisodeRefer", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"refer","date":"2026-02-20","source":"primary_care","modality":"DBT"}`, wantStatus: 201,
			wantContains: []string{`"state":"referred"`, `"decision":"pending"`, `"modality":"DBT"`}},
		{name: "ErrConflict/SecondOpenEpisode", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"refer","date":"2026-02-21","source":"self","modality":"CBT"}`, wantStatus: 409},
		{name: "ErrInvalid/DecisionInTheFuture", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"decide","accepted":true,"date":"2026-03-09"}`, wantStatus: 400, wantContains: []string{"future"}},
		{name: "EpisodeAccept", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"decide","accepted":true,"date":"2026-02-25"}`, wantStatus: 200, wantContains: []string{`"state":"accepted"`, `"decided_on":"2026-02-25"`}},
		{name: "EpisodeStart", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"start","date":"2026-03-01"}`, wantStatus: 200, wantContains: []string{`"state":"in_treatment"`, `"started_on":"2026-03-01"`}},
		{name: "ErrInvalid/UnknownStep", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes", body: `{"step":"transfer"}`, wantStatus: 400},
		{name: "ErrNotFound/StrangerRecordsReferral", who: "lee@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"refer","date":"2026-02-20","source":"self","modality":"DBT"}`, wantStatus: 404},
		{name: "SessionCreate", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/sessions", key: "session-1",
			body: `{"held_on":"2026-03-02","kind":"individual","attendance":"attended"}`, wantStatus: 201, wantContains: []string{`"added":true`, `"attendance":"attended"`}},
		{name: "SessionCreateRetryAddsNothing", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/sessions", key: "session-1",
			body: `{"held_on":"2026-03-02","kind":"individual","attendance":"attended"}`, wantStatus: 200, wantContains: []string{`"added":false`, `"held_on":"2026-03-02"`}},
		{name: "SessionPlan", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/sessions", key: "session-2",
			body: `{"held_on":"2026-03-09","kind":"skills_group"}`, wantStatus: 201, wantContains: []string{`"attendance":null`}},
		{name: "ErrInvalid/SessionWithoutKey", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/sessions",
			body: `{"held_on":"2026-03-02","kind":"individual","attendance":"attended"}`, wantStatus: 400},
		{name: "ErrInvalid/FutureSessionAttended", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/sessions", key: "session-3",
			body: `{"held_on":"2026-03-09","kind":"individual","attendance":"attended"}`, wantStatus: 400},
		{name: "ErrForbidden/PersonRecordsSession", who: "riley", method: "POST", path: "/api/v1/people/{riley}/sessions", key: "session-4",
			body: `{"held_on":"2026-03-02","kind":"individual","attendance":"attended"}`, wantStatus: 403},
		{name: "Sessions", who: "kim@example.org", method: "GET", path: "/api/v1/people/{riley}/sessions", wantStatus: 200,
			wantCount: map[string]int{`"held_on":"2026-03-02"`: 1}, wantContains: []string{`"next_session":{`, `"held_on":"2026-03-09","kind":"skills_group","attendance":null}}`}},
		{name: "FacilitatorSeesSessions", who: "jo@example.org", method: "GET", path: "/api/v1/people/{sam}/sessions", wantStatus: 200, wantContains: []string{`"sessions":[]`, `"next_session":null`}},
		{name: "ErrNotFound/StrangerSessions", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/sessions", wantStatus: 404},
		{name: "IncidentCreate", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/incidents", key: "incident-1",
			body: `{"occurred_on":"2026-02-28","kind":"emergency_department","medical_care":"not_sure"}`, wantStatus: 201, wantContains: []string{`"added":true`}},
		{name: "IncidentCreateRetryAddsNothing", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/incidents", key: "incident-1",
			body: `{"occurred_on":"2026-02-28","kind":"emergency_department","medical_care":"not_sure"}`, wantStatus: 200, wantContains: []string{`"added":false`}},
		{name: "ErrInvalid/IncidentHasNoMethodField", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/incidents", key: "incident-2",
			body: `{"occurred_on":"2026-02-28","kind":"hospital_admission","medical_care":"yes","method":"x"}`, wantStatus: 400, wantContains: []string{`Unknown field \"method\"`}},
		{name: "Incidents", who: "kim@example.org", method: "GET", path: "/api/v1/people/{riley}/incidents", wantStatus: 200,
			wantCount: map[string]int{`"kind":"emergency_department"`: 1}, wantContains: []string{`"medical_care":"not_sure"`}},
		{name: "ErrForbidden/AdminIncidents", who: "admin@example.org", method: "GET", path: "/api/v1/people/{sam}/incidents", wantStatus: 403},
		{name: "ErrUnauthorized/AnonymousIncidents", method: "GET", path: "/api/v1/people/{riley}/incidents", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousIncidentCreate", method: "POST", path: "/api/v1/people/{riley}/incidents", key: "incident-3",
			body: `{"occurred_on":"2026-02-28","kind":"emergency_department","medical_care":"no"}`, wantStatus: 401},
		{name: "ErrInvalid/DischargeWithoutConsentAnswer", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"discharge","date":"2026-03-02"}`, wantStatus: 400, wantContains: []string{"consent"}},
		{name: "EpisodeDischargeWithFollowUp", who: "kim@example.org", method: "POST", path: "/api/v1/people/{riley}/episodes",
			body: `{"step":"discharge","date":"2026-03-02","follow_up":true}`, wantStatus: 200,
			wantContains: []string{`"state":"follow_up"`, `"follow_up_consent":true`, `{"months":3,"due":"2026-06-02","from":"2026-05-05","to":"2026-06-30"}`}},
		{name: "FollowUpMemberReadsEpisodes", who: "kim@example.org", method: "GET", path: "/api/v1/people/{riley}/episodes", wantStatus: 200,
			wantContains: []string{`"months":12`}},
		{name: "MyEpisodes", who: "riley", method: "GET", path: "/api/v1/me/episodes", wantStatus: 200,
			wantContains: []string{`"state":"follow_up"`, `"modality":"DBT"`, `"sessions":[`}, wantNotContains: []string{"emergency_department", "incidents"}},
		{name: "MyEpisodesNoneYet", who: "sam", method: "GET", path: "/api/v1/me/episodes", wantStatus: 200, wantContains: []string{`"episodes":[]`, `"next_session":null`}},
		{name: "ErrNotFound/StaffHaveNoOwnEpisodes", who: "lee@example.org", method: "GET", path: "/api/v1/me/episodes", wantStatus: 404},
		{name: "ErrForbidden/NarrowTokenEpisodes", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/episodes", wantStatus: 403},
		{name: "ErrNotFound/StrangerEpisodes", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/episodes", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousEpisodes", method: "GET", path: "/api/v1/people/{sam}/episodes", wantStatus: 401},
		{name: "ErrUnauthorized/AnonymousSessions", method: "GET", path: "/api/v1/people/{sam}/sessions", wantStatus: 401},

		// The diary card (issue 6). Sam joined on 2026-03-02 (the clock's
		// day in Europe/London): that is the one day with a card to fill
		// in. Lee (therapist) sees sam's diary by the service's default;
		// priya is not shared it (403); kim is not on sam's team (404);
		// alex lets lee see and edit their diary (set up above).
		{name: "DiarySave", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-1",
			body:       `{"time_zone":"Europe/London","edited_at":"2026-03-02T08:55:00Z","changes":[{"field":"urge:u.self_harm","value":3},{"field":"emotion:e.joy","value":2},{"field":"skills","value":5}],"note":"A walk by the river"}`,
			wantStatus: 201, wantContains: []string{`"created":true`, `"replay":false`, `"urge:u.self_harm":{"value":3`, `"note":"A walk by the river"`, `"time_zone":"Europe/London"`,
				`"safety":{"prompted":false,"physical_safety_first":false,"response":"none","route":"none"}`}},
		{name: "DiarySaveRetryAnswersTheSame", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-1",
			body:       `{"time_zone":"Europe/London","edited_at":"2026-03-02T08:55:00Z","changes":[{"field":"urge:u.self_harm","value":3},{"field":"emotion:e.joy","value":2},{"field":"skills","value":5}],"note":"A walk by the river"}`,
			wantStatus: 200, wantContains: []string{`"replay":true`, `"urge:u.self_harm":{"value":3`, `"prompted":false`}},
		{name: "ErrInvalid/DiaryRatingOutOfRange", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-2",
			body: `{"changes":[{"field":"urge:u.self_harm","value":6}]}`, wantStatus: 400, wantContains: []string{"out of range", "Nothing was saved"}},
		{name: "ErrInvalid/DiaryUnknownRow", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-3",
			body: `{"changes":[{"field":"urge:u.flying","value":2}]}`, wantStatus: 400, wantContains: []string{`no row \"u.flying\"`}},
		{name: "ErrInvalid/DiaryFutureDate", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-03", key: "diary-4",
			body: `{"changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 400, wantContains: []string{"has not happened yet"}},
		{name: "ErrInvalid/DiaryBeforeJoining", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-01", key: "diary-5",
			body: `{"changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 400, wantContains: []string{"before you joined"}},
		{name: "ErrInvalid/DiaryTimeZone", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-6",
			body: `{"time_zone":"Mars/Olympus_Mons","changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 400, wantContains: []string{"time zone"}},
		{name: "ErrInvalid/DiaryNotADate", who: "sam", method: "PUT", path: "/api/v1/me/diary/yesterday", key: "diary-7",
			body: `{"changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 400, wantContains: []string{"YYYY-MM-DD"}},
		{name: "ErrInvalid/DiaryValueNotANumber", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-8",
			body: `{"changes":[{"field":"urge:u.self_harm","value":"4"}]}`, wantStatus: 400, wantContains: []string{"whole number"}},
		{name: "ErrInvalid/DiaryWithoutKey", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02",
			body: `{"changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 400, wantContains: []string{"Idempotency-Key"}},
		{name: "ErrNotFound/StaffHaveNoOwnDiary", who: "lee@example.org", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-9",
			body: `{"changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousDiarySave", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-10",
			body: `{"changes":[{"field":"urge:u.self_harm","value":1}]}`, wantStatus: 401},
		// Nothing the refused saves sent was kept.
		{name: "DiaryList", who: "sam", method: "GET", path: "/api/v1/me/diary?from=2026-02-24&to=2026-03-03", wantStatus: 200,
			wantCount:       map[string]int{`"date":"2026-03-02"`: 1, `"date":`: 1},
			wantContains:    []string{`"urge:u.self_harm":{"value":3`, `"skills_category":"used_helped"`},
			wantNotContains: []string{`"value":6`, `"value":4`, "u.flying"}},
		{name: "ErrInvalid/DiaryListWithoutRange", who: "sam", method: "GET", path: "/api/v1/me/diary", wantStatus: 400, wantContains: []string{"from and to"}},
		{name: "ErrInvalid/DiaryListTooLong", who: "sam", method: "GET", path: "/api/v1/me/diary?from=2025-01-01&to=2026-03-02", wantStatus: 400},
		// An act recorded for today: physical safety first, and a task for
		// the care team; a retry answers the same and adds nothing.
		{name: "DiaryActRaisesSafetyPrompt", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-act",
			body:       `{"edited_at":"2026-03-02T09:00:00Z","changes":[{"field":"act:a.self_harm","value":1},{"field":"count:a.self_harm","value":2}]}`,
			wantStatus: 200, wantContains: []string{`"created":false`, `"prompted":true,"physical_safety_first":true,"response":"task_now","route":"care_team"`, `"self_harm":2`}},
		{name: "DiaryActRetryAnswersTheSame", who: "sam", method: "PUT", path: "/api/v1/me/diary/2026-03-02", key: "diary-act",
			body:       `{"edited_at":"2026-03-02T09:00:00Z","changes":[{"field":"act:a.self_harm","value":1},{"field":"count:a.self_harm","value":2}]}`,
			wantStatus: 200, wantContains: []string{`"replay":true`, `"prompted":true,"physical_safety_first":true,"response":"task_now","route":"care_team"`}},
		{name: "DiaryHistory", who: "sam", method: "GET", path: "/api/v1/me/diary/2026-03-02/history", wantStatus: 200,
			wantCount: map[string]int{`"note_changed":true`: 1, `"note_changed":false`: 1}, wantNotContains: []string{"A walk by the river"}},
		{name: "ErrInvalid/DiaryHistoryNotADate", who: "sam", method: "GET", path: "/api/v1/me/diary/today/history", wantStatus: 400},
		{name: "TherapistReadsDiary", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/diary?from=2026-03-01&to=2026-03-02", wantStatus: 200,
			wantContains: []string{`"note":"A walk by the river"`, `"act:a.self_harm":{"value":1`}},
		{name: "ErrForbidden/PrescriberNotSharedDiary", who: "priya@example.org", method: "GET", path: "/api/v1/people/{sam}/diary?from=2026-03-01&to=2026-03-02", wantStatus: 403,
			wantNotContains: []string{"river"}},
		{name: "ErrNotFound/StrangerDiary", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/diary?from=2026-03-01&to=2026-03-02", wantStatus: 404, wantNotContains: []string{"river"}},
		{name: "ErrForbidden/AdminDiary", who: "admin@example.org", method: "GET", path: "/api/v1/people/{sam}/diary?from=2026-03-01&to=2026-03-02", wantStatus: 403},
		{name: "DiaryConfig", who: "sam", method: "GET", path: "/api/v1/me/diary-config", wantStatus: 200,
			wantContains: []string{`{"id":"u.self_harm","section":"urge","kind":"urge_self_harm","label":null`, `"id":"a.self_harm","section":"action","kind":"self_harm","label":null,"urge_id":"u.self_harm","counted":true`, `"skills_set":"dbt"`, `"allow_hide_safety_rows":false`}},
		{name: "ErrNotFound/StaffHaveNoOwnDiaryConfig", who: "lee@example.org", method: "GET", path: "/api/v1/me/diary-config", wantStatus: 404},
		{name: "TherapistReadsDiaryConfig", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/diary-config", wantStatus: 200, wantContains: []string{`"id":"e.joy"`}},
		{name: "ErrNotFound/StrangerDiaryConfig", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/diary-config", wantStatus: 404},
		{name: "DiaryAddRow", who: "sam", method: "POST", path: "/api/v1/me/diary-config/targets", body: `{"section":"urge","kind":"urge_other","label":"Urge to skip meals"}`,
			wantStatus: 201, wantContains: []string{`"section":"urge","kind":"urge_other","label":"Urge to skip meals"`, `"safety":false`}},
		{name: "ErrInvalid/DiaryAddRowWrongKind", who: "sam", method: "POST", path: "/api/v1/me/diary-config/targets", body: `{"section":"urge","kind":"self_harm"}`,
			wantStatus: 400, wantContains: []string{"what kind of row"}},
		{name: "ErrInvalid/DiaryAddOtherWithoutName", who: "sam", method: "POST", path: "/api/v1/me/diary-config/targets", body: `{"section":"action","kind":"action_other"}`,
			wantStatus: 400, wantContains: []string{"name"}},
		{name: "DiaryRenameRow", who: "sam", method: "PATCH", path: "/api/v1/me/diary-config/targets/u.self_harm", body: `{"label":"Urge to hurt myself"}`,
			wantStatus: 200, wantContains: []string{`"id":"u.self_harm","section":"urge","kind":"urge_self_harm","label":"Urge to hurt myself"`}},
		{name: "ErrInvalid/DiaryHideSafetyRow", who: "sam", method: "PATCH", path: "/api/v1/me/diary-config/targets/a.self_harm", body: `{"hidden":true}`,
			wantStatus: 400, wantContains: []string{"stay on the card"}},
		{name: "ErrNotFound/DiaryUnknownRow", who: "sam", method: "PATCH", path: "/api/v1/me/diary-config/targets/u.flying", body: `{"hidden":true}`, wantStatus: 404},
		{name: "EditorAddsRow", who: "lee@example.org", method: "POST", path: "/api/v1/people/{alex}/diary-config/targets", body: `{"section":"emotion","kind":"emotion_other","label":"Loneliness"}`,
			wantStatus: 201, wantContains: []string{`"label":"Loneliness"`}},
		{name: "ErrForbidden/SeeOnlyCannotAddRow", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/diary-config/targets", body: `{"section":"emotion","kind":"emotion_other","label":"Loneliness"}`,
			wantStatus: 403},
		{name: "EditorMovesRow", who: "lee@example.org", method: "PATCH", path: "/api/v1/people/{alex}/diary-config/targets/e.joy", body: `{"move":-1}`,
			wantStatus: 200, wantContains: []string{`"id":"e.joy","section":"emotion","kind":"joy","label":null,"urge_id":null,"counted":false,"medical":false,"hidden":false,"position":3`}},
		{name: "ErrForbidden/SeeOnlyCannotChangeRow", who: "lee@example.org", method: "PATCH", path: "/api/v1/people/{sam}/diary-config/targets/e.joy", body: `{"hidden":true}`, wantStatus: 403},
		{name: "ErrNotFound/StrangerChangesRow", who: "kim@example.org", method: "PATCH", path: "/api/v1/people/{sam}/diary-config/targets/e.joy", body: `{"hidden":true}`, wantStatus: 404},

		// Questionnaires (issue 7). Lee (therapist) sees sam's and alex's
		// questionnaires by the service's default; kim is on neither team
		// (404). Instruments are the service's, read by anyone signed in;
		// only admins import, retire and set prompts (others: 404).
		{name: "InstrumentList", who: "sam", method: "GET", path: "/api/v1/instruments", wantStatus: 200,
			wantContains: []string{`"id":"phq-9.1.en","key":"phq-9","short":"PHQ-9"`, `"id":"gad-7.1.en"`, `"builtin":true`, `"prompts_on":true`}},
		{name: "ErrUnauthorized/AnonymousInstruments", method: "GET", path: "/api/v1/instruments", wantStatus: 401},
		{name: "InstrumentShow", who: "lee@example.org", method: "GET", path: "/api/v1/instruments/phq-9.1.en", wantStatus: 200,
			wantContains: []string{`"link_id":"9"`, `"prompts":[{"link_id":"9","from":1}]`, `"rights":null`}},
		{name: "ErrNotFound/UnknownInstrument", who: "lee@example.org", method: "GET", path: "/api/v1/instruments/phq-99.1.en", wantStatus: 404},
		{name: "InstrumentQuestionnaire", who: "sam", method: "GET", path: "/api/v1/instruments/gad-7.1.en/questionnaire", wantStatus: 200,
			wantContains: []string{`"resourceType":"Questionnaire"`}},
		{name: "ErrNotFound/UnknownQuestionnaire", who: "sam", method: "GET", path: "/api/v1/instruments/nothing/questionnaire", wantStatus: 404},
		{name: "ErrForbidden/PersonCannotImport", who: "sam", method: "POST", path: "/api/v1/instruments", body: `{"questionnaire":{wellbeing},"rights":"Ours"}`, wantStatus: 403},
		{name: "ErrInvalid/ImportWithoutRights", who: "admin@example.org", method: "POST", path: "/api/v1/instruments", body: `{"questionnaire":{wellbeing},"rights":""}`,
			wantStatus: 400, wantContains: []string{"right to use"}},
		{name: "InstrumentImport", who: "admin@example.org", method: "POST", path: "/api/v1/instruments",
			body: `{"questionnaire":{wellbeing},"rights":"Made up for Tend's tests; no licence needed."}`, wantStatus: 201,
			wantContains: []string{`"id":"{wellbeing-id}"`, `"prompts_on":false`, `"rights":"Made up for Tend's tests; no licence needed."`}},
		{name: "InstrumentPromptsOn", who: "admin@example.org", method: "PUT", path: "/api/v1/instruments/{wellbeing-id}/prompts", body: `{"enabled":true}`,
			wantStatus: 200, wantContains: []string{`"prompts_on":true`, `"prompts":[{"link_id":"ew5","from":1}]`}},
		{name: "ErrNotFound/ShippedPromptsStayOn", who: "admin@example.org", method: "PUT", path: "/api/v1/instruments/phq-9.1.en/prompts", body: `{"enabled":false}`, wantStatus: 404},
		{name: "ErrInvalid/InstrumentPromptsWithoutEnabled", who: "admin@example.org", method: "PUT", path: "/api/v1/instruments/{wellbeing-id}/prompts", body: `{}`, wantStatus: 400},
		{name: "ErrForbidden/ClinicianSetsPrompts", who: "lee@example.org", method: "PUT", path: "/api/v1/instruments/{wellbeing-id}/prompts", body: `{"enabled":false}`, wantStatus: 403},
		{name: "ErrForbidden/ClinicianRetires", who: "lee@example.org", method: "POST", path: "/api/v1/instruments/{wellbeing-id}/retire", wantStatus: 403},
		{name: "ErrNotFound/RetireShipped", who: "admin@example.org", method: "POST", path: "/api/v1/instruments/phq-9.1.en/retire", wantStatus: 404},
		{name: "InstrumentRetire", who: "admin@example.org", method: "POST", path: "/api/v1/instruments/{wellbeing-id}/retire", wantStatus: 200,
			wantContains: []string{`"retired":true`}},
		{name: "ErrConflict/RetireAgain", who: "admin@example.org", method: "POST", path: "/api/v1/instruments/{wellbeing-id}/retire", wantStatus: 409},
		{name: "ErrInvalid/AssignRetired", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"{wellbeing-id}","schedule":{"kind":"once"}}`, wantStatus: 400, wantContains: []string{"retired"}},
		{name: "ErrConflict/AssignOtherSchedule", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"phq-9.1.en","schedule":{"kind":"every_weeks","every_weeks":2}}`, wantStatus: 409, wantContains: []string{"another schedule"}},
		{name: "EndAssignment", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments/{q-to-end}/end", wantStatus: 204},
		{name: "ErrConflict/EndAgain", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments/{q-to-end}/end", wantStatus: 409},
		{name: "ErrNotFound/StrangerEnds", who: "kim@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments/{q-to-end}/end", wantStatus: 404},
		{name: "AssignQuestionnaire", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"phq-9.1.en","schedule":{"kind":"every_weeks","every_weeks":2}}`, wantStatus: 201,
			wantContains: []string{`"instrument_id":"phq-9.1.en"`, `"schedule":{"kind":"every_weeks","every_weeks":2}`, `"active":true`}},
		{name: "AssignAgainIsARetry", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"phq-9.1.en","schedule":{"kind":"every_weeks","every_weeks":2}}`, wantStatus: 201,
			wantContains: []string{`"instrument_id":"phq-9.1.en"`, `"active":true`}},
		{name: "ErrInvalid/AssignUnknownSchedule", who: "lee@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"phq-9.1.en","schedule":{"kind":"monthly"}}`, wantStatus: 400},
		{name: "ErrNotFound/StrangerAssigns", who: "kim@example.org", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"phq-9.1.en","schedule":{"kind":"once"}}`, wantStatus: 404},
		{name: "ErrNotFound/PersonAssigns", who: "sam", method: "POST", path: "/api/v1/people/{sam}/questionnaires/assignments",
			body: `{"instrument_id":"phq-9.1.en","schedule":{"kind":"once"}}`, wantStatus: 404},
		{name: "AssignmentList", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/questionnaires/assignments", wantStatus: 200,
			wantCount: map[string]int{`"instrument_id":"phq-9.1.en"`: 2, `"instrument_id":"gad-7.1.en"`: 1}},
		{name: "ErrNotFound/StrangerAssignments", who: "kim@example.org", method: "GET", path: "/api/v1/people/{sam}/questionnaires/assignments", wantStatus: 404},
		{name: "MyQuestionnaires", who: "sam", method: "GET", path: "/api/v1/me/questionnaires", wantStatus: 200,
			wantContains: []string{`"id":"{q-due}","instrument_id":"gad-7.1.en","short":"GAD-7"`, `"reason":"once"`, `"started":false`}},
		{name: "ErrForbidden/NarrowTokenQuestionnaires", who: "bearer:{narrow}", method: "GET", path: "/api/v1/me/questionnaires", wantStatus: 403},
		{name: "MyQuestionnaireShow", who: "sam", method: "GET", path: "/api/v1/me/questionnaires/{q-due}", wantStatus: 200,
			wantContains: []string{`"instrument":{"id":"gad-7.1.en"`, `"answers":{}`}},
		{name: "ErrNotFound/AnotherPersonsQuestionnaire", who: "alex", method: "GET", path: "/api/v1/me/questionnaires/{q-due}", wantStatus: 404},
		{name: "ErrInvalid/AnswerOutsideOptions", who: "sam", method: "PUT", path: "/api/v1/me/questionnaires/{q-due}", body: `{"answers":{"1":1,"2":4}}`,
			wantStatus: 400, wantContains: []string{"Nothing was saved"}},
		{name: "ErrInvalid/AnswerNotANumber", who: "sam", method: "PUT", path: "/api/v1/me/questionnaires/{q-due}", body: `{"answers":{"1":"often"}}`, wantStatus: 400},
		{name: "ErrNotFound/AnotherPersonAnswers", who: "alex", method: "PUT", path: "/api/v1/me/questionnaires/{q-due}", body: `{"answers":{"1":1}}`, wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousAnswers", method: "PUT", path: "/api/v1/me/questionnaires/{q-due}", body: `{"answers":{"1":1}}`, wantStatus: 401},
		{name: "AnswerQuestionnaire", who: "sam", method: "PUT", path: "/api/v1/me/questionnaires/{q-due}", body: `{"answers":{"1":1,"2":2}}`, wantStatus: 200,
			wantContains: []string{`"safety_prompt":false`, `"finished":false`, `"total":null`, `{"link_id":"3","text":"Worrying too much about different things","answered":false,"value":null,"label":null`}},
		{name: "MyQuestionnairesKeepTheDraft", who: "sam", method: "GET", path: "/api/v1/me/questionnaires", wantStatus: 200,
			wantContains: []string{`"started":true,"finished":false,"answers":{"1":1,"2":2}`}, wantNotContains: []string{`"2":4`}},
		{name: "MyScores", who: "sam", method: "GET", path: "/api/v1/me/questionnaires/scores", wantStatus: 200, wantContains: []string{`"instruments":[]`}},
		{name: "ErrNotFound/StaffHaveNoOwnScores", who: "lee@example.org", method: "GET", path: "/api/v1/me/questionnaires/scores", wantStatus: 404},
		{name: "PersonScores", who: "lee@example.org", method: "GET", path: "/api/v1/people/{alex}/questionnaires/scores", wantStatus: 200,
			wantContains: []string{`"instrument_id":"phq-9.1.en"`, `"total":6,"band":"mild","above_threshold":false`, `"threshold":10`}},
		{name: "ErrNotFound/StrangerScores", who: "kim@example.org", method: "GET", path: "/api/v1/people/{alex}/questionnaires/scores", wantStatus: 404},
		{name: "PersonResponse", who: "lee@example.org", method: "GET", path: "/api/v1/people/{alex}/questionnaires/responses/{q-response}", wantStatus: 200,
			wantContains: []string{`"finished":true`, `"total":6`, `{"link_id":"10","text":`, `"answered":false,"value":null`}},
		{name: "ErrNotFound/StrangerResponse", who: "kim@example.org", method: "GET", path: "/api/v1/people/{alex}/questionnaires/responses/{q-response}", wantStatus: 404},
		{name: "ErrNotFound/ResponseOfAnotherPerson", who: "lee@example.org", method: "GET", path: "/api/v1/people/{sam}/questionnaires/responses/{q-response}", wantStatus: 404},

		// The outcomes report (issue 8): leads only, for the teams they lead;
		// one person's episode is "fewer than 5" everywhere, never a number.
		{name: "LeadOutcomesReport", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 200,
			wantContains: []string{`"cohort":"2026"`, `"note":"These are observational figures with no comparison group.`, `"name":"Riverside DBT team"`,
				`"measure":"people"`, `"modality":"CBT","kind":"count","state":"suppressed","text":"fewer than 5","people":null,"count":null,"share":null,"value":null`,
				`"suppress_below":5`, `"state":"shown"`},
			wantNotContains: []string{"demo-person", `"modality":"CBT","kind":"count","state":"shown"`}},
		{name: "LeadOutcomesReportQuarter", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes?cohort=2026-Q1", wantStatus: 200,
			wantContains: []string{`"cohort":"2026-Q1"`, `"from":"2026-01-01"`, `"to":"2026-03-31"`, `"name":"Riverside DBT team"`}},
		{name: "LeadOutcomesReportOneScope", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes?cohort=2026&scope={riverside}", wantStatus: 200,
			wantContains: []string{`"name":"Riverside DBT team"`}, wantNotContains: []string{`"scope":"total"`}},
		// Morgan leads one team of two: the team is the report, with no
		// total repeating it.
		{name: "ErrNotFound/OutcomesReportTotalOfOneTeam", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes?cohort=2026&scope=total", wantStatus: 404},
		{name: "TokenWithReportRead", who: "bearer:{report-token}", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 200, wantContains: []string{`"cohort":"2026"`}},
		{name: "ErrNotFound/TokenWithoutReportRead", who: "bearer:{no-report-token}", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 404,
			wantNotContains: []string{"cohort"}},
		{name: "ErrNotFound/ClinicianOutcomesReport", who: "lee@example.org", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 404, wantNotContains: []string{"cohort"}},
		{name: "ErrNotFound/AdminOutcomesReport", who: "admin@example.org", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 404},
		{name: "ErrNotFound/PersonOutcomesReport", who: "sam", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 404},
		{name: "ErrUnauthorized/AnonymousOutcomesReport", method: "GET", path: "/api/v1/reports/outcomes", wantStatus: 401},
		{name: "ErrInvalid/OutcomesReportCohort", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes?cohort=2026-Q5", wantStatus: 400, notInSpec: true},
		{name: "ErrNotFound/OutcomesReportNoSuchCohort", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes?cohort=2019", wantStatus: 404},
		{name: "ErrNotFound/OutcomesReportNoSuchScope", who: "morgan@example.org", method: "GET", path: "/api/v1/reports/outcomes?scope=nope", wantStatus: 404},

		{name: "ErrMethodNotAllowed", who: "sam", method: "DELETE", path: "/api/v1/me", wantStatus: 405, notInSpec: true, wantContains: []string{`"status":405`}},
	}
	captured := map[string]string{} // {name} -> a task_id from an earlier answer
	fillAll := func(s string) string {
		s = fill.Replace(s)
		for k, v := range captured {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	succeeded, failed := map[string]bool{}, map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			who, path, body := fillAll(tt.who), fillAll(tt.path), fillAll(tt.body)
			req, res := e.doKey(who, tt.method, path, body, tt.key)
			got := res.Body.String()
			if res.Code != tt.wantStatus {
				t.Fatalf("%s %s as %q = %d, want %d\n%s", tt.method, tt.path, tt.who, res.Code, tt.wantStatus, got)
			}
			if tt.capture != "" {
				var out struct {
					TaskID string `json:"task_id"`
				}
				if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil || out.TaskID == "" {
					t.Fatalf("no task_id to keep as {%s}: %v\n%s", tt.capture, err, got)
				}
				captured[tt.capture] = out.TaskID
			}
			for s, n := range tt.wantCount {
				if c := strings.Count(got, fillAll(s)); c != n {
					t.Errorf("answer holds %q %d times, want %d\n%s", s, c, n, got)
				}
			}
			for _, s := range tt.wantContains {
				if s = fillAll(s); !strings.Contains(got, s) {
					t.Errorf("answer lacks %q\n%s", s, got)
				}
			}
			for _, s := range tt.wantNotContains {
				if strings.Contains(got, fillAll(s)) {
					t.Errorf("answer contains %q\n%s", s, got)
				}
			}
			ct := res.Header().Get("Content-Type")
			switch {
			case res.Code >= 400 && ct != "application/problem+json":
				t.Errorf("error Content-Type %q, want application/problem+json", ct)
			case res.Code == 401 && res.Header().Get("WWW-Authenticate") == "":
				t.Error("401 without WWW-Authenticate")
			case res.Code < 300 && res.Code != 204 && ct != "application/json" && ct != "application/fhir+json" && ct != "application/zip": // a zip: a person's download
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if tt.notInSpec {
				return
			}
			validateResponse(t, v, req, res)
			if res.Code < 400 {
				succeeded[req.Pattern] = true
			} else {
				failed[req.Pattern] = true
			}
		})
	}
	routes, public := apiRoutes()
	for _, r := range routes {
		if !succeeded[r] {
			t.Errorf("route %s has no success row", r)
		}
		// The document cannot fail: it is embedded and public.
		if !failed[r] && !public[r] {
			t.Errorf("route %s has no error row", r)
		}
	}
}

// TestSharingTakesEffect shows a person's change of a grant through the API
// holding for the care-team member on the very next request.
func TestSharingTakesEffect(t *testing.T) {
	e := newEnv(t)
	lee, sam := e.actors["lee@example.org"], e.ids["sam"]
	member := string(e.memberID(t, "sam", "lee@example.org"))
	path := "/api/v1/me/sharing/" + member + "/test_area"
	check := func(want string) {
		t.Helper()
		err := e.checker.Check(ctx, lee, access.TestAreaRead, sam)
		if got := kindOf(err); got != want {
			t.Fatalf("Lee reading sam's test area: %s, want %s", got, want)
		}
	}
	check(tend.EFORBIDDEN) // the therapist default does not include the test area
	t.Run("OK/Granted", func(t *testing.T) {
		if _, res := e.do("sam", http.MethodPut, path, `{"level":"see"}`); res.Code != 200 {
			t.Fatalf("PUT see = %d %s", res.Code, res.Body)
		}
		check("ok")
		if err := e.checker.Check(ctx, lee, access.TestAreaWrite, sam); kindOf(err) != tend.EFORBIDDEN {
			t.Fatalf("see must not allow editing: %v", err)
		}
	})
	t.Run("OK/Revoked", func(t *testing.T) {
		if _, res := e.do("sam", http.MethodPut, path, `{"level":"none"}`); res.Code != 200 {
			t.Fatalf("PUT none = %d %s", res.Code, res.Body)
		}
		check(tend.EFORBIDDEN)
	})
	t.Run("ErrNotFound/OtherPeopleUnaffected", func(t *testing.T) {
		// Kim, on no team of sam's, never had access and still has none.
		if err := e.checker.Check(ctx, e.actors["kim@example.org"], access.TestAreaRead, sam); kindOf(err) != tend.ENOTFOUND {
			t.Fatalf("Kim: %v", err)
		}
	})
}

// TestTokenExpiresOnTime: a token works until its expiry and not after.
func TestTokenExpiresOnTime(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.token(t, "sam", time.Hour, "care_team.read")
	if _, res := e.do("bearer:"+secret, "GET", "/api/v1/me/care-team", ""); res.Code != 200 {
		t.Fatalf("before expiry: %d %s", res.Code, res.Body)
	}
	e.clock.Advance(time.Hour)
	if _, res := e.do("bearer:"+secret, "GET", "/api/v1/me/care-team", ""); res.Code != 401 {
		t.Fatalf("at expiry: %d %s", res.Code, res.Body)
	}
}

// TestBodyLimit refuses bodies over the API's own cap even when nothing in
// front of it limits them.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	member := string(e.memberID(t, "sam", "lee@example.org"))
	body := `{"level":"see","pad":"` + strings.Repeat("x", 70<<10) + `"}`
	_, res := e.do("sam", http.MethodPut, "/api/v1/me/sharing/"+member+"/journal", body)
	if res.Code != http.StatusRequestEntityTooLarge || res.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("oversized body = %d %s", res.Code, res.Body)
	}
}

// TestLockedSessionIsAnonymous: a person's locked session shows nothing
// until the PIN unlocks it.
func TestLockedSessionIsAnonymous(t *testing.T) {
	e := newEnv(t)
	if err := e.accounts.SetPIN(ctx, e.actors["sam"], "2468", 0); err != nil {
		t.Fatal(err)
	}
	if err := e.accounts.Lock(ctx, e.sessions["sam"]); err != nil {
		t.Fatal(err)
	}
	if _, res := e.do("sam", "GET", "/api/v1/me/care-team", ""); res.Code != 401 || strings.Contains(res.Body.String(), "Lee") {
		t.Fatalf("locked session = %d %s", res.Code, res.Body)
	}
}

func kindOf(err error) string {
	if err == nil {
		return "ok"
	}
	return tend.ErrorKind(err)
}

func apiRoutes() ([]string, map[string]bool) {
	return api.Routes()
}
