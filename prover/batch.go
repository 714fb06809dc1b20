package prover

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/verifier"
)

// ProveAll proves every assignment with a pool of workers sized to the cores
// (gnark parallelises inside one proof too, so more workers than cores only
// adds memory). done, if set, is called after each proof. The first failure
// cancels the rest; results keep the order of assignments.
func (p *Prover) ProveAll(ctx context.Context, assignments []frontend.Circuit, done func()) ([]*verifier.Envelope, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]*verifier.Envelope, len(assignments))
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	workers := min(runtime.GOMAXPROCS(0), len(assignments))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				env, err := p.Prove(assignments[i])
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("proof %d: %w", i, err); cancel() })
					continue
				}
				out[i] = env
				if done != nil {
					done()
				}
			}
		}()
	}
feed:
	for i := range assignments {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
