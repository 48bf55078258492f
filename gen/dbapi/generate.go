// Package dbapi holds the Go code generated from openapi.yaml: the models,
// a client with typed responses, a strict server interface for the
// standard library's ServeMux, and the embedded specification.
//
// Nothing in this package is written by hand except this file; run
// `go generate ./...` (or `make generate`) after changing openapi.yaml.
package dbapi

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../../oapi-codegen.yaml ../../openapi.yaml
