package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
)

// seedChain has sam let Lee see and edit their chain analyses, and Lee and
// sam work through one together and mark it complete, so the demo shows a
// finished chain analysis on both sides. Its words are made up and never
// describe a method.
func seedChain(ctx context.Context, ct *careteam.Service, svc *chain.Service, leeID, samID tend.ID) error {
	sam := tend.Actor{Kind: tend.KindPerson, ID: samID}
	lee := tend.Actor{Kind: tend.KindStaff, ID: leeID, Role: tend.RoleClinician, MFA: true}
	team, err := ct.Team(ctx, sam, samID)
	if err != nil {
		return err
	}
	var member tend.ID
	for _, m := range team {
		if m.StaffID == leeID {
			member = m.ID
		}
	}
	if member == "" {
		return fmt.Errorf("demo: Lee is not on sam's care team")
	}
	if err := ct.SetGrants(ctx, sam, samID, []careteam.GrantChange{{MemberID: member, Area: access.AreaChainAnalysis, Level: access.LevelEdit}}); err != nil {
		return err
	}
	day := time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly)
	o, err := svc.Open(ctx, lee, samID, chain.Start{ID: string(tend.NewID()), Day: day, Target: "a.self_harm"})
	if err != nil {
		return err
	}
	thought := string(tend.NewID())
	c := chain.Content{
		Behaviour:     "After a hard evening I self-harmed. I did not need medical care.",
		Vulnerability: "I had slept badly for a few nights and skipped dinner.",
		Prompting:     "A message from a friend cancelling our plans.",
		Links: []chain.Link{
			{ID: thought, Type: chain.LinkThought, Text: "Nobody wants to spend time with me."},
			{ID: string(tend.NewID()), Type: chain.LinkEmotion, Text: "Lonely, then ashamed."},
			{ID: string(tend.NewID()), Type: chain.LinkBody, Text: "Tight chest, restless."},
			{ID: string(tend.NewID()), Type: chain.LinkUrge, Text: "A strong urge to make the feeling stop."},
		},
		Consequences: "Short-term some relief; later more shame, and I hid it from my sister.",
		Solutions: []chain.Solution{
			{ID: string(tend.NewID()), LinkID: thought, SkillID: "check_the_facts", Text: "Check the facts: my friend was ill, not avoiding me."},
			{ID: string(tend.NewID()), SkillID: "tipp", Text: "Cool my face with cold water when the urge rises."},
		},
		Prevention: "Keep to a regular bedtime and eat dinner, even a small one.",
		Repair:     "Tell my sister what happened, when I feel ready.",
		Commitment: "Next time I will text my friend back and use my toolbox before anything else.",
	}
	if _, err := svc.Save(ctx, sam, samID, o.Analysis.ID, chain.Draft{BasedOn: 1, Content: c}); err != nil {
		return err
	}
	_, err = svc.SetComplete(ctx, lee, samID, o.Analysis.ID, true)
	return err
}
