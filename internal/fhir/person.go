package fhir

import (
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/safetyplan"
)

// The code systems Tend defines for the person's care
// (docs/fhir/README.md, "Code systems").
const (
	// CareRoleSystem codes a care-team member's role for one person.
	CareRoleSystem = Base + "/CodeSystem/care-role"
	// MembershipSystem codes whether a membership is active or kept for
	// follow-up only after discharge.
	MembershipSystem = Base + "/CodeSystem/care-team-membership"
	// SharingAreaSystem codes the areas a person shares per member.
	SharingAreaSystem = Base + "/CodeSystem/sharing-area"
	// SafetyPlanSystem codes the safety plan (the CarePlan's category)
	// and its sections (each activity's code).
	SafetyPlanSystem = Base + "/CodeSystem/safety-plan"
	// SafetyPlanCode is the CarePlan.category of a safety plan.
	SafetyPlanCode = "safety-plan"
)

// Standard code systems used by the Consent.
const (
	consentScopeSystem  = "http://terminology.hl7.org/CodeSystem/consentscope"
	consentActionSystem = "http://terminology.hl7.org/CodeSystem/consentaction"
	actCodeSystem       = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	participationSystem = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	loincSystem         = "http://loinc.org"
)

// instant writes t as an R4 instant or dateTime, in UTC.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func yes() *bool { b := true; return &b }

// PatientRef and PractitionerRef are the relative references Tend writes.
func PatientRef(id tend.ID) string      { return "Patient/" + string(id) }
func PractitionerRef(id tend.ID) string { return "Practitioner/" + string(id) }

// PatientFrom is the person as an R4 Patient: their id and the display
// name they chose (a pseudonym is allowed, so its use is "anonymous").
// Tend holds no real-world identifier, address or contact, so none is
// written.
func PatientFrom(id tend.ID, displayName string) Patient {
	p := Patient{ResourceType: "Patient", ID: string(id), Active: yes()}
	if displayName != "" {
		p.Name = []HumanName{{Use: "anonymous", Text: displayName}}
	}
	return p
}

// PractitionerFrom is a staff member as an R4 Practitioner.
func PractitionerFrom(id tend.ID, name string) Practitioner {
	p := Practitioner{ResourceType: "Practitioner", ID: string(id), Active: yes()}
	if name != "" {
		p.Name = []HumanName{{Text: name}}
	}
	return p
}

// careRoleDisplay words each care role as its code's display.
var careRoleDisplay = map[tend.CareRole]string{
	tend.CareTherapist:        "Therapist",
	tend.CarePrescriber:       "Prescriber",
	tend.CareGroupFacilitator: "Group facilitator",
	tend.CareCoordinator:      "Care coordinator",
}

var membershipDisplay = map[access.MemberState]string{
	access.MemberActive:   "Active",
	access.MemberFollowUp: "Follow-up only (after discharge)",
}

// CareTeamFrom is the person's care team: one participant per membership
// that has not ended, with its care role and whether it is active or
// follow-up only. Its id is the person's: each person has one care team.
func CareTeamFrom(personID tend.ID, members []careteam.TeamMember) CareTeam {
	ct := CareTeam{ResourceType: "CareTeam", ID: string(personID), Status: "active", Subject: &Reference{Reference: PatientRef(personID)}}
	for _, m := range members {
		if m.State == access.MemberEnded {
			continue
		}
		p := CareTeamParticipant{
			Role:   []CodeableConcept{{Coding: []Coding{{System: CareRoleSystem, Code: string(m.Role), Display: careRoleDisplay[m.Role]}}}},
			Member: &Reference{Reference: PractitionerRef(m.StaffID)},
		}
		if d, ok := membershipDisplay[m.State]; ok {
			p.Role = append(p.Role, CodeableConcept{Coding: []Coding{{System: MembershipSystem, Code: string(m.State), Display: d}}})
		}
		if !m.StartedAt.IsZero() {
			p.Period = &Period{Start: instant(m.StartedAt)}
		}
		ct.Participant = append(ct.Participant, p)
	}
	return ct
}

// areaDisplay words each shareable area as its code's display.
var areaDisplay = map[access.Area]string{
	access.AreaDiary:          "Diary card",
	access.AreaSafetyPlan:     "Safety plan",
	access.AreaQuestionnaires: "Questionnaires",
	access.AreaToolboxLog:     "Coping toolbox log",
	access.AreaJournal:        "Journal",
	access.AreaChainAnalysis:  "Chain analyses",
}

// ConsentFrom is what the person shares with one care-team member: a
// base provision that denies (nothing is shared unless the person says
// so) with one permit per area shared, "access" for see and "access" and
// "correct" for see and edit. The Consent's id is the membership's.
func ConsentFrom(personID tend.ID, m careteam.MemberView) Consent {
	c := Consent{
		ResourceType: "Consent", ID: string(m.ID), Status: "active",
		Scope:      CodeableConcept{Coding: []Coding{{System: consentScopeSystem, Code: "patient-privacy", Display: "Privacy Consent"}}},
		Category:   []CodeableConcept{{Coding: []Coding{{System: loincSystem, Code: "59284-0", Display: "Patient Consent"}}}},
		Patient:    &Reference{Reference: PatientRef(personID)},
		Performer:  []Reference{{Reference: PatientRef(personID)}},
		PolicyRule: &CodeableConcept{Coding: []Coding{{System: actCodeSystem, Code: "OPTIN", Display: "opt-in"}}},
	}
	if m.State == access.MemberEnded {
		c.Status = "inactive"
	}
	base := &ConsentProvision{
		Type: "deny",
		Actor: []ConsentActor{{
			Role:      CodeableConcept{Coding: []Coding{{System: participationSystem, Code: "IRCP", Display: "information recipient"}}},
			Reference: Reference{Reference: PractitionerRef(m.StaffID)},
		}},
	}
	if !m.StartedAt.IsZero() {
		base.Period = &Period{Start: instant(m.StartedAt)}
	}
	for _, a := range access.Areas {
		l, ok := m.Grants[a]
		if !ok || !a.Shareable() || !l.AtLeast(access.LevelSee) || areaDisplay[a] == "" {
			continue
		}
		p := ConsentProvision{
			Type:   "permit",
			Action: []CodeableConcept{{Coding: []Coding{{System: consentActionSystem, Code: "access", Display: "Access"}}}},
			Code:   []CodeableConcept{{Coding: []Coding{{System: SharingAreaSystem, Code: string(a), Display: areaDisplay[a]}}}},
		}
		if l == access.LevelEdit && a.Written() {
			p.Action = append(p.Action, CodeableConcept{Coding: []Coding{{System: consentActionSystem, Code: "correct", Display: "Access and Correct"}}})
		}
		base.Provision = append(base.Provision, p)
	}
	c.Provision = base
	return c
}

// safetyPlanSections are the codes and displays of the plan's sections:
// the six steps (clinical/safety-plan.md), then what matters most, the
// reasons for living and "how likely am I to use this".
var safetyPlanSections = [...]Coding{
	{System: SafetyPlanSystem, Code: "step-1", Display: "Warning signs"},
	{System: SafetyPlanSystem, Code: "step-2", Display: "Internal coping strategies"},
	{System: SafetyPlanSystem, Code: "step-3", Display: "People and social settings that help distract"},
	{System: SafetyPlanSystem, Code: "step-4", Display: "People to ask for help"},
	{System: SafetyPlanSystem, Code: "step-5", Display: "Professionals and services to contact in a crisis"},
	{System: SafetyPlanSystem, Code: "step-6", Display: "Making the environment safer"},
	{System: SafetyPlanSystem, Code: "most-important", Display: "The one thing that is most important"},
	{System: SafetyPlanSystem, Code: "reason-for-living", Display: "Reason for living"},
	{System: SafetyPlanSystem, Code: "likely", Display: "How likely to use the plan, and what might get in the way"},
}

// CarePlanFrom is the current version of the person's safety plan as an
// R4 CarePlan: each entry of each section is one activity, in the plan's
// order, coded with its section; the text is the person's own words. Its
// id is the person's (one current plan each); meta.lastUpdated is when
// the version was saved and author who saved it.
func CarePlanFrom(p safetyplan.Plan) CarePlan {
	cp := CarePlan{
		ResourceType: "CarePlan", ID: string(p.PersonID), Status: "active", Intent: "plan",
		Category: []CodeableConcept{{Coding: []Coding{{System: SafetyPlanSystem, Code: SafetyPlanCode, Display: "Safety plan"}}}},
		Subject:  Reference{Reference: PatientRef(p.PersonID)},
	}
	if !p.SavedAt.IsZero() {
		cp.Meta = &Meta{LastUpdated: instant(p.SavedAt)}
	}
	switch {
	case p.SavedBy == "":
	case p.SavedByKind == tend.KindStaff:
		cp.Author = &Reference{Reference: PractitionerRef(p.SavedBy)}
	case p.SavedByKind == tend.KindPerson && p.SavedBy == p.PersonID:
		cp.Author = &Reference{Reference: PatientRef(p.SavedBy)}
	}
	add := func(section int, text string) {
		if text == "" {
			return
		}
		c := safetyPlanSections[section]
		cp.Activity = append(cp.Activity, CarePlanActivity{Detail: &CarePlanDetail{
			Code: &CodeableConcept{Coding: []Coding{c}}, Status: "unknown", Description: text,
		}})
	}
	add(6, p.MostImportant)
	for _, r := range p.Reasons {
		add(7, r)
	}
	for i, step := range p.Steps {
		for _, e := range step {
			add(i, e)
		}
	}
	add(8, p.Likely)
	return cp
}
