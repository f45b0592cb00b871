package main

import (
	"context"
	"encoding/json"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/rights"
	"github.com/tendcare/tend/internal/store"
)

// fhirRecords reads people's records for FHIR through the domain services;
// baseURL is the server's FHIR base ("" for files: references stay
// relative).
func fhirRecords(db *store.DB, clock tend.Clock, svc services, baseURL string) *fhir.Records {
	return &fhir.Records{Accounts: svc.accounts, CareTeams: svc.careTeam, SafetyPlans: svc.plan,
		Diary: svc.diary, Measures: svc.measure, Owners: db, Clock: clock, BaseURL: baseURL}
}

// fhirBundle is fhir-bundle.json in a person's download: the FHIR R4
// Bundle of everything the person may see of themselves ($everything), read
// through the same domain services as every other part. Its entries carry
// relative references (Type/id), as a file has no server to point at.
func fhirBundle(db *store.DB, clock tend.Clock, svc services) rights.FHIRBundle {
	records := fhirRecords(db, clock, svc, "")
	return func(ctx context.Context, actor tend.Actor, personID tend.ID) ([]byte, error) {
		b, err := records.Everything(ctx, actor, personID)
		if err != nil {
			return nil, err
		}
		return json.MarshalIndent(b, "", "  ")
	}
}
