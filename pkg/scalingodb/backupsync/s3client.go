package backupsync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/blob/s3blob"
)

// The time bounds of the S3 client's requests (see s3HTTPClient). They are
// variables so that a test can lower them.
var (
	// s3DialTimeout bounds the TCP connection to the endpoint.
	s3DialTimeout = 30 * time.Second
	// s3TLSTimeout bounds the TLS handshake.
	s3TLSTimeout = 30 * time.Second
	// s3HeaderTimeout bounds the wait for a response's headers once the
	// request (and its body) is sent. S3 answers CompleteMultipartUpload
	// at once with 200 and keeps the body alive with spaces while it
	// assembles the parts, so a long completion stays within it.
	s3HeaderTimeout = 2 * time.Minute
	// s3StallTimeout is the longest a connection may go without sending or
	// receiving a byte while it is in use: it bounds a body that stalls, in
	// either direction, whatever the body's size (a multi-GiB stream that
	// moves is never cut).
	s3StallTimeout = 2 * time.Minute
	// s3IdleConnTimeout closes a pooled connection before its pending read
	// reaches s3StallTimeout.
	s3IdleConnTimeout = 90 * time.Second
)

// StallError is an S3 connection that sent and received no byte for
// Idle while a request used it: a hung endpoint. The SDK retries the
// request; this is the error of its last attempt.
type StallError struct {
	// Idle is the bound that passed (2 minutes).
	Idle time.Duration
}

func (e *StallError) Error() string {
	return fmt.Sprintf("backupsync: the S3 connection sent and received nothing for %s: the endpoint hangs", e.Idle)
}

// Timeout reports true: a StallError is a network timeout (net.Error).
func (e *StallError) Timeout() bool { return true }

// Is makes a StallError match os.ErrDeadlineExceeded.
func (e *StallError) Is(target error) bool { return target == os.ErrDeadlineExceeded }

// stallConn is a connection whose every read and write must move a byte
// within timeout. A write also pushes the read deadline: the response of a
// request is awaited from the end of its body, not from when the
// connection went idle in the pool.
type stallConn struct {
	net.Conn
	timeout time.Duration
}

func (c *stallConn) Read(p []byte) (int, error) {
	if err := c.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	return n, c.stalled(err)
}

func (c *stallConn) Write(p []byte) (int, error) {
	if err := c.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Write(p)
	return n, c.stalled(err)
}

func (c *stallConn) stalled(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &StallError{Idle: c.timeout}
	}
	return err
}

// s3HTTPClient is the HTTP client of the S3 client: the AWS SDK's default
// transport (proxy from the environment, TLS 1.2+, pooling) with every
// wait bounded, but no bound on a whole request, which would cut a large
// upload that moves. The SDK's own client has no response or stall bound
// for S3.
func s3HTTPClient() aws.HTTPClient {
	stall := s3StallTimeout
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = s3DialTimeout }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = s3TLSTimeout
			tr.ResponseHeaderTimeout = s3HeaderTimeout
			tr.IdleConnTimeout = min(s3IdleConnTimeout, stall/2)
			dial := tr.DialContext
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := dial(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return &stallConn{Conn: c, timeout: stall}, nil
			}
		}).
		// Frozen, so that the S3 client does not replace the dialer (and
		// with it the stall bound) by its defaults mode's.
		Freeze()
}

// openS3 opens the bucket of an s3:// URL without path as gocloud.dev's
// s3blob does, with each query parameter it knows (region, endpoint,
// use_path_style, profile, ssetype, request_checksum_calculation…), then
// puts its S3 client on s3HTTPClient. It returns the bucket, its S3 client
// and the key prefix of a prefix= parameter (the bucket adds it; an upload
// through the client must too).
func openS3(ctx context.Context, u *url.URL) (*blob.Bucket, *s3.Client, string, error) {
	q := u.Query()
	keyPrefix := q.Get("prefix")
	if q.Has("key") {
		return nil, nil, "", errors.New("the key parameter names a single object; a destination is a folder")
	}
	q.Del("prefix")
	u.RawQuery = q.Encode()
	opener := &s3blob.URLOpener{}
	b, err := opener.OpenBucketURL(ctx, u)
	if err != nil {
		return nil, nil, "", err
	}
	var first *s3.Client
	ok := b.As(&first)
	_ = b.Close()
	if !ok {
		return nil, nil, "", errors.New("gocloud.dev's s3blob gave no S3 client")
	}
	client := s3.New(first.Options(), func(o *s3.Options) { o.HTTPClient = s3HTTPClient() })
	// opener.Options now holds what the URL set (encryption, checksums).
	b, err = s3blob.OpenBucket(ctx, client, u.Host, &opener.Options)
	if err != nil {
		return nil, nil, "", err
	}
	if keyPrefix != "" {
		b = blob.PrefixedBucket(b, keyPrefix)
	}
	return b, client, keyPrefix, nil
}
