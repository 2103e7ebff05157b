package engine

import (
	"context"
	"sync"

	"github.com/pavedev/pave/internal/store"
)

// eventLog writes a run's events to the store from a goroutine of its own,
// in the order they were added, so that neither the node that emits an
// event nor the progress func waits on the database.
type eventLog struct {
	st Store

	mu      sync.Mutex
	cond    *sync.Cond // signals a new event, a finished write, or close
	queue   []*store.DeploymentEvent
	writing bool // the writer holds events taken from queue
	closed  bool
	done    chan struct{}
}

func newEventLog(st Store) *eventLog {
	l := &eventLog{st: st, done: make(chan struct{})}
	l.cond = sync.NewCond(&l.mu)
	go l.write()
	return l
}

// add queues e for writing; it never blocks on the store.
func (l *eventLog) add(e *store.DeploymentEvent) {
	l.mu.Lock()
	l.queue = append(l.queue, e)
	l.mu.Unlock()
	l.cond.Broadcast()
}

// flush waits until every event added so far is written.
func (l *eventLog) flush() {
	l.mu.Lock()
	for len(l.queue) > 0 || l.writing {
		l.cond.Wait()
	}
	l.mu.Unlock()
}

// close writes what is queued and stops the writer.
func (l *eventLog) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cond.Broadcast()
	<-l.done
}

func (l *eventLog) write() {
	defer close(l.done)
	l.mu.Lock()
	for {
		for len(l.queue) == 0 && !l.closed {
			l.cond.Wait()
		}
		if len(l.queue) == 0 {
			l.mu.Unlock()
			return
		}
		batch := l.queue
		l.queue, l.writing = nil, true
		l.mu.Unlock()
		for _, e := range batch {
			// Events are a record of progress: the resource records hold
			// the state, so a lost event loses no state.
			_ = l.st.AppendEvent(context.Background(), e)
		}
		l.mu.Lock()
		l.writing = false
		l.cond.Broadcast()
	}
}
