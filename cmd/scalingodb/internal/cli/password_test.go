package cli

import (
	"testing"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb"
)

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		pw := generatePassword()
		if err := scalingodb.ValidatePassword(pw); err != nil {
			t.Fatalf("generated password breaks the rules: %v", err)
		}
		if seen[pw.Reveal()] {
			t.Fatal("the same password twice")
		}
		seen[pw.Reveal()] = true
	}
}
