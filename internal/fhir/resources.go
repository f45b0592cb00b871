package fhir

// The R4 resources about a person and their care that /fhir/r4 reads out:
// Patient, Practitioner, CareTeam, CarePlan, Consent and the
// CapabilityStatement. Only the elements Tend fills are declared.

// HumanName is an R4 HumanName. Tend writes the text only: a person's
// pseudonymous display name (use "anonymous") or a staff member's name.
type HumanName struct {
	Use  string `json:"use,omitempty"`
	Text string `json:"text,omitempty"`
}

// Period is an R4 Period.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// Patient is an R4 Patient: the pseudonymous person Tend serves. Tend
// holds no real-world identifier for them, so none is written.
type Patient struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id,omitempty"`
	Active       *bool       `json:"active,omitempty"`
	Name         []HumanName `json:"name,omitempty"`
}

// Practitioner is an R4 Practitioner: a member of the service's staff.
type Practitioner struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id,omitempty"`
	Active       *bool       `json:"active,omitempty"`
	Name         []HumanName `json:"name,omitempty"`
}

// CareTeam is an R4 CareTeam: the staff on one person's care team, each in
// their care role.
type CareTeam struct {
	ResourceType string                `json:"resourceType"`
	ID           string                `json:"id,omitempty"`
	Status       string                `json:"status,omitempty"`
	Subject      *Reference            `json:"subject,omitempty"`
	Participant  []CareTeamParticipant `json:"participant,omitempty"`
}

// CareTeamParticipant is an R4 CareTeam.participant.
type CareTeamParticipant struct {
	Role   []CodeableConcept `json:"role,omitempty"`
	Member *Reference        `json:"member,omitempty"`
	Period *Period           `json:"period,omitempty"`
}

// CarePlan is an R4 CarePlan: the person's current safety plan, each entry
// an activity coded with the section it belongs to.
type CarePlan struct {
	ResourceType string             `json:"resourceType"`
	ID           string             `json:"id,omitempty"`
	Meta         *Meta              `json:"meta,omitempty"`
	Status       string             `json:"status"`
	Intent       string             `json:"intent"`
	Category     []CodeableConcept  `json:"category,omitempty"`
	Subject      Reference          `json:"subject"`
	Created      string             `json:"created,omitempty"`
	Author       *Reference         `json:"author,omitempty"`
	Activity     []CarePlanActivity `json:"activity,omitempty"`
}

// CarePlanActivity is an R4 CarePlan.activity with its detail.
type CarePlanActivity struct {
	Detail *CarePlanDetail `json:"detail,omitempty"`
}

// CarePlanDetail is an R4 CarePlan.activity.detail.
type CarePlanDetail struct {
	Code        *CodeableConcept `json:"code,omitempty"`
	Status      string           `json:"status"`
	Description string           `json:"description,omitempty"`
}

// Consent is an R4 Consent: what the person shares with one member of
// their care team.
type Consent struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Status       string            `json:"status"`
	Scope        CodeableConcept   `json:"scope"`
	Category     []CodeableConcept `json:"category"`
	Patient      *Reference        `json:"patient,omitempty"`
	DateTime     string            `json:"dateTime,omitempty"`
	Performer    []Reference       `json:"performer,omitempty"`
	PolicyRule   *CodeableConcept  `json:"policyRule,omitempty"`
	Provision    *ConsentProvision `json:"provision,omitempty"`
}

// ConsentProvision is an R4 Consent.provision (nested for each area).
type ConsentProvision struct {
	Type      string             `json:"type,omitempty"`
	Period    *Period            `json:"period,omitempty"`
	Actor     []ConsentActor     `json:"actor,omitempty"`
	Action    []CodeableConcept  `json:"action,omitempty"`
	Code      []CodeableConcept  `json:"code,omitempty"`
	Provision []ConsentProvision `json:"provision,omitempty"`
}

// ConsentActor is an R4 Consent.provision.actor.
type ConsentActor struct {
	Role      CodeableConcept `json:"role"`
	Reference Reference       `json:"reference"`
}

// CapabilityStatement is an R4 CapabilityStatement: what /fhir/r4 serves.
type CapabilityStatement struct {
	ResourceType   string                    `json:"resourceType"`
	Status         string                    `json:"status"`
	Date           string                    `json:"date"`
	Publisher      string                    `json:"publisher,omitempty"`
	Kind           string                    `json:"kind"`
	Software       *CapabilitySoftware       `json:"software,omitempty"`
	Implementation *CapabilityImplementation `json:"implementation,omitempty"`
	FHIRVersion    string                    `json:"fhirVersion"`
	Format         []string                  `json:"format"`
	Rest           []CapabilityRest          `json:"rest,omitempty"`
}

// CapabilitySoftware is an R4 CapabilityStatement.software.
type CapabilitySoftware struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// CapabilityImplementation is an R4 CapabilityStatement.implementation.
type CapabilityImplementation struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

// CapabilityRest is an R4 CapabilityStatement.rest.
type CapabilityRest struct {
	Mode          string                  `json:"mode"`
	Documentation string                  `json:"documentation,omitempty"`
	Security      *CapabilitySecurity     `json:"security,omitempty"`
	Resource      []CapabilityResource    `json:"resource,omitempty"`
	Interaction   []CapabilityInteraction `json:"interaction,omitempty"`
}

// CapabilitySecurity is an R4 CapabilityStatement.rest.security.
type CapabilitySecurity struct {
	Description string `json:"description,omitempty"`
}

// CapabilityResource is an R4 CapabilityStatement.rest.resource.
type CapabilityResource struct {
	Type        string                  `json:"type"`
	Interaction []CapabilityInteraction `json:"interaction,omitempty"`
	SearchParam []CapabilitySearchParam `json:"searchParam,omitempty"`
	Operation   []CapabilityOperation   `json:"operation,omitempty"`
}

// CapabilityInteraction is an R4 CapabilityStatement.rest(.resource).interaction.
type CapabilityInteraction struct {
	Code string `json:"code"`
}

// CapabilitySearchParam is an R4 CapabilityStatement.rest.resource.searchParam.
type CapabilitySearchParam struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// CapabilityOperation is an R4 CapabilityStatement.rest.resource.operation.
type CapabilityOperation struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}
