// Package circuittest proves and verifies circuits for real in their own
// packages' tests, where the prover package cannot be imported (it imports
// them): a Groth16 setup per circuit, real proofs, tampering checks, and the
// benchmark every circuit reports.
package circuittest

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
)

// Keys are a circuit's constraint system and Groth16 keys.
type Keys struct {
	CCS constraint.ConstraintSystem
	PK  groth16.ProvingKey
	VK  groth16.VerifyingKey
}

// Setup compiles circuit and runs a Groth16 setup; callers share the result
// through a sync.OnceValues of their own, since setup takes seconds.
func Setup(circuit frontend.Circuit) (*Keys, error) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, circuit)
	if err != nil {
		return nil, err
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		return nil, err
	}
	return &Keys{ccs, pk, vk}, nil
}

// Prove proves a full assignment and returns the proof and its public witness.
func (k *Keys) Prove(t testing.TB, assignment frontend.Circuit) (groth16.Proof, witness.Witness) {
	t.Helper()
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(k.CCS, k.PK, w)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	return proof, pub
}

// Verify checks proof against the public part of assignment.
func (k *Keys) Verify(proof groth16.Proof, assignment frontend.Circuit) error {
	pub, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		return err
	}
	return groth16.Verify(proof, k.VK, pub)
}

// RoundTrip proves valid, checks the proof verifies, then checks it does not
// verify once tamper has changed a public input of valid.
func (k *Keys) RoundTrip(t *testing.T, valid frontend.Circuit, tamper func()) {
	t.Helper()
	proof, _ := k.Prove(t, valid)
	if err := k.Verify(proof, valid); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}
	tamper()
	if err := k.Verify(proof, valid); err == nil {
		t.Fatal("proof verified with a tampered public input")
	}
}

// Benchmark reports prove and verify times and the constraint count.
func (k *Keys) Benchmark(b *testing.B, assignment frontend.Circuit) {
	proof, pub := k.Prove(b, assignment)
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("prove", func(b *testing.B) {
		for b.Loop() {
			if _, err := groth16.Prove(k.CCS, k.PK, w); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(k.CCS.GetNbConstraints()), "constraints")
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := groth16.Verify(proof, k.VK, pub); err != nil {
				b.Fatal(err)
			}
		}
	})
}
