package aggregate

import (
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Option tunes a store, snapshot or query.
type Option func(*config)

type config struct {
	mem         memory.Allocator
	batchRows   int
	lockTimeout time.Duration
	now         func() time.Time
	// crash, if set, is called at each step of a commit; tests use it to
	// kill the process at a chosen point.
	crash func(step string)
}

func newConfig(opts []Option) config {
	c := config{
		mem:         memory.DefaultAllocator,
		batchRows:   64 << 10,
		lockTimeout: 5 * time.Second,
		now:         time.Now,
		crash:       func(string) {},
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithAllocator sets the Arrow allocator (tests pass a checked allocator).
func WithAllocator(mem memory.Allocator) Option { return func(c *config) { c.mem = mem } }

// WithBatchRows sets the number of rows per record batch in new segments.
func WithBatchRows(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.batchRows = n
		}
	}
}

// WithLockTimeout sets how long Open waits for another writer to finish.
func WithLockTimeout(d time.Duration) Option { return func(c *config) { c.lockTimeout = d } }

// WithClock sets the clock that stamps ingest times.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithCrashHook calls f at each named step of a commit ("segment-written",
// "manifest-written", "index-committed"). It exists for crash tests.
func WithCrashHook(f func(step string)) Option { return func(c *config) { c.crash = f } }
