# The download no longer sends ETag, Last-Modified nor Accept-Ranges, which a resumed download
# needs (If-Range, and knowing a range will be honoured). oasdiff rates this info;
# spec/oasdiff-levels.txt makes it an error.
/^  \/databases\/{database_id}\/backups\/{backup_id}\/download:$/,/^  \/databases\/{database_id}\/maintenance:$/{
	/^            \(ETag\|Last-Modified\|Accept-Ranges\):$/,/^              \$ref: /d
}
