package followup_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/followup"
)

// TestPersonTasks: the tasks of one person since a day (the last session):
// a task resolved before it is left out, one resolved after it and the one
// still open are in, newest first; each entry's details only where the
// area it comes from is shared with the caller; the resolution note only
// for those the task reaches; a lead sees metadata; a stranger nothing;
// every task read audited.
func TestPersonTasks(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	// Sam shares the diary (not questionnaires) with Lee; nothing with Cas.
	f.exec(`INSERT INTO grants (member_id, area, level, updated_at) VALUES ('m-lee', 'diary', 'see', $1)`, f.clock.T)

	old := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "diary-old"})
	f.clock.Advance(time.Hour)
	if err := f.svc.Resolve(ctx, asLee, old.TaskID, "Called the next morning"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(24 * time.Hour)
	session := f.clock.T // the last session
	f.clock.Advance(24 * time.Hour)
	recent := raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindAct, SourceID: "diary-new"})
	raiseIn(t, f, followup.Trigger{PersonID: sam, Kind: followup.KindPHQ9Item9, SourceID: "response-1"})
	if recent.TaskID == old.TaskID {
		t.Fatal("the new act joined the resolved task")
	}

	t.Run("OK", func(t *testing.T) {
		got, err := f.svc.PersonTasks(ctx, asLee, sam, session)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != recent.TaskID {
			t.Fatalf("tasks since the session: %+v, want only the new one", got)
		}
		if want := []bool{true, false}; !slices.Equal(got[0].Details, want) || len(got[0].Entries) != 2 {
			t.Errorf("details %v, want %v (the diary is shared with Lee, questionnaires are not)", got[0].Details, want)
		}
		if !got[0].Recipient {
			t.Error("the task reaches Lee, the therapist")
		}
	})
	t.Run("ResolvedSinceIncluded", func(t *testing.T) {
		got, err := f.svc.PersonTasks(ctx, asLee, sam, session.Add(-24*time.Hour-30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != recent.TaskID || got[1].ID != old.TaskID {
			t.Fatalf("got %d tasks, want the new then the one resolved since", len(got))
		}
		if got[1].Note != "Called the next morning" {
			t.Errorf("note %q: the task reached Lee, who may read it", got[1].Note)
		}
	})
	t.Run("NothingShared", func(t *testing.T) {
		got, err := f.svc.PersonTasks(ctx, tend.Actor{Kind: tend.KindStaff, ID: cas, Role: tend.RoleClinician, MFA: true}, sam, session)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || slices.Contains(got[0].Details, true) {
			t.Errorf("Cas, with nothing shared, gets details: %+v", got)
		}
	})
	t.Run("LeadMetadataOnly", func(t *testing.T) {
		got, err := f.svc.PersonTasks(ctx, asMorgan, sam, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("Morgan sees %d tasks, want 2", len(got))
		}
		for _, v := range got {
			if v.Recipient || v.Note != "" || slices.Contains(v.Details, true) {
				t.Errorf("Morgan, a lead, gets more than metadata: %+v", v)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, a := range []tend.Actor{asKim, asDana, asSam} {
			if _, err := f.svc.PersonTasks(ctx, a, sam, session); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("%s: %v, want not found", a.ID, err)
			}
		}
	})
	t.Run("Audited", func(t *testing.T) {
		before := len(slices.DeleteFunc(actions(t, f.db), func(a string) bool { return a != "task_meta.read" }))
		if _, err := f.svc.PersonTasks(ctx, asLee, sam, time.Time{}); err != nil {
			t.Fatal(err)
		}
		after := len(slices.DeleteFunc(actions(t, f.db), func(a string) bool { return a != "task_meta.read" }))
		if after-before != 2 {
			t.Errorf("%d metadata reads audited, want one per task (2)", after-before)
		}
	})
}
