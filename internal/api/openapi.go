package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tendcare/tend"
)

// openapiJSON is the hand-written OpenAPI 3.1 document. Tests parse and
// validate it with pb33f/libopenapi, compare its paths with the route
// table, and check the handlers' answers against it.
//
//go:embed openapi.json
var openapiJSON []byte

// document checks that the embedded document is JSON (New refuses to start
// otherwise) and returns it.
func document() ([]byte, error) {
	if !json.Valid(openapiJSON) {
		return nil, fmt.Errorf("api: openapi.json is not valid JSON")
	}
	return openapiJSON, nil
}

// openapiShow serves the OpenAPI document; it needs no sign-in.
func (h *Handler) openapiShow(w http.ResponseWriter, _ *http.Request, _ tend.Actor) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiJSON)
	return nil
}
