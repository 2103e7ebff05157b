package gitops

import (
	"testing"

	"github.com/pavedev/pave/internal/testenv/gittest"
)

// The credentials of the test HTTP server.
const (
	httpUser     = "deployer"
	httpPassword = "http-pass-Zq81xLr0"
)

// The repository helpers are shared with cmd/pave's end-to-end tests.
var (
	gitBinary           = gittest.Git
	runGit              = gittest.Run
	newBareRepo         = gittest.NewBareRepo
	pushOther           = gittest.PushOther
	head                = gittest.Head
	treeFiles           = gittest.TreeFiles
	commitCount         = gittest.CommitCount
	everyBlobAndMessage = gittest.EverythingStored
	containsAny         = gittest.ContainsAny
)

// gitHTTPServer serves the bare repositories under root over smart HTTP
// for httpUser and httpPassword, and returns its URL.
func gitHTTPServer(t testing.TB, root string) string {
	t.Helper()
	return gittest.HTTPServer(t, root, httpUser, httpPassword)
}
