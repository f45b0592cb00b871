// Package api serves Tend's JSON API under /api/v1 for browser sessions and
// personal access tokens, with errors as RFC 9457 problems and the OpenAPI
// 3.1 document that describes it (openapi.json, checked against the route
// table in tests). Handlers only parse, call one domain service and write
// JSON: they never decide access, and never show an error's internal text.
package api
