package aggregate

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// Synthetic describes synthetic rows for benchmarks and tests of the store:
// no proofs are made, rows are built directly (the pre-verified path). Row i
// is the same for the same settings, so tests can recompute it.
type Synthetic struct {
	Seed      uint64
	Roles     []string
	Regions   []string
	Period    string
	Attested  bool
	Employers int    // distinct employer pseudonyms for attested rows
	Width     uint64 // bucket width
	ProofLen  int
	Pay       func(i int) uint64 // the (never stored) salary that picks the bucket
}

// SyntheticField is a deterministic field element below the modulus.
func SyntheticField(tag string, i uint64, seed uint64) Field {
	var b [24]byte
	copy(b[:8], tag)
	binary.BigEndian.PutUint64(b[8:], i)
	binary.BigEndian.PutUint64(b[16:], seed)
	f := Field(sha256.Sum256(b[:]))
	f[0] &= 0x1f // below the BN254 modulus, like a real field element
	return f
}

// Row returns row i.
func (s Synthetic) Row(i int) Row {
	roles, regions := s.Roles, s.Regions
	if roles == nil {
		roles = []string{"15-1252", "29-1141", "11-1021"}
	}
	if regions == nil {
		regions = []string{"US-CA", "US-NY"}
	}
	width := s.Width
	if width == 0 {
		width = 5000
	}
	period := s.Period
	if period == "" {
		period = "2026-11"
	}
	pay := uint64(40000 + (uint64(i)*7919)%80000)
	if s.Pay != nil {
		pay = s.Pay(i)
	}
	lo := pay / width * width
	r := Row{
		Commitment: SyntheticField("commit", uint64(i), s.Seed),
		Lo:         lo,
		Hi:         lo + width,
		Currency:   "USD",
		Role:       roles[i%len(roles)],
		Region:     regions[(i/len(roles))%len(regions)],
		Period:     period,
		MemberRoot: SyntheticField("root", 0, s.Seed),
		Nullifier:  SyntheticField("null", uint64(i), s.Seed),
		IngestTime: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
		Proof:      ProofMeta{Circuit: CircuitSalary, CircuitVersion: 1, Backend: "groth16", Curve: "bn254", VKSHA256: "ab", Bytes: make([]byte, s.ProofLen)},
	}
	if s.Attested {
		n := s.Employers
		if n == 0 {
			n = 5
		}
		r.Attested = true
		r.Proof.Circuit = CircuitAttested
		r.AttesterRoot = SyntheticField("attesters", 0, s.Seed)
		r.Employer = SyntheticField("employer", uint64(i%n), 0)
	}
	return r
}

// Rows returns rows from, ..., from+n-1.
func (s Synthetic) Rows(from, n int) []Row {
	out := make([]Row, n)
	for i := range out {
		out[i] = s.Row(from + i)
	}
	return out
}
