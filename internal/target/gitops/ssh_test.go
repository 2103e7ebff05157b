package gitops

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// sshGitServer is a real SSH server on 127.0.0.1 that lets one client key
// run git-upload-pack and git-receive-pack on repositories by absolute
// path, as a Git host's SSH endpoint does.
type sshGitServer struct {
	addr       string
	knownHosts string
	wg         sync.WaitGroup
}

func startSSHGitServer(t *testing.T, clientKey ssh.PublicKey) *sshGitServer {
	t.Helper()
	gitBinary(t)
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(key.Marshal(), clientKey.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	cfg.AddHostKey(hostSigner)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &sshGitServer{addr: ln.Addr().String()}
	srv.knownHosts = knownhosts.Line([]string{knownhosts.Normalize(srv.addr)}, hostSigner.PublicKey())
	t.Cleanup(func() {
		ln.Close()
		srv.wg.Wait()
	})
	srv.wg.Add(1)
	go func() {
		defer srv.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			srv.wg.Add(1)
			go func() {
				defer srv.wg.Done()
				srv.serve(conn, cfg)
			}()
		}
	}()
	return srv
}

func (srv *sshGitServer) serve(conn net.Conn, cfg *ssh.ServerConfig) {
	defer conn.Close()
	_, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "sessions only")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			return
		}
		srv.wg.Add(1)
		go func() {
			defer srv.wg.Done()
			srv.session(ch, requests)
		}()
	}
}

// session runs the one git command an exec request asks for.
func (srv *sshGitServer) session(ch ssh.Channel, requests <-chan *ssh.Request) {
	defer ch.Close()
	for req := range requests {
		if req.Type != "exec" {
			req.Reply(req.Type == "env", nil)
			continue
		}
		if len(req.Payload) < 4 {
			req.Reply(false, nil)
			return
		}
		n := binary.BigEndian.Uint32(req.Payload)
		command := string(req.Payload[4 : 4+n])
		prog, arg, _ := strings.Cut(command, " ")
		if prog != "git-upload-pack" && prog != "git-receive-pack" {
			req.Reply(false, nil)
			return
		}
		req.Reply(true, nil)
		cmd := exec.Command("git", strings.TrimPrefix(prog, "git-"), strings.Trim(arg, "'"))
		cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
		status := uint32(0)
		if err := cmd.Run(); err != nil {
			status = 1
		}
		ch.CloseWrite()
		ch.SendRequest("exit-status", false, binary.BigEndian.AppendUint32(nil, status))
		return
	}
}

// TestSSH deploys, redeploys and destroys over a real SSH server with a
// private key and known hosts, and checks that a wrong key and an unknown
// host key are refused.
func TestSSH(t *testing.T) {
	_, clientPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clientSigner, err := ssh.NewSignerFromKey(clientPriv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(clientPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(block))
	srv := startSSHGitServer(t, clientSigner.PublicKey())
	bare := newBareRepo(t)
	cfg := target.Config{
		"repository": "ssh://git@" + srv.addr + bare,
		"sshKey":     keyPEM,
		"knownHosts": srv.knownHosts,
	}
	ctx := context.Background()
	tgt := New(Options{HashKey: testHashKey})
	if err := tgt.Deploy(ctx, cfg, testDeployment("dep-ssh-1", true, dbPassword), nil); err != nil {
		t.Fatalf("deploy over ssh: %v", err)
	}
	c := head(t, bare)
	if c == nil || !strings.Contains(c.Message, "dep-ssh-1") {
		t.Fatalf("no deploy commit over ssh")
	}
	if _, ok := treeFiles(t, c, "shop/staging")["deployment-worker.yaml"]; !ok {
		t.Fatal("deployment-worker.yaml is missing")
	}
	if err := tgt.Deploy(ctx, cfg, testDeployment("dep-ssh-2", false, dbPassword), nil); err != nil {
		t.Fatalf("second deploy over ssh: %v", err)
	}
	if _, ok := treeFiles(t, head(t, bare), "shop/staging")["deployment-worker.yaml"]; ok {
		t.Fatal("deployment-worker.yaml was not pruned")
	}
	if err := tgt.Destroy(ctx, cfg, "shop", "staging"); err != nil {
		t.Fatalf("destroy over ssh: %v", err)
	}
	if len(treeFiles(t, head(t, bare), "shop/staging")) != 0 {
		t.Fatal("shop/staging is still there")
	}

	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	otherBlock, _ := ssh.MarshalPrivateKey(otherPriv, "")
	wrongKey := target.Config{"repository": cfg["repository"], "sshKey": string(pem.EncodeToMemory(otherBlock)), "knownHosts": srv.knownHosts}
	err = tgt.Destroy(ctx, wrongKey, "shop", "staging")
	if !errs.Is(err, errs.Unauthorized) {
		t.Errorf("a key the server does not know: err = %v (%s), want unauthorized", err, errs.CodeOf(err))
	}
	if err != nil && strings.Contains(logString(err), "PRIVATE KEY") {
		t.Errorf("the error shows the key: %s", logString(err))
	}

	otherHost, _ := ssh.NewSignerFromKey(otherPriv)
	wrongHost := target.Config{"repository": cfg["repository"], "sshKey": keyPEM,
		"knownHosts": knownhosts.Line([]string{knownhosts.Normalize(srv.addr)}, otherHost.PublicKey())}
	err = tgt.Destroy(ctx, wrongHost, "shop", "staging")
	if !errs.Is(err, errs.Forbidden) || !strings.Contains(err.Error(), "host key") {
		t.Errorf("an unknown host key: err = %v (%s), want forbidden naming the host key", err, errs.CodeOf(err))
	}
}
