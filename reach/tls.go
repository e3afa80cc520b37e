package reach

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// microsoftCAs are the root certificate authorities of Azure's service
// endpoints, by SHA-1 thumbprint, as Microsoft lists them in "Azure
// Certificate Authority details"
// (https://learn.microsoft.com/azure/security/fundamentals/azure-ca-details,
// "Root Certificate Authorities"; checked against the certificates of the
// Mozilla root store). Baltimore CyberTrust Root is retired (it expired
// May 12, 2025) and kept for hosts that still chain to it.
var microsoftCAs = map[string]string{
	"D4DE20D05E66FC53FE1A50882C78DB2852CAE474": "Baltimore CyberTrust Root",
	"A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436": "DigiCert Global Root CA",
	"DF3C24F9BFD666761B268073FE06D1CC8D4F82A4": "DigiCert Global Root G2",
	"7E04DE896A3E666D00E687D33FFAD93BE83D349E": "DigiCert Global Root G3",
	"17F3DE5E9F0F19E98EF61F32266E20C407AE30EE": "DigiCert TLS ECC P384 Root G5",
	"A78849DC5D7C758C8CDE399856B3AAD0B2A57135": "DigiCert TLS RSA4096 Root G5",
	"8CF427FD790C3AD166068DE81E57EFBB932272D4": "Entrust Root Certification Authority - G2",
	"999A64C37FF47D9FAB95F14769891460EEC4C3C5": "Microsoft ECC Root Certificate Authority 2017",
	"73A5E64A3BFF8316FF0EDCCC618A906E4EAE4D74": "Microsoft RSA Root Certificate Authority 2017",
}

// publicIssuerOrgs are the organisations of the CAs above and of the
// issuing CAs under them (Microsoft Azure RSA/ECC TLS Issuing CA, DigiCert
// Global G2 TLS RSA SHA256 2020 CA1, Microsoft RSA TLS CA 01...). They only
// tell an inspecting proxy's certificate from a public one that failed
// verification for another reason; trust comes from thumbprints.
var publicIssuerOrgs = []string{"Microsoft Corporation", "DigiCert Inc", "DigiCert, Inc.", "Baltimore", "Entrust, Inc."}

// MicrosoftCAs returns a new map of the root CAs Microsoft's endpoints
// chain to: SHA-1 thumbprint (upper-case hex) to name.
func MicrosoftCAs() map[string]string { return maps.Clone(microsoftCAs) }

// Thumbprint is a certificate's SHA-1 thumbprint in upper-case hex, as
// Microsoft and Windows show it.
func Thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// nameOf is a certificate name for people: its common name, else its
// organisation, else the whole name.
func nameOf(n pkix.Name) string {
	switch {
	case n.CommonName != "":
		return clean(n.CommonName)
	case len(n.Organization) > 0:
		return clean(n.Organization[0])
	}
	return clean(n.String())
}

// tlsStage is the TLS stage: a handshake with the entry's name as SNI,
// the chain verified against Roots, the leaf's issuer recorded, and the
// chain's CAs compared with Microsoft's. When it shows inspection, one
// request over the session tells whether the device also blocks.
func (c *Checker) tlsStage(parent context.Context, conn net.Conn, t Target, proxy *url.URL, r *Result) {
	ctx, cancel := context.WithTimeout(parent, c.timeout())
	defer cancel()
	// Verification is done below, to tell inspection from other faults.
	tc := tls.Client(conn, &tls.Config{ServerName: t.Address, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12})
	if err := tc.HandshakeContext(ctx); err != nil {
		r.Stage, r.Reason = StageTLS, tlsReason(err, c.timeout())
		return
	}
	chain := tc.ConnectionState().PeerCertificates
	if len(chain) == 0 {
		r.Stage, r.Reason = StageTLS, "the server sent no certificate"
		return
	}
	leaf := chain[0]
	r.Issuer = nameOf(leaf.Issuer)
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{DNSName: t.Address, Roots: c.Roots, Intermediates: inter, CurrentTime: time.Now()})
	switch {
	case err == nil && c.public(chains):
		return
	case err == nil:
		root := chains[0][len(chains[0])-1]
		r.Stage, r.Inspection = StageTLS, true
		r.Reason = fmt.Sprintf("TLS inspection: the certificate for %s was issued by %q (root %q), not by the public CAs Microsoft uses; "+
			"Microsoft does not support inspecting this traffic: exempt the name from TLS inspection", t.Address, r.Issuer, nameOf(root.Subject))
	case !c.publicLooking(chain):
		r.Stage, r.Inspection = StageTLS, true
		r.Reason = fmt.Sprintf("TLS inspection: the certificate for %s was issued by %q, not by the public CAs Microsoft uses, and is not trusted here (%s); "+
			"Microsoft does not support inspecting this traffic: exempt the name from TLS inspection", t.Address, r.Issuer, clean(err.Error()))
	default:
		r.Stage, r.Reason = StageTLS, "certificate not valid: "+clean(err.Error())
	}
	if r.Inspection {
		c.probeInspected(parent, tc, t, proxy, r) // a stage of its own, with its own Timeout
	}
}

// public reports whether a verified chain runs through one of the public
// CAs (PublicCAs, or Microsoft's).
func (c *Checker) public(chains [][]*x509.Certificate) bool {
	cas := c.PublicCAs
	if cas == nil {
		cas = microsoftCAs
	}
	for _, ch := range chains {
		for _, cert := range ch[1:] {
			if _, ok := cas[Thumbprint(cert)]; ok {
				return true
			}
		}
	}
	return false
}

// publicLooking reports whether an unverified chain looks public: it
// holds one of the public CAs, or its issuers are all named as Microsoft's
// and DigiCert's CAs are.
func (c *Checker) publicLooking(chain []*x509.Certificate) bool {
	if c.public([][]*x509.Certificate{append([]*x509.Certificate{nil}, chain...)}) {
		return true
	}
	for _, cert := range chain {
		ok := false
		for _, o := range cert.Issuer.Organization {
			for _, p := range publicIssuerOrgs {
				ok = ok || strings.EqualFold(o, p)
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// tlsReason says in words why a handshake failed.
func tlsReason(err error, timeout time.Duration) string {
	var ne net.Error
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no TLS answer within %s: the connection was accepted but the handshake got no reply (a firewall holding it, or no TLS service)", timeout)
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || strings.Contains(msg, "reset") || strings.Contains(msg, "forcibly closed"):
		return "the connection was closed during the TLS handshake, before any certificate: a firewall that filters by name (SNI) does not allow it"
	}
	return "TLS handshake failed: " + clean(err.Error())
}
