package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/pavedev/pave/internal/target"
)

// protocolVersion changes whenever request or response change shape; a
// client that meets a supervisor of another version replaces it.
const protocolVersion = 2

// maxMessage bounds one request or response on the control socket.
const maxMessage = 64 << 20

// Operations of the control socket.
const (
	opPing     = "ping"
	opApply    = "apply"
	opStatus   = "status"
	opShutdown = "shutdown"
)

// request is one call on the supervisor's control socket. It carries
// secret values (variables, file contents) and so only ever crosses the
// socket, which only pave's user can reach; it is never written to disk.
type request struct {
	Version int        `json:"version"`
	Op      string     `json:"op"`
	Apply   *applySpec `json:"apply,omitempty"`
}

// response answers a request. It holds no secret values.
type response struct {
	Version    int               `json:"version"`
	Error      string            `json:"error,omitempty"`
	PID        int               `json:"pid,omitempty"`
	Actions    []action          `json:"actions,omitempty"`
	Containers []containerStatus `json:"containers,omitempty"`
	// Conflicts are the ports an apply found in use; it then changed
	// nothing, or, when they were taken while it stopped old processes,
	// started nothing.
	Conflicts []portConflict `json:"conflicts,omitempty"`
}

// action says what an apply did to one container.
type action struct {
	Workload  string `json:"workload"`
	Container string `json:"container"`
	// Did is "started", "restarted", "kept", or "removed" for a container
	// no longer deployed (stopped if it ran, its directory removed).
	Did string `json:"did"`
}

// applySpec is the whole desired state of an app in an environment.
type applySpec struct {
	StopTimeout time.Duration   `json:"stopTimeout"`
	LogMaxBytes int64           `json:"logMaxBytes"`
	Containers  []containerSpec `json:"containers"`
}

// containerSpec is one container resolved down to what a process needs.
type containerSpec struct {
	Workload  string `json:"workload"`
	Container string `json:"container"`
	// Path is the absolute path of the executable, Args its arguments
	// (without argv[0], which is the command as written).
	Path  string   `json:"path"`
	Argv0 string   `json:"argv0"`
	Args  []string `json:"args,omitempty"`
	// Stamp is the executable's size and modification time, so that a
	// rebuilt binary counts as a change.
	Stamp     string        `json:"stamp"`
	Env       []envVar      `json:"env"`
	Dir       string        `json:"dir"`
	FilesDir  string        `json:"filesDir"`
	LogPath   string        `json:"logPath"`
	Files     []fileSpec    `json:"files,omitempty"`
	Links     []linkSpec    `json:"links,omitempty"`
	Readiness *target.Probe `json:"readiness,omitempty"`
	Liveness  *target.Probe `json:"liveness,omitempty"`
	// Port is the default port of httpGet probes that name none; Ports are
	// the ports the process is expected to listen on, checked free on
	// 127.0.0.1 before it starts. Both include the target's portOffset.
	Port  int          `json:"port,omitempty"`
	Ports []listenPort `json:"ports,omitempty"`
}

// envVar is one variable of a process environment.
type envVar struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Secret bool   `json:"secret,omitempty"`
}

// fileSpec is one file written under the container's files directory.
type fileSpec struct {
	// Rel is the path below the files directory, slash-separated, clean.
	Rel     string `json:"rel"`
	Content []byte `json:"content"`
	Mode    uint32 `json:"mode"`
	Secret  bool   `json:"secret,omitempty"`
}

// linkSpec is a volume: a symbolic link below the files directory.
type linkSpec struct {
	Rel    string `json:"rel"`
	Target string `json:"target"`
}

func (c *containerSpec) key() string { return c.Workload + "/" + c.Container }

// secrets returns the secret values the container knows, for redaction:
// its secret variables, and the content of its one-line secret files.
func (c *containerSpec) secrets() []string {
	var out []string
	for _, v := range c.Env {
		if v.Secret {
			out = append(out, v.Value)
		}
	}
	for _, f := range c.Files {
		if s := strings.TrimSpace(string(f.Content)); f.Secret && s != "" && !strings.ContainsRune(s, '\n') {
			out = append(out, s)
		}
	}
	return out
}

// containerStatus is the live state of one container, as kept in
// state.json and reported on the socket.
type containerStatus struct {
	Workload  string `json:"workload"`
	Container string `json:"container"`
	// State is "starting", "running", "failed" or "stopped".
	State    string    `json:"state"`
	Ready    bool      `json:"ready"`
	PID      int       `json:"pid,omitempty"`
	Restarts int       `json:"restarts"`
	Message  string    `json:"message,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	// SpecHash is keyed with a secret the supervisor keeps in memory, so
	// it tells changes apart without revealing anything about secrets.
	SpecHash string `json:"specHash"`
}

// call sends one request to the supervisor at socket and reads its answer.
func call(ctx context.Context, socket string, req *request) (*response, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req.Version = protocolVersion
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return nil, err
	}
	var resp response
	if err := json.NewDecoder(io.LimitReader(conn, maxMessage)).Decode(&resp); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("supervisor closed the connection")
		}
		return nil, err
	}
	if resp.Version != protocolVersion {
		return &resp, errVersion
	}
	if resp.Error != "" {
		return &resp, &remoteError{msg: resp.Error}
	}
	return &resp, nil
}

var errVersion = errors.New("supervisor speaks another protocol version")

// remoteError is an error reported by the supervisor; its text is safe.
type remoteError struct{ msg string }

func (e *remoteError) Error() string { return e.msg }
