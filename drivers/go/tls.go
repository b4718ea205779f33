// The cell's ssl-mode and TLS options as the crypto/tls.Config a go-sql-driver/mysql user registers.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

var tlsVersions = map[string]uint16{
	"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11,
	"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
}

// tlsConfig returns the config, or an unsupported reason, or a client-side config error
// (an unreadable CA, cert or key is a failed cell, as it is for a program using the driver).
func tlsConfig(c *cell) (*tls.Config, string, error) {
	if c.CRL != nil {
		return nil, "go-sql-driver/mysql and crypto/tls have no CRL option", nil
	}
	tc := &tls.Config{}
	switch c.SslMode {
	case "PREFERRED", "REQUIRED": // tls=preferred / tls=skip-verify: no CA is read
		tc.InsecureSkipVerify = true
	case "VERIFY_CA", "VERIFY_IDENTITY":
		if c.CA != nil {
			pem, err := os.ReadFile(*c.CA)
			if err != nil {
				return nil, "", err
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, "", fmt.Errorf("x509.CertPool.AppendCertsFromPEM found no certificate in %s", *c.CA)
			}
		}
		if c.SslMode == "VERIFY_IDENTITY" {
			tc.ServerName = c.Host
		} else {
			tc.InsecureSkipVerify = true // the chain is verified below, the host name is not
			tc.VerifyPeerCertificate = verifyChain(tc.RootCAs)
		}
	default:
		return nil, "unknown ssl_mode " + c.SslMode, nil
	}
	if (c.Cert == nil) != (c.Key == nil) {
		return nil, "tls.LoadX509KeyPair needs both a client certificate and its key", nil
	}
	if c.Cert != nil {
		pair, err := tls.LoadX509KeyPair(*c.Cert, *c.Key)
		if err != nil {
			return nil, "", err
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if c.TLSVersion != nil {
		if reason := setVersions(tc, *c.TLSVersion); reason != "" {
			return nil, reason, nil
		}
	}
	return tc, "", nil
}

// setVersions maps MySQL's --tls-version list onto MinVersion/MaxVersion (a range only).
func setVersions(tc *tls.Config, list string) string {
	listed := map[uint16]bool{}
	for _, name := range strings.Split(list, ",") {
		v, ok := tlsVersions[strings.TrimSpace(name)]
		if !ok {
			return "crypto/tls has no TLS version " + strings.TrimSpace(name)
		}
		listed[v] = true
		if tc.MinVersion == 0 || v < tc.MinVersion {
			tc.MinVersion = v
		}
		if v > tc.MaxVersion {
			tc.MaxVersion = v
		}
	}
	for _, v := range tlsVersions {
		if v > tc.MinVersion && v < tc.MaxVersion && !listed[v] {
			return "crypto/tls takes a MinVersion..MaxVersion range, not the gapped list " + list
		}
	}
	return ""
}

// verifyChain is the crypto/tls way to verify a peer against roots without a host name.
func verifyChain(roots *x509.CertPool) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		certs := make([]*x509.Certificate, len(raw))
		for i, der := range raw {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return err
			}
			certs[i] = cert
		}
		if len(certs) == 0 {
			return errors.New("server presented no certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, cert := range certs[1:] {
			opts.Intermediates.AddCert(cert)
		}
		_, err := certs[0].Verify(opts)
		return err
	}
}
