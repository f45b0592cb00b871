package careteam_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
)

func TestTeamMembers(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddMember(ctx, asAda, sam, jo, tend.CareGroupFacilitator); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		actor tend.Actor
		want  string // "ok" or an error kind
	}{
		{"OK/Person", asSam, "ok"},
		{"OK/CareTeamMember", asLee, "ok"},
		{"OK/LeadOfTeam", asMorgan, "ok"},
		{"OK/AdminManagesMembership", asAda, "ok"},
		{"ErrNotFound/AnotherPerson", asAlex, tend.ENOTFOUND},
		{"ErrNotFound/StrangerClinician", asKim, tend.ENOTFOUND},
		{"ErrUnauthorized/Anonymous", tend.Actor{}, tend.EUNAUTHORIZED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.svc.TeamMembers(ctx, tt.actor, sam)
			if kindOf(err) != tt.want {
				t.Fatalf("TeamMembers = %v, want %s", err, tt.want)
			}
			if err != nil {
				return
			}
			if len(got) != 2 || got[0].StaffID != lee || got[0].StaffName != string(lee) || got[0].Role != tend.CareTherapist ||
				got[1].StaffID != jo || got[1].StaffName != string(jo) || got[1].Role != tend.CareGroupFacilitator {
				t.Fatalf("TeamMembers = %+v", got)
			}
		})
	}
	t.Run("ErrForbidden/TokenWithoutScope", func(t *testing.T) {
		tok := asSam
		tok.Scopes = []string{"diary.read"}
		if _, err := f.svc.TeamMembers(ctx, tok, sam); kindOf(err) != tend.EFORBIDDEN {
			t.Fatalf("TeamMembers = %v, want forbidden", err)
		}
	})
}
