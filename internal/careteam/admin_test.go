package careteam_test

import (
	"context"
	"testing"

	"github.com/tendcare/tend"
)

// TestCareTeams: the admin's list of people shows username, team and the
// care team; only admins get it (a lead manages their people elsewhere).
func TestCareTeams(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	if _, err := f.svc.AddMember(ctx, asAda, sam, lee, tend.CareTherapist); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddMember(ctx, asAda, riley, kim, tend.CareTherapist); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.CareTeams(ctx, asAda)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Username != "p-alex" || got[1].Username != "p-riley" || got[2].Username != "p-sam" {
		t.Fatalf("people: %+v; want alex, riley, sam by username", got)
	}
	if got[0].TeamName != "Riverside" || len(got[0].Members) != 0 {
		t.Errorf("alex: %+v", got[0])
	}
	if m := got[2].Members; len(m) != 1 || m[0].StaffID != lee || m[0].StaffName != "s-lee" || m[0].Role != tend.CareTherapist || m[0].State != "active" {
		t.Errorf("sam's care team: %+v", m)
	}
	for _, tt := range []struct {
		name  string
		actor tend.Actor
		want  string
	}{
		{"ClinicianRefused", asLee, tend.EFORBIDDEN},
		{"LeadRefused", asMorgan, tend.EFORBIDDEN},
		{"PersonRefused", asSam, tend.EFORBIDDEN},
		{"AdminWithoutSecondFactorRefused", tend.Actor{Kind: tend.KindStaff, ID: ada, Role: tend.RoleAdmin}, tend.EFORBIDDEN},
		{"AnonymousRefused", tend.Actor{}, tend.EUNAUTHORIZED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.CareTeams(ctx, tt.actor); kindOf(err) != tt.want {
				t.Errorf("error kind %s, want %s", kindOf(err), tt.want)
			}
		})
	}
}
