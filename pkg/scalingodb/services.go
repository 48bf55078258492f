package scalingodb

import (
	"fmt"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// service is the common part of every service: its client, and its name
// for Format.
type service struct {
	c    *Client
	name string
}

// Format prints the service's name and its client's base URL whatever the
// verb, so that no verb reaches the client behind it and its token source.
func (s *service) Format(f fmt.State, verb rune) {
	desc := "scalingodb." + s.name + "{}"
	if s.c != nil {
		desc = "scalingodb." + s.name + "{" + s.c.baseURL + "}"
	}
	httpx.FormatRedacted(f, verb, desc)
}
