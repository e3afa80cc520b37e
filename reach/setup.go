package reach

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"strings"
)

// ServerResolver asks the DNS server at addr, over UDP (TCP when an
// answer is truncated), for names with a final dot: no search domains.
func ServerResolver(addr string) Resolver {
	return rootedResolver{&net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}}
}

// rootedResolver looks names up as fully qualified names.
type rootedResolver struct{ r *net.Resolver }

// LookupHost looks host up with a final dot.
func (r rootedResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	return r.r.LookupHost(ctx, strings.TrimSuffix(host, ".")+".")
}

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
