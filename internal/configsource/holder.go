package configsource

import (
	"context"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// LoadFunc loads and checks a platform config completely: the platform
// and its policies (service.Service.LoadConfig).
// dir is the config's directory on disk, empty for one read from Git.
type LoadFunc func(fsys fs.FS, dir string) (*service.Config, error)

// The outcomes of a reload, as Reloads counts them.
const (
	// Applied: a changed config loaded and was put in force.
	Applied = "applied"
	// Unchanged: a reload asked for found the config in force.
	Unchanged = "unchanged"
	// Refused: a change did not load; the config in force stays.
	Refused = "refused"
	// Failed: the source could not be read; the config in force stays.
	Failed = "failed"
)

var outcomes = []string{Applied, Unchanged, Refused, Failed}

// readTimeout bounds one read of the source and load of a change.
const readTimeout = 2 * time.Minute

// Holder holds the platform config in force and replaces it, whole, when
// its source changes and the change loads. Config returns one complete
// config; a caller that keeps it (a deployment in flight) keeps working on
// it whatever reloads happen meanwhile. A Holder is safe for concurrent
// use; reloads run one at a time.
type Holder struct {
	src  Source
	load LoadFunc
	log  *slog.Logger

	cur     atomic.Pointer[service.Config]
	refused atomic.Pointer[service.ConfigRefusal]
	counts  [4]atomic.Uint64 // by outcomes index

	mu sync.Mutex // one reload at a time; guards what follows
	// pending is a directory revision seen by one poll; the next poll
	// applies it if it still reads the same, so that a directory being
	// copied is not loaded half-way.
	pending string
	// logged is the last source error logged, so that a source down for
	// a while logs once, not at every poll.
	logged string
}

// Open reads and loads the config of src; its errors are those of the
// config, located (directory/file.yaml:12). log may be nil.
func Open(ctx context.Context, src Source, load LoadFunc, log *slog.Logger) (*Holder, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Holder{src: src, load: load, log: log}
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	snap, err := src.Read(ctx)
	if err != nil {
		return nil, h.located(err)
	}
	cfg, err := h.loadSnapshot(snap)
	if err != nil {
		return nil, err
	}
	h.cur.Store(cfg)
	return h, nil
}

// Config returns the config in force.
func (h *Holder) Config() *service.Config { return h.cur.Load() }

// Refused returns the change the source holds that was refused, or nil.
func (h *Holder) Refused() *service.ConfigRefusal { return h.refused.Load() }

// Reloads returns how many reloads ended with each outcome.
func (h *Holder) Reloads() map[string]uint64 {
	out := make(map[string]uint64, len(outcomes))
	for i, o := range outcomes {
		out[o] = h.counts[i].Load()
	}
	return out
}

// Reload reads the source now and puts its config in force if it changed
// and loads; a directory's change is applied at once. It returns the
// config in force after it, and whether that is a new one. A change that
// does not load is refused with its errors (an errs.List, located), and
// the config in force stays.
func (h *Holder) Reload(ctx context.Context) (*service.Config, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.update(ctx, true)
}

// Poll reads the source once and puts its config in force if it changed
// and loads. A change already refused is not tried again until the source
// changes once more; a directory's change is applied by the poll after
// the one that first saw it, if the directory still reads the same.
func (h *Holder) Poll(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.update(ctx, false)
}

// Run polls every interval until ctx ends; an interval of zero or less
// never polls.
func (h *Holder) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.Poll(ctx)
	}
}

func (h *Holder) update(parent context.Context, asked bool) (*service.Config, bool, error) {
	ctx, cancel := context.WithTimeout(parent, readTimeout)
	defer cancel()
	cur := h.cur.Load()
	snap, err := h.src.Read(ctx)
	if err != nil && parent.Err() != nil {
		return cur, false, errs.Wrap(errs.Transient, err, "platform config: reload cancelled")
	}
	if err != nil {
		err = sourceError(h.located(err))
		h.count(Failed)
		h.refused.Store(&service.ConfigRefusal{At: time.Now().UTC(), Errors: service.Problems(err)})
		if msg := err.Error(); asked || msg != h.logged {
			h.logged = msg
			h.log.Warn("platform config source cannot be read; the config in force stays",
				"source", h.src.String(), "revision", cur.Revision, "errors", logLines(err))
		}
		return cur, false, err
	}
	h.logged = ""
	if snap.Revision == cur.Revision {
		h.pending = ""
		h.refused.Store(nil)
		if asked {
			h.count(Unchanged)
		}
		return cur, false, nil
	}
	if !asked {
		if r := h.refused.Load(); r != nil && r.Revision == snap.Revision {
			return cur, false, nil
		}
		if !snap.Atomic && snap.Revision != h.pending {
			h.pending = snap.Revision
			return cur, false, nil
		}
	}
	h.pending = ""
	cfg, err := h.loadSnapshot(snap)
	if err != nil {
		h.count(Refused)
		h.refused.Store(&service.ConfigRefusal{Revision: snap.Revision, At: time.Now().UTC(), Errors: service.Problems(err)})
		h.log.Error("platform config change refused; the config in force stays",
			"source", h.src.String(), "revision", snap.Revision, "inForce", cur.Revision, "errors", logLines(err))
		return cur, false, err
	}
	h.cur.Store(cfg)
	h.refused.Store(nil)
	h.count(Applied)
	h.log.Info("platform config changed", "source", h.src.String(), "revision", cfg.Revision, "previous", cur.Revision,
		"policies", cfg.Policies.Policies())
	return cfg, true, nil
}

// loadSnapshot loads a snapshot completely; the config is new, so that
// one in force is never changed under its readers.
func (h *Holder) loadSnapshot(snap *Snapshot) (*service.Config, error) {
	cfg, err := h.load(snap.Files, snap.Dir)
	if err != nil {
		return nil, h.located(err)
	}
	cfg.Source, cfg.Revision, cfg.LoadedAt = h.src.String(), snap.Revision, time.Now().UTC()
	return cfg, nil
}

// located returns err as a list whose files are named as the source names
// them (the directory joined, or the path in the repository).
func (h *Holder) located(err error) error {
	list := errs.Errors(err)
	out := make(errs.List, len(list))
	for i, e := range list {
		c := *e
		if c.File != "" {
			c.File = h.src.Where(c.File)
		}
		out[i] = &c
	}
	return out
}

// sourceError recodes the errors of a source that cannot be read: a Git
// server refusing the server's credentials is no fault of whoever asked
// for the reload, so it is transient for them, not unauthorized.
func sourceError(err error) error {
	list := errs.Errors(err)
	for _, e := range list {
		switch e.Code {
		case errs.Unauthorized, errs.Forbidden, errs.NotFound, errs.Internal:
			e.Code = errs.Transient
		}
	}
	return errs.List(list)
}

func (h *Holder) count(outcome string) {
	for i, o := range outcomes {
		if o == outcome {
			h.counts[i].Add(1)
		}
	}
}

// logLines are an error's items for a log: "file:line: path: message",
// with internal causes.
func logLines(err error) []string {
	list := errs.Errors(err)
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.LogString()
	}
	return out
}
