package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tendcare/tend"
)

// Transfer is the person's record for a transfer to another service: the
// care-team service checks and audits the export (careteam.Service.
// ExportForTransfer), then Everything reads it as the narrow transfer
// actor that check returns.
func (r *Records) Transfer(ctx context.Context, actor tend.Actor, personID tend.ID) (Bundle, error) {
	reader, err := r.CareTeams.ExportForTransfer(ctx, actor, personID)
	if err != nil {
		return Bundle{}, err
	}
	return r.Everything(ctx, reader, personID)
}

// Everything is everything about a person that actor may see, as an R4
// searchset Bundle (the answer of Patient/$everything, and the FHIR part of
// the person's data download and of the operator's per-person export):
// the Patient; their CareTeam and its Practitioners; their sharing choices
// (Consent); their current safety plan (CarePlan); their finished
// questionnaires (QuestionnaireResponse, with the Questionnaires they
// answer) and score Observations; and their diary cards (Observation).
//
// Each part is read through the domain service that owns it, so its
// access check and audit apply: an area the actor may not see is simply
// left out, and clinician notes are never read. A person the actor may not
// see at all is ENOTFOUND.
//
// Entries the person's compartment holds have search mode "match"; the
// Questionnaires and Practitioners they refer to are "include". Every
// reference inside the Bundle is relative (Type/id) and resolves to an
// entry whose fullUrl is BaseURL/Type/id.
func (r *Records) Everything(ctx context.Context, actor tend.Actor, personID tend.ID) (Bundle, error) {
	s, err := r.subject(ctx, actor, personID)
	if err != nil {
		return Bundle{}, err
	}
	b := NewSearchset(r.BaseURL)
	if err := b.Add("match", "Patient", string(personID), PatientFrom(s.id, s.name)); err != nil {
		return Bundle{}, err
	}
	var practitioners []Practitioner

	ct, ps, err := r.CareTeam(ctx, actor, personID)
	switch {
	case err == nil:
		if err := b.Add("match", "CareTeam", ct.ID, ct); err != nil {
			return Bundle{}, err
		}
		practitioners = append(practitioners, ps...)
	case !withheld(err):
		return Bundle{}, err
	}

	consents, named, err := r.consents(ctx, actor, s)
	switch {
	case err == nil:
		for _, c := range consents {
			if err := b.Add("match", "Consent", c.ID, c); err != nil {
				return Bundle{}, err
			}
		}
		practitioners = append(practitioners, named...)
	case !withheld(err):
		return Bundle{}, err
	}

	if r.SafetyPlans != nil {
		p, ok, err := r.SafetyPlans.Current(ctx, actor, personID)
		switch {
		case err == nil && ok:
			cp := CarePlanFrom(p)
			if err := b.Add("match", "CarePlan", cp.ID, cp); err != nil {
				return Bundle{}, err
			}
			if p.SavedByKind == tend.KindStaff && p.SavedBy != "" {
				practitioners = append(practitioners, PractitionerFrom(p.SavedBy, p.SavedByName))
			}
		case err != nil && !withheld(err):
			return Bundle{}, err
		}
	}

	a, err := r.Answers(ctx, actor, personID)
	switch {
	case err == nil:
		for _, qr := range a.Responses {
			if err := b.Add("match", "QuestionnaireResponse", qr.ID, qr); err != nil {
				return Bundle{}, err
			}
		}
		for _, o := range a.Scores {
			if err := b.Add("match", "Observation", o.ID, o); err != nil {
				return Bundle{}, err
			}
		}
	case !withheld(err):
		return Bundle{}, err
	}

	cards, err := r.DiaryObservations(ctx, actor, personID)
	switch {
	case err == nil:
		for _, o := range cards {
			if err := b.Add("match", "Observation", o.ID, o); err != nil {
				return Bundle{}, err
			}
		}
	case !withheld(err):
		return Bundle{}, err
	}

	for _, q := range a.Questionnaires {
		if err := b.Add("include", "Questionnaire", q.ID, q); err != nil {
			return Bundle{}, err
		}
	}
	for _, p := range practitioners {
		if err := b.Add("include", "Practitioner", p.ID, p); err != nil {
			return Bundle{}, err
		}
	}
	return b.Bundle(r.now()), nil
}

// Searchset collects the entries of a searchset Bundle, each resource
// once, with fullUrls under a base.
type Searchset struct {
	base    string
	seen    map[string]bool
	entries []BundleEntry
	matches int
}

// NewSearchset starts a searchset Bundle whose fullUrls are under base
// (the server's FHIR base, or "" for relative Type/id).
func NewSearchset(base string) *Searchset {
	return &Searchset{base: base, seen: map[string]bool{}}
}

// FullURL is the fullUrl of a resource of type typ with id under base.
func FullURL(base, typ, id string) string {
	if base == "" {
		return typ + "/" + id
	}
	return base + "/" + typ + "/" + id
}

// Add adds resource (of type typ, with id) with search mode "match" or
// "include"; a resource already added is not added again.
func (b *Searchset) Add(mode, typ, id string, resource any) error {
	key := typ + "/" + id
	if b.seen[key] {
		return nil
	}
	raw, err := json.Marshal(resource)
	if err != nil {
		return fmt.Errorf("fhir: marshal %s: %w", typ, err)
	}
	b.seen[key] = true
	if mode == "match" {
		b.matches++
	}
	b.entries = append(b.entries, BundleEntry{FullURL: FullURL(b.base, typ, id), Resource: raw, Search: &BundleEntrySearch{Mode: mode}})
	return nil
}

// Bundle is the searchset made at now; total counts the matches.
func (b *Searchset) Bundle(now time.Time) Bundle {
	total := b.matches
	return Bundle{ResourceType: "Bundle", Type: "searchset", Timestamp: instant(now), Total: &total, Entry: b.entries}
}
