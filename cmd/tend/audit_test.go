package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/store"
)

// TestAuditVerify: `tend audit verify` passes an intact trail and detects
// an edited audit row.
func TestAuditVerify(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := baseEnv(t, data)
	if err := run(ctx, []string{"keys", "init"}, envOf(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"migrate"}, envOf(env), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	dsn := env["TEND_DB"]
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(data, "tend.db")
	}
	kf, err := keys.Load(filepath.Join(data, "tend.key"))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := kf.CurrentKey()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetAuditChain(audit.NewChain(k, "node-1"))
	for i := 0; i < 3; i++ {
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: tend.KindStaff, ActorID: "staff-1", Action: "test_area.read", PersonID: "sam", Target: "test_area:1"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, envOf(env), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "intact: 3 events in 1 chains") {
		t.Fatalf("verify of an intact trail: %v\n%s", err, out.String())
	}
	if _, err := db.Writer().Exec(`UPDATE audit_events SET person_id = 'alex' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(ctx, []string{"audit", "verify"}, envOf(env), nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "BROKEN") || !strings.Contains(out.String(), "at 2") {
		t.Errorf("verify after an edit = %v\n%s", err, out.String())
	}
}
