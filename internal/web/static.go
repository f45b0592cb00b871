package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/tendcare/tend"
)

//go:embed static
var staticFS embed.FS

type asset struct {
	body, gz    []byte
	etag, ctype string
}

type staticFiles struct {
	files   map[string]*asset // by path under static/
	version string            // changes whenever any file changes
}

// loadStatic reads every static file once, with its ETag and a gzipped copy,
// so serving one is a map lookup.
//
// The files are embedded, so this is done once per process and every Server
// shares the result (read-only once made).
var loadStatic = sync.OnceValues(readStatic)

func readStatic() (*staticFiles, error) {
	st := &staticFiles{files: map[string]*asset{}}
	all := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		all.Write(sum[:])
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".webmanifest":
			ctype = "application/manifest+json"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(b)
		_ = zw.Close()
		st.files[strings.TrimPrefix(p, "static/")] = &asset{body: b, gz: gz.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
		return nil
	})
	st.version = hex.EncodeToString(all.Sum(nil)[:6])
	return st, err
}

// serve writes a, honouring If-None-Match and gzip.
func (a *asset) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	_, _ = w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
}

// staticShow serves /static/... . Files change only with a new build; the
// browser revalidates with the ETag, which costs a round trip but never
// serves a stale stylesheet after an upgrade.
func (s *Server) staticShow(w http.ResponseWriter, r *http.Request) error {
	return s.staticFile(r.PathValue("path"))(w, r)
}

func (s *Server) staticFile(name string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, ok := s.static.files[name]
		if !ok {
			return tend.ErrNotFound
		}
		if toolboxAssets[name] {
			w.Header().Set(headerOffline, offlineKeep)
		}
		a.serve(w, r, "no-cache")
		return nil
	}
}

// serviceWorker serves the worker from the site root (so its scope is the
// whole site) with its cache version tied to this build's static files.
func (s *Server) serviceWorker(w http.ResponseWriter, r *http.Request) error {
	a, ok := s.static.files["js/sw.js"]
	if !ok {
		return tend.ErrNotFound
	}
	v := tend.Version + "-" + s.static.version
	body := bytes.ReplaceAll(a.body, []byte("__TEND_VERSION__"), []byte(v))
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(body)
	return err
}
