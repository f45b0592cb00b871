package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
)

var groupLink = regexp.MustCompile(`href="/clinic/groups/([0-9a-f-]{36})"`)

// TestCareRecords walks issue 5's lines for notes, medication and groups
// through the pages: priya keeps sam's medication list and cannot read sam's
// journal; jo records group attendance and reads no note; lee reads the
// attendance; sam sees their medication list and groups, and never a note.
func TestCareRecords(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	person := "/clinic/people/" + sam

	t.Run("OK/PriyaKeepsTheMedicationList", func(t *testing.T) {
		form := url.Values{"id": {string(tend.NewID())}, "name": {"Sertraline"}, "dose": {"50 mg"}, "schedule": {"Once a day, in the morning"}, "started_on": {"2026-01-12"}}
		for range 2 { // a retried form adds nothing
			if res := d.post(t, "priya@example.org", person+"/medication", form); res.Code != http.StatusSeeOther {
				t.Fatalf("add: %d\n%s", res.Code, res.Body)
			}
		}
		form = url.Values{"id": {string(tend.NewID())}, "name": {"Melatonin"}, "dose": {"2 mg"}, "schedule": {"At bedtime"}, "as_needed": {"yes"}, "started_on": {"2025-11-03"}}
		if res := d.post(t, "priya@example.org", person+"/medication", form); res.Code != http.StatusSeeOther {
			t.Fatalf("add: %d", res.Code)
		}
		body := d.get(t, "priya@example.org", person+"/medication").Body.String()
		if strings.Count(body, "<h3>Sertraline</h3>") != 1 {
			t.Fatalf("the retried form added twice or not at all:\n%s", body)
		}
		stop := regexp.MustCompile(`action="`+regexp.QuoteMeta(person)+`/medication/([0-9a-f-]{36})/stop"`).FindAllStringSubmatch(body, -1)
		if len(stop) != 2 {
			t.Fatalf("%d stop forms, want 2", len(stop))
		}
		// The list is current first, newest start first: Sertraline, Melatonin.
		if res := d.post(t, "priya@example.org", person+"/medication/"+stop[1][1]+"/stop", url.Values{"stopped_on": {"2026-01-12"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("stop: %d", res.Code)
		}
		// A stop before the start is refused and changes nothing.
		if res := d.post(t, "priya@example.org", person+"/medication/"+stop[0][1]+"/stop", url.Values{"stopped_on": {"2020-01-01"}}); res.Code != http.StatusBadRequest ||
			!strings.Contains(res.Body.String(), "before the date it started") {
			t.Fatalf("stop before start: %d", res.Code)
		}
		if res := d.post(t, "priya@example.org", person+"/medication", url.Values{"name": {"Sertraline"}}); res.Code != http.StatusBadRequest ||
			!strings.Contains(res.Body.String(), "Write the dose.") || !strings.Contains(res.Body.String(), `value="Sertraline"`) {
			t.Fatalf("a form without a dose: %d", res.Code)
		}
		for _, who := range []string{"sam", "lee@example.org", "casey@example.org"} {
			path := person + "/medication"
			if who == "sam" {
				path = "/me/medication"
			}
			body := d.get(t, who, path).Body.String()
			if !strings.Contains(body, "Sertraline") || !strings.Contains(body, "Started 3 November 2025, stopped 12 January 2026") {
				t.Errorf("%s does not see the list with the stop:\n%s", who, body)
			}
			if who != "priya@example.org" && strings.Contains(body, "/stop\"") {
				t.Errorf("%s is offered the prescriber's forms", who)
			}
		}
		if res := d.get(t, "priya@example.org", person+"/journal"); res.Code != http.StatusForbidden {
			t.Errorf("priya reads sam's journal: %d", res.Code)
		}
		if res := d.get(t, "jo@example.org", person+"/medication"); res.Code != http.StatusForbidden || strings.Contains(res.Body.String(), "Sertraline") {
			t.Errorf("jo reads sam's medication: %d", res.Code)
		}
	})

	t.Run("OK/JoRecordsAttendance", func(t *testing.T) {
		if home := d.get(t, "jo@example.org", "/clinic").Body.String(); !strings.Contains(home, `href="/clinic/groups"`) {
			t.Error("the caseload page does not link the support groups")
		}
		res := d.post(t, "jo@example.org", "/clinic/groups", url.Values{"name": {"Tuesday skills group"}, "kind": {"DBT skills group"}, "schedule": {"Tuesdays, 18:00"}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.Code, res.Body)
		}
		list := d.get(t, "jo@example.org", "/clinic/groups").Body.String()
		m := groupLink.FindStringSubmatch(list)
		if m == nil {
			t.Fatalf("the group is not on jo's list:\n%s", list)
		}
		group := "/clinic/groups/" + m[1]
		if res := d.get(t, "lee@example.org", group); res.Code != http.StatusNotFound {
			t.Errorf("lee opens jo's group: %d", res.Code)
		}
		if res := d.post(t, "jo@example.org", group+"/members", url.Values{"person": {string(d.people["alex"])}}); res.Code != http.StatusNotFound {
			t.Errorf("jo enrols alex, whose facilitator jo is not: %d", res.Code)
		}
		if res := d.post(t, "jo@example.org", group+"/members", url.Values{"person": {sam}}); res.Code != http.StatusSeeOther {
			t.Fatalf("enrol: %d", res.Code)
		}
		marks := url.Values{"key": {"form-1"}, "held_on": {"2026-02-17"}, "status-" + sam: {"attended"}}
		for range 2 {
			if res := d.post(t, "jo@example.org", group+"/attendance", marks); res.Code != http.StatusSeeOther {
				t.Fatalf("attendance: %d\n%s", res.Code, res.Body)
			}
		}
		if res := d.post(t, "jo@example.org", group+"/attendance", url.Values{"key": {"form-2"}, "held_on": {"2026-02-24"}}); res.Code != http.StatusBadRequest {
			t.Errorf("attendance for nobody: %d", res.Code)
		}
		body := d.get(t, "jo@example.org", group).Body.String()
		if strings.Count(body, "<h3>17 February 2026</h3>") != 1 || !strings.Contains(body, "sam: Attended") {
			t.Fatalf("jo's group page:\n%s", body)
		}
		for _, who := range []string{"jo@example.org", "lee@example.org"} {
			if b := d.get(t, who, person+"/groups").Body.String(); !strings.Contains(b, "<td>17 February 2026</td><td>Tuesday skills group</td><td>Attended</td>") {
				t.Errorf("%s does not see sam's attendance:\n%s", who, b)
			}
		}
		if b := d.get(t, "sam", "/me/groups").Body.String(); !strings.Contains(b, "Attended") || !strings.Contains(b, "DBT skills group") {
			t.Errorf("sam does not see their attendance:\n%s", b)
		}
		if res := d.get(t, "priya@example.org", person+"/groups"); res.Code != http.StatusForbidden {
			t.Errorf("priya reads sam's attendance: %d", res.Code)
		}
	})

	t.Run("OK/NotesAreStaffOnly", func(t *testing.T) {
		text := "Sam described what helps on hard evenings"
		if res := d.post(t, "lee@example.org", person+"/notes", url.Values{"kind": {"note"}, "text": {text}}); res.Code != http.StatusSeeOther {
			t.Fatalf("write: %d\n%s", res.Code, res.Body)
		}
		body := d.get(t, "casey@example.org", person+"/notes").Body.String()
		id := regexp.MustCompile(`/notes/([0-9a-f-]{36})/correct`).FindStringSubmatch(body)
		if !strings.Contains(body, text) || id == nil {
			t.Fatalf("casey does not read lee's note:\n%s", body)
		}
		if res := d.post(t, "casey@example.org", person+"/notes/"+id[1]+"/correct", url.Values{"text": {"Sam described what helps on hard evenings and mornings"}}); res.Code != http.StatusSeeOther {
			t.Fatalf("correct: %d", res.Code)
		}
		body = d.get(t, "priya@example.org", person+"/notes").Body.String()
		if !strings.Contains(body, "and mornings") || !strings.Contains(body, "Earlier versions") || !strings.Contains(body, text+"</p>") {
			t.Errorf("the correction did not keep the earlier version:\n%s", body)
		}
		if res := d.post(t, "lee@example.org", person+"/notes", url.Values{"kind": {"note"}, "text": {" "}}); res.Code != http.StatusBadRequest {
			t.Errorf("an empty note: %d", res.Code)
		}
		for _, who := range []string{"jo@example.org", "sam"} {
			for _, path := range []string{person + "/notes", "/api/v1/people/" + sam + "/notes"} {
				res := d.get(t, who, path)
				if res.Code != http.StatusForbidden && res.Code != http.StatusNotFound {
					t.Errorf("%s %s: %d", who, path, res.Code)
				}
				if strings.Contains(res.Body.String(), "hard evenings") {
					t.Errorf("%s read a note at %s", who, path)
				}
			}
		}
		for _, path := range []string{"/me", "/me/medication", "/me/groups", "/me/who-looked", "/api/v1/me/medication"} {
			if strings.Contains(d.get(t, "sam", path).Body.String(), "hard evenings") {
				t.Errorf("sam reads a note at %s", path)
			}
		}
	})
}
