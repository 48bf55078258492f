package respond

import "net/http"

// The Visit methods of the generated response interfaces, one per operation: each writes the
// answer (Write).

// VisitCreateBackupResponse writes the answer.
func (a Response) VisitCreateBackupResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitCreateDatabaseUserResponse writes the answer.
func (a Response) VisitCreateDatabaseUserResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitCreateFirewallRuleResponse writes the answer.
func (a Response) VisitCreateFirewallRuleResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitDeleteDatabaseUserResponse writes the answer.
func (a Response) VisitDeleteDatabaseUserResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitDeleteFirewallRuleResponse writes the answer.
func (a Response) VisitDeleteFirewallRuleResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitDisableDatabaseFeatureResponse writes the answer.
func (a Response) VisitDisableDatabaseFeatureResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitDownloadBackupResponse writes the answer.
func (a Response) VisitDownloadBackupResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitEnableDatabaseFeatureResponse writes the answer.
func (a Response) VisitEnableDatabaseFeatureResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetBackupArchiveResponse writes the answer.
func (a Response) VisitGetBackupArchiveResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetBackupResponse writes the answer.
func (a Response) VisitGetBackupResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetBackupRestorationResponse writes the answer.
func (a Response) VisitGetBackupRestorationResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetCaCertificateResponse writes the answer.
func (a Response) VisitGetCaCertificateResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseHealthResponse writes the answer.
func (a Response) VisitGetDatabaseHealthResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseInstancesStatusResponse writes the answer.
func (a Response) VisitGetDatabaseInstancesStatusResponse(w http.ResponseWriter) error {
	return a.Write(w)
}

// VisitGetDatabaseLagResponse writes the answer.
func (a Response) VisitGetDatabaseLagResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseLogsURLResponse writes the answer.
func (a Response) VisitGetDatabaseLogsURLResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseMetricsByTypeResponse writes the answer.
func (a Response) VisitGetDatabaseMetricsByTypeResponse(w http.ResponseWriter) error {
	return a.Write(w)
}

// VisitGetDatabaseMetricsResponse writes the answer.
func (a Response) VisitGetDatabaseMetricsResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseOperationResponse writes the answer.
func (a Response) VisitGetDatabaseOperationResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabasePlanResponse writes the answer.
func (a Response) VisitGetDatabasePlanResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseResponse writes the answer.
func (a Response) VisitGetDatabaseResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseTypeResponse writes the answer.
func (a Response) VisitGetDatabaseTypeResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetDatabaseTypeVersionResponse writes the answer.
func (a Response) VisitGetDatabaseTypeVersionResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetInstanceMetricsByTypeResponse writes the answer.
func (a Response) VisitGetInstanceMetricsByTypeResponse(w http.ResponseWriter) error {
	return a.Write(w)
}

// VisitGetMaintenanceResponse writes the answer.
func (a Response) VisitGetMaintenanceResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetPitrRecoveryWindowResponse writes the answer.
func (a Response) VisitGetPitrRecoveryWindowResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitGetPlanResponse writes the answer.
func (a Response) VisitGetPlanResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitListBackupsResponse writes the answer.
func (a Response) VisitListBackupsResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitListDatabaseLogsArchivesResponse writes the answer.
func (a Response) VisitListDatabaseLogsArchivesResponse(w http.ResponseWriter) error {
	return a.Write(w)
}

// VisitListDatabaseTypesResponse writes the answer.
func (a Response) VisitListDatabaseTypesResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitListDatabaseUsersResponse writes the answer.
func (a Response) VisitListDatabaseUsersResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitListFirewallManagedRangesResponse writes the answer.
func (a Response) VisitListFirewallManagedRangesResponse(w http.ResponseWriter) error {
	return a.Write(w)
}

// VisitListFirewallRulesResponse writes the answer.
func (a Response) VisitListFirewallRulesResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitListMaintenancesResponse writes the answer.
func (a Response) VisitListMaintenancesResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitPingDatabaseResponse writes the answer.
func (a Response) VisitPingDatabaseResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitPutDatabaseResponse writes the answer.
func (a Response) VisitPutDatabaseResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitResetDatabaseUserPasswordResponse writes the answer.
func (a Response) VisitResetDatabaseUserPasswordResponse(w http.ResponseWriter) error {
	return a.Write(w)
}

// VisitRestoreBackupResponse writes the answer.
func (a Response) VisitRestoreBackupResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitRestoreDatabasePitrResponse writes the answer.
func (a Response) VisitRestoreDatabasePitrResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitRunDatabaseActionResponse writes the answer.
func (a Response) VisitRunDatabaseActionResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitUpdateDatabaseResponse writes the answer.
func (a Response) VisitUpdateDatabaseResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitUpdateDatabaseUserResponse writes the answer.
func (a Response) VisitUpdateDatabaseUserResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitUpdateFirewallRuleResponse writes the answer.
func (a Response) VisitUpdateFirewallRuleResponse(w http.ResponseWriter) error { return a.Write(w) }

// VisitUpgradeDatabaseResponse writes the answer.
func (a Response) VisitUpgradeDatabaseResponse(w http.ResponseWriter) error { return a.Write(w) }
