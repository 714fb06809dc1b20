// Package bound range-checks private numbers in circuits, by one of two
// strategies whose trade-off the benchmarks measure:
//
//   - Bits decomposes a value into boolean-constrained bits: about n+1 R1CS
//     constraints for n bits and nothing else. Proofs stay 256 bytes (Groth16)
//     and the exported Solidity verifier stays at its base gas.
//   - Lookup uses gnark's std/rangecheck (a log-derivative lookup argument):
//     fewer constraints when many values are checked, but it adds a Pedersen
//     commitment to the proof (384 bytes, about 120k more gas on chain).
//
// wageproof's circuits use Bits (see README, "Range checks").
package bound

import (
	"fmt"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/math/bits"
	"github.com/consensys/gnark/std/rangecheck"
)

// Strategy selects how values are range-checked.
type Strategy int

const (
	Bits Strategy = iota
	Lookup
)

func (s Strategy) String() string {
	switch s {
	case Bits:
		return "bits"
	case Lookup:
		return "lookup"
	}
	return fmt.Sprintf("strategy(%d)", int(s))
}

// Checker asserts that a value is below 2^nbBits.
type Checker interface {
	Check(v frontend.Variable, nbBits int)
}

// New returns the checker for s.
func New(api frontend.API, s Strategy) Checker {
	if s == Lookup {
		return rangecheck.New(api)
	}
	return bitChecker{api}
}

type bitChecker struct{ api frontend.API }

func (c bitChecker) Check(v frontend.Variable, nbBits int) {
	bits.ToBinary(c.api, v, bits.WithNbDigits(nbBits))
}

// InRange asserts lo <= v < hi for values the caller has already checked to
// be below 2^nbBits. Both differences must then lie in [0, 2^nbBits): if v < lo
// or v >= hi, the difference wraps around the field modulus to a number far
// above 2^nbBits, so the check is sound for every field element.
func InRange(api frontend.API, c Checker, v, lo, hi frontend.Variable, nbBits int) {
	c.Check(api.Sub(v, lo), nbBits)
	c.Check(api.Sub(hi, v, 1), nbBits)
}

// Below asserts v < limit for values already checked to be below 2^nbBits.
func Below(api frontend.API, c Checker, v, limit frontend.Variable, nbBits int) {
	c.Check(api.Sub(limit, v, 1), nbBits)
}

// AtMost asserts v <= limit for values already checked to be below 2^nbBits.
func AtMost(api frontend.API, c Checker, v, limit frontend.Variable, nbBits int) {
	c.Check(api.Sub(limit, v), nbBits)
}
