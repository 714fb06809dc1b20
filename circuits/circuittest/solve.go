package circuittest

import (
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/wageproof/wageproof/circuits/bound"
)

// SolveTable checks, under both range-check strategies, that every valid
// witness solves the circuit and no invalid one does. setStrategy puts a
// strategy on a circuit (the empty one compiled, and each witness), since
// the strategy is part of a circuit's shape.
func SolveTable[T any, P interface {
	*T
	frontend.Circuit
}](t *testing.T, valid, invalid map[string]P, setStrategy func(P, bound.Strategy)) {
	t.Helper()
	for _, s := range []bound.Strategy{bound.Bits, bound.Lookup} {
		empty := P(new(T))
		setStrategy(empty, s)
		for name, w := range valid {
			setStrategy(w, s)
			if err := test.IsSolved(empty, w, ecc.BN254.ScalarField()); err != nil {
				t.Errorf("%v/%s: valid witness rejected: %v", s, name, err)
			}
		}
		for name, w := range invalid {
			setStrategy(w, s)
			if err := test.IsSolved(empty, w, ecc.BN254.ScalarField()); err == nil {
				t.Errorf("%v/%s: invalid witness accepted", s, name)
			}
		}
	}
}

// Shared returns a function that gives one Groth16 setup of circuit per test
// binary, made on first use: setup takes seconds.
func Shared(circuit frontend.Circuit) func(testing.TB) *Keys {
	once := sync.OnceValues(func() (*Keys, error) { return Setup(circuit) })
	return func(t testing.TB) *Keys {
		t.Helper()
		k, err := once()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
}
