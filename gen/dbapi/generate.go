// Package dbapi holds the Go code generated from openapi.yaml: the models,
// a client with typed responses, and a strict server interface for the
// standard library's ServeMux. The embedded specification is in the sibling
// package dbapispec, so that importing this package links neither the spec
// nor the libraries that parse it.
//
// Nothing in this package is written by hand except this file; run
// `go generate ./gen/...` (or `make generate`) after changing openapi.yaml.
package dbapi

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config ../../oapi-codegen.yaml ../../openapi.yaml
