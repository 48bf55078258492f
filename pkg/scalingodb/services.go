package scalingodb

import (
	"fmt"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/httpx"
)

// describe names a service and the base URL of its client, with no token.
func (s *service) describe(name string) string {
	if s == nil || s.c == nil {
		return "scalingodb." + name + "{}"
	}
	return "scalingodb." + name + "{" + s.c.baseURL + "}"
}

// The Format methods of the services print the service's name and its
// client's base URL whatever the verb, so that no verb reaches the client
// behind them and its token source.

// Format prints the service's name and base URL, never its client's token.
func (s *ActionsService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("ActionsService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *BackupsService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("BackupsService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *TypesService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("TypesService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *PlansService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("PlansService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *DatabasesService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("DatabasesService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *FeaturesService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("FeaturesService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *FirewallService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("FirewallService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *InstancesService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("InstancesService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *LogsService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("LogsService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *MaintenanceService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("MaintenanceService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *MetricsService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("MetricsService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *OperationsService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("OperationsService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *PITRService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("PITRService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *TypeVersionsService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("TypeVersionsService"))
}

// Format prints the service's name and base URL, never its client's token.
func (s *UsersService) Format(f fmt.State, verb rune) {
	httpx.FormatRedacted(f, verb, (*service)(s).describe("UsersService"))
}
