package rights_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

const password = "a demo password for tests"

// fixture is the demo service on a real store, key store and vault, with
// the journal and hope box as the download's parts, a FHIR bundle made
// from the journal (standing in for internal/fhir), and clinician notes:
// sam and alex (people), lee (sam's and alex's therapist).
type fixture struct {
	db       *store.DB
	vault    *vault.Vault
	clock    *tend.FixedClock
	accounts *auth.Service
	journal  *journal.Service
	hopeBox  *hopebox.Service
	notes    *notes.Service
	rights   *rights.Service
	records  rights.Settings
	sam      tend.Actor
	alex     tend.Actor
	lee      tend.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: &tend.FixedClock{T: time.Now().UTC().Truncate(time.Second)}}
	db := testenv.Store(t, f.clock)
	f.db = db
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	// Units of work enqueue jobs; this client only inserts them.
	if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), f.clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	f.vault = v
	checker := access.NewChecker(db)
	f.accounts = auth.NewService(store.For[auth.Tx](db), f.clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, f.clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: f.accounts, CareTeam: careTeam}, password); err != nil {
		t.Fatal(err)
	}
	f.journal = journal.NewService(store.For[journal.Tx](db), checker, v, f.clock)
	f.hopeBox = hopebox.NewService(store.For[hopebox.Tx](db), checker, v, f.clock)
	f.notes = notes.NewService(store.For[notes.Tx](db), checker, v, f.clock).WithExport(func() bool { return f.records.NotesInExport })
	f.rights = rights.NewService(store.For[rights.Tx](db), checker, v, f.clock, func() rights.Settings { return f.records }, rights.Options{
		Parts: []rights.Part{
			{Name: "journal", Collect: func(ctx context.Context, a tend.Actor, id tend.ID) (any, error) { return f.journal.Entries(ctx, a, id) }},
			{Name: "hope_box", Collect: func(ctx context.Context, a tend.Actor, id tend.ID) (any, error) { return f.hopeBox.Box(ctx, a, id) }},
		},
		Bundle: func(ctx context.Context, a tend.Actor, id tend.ID) ([]byte, error) {
			entries, err := f.journal.Entries(ctx, a, id)
			if err != nil {
				return nil, err
			}
			return json.Marshal(map[string]any{"resourceType": "Bundle", "entry": entries})
		},
		Notes:   func(ctx context.Context, a tend.Actor, id tend.ID) (any, error) { return f.notes.ForExport(ctx, a, id) },
		Confirm: f.accounts.ConfirmPassword,
	})
	person := func(name string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	f.sam, f.alex = person("sam"), person("alex")
	lee, err := db.FindStaffAccountByEmail(ctx, "lee@example.org")
	if err != nil {
		t.Fatal(err)
	}
	f.lee = tend.Actor{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true}
	return f
}

// write gives the person a journal entry and hope-box words holding canary,
// and has lee write a note about them holding "note " + canary.
func (f *fixture) write(t *testing.T, who tend.Actor, canary string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.journal.Save(ctx, who, who.ID, journal.Draft{ID: string(tend.NewID()), Text: "journal " + canary}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.hopeBox.AddWords(ctx, who, who.ID, "hope "+canary); err != nil {
		t.Fatal(err)
	}
	if _, err := f.notes.Write(ctx, f.lee, who.ID, notes.Draft{Kind: notes.KindNote, Text: "note " + canary}); err != nil {
		t.Fatal(err)
	}
}

// export asks for a download as who and runs its job, as the worker does.
func (f *fixture) export(t *testing.T, who tend.Actor) rights.Export {
	t.Helper()
	ctx := context.Background()
	e, err := f.rights.RequestExport(ctx, who, who.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.rights.BuildExport(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	return e
}

// unzip returns the files of a zip by name.
func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = string(body)
	}
	return out
}

func TestExportHoldsThePersonsOwnDataOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	samCanary, alexCanary := testenv.Canary("sam-export"), testenv.Canary("alex-export")
	f.write(t, f.sam, samCanary)
	f.write(t, f.alex, alexCanary)

	e, err := f.rights.RequestExport(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("JobArgsHoldTheIdOnly", func(t *testing.T) {
		var args string
		q := `SELECT json(args) FROM river_job WHERE kind = $1` // riversqlite keeps args as JSONB
		if f.db.Engine() == store.Postgres {
			q = `SELECT args::text FROM river_job WHERE kind = $1`
		}
		if err := f.db.Writer().QueryRowContext(ctx, q, rights.BuildExportArgs{}.Kind()).Scan(&args); err != nil {
			t.Fatal(err)
		}
		if want := `"export_id":"` + string(e.ID) + `"`; !strings.Contains(strings.ReplaceAll(args, " ", ""), want) || strings.Contains(args, string(f.sam.ID)) {
			t.Errorf("job args = %s, want only the export id", args)
		}
	})
	t.Run("NotReadyIsNotFound", func(t *testing.T) {
		if _, _, err := f.rights.Download(ctx, f.sam, f.sam.ID, e.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("download before the job = %v, want ENOTFOUND", err)
		}
	})
	if err := f.rights.BuildExport(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("ReadyNotice", func(t *testing.T) {
		ns, err := f.db.FindNotices(ctx, f.sam.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range ns {
			found = found || n.Kind == careteam.NoticeExportReady
		}
		if !found {
			t.Error("no ready notice for sam")
		}
	})
	t.Run("SealedAtRest", func(t *testing.T) {
		if testenv.RawContains(t, f.db, samCanary, "data_exports") {
			t.Error("the stored zip holds sam's words in plain text")
		}
	})
	b, got, err := f.rights.Download(ctx, f.sam, f.sam.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DownloadedAt == nil || got.ExpiresAt.After(got.DownloadedAt.Add(rights.KeptAfterDownload)) {
		t.Errorf("after a download: %+v, want it kept one more day at most", got)
	}
	files := unzip(t, b)
	for _, name := range []string{"journal.json", "hope_box.json", rights.BundleFile, "manifest.json"} {
		if !strings.Contains(files[name], samCanary) && name != "manifest.json" {
			t.Errorf("%s does not hold sam's words", name)
		}
		if _, ok := files[name]; !ok {
			t.Errorf("the zip has no %s (files: %v)", name, keys(files))
		}
	}
	for name, body := range files {
		if strings.Contains(body, alexCanary) {
			t.Errorf("%s holds alex's words", name)
		}
		if strings.Contains(body, "note "+samCanary) {
			t.Errorf("%s holds a clinician note, though the records setting leaves them out", name)
		}
	}
	if _, ok := files["notes.json"]; ok {
		t.Error("notes.json is in the zip, though the records setting leaves notes out")
	}

	t.Run("NotesWithTheRecordsSetting", func(t *testing.T) {
		f.records.NotesInExport = true
		defer func() { f.records.NotesInExport = false }()
		e := f.export(t, f.sam)
		b, _, err := f.rights.Download(ctx, f.sam, f.sam.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		files := unzip(t, b)
		if !strings.Contains(files["notes.json"], "note "+samCanary) {
			t.Errorf("notes.json = %q, want sam's note", files["notes.json"])
		}
		if strings.Contains(files["notes.json"], alexCanary) {
			t.Error("notes.json holds a note about alex")
		}
	})
	t.Run("AnotherAccountGetsNotFound", func(t *testing.T) {
		for _, a := range []tend.Actor{f.alex, f.lee} {
			if _, _, err := f.rights.Download(ctx, a, f.sam.ID, e.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s downloading sam's export: %v, want ENOTFOUND", a.Kind, err)
			}
			if _, _, err := f.rights.Download(ctx, a, a.ID, e.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s downloading sam's export as their own: %v, want ENOTFOUND", a.Kind, err)
			}
		}
	})
	t.Run("JobRerunIsHarmless", func(t *testing.T) {
		if err := f.rights.BuildExport(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.rights.BuildExport(ctx, tend.NewID()); err != nil {
			t.Fatalf("an unknown export: %v", err)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		f.clock.Advance(rights.ExportKeptFor + time.Hour)
		if _, _, err := f.rights.Download(ctx, f.sam, f.sam.ID, e.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("an expired download: %v, want ENOTFOUND", err)
		}
		n, err := f.rights.Sweep(ctx)
		if err != nil || n < 2 {
			t.Errorf("sweep = %d, %v; want the two expired downloads deleted", n, err)
		}
	})
}

func TestNotesForExportRefusesOtherwise(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.write(t, f.sam, testenv.Canary("notes-refuse"))
	if _, err := f.notes.ForExport(ctx, f.sam, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("with the setting off: %v, want ENOTFOUND", err)
	}
	f.records.NotesInExport = true
	for _, a := range []tend.Actor{f.alex, f.lee} {
		if _, err := f.notes.ForExport(ctx, a, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Errorf("%s: %v, want ENOTFOUND", a.Kind, err)
		}
	}
	got, err := f.notes.ForExport(ctx, f.sam, f.sam.ID)
	if err != nil || len(got) != 1 {
		t.Errorf("sam with the setting on: %d notes, %v; want 1", len(got), err)
	}
}

func TestExportRateLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.rights.RequestExport(ctx, f.sam, f.sam.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rights.RequestExport(ctx, f.sam, f.sam.ID); tend.ErrorKind(err) != tend.ERATELIMITED {
		t.Fatalf("a second while one is pending: %v, want ERATELIMITED", err)
	}
	exports, err := f.rights.Exports(ctx, f.sam, f.sam.ID)
	if err != nil || len(exports) != 1 {
		t.Fatalf("exports = %v, %v", exports, err)
	}
	if err := f.rights.BuildExport(ctx, exports[0].ID); err != nil {
		t.Fatal(err)
	}
	for range rights.MaxExportsPerDay - 1 {
		f.export(t, f.sam)
	}
	if _, err := f.rights.RequestExport(ctx, f.sam, f.sam.ID); tend.ErrorKind(err) != tend.ERATELIMITED {
		t.Fatalf("one more in the day: %v, want ERATELIMITED", err)
	}
	if _, err := f.rights.RequestExport(ctx, f.alex, f.alex.ID); err != nil {
		t.Errorf("alex is not limited by sam's downloads: %v", err)
	}
	f.clock.Advance(25 * time.Hour)
	if _, err := f.rights.RequestExport(ctx, f.sam, f.sam.ID); err != nil {
		t.Errorf("the next day: %v", err)
	}
	if _, err := f.rights.RequestExport(ctx, f.lee, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("staff asking for sam's download: %v, want ENOTFOUND", err)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
