package skills_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

var ctx = context.Background()

// fixture is the demo service on a real database (SQLite, or PostgreSQL
// when TEND_TEST_POSTGRES is set): sam, with lee (therapist), priya
// (prescriber) and jo (group facilitator) on sam's care team; riley, another
// person; kim, riley's therapist, on no care team of sam's.
type fixture struct {
	db                              *store.DB
	svc                             *skills.Service
	sam, riley, lee, priya, jo, kim tend.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.Store(t, nil)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	clock := tend.SystemClock{}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
	if err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: skills.NewService(store.For[skills.Tx](db), checker, v, clock)}
	person := func(u string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	staff := func(email string) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleClinician, MFA: true}
	}
	f.sam, f.riley = person("sam"), person("riley")
	f.lee, f.priya, f.jo, f.kim = staff("lee@example.org"), staff("priya@example.org"), staff("jo@example.org"), staff("kim@example.org")
	return f
}

func (f *fixture) assign(t *testing.T, by tend.Actor, a skills.Assignment) skills.Homework {
	t.Helper()
	h, err := f.svc.Assign(ctx, by, f.sam.ID, a)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func wantKind(t *testing.T, err error, kind string) {
	t.Helper()
	if tend.ErrorKind(err) != kind {
		t.Fatalf("error %v, want %s", err, kind)
	}
}

func TestAssignAndLogPractice(t *testing.T) {
	f := newFixture(t)
	h := f.assign(t, f.lee, skills.Assignment{Item: "skill:tipp", PerWeek: 3, Note: "After school works best"})

	// Sam sees it, open, with Lee's note and name.
	open, free, err := f.svc.List(ctx, f.sam, f.sam.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].ID != h.ID || open[0].Note != "After school works best" || open[0].AssignedByName != "Lee" || open[0].PerWeek != 3 || len(free) != 0 {
		t.Fatalf("sam's open homework = %+v", open)
	}

	// Sam logs practice; a retry with the same key adds nothing.
	n := skills.NewPractice{Key: "key-1", Helpful: skills.HelpfulYes, Note: "The breathing part helped"}
	p1, added, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, h.ID, "", n)
	if err != nil || !added {
		t.Fatalf("log practice: added %v, %v", added, err)
	}
	p2, added, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, h.ID, "", n)
	if err != nil || added || p2.ID != p1.ID {
		t.Fatalf("retry: added %v, id %s (first %s), %v", added, p2.ID, p1.ID, err)
	}
	got, err := f.svc.FindHomework(ctx, f.sam, f.sam.ID, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practice) != 1 || got.Practice[0].Note != "The breathing part helped" || got.Practice[0].Helpful != skills.HelpfulYes || got.Practice[0].SkillID != "tipp" {
		t.Fatalf("practice = %+v", got.Practice)
	}

	// Lee reads it (audited); riley and kim cannot.
	hw, _, err := f.svc.List(ctx, f.lee, f.sam.ID, false)
	if err != nil || len(hw) != 1 || len(hw[0].Practice) != 1 {
		t.Fatalf("lee's view: %+v, %v", hw, err)
	}
	t.Run("ErrNotFound/OtherPerson", func(t *testing.T) {
		_, _, err := f.svc.List(ctx, f.riley, f.sam.ID, false)
		wantKind(t, err, tend.ENOTFOUND)
		_, err = f.svc.FindHomework(ctx, f.riley, f.riley.ID, h.ID)
		wantKind(t, err, tend.ENOTFOUND)
		_, _, err = f.svc.LogPractice(ctx, f.riley, f.riley.ID, h.ID, "", skills.NewPractice{Key: "k"})
		wantKind(t, err, tend.ENOTFOUND)
	})
	t.Run("ErrNotFound/StrangerClinician", func(t *testing.T) {
		_, _, err := f.svc.List(ctx, f.kim, f.sam.ID, false)
		wantKind(t, err, tend.ENOTFOUND)
		_, err = f.svc.Assign(ctx, f.kim, f.sam.ID, skills.Assignment{Item: "skill:stop", PerWeek: 1})
		wantKind(t, err, tend.ENOTFOUND)
	})
	t.Run("ErrForbidden/PersonAssigns", func(t *testing.T) {
		_, err := f.svc.Assign(ctx, f.sam, f.sam.ID, skills.Assignment{Item: "skill:stop", PerWeek: 1})
		wantKind(t, err, tend.EFORBIDDEN)
	})
}

// TestCareTeamSeesOnlyWhatTheyAssigned: the therapist sees all homework;
// other care-team members only what they assigned (DESIGN.md "Who sees what").
func TestCareTeamSeesOnlyWhatTheyAssigned(t *testing.T) {
	f := newFixture(t)
	byLee := f.assign(t, f.lee, skills.Assignment{Item: "skill:stop", PerWeek: 7})
	byPriya := f.assign(t, f.priya, skills.Assignment{Item: "skill:please", Due: "2026-12-01", Note: "Sleep first"})
	if _, _, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, "", "observe", skills.NewPractice{Key: "free", Note: "on the bus"}); err != nil {
		t.Fatal(err)
	}
	ids := func(hs []skills.Homework) map[tend.ID]bool {
		out := map[tend.ID]bool{}
		for _, h := range hs {
			out[h.ID] = true
		}
		return out
	}
	tests := []struct {
		name      string
		who       tend.Actor
		want      []tend.ID
		wantFree  int
		wantAllOK bool
	}{
		{"Therapist", f.lee, []tend.ID{byLee.ID, byPriya.ID}, 1, true},
		{"Prescriber", f.priya, []tend.ID{byPriya.ID}, 0, false},
		{"GroupFacilitator", f.jo, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hw, free, err := f.svc.List(ctx, tt.who, f.sam.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			got := ids(hw)
			if len(got) != len(tt.want) {
				t.Errorf("sees %d pieces of homework, want %d", len(got), len(tt.want))
			}
			for _, id := range tt.want {
				if !got[id] {
					t.Errorf("does not see %s", id)
				}
			}
			if len(free) != tt.wantFree {
				t.Errorf("sees %d practices outside homework, want %d", len(free), tt.wantFree)
			}
			if f.svc.SeesAll(ctx, tt.who, f.sam.ID) != tt.wantAllOK {
				t.Errorf("SeesAll = %v", !tt.wantAllOK)
			}
		})
	}
	t.Run("ErrNotFound/EndAnotherClinicians", func(t *testing.T) {
		wantKind(t, f.svc.End(ctx, f.priya, f.sam.ID, byLee.ID), tend.ENOTFOUND)
	})
	t.Run("TherapistEndsAny", func(t *testing.T) {
		if err := f.svc.End(ctx, f.lee, f.sam.ID, byPriya.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, f.svc.End(ctx, f.lee, f.sam.ID, byPriya.ID), tend.ENOTFOUND)
		open, _, err := f.svc.List(ctx, f.sam, f.sam.ID, true)
		if err != nil || len(open) != 1 || open[0].ID != byLee.ID {
			t.Fatalf("open homework after ending = %+v, %v", open, err)
		}
		_, _, err = f.svc.LogPractice(ctx, f.sam, f.sam.ID, byPriya.ID, "", skills.NewPractice{Key: "late"})
		wantKind(t, err, tend.ENOTFOUND)
	})
}

func TestAssignInvalid(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		a    skills.Assignment
	}{
		{"NoItem", skills.Assignment{PerWeek: 1}},
		{"UnknownSkill", skills.Assignment{Item: "skill:juggling", PerWeek: 1}},
		{"UnknownWorksheet", skills.Assignment{Item: "worksheet:chain_analysis", PerWeek: 1}},
		{"DateAndFrequency", skills.Assignment{Item: "skill:stop", PerWeek: 1, Due: "2026-12-01"}},
		{"NeitherDateNorFrequency", skills.Assignment{Item: "skill:stop"}},
		{"BadDate", skills.Assignment{Item: "skill:stop", Due: "1 December"}},
		{"TooOften", skills.Assignment{Item: "skill:stop", PerWeek: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Assign(ctx, f.lee, f.sam.ID, tt.a)
			wantKind(t, err, tend.EINVALID)
		})
	}
	hw, _, err := f.svc.List(ctx, f.lee, f.sam.ID, false)
	if err != nil || len(hw) != 0 {
		t.Fatalf("bad forms left homework behind: %+v, %v", hw, err)
	}
}

func TestWorksheetHomework(t *testing.T) {
	f := newFixture(t)
	h := f.assign(t, f.lee, skills.Assignment{Item: "worksheet:thought_record", Due: "2026-12-01"})
	t.Run("ErrInvalid/Rating", func(t *testing.T) {
		_, _, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, h.ID, "", skills.NewPractice{Key: "w0", Answers: map[string]string{"strength_before": "150"}})
		wantKind(t, err, tend.EINVALID)
	})
	_, _, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, h.ID, "", skills.NewPractice{Key: "w1",
		Answers: map[string]string{"situation": "A text from a friend", "strength_before": "80", "balanced_thought": "They might be busy"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.FindHomework(ctx, f.sam, f.sam.ID, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practice) != 1 || got.Practice[0].Answers["situation"] != "A text from a friend" || got.Practice[0].Answers["strength_before"] != "80" {
		t.Fatalf("practice = %+v", got.Practice)
	}
	// Nothing anyone wrote is stored in plain text.
	var note, answers []byte
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT note FROM homework WHERE id = $1`, string(h.ID)).Scan(&note); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT answers FROM homework_practice WHERE homework_id = $1`, string(h.ID)).Scan(&answers); err != nil {
		t.Fatal(err)
	}
	if len(answers) == 0 || answers[0] != vault.Format1 || bytes.Contains(answers, []byte("friend")) {
		t.Errorf("worksheet answers are not sealed: %q", answers)
	}
	if len(note) != 0 {
		t.Errorf("an empty note was stored: %q", note)
	}
}

// TestSkillWithWorksheet: homework to practise a skill that has a
// worksheet (thought record) keeps the worksheet's answers too.
func TestSkillWithWorksheet(t *testing.T) {
	f := newFixture(t)
	h := f.assign(t, f.lee, skills.Assignment{Item: "skill:thought_record", PerWeek: 2})
	if _, _, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, h.ID, "", skills.NewPractice{Key: "s1", Answers: map[string]string{"thought": "Nobody replies"}}); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.FindHomework(ctx, f.sam, f.sam.ID, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Practice) != 1 || got.Practice[0].Worksheet != "thought_record" || got.Practice[0].Answers["thought"] != "Nobody replies" {
		t.Fatalf("practice = %+v", got.Practice)
	}
}

func TestPracticeNoteSealed(t *testing.T) {
	f := newFixture(t)
	h := f.assign(t, f.lee, skills.Assignment{Item: "skill:stop", PerWeek: 2, Note: "clinician words"})
	if _, _, err := f.svc.LogPractice(ctx, f.sam, f.sam.ID, h.ID, "", skills.NewPractice{Key: "n1", Note: "person words"}); err != nil {
		t.Fatal(err)
	}
	var hwNote, prNote []byte
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT note FROM homework WHERE id = $1`, string(h.ID)).Scan(&hwNote); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Writer().QueryRowContext(ctx, `SELECT note FROM homework_practice WHERE homework_id = $1`, string(h.ID)).Scan(&prNote); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"homework note": hwNote, "practice note": prNote} {
		if len(b) == 0 || b[0] != vault.Format1 || bytes.Contains(b, []byte("words")) {
			t.Errorf("%s is not sealed: %q", name, b)
		}
	}
}

func TestFavourites(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"tipp", "dear_man", "tipp"} {
		if err := f.svc.SetFavourite(ctx, f.sam, f.sam.ID, id, true); err != nil {
			t.Fatal(err)
		}
	}
	favs, err := f.svc.Favourites(ctx, f.sam, f.sam.ID)
	if err != nil || len(favs) != 2 {
		t.Fatalf("favourites = %v, %v", favs, err)
	}
	if err := f.svc.SetFavourite(ctx, f.sam, f.sam.ID, "tipp", false); err != nil {
		t.Fatal(err)
	}
	if favs, _ := f.svc.Favourites(ctx, f.sam, f.sam.ID); len(favs) != 1 || favs[0] != "dear_man" {
		t.Fatalf("after removing tipp: %v", favs)
	}
	t.Run("ErrNotFound/UnknownSkill", func(t *testing.T) {
		wantKind(t, f.svc.SetFavourite(ctx, f.sam, f.sam.ID, "juggling", true), tend.ENOTFOUND)
	})
	t.Run("ErrNotFound/Therapist", func(t *testing.T) {
		_, err := f.svc.Favourites(ctx, f.lee, f.sam.ID)
		wantKind(t, err, tend.ENOTFOUND)
		wantKind(t, f.svc.SetFavourite(ctx, f.lee, f.sam.ID, "stop", true), tend.ENOTFOUND)
	})
	t.Run("ErrNotFound/OtherPerson", func(t *testing.T) {
		_, err := f.svc.Favourites(ctx, f.riley, f.sam.ID)
		wantKind(t, err, tend.ENOTFOUND)
	})
	if favs, _ := f.svc.Favourites(ctx, f.riley, f.riley.ID); len(favs) != 0 {
		t.Errorf("riley has sam's favourites: %v", favs)
	}
}
