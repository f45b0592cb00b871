package fhir_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/safetyplan"
)

const (
	personID = tend.ID("0193a5c2-7d4e-7000-8000-0000000000aa")
	staffID  = tend.ID("0193a5c2-7d4e-7000-8000-0000000000bb")
	memberID = tend.ID("0193a5c2-7d4e-7000-8000-0000000000cc")
)

var started = time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)

func TestCarePlanFrom(t *testing.T) {
	var c safetyplan.Content
	c.Steps[0] = []string{"Not sleeping", "Skipping meals"}
	c.Steps[4] = []string{"Call the team on 0100 000 000"}
	c.MostImportant = "My dog"
	c.Reasons = []string{"Seeing the sea again"}
	c.Likely = "Quite likely, if my phone is charged"
	p := safetyplan.Plan{Content: c, PersonID: personID, Version: 3, SavedByKind: tend.KindStaff, SavedBy: staffID, SavedAt: started}
	cp := fhir.CarePlanFrom(p)
	if cp.ID != string(personID) || cp.Subject.Reference != "Patient/"+string(personID) || cp.Author.Reference != "Practitioner/"+string(staffID) ||
		cp.Status != "active" || cp.Intent != "plan" || cp.Meta.LastUpdated != "2026-01-05T09:30:00Z" {
		t.Errorf("header = %+v", cp)
	}
	var got []string
	for _, a := range cp.Activity {
		got = append(got, a.Detail.Code.Coding[0].Code+": "+a.Detail.Description)
	}
	want := []string{"most-important: My dog", "reason-for-living: Seeing the sea again", "step-1: Not sleeping", "step-1: Skipping meals",
		"step-5: Call the team on 0100 000 000", "likely: Quite likely, if my phone is charged"}
	if !slices.Equal(got, want) {
		t.Errorf("activities\n got %q\nwant %q", got, want)
	}
	fhirtest.Validate(t, cp)
}

func TestConsentFrom(t *testing.T) {
	m := careteam.MemberView{
		Member: careteam.Member{ID: memberID, PersonID: personID, StaffID: staffID, Role: tend.CareTherapist, State: access.MemberActive, StartedAt: started},
		Grants: map[access.Area]access.Level{access.AreaDiary: access.LevelSee, access.AreaSafetyPlan: access.LevelEdit,
			access.AreaJournal: access.LevelEdit, access.AreaHopeBox: access.LevelSee},
	}
	c := fhir.ConsentFrom(personID, m)
	if c.ID != string(memberID) || c.Status != "active" || c.Provision.Type != "deny" ||
		c.Provision.Actor[0].Reference.Reference != "Practitioner/"+string(staffID) {
		t.Errorf("consent = %+v", c)
	}
	got := map[string][]string{}
	for _, p := range c.Provision.Provision {
		var acts []string
		for _, a := range p.Action {
			acts = append(acts, a.Coding[0].Code)
		}
		got[p.Code[0].Coding[0].Code] = acts
	}
	// The journal is "see" at most, whatever is stored; the hope box is
	// never shared.
	want := map[string][]string{"diary": {"access"}, "safety_plan": {"access", "correct"}, "journal": {"access"}}
	if len(got) != len(want) {
		t.Errorf("provisions %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	fhirtest.Validate(t, c)
}

func TestCareTeamFrom(t *testing.T) {
	members := []careteam.TeamMember{
		{Member: careteam.Member{ID: memberID, StaffID: staffID, Role: tend.CareTherapist, State: access.MemberActive, StartedAt: started}, StaffName: "Lee"},
		{Member: careteam.Member{ID: "0193a5c2-7d4e-7000-8000-0000000000dd", StaffID: "0193a5c2-7d4e-7000-8000-0000000000ee", Role: tend.CarePrescriber,
			State: access.MemberFollowUp, StartedAt: started}, StaffName: "Priya"},
		{Member: careteam.Member{ID: "0193a5c2-7d4e-7000-8000-0000000000ff", StaffID: staffID, Role: tend.CareCoordinator, State: access.MemberEnded}},
	}
	ct := fhir.CareTeamFrom(personID, members)
	if len(ct.Participant) != 2 || ct.Participant[0].Role[0].Coding[0].Code != "therapist" || ct.Participant[1].Role[1].Coding[0].Code != "follow_up" {
		t.Errorf("participants = %+v (an ended membership is left out)", ct.Participant)
	}
	fhirtest.Validate(t, ct, fhir.PatientFrom(personID, "sam"), fhir.PractitionerFrom(staffID, "Lee"))
}

func TestCapability(t *testing.T) {
	routes := []fhir.Route{
		{Method: "GET", Path: "/fhir/r4/metadata"},
		{Method: "POST", Path: "/fhir/r4"},
		{Method: "GET", Path: "/fhir/r4/Patient", Search: []fhir.SearchParam{{Name: "patient", Type: "reference"}}},
		{Method: "GET", Path: "/fhir/r4/Patient/{id}"},
		{Method: "GET", Path: "/fhir/r4/Patient/{id}/$everything"},
		{Method: "GET", Path: "/fhir/r4/Consent/{id}"},
	}
	cs := fhir.Capability(routes, "v1.2.3", started)
	rest := cs.Rest[0]
	if len(rest.Interaction) != 2 || rest.Interaction[0].Code != "transaction" || rest.Interaction[1].Code != "batch" {
		t.Errorf("system interactions = %+v", rest.Interaction)
	}
	if len(rest.Resource) != 2 || rest.Resource[0].Type != "Patient" || rest.Resource[1].Type != "Consent" {
		t.Fatalf("resources = %+v", rest.Resource)
	}
	p := rest.Resource[0]
	if len(p.Interaction) != 2 || p.Interaction[0].Code != "search-type" || p.Interaction[1].Code != "read" ||
		len(p.Operation) != 1 || p.Operation[0].Name != "everything" || p.SearchParam[0].Name != "patient" {
		t.Errorf("Patient = %+v", p)
	}
	fhirtest.Validate(t, cs)
}
