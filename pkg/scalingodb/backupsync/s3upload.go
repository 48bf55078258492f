package backupsync

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Upload writes one object to S3 as a multipart upload: parts of a fixed
// size, at most uploadConcurrency sent at a time, from a pool of
// uploadConcurrency+1 buffers, so that its memory is (uploadConcurrency+1)
// parts whatever the archive. It replaces gocloud.dev's writer for
// archives, whose AWS transfer manager first reads up to 16 MiB whole
// (MultipartUploadThreshold, which the writer's options do not expose).
// Nothing is visible at the key before Complete; Abort drops the parts.
type s3Upload struct {
	client   *s3.Client
	bucket   string
	key      string
	uploadID string
	checksum types.ChecksumAlgorithm // "" when the client sends none

	pool  chan []byte // free buffers
	buf   []byte      // the part being filled
	next  int32       // number of the next part
	sends sync.WaitGroup
	sem   chan struct{}

	mu    sync.Mutex
	parts []types.CompletedPart
	err   error
}

// errEmptyUpload is the error of completing an upload of no byte: S3
// completes no upload without a part (stream sends empty archives, which
// the API never has, through gocloud.dev's writer).
var errEmptyUpload = errors.New("no byte to upload")

// startS3Upload begins a multipart upload of key in bucket, in parts of
// partSize bytes.
func startS3Upload(ctx context.Context, client *s3.Client, bucket, key, backupID string, partSize int) (*s3Upload, error) {
	u := &s3Upload{client: client, bucket: bucket, key: key, next: 1,
		pool: make(chan []byte, uploadConcurrency+1), sem: make(chan struct{}, uploadConcurrency)}
	if client.Options().RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired {
		u.checksum = types.ChecksumAlgorithmCrc32
	}
	for range uploadConcurrency + 1 {
		u.pool <- make([]byte, 0, partSize)
	}
	out, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), ContentType: aws.String("application/octet-stream"),
		Metadata: map[string]string{"backup-id": backupID}, ChecksumAlgorithm: u.checksum,
	})
	if err != nil {
		return nil, err
	}
	u.uploadID = aws.ToString(out.UploadId)
	return u, nil
}

// Write fills parts and sends each full one; it never holds more than the
// pool's buffers. ctx bounds the sends.
func (u *s3Upload) write(ctx context.Context, p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if err := u.failure(); err != nil {
			return n, err
		}
		if u.buf == nil {
			select {
			case u.buf = <-u.pool:
			case <-ctx.Done():
				return n, ctx.Err()
			}
		}
		k := min(len(p), cap(u.buf)-len(u.buf))
		u.buf = append(u.buf, p[:k]...)
		n, p = n+k, p[k:]
		if len(u.buf) == cap(u.buf) {
			u.send(ctx)
		}
	}
	return n, nil
}

// send uploads the part being filled in the background.
func (u *s3Upload) send(ctx context.Context) {
	buf, num := u.buf, u.next
	u.buf, u.next = nil, u.next+1
	u.sem <- struct{}{}
	u.sends.Go(func() {
		defer func() { <-u.sem; u.pool <- buf[:0] }()
		out, err := u.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.uploadID),
			PartNumber: aws.Int32(num), Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(len(buf))),
			ChecksumAlgorithm: u.checksum,
		})
		u.mu.Lock()
		defer u.mu.Unlock()
		if err != nil {
			u.err = errors.Join(u.err, fmt.Errorf("part %d: %w", num, err))
			return
		}
		u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag,
			ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumSHA1: out.ChecksumSHA1,
			ChecksumSHA256: out.ChecksumSHA256})
	})
}

func (u *s3Upload) failure() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err
}

// complete sends the last part and makes the object visible at its key.
func (u *s3Upload) complete(ctx context.Context) error {
	if len(u.buf) > 0 {
		u.send(ctx)
	}
	if u.next == 1 {
		return errEmptyUpload
	}
	u.sends.Wait()
	if err := u.failure(); err != nil {
		return err
	}
	parts := u.parts
	// The parts, in the order of their numbers, as S3 wants them.
	slices.SortFunc(parts, func(a, b types.CompletedPart) int {
		return cmp.Compare(aws.ToInt32(a.PartNumber), aws.ToInt32(b.PartNumber))
	})
	_, err := u.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	return err
}

// abort waits for the parts in flight and drops the upload: nothing
// appears at the key. It uses a context of its own, as ctx may be what
// ended the upload.
func (u *s3Upload) abort(ctx context.Context) {
	u.sends.Wait()
	_, _ = u.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
		Bucket: aws.String(u.bucket), Key: aws.String(u.key), UploadId: aws.String(u.uploadID),
	})
}
