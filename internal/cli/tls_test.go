package cli_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pavedev/pave/internal/cli"
)

// TestServerTLS runs `pave server` with --tls-cert and --tls-key, logs in
// with --ca-file, checks that a client without the CA is refused with a
// clear message, and that a renewed certificate is served without a
// restart.
func TestServerTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.pem")
	writeSelfSigned(t, certFile, keyFile, 1)
	copyFile(t, certFile, caFile)
	state := filepath.Join(dir, "state")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	for _, k := range []string{"PAVE_SERVER", "PAVE_TOKEN", "PAVE_STATE", "PAVE_DATABASE_URL", "PAVE_CA_FILE"} {
		t.Setenv(k, "")
	}

	// The first admin and their token, on the server's state, locally.
	if code, out, errOut := run(t, "", "user", "create", "ada", "--role", "admin", "--state", state); code != 0 {
		t.Fatalf("user create: %d %s %s", code, out, errOut)
	}
	code, token, errOut := run(t, "", "token", "create", "--user", "ada", "--state", state)
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errOut)
	}
	token = strings.TrimSpace(token)

	if code, _, errOut := run(t, "", "server", "--platform", "testdata/platform", "--state", state, "--tls-cert", certFile); code != cli.ExitUsage || !strings.Contains(errOut, "go together") {
		t.Fatalf("--tls-cert alone: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "", "server", "--platform", "testdata/platform", "--state", state, "--tls-cert", certFile, "--tls-key", caFile); code == 0 || !strings.Contains(errOut, "private key") {
		t.Fatalf("certificate as key: %d %s", code, errOut)
	}

	sctx, stop := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(sctx, []string{"server", "--platform", "testdata/platform", "--state", state, "--listen", "127.0.0.1:0",
			"--tls-cert", certFile, "--tls-key", keyFile, "--log-format", "text"}, strings.NewReader(""), out, &lockedBuffer{})
	}()
	t.Cleanup(func() { stop(); <-done })
	url := waitFor(t, out, regexp.MustCompile(`listening on (https://\S+)`))

	code, _, errOut = run(t, token+"\n", "login", "--server", url, "--token", "-")
	if code == 0 || !strings.Contains(errOut, "does not trust") || !strings.Contains(errOut, "--ca-file") {
		t.Fatalf("login without the CA: %d %s", code, errOut)
	}
	code, out2, errOut := run(t, token+"\n", "login", "--server", url, "--token", "-", "--ca-file", caFile)
	if code != 0 || !strings.Contains(out2, "as ada") {
		t.Fatalf("login with the CA: %d %s %s", code, out2, errOut)
	}
	if code, out, errOut := run(t, "", "whoami"); code != 0 || !strings.Contains(out, "ada (human) on "+url) {
		t.Fatalf("whoami over the saved login: %d %s %s", code, out, errOut)
	}

	// A renewed certificate is served on the next connection.
	writeSelfSigned(t, certFile, keyFile, 2)
	later := time.Now().Add(time.Minute)
	for _, f := range []string{certFile, keyFile} {
		if err := os.Chtimes(f, later, later); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := tls.Dial("tcp", strings.TrimPrefix(url, "https://"), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	serial := conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	conn.Close()
	if serial != 2 {
		t.Fatalf("served certificate serial %d after renewal, want 2", serial)
	}
}

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 with the
// given serial number, and its key.
func writeSelfSigned(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "pave test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a bytes.Buffer written by a server goroutine and read by
// the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits for re to match what the server printed and returns its
// first group.
func waitFor(t *testing.T, out *lockedBuffer, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the server did not print %s; it printed %q", re, out.String())
	return ""
}
