package scalingodb

import (
	"context"
	"fmt"
	"io"

	"github.com/scalingodb/dbapi-go/pkg/scalingodb/download"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// maxCACertificate bounds the size of the CA certificate the client reads:
// a PEM bundle is a few KiB.
const maxCACertificate = 1 << 20

// CACertificate writes the PEM certificate of the authority that signs the
// databases' TLS certificates to w, and returns the number of bytes
// written. The answer is read whole and checked (one or more PEM
// certificates, at most 1 MiB) before anything is written to w. Its
// operation is known only from the JavaScript client.
//
// API: GET /ca_certificate (getCaCertificate)
func (s *DatabasesService) CACertificate(ctx context.Context, w io.Writer) (int64, error) {
	cert, err := s.caCertificate(ctx)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(cert)
	if err != nil {
		return int64(n), fmt.Errorf("scalingodb: write CA certificate: %w", err)
	}
	return int64(n), nil
}

// CACertificateToFile saves the CA certificate (see CACertificate) to path,
// atomically: it is written to a temporary file in the same directory,
// synced and renamed over path, so path holds either its old content or the
// whole new certificate, never a part, and a failure leaves it untouched.
// The file is readable by everyone (0644), as a certificate may be.
//
// API: GET /ca_certificate (getCaCertificate)
func (s *DatabasesService) CACertificateToFile(ctx context.Context, path string) (int64, error) {
	if path == "" {
		return 0, &InvalidInputError{Field: "path", Reason: "must not be empty"}
	}
	cert, err := s.caCertificate(ctx)
	if err != nil {
		return 0, err
	}
	if err := download.WriteFile(path, cert, 0o644); err != nil {
		return 0, fmt.Errorf("scalingodb: save CA certificate: %w", err)
	}
	return int64(len(cert)), nil
}

// caCertificate fetches and checks the PEM certificate.
func (s *DatabasesService) caCertificate(ctx context.Context) ([]byte, error) {
	o := apicall.OpGetCaCertificate
	body, status, err := apicall.FetchRaw(ctx, s.c.caller, o, apicall.Call0(s.c.api.GetCaCertificate), "application/x-pem-file, application/json", maxCACertificate)
	if err != nil {
		return nil, err
	}
	if !wire.IsPEMCertificates(body) {
		return nil, apicall.Malformed(o, status, "the body is not a PEM certificate")
	}
	return body, nil
}
