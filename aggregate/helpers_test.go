package aggregate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// synth describes synthetic rows for tests and benchmarks: no proofs are
// made, rows are built directly (the pre-verified path).
type synth struct {
	seed      uint64
	roles     []string
	regions   []string
	period    string
	attested  bool
	employers int    // distinct employer pseudonyms for attested rows
	width     uint64 // bucket width
	proofLen  int
	pay       func(i int) uint64 // the (never stored) salary that picks the bucket
}

func field(tag string, i uint64, seed uint64) Field {
	var b [24]byte
	copy(b[:8], tag)
	binary.BigEndian.PutUint64(b[8:], i)
	binary.BigEndian.PutUint64(b[16:], seed)
	f := Field(sha256.Sum256(b[:]))
	f[0] &= 0x1f // below the BN254 modulus, like a real field element
	return f
}

func (s synth) row(i int) Row {
	roles, regions := s.roles, s.regions
	if roles == nil {
		roles = []string{"15-1252", "29-1141", "11-1021"}
	}
	if regions == nil {
		regions = []string{"US-CA", "US-NY"}
	}
	width := s.width
	if width == 0 {
		width = 5000
	}
	period := s.period
	if period == "" {
		period = "2026-11"
	}
	pay := uint64(40000 + (uint64(i)*7919)%80000)
	if s.pay != nil {
		pay = s.pay(i)
	}
	lo := pay / width * width
	r := Row{
		Commitment: field("commit", uint64(i), s.seed),
		Lo:         lo,
		Hi:         lo + width,
		Currency:   "USD",
		Role:       roles[i%len(roles)],
		Region:     regions[(i/len(roles))%len(regions)],
		Period:     period,
		MemberRoot: field("root", 0, s.seed),
		Nullifier:  field("null", uint64(i), s.seed),
		IngestTime: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
		Proof:      ProofMeta{Circuit: CircuitSalary, CircuitVersion: 1, Backend: "groth16", Curve: "bn254", VKSHA256: "ab", Bytes: make([]byte, s.proofLen)},
	}
	if s.attested {
		n := s.employers
		if n == 0 {
			n = 5
		}
		r.Attested = true
		r.Proof.Circuit = CircuitAttested
		r.AttesterRoot = field("attesters", 0, s.seed)
		r.Employer = field("employer", uint64(i%n), 0)
	}
	return r
}

func (s synth) rows(from, n int) []Row {
	out := make([]Row, n)
	for i := range out {
		out[i] = s.row(from + i)
	}
	return out
}

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
