package web

import (
	"net/http"

	"github.com/tendcare/tend"
)

// routes lists every route Tend serves.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// The help page: no sign-in, no JavaScript, no database read.
	mux.HandleFunc("GET /help", s.handle(s.helpShow))
	mux.HandleFunc("GET /help/{country}", s.handle(s.helpShow))
	mux.HandleFunc("POST /help/young", s.handle(s.helpYoung))

	mux.HandleFunc("GET /{$}", s.handle(s.homeShow))

	// Signing in and out.
	mux.HandleFunc("GET /signin", s.handle(s.signInShow))
	mux.HandleFunc("POST /signin", s.handle(s.signInCreate))
	mux.HandleFunc("GET /signin/mfa", s.handle(s.mfaShow))
	mux.HandleFunc("POST /signin/mfa", s.handle(s.mfaCreate))
	mux.HandleFunc("POST /signout", s.handle(s.signOut))

	// The person's own pages.
	mux.HandleFunc("GET /me", s.handle(s.meShow))
	mux.HandleFunc("GET /me/who-looked", s.handle(s.whoLookedShow))
	mux.HandleFunc("GET /me/sharing", s.handle(s.sharingShow))
	mux.HandleFunc("POST /me/sharing", s.handle(s.sharingUpdate))

	// Staff pages.
	mux.HandleFunc("GET /clinic", s.handle(s.clinicShow))
	mux.HandleFunc("GET /clinic/people/{id}", s.handle(s.clinicPersonShow))

	// Admin pages.
	mux.HandleFunc("GET /admin", s.handle(s.adminShow))
	mux.HandleFunc("POST /admin/crisis-lines/{country}/confirm", s.handle(s.crisisLinesConfirm))

	// Offline support and static files.
	mux.HandleFunc("GET /sw.js", s.handle(s.serviceWorker))
	mux.HandleFunc("GET /manifest.webmanifest", s.handle(s.staticFile("manifest.webmanifest")))
	mux.HandleFunc("GET /static/{path...}", s.handle(s.staticShow))

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsHandler())

	mux.HandleFunc("/", s.statusError(tend.ENOTFOUND, "not found"))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, tend.Errorf(tend.EFORBIDDEN, "%s", s.printer().T("error.forbidden_origin")))
	}))
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		// The mux records the matched pattern on the request it was given;
		// hand it out to the logging middleware.
		if rt, ok := r.Context().Value(keyRoute).(*string); ok {
			*rt = r.Pattern
		}
	})
	h = cop.Handler(h)
	h = s.withSession(h)
	h = s.limitBody(h)
	h = s.secure(h)
	h = s.observe(h)
	return h
}
