package offer

import (
	"math/big"
	"testing"

	"github.com/wageproof/wageproof/circuits/circuittest"
)

// mustKeys is one Groth16 setup shared by the package's tests and benchmarks.
var mustKeys = circuittest.Shared(&Circuit{})

func TestGroth16RoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup takes seconds")
	}
	c := mustAssign(t, newFixture(t).input(t, 90000))
	mustKeys(t).RoundTrip(t, c, func() { c.Benchmark = big.NewInt(1 << 40) })
}

func BenchmarkOffer(b *testing.B) {
	mustKeys(b).Benchmark(b, mustAssign(b, newFixture(b).input(b, 90000)))
}
