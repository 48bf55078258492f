// Package dbapispec holds openapi.yaml embedded in the program, generated
// from it: GetSwagger parses it into a kin-openapi document. It is a
// package of its own so that the client (package dbapi) does not link
// kin-openapi; servers, validators and tests import it.
//
// Nothing in this package is written by hand except this file; run
// `go generate ./gen/...` (or `make generate`) after changing openapi.yaml.
package dbapispec

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../../oapi-codegen-spec.yaml ../../openapi.yaml
