package api

import (
	"crypto/tls"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/errs"
)

// certReloader serves a certificate and key from files and reloads them
// when either changes on disk, so that a renewed certificate (cert-manager,
// certbot) is picked up without a restart. A pair that does not load keeps
// the last good one in use.
type certReloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	modTime time.Time
}

// TLSConfig returns the TLS configuration of a server with the certificate
// and key of two PEM files. Both must load now; later changes to the files
// are picked up on the next handshake.
func TLSConfig(certFile, keyFile string) (*tls.Config, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if _, err := r.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.get}, nil
}

func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m := r.latest(); m.After(r.modTime) {
		if c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile); err == nil {
			r.cert, r.modTime = &c, m
		}
	}
	return r.cert, nil
}

// load reads the pair, reporting which file is wrong.
func (r *certReloader) load() (*tls.Certificate, error) {
	for _, f := range []string{r.certFile, r.keyFile} {
		if _, err := os.Stat(f); err != nil {
			reason := err.Error()
			if pe, ok := err.(*fs.PathError); ok {
				reason = pe.Err.Error()
			}
			return nil, errs.Wrap(errs.Invalid, err, "TLS: cannot read %s: %s", f, reason)
		}
	}
	m := r.latest()
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "TLS: %s and %s are not a PEM certificate and its private key: %s", r.certFile, r.keyFile, err.Error())
	}
	r.mu.Lock()
	r.cert, r.modTime = &c, m
	r.mu.Unlock()
	return &c, nil
}

// latest is the later modification time of the two files.
func (r *certReloader) latest() time.Time {
	var t time.Time
	for _, f := range []string{r.certFile, r.keyFile} {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().After(t) {
			t = fi.ModTime()
		}
	}
	return t
}
