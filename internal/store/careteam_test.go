package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// TestRelationship reads the facts the access checker needs straight from
// rows, so that each field is shown to come from the right table.
func TestRelationship(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db := testenv.Store(t, &tend.FixedClock{T: now})
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Writer().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO teams (id, name, kind, created_at) VALUES ('t1', 'One', 'care', $1), ('t2', 'Two', 'care', $1)`, now)
	for _, s := range [][2]string{{"lee", "clinician"}, {"morgan", "lead"}, {"lou", "lead"}} {
		exec(`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ($1, $2, $1, $3, 'x', $4)`, s[0], s[0]+"@example.org", s[1], now)
	}
	exec(`INSERT INTO staff_teams (staff_id, team_id) VALUES ('lee', 't1'), ('morgan', 't1'), ('lou', 't2')`)
	exec(`INSERT INTO people (id, username, password_hash, team_id, state, time_zone, country, created_at) VALUES ('sam', 'sam', 'x', 't1', 'in_treatment', 'UTC', 'GB', $1)`, now)
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range []careteam.Member{
			{ID: "m1", PersonID: "sam", StaffID: "lee", Role: tend.CareTherapist, State: access.MemberActive, StartedAt: now, AddedBy: "morgan"},
			{ID: "m2", PersonID: "sam", StaffID: "lee", Role: tend.CareCoordinator, State: access.MemberFollowUp, StartedAt: now, AddedBy: "morgan"},
			{ID: "m3", PersonID: "sam", StaffID: "lee", Role: tend.CarePrescriber, State: access.MemberEnded, StartedAt: now, AddedBy: "morgan"},
		} {
			if err := tx.CreateCareTeamMember(ctx, m); err != nil {
				return err
			}
		}
		for _, g := range []careteam.Grant{
			{MemberID: "m1", Area: access.AreaDiary, Level: access.LevelEdit, UpdatedAt: now},
			{MemberID: "m2", Area: access.AreaQuestionnaires, Level: access.LevelSee, UpdatedAt: now},
			{MemberID: "m3", Area: access.AreaJournal, Level: access.LevelSee, UpdatedAt: now},
		} {
			if err := tx.PutGrant(ctx, g); err != nil {
				return err
			}
		}
		return tx.CreateSupporter(ctx, careteam.Supporter{ID: "sup", PersonID: "sam", CreatedAt: now, Items: []access.SupporterItem{access.ItemWhoToCall}})
	})
	if err != nil {
		t.Fatal(err)
	}
	staff := func(id tend.ID, role tend.Role) tend.Actor {
		return tend.Actor{Kind: tend.KindStaff, ID: id, Role: role, MFA: true}
	}
	t.Run("Memberships", func(t *testing.T) {
		rel, err := db.Relationship(ctx, staff("lee", tend.RoleClinician), "sam")
		if err != nil {
			t.Fatal(err)
		}
		if !rel.Exists || rel.Self || rel.LeadOfTeam || len(rel.Memberships) != 2 {
			t.Fatalf("rel = %+v", rel)
		}
		m1, m2 := rel.Memberships[0], rel.Memberships[1]
		if m1.ID == "m2" {
			m1, m2 = m2, m1
		}
		if m1.Role != tend.CareTherapist || m1.State != access.MemberActive || m1.Grant(access.AreaDiary) != access.LevelEdit || len(m1.Grants) != 1 {
			t.Errorf("m1 = %+v", m1)
		}
		if m2.State != access.MemberFollowUp || m2.Grant(access.AreaQuestionnaires) != access.LevelSee || m2.Grant(access.AreaJournal) != access.LevelNone {
			t.Errorf("m2 = %+v", m2)
		}
		if n, err := db.CountActivePeopleForStaff(ctx, "lee"); err != nil || n != 1 {
			t.Errorf("CountActivePeopleForStaff = %d, %v", n, err)
		}
	})
	t.Run("Leads", func(t *testing.T) {
		if rel, _ := db.Relationship(ctx, staff("morgan", tend.RoleLead), "sam"); !rel.LeadOfTeam || len(rel.Memberships) != 0 {
			t.Errorf("lead of the team: %+v", rel)
		}
		if rel, _ := db.Relationship(ctx, staff("lou", tend.RoleLead), "sam"); rel.LeadOfTeam || !rel.Exists {
			t.Errorf("lead of another team: %+v", rel)
		}
		if rel, _ := db.TeamRelationship(ctx, staff("lou", tend.RoleLead), "t2"); !rel.LeadOfTeam {
			t.Errorf("lou of t2: %+v", rel)
		}
		if rel, _ := db.TeamRelationship(ctx, staff("lou", tend.RoleLead), "t9"); rel.Exists {
			t.Errorf("missing team: %+v", rel)
		}
	})
	t.Run("PersonAndSupporter", func(t *testing.T) {
		if rel, _ := db.Relationship(ctx, tend.Actor{Kind: tend.KindPerson, ID: "sam"}, "sam"); !rel.Self {
			t.Errorf("self: %+v", rel)
		}
		rel, _ := db.Relationship(ctx, tend.Actor{Kind: tend.KindSupporter, ID: "sup"}, "sam")
		if !rel.Supporter || !slices.Equal(rel.SupporterItems, []access.SupporterItem{access.ItemWhoToCall}) {
			t.Errorf("supporter: %+v", rel)
		}
		if rel, _ := db.Relationship(ctx, tend.Actor{Kind: tend.KindPerson, ID: "sam"}, "nobody"); rel.Exists {
			t.Errorf("missing person: %+v", rel)
		}
	})
}
