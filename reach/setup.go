package reach

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

// ReadPEMCerts reads the certificates of a PEM file, adding them to pool
// when it is not nil.
func ReadPEMCerts(path string, pool *x509.CertPool) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		certs = append(certs, cert)
		if pool != nil {
			pool.AddCert(cert)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return certs, nil
}
