package diary

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
)

// NewTarget is a row the person or a clinician adds to the card.
type NewTarget struct {
	Section Section
	Kind    Kind
	Label   string
	// UrgeID links an action to an urge ("" for none).
	UrgeID string
}

// TargetChange changes one row: nil fields stay as they are. Move is -1 to
// move the row up, +1 down, 0 to leave it.
type TargetChange struct {
	Label  *string
	Hidden *bool
	Move   int
}

// checkConfigure checks a change to the person's card: the person changes
// their own; a care-team member customises it with "see and edit" on the
// diary.
func (s *Service) checkConfigure(ctx context.Context, actor tend.Actor, personID tend.ID) error {
	return s.checker.Check(ctx, actor, access.DiaryWrite, personID)
}

func cleanLabel(label string) (string, error) {
	label = strings.Join(strings.Fields(label), " ")
	if utf8.RuneCountInString(label) > MaxLabelChars {
		return "", tend.Errorf(tend.EINVALID, "Keep the name to %d characters.", MaxLabelChars)
	}
	return label, nil
}

// AddTarget adds a row to the person's card. EINVALID for a kind that does
// not belong to the section, an "other" row without a name, a link to
// something that is not one of the person's urges, or too many rows.
func (s *Service) AddTarget(ctx context.Context, actor tend.Actor, personID tend.ID, nt NewTarget) (Target, error) {
	if err := s.checkConfigure(ctx, actor, personID); err != nil {
		return Target{}, err
	}
	if SectionOf(nt.Kind) == "" || SectionOf(nt.Kind) != nt.Section {
		return Target{}, tend.Errorf(tend.EINVALID, "Choose what kind of row this is.")
	}
	label, err := cleanLabel(nt.Label)
	if err != nil {
		return Target{}, err
	}
	if label == "" && (nt.Kind == KindUrgeOther || nt.Kind == KindActionOther || nt.Kind == KindEmotionOther) {
		return Target{}, tend.Errorf(tend.EINVALID, "Give the new row a name.")
	}
	var t Target
	err = s.store.InTx(ctx, func(tx Tx) error {
		rec, err := tx.FindDiaryConfigTx(ctx, personID)
		if err != nil {
			return err
		}
		cfg, err := s.config(ctx, personID, rec)
		if err != nil {
			return err
		}
		if len(cfg.Targets) >= MaxTargets {
			return tend.Errorf(tend.EINVALID, "The card has as many rows as it can hold (%d). Hide or rename one instead.", MaxTargets)
		}
		if nt.UrgeID != "" {
			if nt.Section != SectionAction {
				return tend.Errorf(tend.EINVALID, "Only an action is linked to an urge.")
			}
			if u, ok := cfg.Target(nt.UrgeID); !ok || u.Section != SectionUrge {
				return tend.Errorf(tend.EINVALID, "Choose one of the card's urges to link this action to.")
			}
		}
		pos := 0
		for _, x := range cfg.Section(nt.Section, true) {
			pos = max(pos, x.Position+1)
		}
		id := "x." + strings.ReplaceAll(string(tend.NewID()), "-", "")[20:]
		t = Target{ID: id, Section: nt.Section, Kind: nt.Kind, Label: label, UrgeID: nt.UrgeID,
			Counted: nt.Kind == KindSelfHarm, Medical: nt.Kind.Act(), Position: pos, ChangedBy: actor.ID, ChangedAt: s.clock.Now().UTC()}
		if err := s.putTarget(ctx, tx, personID, t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditConfigChanged, personID, "diary_target:"+id))
	})
	return t, err
}

func (s *Service) putTarget(ctx context.Context, tx Tx, personID tend.ID, t Target) error {
	r := TargetRecord{PersonID: personID, ID: t.ID, Section: t.Section, Kind: t.Kind, UrgeID: t.UrgeID, Counted: t.Counted,
		Medical: t.Medical, Hidden: t.Hidden, Position: t.Position, ChangedBy: t.ChangedBy, ChangedAt: t.ChangedAt}
	if t.Label != "" {
		b, err := s.seal(ctx, personID, tableTargets, "label", targetRow(personID, t.ID), t.Label)
		if err != nil {
			return err
		}
		r.Label = b
	}
	return tx.PutDiaryTarget(ctx, r)
}

// ChangeTarget renames, hides, shows or moves one row. The self-harm,
// suicidal-thought and suicide-attempt rows cannot be hidden unless the
// service allows it (clinical/diary-card.md). ENOTFOUND for an unknown
// row.
func (s *Service) ChangeTarget(ctx context.Context, actor tend.Actor, personID tend.ID, id string, ch TargetChange) error {
	if err := s.checkConfigure(ctx, actor, personID); err != nil {
		return err
	}
	var label string
	if ch.Label != nil {
		var err error
		if label, err = cleanLabel(*ch.Label); err != nil {
			return err
		}
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		rec, err := tx.FindDiaryConfigTx(ctx, personID)
		if err != nil {
			return err
		}
		cfg, err := s.config(ctx, personID, rec)
		if err != nil {
			return err
		}
		t, ok := cfg.Target(id)
		if !ok {
			return tend.ErrNotFound
		}
		now := s.clock.Now().UTC()
		if ch.Label != nil {
			if label == "" && !t.Default {
				return tend.Errorf(tend.EINVALID, "Give the row a name.")
			}
			t.Label = label
		}
		if ch.Hidden != nil {
			if *ch.Hidden && t.Kind.Safety() && !s.settings().AllowHideSafetyRows {
				return tend.Errorf(tend.EINVALID, "The self-harm and suicide rows stay on the card: your care team needs them to keep you safe. You can rename them.")
			}
			t.Hidden = *ch.Hidden
		}
		t.ChangedBy, t.ChangedAt = actor.ID, now
		if ch.Move != 0 {
			order := cfg.Section(t.Section, true)
			i := slices.IndexFunc(order, func(x Target) bool { return x.ID == id })
			if j := i + ch.Move; j >= 0 && j < len(order) {
				order[i], order[j] = order[j], order[i]
				for k, r := range order {
					if r.ID == id {
						t.Position = k
						continue
					}
					if r.Position != k {
						r.Position, r.ChangedBy, r.ChangedAt = k, actor.ID, now
						if err := s.putTarget(ctx, tx, personID, r); err != nil {
							return err
						}
					}
				}
			}
		}
		if err := s.putTarget(ctx, tx, personID, t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditConfigChanged, personID, "diary_target:"+id))
	})
}

// SetSkills sets the skills set (DBT or DBT-A) and the skills on the tick
// list; nil skills means all of the set's. EINVALID for a skill not in the
// set.
func (s *Service) SetSkills(ctx context.Context, actor tend.Actor, personID tend.ID, set SkillsSet, list []string) error {
	if err := s.checkConfigure(ctx, actor, personID); err != nil {
		return err
	}
	if !set.Valid() {
		return tend.Errorf(tend.EINVALID, "Choose DBT or DBT-A skills.")
	}
	all := SetSkills(set)
	if list != nil {
		var clean []string
		for _, id := range all {
			if slices.Contains(list, id) {
				clean = append(clean, id)
			}
		}
		for _, id := range list {
			if !slices.Contains(all, id) {
				return tend.Errorf(tend.EINVALID, "That skill is not one of the %s skills.", strings.ToUpper(strings.ReplaceAll(string(set), "_", "-")))
			}
		}
		if clean == nil {
			clean = []string{}
		}
		list = clean
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		if err := tx.PutDiarySkills(ctx, personID, set, list, actor.ID, s.clock.Now().UTC()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditConfigChanged, personID, "diary_skills:"+string(set)))
	})
}
