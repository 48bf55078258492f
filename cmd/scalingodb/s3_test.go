package main

import (
	"net/http/httptest"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdS3Server is the script command `s3server`: it serves an S3 server
// (gofakes3, in memory) on 127.0.0.1 for the rest of the script, with a
// bucket named offsite, and sets S3_URL to the s3:// URL of its prefix
// nightly (path-style, its endpoint) and the AWS variables of a static key,
// so that the tool reaches it through s3blob and the AWS SDK as a user's
// bucket.
func cmdS3Server(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: s3server")
	}
	backend := s3mem.New()
	ts.Check(backend.CreateBucket("offsite"))
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	ts.Defer(srv.Close)
	ts.Setenv("S3_URL", "s3://offsite/nightly?region=us-east-1&use_path_style=true&endpoint="+srv.URL)
	ts.Setenv("AWS_ACCESS_KEY_ID", "test-key")
	ts.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	ts.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ts.Setenv("AWS_CONFIG_FILE", "/dev/null")
	ts.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}
