package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/queue"
	"github.com/tendcare/tend/internal/retention"
)

// The jobs page: what Tend does in the background, per job kind, with the
// failed jobs and a retry. Nothing personal is shown: job arguments never,
// and an error only as one short line of a worker's words.

// Jobs is the jobs page's service (queue.Service).
type Jobs interface {
	// Overview returns the counts and failures (admins only, audited).
	Overview(ctx context.Context, actor tend.Actor) (queue.Overview, error)
	// Retry makes a failed job available again (admins only, audited).
	// ENOTFOUND for an unknown job, ECONFLICT for one not failed.
	Retry(ctx context.Context, actor tend.Actor, id int64) error
}

// retentionSettingsFromForm reads the retention part of the settings form:
// empty is the default, and a value that is not a number is kept as -1 so
// that validation names it.
func retentionSettingsFromForm(f url.Values) retention.Settings {
	var r retention.Settings
	if v := strings.TrimSpace(f.Get("retention.draft_days")); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil {
			d = -1
		}
		r.DraftDays = d
	}
	return r
}

type jobStateCell struct {
	State string
	N     int
}

type jobKindRow struct {
	Name        string
	Counts      []jobStateCell
	Failures    int
	LastError   string
	LastErrorAt string
}

type failedJobRow struct {
	ID          int64
	Kind        string
	State       string
	Attempts    string
	LastError   string
	LastErrorAt string
	Retry       bool
}

type adminJobsPage struct {
	Base
	States  []string // column headings
	Kinds   []jobKindRow
	Failed  []failedJobRow
	Since   string
	Retried bool
	Problem string
}

func (s *Server) adminJobsPage(r *http.Request, a tend.Actor) (*adminJobsPage, error) {
	ov, err := s.opt.Jobs.Overview(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	st, _ := s.opt.Settings.Get()
	loc := st.Location()
	jobTime := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2 Jan 2006 15:04")
	}
	page := &adminJobsPage{Base: Base{Title: p.T("admin.jobs_title"), p: p}, Since: jobTime(ov.Since)}
	for _, st := range queue.States {
		page.States = append(page.States, p.T("admin.jobs_state_"+st))
	}
	for _, k := range ov.Kinds {
		row := jobKindRow{Name: k.Name, Failures: k.Failures, LastError: k.LastError, LastErrorAt: jobTime(k.LastErrorAt)}
		for _, st := range queue.States {
			row.Counts = append(row.Counts, jobStateCell{State: p.T("admin.jobs_state_" + st), N: k.Counts[st]})
		}
		page.Kinds = append(page.Kinds, row)
	}
	for _, j := range ov.Failed {
		page.Failed = append(page.Failed, failedJobRow{ID: j.ID, Kind: j.Kind, State: p.T("admin.jobs_state_" + j.State),
			Attempts: strconv.Itoa(j.Attempt) + " / " + strconv.Itoa(j.MaxAttempts), LastError: j.LastError, LastErrorAt: jobTime(j.LastErrorAt),
			Retry: queue.Retryable(j.State)})
	}
	return page, nil
}

func (s *Server) adminJobsShow(w http.ResponseWriter, r *http.Request) error {
	a, done, err := adminActor(w, r)
	if err != nil || done {
		return err
	}
	if s.opt.Jobs == nil {
		return tend.ErrNotFound
	}
	page, err := s.adminJobsPage(r, a)
	if err != nil {
		return err
	}
	page.Retried = r.URL.Query().Get("retried") == "1"
	return s.render(w, r, http.StatusOK, "admin_jobs", page)
}

func (s *Server) adminJobRetry(w http.ResponseWriter, r *http.Request) error {
	a, _, err := adminActor(w, r)
	if err != nil {
		return err
	}
	if s.opt.Jobs == nil {
		return tend.ErrNotFound
	}
	// An id that is no number is no job (0): the service still refuses
	// anyone but an admin first, as for every admin page.
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.opt.Jobs.Retry(r.Context(), a, id); err != nil {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		page, perr := s.adminJobsPage(r, a)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "admin_jobs", page)
	}
	http.Redirect(w, r, "/admin/jobs?retried=1", http.StatusSeeOther)
	return nil
}
