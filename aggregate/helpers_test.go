package aggregate

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

func checkedMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// ingestRows commits rows to the store in dir in one batch and returns the
// per-row results.
func ingestRows(t testing.TB, dir string, rows []Row, opts ...Option) []error {
	t.Helper()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, err := s.Begin()
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Add(context.Background(), rows)
	if err != nil {
		b.Abort()
		t.Fatal(err)
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	return res
}

func countErrs(res []error) (n int) {
	for _, e := range res {
		if e != nil {
			n++
		}
	}
	return
}

var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
