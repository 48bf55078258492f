package harness

// MockUnproducible lists the documented (operation, status) pairs that the built-in mock cannot
// produce, each with its reason. Everything else the spec documents must be seen in a full run
// against the mock. CheckCoverage fails when a listed pair is seen, so the list cannot grow stale.
func MockUnproducible() []Exclusion {
	// The suite's mock holds a token scoped to another database than the one under test, which
	// every operation addressing a database refuses with 403; the operations below address none.
	const unscoped = "the operation addresses no database, so the mock grants it to every valid token, scoped or not"
	return []Exclusion{
		{"getDatabaseTypeVersion", "403", unscoped},
		{"listFirewallManagedRanges", "403", unscoped},
		{"listFirewallManagedRanges", "404", "the operation has no path parameter: there is nothing to be missing"},
		{"listDatabaseTypes", "403", unscoped},
		{"listDatabaseTypes", "404", "the operation has no path parameter: there is nothing to be missing"},
		{"getDatabaseType", "403", unscoped},
		{"getPlan", "403", unscoped},
		{"getCaCertificate", "403", unscoped},
		{"getCaCertificate", "404", "the operation has no path parameter: there is nothing to be missing"},
		{"downloadBackup", "404", "a valid token exists only for a done backup, and backups cannot be deleted; any other token gets 403"},
		{"upgradeDatabase", "400", "the operation takes no body and no parameter: nothing can be malformed"},
		{"createBackup", "422", "the operation takes no body and the mock accepts every backup request"},
		{"listMaintenances", "422", "page and per_page rules are in the parameter schemas, so request validation answers 400 first"},
		{"getPlan", "422", "type is an enum of the spec (DatabaseTypeName), so request validation answers 400 to an unknown type first, and a type without the plan is 404"},
	}
}
