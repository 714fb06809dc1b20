package bound

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
)

type inRangeCircuit struct {
	V      frontend.Variable
	Lo, Hi frontend.Variable `gnark:",public"`
	s      Strategy
}

func (c *inRangeCircuit) Define(api frontend.API) error {
	rc := New(api, c.s)
	for _, x := range []frontend.Variable{c.V, c.Lo, c.Hi} {
		rc.Check(x, 64)
	}
	InRange(api, rc, c.V, c.Lo, c.Hi, 64)
	return nil
}

func TestInRange(t *testing.T) {
	p := fr.Modulus()
	max64 := new(big.Int).Lsh(big.NewInt(1), 64)
	minus := func(a *big.Int, b int64) *big.Int { return new(big.Int).Sub(a, big.NewInt(b)) }
	tests := []struct {
		name      string
		v, lo, hi any
		ok        bool
	}{
		{"at lo", 100, 100, 200, true},
		{"at hi-1", 199, 100, 200, true},
		{"lo-1", 99, 100, 200, false},
		{"at hi", 200, 100, 200, false},
		{"empty bucket", 100, 100, 100, false},
		{"lo above hi", 150, 200, 100, false},
		{"v is 2^64", max64, 0, minus(max64, 1), false},
		{"v near 2^64", minus(max64, 2), 0, minus(max64, 1), true},
		{"v is p-1 (= -1)", minus(p, 1), 0, 200, false},
		{"v is p (= 0) with lo > 0", p, 1, 200, false},
		{"lo is p-1 (= -1)", 5, minus(p, 1), 200, false},
		{"hi is p-1", 5, 0, minus(p, 1), false},
	}
	for _, s := range []Strategy{Bits, Lookup} {
		for _, tt := range tests {
			err := test.IsSolved(&inRangeCircuit{s: s}, &inRangeCircuit{V: tt.v, Lo: tt.lo, Hi: tt.hi, s: s}, ecc.BN254.ScalarField())
			if (err == nil) != tt.ok {
				t.Errorf("%v/%s: solved=%v, want %v (%v)", s, tt.name, err == nil, tt.ok, err)
			}
		}
	}
}
