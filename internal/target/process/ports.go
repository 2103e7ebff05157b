package process

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/target"
)

// listenPort is a port a container is expected to listen on: a service
// port's targetPort (plus the portOffset), or the PORT it sets itself.
type listenPort struct {
	Port int `json:"port"`
	// Protocol is "tcp", "udp" or another protocol, which is not checked.
	Protocol string `json:"protocol"`
	// Pointer locates where the port is set: /service/ports/<name>/targetPort,
	// or /containers/<container>/variables/PORT.
	Pointer string `json:"pointer"`
	// Own is set for a PORT the container sets itself, which the
	// portOffset does not change.
	Own bool `json:"own,omitempty"`
}

func (p listenPort) key() string { return p.Protocol + "/" + strconv.Itoa(p.Port) }

// ownPort returns the PORT variable a container sets itself, when it is a
// port number and not secret.
func ownPort(c *target.Container) (int, bool) {
	port, ok := 0, false
	for _, v := range c.Variables {
		if v.Name != EnvPort {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v.Value.Text))
		port, ok = n, err == nil && !v.Value.Secret && n >= 1 && n <= 65535
	}
	return port, ok
}

// portFree reports whether p can be bound on 127.0.0.1, as the process
// will. Only a port in use counts: a port this user may not bind (below
// 1024, say) is the process's business.
func portFree(p listenPort) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p.Port))
	var err error
	switch p.Protocol {
	case "tcp":
		var ln net.Listener
		if ln, err = net.Listen("tcp4", addr); err == nil {
			ln.Close()
		}
	case "udp":
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp4", addr); err == nil {
			pc.Close()
		}
	}
	return !errors.Is(err, syscall.EADDRINUSE)
}

// portConflict is a port a container is to listen on that is in use.
type portConflict struct {
	Workload  string `json:"workload"`
	Container string `json:"container"`
	listenPort
}

// portConflicts returns the ports of the containers about to start that
// are in use on 127.0.0.1, but for those a running container declares
// that either belongs to the same workload and keeps running (kept), or is
// about to be stopped (replaced). A port is reported once per workload.
func portConflicts(starting []*containerSpec, kept, replaced []*child) []portConflict {
	declares := func(children []*child, p listenPort, workload string) bool {
		return slices.ContainsFunc(children, func(ch *child) bool {
			return (workload == "" || ch.spec.Workload == workload) &&
				slices.ContainsFunc(ch.spec.Ports, func(q listenPort) bool { return q.key() == p.key() })
		})
	}
	seen := map[string]bool{}
	var out []portConflict
	for _, c := range starting {
		for _, p := range c.Ports {
			k := c.Workload + " " + p.key()
			if seen[k] {
				continue
			}
			seen[k] = true
			if portFree(p) || declares(kept, p, c.Workload) || declares(replaced, p, "") {
				continue
			}
			out = append(out, portConflict{Workload: c.Workload, Container: c.Container, listenPort: p})
		}
	}
	return out
}

// portsInUse is the error of a deploy whose ports are in use: one invalid
// error per port, saying who holds it when another supervisor's state
// tells, and how to move the environment's ports. Each is reported as a
// failed event of its workload too.
func portsInUse(l layout, s settings, conflicts []portConflict, progress target.Progress) error {
	var list errs.List
	for _, c := range conflicts {
		e := &errs.Error{Code: errs.Invalid, Path: c.Pointer, Message: conflictMessage(l, s, c)}
		progress(target.Event{Time: time.Now(), Workload: c.Workload, Phase: "failed", Message: e.Message})
		list.Add(e)
	}
	return list.Err()
}

func conflictMessage(l layout, s settings, c portConflict) string {
	port := strconv.Itoa(c.Port)
	if c.Protocol != "tcp" {
		port += "/" + c.Protocol
	}
	holder := portHolderOf(l, c.listenPort)
	if holder == "" {
		holder = "another program"
	}
	var b strings.Builder
	if c.Own {
		fmt.Fprintf(&b, "process target: workload %q container %q: port %s, which it sets as %s itself, is already in use on 127.0.0.1 by %s; "+
			"the portOffset of the process target does not change a %s the workload sets: remove %s from its variables to have pave set it from its service port",
			c.Workload, c.Container, port, EnvPort, holder, EnvPort, EnvPort)
		return b.String()
	}
	fmt.Fprintf(&b, "process target: workload %q: port %s is already in use on 127.0.0.1 by %s, so its process could not listen there "+
		"and readiness probes would reach the wrong process; processes of every environment share this machine's network: ", c.Workload, port, holder)
	if s.portOffset == 0 {
		fmt.Fprintf(&b, "set portOffset in the process target config of environment %q (such as portOffset: 1000) to move all its ports", l.env)
	} else {
		fmt.Fprintf(&b, "choose another portOffset than %d in the process target config of environment %q", s.portOffset, l.env)
	}
	return b.String()
}

// portHolderOf names the running container of another app or environment
// whose supervisor's state says it listens on p, or returns "".
func portHolderOf(l layout, p listenPort) string {
	files, _ := filepath.Glob(filepath.Join(l.stateDir, "process", "*", "*", "state.json"))
	for _, f := range files {
		dir := filepath.Dir(f)
		if dir == l.root {
			continue
		}
		st, err := readState(f)
		if err != nil {
			continue
		}
		for _, h := range st.Ports {
			if h.Port == p.Port && h.Protocol == p.Protocol && groupAlive(h.PID) {
				env := filepath.Base(dir)
				app := filepath.Base(filepath.Dir(dir))
				if app == l.app {
					return fmt.Sprintf("workload %q of environment %q", h.Workload, env)
				}
				return fmt.Sprintf("workload %q of app %q in environment %q", h.Workload, app, env)
			}
		}
	}
	return ""
}
