# A restoration's status (2.1.0) may now be missing, and a client that polls it never sees "done".
s/^      required: \[id, created_at, started_at, ended_at, method, status, database_id, source_backup_id\]$/      required: [id, created_at, started_at, ended_at, method, database_id, source_backup_id]/
