//go:build tools

// Package tools pins the command-line tools the build runs with `go run`
// (the code generator and the Ginkgo CLI), so that `go mod tidy` keeps the
// versions recorded in go.mod.
package tools

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "github.com/onsi/ginkgo/v2/ginkgo"
)
