package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/jobs"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/safetyplan"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

// TestDataRightsOnTheDemo runs a download and an erasure through the
// services as serve wires them, over the whole demo: every area of the
// download is read as the person (so none of them refuses the person),
// the FHIR Bundle is the real $everything, and the erasure empties every
// table it deletes from for sam while alex keeps everything.
func TestDataRightsOnTheDemo(t *testing.T) {
	ctx := context.Background()
	db := testenv.Store(t, nil)
	if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
		t.Fatal(err)
	}
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.New(db, jobs.Options{Node: "test", Logger: testenv.Discard()}); err != nil {
		t.Fatal(err)
	}
	dir, err := crisis.Load()
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), tend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{Demo: true, DataDir: t.TempDir()}
	svc := wire(cfg, db, v, cache, dir, tend.SystemClock{})
	pw, err := seedDemo(ctx, cfg, func(string) string { return "a demo password for tests" }, db, svc, cache)
	if err != nil {
		t.Fatal(err)
	}
	person := func(name string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	sam, alex := person("sam"), person("alex")
	samCanary, alexCanary := testenv.Canary("sam.download"), testenv.Canary("alex.download")
	for _, w := range []struct {
		who    tend.Actor
		canary string
	}{{sam, samCanary}, {alex, alexCanary}} {
		if _, err := svc.journal.Save(ctx, w.who, w.who.ID, journal.Draft{ID: string(tend.NewID()), Text: w.canary}); err != nil {
			t.Fatal(err)
		}
		cur, _, err := svc.plan.Current(ctx, w.who, w.who.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := cur.Content
		c.MostImportant = w.canary
		if _, err := svc.plan.Save(ctx, w.who, w.who.ID, planVersion(cur), c); err != nil {
			t.Fatal(err)
		}
	}

	e, err := svc.rights.RequestExport(ctx, sam, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.rights.BuildExport(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	b, _, err := svc.rights.Download(ctx, sam, sam.ID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		_ = rc.Close()
		files[f.Name] = string(body)
	}
	for _, name := range []string{"account", "sharing", "care_team", "supporters", "diary", "safety_plan", "toolbox", "journal", "hope_box",
		"chain_analyses", "homework", "questionnaires", "care", "medication", "groups", "safety_prompts", "contact_requests", "who_looked", "reminders", "sign_ins"} {
		body, ok := files[name+".json"]
		if !ok {
			t.Errorf("the download has no %s.json", name)
			continue
		}
		if strings.TrimSpace(body) == "null" {
			t.Errorf("%s.json is empty", name)
		}
	}
	if !strings.Contains(files["journal.json"], samCanary) || !strings.Contains(files["safety_plan.json"], samCanary) {
		t.Error("sam's words are not in sam's download")
	}
	bundle := files[rights.BundleFile]
	if !strings.Contains(bundle, `"resourceType": "Bundle"`) || !strings.Contains(bundle, samCanary) {
		t.Errorf("fhir-bundle.json is not sam's Bundle with sam's safety plan (%d bytes)", len(bundle))
	}
	for name, body := range files {
		if strings.Contains(body, alexCanary) {
			t.Errorf("%s holds alex's words", name)
		}
	}
	if _, ok := files["notes.json"]; ok {
		t.Error("notes.json is in the download, though the records setting leaves notes out")
	}

	// Erasure, at once (a hold of 0), over the whole demo.
	zero := 0
	st, _ := cache.Get()
	st.Records.ErasureHoldDays = &zero
	if err := cache.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	count := func(id tend.ID) map[string]int {
		out := map[string]int{}
		for _, et := range store.ErasedTables {
			var n int
			if err := db.Writer().QueryRowContext(ctx, strings.Replace(et.SQL, "DELETE FROM", "SELECT count(*) FROM", 1), string(id)).Scan(&n); err != nil {
				t.Fatalf("%s: %v", et.Table, err)
			}
			out[et.Table] = n
		}
		return out
	}
	samBefore, alexBefore := count(sam.ID), count(alex.ID)
	filled := 0
	for _, n := range samBefore {
		if n > 0 {
			filled++
		}
	}
	if filled < 20 {
		t.Fatalf("the demo fills only %d of the tables an erasure empties for sam: %v", filled, samBefore)
	}
	er, err := svc.rights.RequestErasure(ctx, sam, sam.ID, pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.rights.Erase(ctx, er.ID); err != nil {
		t.Fatal(err)
	}
	for table, n := range count(sam.ID) {
		if n != 0 {
			t.Errorf("%s: %d of sam's rows left (of %d)", table, n, samBefore[table])
		}
	}
	for table, n := range count(alex.ID) {
		if n != alexBefore[table] {
			t.Errorf("%s: alex had %d rows, now %d", table, alexBefore[table], n)
		}
	}
	if _, err := svc.journal.Entries(ctx, alex, alex.ID); err != nil {
		t.Errorf("alex's journal after sam's erasure: %v", err)
	}
}

// planVersion is the version a save starts from ("" for a first plan).
func planVersion(p safetyplan.Plan) string {
	if p.Version == 0 {
		return ""
	}
	return strconv.Itoa(p.Version)
}
