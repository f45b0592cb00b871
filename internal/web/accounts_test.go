package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/notify/channel"
	"github.com/tendcare/tend/internal/queue"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/toolbox"
	"github.com/tendcare/tend/internal/vault"
	"github.com/tendcare/tend/internal/web"
)

const demoPassword = "a demo password for tests"

// demoServer is the demo service on a real database, each account of the
// demo signed in once, when a test first acts as it.
type demoServer struct {
	srv      *web.Server
	mu       sync.Mutex // guards sessions
	sessions map[string]*http.Cookie
	people   map[string]tend.ID // demo people by username
	accounts *auth.Service
	careTeam *careteam.Service
	checker  *access.Checker
	db       *store.DB
	vault    *vault.Vault // seals free text, as serve's does
	plans    *safetyplan.Service
	followUp *followup.Service
	skills   *skills.Service
	journal  *journal.Service
	hopeBox  *hopebox.Service

	// notes, medication and groups: the care team's own records.
	notes      *notes.Service
	medication *medication.Service
	groups     *groups.Service

	episodes *episodes.Service
	diary    *diary.Service
	chains   *chain.Service

	// measures keeps questionnaires; a response raises safety prompts
	// through followUp.
	measures *measure.Service
	// rights carries out the people's downloads and erasures; cache
	// holds the service settings they read.
	rights *rights.Service
	cache  *settings.Cache
	// notify keeps the notification channels, sending e-mail to smtp and
	// accepting push endpoints on loopback (testenv.PushReceiver).
	notify *notify.Service
	smtp   *testenv.SMTPServer
}

func newDemoServer(t *testing.T) *demoServer {
	t.Helper()
	return newDemoServerWith(t, testenv.Discard())
}

// newDemoServerWith is newDemoServer logging to log.
func newDemoServerWith(t *testing.T, log *slog.Logger) *demoServer {
	t.Helper()
	return newDemoServerIn(t, log, "")
}

// newDemoServerIn is newDemoServer in the given locale ("" for the
// service's own).
func newDemoServerIn(t *testing.T, log *slog.Logger, locale string) *demoServer {
	t.Helper()
	return newDemoServerAt(t, log, locale, tend.SystemClock{})
}

// newDemoServerAt is newDemoServerIn with every part, the database and the
// server included, reading the time from clock.
func newDemoServerAt(t *testing.T, log *slog.Logger, locale string, clock tend.Clock) *demoServer {
	t.Helper()
	ctx := context.Background()
	db := testenv.Store(t, clock)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	dir, _ := crisis.Load()
	cat, _ := i18n.New()
	checker := access.NewChecker(db)
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, demoPassword); err != nil {
		t.Fatal(err)
	}
	extraCallers(t, db, accounts, careTeam)
	looks := audit.NewReader(db, checker)
	plans := safetyplan.NewService(store.For[safetyplan.Tx](db), checker, v, clock)
	followUp := newFollowUp(db, checker, v, clock, cache)
	toolboxes := toolbox.NewService(store.For[toolbox.Tx](db), checker, v, clock)
	skillSvc := skills.NewService(store.For[skills.Tx](db), checker, v, clock)
	journals := journal.NewService(store.For[journal.Tx](db), checker, v, clock)
	episodeSvc := episodes.NewService(store.For[episodes.Tx](db), checker, clock, cache.Episodes)
	hopeBoxes := hopebox.NewService(store.For[hopebox.Tx](db), checker, v, clock)
	noteSvc := notes.NewService(store.For[notes.Tx](db), checker, v, clock)
	medSvc := medication.NewService(store.For[medication.Tx](db), checker, v, clock)
	groupSvc := groups.NewService(store.For[groups.Tx](db), checker, clock)
	chainSvc := chain.NewService(store.For[chain.Tx](db), checker, v, skillSvc, clock)
	diaries := diary.NewService(store.For[diary.Tx](db), checker, v, followUp, clock, cache.Diary)
	measures := measure.NewService(store.For[measure.Tx](db), checker, followUp, clock, episodeSvc.WindowWeeks)
	reports := report.NewService(store.For[report.Tx](db), checker, clock, func() report.Settings {
		ep := cache.Episodes()
		return report.Settings{Modalities: ep.Modalities, WindowWeeks: ep.WindowWeeks, Location: ep.Location, Texts: cat.Printer(locale)}
	})
	rightsSvc := newTestRights(t, db, checker, v, clock, cache, accounts, rightsParts{plans: plans, journal: journals, hopeBox: hopeBoxes,
		toolbox: toolboxes, chains: chainSvc, medication: medSvc, notes: noteSvc})
	apiHandler, err := api.New(api.Options{Logger: log, Accounts: accounts, CareTeam: careTeam, Looks: looks,
		SafetyPlan: plans, FollowUp: followUp, Settings: cache, Clock: clock,
		Toolbox: toolboxes, Skills: skillSvc, SkillTexts: func() skills.Texts { return cat.Printer(locale) },
		Journal: journals, HopeBox: hopeBoxes, Chains: chainSvc,
		Diary: diaries,
		Notes: noteSvc, Medication: medSvc, Groups: groupSvc,
		Reports: reports, Rights: rightsSvc, Reminders: remind.NewService(store.For[remind.Tx](db), checker, nil, clock)})
	if err != nil {
		t.Fatal(err)
	}
	fhirHandler, err := api.NewFHIR(apiHandler, &fhir.Records{Accounts: accounts, CareTeams: careTeam, SafetyPlans: plans,
		Diary: diaries, Measures: measures, Owners: db, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	smtpServer := testenv.NewSMTPServer(t)
	mailer, err := channel.NewSMTP(smtpServer.URL(), "noreply@tend.example", "")
	if err != nil {
		t.Fatal(err)
	}
	notifySvc := notify.NewService(store.For[notify.Tx](db), v, clock, func() notify.Settings { st, _ := cache.Get(); return st.Notifications },
		notify.Options{PublicURL: "https://tend.example", Mailer: mailer, Pusher: channel.NewWebPush(), AllowLoopback: true, Limiter: accounts})
	srv, err := web.New(web.Options{
		Logger: log, Demo: true, Settings: cache, Crisis: dir, Catalog: cat, Locale: locale, Clock: clock,
		Notify:   notifySvc,
		Ready:    func(context.Context) error { return nil },
		Accounts: accounts, CareTeam: careTeam, Looks: looks, API: apiHandler, FHIR: fhirHandler,
		Admin:      settings.NewAdmin(store.For[settings.Tx](db), checker, cache, dir, clock),
		SafetyPlan: plans,
		FollowUp:   followUp,
		Toolbox:    toolboxes,
		Skills:     skillSvc,
		Journal:    journals,
		Episodes:   episodeSvc,
		HopeBox:    hopeBoxes,
		Chains:     chainSvc,
		Notes:      noteSvc, Medication: medSvc, Groups: groupSvc,
		Diary:     diaries,
		Measures:  measures,
		Reports:   reports,
		Rights:    rightsSvc,
		Reminders: remind.NewService(store.For[remind.Tx](db), checker, notifySvc, clock),
		Jobs:      queue.NewService(store.For[queue.Tx](db), checker, clock),
	})
	if err != nil {
		t.Fatal(err)
	}
	d := &demoServer{srv: srv, sessions: map[string]*http.Cookie{}, people: map[string]tend.ID{}, accounts: accounts, careTeam: careTeam, checker: checker, db: db, vault: v, plans: plans, followUp: followUp, skills: skillSvc,
		journal: journals, hopeBox: hopeBoxes, episodes: episodeSvc, chains: chainSvc,
		notes: noteSvc, medication: medSvc, groups: groupSvc, diary: diaries,
		measures: measures, rights: rightsSvc, cache: cache, notify: notifySvc, smtp: smtpServer}
	for _, u := range []string{"sam", "alex", "riley"} {
		p, err := db.FindPersonAccountByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		d.people[u] = p.ID
	}
	return d
}

// session returns who's session cookie, signing who in with the demo
// password the first time it is asked for: a password check costs an
// argon2id hash, and most tests need only a few of the demo accounts.
func (d *demoServer) session(t *testing.T, who string) *http.Cookie {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.sessions[who]; c != nil {
		return c
	}
	r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(url.Values{"identifier": {who}, "password": {demoPassword}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := httptest.NewRecorder()
	d.srv.ServeHTTP(res, r)
	if res.Code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%s", who, res.Code, res.Body.String())
	}
	for _, c := range res.Result().Cookies() {
		if c.Name == "tend_session" {
			d.sessions[who] = c
		}
	}
	if d.sessions[who] == nil {
		t.Fatalf("sign in as %s set no session cookie", who)
	}
	return d.sessions[who]
}

// setSession makes c who's session cookie from now on.
func (d *demoServer) setSession(who string, c *http.Cookie) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sessions[who] = c
}

func (d *demoServer) do(t *testing.T, who string, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	if who != "" {
		req.AddCookie(d.session(t, who))
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

func (d *demoServer) get(t *testing.T, who, path string) *httptest.ResponseRecorder {
	return d.do(t, who, httptest.NewRequest(http.MethodGet, path, nil))
}

func (d *demoServer) post(t *testing.T, who, path string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return d.do(t, who, r)
}

// TestAccountPages is the scenario table for the signed-in pages. Every
// expectation is written by hand from DESIGN.md "Who sees what" and the demo
// accounts (issue "People, care teams and trust", item 10).
func TestAccountPages(t *testing.T) {
	d := newDemoServer(t)
	tests := []struct {
		name            string
		who             string // "" is anonymous
		method, path    string
		wantStatus      int
		wantContains    []string
		wantNotContains []string
		wantLocation    string
	}{
		{name: "AnonymousMeSignsIn", method: "GET", path: "/me", wantStatus: 303, wantLocation: "/signin"},
		{name: "AnonymousClinicSignsIn", method: "GET", path: "/clinic", wantStatus: 303, wantLocation: "/signin"},
		{name: "AnonymousAdminSignsIn", method: "GET", path: "/admin", wantStatus: 303, wantLocation: "/signin"},
		{name: "PersonHome", who: "sam", method: "GET", path: "/me", wantStatus: 200,
			wantContains: []string{"Lee (therapist) joined your care team.", "Priya (prescriber) joined your care team.",
				"Lee can now see your diary card.", "Leave this site quickly", `href="/help"`}},
		{name: "PersonHomeShowsOnlyOwnTeam", who: "riley", method: "GET", path: "/me", wantStatus: 200,
			wantContains: []string{"Kim (therapist) joined your care team."}, wantNotContains: []string{"Lee", "Priya"}},
		{name: "StaffHaveNoPersonHome", who: "lee@example.org", method: "GET", path: "/me", wantStatus: 404},
		{name: "TherapistCaseload", who: "lee@example.org", method: "GET", path: "/clinic", wantStatus: 200,
			wantContains: []string{">sam</a></td>", ">alex</a></td>"}, wantNotContains: []string{"riley"}},
		{name: "OtherTeamCaseload", who: "kim@example.org", method: "GET", path: "/clinic", wantStatus: 200,
			wantContains: []string{">riley</a></td>"}, wantNotContains: []string{"sam", "alex"}},
		{name: "PrescriberCaseload", who: "priya@example.org", method: "GET", path: "/clinic", wantStatus: 200,
			wantContains: []string{">sam</a></td>", "prescriber"}, wantNotContains: []string{"alex", "riley"}},
		{name: "AdminSeesNoPeople", who: "admin@example.org", method: "GET", path: "/clinic", wantStatus: 200,
			wantContains: []string{"Nobody is on your care teams yet."}, wantNotContains: []string{"sam", "alex", "riley"}},
		{name: "PeopleHaveNoClinic", who: "sam", method: "GET", path: "/clinic", wantStatus: 404},
		{name: "AdminHome", who: "admin@example.org", method: "GET", path: "/admin", wantStatus: 200,
			wantContains: []string{"Crisis lines to confirm", "I have checked the lines for United Kingdom"}},
		{name: "ErrClinicianIsNotAdmin", who: "lee@example.org", method: "GET", path: "/admin", wantStatus: 403},
		{name: "ErrLeadIsNotAdmin", who: "morgan@example.org", method: "GET", path: "/admin", wantStatus: 403},
		{name: "PeopleHaveNoAdmin", who: "sam", method: "GET", path: "/admin", wantStatus: 404},
		{name: "ErrClinicianCannotConfirm", who: "lee@example.org", method: "POST", path: "/admin/crisis-lines/GB/confirm", wantStatus: 403},
		{name: "AdminConfirms", who: "admin@example.org", method: "POST", path: "/admin/crisis-lines/GB/confirm", wantStatus: 303, wantLocation: "/admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *httptest.ResponseRecorder
			if tt.method == "POST" {
				res = d.post(t, tt.who, tt.path, url.Values{})
			} else {
				res = d.get(t, tt.who, tt.path)
			}
			if res.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", res.Code, tt.wantStatus)
			}
			if tt.wantLocation != "" && res.Header().Get("Location") != tt.wantLocation {
				t.Errorf("Location = %q, want %q", res.Header().Get("Location"), tt.wantLocation)
			}
			body := res.Body.String()
			for _, s := range tt.wantContains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tt.wantNotContains {
				if strings.Contains(body, s) {
					t.Errorf("body contains %q", s)
				}
			}
		})
	}
}

// TestWhoLooked: a staff read of sam's information appears on sam's "who
// has looked" page, and on no one else's.
func TestWhoLooked(t *testing.T) {
	d := newDemoServer(t)
	if body := d.get(t, "sam", "/me/who-looked").Body.String(); !strings.Contains(body, "Nobody from your service has looked") {
		t.Fatal("sam's page lists looks before anyone looked")
	}
	d.get(t, "lee@example.org", "/clinic") // Lee's caseload shows sam and alex
	sam := d.get(t, "sam", "/me/who-looked").Body.String()
	if !strings.Contains(sam, "Lee (clinician)") || !strings.Contains(sam, "your basic details") {
		t.Errorf("sam's page does not show Lee's look")
	}
	if riley := d.get(t, "riley", "/me/who-looked").Body.String(); strings.Contains(riley, "Lee") {
		t.Error("riley's page shows a look at someone else")
	}
	if !strings.Contains(sam, "Your sign-ins") || !strings.Contains(sam, "Signed in") {
		t.Error("sam's own sign-ins are missing")
	}
}

func TestSignIn(t *testing.T) {
	d := newDemoServer(t)
	wrong := d.post(t, "", "/signin", url.Values{"identifier": {"sam"}, "password": {"not the password"}})
	unknown := d.post(t, "", "/signin", url.Values{"identifier": {"nobody-here"}, "password": {"not the password"}})
	if wrong.Code != 401 || unknown.Code != 401 {
		t.Fatalf("wrong password %d, unknown account %d; want 401 both", wrong.Code, unknown.Code)
	}
	msg := func(body string) string {
		i := strings.Index(body, `<div class="error-summary"`)
		if i < 0 {
			return ""
		}
		return body[i : i+strings.Index(body[i:], "</div>")]
	}
	if msg(wrong.Body.String()) == "" || msg(wrong.Body.String()) != msg(unknown.Body.String()) {
		t.Errorf("a wrong password and an unknown account answer differently:\n%q\n%q", msg(wrong.Body.String()), msg(unknown.Body.String()))
	}
	if !strings.Contains(wrong.Body.String(), `value="sam"`) || strings.Contains(wrong.Body.String(), "not the password") {
		t.Error("the form should keep the username and never echo the password")
	}
	out := d.post(t, "sam", "/signout", url.Values{})
	if out.Code != 303 {
		t.Fatalf("sign out: %d", out.Code)
	}
	if res := d.get(t, "sam", "/me"); res.Code != 303 {
		t.Errorf("after signing out, the old session still opens /me: %d", res.Code)
	}
}

// TestPersonPageAndSharing: a person's page for staff answers 404 to anyone
// without a relationship to the person (kim, from another team), shows
// what the person shares with the viewer, and follows the person's change
// of sharing on the very next request.
func TestPersonPageAndSharing(t *testing.T) {
	d := newDemoServer(t)
	sam := "/clinic/people/" + string(d.people["sam"])
	tests := []struct {
		who        string
		wantStatus int
	}{
		{"lee@example.org", 200}, {"priya@example.org", 200}, {"jo@example.org", 200}, {"morgan@example.org", 200},
		{"kim@example.org", 404}, {"admin@example.org", 403}, {"sam", 404}, {"alex", 404},
	}
	for _, tt := range tests {
		if res := d.get(t, tt.who, sam); res.Code != tt.wantStatus {
			t.Errorf("%s opens sam's page: %d, want %d", tt.who, res.Code, tt.wantStatus)
		}
	}
	if res := d.get(t, "lee@example.org", "/clinic/people/"+string(d.people["riley"])); res.Code != 404 {
		t.Errorf("lee opens riley's page (another team): %d, want 404", res.Code)
	}
	if res := d.get(t, "lee@example.org", "/clinic/people/not-an-id"); res.Code != 404 {
		t.Errorf("a malformed id: %d, want 404", res.Code)
	}

	before := d.get(t, "lee@example.org", sam).Body.String()
	if !strings.Contains(before, "diary card: Can see") || !strings.Contains(before, "safety plan: Can see and edit") {
		t.Fatalf("lee's view of sam lacks the service's default sharing")
	}
	page := d.get(t, "sam", "/me/sharing").Body.String()
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<select id="(grant\.[^"]+)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], "none") // sam stops sharing everything with everyone
	}
	if len(form) < 3 {
		t.Fatalf("sam's sharing page has %d choices", len(form))
	}
	if res := d.post(t, "sam", "/me/sharing", form); res.Code != 303 {
		t.Fatalf("saving sharing: %d\n%s", res.Code, res.Body.String())
	}
	after := d.get(t, "lee@example.org", sam).Body.String()
	if strings.Contains(after, "diary card: Can see") || !strings.Contains(after, "They do not share anything with you at the moment.") {
		t.Error("lee still sees sam's diary after sam stopped sharing it")
	}
	bad := url.Values{}
	for k := range form {
		bad.Set(k, "everything")
		break
	}
	if res := d.post(t, "sam", "/me/sharing", bad); res.Code != 400 || !strings.Contains(res.Body.String(), "Choose see, see and edit, or nothing.") {
		t.Errorf("an invalid level: %d", res.Code)
	}
}

// TestJoin walks through joining with an invite, with JavaScript's help or
// not (every step is a plain form): under-18s see the service's
// confidentiality notice before anything else.
func TestJoin(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	invite := func(band string) string {
		code, _, err := d.accounts.CreateInvite(ctx, tend.System, auth.NewInvite{Team: demo.TeamRiverside, AgeBand: band})
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	t.Run("Under18SeesNoticeFirst", func(t *testing.T) {
		code := invite("under_18")
		res := d.post(t, "", "/join", url.Values{"code": {code}})
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, "Before you start") || !strings.Contains(body, "We will usually talk to you first.") || strings.Contains(body, `name="username"`) {
			t.Fatalf("an under-18 invite did not show the confidentiality notice first: %d", res.Code)
		}
		res = d.post(t, "", "/join", url.Values{"code": {code}, "acknowledged": {"1"}})
		if !strings.Contains(res.Body.String(), `name="username"`) {
			t.Fatal("after the notice, no account form")
		}
		res = d.post(t, "", "/join", url.Values{"code": {code}, "acknowledged": {"1"}, "username": {"river.song"}, "password": {"a long enough password"},
			"time_zone": {"Europe/London"}, "recovery_codes": {"1"}})
		if res.Code != 200 || !strings.Contains(res.Body.String(), "Your recovery codes") {
			t.Fatalf("join: %d\n%s", res.Code, res.Body.String())
		}
		var session *http.Cookie
		for _, c := range res.Result().Cookies() {
			if c.Name == "tend_session" {
				session = c
			}
		}
		if session == nil {
			t.Fatal("joining did not sign the person in")
		}
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.AddCookie(session)
		rec := httptest.NewRecorder()
		d.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("the new person's home: %d", rec.Code)
		}
		again := d.post(t, "", "/join", url.Values{"code": {code}})
		if again.Code != 400 || !strings.Contains(again.Body.String(), "already been used") {
			t.Errorf("a used code: %d", again.Code)
		}
	})
	t.Run("AdultGoesStraightToAccount", func(t *testing.T) {
		code := invite("over_25")
		res := d.post(t, "", "/join", url.Values{"code": {code}})
		if body := res.Body.String(); strings.Contains(body, "Before you start") || !strings.Contains(body, `name="username"`) {
			t.Error("an adult invite should go straight to the account form")
		}
		res = d.post(t, "", "/join", url.Values{"code": {code}, "username": {"sam"}, "password": {"a long enough password"}})
		if res.Code != 400 || !strings.Contains(res.Body.String(), "taken") || !strings.Contains(res.Body.String(), `value="sam"`) {
			t.Errorf("a taken username: %d", res.Code)
		}
		res = d.post(t, "", "/join", url.Values{"code": {code}, "username": {"pat"}, "password": {"a long enough password"}})
		if res.Code != 303 || res.Header().Get("Location") != "/me" {
			t.Errorf("join without recovery codes: %d %s", res.Code, res.Header().Get("Location"))
		}
	})
	t.Run("ErrWrongCode", func(t *testing.T) {
		res := d.post(t, "", "/join", url.Values{"code": {"AAAA-BBBB-CCCC-DDDD"}})
		if res.Code != 400 || !strings.Contains(res.Body.String(), "That invite code is not right.") {
			t.Errorf("a wrong code: %d", res.Code)
		}
	})
}

// TestNoticeDismiss: the person marks a notice read, and only their own.
func TestNoticeDismiss(t *testing.T) {
	d := newDemoServer(t)
	home := d.get(t, "sam", "/me").Body.String()
	ids := regexp.MustCompile(`/me/notices/([0-9a-f-]{36})/dismiss`).FindAllStringSubmatch(home, -1)
	if len(ids) < 2 {
		t.Fatalf("sam has %d notices to dismiss", len(ids))
	}
	if res := d.post(t, "alex", "/me/notices/"+ids[0][1]+"/dismiss", url.Values{}); res.Code != 404 {
		t.Errorf("alex dismissing sam's notice: %d, want 404", res.Code)
	}
	if res := d.post(t, "sam", "/me/notices/"+ids[0][1]+"/dismiss", url.Values{}); res.Code != 303 {
		t.Fatalf("dismiss: %d", res.Code)
	}
	after := d.get(t, "sam", "/me").Body.String()
	if strings.Contains(after, ids[0][1]) || !strings.Contains(after, ids[1][1]) {
		t.Error("the dismissed notice is still shown, or another one went too")
	}
}

// TestHelpLooksUpNoSession: the help page never reads the database on a
// request, so it does not even look up a signed-in person's session.
func TestHelpLooksUpNoSession(t *testing.T) {
	d := newDemoServer(t)
	body := d.get(t, "sam", "/help").Body.String()
	if strings.Contains(body, `action="/signout"`) {
		t.Error("the help page looked up the session")
	}
	if !strings.Contains(body, "Samaritans") {
		t.Error("the help page lacks its lines")
	}
}

// extraCallers adds the kinds of caller the demo lacks, for the matrix: a
// care coordinator of sam's whose shared area sam revoked, a lead of
// another team, and a member of a duty team with no task open for sam.
func extraCallers(t *testing.T, db *store.DB, accounts *auth.Service, careTeam *careteam.Service) {
	t.Helper()
	ctx := context.Background()
	if _, err := accounts.CreateTeam(ctx, tend.System, "Duty team", "duty"); err != nil {
		t.Fatal(err)
	}
	ids := map[string]tend.ID{}
	for _, s := range []auth.NewStaff{
		{Email: "casey@example.org", Name: "Casey", Role: tend.RoleClinician, Team: demo.TeamRiverside, Password: demoPassword},
		{Email: "nia@example.org", Name: "Nia", Role: tend.RoleLead, Team: demo.TeamNorthside, Password: demoPassword},
		{Email: "dana@example.org", Name: "Dana", Role: tend.RoleClinician, Team: "Duty team", Password: demoPassword},
	} {
		a, _, err := accounts.CreateStaff(ctx, tend.System, s)
		if err != nil {
			t.Fatal(err)
		}
		ids[s.Email] = a.ID
	}
	admin, err := accounts.FindStaffByEmail(ctx, tend.System, "admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	sam, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	asAdmin := tend.Actor{Kind: tend.KindStaff, ID: admin.ID, Role: tend.RoleAdmin, MFA: true}
	m, err := careTeam.AddMember(ctx, asAdmin, sam.ID, ids["casey@example.org"], tend.CareCoordinator)
	if err != nil {
		t.Fatal(err)
	}
	asSam := tend.Actor{Kind: tend.KindPerson, ID: sam.ID}
	for _, level := range []access.Level{access.LevelSee, access.LevelNone} { // shared, then revoked
		if err := careTeam.SetGrants(ctx, asSam, sam.ID, []careteam.GrantChange{{MemberID: m.ID, Area: access.AreaTest, Level: level}}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCareTeamReadAudited: a staff member reading sam's care team through
// the API shows on sam's "who looked" page.
func TestCareTeamReadAudited(t *testing.T) {
	d := newDemoServer(t)
	if res := d.get(t, "lee@example.org", "/api/v1/people/"+string(d.people["sam"])+"/care-team"); res.Code != 200 {
		t.Fatalf("lee reads sam's care team: %d", res.Code)
	}
	body := d.get(t, "sam", "/me/who-looked").Body.String()
	if !strings.Contains(body, "Lee (clinician)") || !strings.Contains(body, "your care team") {
		t.Error("the care-team read is not on sam's page")
	}
	if body := d.get(t, "alex", "/me/who-looked").Body.String(); strings.Contains(body, "your care team") {
		t.Error("the read shows on alex's page")
	}
}
