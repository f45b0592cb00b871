package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

// cookieSession holds the session token. HttpOnly, SameSite=Lax, Secure
// on https; the server keeps only its hash.
const cookieSession = "tend_session"

const keySession ctxKey = 100

type sessionInfo struct {
	actor   tend.Actor
	session auth.Session
	token   string
}

// withSession reads the session cookie and puts the signed-in actor into
// the request's context. An expired or unknown token is cleared. A locked
// person session counts as signed out except for the unlock page.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieSession)
		if err != nil || c.Value == "" || s.opt.Accounts == nil || public(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		actor, ss, err := s.opt.Accounts.Authenticate(r.Context(), c.Value)
		if err != nil {
			if tend.ErrorKind(err) == tend.EUNAUTHORIZED || tend.ErrorKind(err) == tend.ENOTFOUND {
				s.clearSession(w)
			}
			next.ServeHTTP(w, r)
			return
		}
		info := &sessionInfo{actor: actor, session: ss, token: c.Value}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keySession, info)))
	})
}

// public reports whether path is served the same to everyone and so never
// looks up a session: the help page above all, which must not touch the
// database on a request (safety-rules.md section 2), and static files.
func public(path string) bool {
	switch {
	case path == "/help", strings.HasPrefix(path, "/help/"), strings.HasPrefix(path, "/static/"),
		path == "/sw.js", path == "/manifest.webmanifest", path == "/healthz", path == "/readyz", path == "/metrics":
		return true
	}
	return false
}

func sessionFrom(ctx context.Context) *sessionInfo {
	v, _ := ctx.Value(keySession).(*sessionInfo)
	return v
}

// actorFrom returns the signed-in actor, or the zero Actor (anonymous). A
// locked session, or a staff session still waiting for its second factor,
// is anonymous to every page but the ones that finish it.
func actorFrom(r *http.Request) tend.Actor {
	info := sessionFrom(r.Context())
	if info == nil || info.session.Locked {
		return tend.Actor{}
	}
	return info.actor
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- HttpOnly and SameSite always; Secure on https.
		Name: cookieSession, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(),
	})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{ // #nosec G124 -- clearing the cookie.
		Name: cookieSession, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(),
	})
}

func (s *Server) secureCookies() bool {
	return s.opt.PublicURL != nil && s.opt.PublicURL.Scheme == "https"
}

// homeFor is where an actor lands after signing in.
func homeFor(a tend.Actor) string {
	switch {
	case a.Kind == tend.KindPerson:
		return "/me"
	case a.Kind == tend.KindSupporter:
		return "/supporter"
	case a.IsStaff(tend.RoleAdmin):
		return "/admin"
	case a.Kind == tend.KindStaff:
		return "/clinic"
	}
	return "/"
}

// device describes the browser for the person's list of sign-ins, in a
// few words and nothing more identifying ("Firefox on Android").
func device(ua string) string {
	browser := "" // unknown: the page says so in its own language
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser", "Samsung Internet"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "Mac"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			system = o.name
			break
		}
	}
	switch {
	case system == "":
		return browser
	case browser == "":
		return system
	}
	return browser + " / " + system
}

func (s *Server) client(r *http.Request) auth.Client {
	return auth.Client{Address: clientAddr(r, s.opt.TrustedProxies).String(), Device: device(r.UserAgent())}
}
