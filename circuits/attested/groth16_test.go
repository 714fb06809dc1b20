package attested

import (
	"math/big"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

// keys is one Groth16 setup shared by the package's tests and benchmarks.
var keys = sync.OnceValues(func() (*keyset, error) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &Circuit{})
	if err != nil {
		return nil, err
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		return nil, err
	}
	return &keyset{ccs, pk, vk}, nil
})

type keyset struct {
	ccs constraint.ConstraintSystem
	pk  groth16.ProvingKey
	vk  groth16.VerifyingKey
}

func mustKeys(t testing.TB) *keyset {
	t.Helper()
	k, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestGroth16RoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup takes seconds")
	}
	k := mustKeys(t)
	f := newFixture(t)
	c := mustAssign(t, f.input(t, 123456))
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(k.ccs, k.pk, w)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := groth16.Verify(proof, k.vk, pub); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}
	// The same proof with another employer pseudonym must not verify.
	c.Employer = big.NewInt(1)
	w2, _ := frontend.NewWitness(c, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err := groth16.Verify(proof, k.vk, w2); err == nil {
		t.Fatal("proof verified with an altered employer")
	}
}

func BenchmarkSalaryAttested(b *testing.B) {
	k := mustKeys(b)
	f := newFixture(b)
	w, err := frontend.NewWitness(mustAssign(b, f.input(b, 123456)), ecc.BN254.ScalarField())
	if err != nil {
		b.Fatal(err)
	}
	pub, _ := w.Public()
	proof, err := groth16.Prove(k.ccs, k.pk, w)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("prove", func(b *testing.B) {
		for b.Loop() {
			if _, err := groth16.Prove(k.ccs, k.pk, w); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(k.ccs.GetNbConstraints()), "constraints")
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := groth16.Verify(proof, k.vk, pub); err != nil {
				b.Fatal(err)
			}
		}
	})
}
