package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/testenv"
)

var exportLink = regexp.MustCompile(`href="/me/data/exports/([0-9a-f-]{36})"`)

// zipText returns every file of a zip, one after another.
func zipText(t *testing.T, b []byte) string {
	t.Helper()
	s, err := joinZip(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// joinZip returns every file of a zip, one after another, each after its
// name, in the order of their names.
func joinZip(b []byte) (string, error) {
	files, err := readZip(b)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for _, name := range slices.Sorted(maps.Keys(files)) {
		out.WriteString(name + "\n")
		out.Write(files[name])
		out.WriteString("\n")
	}
	return out.String(), nil
}

// zipFiles returns the files of a zip by name.
func zipFiles(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	files, err := readZip(b)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readZip returns the files of a zip by name.
func readZip(b []byte) (map[string][]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a zip: %w", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = body
	}
	return out, nil
}

// buildPending runs the export job for every pending download of person.
func buildPending(t *testing.T, d *demoServer, person tend.ID) {
	t.Helper()
	ctx := context.Background()
	a := tend.Actor{Kind: tend.KindPerson, ID: person}
	list, err := d.rights.Exports(ctx, a, person)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.State == rights.ExportPending {
			if err := d.rights.BuildExport(ctx, e.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestDataRightsPages(t *testing.T) {
	d := newDemoServer(t)
	ctx := context.Background()
	sam := tend.Actor{Kind: tend.KindPerson, ID: d.people["sam"]}
	canary := testenv.Canary("sam.hope_words")
	if _, err := d.hopeBox.AddWords(ctx, sam, sam.ID, canary); err != nil {
		t.Fatal(err)
	}

	res := d.post(t, "sam", "/me/data/exports", url.Values{})
	if res.Code != http.StatusSeeOther || res.Header().Get("Location") != "/me/data?asked=1" {
		t.Fatalf("asking for a download: %d %s", res.Code, res.Header().Get("Location"))
	}
	page := d.get(t, "sam", "/me/data?asked=1").Body.String()
	if !strings.Contains(page, "We are gathering your information") || strings.Contains(page, `action="/me/data/exports"`) {
		t.Error("while gathering, the page says so and offers no second request")
	}
	if res := d.post(t, "sam", "/me/data/exports", url.Values{}); res.Code != http.StatusTooManyRequests {
		t.Errorf("a second request while one is pending: %d, want 429", res.Code)
	}
	buildPending(t, d, sam.ID)

	home := d.get(t, "sam", "/me").Body.String()
	if !strings.Contains(home, "Your information is ready to download.") || !strings.Contains(home, `href="/me/data"`) {
		t.Error("the home page has no neutral ready notice")
	}
	if strings.Contains(home, canary) {
		t.Error("the notice carries content")
	}
	m := exportLink.FindStringSubmatch(d.get(t, "sam", "/me/data").Body.String())
	if m == nil {
		t.Fatal("no download link once ready")
	}
	path := "/me/data/exports/" + m[1]
	for _, who := range []string{"alex", "riley", "lee@example.org", "admin@example.org"} {
		if res := d.get(t, who, path); res.Code != http.StatusNotFound || strings.Contains(res.Body.String(), canary) {
			t.Errorf("%s fetching sam's download: %d, want 404", who, res.Code)
		}
	}
	res = d.get(t, "sam", path)
	if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "application/zip" || !strings.HasPrefix(res.Header().Get("Content-Disposition"), "attachment;") {
		t.Fatalf("sam's download: %d %q %q", res.Code, res.Header().Get("Content-Type"), res.Header().Get("Content-Disposition"))
	}
	if !strings.Contains(zipText(t, res.Body.Bytes()), canary) {
		t.Error("sam's download does not hold sam's hope-box words")
	}

	t.Run("API", func(t *testing.T) {
		res := d.get(t, "sam", "/api/v1/me/exports")
		if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), m[1]) {
			t.Fatalf("list: %d %s", res.Code, res.Body.String())
		}
		if res := d.get(t, "alex", "/api/v1/me/exports/"+m[1]); res.Code != http.StatusNotFound {
			t.Errorf("alex through the API: %d, want 404", res.Code)
		}
		res = d.get(t, "sam", "/api/v1/me/exports/"+m[1])
		if res.Code != http.StatusOK || !strings.Contains(zipText(t, res.Body.Bytes()), canary) {
			t.Errorf("sam through the API: %d", res.Code)
		}
	})

	t.Run("EraseHoldAndCancel", func(t *testing.T) {
		page := d.get(t, "sam", "/me/data/erase").Body.String()
		for _, want := range []string{"What is erased", "What stays, and why", `type="password"`, `href="/help"`, "7 days"} {
			if !strings.Contains(page, want) {
				t.Errorf("the erase page lacks %q", want)
			}
		}
		res := d.post(t, "sam", "/me/data/erase", url.Values{"password": {"not it"}})
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), "That password is not right") {
			t.Errorf("a wrong password: %d", res.Code)
		}
		res = d.post(t, "sam", "/me/data/erase", url.Values{"password": {demoPassword}})
		if res.Code != http.StatusSeeOther {
			t.Fatalf("erase: %d", res.Code)
		}
		if home := d.get(t, "sam", "/me").Body.String(); !strings.Contains(home, "Your account is set to be erased on") {
			t.Error("the home page does not say the erasure is pending")
		}
		if page := d.get(t, "sam", "/me/data/erase").Body.String(); !strings.Contains(page, `action="/me/data/erase/cancel"`) {
			t.Error("no way to cancel during the hold")
		}
		if res := d.post(t, "sam", "/me/data/erase/cancel", url.Values{}); res.Code != http.StatusSeeOther {
			t.Fatalf("cancel: %d", res.Code)
		}
		if home := d.get(t, "sam", "/me").Body.String(); strings.Contains(home, "set to be erased") {
			t.Error("still pending after cancelling")
		}
	})

	t.Run("ErasedAtOnce", func(t *testing.T) {
		st, _ := d.cache.Get()
		zero := 0
		st.Records.ErasureHoldDays = &zero
		if err := d.cache.Save(ctx, st); err != nil {
			t.Fatal(err)
		}
		if page := d.get(t, "alex", "/me/data/erase").Body.String(); !strings.Contains(page, "erased straight away") {
			t.Error("a hold of 0 is not explained")
		}
		alex := tend.Actor{Kind: tend.KindPerson, ID: d.people["alex"]}
		if res := d.post(t, "alex", "/me/data/erase", url.Values{"password": {demoPassword}}); res.Code != http.StatusSeeOther {
			t.Fatalf("erase: %d", res.Code)
		}
		e, pending, err := d.rights.ErasureStatus(ctx, alex, alex.ID)
		if err != nil || !pending {
			t.Fatalf("status: %v %v", pending, err)
		}
		if err := d.rights.Erase(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if res := d.get(t, "alex", "/me"); res.Code != http.StatusSeeOther {
			t.Errorf("alex's session after the erasure: %d, want a redirect to sign in", res.Code)
		}
		res := d.post(t, "", "/signin", url.Values{"identifier": {"alex"}, "password": {demoPassword}})
		if res.Code == http.StatusSeeOther {
			t.Error("alex signed in after erasing their account")
		}
		staff := d.get(t, "lee@example.org", "/clinic/people/"+string(alex.ID)).Body.String()
		if !strings.Contains(staff, "Erased person") || !strings.Contains(staff, "erased their account on") {
			t.Error("lee's page of alex does not say alex erased their account")
		}
	})
}

func TestAdminRecordsSettings(t *testing.T) {
	d := newDemoServer(t)
	page := d.get(t, "admin@example.org", "/admin/settings").Body.String()
	for _, want := range []string{`name="records.notes_in_export"`, `name="records.erasure_hold_days"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page lacks %s", want)
		}
	}
}

// TestCanaryCrawlerSearchesDownloads proves the crawler reads inside the
// downloads: with the records setting putting clinician notes into a
// person's download, lee's note about sam reaches sam there, and only
// there.
func TestCanaryCrawlerSearchesDownloads(t *testing.T) {
	c, d := crawler(t, false)
	st, _ := d.cache.Get()
	st.Records.NotesInExport = true
	if err := d.cache.Save(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	// The people, who download, and two staff members: Lee, on sam's and
	// alex's care teams, and Kim, on no one's. Every account fetches every
	// download in TestCanaryCrawler, with the setting off.
	c.Accounts = []string{"", "sam", "alex", "riley", "lee@example.org", "kim@example.org"}
	r := c.Crawl(t)
	found := false
	for _, l := range r.Leaks {
		// The only leaks: each person's own clinician note, in their own
		// download (web and API), as the setting asks.
		own := false
		for _, who := range []string{"sam", "alex"} {
			for _, where := range []string{"/me/data/exports/", "/api/v1/me/exports/"} {
				own = own || strings.Contains(l, who+".clinician_note reached "+who+" at "+where)
			}
		}
		if !own {
			t.Errorf("unexpected: %s", l)
		}
		found = found || strings.Contains(l, "sam.clinician_note reached sam at /me/data/exports/")
	}
	if !found {
		t.Errorf("the crawler did not find sam's note in sam's download; leaks: %v", r.Leaks)
	}
}
