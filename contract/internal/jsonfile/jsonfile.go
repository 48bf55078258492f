// Package jsonfile writes a value as indented JSON to a file and reads it back: the per-process
// drift files and the run's contract-coverage.json, which the suite writes, merges and reads.
package jsonfile

import (
	"encoding/json"
	"fmt"
	"os"
)

// Write writes v as indented JSON, ending with a newline, to path.
func Write(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Read decodes the JSON file at path into a T. A file that is not JSON of that shape is an
// error that names it, and gives the zero T, never a half-read one.
func Read[T any](path string) (T, error) {
	var v, zero T
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return zero, fmt.Errorf("read %s: %w", path, err)
	}
	return v, nil
}
