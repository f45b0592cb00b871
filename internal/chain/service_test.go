package chain_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

var ctx = context.Background()

// fixture is the demo service with real stores and the vault: sam; lee
// (sam's therapist, not shared chain analyses by the service default);
// priya (sam's prescriber); kim (not on sam's team).
type fixture struct {
	db                   *store.DB
	chains               *chain.Service
	skills               *skills.Service
	careTeam             *careteam.Service
	sam, lee, priya, kim tend.Actor
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
	sk := skills.NewService(store.For[skills.Tx](db), checker, v, clock)
	f := &fixture{db: db, careTeam: careTeam, skills: sk, chains: chain.NewService(store.For[chain.Tx](db), checker, v, sk, clock)}
	p, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	f.sam = tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	staff := func(email string) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleClinician, MFA: true}
	}
	f.lee, f.priya, f.kim = staff("lee@example.org"), staff("priya@example.org"), staff("kim@example.org")
	return f
}

// share sets sam's chain-analysis grant for the member named staffName.
func (f *fixture) share(t *testing.T, staffName string, level access.Level) {
	t.Helper()
	team, err := f.careTeam.Team(ctx, f.sam, f.sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range team {
		if m.StaffName == staffName {
			if err := f.careTeam.SetGrants(ctx, f.sam, f.sam.ID, []careteam.GrantChange{{MemberID: m.ID, Area: access.AreaChainAnalysis, Level: level}}); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s is not on sam's team", staffName)
}

// open opens an analysis for sam as lee, who must have the edit grant.
func (f *fixture) open(t *testing.T) chain.Analysis {
	t.Helper()
	o, err := f.chains.Open(ctx, f.lee, f.sam.ID, chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"})
	if err != nil {
		t.Fatal(err)
	}
	return o.Analysis
}

func (f *fixture) audited(t *testing.T, action string) int {
	t.Helper()
	var n int
	if err := f.db.Writer().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND person_id = $2`, action, string(f.sam.ID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAccess(t *testing.T) {
	f := newFixture(t)
	start := chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"}
	t.Run("ErrForbidden/NoGrant", func(t *testing.T) {
		if _, err := f.chains.Open(ctx, f.lee, f.sam.ID, start); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("lee without a grant opens: %v", err)
		}
	})
	f.share(t, "Lee", access.LevelSee)
	t.Run("ErrForbidden/SeeOnlyCannotOpen", func(t *testing.T) {
		if _, err := f.chains.Open(ctx, f.lee, f.sam.ID, start); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("lee with see opens: %v", err)
		}
	})
	f.share(t, "Lee", access.LevelEdit)
	a := f.open(t)
	if a.State != chain.StateDraft || a.Revision != 1 || a.Day != "2026-03-01" || a.Target != "a.self_harm" || a.OpenedByName != "Lee" {
		t.Fatalf("opened: %+v", a)
	}
	t.Run("ErrForbidden/PersonDoesNotOpen", func(t *testing.T) {
		if _, err := f.chains.Open(ctx, f.sam, f.sam.ID, chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"}); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("sam opens: %v", err)
		}
	})
	t.Run("OK/PersonEditsOwn", func(t *testing.T) {
		res, err := f.chains.Save(ctx, f.sam, f.sam.ID, a.ID, chain.Draft{BasedOn: 1, Content: chain.Content{Prompting: "A message from school"}})
		if err != nil || res.Analysis.Revision != 2 || res.Analysis.Content.Prompting != "A message from school" {
			t.Fatalf("sam saves: %+v %v", res, err)
		}
	})
	t.Run("OK/EditGrantEdits", func(t *testing.T) {
		res, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 2, Content: chain.Content{Prompting: "A message from school", Repair: "Talk to my sister"}})
		if err != nil || res.Merged || res.Analysis.Content.Repair != "Talk to my sister" {
			t.Fatalf("lee saves: %+v %v", res, err)
		}
		if n := f.audited(t, string(access.ChainAnalysisWrite)); n != 2 {
			t.Errorf("%d write audit events, want 2", n)
		}
	})
	t.Run("ErrForbidden/SeeOnlyCannotEdit", func(t *testing.T) {
		f.share(t, "Lee", access.LevelSee)
		defer f.share(t, "Lee", access.LevelEdit)
		if _, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 3, Content: chain.Content{Repair: "x"}}); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("lee with see saves: %v", err)
		}
		before := f.audited(t, string(access.ChainAnalysisRead))
		got, err := f.chains.Get(ctx, f.lee, f.sam.ID, a.ID)
		if err != nil || got.Content.Repair != "Talk to my sister" {
			t.Fatalf("lee with see reads: %+v %v", got, err)
		}
		if f.audited(t, string(access.ChainAnalysisRead)) != before+1 {
			t.Error("a staff read was not audited")
		}
	})
	t.Run("ErrForbidden/PrescriberNotShared", func(t *testing.T) {
		if _, err := f.chains.List(ctx, f.priya, f.sam.ID); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("priya lists: %v", err)
		}
	})
	t.Run("ErrNotFound/NotOnTeam", func(t *testing.T) {
		if _, err := f.chains.Get(ctx, f.kim, f.sam.ID, a.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("kim reads: %v", err)
		}
		if _, err := f.chains.Save(ctx, f.kim, f.sam.ID, a.ID, chain.Draft{BasedOn: 3}); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("kim saves: %v", err)
		}
	})
	t.Run("OK/Readers", func(t *testing.T) {
		rs, err := f.chains.Readers(ctx, f.sam, f.sam.ID)
		if err != nil || len(rs) != 1 || rs[0].Name != "Lee" || rs[0].Role != tend.CareTherapist {
			t.Fatalf("readers: %+v %v", rs, err)
		}
		if _, err := f.chains.Readers(ctx, f.lee, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
			t.Fatalf("lee asks who reads sam's analyses: %v", err)
		}
	})
	t.Run("OK/PersonReadsWithoutAudit", func(t *testing.T) {
		before := f.audited(t, string(access.ChainAnalysisRead))
		list, err := f.chains.List(ctx, f.sam, f.sam.ID)
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("sam's list: %+v %v", list, err)
		}
		if f.audited(t, string(access.ChainAnalysisRead)) != before {
			t.Error("the person's own read was audited as a staff read")
		}
	})
}

func TestOpenIsIdempotent(t *testing.T) {
	f := newFixture(t)
	f.share(t, "Lee", access.LevelEdit)
	st := chain.Start{ID: string(tend.NewID()), Day: "2026-03-01", Target: "a.self_harm"}
	first, err := f.chains.Open(ctx, f.lee, f.sam.ID, st)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.chains.Open(ctx, f.lee, f.sam.ID, st)
	if err != nil || !again.Unchanged || again.Analysis.ID != first.Analysis.ID {
		t.Fatalf("a repeated form post: %+v %v", again, err)
	}
	byKey := chain.Start{Key: "k-1", Day: "2026-03-02", Target: "u.die"}
	one, err := f.chains.Open(ctx, f.lee, f.sam.ID, byKey)
	if err != nil {
		t.Fatal(err)
	}
	two, err := f.chains.Open(ctx, f.lee, f.sam.ID, byKey)
	if err != nil || !two.Unchanged || two.Analysis.ID != one.Analysis.ID {
		t.Fatalf("a retry with the same key: %+v %v", two, err)
	}
	if list, _ := f.chains.List(ctx, f.sam, f.sam.ID); len(list) != 2 {
		t.Errorf("%d analyses, want 2", len(list))
	}
	for _, bad := range []chain.Start{
		{ID: string(tend.NewID()), Day: "1 March", Target: "a.self_harm"},
		{ID: string(tend.NewID()), Day: "2026-03-01", Target: "Self Harm!"},
		{ID: string(tend.NewID()), Day: "2026-03-01", Target: strings.Repeat("a", 41)},
		{Day: "2026-03-01", Target: "a.self_harm"},
	} {
		if _, err := f.chains.Open(ctx, f.lee, f.sam.ID, bad); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("open %+v: %v, want EINVALID", bad, err)
		}
	}
}

func TestMergeKeepsBothWriters(t *testing.T) {
	f := newFixture(t)
	f.share(t, "Lee", access.LevelEdit)
	a := f.open(t)
	base := chain.Content{Behaviour: "What happened that evening", Links: []chain.Link{{ID: string(tend.NewID()), Type: chain.LinkThought, Text: "Nobody cares"}}}
	res, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 1, Content: base})
	if err != nil {
		t.Fatal(err)
	}
	link := res.Analysis.Content.Links[0]
	// Both start from revision 2. Sam saves first.
	samC := res.Analysis.Content
	samC.Vulnerability = "Slept badly all week"
	samC.Links = append([]chain.Link{}, link, chain.Link{ID: string(tend.NewID()), Type: chain.LinkEmotion, Text: "Lonely"})
	if _, err := f.chains.Save(ctx, f.sam, f.sam.ID, a.ID, chain.Draft{BasedOn: 2, Content: samC}); err != nil {
		t.Fatal(err)
	}
	// Lee saves from revision 2 too, without sam's words.
	leeC := res.Analysis.Content
	leeC.Vulnerability = "Exams this month"
	leeC.Links = []chain.Link{link, {ID: string(tend.NewID()), Type: chain.LinkUrge, Text: "Wanting to be alone"}}
	leeC.Solutions = []chain.Solution{{ID: string(tend.NewID()), LinkID: link.ID, SkillID: "tipp", Text: "Cold water on my face"}}
	merged, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 2, Content: leeC})
	if err != nil {
		t.Fatal(err)
	}
	c := merged.Analysis.Content
	if !merged.Merged || merged.Analysis.Revision != 4 {
		t.Fatalf("not merged: %+v", merged)
	}
	for _, want := range []string{"Slept badly all week", "Exams this month"} {
		if !strings.Contains(c.Vulnerability, want) {
			t.Errorf("section 2 lost %q: %q", want, c.Vulnerability)
		}
	}
	var texts []string
	for _, l := range c.Links {
		texts = append(texts, l.Text)
	}
	if got := strings.Join(texts, "|"); got != "Nobody cares|Wanting to be alone|Lonely" {
		t.Errorf("links after merge: %q", got)
	}
	if c.Behaviour != "What happened that evening" || len(c.Solutions) != 1 || c.Solutions[0].SkillID != "tipp" {
		t.Errorf("merged content: %+v", c)
	}
	if f.audited(t, chain.AuditMerged) != 1 {
		t.Error("the merge was not audited")
	}
	t.Run("OK/RetryChangesNothing", func(t *testing.T) {
		again, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 4, Content: c})
		if err != nil || !again.Unchanged || again.Analysis.Revision != 4 {
			t.Fatalf("retry: %+v %v", again, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for name, d := range map[string]chain.Draft{
			"future revision": {BasedOn: 9, Content: c},
			"no revision":     {BasedOn: 0, Content: c},
			"link type":       {BasedOn: 4, Content: chain.Content{Links: []chain.Link{{Type: "method", Text: "x"}}}},
			"skill":           {BasedOn: 4, Content: chain.Content{Solutions: []chain.Solution{{SkillID: "no-such-skill", Text: "x"}}}},
			"too long":        {BasedOn: 4, Content: chain.Content{Repair: strings.Repeat("x", chain.MaxSectionChars+1)}},
		} {
			if _, err := f.chains.Save(ctx, f.sam, f.sam.ID, a.ID, d); tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("%s: %v, want EINVALID", name, err)
			}
		}
	})
}

func TestCompleteAndReopen(t *testing.T) {
	f := newFixture(t)
	f.share(t, "Lee", access.LevelEdit)
	a := f.open(t)
	done, err := f.chains.SetComplete(ctx, f.sam, f.sam.ID, a.ID, true)
	if err != nil || !done.Complete() || done.CompletedAt.IsZero() || done.Revision != 2 {
		t.Fatalf("sam completes: %+v %v", done, err)
	}
	if _, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 2, Content: chain.Content{Repair: "x"}}); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("saving a complete analysis: %v", err)
	}
	if again, err := f.chains.SetComplete(ctx, f.lee, f.sam.ID, a.ID, true); err != nil || again.Revision != 2 {
		t.Fatalf("completing twice: %+v %v", again, err)
	}
	open, err := f.chains.SetComplete(ctx, f.lee, f.sam.ID, a.ID, false)
	if err != nil || open.Complete() || !open.CompletedAt.IsZero() || open.Revision != 3 {
		t.Fatalf("lee reopens: %+v %v", open, err)
	}
	if _, err := f.chains.Save(ctx, f.lee, f.sam.ID, a.ID, chain.Draft{BasedOn: 3, Content: chain.Content{Repair: "Say sorry to Mum"}}); err != nil {
		t.Fatalf("saving after reopening: %v", err)
	}
	if f.audited(t, chain.AuditComplete) != 1 || f.audited(t, chain.AuditReopened) != 1 {
		t.Error("completing and reopening are not audited once each")
	}
	t.Run("ErrForbidden/SeeOnly", func(t *testing.T) {
		f.share(t, "Lee", access.LevelSee)
		if _, err := f.chains.SetComplete(ctx, f.lee, f.sam.ID, a.ID, true); tend.ErrorKind(err) != tend.EFORBIDDEN {
			t.Fatalf("lee with see completes: %v", err)
		}
	})
}

func TestMakeHomework(t *testing.T) {
	f := newFixture(t)
	f.share(t, "Lee", access.LevelEdit)
	a := f.open(t)
	c := chain.Content{Solutions: []chain.Solution{
		{ID: string(tend.NewID()), SkillID: "tipp", Text: "Cold water on my face"},
		{ID: string(tend.NewID()), Text: "Text my friend"},
	}}
	res, err := f.chains.Save(ctx, f.sam, f.sam.ID, a.ID, chain.Draft{BasedOn: 1, Content: c})
	if err != nil {
		t.Fatal(err)
	}
	withSkill, without := res.Analysis.Content.Solutions[0], res.Analysis.Content.Solutions[1]
	hw, err := f.chains.MakeHomework(ctx, f.lee, f.sam.ID, a.ID, chain.HomeworkRequest{SolutionID: withSkill.ID, PerWeek: 3})
	if err != nil || hw.SkillID != "tipp" || hw.PerWeek != 3 || hw.AssignedBy != f.lee.ID {
		t.Fatalf("homework: %+v %v", hw, err)
	}
	list, _, err := f.skills.List(ctx, f.sam, f.sam.ID, true)
	if err != nil || len(list) != 1 || list[0].ID != hw.ID {
		t.Fatalf("sam's homework: %+v %v", list, err)
	}
	if _, err := f.chains.MakeHomework(ctx, f.lee, f.sam.ID, a.ID, chain.HomeworkRequest{SolutionID: without.ID, PerWeek: 3}); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("a solution with no skill: %v", err)
	}
	if _, err := f.chains.MakeHomework(ctx, f.lee, f.sam.ID, a.ID, chain.HomeworkRequest{SolutionID: string(tend.NewID()), PerWeek: 3}); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("an unknown solution: %v", err)
	}
	if _, err := f.chains.MakeHomework(ctx, f.sam, f.sam.ID, a.ID, chain.HomeworkRequest{SolutionID: withSkill.ID, PerWeek: 3}); tend.ErrorKind(err) != tend.EFORBIDDEN {
		t.Errorf("the person sets their own homework: %v", err)
	}
	if _, err := f.chains.MakeHomework(ctx, f.kim, f.sam.ID, a.ID, chain.HomeworkRequest{SolutionID: withSkill.ID, PerWeek: 3}); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("kim: %v", err)
	}
}

func TestMergeContent(t *testing.T) {
	cur := chain.Content{Repair: "Call Gran", Links: []chain.Link{{ID: "1", Type: chain.LinkThought, Text: "I can't do this"}}}
	mine := chain.Content{Repair: "Call Gran on Sunday", Links: []chain.Link{{ID: "2", Type: chain.LinkThought, Text: "I can't do this"}}}
	got := chain.MergeContent(cur, mine)
	if got.Repair != "Call Gran on Sunday" {
		t.Errorf("a longer text holding the other is kept alone: %q", got.Repair)
	}
	if len(got.Links) != 1 {
		t.Errorf("the same link saved twice is kept once: %+v", got.Links)
	}
}
