package engine

import (
	"strconv"
	"time"
)

// Millis is a duration that encodes to JSON as whole milliseconds.
type Millis time.Duration

// MarshalJSON encodes d as a number of milliseconds.
func (d Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Duration(d).Milliseconds(), 10), nil
}

// UnmarshalJSON decodes a number of milliseconds.
func (d *Millis) UnmarshalJSON(b []byte) error {
	ms, err := strconv.ParseInt(string(b), 10, 64)
	*d = Millis(time.Duration(ms) * time.Millisecond)
	return err
}

// Event is the progress of one node of a deployment: a resource (by UID), a
// workload rollout ("workload/<name>"), or the deployment itself.
type Event struct {
	Time         time.Time `json:"time"`
	DeploymentID string    `json:"deploymentId"`
	Node         string    `json:"node"`
	Kind         string    `json:"kind"` // resource, workload, deployment
	Phase        string    `json:"phase"`
	Action       string    `json:"action,omitempty"`
	Duration     Millis    `json:"durationMs,omitempty"`
	Message      string    `json:"message,omitempty"`
}

// Event kinds.
const (
	KindResource   = "resource"
	KindWorkload   = "workload"
	KindDeployment = "deployment"
)

// Progress receives events as they happen. It is called from several
// goroutines, one call at a time.
type Progress func(Event)

// NodeResult is how one node went.
type NodeResult struct {
	Node      string   `json:"node"`
	Action    string   `json:"action"`
	Phase     string   `json:"phase"`
	Duration  Millis   `json:"durationMs"`
	DependsOn []string `json:"dependsOn,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// Summary is the outcome of applying a plan.
type Summary struct {
	DeploymentID string       `json:"deploymentId"`
	Status       string       `json:"status"`
	Duration     Millis       `json:"durationMs"`
	Nodes        []NodeResult `json:"nodes"`
	// CriticalPath is the chain of dependent nodes whose durations add up
	// to the longest time: what to speed up to make deployments faster.
	CriticalPath     []string `json:"criticalPath"`
	CriticalDuration Millis   `json:"criticalDurationMs"`
	Error            string   `json:"error,omitempty"`
}

// criticalPath finds the longest chain by summed durations. Nodes are in
// dependency order, so one pass suffices.
func criticalPath(nodes []NodeResult) ([]string, Millis) {
	type best struct {
		total Millis
		prev  string
	}
	bests := map[string]best{}
	var end string
	var endTotal Millis = -1
	for _, n := range nodes {
		b := best{total: n.Duration}
		for _, d := range n.DependsOn {
			if db, ok := bests[d]; ok && db.total+n.Duration > b.total {
				b = best{total: db.total + n.Duration, prev: d}
			}
		}
		bests[n.Node] = b
		if b.total > endTotal {
			end, endTotal = n.Node, b.total
		}
	}
	var path []string
	for n := end; n != ""; n = bests[n].prev {
		path = append([]string{n}, path...)
	}
	if endTotal < 0 {
		endTotal = 0
	}
	return path, endTotal
}
