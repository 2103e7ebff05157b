package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/pavedev/pave/internal/engine"
	"github.com/pavedev/pave/internal/errs"
	"github.com/pavedev/pave/internal/service"
)

// Stream formats a client may ask for with Accept.
const (
	mediaNDJSON = "application/x-ndjson"
	mediaSSE    = "text/event-stream"
)

// streamFormat is the stream format the request accepts, or "" for a plain
// JSON response.
func streamFormat(r *http.Request) string {
	accept := r.Header.Get("Accept")
	switch {
	case strings.Contains(accept, mediaNDJSON):
		return mediaNDJSON
	case strings.Contains(accept, mediaSSE):
		return mediaSSE
	}
	return ""
}

// changeFunc runs a change with a progress function.
type changeFunc func(ctx context.Context, progress engine.Progress) (*service.DeployResult, error)

// queue holds events between the change that emits them and the request
// that writes them; it never blocks the change.
type queue struct {
	mu     sync.Mutex
	events []engine.Event
	done   bool
	res    *service.DeployResult
	err    error
	wake   chan struct{}
}

func (q *queue) push(ev engine.Event) {
	q.mu.Lock()
	q.events = append(q.events, ev)
	q.mu.Unlock()
	q.signal()
}

func (q *queue) finish(res *service.DeployResult, err error) {
	q.mu.Lock()
	q.done, q.res, q.err = true, res, err
	q.mu.Unlock()
	q.signal()
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take returns the events queued since the last take, and whether the
// change is done.
func (q *queue) take() ([]engine.Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	evs := q.events
	q.events = nil
	return evs, q.done
}

// runChange runs a change detached from the request (a client that goes
// away does not cancel a deployment) and answers with its result: as one
// JSON document, or, when the client asks for a stream, with its engine
// events as they happen and then the result. A change that ends before any
// event (refused, pending approval) is answered with its own status even
// when a stream was asked for.
func (s *Server) runChange(w http.ResponseWriter, r *http.Request, okStatus int, run changeFunc) error {
	q := s.start(func(ctx context.Context, q *queue) {
		res, err := run(ctx, q.push)
		s.metrics.outcome(outcome(res, err))
		q.finish(res, err)
	})
	sw, ok := follow(w, r, q)
	if !ok {
		return nil // the change goes on; its events are in the store
	}
	q.mu.Lock()
	res, err := q.res, q.err
	q.mu.Unlock()
	code := okStatus
	if res != nil && res.Pending != nil {
		code = http.StatusAccepted
	}
	if sw != nil {
		if err != nil {
			info := errorInfo(err)
			sw.line(StreamLine{Type: "error", Status: status(info.Code), Error: &info, Result: res})
		} else {
			sw.line(StreamLine{Type: "result", Status: code, Result: res})
		}
		sw.flush()
		if err != nil {
			logErr(r, err)
		}
		return nil
	}
	if err != nil {
		logErr(r, err)
		info := errorInfo(err)
		writeJSON(w, status(info.Code), ChangeError{Error: info, Result: res})
		return nil
	}
	writeJSON(w, code, res)
	return nil
}

// start runs job detached from its request (a change outlives it, until a
// shutdown gives up waiting), counted as a change in flight; job feeds the
// queue it returns and finishes it.
func (s *Server) start(job func(ctx context.Context, q *queue)) *queue {
	q := &queue{wake: make(chan struct{}, 1)}
	s.changes.Add(1)
	s.metrics.changes.Add(1)
	go func() {
		defer s.changes.Done()
		defer s.metrics.changes.Add(-1)
		job(s.base, q)
	}()
	return q
}

// follow waits for the job feeding q to finish and, when the client asked
// for a stream, writes its events as they come, starting the stream at the
// first one. It returns the stream, nil when none was started, and false
// when the client went away first.
func follow(w http.ResponseWriter, r *http.Request, q *queue) (*streamWriter, bool) {
	format := streamFormat(r)
	var sw *streamWriter
	for {
		select {
		case <-q.wake:
		case <-r.Context().Done():
			return nil, false
		}
		evs, done := q.take()
		if format != "" && len(evs) > 0 && sw == nil {
			sw = newStreamWriter(w, format)
		}
		if sw != nil {
			for _, ev := range evs {
				sw.line(StreamLine{Type: "event", Event: ev})
			}
			sw.flush()
		}
		if done {
			return sw, true
		}
	}
}

func outcome(res *service.DeployResult, err error) string {
	switch {
	case err != nil:
		return string(errs.CodeOf(err))
	case res != nil && res.Pending != nil:
		return "pending"
	case res != nil && res.Summary != nil:
		return res.Summary.Status
	}
	return "ok"
}

// streamWriter writes NDJSON lines or server-sent events, flushing each.
type streamWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	sse bool
}

func newStreamWriter(w http.ResponseWriter, format string) *streamWriter {
	w.Header().Set("Content-Type", format)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return &streamWriter{w: w, rc: http.NewResponseController(w), sse: format == mediaSSE}
}

func (sw *streamWriter) line(l StreamLine) {
	b, _ := json.Marshal(l)
	if sw.sse {
		fmt.Fprintf(sw.w, "event: %s\ndata: %s\n\n", l.Type, b)
		return
	}
	sw.w.Write(append(b, '\n'))
}

func (sw *streamWriter) flush() { _ = sw.rc.Flush() }
