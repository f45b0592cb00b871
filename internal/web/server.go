package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/toolbox"
)

// Options are the server's dependencies, passed explicitly.
type Options struct {
	Logger         *slog.Logger
	Demo           bool
	PublicURL      *url.URL
	TrustedProxies []netip.Prefix
	MaxBodyBytes   int64
	Settings       *settings.Cache
	Crisis         *crisis.Directory
	Catalog        *i18n.Catalog
	Clock          tend.Clock
	// Ready reports whether the database answers and its schema is current.
	Ready func(context.Context) error
	// Confirmed reports whether the service has confirmed a country's crisis
	// lines. Nil means none is confirmed yet (outside demo mode the help page
	// then shows the service's own routes and the fallback sentence).
	Confirmed func(country string) bool
	// Registry collects metrics; /metrics serves it.
	Registry *prometheus.Registry
	// Locale overrides the service's language (tests use the pseudo-locale).
	Locale string

	// The services behind the signed-in pages. Without Accounts, nobody can
	// sign in and only the public pages work.
	Accounts *auth.Service
	CareTeam *careteam.Service
	Looks    *audit.Reader
	Admin    *settings.Admin
	// FollowUp serves "Ask my care team to contact me" and the task inbox.
	FollowUp *followup.Service
	// SafetyPlan keeps "My safety plan".
	SafetyPlan *safetyplan.Service
	// Toolbox keeps the coping toolbox.
	Toolbox *toolbox.Service
	// Journal keeps the reflective journal; HopeBox the person's hope box.
	Journal *journal.Service
	// Diary keeps the DBT diary card.
	Diary   *diary.Service
	HopeBox *hopebox.Service
	// Skills serves the skills library, favourites and homework.
	Skills *skills.Service
	// Notes keeps clinician notes; Medication the medication list; Groups
	// support groups and their attendance.
	Notes      *notes.Service
	Medication *medication.Service
	Groups     *groups.Service
	// Episodes keeps episodes of care, sessions and incidents.
	Episodes *episodes.Service
	// Chains keeps behaviour chain analyses (the diary names the action
	// each is about).
	Chains *chain.Service
	// Measures keeps questionnaires: instruments, assignments, responses
	// and scores (a response's items raise safety prompts).
	Measures *measure.Service
	// Reports builds outcome reports: the service report for leads and
	// one person's outcome measures for their care team.
	Reports *report.Service
	// Rights carries out the person's data rights: their download and
	// the erasure of their account (nil: those pages answer 404).
	Rights *rights.Service
	// Reminders keeps the person's reminder preferences (nil: the
	// reminders page answers 404).
	Reminders *remind.Service
	// Notify keeps the notification channels: Web Push subscriptions and
	// a person's e-mail address (docs/notifications.md); nil: none.
	Notify *notify.Service
	// Jobs is the admins' jobs page (queue.Service; nil: it answers 404).
	Jobs Jobs
	// API serves /api/v1/ (internal/api), behind the same middleware.
	API http.Handler
	// FHIR serves /fhir/r4 (internal/api.FHIRHandler), behind the same
	// middleware; nil serves nothing there.
	FHIR http.Handler
	// SSO turns on single sign-on for staff (sso.go); nil leaves it off.
	SSO *SSO
}

// Server serves Tend over HTTP.
type Server struct {
	opt     Options
	log     *slog.Logger
	tmpl    templates
	static  *staticFiles
	metrics *metrics
	handler http.Handler
	sso     ssoClient
}

// New checks the templates and static files and builds the server.
func New(opt Options) (*Server, error) {
	if opt.Logger == nil || opt.Settings == nil || opt.Crisis == nil || opt.Catalog == nil || opt.Ready == nil {
		return nil, fmt.Errorf("web: Logger, Settings, Crisis, Catalog and Ready are required")
	}
	if opt.Clock == nil {
		opt.Clock = tend.SystemClock{}
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 1 << 20
	}
	if opt.Registry == nil {
		opt.Registry = prometheus.NewRegistry()
	}
	if opt.Confirmed == nil {
		opt.Confirmed = func(string) bool { return false }
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	st, err := loadStatic()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opt.Registry)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, log: opt.Logger, tmpl: tmpl, static: st, metrics: m}
	if err := s.checkMessages(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// printer returns the message printer for the service's language.
func (s *Server) printer() *i18n.Printer {
	if s.opt.Locale != "" {
		return s.opt.Catalog.Printer(s.opt.Locale)
	}
	st, _ := s.opt.Settings.Get()
	return s.opt.Catalog.Printer(st.Locale)
}
