package auth_test

import (
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
)

var asAdmin = tend.Actor{Kind: tend.KindStaff, ID: "admin-1", Role: tend.RoleAdmin, MFA: true}

func TestListStaffAndTeams(t *testing.T) {
	e := newEnv(t, auth.Options{})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	if _, _, err := e.svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "ash@example.org", Name: "Ash", Role: tend.RoleAdmin, Password: staffPassword}); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.ListStaff(ctx, asAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "Ash" || len(list[0].Teams) != 0 || list[1].ID != lee.ID || list[1].Teams[0] != "North" || list[1].MFAEnrolled || list[1].Disabled {
		t.Fatalf("staff list: %+v", list)
	}
	if _, err := e.svc.CreateTeam(ctx, asAdmin, " Duty desk ", auth.TeamDuty); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("team.created", tend.OutcomeOK)
	_, err = e.svc.CreateTeam(ctx, asAdmin, "North", auth.TeamCare)
	wantKind(t, err, tend.ECONFLICT)
	_, err = e.svc.CreateTeam(ctx, asAdmin, "Odd", "other")
	wantKind(t, err, tend.EINVALID)
	teams, err := e.svc.ListTeams(ctx, asAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 2 || teams[0].Name != "Duty desk" || teams[0].Kind != auth.TeamDuty || teams[1].Name != "North" || teams[1].Kind != auth.TeamCare {
		t.Fatalf("teams: %+v", teams)
	}
	for _, actor := range []tend.Actor{
		{Kind: tend.KindStaff, ID: lee.ID, Role: tend.RoleClinician, MFA: true},
		{Kind: tend.KindStaff, ID: "lead-1", Role: tend.RoleLead, MFA: true},
		{Kind: tend.KindStaff, ID: "admin-1", Role: tend.RoleAdmin}, // no second factor yet
	} {
		_, err := e.svc.ListStaff(ctx, actor)
		wantKind(t, err, tend.EFORBIDDEN)
		_, err = e.svc.ListTeams(ctx, actor)
		wantKind(t, err, tend.EFORBIDDEN)
		_, err = e.svc.CreateTeam(ctx, actor, "Mine", auth.TeamCare)
		wantKind(t, err, tend.EFORBIDDEN)
		wantKind(t, e.svc.DisableStaff(ctx, actor, lee.ID), tend.EFORBIDDEN)
	}
}

// TestDisableStaff: refused while the staff member is on anyone's care team
// (active or follow-up); then disabled, signed out, audited, and unable to
// sign in.
func TestDisableStaff(t *testing.T) {
	e := newEnv(t, auth.Options{Demo: true})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	sam := e.person("sam")
	member := func(state string) {
		t.Helper()
		if _, err := e.db.Writer().Exec(`DELETE FROM care_team_members`); err != nil {
			t.Fatal(err)
		}
		if state == "" {
			return
		}
		if _, err := e.db.Writer().Exec(`INSERT INTO care_team_members (id, person_id, staff_id, care_role, state, started_at, follow_up_consent, added_by)
			VALUES ('m-1', $1, $2, 'therapist', $3, $4, false, 'admin-1')`, string(sam.Person.ID), string(lee.ID), state, start); err != nil {
			t.Fatal(err)
		}
	}
	tok, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, auth.Client{Address: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, state := range []string{"active", "follow_up"} {
		member(state)
		err := e.svc.DisableStaff(ctx, asAdmin, lee.ID)
		wantKind(t, err, tend.ECONFLICT)
		if msg := tend.ErrorMessage(err); msg != "Lee Example is still on the care team of 1 person. Reassign them on the care teams page first, then disable the account." {
			t.Errorf("%s: message %q", state, msg)
		}
	}
	if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
		t.Fatalf("a refused disable signed Lee out: %v", err)
	}
	wantKind(t, e.svc.DisableStaff(ctx, asAdmin, "no-such-staff"), tend.ENOTFOUND)
	wantKind(t, e.svc.DisableStaff(ctx, asAdmin, asAdmin.ID), tend.EINVALID)

	member("ended")
	if err := e.svc.DisableStaff(ctx, asAdmin, lee.ID); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("auth.staff_disabled", tend.OutcomeOK)
	if _, _, err := e.svc.Authenticate(ctx, tok); err == nil {
		t.Error("the disabled account's session still works")
	}
	_, _, err = e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, auth.Client{Address: "192.0.2.1"})
	wantKind(t, err, tend.EUNAUTHORIZED)
	wantKind(t, e.svc.DisableStaff(ctx, asAdmin, lee.ID), tend.ECONFLICT)
	list, _ := e.svc.ListStaff(ctx, asAdmin)
	for _, s := range list {
		if s.Disabled != (s.ID == lee.ID) {
			t.Errorf("disabled in the list: %+v", s)
		}
	}
}
