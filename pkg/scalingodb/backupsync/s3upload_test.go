package backupsync

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestS3Upload writes objects through s3Upload to an S3 server: a complete
// upload is the bytes written, in parts of the size asked (the last one
// shorter); an upload of no byte is an error; an aborted one leaves
// nothing at its key and no upload in progress.
func TestS3Upload(t *testing.T) {
	s3Env(t)
	_, base := fakeS3(t)
	ctx := context.Background()
	d, err := Open(ctx, s3URL(base, "up"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if d.s3 == nil {
		t.Fatal("an s3:// destination has no S3 client: archives would go through gocloud.dev's writer")
	}
	data := make([]byte, 12<<20+123)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		size    int
		abort   bool
		wantErr error
	}{
		{"three parts", len(data), false, nil},
		{"exactly two parts", 10 << 20, false, nil},
		{"one short part", 1000, false, nil},
		{"empty", 0, false, errEmptyUpload},
		{"aborted after two parts", len(data), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "up/" + tt.name
			u, err := startS3Upload(ctx, d.s3, testBucket, key, "b1", minPartSize)
			if err != nil {
				t.Fatal(err)
			}
			// Written in uneven pieces, as a download writes.
			for rest := data[:tt.size]; len(rest) > 0; {
				k := min(len(rest), 300_001)
				if n, err := u.write(ctx, rest[:k]); err != nil || n != k {
					t.Fatalf("write: %d, %v", n, err)
				}
				rest = rest[k:]
			}
			if tt.abort {
				u.abort(ctx)
				if _, err := d.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)}); err == nil {
					t.Error("an aborted upload is visible at its key")
				}
				list, err := d.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket), Prefix: aws.String(key)})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Uploads) != 0 {
					t.Errorf("%d uploads still in progress after abort", len(list.Uploads))
				}
				return
			}
			if err := u.complete(ctx); !errors.Is(err, tt.wantErr) {
				t.Fatalf("complete: %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				u.abort(ctx)
				return
			}
			if want := (tt.size + minPartSize - 1) / minPartSize; len(u.parts) != want {
				t.Errorf("%d parts, want %d", len(u.parts), want)
			}
			got, err := d.bucket.ReadAll(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data[:tt.size]) {
				t.Errorf("the object has %d bytes, not the %d written", len(got), tt.size)
			}
		})
	}
}
