package attested

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
	c := mustAssign(t, newFixture(t).input(t, 123456))
	mustKeys(t).RoundTrip(t, c, func() { c.Employer = big.NewInt(1) })
}

func BenchmarkSalaryAttested(b *testing.B) {
	mustKeys(b).Benchmark(b, mustAssign(b, newFixture(b).input(b, 123456)))
}
