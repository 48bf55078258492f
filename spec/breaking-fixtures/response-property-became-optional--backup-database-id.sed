# A backup's database_id may now be missing from answers.
s/^      required: \[id, created_at, name, status, database_id\]$/      required: [id, created_at, name, status]/
