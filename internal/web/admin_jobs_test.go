package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/queue"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/testenv"
)

var retryForm = regexp.MustCompile(`action="/admin/jobs/([0-9]+)/retry"`)

// TestAdminJobsPage: a job fails for real (a node without the data-rights
// service works a person's download), the admin sees it counted with its
// error and retries it, and nothing of the person's data shows; nobody
// but an admin opens the page or retries.
func TestAdminJobsPage(t *testing.T) {
	ctx := context.Background()
	d := newDemoServer(t)
	sam := tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}
	canary := testenv.Canary("journal.text") + ` <b id="planted">`
	if _, err := d.journal.Save(ctx, sam, sam.ID, journal.Draft{ID: string(tend.NewID()), Text: canary}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.rights.RequestExport(ctx, sam, sam.ID); err != nil {
		t.Fatal(err)
	}
	kind := rights.BuildExportArgs{}.Kind()

	// A node that works jobs but has no data-rights service fails the
	// download's job, which River keeps to retry.
	c, err := jobs.New(d.db, jobs.Options{Node: "node-without-rights", Work: true, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for d.countRows(t, `SELECT COUNT(*) FROM river_job WHERE kind = $1 AND state = 'retryable'`, kind) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the download's job did not fail within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}

	res := d.get(t, "admin@example.org", "/admin/jobs")
	body := res.Body.String()
	if res.Code != http.StatusOK {
		t.Fatalf("jobs page: %d\n%s", res.Code, body)
	}
	for _, want := range []string{"<code>" + kind + "</code>", "data rights are not wired in on this node", "Will retry", `href="/admin/jobs"`} {
		if !strings.Contains(body, want) {
			t.Errorf("jobs page lacks %q", want)
		}
	}
	canaryID, _, _ := strings.Cut(canary, " ")
	for _, leak := range []string{canaryID, "planted", string(sam.ID)} {
		if strings.Contains(body, leak) {
			t.Errorf("jobs page shows %q", leak)
		}
	}
	if strings.Contains(body, ">admin.") {
		t.Error("the page shows a raw message id")
	}
	m := retryForm.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the failed job has no retry button")
	}
	jobID, _ := strconv.ParseInt(m[1], 10, 64)
	if n := d.countRows(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1`, queue.AuditViewed); n != 1 {
		t.Errorf("%d audit events of the page view, want 1", n)
	}

	// Nobody but an admin sees or retries.
	for _, c := range []struct {
		who, method string
		want        int
	}{{"sam", http.MethodGet, 404}, {"lee@example.org", http.MethodGet, 403}, {"sam", http.MethodPost, 404}, {"lee@example.org", http.MethodPost, 403}} {
		var got int
		if c.method == http.MethodGet {
			got = d.get(t, c.who, "/admin/jobs").Code
		} else {
			got = d.post(t, c.who, "/admin/jobs/"+m[1]+"/retry", url.Values{}).Code
		}
		if got != c.want {
			t.Errorf("%s %s as %s: %d, want %d", c.method, "/admin/jobs", c.who, got, c.want)
		}
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM river_job WHERE id = $1 AND state = 'retryable'`, jobID); n != 1 {
		t.Fatal("a refused retry changed the job")
	}

	res = d.post(t, "admin@example.org", "/admin/jobs/"+m[1]+"/retry", url.Values{})
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/admin/jobs?retried=1" {
		t.Fatalf("retry: %d %q\n%s", res.Code, res.Header().Get("Location"), res.Body.String())
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM river_job WHERE id = $1 AND state = 'available'`, jobID); n != 1 {
		t.Error("the retried job is not available to run")
	}
	if n := d.countRows(t, `SELECT COUNT(*) FROM audit_events WHERE action = $1 AND target = $2`, queue.AuditRetried, "job:"+m[1]); n != 1 {
		t.Errorf("%d audit events of the retry, want 1", n)
	}
	// A job no longer failed cannot be retried again.
	if res := d.post(t, "admin@example.org", "/admin/jobs/"+m[1]+"/retry", url.Values{}); res.Code != http.StatusConflict {
		t.Errorf("second retry: %d, want 409", res.Code)
	}
	if res := d.post(t, "admin@example.org", "/admin/jobs/999999/retry", url.Values{}); res.Code != http.StatusNotFound {
		t.Errorf("retry of an unknown job: %d, want 404", res.Code)
	}
}

// TestAdminDraftRetentionSetting: the admin sets how long unsent drafts
// are kept; a value out of range is shown next to the field and saves
// nothing.
func TestAdminDraftRetentionSetting(t *testing.T) {
	d := newDemoServer(t)
	res := d.post(t, "admin@example.org", "/admin/settings", settingsForm(t, func(f url.Values) { f.Set("retention.draft_days", "3") }))
	body := res.Body.String()
	if res.Code != http.StatusBadRequest || !strings.Contains(body, `id="retention.draft_days-error"`) || !strings.Contains(body, `value="3"`) {
		t.Errorf("out of range: %d, want 400 with the problem next to the field\n%s", res.Code, body)
	}
	if s, _ := d.srvSettings(t); s.Retention.DraftDays != 0 {
		t.Errorf("an invalid value was saved: %d", s.Retention.DraftDays)
	}
	res = d.post(t, "admin@example.org", "/admin/settings", settingsForm(t, func(f url.Values) { f.Set("retention.draft_days", "45") }))
	if res.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.Code, res.Body.String())
	}
	if s, _ := d.srvSettings(t); s.Retention.DraftDays != 45 {
		t.Errorf("saved %d days, want 45", s.Retention.DraftDays)
	}
	if body := d.get(t, "admin@example.org", "/admin/settings").Body.String(); !strings.Contains(body, `name="retention.draft_days" value="45"`) {
		t.Error("the settings page does not show the saved value")
	}
}

// TestAdminJobsErrorEscaped: an error's text is shown escaped, and only its
// first line.
func TestAdminJobsErrorEscaped(t *testing.T) {
	ctx := context.Background()
	d := newDemoServer(t)
	sam := tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}
	if _, err := d.rights.RequestExport(ctx, sam, sam.ID); err != nil {
		t.Fatal(err)
	}
	c, err := jobs.New(d.db, jobs.Options{Node: "node-a", Work: true, FetchPollInterval: 100 * time.Millisecond, Logger: testenv.Discard(),
		Rights: jobs.Rights{BuildExport: func(_ context.Context, id tend.ID) error {
			return fmt.Errorf(`<img src=x onerror="alert(1)"> export %s failed`+"\nsecond line of the trace", id)
		}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for d.countRows(t, `SELECT COUNT(*) FROM river_job WHERE state = 'retryable'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the job did not fail within 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	body := d.get(t, "admin@example.org", "/admin/jobs").Body.String()
	if !strings.Contains(body, `&lt;img src=x onerror=&#34;alert(1)&#34;&gt; export`) {
		t.Errorf("the error is not shown escaped:\n%s", body)
	}
	for _, bad := range []string{`<img src=x`, "second line of the trace"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
}
