package wire

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// TestIsPEMCertificates accepts one or more certificates surrounded by
// white space, and nothing else.
func TestIsPEMCertificates(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyBlock := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"one certificate", cert, true},
		{"a bundle, with white space", "\n" + cert + "\n" + cert + "  \n", true},
		{"empty", "", false},
		{"white space only", " \n", false},
		{"JSON", `{"error":"not found"}`, false},
		{"a certificate then text", cert + "trailing", false},
		{"text then a certificate", "leading\n" + cert, false},
		{"a private key", keyBlock, false},
		{"a certificate and a key", cert + keyBlock, false},
		{"a CERTIFICATE block that is no certificate", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})), false},
		{"a certificate and a CERTIFICATE block that is none", cert + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 1, 2, 3}})), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPEMCertificates([]byte(tt.body)); got != tt.want {
				t.Errorf("IsPEMCertificates = %v, want %v", got, tt.want)
			}
		})
	}
}
