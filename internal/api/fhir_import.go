package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
)

// bundleImport is POST /fhir/r4: a transaction or batch Bundle of one
// person's QuestionnaireResponses and Observations, imported all or
// nothing through the domain services (fhir.Importer). A refusal is an
// OperationOutcome naming the entry and why; success the
// transaction-response (or batch-response) Bundle.
func (f *FHIRHandler) bundleImport(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	im := f.api.opt.FHIRImport
	if im == nil {
		return tend.ErrNotFound
	}
	if a.ID != "" && f.api.opt.Accounts != nil {
		if err := f.api.opt.Accounts.CountImport(r.Context(), a); err != nil {
			return err
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fhir.MaxImportBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tend.Errorf(tend.ETOOLARGE, "The Bundle is too large (at most %d MB).", fhir.MaxImportBytes>>20)
		}
		return tend.Errorf(tend.EINVALID, "The body could not be read.")
	}
	out, err := im.Import(r.Context(), a, body)
	var ie *fhir.ImportError
	if errors.As(err, &ie) {
		return writeFHIR(w, ie.Status, ie.Outcome())
	}
	if err != nil {
		return err
	}
	return writeFHIR(w, http.StatusOK, out)
}
