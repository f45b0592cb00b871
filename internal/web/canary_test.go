package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/testenv"
)

// testArea is the test-only area (access.AreaTest): until the feature
// issues bring real areas, it lets a person write something others may
// read only as the person shares it, so sharing, revocation and the canary
// crawler are exercised end to end. Staff read it through the access
// checker, as every real area will. leaky skips the check: the planted leak
// the crawler must catch.
type testArea struct {
	d     *demoServer
	mu    sync.Mutex
	notes map[tend.ID]string
	leaky bool
}

func (a *testArea) actor(r *http.Request) tend.Actor {
	c, err := r.Cookie("tend_session")
	if err != nil {
		return tend.Actor{}
	}
	actor, _, err := a.d.accounts.Authenticate(r.Context(), c.Value)
	if err != nil {
		return tend.Actor{}
	}
	return actor
}

func (a *testArea) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", a.d.srv)
	mux.HandleFunc("POST /me/test-area", func(w http.ResponseWriter, r *http.Request) {
		actor := a.actor(r)
		if actor.Kind != tend.KindPerson {
			http.NotFound(w, r)
			return
		}
		a.mu.Lock()
		a.notes[actor.ID] = r.PostFormValue("note")
		a.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /clinic/people/{id}/test-area", func(w http.ResponseWriter, r *http.Request) {
		id := tend.ID(r.PathValue("id"))
		if !a.leaky {
			if err := a.d.checker.Check(r.Context(), a.actor(r), access.TestAreaRead, id); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		_, _ = io.WriteString(w, a.notes[id])
	})
	return mux
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// crawler builds the canary crawler over the demo: every field a person
// can withhold (so far the test area), every account, every GET page of the
// router for every person, and the server's log.
func crawler(t *testing.T, leaky bool) (*testenv.Crawler, *demoServer) {
	logs := &lockedBuffer{}
	d := newDemoServerWith(t, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	area := &testArea{d: d, notes: map[tend.ID]string{}, leaky: leaky}
	h := area.handler()
	// fetch runs on the crawler's workers, several at once: every account
	// is signed in below, before the crawl.
	var cookies map[string]*http.Cookie
	fetch := func(who, path string) (string, error) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if who != "" {
			req.AddCookie(cookies[who])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Type") == "application/zip" {
			// A download of one's information: search what is inside.
			return joinZip(rec.Body.Bytes())
		}
		return rec.Body.String(), nil
	}
	// Sam shares the test area with Lee (see), nobody else.
	lee := memberID(t, d, "sam", "Lee")
	if err := d.careTeam.SetGrants(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}, d.people["sam"],
		[]careteam.GrantChange{{MemberID: lee, Area: access.AreaTest, Level: access.LevelSee}}); err != nil {
		t.Fatal(err)
	}
	var fields []testenv.CanaryField
	for _, who := range []string{"sam", "alex", "riley"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".test_area", Owner: who,
			Plant: func(v string) error {
				req := httptest.NewRequest(http.MethodPost, "/me/test-area", strings.NewReader(url.Values{"note": {v}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.AddCookie(d.session(t, who))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					t.Fatalf("planting %s's note: %d", who, rec.Code)
				}
				return nil
			},
			Seen: func(account string) bool { return who == "sam" && account == "lee@example.org" },
		})
	}
	// Each person's safety plan: their therapist sees and edits it by the
	// service's default (lee for sam and alex, kim for riley), nobody else.
	therapist := map[string]string{"sam": "lee@example.org", "alex": "lee@example.org", "riley": "kim@example.org"}
	for _, who := range []string{"sam", "alex", "riley"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".safety_plan", Owner: who,
			Plant: func(v string) error {
				var c safetyplan.Content
				c.Steps[0] = []string{v}
				c.MostImportant = v
				_, err := d.plans.Save(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people[who]}, d.people[who], "", c)
				return err
			},
			Seen: func(account string) bool { return account == therapist[who] },
		})
	}
	// Each person's own toolbox activity, used once so it is in their
	// toolbox log too: nobody shares the log by the service's defaults.
	for _, who := range []string{"sam", "alex", "riley"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".toolbox_own", Owner: who,
			Plant: func(v string) error {
				if res := d.post(t, who, "/me/toolbox/activities", url.Values{"kind": {"express"}, "text": {v}}); res.Code != http.StatusSeeOther {
					t.Fatalf("planting %s's own activity: %d", who, res.Code)
				}
				ids := toolboxOwnIDs.FindAllStringSubmatch(d.get(t, who, "/me/toolbox/manage").Body.String(), -1)
				if len(ids) == 0 {
					t.Fatalf("%s's own activity is not on their manage page", who)
				}
				res := d.post(t, who, "/me/toolbox/uses", url.Values{"question": {"urge"}, "urge_before": {"7"}, "activity": {ids[len(ids)-1][1]},
					"minutes": {"5"}, "idempotency_key": {"canary-" + v}, "urge_after": {"4"}, "helpful": {"yes"}})
				if res.Code != http.StatusSeeOther {
					t.Fatalf("planting %s's toolbox use: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(string) bool { return false },
		})
	}
	// Each person's own e-mail address for reminders
	// (docs/notifications.md): only the person sees it.
	for _, who := range []string{"sam", "alex", "riley"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".email", Owner: who,
			Plant: func(v string) error {
				if res := d.post(t, who, "/me/settings/email", url.Values{"email": {v + "@example.org"}}); res.Code != http.StatusSeeOther {
					t.Fatalf("planting %s's e-mail address: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(string) bool { return false },
		})
	}
	// Each person's homework practice: the note and the worksheet answers
	// of homework their therapist set. The therapist reads all homework
	// (and is the one who set it); nobody else does.
	for _, who := range []string{"sam", "alex", "riley"} {
		for _, field := range []string{"practice_note", "worksheet_answers"} {
			fields = append(fields, testenv.CanaryField{
				Name: who + "." + field, Owner: who,
				Plant: func(v string) error { return plantPractice(t, d, who, therapist[who], field, v) },
				Seen:  func(account string) bool { return account == therapist[who] },
			})
		}
	}
	// Each person's journal entry, and words in their hope box. Sam shares
	// the journal with Lee (see), so Lee may read sam's entry and nobody
	// else any; the hope box is never anyone else's.
	d.shareArea(t, "sam", "Lee", access.AreaJournal, access.LevelSee)
	for _, who := range []string{"sam", "alex", "riley"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".journal", Owner: who,
			Plant: func(v string) error {
				id := d.newEntryID(t, who)
				if res := d.post(t, who, "/me/journal", url.Values{"id": {id}, "revision": {"0"}, "text": {v}}); res.Code != http.StatusSeeOther {
					t.Fatalf("planting %s's journal entry: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(account string) bool { return who == "sam" && account == "lee@example.org" },
		}, testenv.CanaryField{
			Name: who + ".hope_box", Owner: who,
			Plant: func(v string) error {
				if res := d.post(t, who, "/me/hope-box/words", url.Values{"text": {v}}); res.Code != http.StatusSeeOther {
					t.Fatalf("planting %s's hope box words: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(string) bool { return false },
		})
	}
	// Sam's chain analysis: Lee, whom sam lets see and edit chain analyses,
	// opens one and sam writes in every section; only Lee may read it.
	d.shareArea(t, "sam", "Lee", access.AreaChainAnalysis, access.LevelEdit)
	var chainPaths []string
	fields = append(fields, testenv.CanaryField{
		Name: "sam.chain_analysis", Owner: "sam",
		Plant: func(v string) error {
			lee, sam := staffActor(t, d, "lee@example.org"), personActor(d, "sam")
			o, err := d.chains.Open(context.Background(), lee, sam.ID, chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"})
			if err != nil {
				return err
			}
			c := chain.Content{Behaviour: v, Vulnerability: v, Prompting: v, Consequences: v, Prevention: v, Repair: v, Commitment: v,
				Links:     []chain.Link{{Type: chain.LinkThought, Text: v}},
				Solutions: []chain.Solution{{SkillID: "tipp", Text: v}}}
			if _, err := d.chains.Save(context.Background(), sam, sam.ID, o.Analysis.ID, chain.Draft{BasedOn: 1, Content: c}); err != nil {
				return err
			}
			cid := string(o.Analysis.ID)
			for _, person := range []string{"sam", "alex", "riley"} {
				pid := string(d.people[person])
				chainPaths = append(chainPaths, "/clinic/people/"+pid+"/chains/"+cid, "/api/v1/people/"+pid+"/chains/"+cid)
			}
			chainPaths = append(chainPaths, "/me/chains/"+cid, "/api/v1/me/chains/"+cid)
			return nil
		},
		Seen: func(account string) bool { return account == "lee@example.org" },
	})
	// Clinician notes: staff-only records, never the person's. Lee writes a
	// note about sam and one about alex; of sam's team only priya
	// (prescriber) and casey (care coordinator) may read sam's too; nobody
	// else is on alex's team. Sam and alex never see them, nor does jo.
	for _, who := range []string{"sam", "alex"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".clinician_note", Owner: "lee@example.org",
			Plant: func(v string) error {
				res := d.post(t, "lee@example.org", "/clinic/people/"+string(d.people[who])+"/notes", url.Values{"kind": {"safety_formulation"}, "text": {v}})
				if res.Code != http.StatusSeeOther {
					t.Fatalf("planting lee's note on %s: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(account string) bool {
				return who == "sam" && (account == "priya@example.org" || account == "casey@example.org")
			},
		})
	}
	// Sam's medication list, kept by priya: sam, lee (therapist) and casey
	// (care coordinator) see it; jo and everyone else never do.
	fields = append(fields, testenv.CanaryField{
		Name: "sam.medication", Owner: "priya@example.org",
		Plant: func(v string) error {
			res := d.post(t, "priya@example.org", "/clinic/people/"+string(d.people["sam"])+"/medication",
				url.Values{"id": {string(tend.NewID())}, "name": {v}, "dose": {v}, "schedule": {"Once a day"}, "started_on": {"2026-01-12"}})
			if res.Code != http.StatusSeeOther {
				t.Fatalf("planting sam's medication: %d", res.Code)
			}
			return nil
		},
		Seen: func(account string) bool {
			return account == "sam" || account == "lee@example.org" || account == "casey@example.org"
		},
	})
	// Each person's diary card note for today: their therapist sees the
	// diary by the service's default (lee for sam and alex, kim for riley),
	// nobody else.
	for _, who := range []string{"sam", "alex", "riley"} {
		fields = append(fields, testenv.CanaryField{
			Name: who + ".diary_note", Owner: who,
			Plant: func(v string) error {
				res := d.post(t, who, "/me/diary/"+demoToday(), url.Values{"idempotency_key": {"canary-" + v}, "note": {v}, "note_was": {""}})
				if res.Code != http.StatusSeeOther {
					t.Fatalf("planting %s's diary note: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(account string) bool { return account == therapist[who] },
		}, testenv.CanaryField{
			// The note's autosaved draft is the person's alone until they
			// save the card with it.
			Name: who + ".diary_draft", Owner: who,
			Plant: func(v string) error {
				if res := d.post(t, who, "/me/diary/"+demoToday()+"/draft", url.Values{"note": {v}}); res.Code != http.StatusOK {
					t.Fatalf("planting %s's diary draft: %d", who, res.Code)
				}
				return nil
			},
			Seen: func(string) bool { return false },
		})
	}
	accounts := []string{"", "sam", "alex", "riley", "lee@example.org", "priya@example.org", "jo@example.org", "kim@example.org", "morgan@example.org", "admin@example.org",
		"casey@example.org", "nia@example.org", "dana@example.org"}
	cookies = map[string]*http.Cookie{}
	for _, who := range accounts {
		if who != "" {
			cookies[who] = d.session(t, who)
		}
	}
	var exportsOnce sync.Once
	var exportPaths []string
	routes := func(string) []string {
		var out []string
		for _, p := range d.srv.Patterns() {
			method, path, ok := strings.Cut(p, " ")
			if !ok || method != http.MethodGet {
				continue
			}
			for _, person := range []string{"sam", "alex", "riley"} {
				out = append(out, strings.ReplaceAll(strings.NewReplacer("{id}", string(d.people[person]), "{country}", "GB", "{path...}", "js/app.js", "{$}", "").Replace(path),
					"{date}", demoToday()))
			}
		}
		for _, person := range []string{"sam", "alex", "riley"} {
			out = append(out, "/clinic/people/"+string(d.people[person])+"/test-area")
		}
		out = append(out, chainPaths...)
		// Every person's download of their information, made once all is
		// planted, fetched by every account.
		exportsOnce.Do(func() {
			for _, person := range []string{"sam", "alex", "riley"} {
				if res := d.post(t, person, "/me/data/exports", url.Values{}); res.Code != http.StatusSeeOther {
					t.Fatalf("%s asking for a download: %d", person, res.Code)
				}
				buildPending(t, d, d.people[person])
				list, err := d.rights.Exports(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people[person]}, d.people[person])
				if err != nil || len(list) != 1 {
					t.Fatalf("%s's downloads: %v %v", person, list, err)
				}
				exportPaths = append(exportPaths, "/me/data/exports/"+string(list[0].ID), "/api/v1/me/exports/"+string(list[0].ID))
			}
		})
		out = append(out, exportPaths...)
		// Every GET answer of FHIR R4 (issue 9), for every person it can
		// name: reads by the person's id, and searches for that person.
		for _, p := range api.FHIRPatterns() {
			method, path, _ := strings.Cut(p, " ")
			if method != http.MethodGet {
				continue
			}
			for _, person := range []string{"sam", "alex", "riley"} {
				id := string(d.people[person])
				if strings.Contains(path, "{id}") {
					out = append(out, strings.ReplaceAll(path, "{id}", id))
				} else {
					out = append(out, path, path+"?patient="+id)
				}
			}
		}
		// Every GET answer of the JSON API, for every person it can name.
		for _, p := range api.Patterns() {
			method, path, _ := strings.Cut(p, " ")
			if method != http.MethodGet {
				continue
			}
			for _, person := range []string{"sam", "alex", "riley"} {
				out = append(out, strings.ReplaceAll(path, "{id}", string(d.people[person])))
			}
		}
		return out
	}
	// Four fetches at once: a staff member's read writes its audit event
	// with a durable commit, so one fetch at a time leaves the processor
	// waiting for the disk.
	return &testenv.Crawler{Fields: fields, Accounts: accounts, Routes: routes, Fetch: fetch, Logs: logs.String, Workers: 4}, d
}

func memberID(t *testing.T, d *demoServer, person, staffName string) tend.ID {
	t.Helper()
	team, err := d.careTeam.Team(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people[person]}, d.people[person])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range team {
		if m.StaffName == staffName {
			return m.ID
		}
	}
	t.Fatalf("%s is not on %s's care team", staffName, person)
	return ""
}

// TestCanaryCrawler: nothing a person withholds reaches any other account,
// page or log line; the crawler itself catches a planted leak.
func TestCanaryCrawler(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c, d := crawler(t, false)
		r := c.Crawl(t)
		for _, l := range r.Leaks {
			t.Error(l)
		}
		t.Logf("canary crawler: %d fields, %d accounts, %d responses searched", r.Fields, r.Accounts, r.Responses)
		// The one field sam shares does reach Lee: the crawl can see it.
		body, _ := c.Fetch("lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/test-area")
		if !strings.HasPrefix(body, "canary-sam-test_area-") {
			t.Errorf("Lee cannot read what sam shares with him: %q", body)
		}
		// Sam revokes it: the very next request is refused.
		lee := memberID(t, d, "sam", "Lee")
		if err := d.careTeam.SetGrants(context.Background(), tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}, d.people["sam"],
			[]careteam.GrantChange{{MemberID: lee, Area: access.AreaTest, Level: access.LevelNone}}); err != nil {
			t.Fatal(err)
		}
		if body, _ := c.Fetch("lee@example.org", "/clinic/people/"+string(d.people["sam"])+"/test-area"); strings.Contains(body, "canary-") {
			t.Error("Lee still reads sam's test area after sam revoked it")
		}
	})
	t.Run("CatchesPlantedLeak", func(t *testing.T) {
		// The leak reaches Kim, on no one's care team; Lee, who may read
		// sam's test area, is crawled beside her. The full crawl of every
		// account is the subtest above.
		c, _ := crawler(t, true)
		c.Accounts = []string{"lee@example.org", "kim@example.org"}
		r := c.Crawl(t)
		found := false
		for _, l := range r.Leaks {
			if strings.Contains(l, "sam's sam.test_area reached kim@example.org") {
				found = true
			}
		}
		if !found {
			t.Errorf("the crawler missed the planted leak; it found: %v", r.Leaks)
		}
	})
}
