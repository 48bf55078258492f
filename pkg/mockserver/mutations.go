package mockserver

import (
	"net/http"

	"github.com/scalingodb/dbapi-go/pkg/mockserver/mutate"
)

// Mutation is a contract mutation of the catalogue (package mutate), kept here under its old name.
type Mutation = mutate.Mutation

// WithMutations enables contract mutations by name (see Mutations). An unknown name makes New fail.
// At most one mutation per operation.
func WithMutations(names ...string) Option {
	return func(c *config) { c.mutations = append(c.mutations, names...) }
}

// Mutations returns the catalogue of contract mutations, sorted by name (mutate.Catalogue).
func Mutations() []Mutation { return mutate.Catalogue() }

func selectMutations(names []string) (map[string]*Mutation, error) { return mutate.Select(names) }

func (s *Server) mutate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := s.muts[s.operationOf(r)]
		if m == nil {
			next.ServeHTTP(w, r)
			return
		}
		m.Apply(w, r, next)
	})
}
