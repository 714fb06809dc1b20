package prover

import (
	"context"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/verifier"
)

// BenchmarkProveOverhead compares our whole Prove (witness, proof, envelope)
// with a bare groth16.Prove on the same constraint system, key and witness,
// for every circuit: the difference is our overhead.
func BenchmarkProveOverhead(b *testing.B) {
	world, err := fixtures.NewWorld(1, 1)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range circuits.Names() {
		spec, _ := circuits.Lookup(name)
		root := b.TempDir()
		if _, err := Setup(context.Background(), spec, root, SetupOptions{}); err != nil {
			b.Fatal(err)
		}
		p, err := Load(root, name, verifier.BackendGroth16)
		if err != nil {
			b.Fatal(err)
		}
		a, err := world.Sample(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/wageproof", func(b *testing.B) {
			for b.Loop() {
				if _, err := p.Prove(a); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/raw-gnark", func(b *testing.B) {
			w, err := frontend.NewWitness(a, ecc.BN254.ScalarField())
			if err != nil {
				b.Fatal(err)
			}
			pk := p.pk.(groth16.ProvingKey)
			for b.Loop() {
				if _, err := groth16.Prove(p.ccs, pk, w, solidity.WithProverTargetSolidityVerifier(backend.GROTH16)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
