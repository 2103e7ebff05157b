// Package engine applies plans: it provisions a plan's resources in
// dependency order with bounded parallelism, records a state transition
// around every driver call so that a crash loses nothing, deploys the
// workloads to their target, and deprovisions what the plan no longer has.
package engine

import (
	"context"
	"errors"
	"github.com/pavedev/pave/internal/yamldoc"
	"sync"
	"time"

	"github.com/pavedev/pave/internal/driver"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/graph"
	"github.com/pavedev/pave/internal/platform"
	"github.com/pavedev/pave/internal/score"
	"github.com/pavedev/pave/internal/secrets"
	"github.com/pavedev/pave/internal/store"
	"github.com/pavedev/pave/internal/target"
)

// Store is what the engine needs of pave's state.
type Store interface {
	store.Resources
	store.Deployments
	GetSecret(ctx context.Context, name string) ([]byte, error)
}

// Defaults.
const (
	DefaultParallelism = 4
	DefaultTimeout     = 10 * time.Minute
	heartbeatEvery     = 2 * time.Second
)

// Engine applies plans. Its fields are set once; it is safe for concurrent
// use on different environments.
type Engine struct {
	Store    Store
	Drivers  *driver.Registry
	Targets  *target.Registry
	Platform *platform.Platform
	// Parallelism bounds the driver calls in flight; DefaultParallelism
	// when zero.
	Parallelism int
	// Timeout bounds one driver call when its definition sets none;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// Owner identifies this process in deployment records.
	Owner string
}

// ApplyOptions are the per-call settings of Apply.
type ApplyOptions struct {
	// Images supplies images for containers whose image is ".".
	Images   map[string]string
	Progress Progress
}

// run is one Apply in flight.
type run struct {
	e        *Engine
	plan     *graph.Plan
	dep      *store.Deployment
	opts     ApplyOptions
	redactor *secrets.Redactor
	existing map[string]*store.Resource

	decodeOnce sync.Once
	decoded    map[string]*score.Workload
	decodeErr  error

	// emitMu serialises emit, so that events reach the progress func and
	// the event log one at a time and in one order.
	emitMu sync.Mutex
	events *eventLog // nil when the run records no events (Resolve)

	mu        sync.Mutex // guards what follows
	outputs   map[string]graph.Outputs
	manifests map[string][]map[string]any
	results   []NodeResult
}

// Apply executes plan as deployment dep, which the caller has begun with
// Store.BeginDeployment. It returns the summary and, when the deployment
// failed, an error saying why. The deployment record ends succeeded, failed
// or cancelled whatever happens, unless the process dies, in which case the
// next deployment to the environment finds it stale.
func (e *Engine) Apply(ctx context.Context, plan *graph.Plan, dep *store.Deployment, opts ApplyOptions) (*Summary, error) {
	start := time.Now()
	r := &run{e: e, plan: plan, dep: dep, opts: opts, redactor: secrets.NewRedactor(),
		outputs: map[string]graph.Outputs{}, manifests: map[string][]map[string]any{}}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Status changes and the final record must land even if ctx ends.
	bg := context.WithoutCancel(ctx)
	if err := e.Store.SetDeploymentStatus(bg, dep.ID, store.DeploymentRunning, ""); err != nil {
		return nil, err
	}
	r.events = newEventLog(e.Store)
	// Every event is in the store when Apply returns.
	defer r.events.close()
	stopBeat := r.heartbeat(ctx, cancel)
	r.emit(Event{Node: dep.ID, Kind: KindDeployment, Phase: "started"})

	err := r.apply(ctx)
	stopBeat()
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}

	status := store.DeploymentSucceeded
	msg := ""
	if err != nil {
		status = store.DeploymentFailed
		if errors.Is(err, context.Canceled) {
			status = store.DeploymentCancelled
		}
		msg = r.redactor.Redact(err.Error())
	}
	// Whoever reads the deployment once it has ended finds every node's
	// events.
	r.events.flush()
	if serr := e.Store.SetDeploymentStatus(bg, dep.ID, status, msg); serr != nil && err == nil {
		err = serr
	}
	sum := &Summary{DeploymentID: dep.ID, Status: string(status), Duration: Millis(time.Since(start)), Nodes: r.results, Error: msg}
	sum.CriticalPath, sum.CriticalDuration = criticalPath(r.results)
	r.emit(Event{Node: dep.ID, Kind: KindDeployment, Phase: string(status), Duration: sum.Duration, Message: msg})
	if err != nil {
		return sum, redactErr(r.redactor, err)
	}
	return sum, nil
}

// apply runs the three stages: resources, workloads, deletions.
func (r *run) apply(ctx context.Context) error {
	list, err := r.e.Store.ListResources(ctx, r.plan.App, r.plan.Env)
	if err != nil {
		return err
	}
	r.existing = map[string]*store.Resource{}
	for i := range list {
		res := &list[i]
		r.existing[res.UID] = res
		r.learnSecrets(res.SecretOutputs)
	}
	if err := r.provisionAll(ctx); err != nil {
		return err
	}
	if err := r.deploy(ctx); err != nil {
		return err
	}
	return r.deprovisionAll(ctx)
}

// workloads decodes the plan's workloads once per run.
func (r *run) workloads() (map[string]*score.Workload, error) {
	r.decodeOnce.Do(func() {
		ws, err := r.plan.DecodeWorkloads()
		r.decoded, r.decodeErr = map[string]*score.Workload{}, err
		for _, w := range ws {
			r.decoded[w.Name] = w
		}
	})
	return r.decoded, r.decodeErr
}

// workloadList returns the decoded workloads sorted by name.
func (r *run) workloadList() ([]*score.Workload, error) {
	m, err := r.workloads()
	if err != nil {
		return nil, err
	}
	out := make([]*score.Workload, 0, len(m))
	for _, name := range yamldoc.SortedKeys(m) {
		out = append(out, m[name])
	}
	return out, nil
}

// heartbeat tells the store this owner is alive until stopped; if the store
// says the deployment was finished or claimed elsewhere, the run is
// cancelled.
func (r *run) heartbeat(ctx context.Context, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := r.e.Store.Heartbeat(ctx, r.dep.ID, r.e.Owner); errs.Is(err, errs.Conflict) {
					cancel(errs.New(errs.Conflict, "deployment %s was finished or taken over elsewhere", r.dep.ID))
					return
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// emit passes an event to the progress func and queues it for the store
// when it ends a node: the finish, failure or skip carries the duration, and
// a node that started but never ended is visible in the resource's own
// status, so start events need no write of their own. The store write
// happens on the event log's goroutine, in emit order.
func (r *run) emit(ev Event) {
	ev.Time = time.Now().UTC()
	ev.DeploymentID = r.dep.ID
	ev.Message = r.redactor.Redact(ev.Message)
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	if phase := storePhase(ev.Phase); r.events != nil && phase != "" && (phase != store.PhaseStarted || ev.Kind == KindDeployment) {
		r.events.add(&store.DeploymentEvent{
			DeploymentID: r.dep.ID, Node: ev.Node, Phase: phase, Action: ev.Action,
			Time: ev.Time, Duration: time.Duration(ev.Duration), Message: ev.Message,
		})
	}
	if r.opts.Progress != nil {
		r.opts.Progress(ev)
	}
}

func storePhase(p string) store.EventPhase {
	switch store.EventPhase(p) {
	case store.PhaseStarted, store.PhaseFinished, store.PhaseFailed, store.PhaseSkipped:
		return store.EventPhase(p)
	}
	return ""
}

// learnSecrets adds secret values to the redactor.
func (r *run) learnSecrets(m map[string]any) {
	for _, v := range m {
		if s, ok := v.(string); ok && len(s) >= 4 {
			r.redactor.Add(s)
		}
	}
}

// redactErr keeps err's code but scrubs known secrets from its message.
func redactErr(red *secrets.Redactor, err error) error {
	out := errs.List{}
	for _, e := range errs.Errors(err) {
		c := *e
		c.Message = red.Redact(c.Message)
		out = append(out, &c)
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}
