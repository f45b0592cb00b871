package careteam_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

func TestSupporterHome(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	sup, err := f.svc.AddSupporter(ctx, asSam, sam, []access.SupporterItem{access.ItemWhoToCall, access.ItemSteps3to5})
	if err != nil {
		t.Fatal(err)
	}
	asSup := tend.Actor{Kind: tend.KindSupporter, ID: sup.ID}
	t.Run("OK", func(t *testing.T) {
		v, err := f.svc.SupporterHome(ctx, asSup)
		if err != nil {
			t.Fatal(err)
		}
		// Exactly the items given, in the fixed order of access.SupporterItems.
		if v.PersonUsername != string(sam) || !slices.Equal(v.Items, []access.SupporterItem{access.ItemSteps3to5, access.ItemWhoToCall}) {
			t.Fatalf("view = %+v", v)
		}
		if !slices.Contains(auditActions(t, f.db, sam), "supporter.viewed") {
			t.Error("the supporter's look was not audited against sam")
		}
	})
	t.Run("ItemsChangeOnTheNextRequest", func(t *testing.T) {
		if err := f.svc.SetSupporterItems(ctx, asSam, sam, sup.ID, []access.SupporterItem{access.ItemWarningSigns}); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.SupporterHome(ctx, asSup)
		if err != nil || !slices.Equal(v.Items, []access.SupporterItem{access.ItemWarningSigns}) {
			t.Fatalf("view = %+v, %v", v, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, a := range []tend.Actor{asSam, asLee, asAda, {}, {Kind: tend.KindSupporter, ID: "no-such-supporter"}} {
			if _, err := f.svc.SupporterHome(ctx, a); kindOf(err) != tend.ENOTFOUND {
				t.Errorf("%+v: %v, want ENOTFOUND", a, err)
			}
		}
	})
	t.Run("NeverOutsideTheItems", func(t *testing.T) {
		// The person cannot give anything outside access.SupporterItems.
		for _, bad := range []access.SupporterItem{"diary", "journal", "questionnaires", "note.read", "hope_box", "profile.read", "safety_plan"} {
			if err := f.svc.SetSupporterItems(ctx, asSam, sam, sup.ID, []access.SupporterItem{access.ItemWhoToCall, bad}); kindOf(err) != tend.EINVALID {
				t.Errorf("%s: %v, want EINVALID", bad, err)
			}
			if _, err := f.svc.AddSupporter(ctx, asSam, sam, []access.SupporterItem{bad}); kindOf(err) != tend.EINVALID {
				t.Errorf("add %s: %v, want EINVALID", bad, err)
			}
		}
		// And the supporter reads nothing else of sam's, whatever they were given.
		for _, act := range []access.Action{access.DiaryRead, access.JournalRead, access.QuestionnairesRead, access.NoteRead,
			access.ProfileRead, access.CareTeamRead, access.HopeBoxRead, access.SafetyPlanWrite, access.SharingManage} {
			if err := f.checker.Check(ctx, asSup, act, sam); kindOf(err) != tend.EFORBIDDEN {
				t.Errorf("%s: %v, want EFORBIDDEN", act, err)
			}
		}
		// Nor anything of another person's (as if they did not exist).
		if err := f.checker.Check(ctx, asSup, access.SafetyPlanRead, alex); kindOf(err) != tend.ENOTFOUND {
			t.Errorf("alex's plan: %v, want ENOTFOUND", err)
		}
	})
	t.Run("Ended", func(t *testing.T) {
		if err := f.svc.EndSupporter(ctx, asSam, sam, sup.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SupporterHome(ctx, asSup); kindOf(err) != tend.ENOTFOUND {
			t.Fatalf("after ending: %v, want ENOTFOUND", err)
		}
	})
}
