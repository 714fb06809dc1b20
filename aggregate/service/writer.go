package service

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/wageproof/wageproof/aggregate"
)

// writer is the store's only writer: one goroutine takes verified rows from
// a queue and commits whatever has queued up as one segment (group commit).
// Each submitter waits for the commit that holds its row, so "accepted"
// means durable.
type writer struct {
	st       *aggregate.Store
	in       chan *pending
	maxBatch int
	log      *slog.Logger
	snap     atomic.Pointer[aggregate.Snapshot]
	failed   atomic.Pointer[error] // set when a commit failed: the store must be reopened
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

type pending struct {
	row  aggregate.Row
	done chan commitResult // buffered: the writer never blocks on a gone submitter
}

type commitResult struct {
	err        error // nil: committed
	generation uint64
}

var errStopped = newError(http.StatusServiceUnavailable, CodeUnavailable, "the service is shutting down")

func newWriter(st *aggregate.Store, maxBatch int, log *slog.Logger) *writer {
	w := &writer{st: st, in: make(chan *pending, maxBatch), maxBatch: maxBatch, log: log,
		stop: make(chan struct{}), done: make(chan struct{})}
	w.snap.Store(st.Snapshot())
	go w.run()
	return w
}

// submit queues row and waits for its commit. If ctx ends first the row may
// still be committed; a retry then answers "duplicate".
func (w *writer) submit(ctx context.Context, row aggregate.Row) (commitResult, error) {
	if f := w.failed.Load(); f != nil {
		return commitResult{}, newError(http.StatusServiceUnavailable, CodeUnavailable, "the store needs to be reopened after a failed commit")
	}
	p := &pending{row: row, done: make(chan commitResult, 1)}
	select {
	case w.in <- p:
	case <-w.stop:
		return commitResult{}, errStopped
	case <-ctx.Done():
		return commitResult{}, ctx.Err()
	}
	select {
	case r := <-p.done:
		return r, nil
	case <-ctx.Done():
		return commitResult{}, ctx.Err()
	}
}

func (w *writer) run() {
	defer close(w.done)
	for {
		var first *pending
		select {
		case first = <-w.in:
		case <-w.stop:
			// Whatever was queued before stop is still committed: those
			// submitters are waiting for an answer.
			for {
				select {
				case p := <-w.in:
					w.commit(w.gather(p))
				default:
					return
				}
			}
		}
		w.commit(w.gather(first))
	}
}

func (w *writer) gather(first *pending) []*pending {
	batch := []*pending{first}
	for len(batch) < w.maxBatch {
		select {
		case p := <-w.in:
			batch = append(batch, p)
		default:
			return batch
		}
	}
	return batch
}

func (w *writer) commit(batch []*pending) {
	answer := func(err error) {
		for _, p := range batch {
			p.done <- commitResult{err: err}
		}
	}
	if w.failed.Load() != nil {
		answer(newError(http.StatusServiceUnavailable, CodeUnavailable, "the store needs to be reopened after a failed commit"))
		return
	}
	rows := make([]aggregate.Row, len(batch))
	for i, p := range batch {
		rows[i] = p.row
	}
	b, err := w.st.Begin()
	if err != nil {
		w.log.Error("store begin failed", "err", err)
		answer(err)
		return
	}
	// A commit is not cancelled by any one submitter going away.
	res, err := b.Add(context.Background(), rows)
	if err != nil {
		b.Abort()
		w.log.Error("store add failed", "err", err)
		answer(err)
		return
	}
	seg, err := b.Commit()
	if err != nil {
		// Whether the commit landed is unknown until the store is reopened:
		// refuse writes until then rather than guess.
		w.failed.Store(&err)
		w.log.Error("store commit failed; writes refused until restart", "err", err)
		answer(err)
		return
	}
	w.snap.Store(w.st.Snapshot())
	accepted := 0
	for i, p := range batch {
		if res[i] == nil {
			accepted++
			p.done <- commitResult{generation: seg.Generation}
		} else {
			p.done <- commitResult{err: res[i]}
		}
	}
	w.log.Debug("committed", "generation", seg.Generation, "accepted", accepted, "batch", len(batch))
}

// close commits what is queued and stops the goroutine. Callers must have
// stopped submitting (the HTTP server is shut down first).
func (w *writer) close() {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
}

// snapshot is the latest committed state, for readers.
func (w *writer) snapshot() *aggregate.Snapshot { return w.snap.Load() }
