// Package overlaytest applies an OpenAPI Overlay 1.0 document to openapi.yaml for the tests of
// drift discovery, with libopenapi's overlay engine, and validates the result as the spec's own
// test does (kin-openapi, examples included). Only tests import it, so the suite's binary does
// not link libopenapi.
package overlaytest

import (
	"context"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/overlay"
)

// Apply applies ov to the spec at specPath and returns the result loaded and validated. A
// warning of the engine (a target that selects nothing) is an error, as is a result that does
// not load or validate.
func Apply(specPath string, ov []byte) (*openapi3.T, []byte, error) {
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return nil, nil, err
	}
	doc, err := libopenapi.NewOverlayDocument(ov)
	if err != nil {
		return nil, nil, fmt.Errorf("parse the overlay: %w", err)
	}
	res, err := overlay.Apply(spec, doc)
	if err != nil {
		return nil, nil, fmt.Errorf("apply the overlay: %w", err)
	}
	if len(res.Warnings) > 0 {
		return nil, res.Bytes, fmt.Errorf("overlay warning: %s", res.Warnings[0])
	}
	loaded, err := openapi3.NewLoader().LoadFromData(res.Bytes)
	if err != nil {
		return nil, res.Bytes, fmt.Errorf("load the overlaid spec: %w", err)
	}
	if err := loaded.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, res.Bytes, fmt.Errorf("the overlaid spec does not validate: %w", err)
	}
	return loaded, res.Bytes, nil
}
