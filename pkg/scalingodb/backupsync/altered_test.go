package backupsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestSync_AlteredCopyIsNotSkipped: a listed copy replaced after it was
// copied by an object of the same size (edited, encrypted in place) is not
// the copy the manifest lists. Sync must not skip it as intact: it copies
// it again while the API has the backup, fails (and prunes nothing) when
// it does not, and only records the new ETag when the content is the same.
func TestSync_AlteredCopyIsNotSkipped(t *testing.T) {
	tests := []struct {
		name string
		// alter returns the new content of the copy.
		alter func(data []byte) []byte
		// expired: the API no longer has the altered copy's backup.
		expired bool
	}{
		{name: "altered, backup on the API", alter: func(b []byte) []byte { b[100] ^= 1; return b }},
		{name: "altered, backup gone", alter: func(b []byte) []byte { b[100] ^= 1; return b }, expired: true},
		{name: "rewritten, same content", alter: func(b []byte) []byte { return b }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachDestination(t, func(t *testing.T, d *Destination) {
				ctx := context.Background()
				f, m := synced(t, d, 3)
				db := f.dbs[0]
				e := m.Backups[2]
				key := d.key(db, e.Key)
				data, err := d.bucket.ReadAll(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if err := d.bucket.WriteAll(ctx, key, tt.alter(data), nil); err != nil {
					t.Fatal(err)
				}
				srcs := f.sources()
				if tt.expired {
					srcs = newFixture(t, 1, 2, 4000).sources()
				}
				res := Sync(ctx, d, srcs, Options{Policy: Policy{Last: 1}})[0]
				switch {
				case tt.name == "rewritten, same content":
					if res.Failed() || !slices.Contains(res.Skipped, e.ID) {
						t.Errorf("run: %+v, want %s skipped", res, e.ID)
					}
					m2, _ := d.readManifest(ctx, db)
					attrs, err := d.bucket.Attributes(ctx, key)
					if err != nil || m2.entry(e.ID) == nil || m2.entry(e.ID).ETag != attrs.ETag {
						t.Errorf("the manifest's ETag of the rewritten copy is not the object's (%v)", err)
					}
				case tt.expired:
					if !res.Failed() || !strings.Contains(res.Err.Error(), e.ID) || len(res.Pruned) != 0 {
						t.Errorf("run: %+v, want a failure naming %s and nothing pruned", res, e.ID)
					}
				default:
					if res.Failed() || !slices.Contains(res.Copied, e.ID) {
						t.Errorf("run: %+v, want %s copied again", res, e.ID)
					}
					// (Verify would fail on gofakes3, which carries the altered
					// object's x-amz-checksum-crc32 over to the new one.)
					m2, _ := d.readManifest(ctx, db)
					want := archiveSum(t, e.ID, e.Size)
					if got := rawSum(t, d, key); got != want || m2.entry(e.ID) == nil || m2.entry(e.ID).SHA256 != want {
						t.Errorf("the copy made again has sha256 %s, want %s as its entry says", got, want)
					}
				}
			})
		})
	}
}

// rawSum returns the hex SHA-256 of the object at key, read without the
// checksum check of the AWS SDK (see TestSync_AlteredCopyIsNotSkipped).
func rawSum(t *testing.T, d *Destination, key string) string {
	t.Helper()
	ctx := context.Background()
	var r io.ReadCloser
	if d.s3 != nil {
		out, err := d.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(d.s3Bucket), Key: aws.String(key)},
			func(o *s3.Options) { o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired })
		if err != nil {
			t.Fatal(err)
		}
		r = out.Body
	} else {
		br, err := d.bucket.NewReader(ctx, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		r = br
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestSync_UnreadableReplacedCopyIsCopiedAgain: a listed copy replaced
// since it was made by an object the store cannot read back (here, one
// whose stored CRC32 does not match: gofakes3 keeps the checksum of the
// object a multipart upload replaces) is copied again while the API has
// the backup, not a failure at every run.
func TestSync_UnreadableReplacedCopyIsCopiedAgain(t *testing.T) {
	d := open(t, startS3(t, "p"))
	ctx := context.Background()
	f, m := synced(t, d, 2)
	db := f.dbs[0]
	e := m.Backups[1]
	key := d.key(db, e.Key)
	if err := d.bucket.WriteAll(ctx, key, bytes.Repeat([]byte{1}, int(e.Size)), nil); err != nil {
		t.Fatal(err)
	}
	u, err := startS3Upload(ctx, d.s3, d.s3Bucket, key, e.ID, minPartSize)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.write(ctx, bytes.Repeat([]byte{2}, int(e.Size))); err != nil {
		t.Fatal(err)
	}
	if err := u.complete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.bucket.ReadAll(ctx, key); err == nil {
		t.Fatal("the replaced object reads back: the test needs one that does not")
	}
	res := Sync(ctx, d, f.sources(), Options{})[0]
	if res.Failed() || !slices.Contains(res.Copied, e.ID) {
		t.Errorf("run: %+v, want %s copied again", res, e.ID)
	}
}
