package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
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
	"github.com/tendcare/tend/internal/toolbox"
)

// Options are the API's dependencies, passed explicitly.
type Options struct {
	Logger   *slog.Logger
	Accounts *auth.Service
	CareTeam *careteam.Service
	Looks    *audit.Reader
	// SafetyPlan serves /me/safety-plan and people's plans; FollowUp
	// contact requests and the task inbox. Routes whose service is nil
	// answer 404.
	SafetyPlan *safetyplan.Service
	FollowUp   *followup.Service
	// Toolbox serves the person's coping toolbox and its log.
	Toolbox *toolbox.Service
	// Skills serves the skills library and the person's homework, with
	// SkillTexts wording the library in the service's language. Without
	// both, those routes answer 404.
	Skills     *skills.Service
	SkillTexts func() skills.Texts
	// Journal serves the person's journal; HopeBox their hope box.
	Journal *journal.Service
	// Diary serves the DBT diary card.
	Diary   *diary.Service
	HopeBox *hopebox.Service
	// Notes, Medication and Groups serve clinician notes, the medication
	// list and support groups.
	Notes      *notes.Service
	Medication *medication.Service
	Groups     *groups.Service
	// Episodes serves episodes of care, sessions and incidents.
	Episodes *episodes.Service
	// Chains serves behaviour chain analyses.
	Chains *chain.Service
	// Measures serves questionnaires: instruments, assignments, answers
	// and scores.
	Measures *measure.Service
	// Reports serves the aggregated, suppressed outcomes report.
	Reports *report.Service
	// Rights serves the person's downloads of their information; nil
	// answers 404.
	Rights *rights.Service
	// Reminders serves the person's reminder preferences; nil answers 404.
	Reminders *remind.Service
	// FHIRImport imports Bundles at POST /fhir/r4; nil answers 404.
	FHIRImport *fhir.Importer
	// Settings and Clock say when the care team next reads a contact
	// request (the service's hours); nil Settings leaves it out.
	Settings *settings.Cache
	Clock    tend.Clock
	// Authenticate returns the actor of the request's browser session, or
	// the zero Actor. Nil means the API reads the tend_session cookie itself
	// through Accounts.Authenticate.
	Authenticate func(*http.Request) tend.Actor
}

// Handler serves /api/v1. Mount it behind the web server's middleware
// (session, body limit, cross-origin protection, security headers, logs).
type Handler struct {
	opt Options
	mux *http.ServeMux
}

// handlerFunc is an API handler: it gets the authenticated actor (the zero
// Actor on public routes) and returns an error to be written as a problem.
type handlerFunc func(h *Handler, w http.ResponseWriter, r *http.Request, a tend.Actor) error

// route is one line of the route table. The table is the single list of
// what the API serves: New registers it, and a test checks it against the
// OpenAPI document both ways.
type route struct {
	method  string
	pattern string // a net/http pattern path; the same text is the OpenAPI path
	public  bool   // needs no sign-in
	fn      handlerFunc
}

var routes = []route{
	{http.MethodGet, "/api/v1/openapi.json", true, (*Handler).openapiShow},
	{http.MethodGet, "/api/v1/me", false, (*Handler).meShow},
	{http.MethodGet, "/api/v1/me/care-team", false, (*Handler).meCareTeamList},
	{http.MethodGet, "/api/v1/me/sharing", false, (*Handler).sharingList},
	{http.MethodPut, "/api/v1/me/sharing/{memberID}/{area}", false, (*Handler).sharingUpdate},
	{http.MethodGet, "/api/v1/me/who-looked", false, (*Handler).whoLookedList},
	{http.MethodGet, "/api/v1/me/reminders", false, needs(remindersOn, (*Handler).remindersShow)},
	{http.MethodPut, "/api/v1/me/reminders", false, needs(remindersOn, (*Handler).remindersSave)},
	{http.MethodGet, "/api/v1/me/notices", false, (*Handler).noticeList},
	{http.MethodGet, "/api/v1/me/exports", false, (*Handler).dataExportList},
	{http.MethodPost, "/api/v1/me/exports", false, (*Handler).dataExportCreate},
	{http.MethodGet, "/api/v1/me/exports/{id}", false, (*Handler).dataExportDownload},
	{http.MethodGet, "/api/v1/me/tokens", false, (*Handler).tokenList},
	{http.MethodPost, "/api/v1/me/tokens", false, (*Handler).tokenCreate},
	{http.MethodDelete, "/api/v1/me/tokens/{id}", false, (*Handler).tokenDelete},
	{http.MethodGet, "/api/v1/caseload", false, (*Handler).caseloadList},
	{http.MethodGet, "/api/v1/people/{id}/care-team", false, (*Handler).personCareTeamList},
	{http.MethodGet, "/api/v1/me/safety-plan", false, needs(plans, (*Handler).safetyPlanShow)},
	{http.MethodPut, "/api/v1/me/safety-plan", false, needs(plans, (*Handler).safetyPlanSave)},
	{http.MethodGet, "/api/v1/me/safety-plan/versions", false, needs(plans, (*Handler).safetyPlanVersions)},
	{http.MethodGet, "/api/v1/people/{id}/safety-plan", false, needs(plans, (*Handler).personSafetyPlanShow)},
	{http.MethodPost, "/api/v1/me/contact-requests", false, needs(followUps, (*Handler).contactRequestCreate)},
	{http.MethodPost, "/api/v1/me/contact-requests/notice", false, needs(followUps, (*Handler).contactNoticeRead)},
	{http.MethodGet, "/api/v1/me/safety-prompts", false, needs(followUps, (*Handler).safetyPromptList)},
	{http.MethodGet, "/api/v1/tasks", false, needs(followUps, (*Handler).taskList)},
	{http.MethodGet, "/api/v1/team-tasks", false, needs(followUps, (*Handler).teamTaskList)},
	{http.MethodPost, "/api/v1/tasks/{id}/acknowledge", false, needs(followUps, (*Handler).taskAcknowledge)},
	{http.MethodPost, "/api/v1/tasks/{id}/resolve", false, needs(followUps, (*Handler).taskResolve)},
	{http.MethodGet, "/api/v1/me/toolbox/activities", false, needs(toolboxes, (*Handler).toolboxActivityList)},
	{http.MethodGet, "/api/v1/me/toolbox/uses", false, needs(toolboxes, (*Handler).toolboxUseList)},
	{http.MethodPost, "/api/v1/me/toolbox/uses", false, needs(toolboxes, (*Handler).toolboxUseCreate)},
	{http.MethodGet, "/api/v1/skills", false, needs(skillsOn, (*Handler).skillList)},
	{http.MethodGet, "/api/v1/me/homework", false, needs(skillsOn, (*Handler).homeworkList)},
	{http.MethodPost, "/api/v1/me/homework/{id}/practice", false, needs(skillsOn, (*Handler).homeworkPracticeCreate)},
	{http.MethodGet, "/api/v1/me/journal", false, needs(journals, (*Handler).journalList)},
	{http.MethodPost, "/api/v1/me/journal", false, needs(journals, (*Handler).journalCreate)},
	{http.MethodGet, "/api/v1/me/journal/{id}", false, needs(journals, (*Handler).journalShow)},
	{http.MethodPut, "/api/v1/me/journal/{id}", false, needs(journals, (*Handler).journalSave)},
	{http.MethodGet, "/api/v1/me/hope-box", false, needs(hopeBoxes, (*Handler).hopeBoxShow)},
	{http.MethodGet, "/api/v1/people/{id}/notes", false, needs(notesOn, (*Handler).personNoteList)},
	{http.MethodPost, "/api/v1/people/{id}/notes", false, needs(notesOn, (*Handler).personNoteCreate)},
	{http.MethodGet, "/api/v1/me/medication", false, needs(medicationOn, (*Handler).myMedicationList)},
	{http.MethodGet, "/api/v1/people/{id}/medication", false, needs(medicationOn, (*Handler).personMedicationList)},
	{http.MethodPost, "/api/v1/people/{id}/medication", false, needs(medicationOn, (*Handler).personMedicationCreate)},
	{http.MethodPost, "/api/v1/people/{id}/medication/{mid}/stop", false, needs(medicationOn, (*Handler).personMedicationStop)},
	{http.MethodGet, "/api/v1/groups", false, needs(groupsOn, (*Handler).groupList)},
	{http.MethodPost, "/api/v1/groups/{id}/attendance", false, needs(groupsOn, (*Handler).groupAttendanceCreate)},
	{http.MethodGet, "/api/v1/people/{id}/episodes", false, needs(episodesOn, (*Handler).personEpisodesList)},
	{http.MethodPost, "/api/v1/people/{id}/episodes", false, needs(episodesOn, (*Handler).personEpisodeStep)},
	{http.MethodGet, "/api/v1/people/{id}/sessions", false, needs(episodesOn, (*Handler).personSessionsList)},
	{http.MethodPost, "/api/v1/people/{id}/sessions", false, needs(episodesOn, (*Handler).personSessionCreate)},
	{http.MethodGet, "/api/v1/people/{id}/incidents", false, needs(episodesOn, (*Handler).personIncidentsList)},
	{http.MethodPost, "/api/v1/people/{id}/incidents", false, needs(episodesOn, (*Handler).personIncidentCreate)},
	{http.MethodGet, "/api/v1/me/episodes", false, needs(episodesOn, (*Handler).myEpisodesList)},
	{http.MethodPut, "/api/v1/me/diary/{date}", false, needs(diaries, (*Handler).diarySave)},
	{http.MethodGet, "/api/v1/me/diary", false, needs(diaries, (*Handler).diaryList)},
	{http.MethodGet, "/api/v1/me/diary/{date}/history", false, needs(diaries, (*Handler).diaryHistory)},
	{http.MethodGet, "/api/v1/people/{id}/diary", false, needs(diaries, (*Handler).personDiaryList)},
	{http.MethodGet, "/api/v1/me/diary-config", false, needs(diaries, (*Handler).diaryConfigShow)},
	{http.MethodGet, "/api/v1/people/{id}/diary-config", false, needs(diaries, (*Handler).diaryConfigShow)},
	{http.MethodPost, "/api/v1/me/diary-config/targets", false, needs(diaries, (*Handler).diaryTargetCreate)},
	{http.MethodPatch, "/api/v1/me/diary-config/targets/{tid}", false, needs(diaries, (*Handler).diaryTargetUpdate)},
	{http.MethodPost, "/api/v1/people/{id}/diary-config/targets", false, needs(diaries, (*Handler).diaryTargetCreate)},
	{http.MethodPatch, "/api/v1/people/{id}/diary-config/targets/{tid}", false, needs(diaries, (*Handler).diaryTargetUpdate)},
	{http.MethodGet, "/api/v1/me/chains", false, needs(chainsOn, (*Handler).myChainList)},
	{http.MethodGet, "/api/v1/me/chains/{cid}", false, needs(chainsOn, (*Handler).myChainShow)},
	{http.MethodPut, "/api/v1/me/chains/{cid}", false, needs(chainsOn, (*Handler).myChainSave)},
	{http.MethodGet, "/api/v1/people/{id}/chains", false, needs(chainsOn, (*Handler).personChainList)},
	{http.MethodPost, "/api/v1/people/{id}/chains", false, needs(chainsOn, (*Handler).personChainOpen)},
	{http.MethodGet, "/api/v1/people/{id}/chains/{cid}", false, needs(chainsOn, (*Handler).personChainShow)},
	{http.MethodPut, "/api/v1/people/{id}/chains/{cid}", false, needs(chainsOn, (*Handler).personChainSave)},
	{http.MethodGet, "/api/v1/instruments", false, needs(measures, (*Handler).instrumentList)},
	{http.MethodPost, "/api/v1/instruments", false, needs(measures, (*Handler).instrumentImport)},
	{http.MethodGet, "/api/v1/instruments/{id}", false, needs(measures, (*Handler).instrumentShow)},
	{http.MethodGet, "/api/v1/instruments/{id}/questionnaire", false, needs(measures, (*Handler).instrumentQuestionnaire)},
	{http.MethodPost, "/api/v1/instruments/{id}/retire", false, needs(measures, (*Handler).instrumentRetire)},
	{http.MethodPut, "/api/v1/instruments/{id}/prompts", false, needs(measures, (*Handler).instrumentPrompts)},
	{http.MethodGet, "/api/v1/people/{id}/questionnaires/assignments", false, needs(measures, (*Handler).personAssignmentList)},
	{http.MethodPost, "/api/v1/people/{id}/questionnaires/assignments", false, needs(measures, (*Handler).personAssignmentCreate)},
	{http.MethodPost, "/api/v1/people/{id}/questionnaires/assignments/{aid}/end", false, needs(measures, (*Handler).personAssignmentEnd)},
	{http.MethodGet, "/api/v1/me/questionnaires", false, needs(measures, (*Handler).myQuestionnaireList)},
	{http.MethodGet, "/api/v1/me/questionnaires/scores", false, needs(measures, (*Handler).myScores)},
	{http.MethodGet, "/api/v1/me/questionnaires/{dueID}", false, needs(measures, (*Handler).myQuestionnaireShow)},
	{http.MethodPut, "/api/v1/me/questionnaires/{dueID}", false, needs(measures, (*Handler).myQuestionnaireSave)},
	{http.MethodGet, "/api/v1/people/{id}/questionnaires/scores", false, needs(measures, (*Handler).personScores)},
	{http.MethodGet, "/api/v1/people/{id}/questionnaires/responses/{rid}", false, needs(measures, (*Handler).personResponseShow)},
	{http.MethodGet, "/api/v1/reports/outcomes", false, needs(reportsOn, (*Handler).outcomesReport)},
}

func plans(h *Handler) bool     { return h.opt.SafetyPlan != nil }
func journals(h *Handler) bool  { return h.opt.Journal != nil }
func hopeBoxes(h *Handler) bool { return h.opt.HopeBox != nil }
func followUps(h *Handler) bool { return h.opt.FollowUp != nil }
func toolboxes(h *Handler) bool { return h.opt.Toolbox != nil }

// needs makes fn answer 404 when the service it calls was not given.
func needs(has func(*Handler) bool, fn handlerFunc) handlerFunc {
	return func(h *Handler, w http.ResponseWriter, r *http.Request, a tend.Actor) error {
		if !has(h) {
			return tend.ErrNotFound
		}
		return fn(h, w, r, a)
	}
}

// Patterns lists the routes the API serves as "METHOD /api/v1/..." net/http
// patterns, for tests outside this package (the authorization matrix and
// the canary crawler).
func Patterns() []string {
	out := make([]string, len(routes))
	for i, rt := range routes {
		out[i] = rt.method + " " + rt.pattern
	}
	return out
}

// otherMethods are the methods a known path answers 405 for.
var otherMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
	http.MethodOptions, http.MethodTrace}

// New builds the API handler.
func New(opt Options) (*Handler, error) {
	if opt.Logger == nil || opt.Accounts == nil || opt.CareTeam == nil || opt.Looks == nil {
		return nil, fmt.Errorf("api: Logger, Accounts, CareTeam and Looks are required")
	}
	if _, err := document(); err != nil {
		return nil, err
	}
	h := &Handler{opt: opt, mux: http.NewServeMux()}
	rs := make([]muxRoute, len(routes))
	for i, rt := range routes {
		rs[i] = muxRoute{rt.method, rt.pattern, h.wrap(rt)}
	}
	register(h.mux, rs, func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, http.StatusMethodNotAllowed, "This address does not answer "+r.Method+".")
	})
	h.mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, tend.Errorf(tend.ENOTFOUND, "There is nothing at this address."))
	})
	return h, nil
}

// muxRoute is one method and pattern with its handler.
type muxRoute struct {
	method, pattern string
	fn              http.HandlerFunc
}

// register adds every route to mux, and answers the other methods of a
// known path with notAllowed (after setting the Allow header), so that a
// wrong method gets the interface's own error format, not the mux's plain
// text. Each other method is registered on its own, not as a method-less
// pattern, so that a fixed path (/me/questionnaires/scores) can sit beside
// a wildcard one (/me/questionnaires/{dueID}). It returns the methods of
// each pattern.
func register(mux *http.ServeMux, rs []muxRoute, notAllowed http.HandlerFunc) map[string][]string {
	allowed := map[string][]string{}
	for _, rt := range rs {
		mux.HandleFunc(rt.method+" "+rt.pattern, rt.fn)
		allowed[rt.pattern] = append(allowed[rt.pattern], rt.method)
	}
	for pattern, methods := range allowed {
		slices.Sort(methods)
		allow := strings.Join(methods, ", ")
		for _, m := range otherMethods {
			if slices.Contains(methods, m) || m == http.MethodHead && slices.Contains(methods, http.MethodGet) {
				continue
			}
			mux.HandleFunc(m+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Allow", allow)
				notAllowed(w, r)
			})
		}
	}
	return allowed
}

// ServeHTTP makes Handler an http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// wrap authenticates the caller, refuses anonymous calls to routes that
// need a sign-in, and turns a returned error into a problem.
func (h *Handler) wrap(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var a tend.Actor
		if !rt.public {
			var err error
			if a, err = h.caller(r); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		if err := rt.fn(h, w, r, a); err != nil {
			h.fail(w, r, err)
		}
	}
}

// caller returns the signed-in caller of a route that needs one:
// EUNAUTHORIZED when nobody is signed in, and ENOTFOUND for a supporter,
// who has no API (their one page is /supporter, young-people.md).
func (h *Handler) caller(r *http.Request) (tend.Actor, error) {
	a, err := h.authenticate(r)
	switch {
	case err != nil:
		return tend.Actor{}, err
	case a.Kind == "":
		return tend.Actor{}, tend.Errorf(tend.EUNAUTHORIZED, "Sign in, or send a personal access token as Authorization: Bearer <token>.")
	case a.Kind == tend.KindSupporter:
		return tend.Actor{}, tend.ErrNotFound
	}
	return a, nil
}

// cookieSession is the browser session cookie the web layer sets.
const cookieSession = "tend_session"

// authenticate returns the caller: the account of a bearer token when the
// request carries one (an invalid token is EUNAUTHORIZED, never a fall
// back to the cookie), else the browser session's, else the zero Actor.
func (h *Handler) authenticate(r *http.Request) (tend.Actor, error) {
	if v := r.Header.Get("Authorization"); v != "" {
		scheme, secret, ok := strings.Cut(v, " ")
		secret = strings.TrimSpace(secret)
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return tend.Actor{}, tend.Errorf(tend.EUNAUTHORIZED, "Send the token as Authorization: Bearer <token>.")
		}
		return h.opt.Accounts.AuthenticateToken(r.Context(), secret)
	}
	if h.opt.Authenticate != nil {
		return h.opt.Authenticate(r), nil
	}
	var token string
	if c, err := r.Cookie(cookieSession); err == nil {
		token = c.Value
	}
	if token == "" {
		return tend.Actor{}, nil // no session: anonymous
	}
	a, ss, err := h.opt.Accounts.Authenticate(r.Context(), token)
	switch {
	case tend.ErrorKind(err) == tend.EUNAUTHORIZED:
		return tend.Actor{}, nil
	case err != nil:
		return tend.Actor{}, err
	case ss.Locked:
		// A locked session shows nothing until the PIN unlocks it (web page).
		return tend.Actor{}, nil
	}
	return a, nil
}
