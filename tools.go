//go:build tools

// Package tools pins the command-line tools and libraries that the build
// uses, so that `go run`, `go generate` and `go mod tidy` keep the versions
// recorded in go.mod.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/oapi-codegen/runtime"
	_ "github.com/onsi/ginkgo/v2/ginkgo"

	_ "github.com/getkin/kin-openapi/openapi3filter"
	_ "github.com/getkin/kin-openapi/routers/gorillamux"
	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/onsi/gomega"
)
