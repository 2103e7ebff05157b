// Command provisioner is a small out-of-process pave driver for the exec
// driver's tests. It keeps one file per resource in $PROVISIONER_DIR, keyed
// by the request's uid, and behaves badly on request (params.mode) so that
// the tests can check how the exec driver copes.
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type request struct {
	UID    string         `json:"uid"`
	Params map[string]any `json:"params"`
	Inputs map[string]any `json:"inputs"`
	State  *struct {
		Token string `json:"token"`
	} `json:"state"`
}

type message struct {
	Action  string  `json:"action"`
	Request request `json:"request"`
}

type record struct {
	UID   string `json:"uid"`
	Token string `json:"token"`
	Size  string `json:"size"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}

func main() {
	var msg message
	if err := json.NewDecoder(os.Stdin).Decode(&msg); err != nil {
		fail("read the request: %v", err)
	}
	dir := os.Getenv("PROVISIONER_DIR")
	if dir == "" {
		fail("PROVISIONER_DIR is not set")
	}
	sum := sha256.Sum256([]byte(msg.Request.UID))
	path := filepath.Join(dir, hex.EncodeToString(sum[:8])+".json")
	mode, _ := msg.Request.Params["mode"].(string)

	switch mode {
	case "fail":
		for i := range 30 {
			fmt.Fprintf(os.Stderr, "line %d\n", i)
		}
		fmt.Fprintf(os.Stderr, "token %s rejected for value %v\n", os.Getenv("PROVISIONER_TOKEN"), msg.Request.Inputs["values"])
		os.Exit(3)
	case "garbage":
		fmt.Print("this is not JSON")
		return
	case "unknownField":
		fmt.Print(`{"outputs":{},"extra":1}`)
		return
	case "trailing":
		fmt.Print(`{"outputs":{}} {"outputs":{}}`)
		return
	case "huge":
		fmt.Print(`{"outputs":{"x":"` + strings.Repeat("x", 2<<20) + `"}}`)
		return
	case "sleep":
		time.Sleep(time.Minute)
	case "spawn":
		child := exec.Command("sleep", "60")
		if err := child.Start(); err != nil {
			fail("start a child: %v", err)
		}
		os.WriteFile(filepath.Join(dir, "child.pid"), []byte(strconv.Itoa(child.Process.Pid)), 0o600)
		time.Sleep(time.Minute)
	}

	switch msg.Action {
	case "provision":
		token := ""
		if msg.Request.State != nil {
			token = msg.Request.State.Token
		}
		if token == "" {
			if data, err := os.ReadFile(path); err == nil {
				var r record
				if json.Unmarshal(data, &r) == nil {
					token = r.Token
				}
			}
		}
		if token == "" {
			var b [16]byte
			rand.Read(b[:])
			token = hex.EncodeToString(b[:])
		}
		size, _ := msg.Request.Params["size"].(string)
		data, _ := json.Marshal(record{UID: msg.Request.UID, Token: token, Size: size})
		// Write then rename: a run cut off leaves the old file or none.
		if err := os.WriteFile(path+".tmp", data, 0o600); err != nil {
			fail("write: %v", err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			fail("rename: %v", err)
		}
		out, _ := json.Marshal(map[string]any{
			"outputs": map[string]any{"path": path, "token": token, "size": size},
			"state":   map[string]any{"token": token},
		})
		os.Stdout.Write(out)
	case "deprovision":
		for _, p := range []string{path, path + ".tmp"} {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				fail("remove: %v", err)
			}
		}
		fmt.Print("removed")
	default:
		fail("unknown action %q", msg.Action)
	}
}
