package aggregate

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/wageproof/wageproof/verifier"
)

// Verifier checks one proof envelope; *verifier.Keyring is one.
type Verifier interface {
	Verify(*verifier.Envelope) error
}

// BatchVerifier checks many envelopes at once, one error per envelope;
// *verifier.Keyring is one. Ingest prefers it: a Groth16 batch costs about a
// quarter of checking its proofs one by one.
type BatchVerifier interface {
	VerifyAll(ctx context.Context, envs []*verifier.Envelope) []error
}

// ErrRejected reports an ingest or audit in which some submissions failed.
var ErrRejected = errors.New("submissions rejected")

// IngestOptions tune Ingest.
type IngestOptions struct {
	Verifier Verifier
	// Strict commits nothing if any submission is rejected.
	Strict bool
	// Workers verifying in parallel; GOMAXPROCS if zero.
	Workers int
	// OnReject is told about each rejected submission as it happens.
	OnReject func(Rejection)
	// Progress is told how many submissions have been processed so far.
	Progress func(done int64)
}

// Rejection is a submission that was not stored, and why.
type Rejection struct {
	Source string
	Class  string // malformed, wrong key, bad public input, invalid proof, not a submission, duplicate nullifier
	Err    error
}

func (r Rejection) String() string { return r.Source + ": " + r.Err.Error() }

// IngestReport summarises an ingest.
type IngestReport struct {
	Read      int64
	Accepted  int64
	Rejected  int64
	ByClass   map[string]int64
	Committed bool
	Segment   Segment // the new segment, if one was committed
}

// Summary is a one-line account of the ingest.
func (r *IngestReport) Summary() string {
	s := fmt.Sprintf("%d read, %d accepted, %d rejected", r.Read, r.Accepted, r.Rejected)
	for _, c := range rejectionClasses {
		if n := r.ByClass[c]; n > 0 {
			s += fmt.Sprintf(", %d %s", n, c)
		}
	}
	return s
}

var rejectionClasses = []string{"malformed", "wrong key", "bad public input", "invalid proof", "not a salary submission", "duplicate nullifier", "store"}

func classify(err error) string {
	switch {
	case errors.Is(err, ErrDuplicate):
		return "duplicate nullifier"
	case errors.Is(err, verifier.ErrMalformed):
		return "malformed"
	case errors.Is(err, verifier.ErrWrongKey):
		return "wrong key"
	case errors.Is(err, verifier.ErrPublicInput):
		return "bad public input"
	case errors.Is(err, verifier.ErrInvalidProof):
		return "invalid proof"
	case errors.Is(err, ErrBadRow):
		return "not a salary submission"
	}
	return "malformed"
}

// ingestChunk is how many submissions are verified together before their
// rows are appended: it bounds memory and amortises index transactions.
const ingestChunk = 1024

// Ingest verifies every submission src yields (in parallel), rejects the
// invalid and the duplicates, and commits the rest as one segment. It
// returns ErrRejected (with the report) if any submission was rejected; the
// accepted ones are committed unless opt.Strict. Any other error leaves the
// store as it was.
func (s *Store) Ingest(ctx context.Context, src Source, opt IngestOptions) (*IngestReport, error) {
	if opt.Verifier == nil {
		return nil, errors.New("aggregate: ingest needs a verifier")
	}
	b, err := s.Begin()
	if err != nil {
		return nil, err
	}
	rep := &IngestReport{ByClass: map[string]int64{}}
	now := s.cfg.now()
	reject := func(source string, err error) {
		rj := Rejection{Source: source, Class: classify(err), Err: err}
		rep.Rejected++
		rep.ByClass[rj.Class]++
		if opt.OnReject != nil {
			opt.OnReject(rj)
		}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunk := make([]Item, 0, ingestChunk)
	process := func() error {
		rows, errs := verifyChunk(ctx, chunk, opt.Verifier, workers, now)
		var ok []Row
		var okSrc []string
		for i, it := range chunk {
			if errs[i] != nil {
				reject(it.Source, errs[i])
				continue
			}
			ok = append(ok, rows[i])
			okSrc = append(okSrc, it.Source)
		}
		res, err := b.Add(ctx, ok)
		if err != nil {
			return err
		}
		for i, e := range res {
			if e != nil {
				reject(okSrc[i], e)
			} else {
				rep.Accepted++
			}
		}
		rep.Read += int64(len(chunk))
		chunk = chunk[:0]
		if opt.Progress != nil {
			opt.Progress(rep.Read)
		}
		return nil
	}
	err = src(ctx, func(it Item) error {
		chunk = append(chunk, it)
		if len(chunk) == cap(chunk) {
			return process()
		}
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = process()
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		if aerr := b.Abort(); aerr != nil {
			return nil, fmt.Errorf("%w (and discarding the partial ingest failed: %v)", err, aerr)
		}
		return nil, err
	}
	if opt.Strict && rep.Rejected > 0 {
		if err := b.Abort(); err != nil {
			return nil, err
		}
		rep.Accepted = 0
		return rep, fmt.Errorf("%w: %d of %d; nothing stored (strict)", ErrRejected, rep.Rejected, rep.Read)
	}
	seg, err := b.Commit()
	if err != nil {
		return nil, err
	}
	rep.Segment, rep.Committed = seg, seg.Rows > 0
	if rep.Rejected > 0 {
		return rep, fmt.Errorf("%w: %d of %d (the %d accepted are stored)", ErrRejected, rep.Rejected, rep.Read, rep.Accepted)
	}
	return rep, nil
}

// verifyChunk parses and maps each item in parallel, then verifies the
// well-formed ones, in one batch if v can.
func verifyChunk(ctx context.Context, items []Item, v Verifier, workers int, now time.Time) ([]Row, []error) {
	rows := make([]Row, len(items))
	envs := make([]*verifier.Envelope, len(items))
	errs := make([]error, len(items))
	parallel(len(items), workers, func(i int) { rows[i], envs[i], errs[i] = parseItem(&items[i], now) })
	var idx []int
	for i := range items {
		if errs[i] == nil {
			idx = append(idx, i)
		}
	}
	if bv, ok := v.(BatchVerifier); ok {
		batch := make([]*verifier.Envelope, len(idx))
		for j, i := range idx {
			batch[j] = envs[i]
		}
		for j, err := range bv.VerifyAll(ctx, batch) {
			errs[idx[j]] = err
		}
		return rows, errs
	}
	parallel(len(idx), workers, func(j int) { errs[idx[j]] = v.Verify(envs[idx[j]]) })
	return rows, errs
}

// parallel runs fn(0..n-1) on up to workers goroutines.
func parallel(n, workers int, fn func(int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// parseItem reads an item's envelope and the row it would store.
func parseItem(it *Item, now time.Time) (Row, *verifier.Envelope, error) {
	if it.Err != nil {
		return Row{}, nil, it.Err
	}
	env := it.Env
	if env == nil {
		var err error
		if env, err = verifier.ParseEnvelope(it.Data); err != nil {
			return Row{}, nil, err
		}
	}
	// Shape first: a proof for another circuit is refused with that reason
	// rather than as whatever the verifier makes of it.
	row, err := RowFromEnvelope(env, now)
	if err != nil {
		return Row{}, nil, err
	}
	return row, env, nil
}
