package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/api"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
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
)

const demoPassword = "a demo password for tests"

var ctx = context.Background()

// env is the demo service on a real database (SQLite, or PostgreSQL when
// TEND_TEST_POSTGRES is set) with the API in front of it, every demo
// account signed in once, and a few tokens made.
type env struct {
	db       *store.DB
	clock    *tend.FixedClock
	accounts *auth.Service
	careTeam *careteam.Service
	checker  *access.Checker
	looks    *audit.Reader
	plans    *safetyplan.Service
	followUp *followup.Service
	skills   *skills.Service
	journal  *journal.Service
	hopeBox  *hopebox.Service

	// chains keeps chain analyses.
	chains *chain.Service

	// diary keeps diary cards.
	diary *diary.Service

	// measure keeps questionnaires.
	measure *measure.Service

	// notes, meds and groups keep the care team's own records.
	notes  *notes.Service
	meds   *medication.Service
	groups *groups.Service

	// episodes keeps episodes of care; reports builds the outcomes report.
	episodes *episodes.Service
	reports  *report.Service
	// rights makes the person's downloads of their information.
	rights *rights.Service

	api      *api.Handler
	sessions map[string]string // who -> session token (the tend_session cookie)
	actors   map[string]tend.Actor
	ids      map[string]tend.ID // usernames and e-mails -> account ids
}

var demoAccounts = []string{"sam", "alex", "riley", "lee@example.org", "priya@example.org", "jo@example.org", "kim@example.org", "morgan@example.org", "admin@example.org"}

func newEnv(t testing.TB) *env {
	t.Helper()
	clock := &tend.FixedClock{T: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db := testenv.Store(t, clock)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	e := &env{db: db, clock: clock, checker: checker, sessions: map[string]string{}, actors: map[string]tend.Actor{}, ids: map[string]tend.ID{},
		accounts: auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db}),
		careTeam: careteam.NewService(store.For[careteam.Tx](db), checker, clock),
		looks:    audit.NewReader(db, checker),
	}
	if err := demo.Seed(ctx, demo.Services{Accounts: e.accounts, CareTeam: e.careTeam}, demoPassword); err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	e.plans = safetyplan.NewService(store.For[safetyplan.Tx](db), checker, v, clock)
	e.followUp = followup.NewService(store.For[followup.Tx](db), checker, v, clock, cache.FollowUp, nil)
	e.skills = skills.NewService(store.For[skills.Tx](db), checker, v, clock)
	e.journal = journal.NewService(store.For[journal.Tx](db), checker, v, clock)
	e.hopeBox = hopebox.NewService(store.For[hopebox.Tx](db), checker, v, clock)
	e.notes = notes.NewService(store.For[notes.Tx](db), checker, v, clock)
	e.meds = medication.NewService(store.For[medication.Tx](db), checker, v, clock)
	e.groups = groups.NewService(store.For[groups.Tx](db), checker, clock)
	e.diary = diary.NewService(store.For[diary.Tx](db), checker, v, e.followUp, clock, cache.Diary)
	e.chains = chain.NewService(store.For[chain.Tx](db), checker, v, e.skills, clock)
	e.measure = measure.NewService(store.For[measure.Tx](db), checker, e.followUp, clock, nil)
	e.episodes = episodes.NewService(store.For[episodes.Tx](db), checker, clock, cache.Episodes)
	e.reports = report.NewService(store.For[report.Tx](db), checker, clock, nil)
	// The person's downloads, with the journal as their one part; units
	// of work enqueue the job through an inserting client.
	if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	e.rights = rights.NewService(store.For[rights.Tx](db), checker, v, clock, cache.Records, rights.Options{Parts: []rights.Part{{Name: "journal",
		Collect: func(ctx context.Context, a tend.Actor, id tend.ID) (any, error) { return e.journal.Entries(ctx, a, id) }}}})
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	e.api, err = api.New(api.Options{Logger: testenv.Logger(t), Accounts: e.accounts, CareTeam: e.careTeam, Looks: e.looks,
		SafetyPlan: e.plans, FollowUp: e.followUp, Settings: cache, Clock: clock,
		Skills: e.skills, SkillTexts: func() skills.Texts { return cat.Printer(i18n.Source) },
		Toolbox: toolbox.NewService(store.For[toolbox.Tx](db), checker, v, clock),
		Journal: e.journal, HopeBox: e.hopeBox,
		Notes: e.notes, Medication: e.meds, Groups: e.groups,
		Diary:    e.diary,
		Chains:   e.chains,
		Measures: e.measure,
		Episodes: e.episodes,
		Reports:  e.reports,
		Rights:   e.rights,
		// Reminder preferences only; nothing is sent from these tests.
		Reminders: remind.NewService(store.For[remind.Tx](db), checker, nil, clock)})
	if err != nil {
		t.Fatal(err)
	}
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
			t.Fatalf("authenticate %s: %v", who, err)
		}
		e.sessions[who], e.actors[who], e.ids[who] = tok, a, a.ID
	}
	return e
}

// token makes an API token for who's account.
func (e *env) token(t *testing.T, who string, expires time.Duration, scopes ...string) (string, auth.Token) {
	t.Helper()
	secret, tok, err := e.accounts.CreateToken(ctx, e.actors[who], scopes, e.clock.Now().Add(expires))
	if err != nil {
		t.Fatalf("token for %s: %v", who, err)
	}
	return secret, tok
}

// memberID returns the id of staff's membership of person's care team.
func (e *env) memberID(t testing.TB, person, staff string) tend.ID {
	t.Helper()
	ms, err := e.careTeam.Members(ctx, e.actors[person], e.ids[person])
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.StaffID == e.ids[staff] {
			return m.ID
		}
	}
	t.Fatalf("%s is not on %s's care team", staff, person)
	return ""
}

// request is one call: who is "" (anonymous), a demo account (its session
// cookie) or "bearer:<secret>" (an API token).
func (e *env) do(who, method, path, body string) (*http.Request, *httptest.ResponseRecorder) {
	return e.doKey(who, method, path, body, "")
}

// doKey is do with an Idempotency-Key header when key is not "".
func (e *env) doKey(who, method, path, body, key string) (*http.Request, *httptest.ResponseRecorder) {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	switch {
	case strings.HasPrefix(who, "bearer:"):
		req.Header.Set("Authorization", "Bearer "+strings.TrimPrefix(who, "bearer:"))
	case strings.HasPrefix(who, "header:"):
		req.Header.Set("Authorization", strings.TrimPrefix(who, "header:"))
	case who != "":
		req.AddCookie(&http.Cookie{Name: "tend_session", Value: e.sessions[who]})
	}
	rec := httptest.NewRecorder()
	e.api.ServeHTTP(rec, req)
	return req, rec
}
