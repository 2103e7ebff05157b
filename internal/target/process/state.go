package process

import (
	"cmp"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// stateFile is state.json: what the supervisor runs, for Status when no
// supervisor answers and for the next supervisor to clean up after one
// that died. It never holds a secret value.
type stateFile struct {
	Version    int               `json:"version"`
	PID        int               `json:"pid"`
	Updated    time.Time         `json:"updated"`
	Containers []containerStatus `json:"containers"`
	// Ports are those the running containers are to listen on, so that a
	// deploy of another environment tells whose a port in use is.
	Ports []portHolder `json:"ports,omitempty"`
}

// portHolder is a port a running container is to listen on.
type portHolder struct {
	Workload  string `json:"workload"`
	Container string `json:"container"`
	PID       int    `json:"pid"`
	Port      int    `json:"port"`
	Protocol  string `json:"protocol"`
}

// saveState writes state.json atomically.
func (s *supervisor) saveState() {
	st := stateFile{Version: protocolVersion, PID: os.Getpid(), Updated: time.Now().UTC(), Containers: s.statuses(), Ports: s.portHolders()}
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if err := writeJSON(s.l.statePath(), &st); err != nil {
		s.logger.Printf("save state: %v", err)
	}
}

// portHolders lists the ports of the containers with a running process.
func (s *supervisor) portHolders() []portHolder {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []portHolder
	for _, ch := range s.children {
		if ch.st.State == "stopped" || ch.st.PID == 0 {
			continue
		}
		for _, p := range ch.spec.Ports {
			out = append(out, portHolder{Workload: ch.spec.Workload, Container: ch.spec.Container, PID: ch.st.PID, Port: p.Port, Protocol: p.Protocol})
		}
	}
	slices.SortFunc(out, func(a, b portHolder) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Workload, b.Workload), cmp.Compare(a.Container, b.Container))
	})
	return out
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readState reads state.json; a missing file is an empty state.
func readState(path string) (*stateFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &stateFile{}, nil
	}
	if err != nil {
		return nil, err
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// reapLeftovers kills the process groups a previous supervisor left
// running: it died without stopping them (on Linux they were sent SIGTERM
// when it died; this catches those that ignored it, and their children).
// It waits a little for them to be gone, so that their ports are free
// when the first apply checks them.
func (s *supervisor) reapLeftovers() {
	st, err := readState(s.l.statePath())
	if err != nil {
		s.logger.Printf("read previous state: %v", err)
		return
	}
	killed := killLeftovers(st, s.logger.Printf)
	deadline := time.Now().Add(reapWait)
	for _, pgid := range killed {
		for groupAlive(pgid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// reapWait bounds how long a new supervisor waits for the processes of its
// predecessor to die.
const reapWait = 5 * time.Second

// killLeftovers kills the process groups of st's containers that are still
// there, and returns them.
func killLeftovers(st *stateFile, logf func(string, ...any)) []int {
	var killed []int
	for _, c := range st.Containers {
		if c.State != "stopped" && c.PID > 0 && groupAlive(c.PID) {
			logf("killing process group %d of %s/%s, left by supervisor %d", c.PID, c.Workload, c.Container, st.PID)
			signalGroup(c.PID, true)
			killed = append(killed, c.PID)
		}
	}
	return killed
}
