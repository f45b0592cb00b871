package demo

import (
	"context"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/journal"
)

// seedJournal gives sam one gentle journal entry, started from the
// service's open prompt, so the demo shows the journal and who reads it.
func seedJournal(ctx context.Context, j *journal.Service, samID tend.ID) error {
	sam := tend.Actor{Kind: tend.KindPerson, ID: samID}
	prompts, err := j.Prompts(ctx, sam)
	if err != nil {
		return err
	}
	d := journal.Draft{ID: string(tend.NewID()), Text: "I went for a walk by the river after college. Being outside for a while helped more than I expected."}
	if len(prompts) > 0 {
		d.PromptID = string(prompts[0].ID)
	}
	_, err = j.Save(ctx, sam, samID, d)
	return err
}

// seedHopeBox puts a few comforting words in sam's hope box.
func seedHopeBox(ctx context.Context, h *hopebox.Service, samID tend.ID) error {
	sam := tend.Actor{Kind: tend.KindPerson, ID: samID}
	for _, w := range []string{"My nan's voice: \"one step at a time, love\".", "The song from the long drive to the coast."} {
		if _, err := h.AddWords(ctx, sam, samID, w); err != nil {
			return err
		}
	}
	return nil
}
