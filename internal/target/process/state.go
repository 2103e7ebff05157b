package process

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
}

// saveState writes state.json atomically.
func (s *supervisor) saveState() {
	st := stateFile{Version: protocolVersion, PID: os.Getpid(), Updated: time.Now().UTC(), Containers: s.statuses()}
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if err := writeJSON(s.l.statePath(), &st); err != nil {
		s.logger.Printf("save state: %v", err)
	}
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
func (s *supervisor) reapLeftovers() {
	st, err := readState(s.l.statePath())
	if err != nil {
		s.logger.Printf("read previous state: %v", err)
		return
	}
	killLeftovers(st, s.logger.Printf)
}

func killLeftovers(st *stateFile, logf func(string, ...any)) {
	for _, c := range st.Containers {
		if c.State != "stopped" && c.PID > 0 && groupAlive(c.PID) {
			logf("killing process group %d of %s/%s, left by supervisor %d", c.PID, c.Workload, c.Container, st.PID)
			signalGroup(c.PID, true)
		}
	}
}
