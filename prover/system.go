package prover

import (
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	gnarkio "github.com/consensys/gnark/io"

	"github.com/wageproof/wageproof/verifier"
)

// provingKey is what both proving systems' proving keys offer.
type provingKey interface {
	io.WriterTo
	gnarkio.WriterRawTo
	gnarkio.UnsafeReaderFrom
}

// rawProof is a proof we can encode for an envelope.
type rawProof interface{ gnarkio.WriterRawTo }

// system is the proving side of one proving system over BN254.
type system struct {
	name    string
	builder frontend.NewBuilder
	newCS   func() constraint.ConstraintSystem
	newPK   func() provingKey
	setup   func(constraint.ConstraintSystem, *SRS) (provingKey, verifier.VerifyingKey, error)
	prove   func(constraint.ConstraintSystem, provingKey, witness.Witness) (rawProof, error)
}

var systems = map[string]*system{
	verifier.BackendGroth16: {
		name:    verifier.BackendGroth16,
		builder: r1cs.NewBuilder[constraint.U64],
		newCS:   func() constraint.ConstraintSystem { return groth16.NewCS(ecc.BN254) },
		newPK:   func() provingKey { return groth16.NewProvingKey(ecc.BN254) },
		setup: func(ccs constraint.ConstraintSystem, _ *SRS) (provingKey, verifier.VerifyingKey, error) {
			return groth16.Setup(ccs)
		},
		prove: func(ccs constraint.ConstraintSystem, pk provingKey, w witness.Witness) (rawProof, error) {
			return groth16.Prove(ccs, pk.(groth16.ProvingKey), w, solidity.WithProverTargetSolidityVerifier(backend.GROTH16))
		},
	},
	verifier.BackendPlonk: {
		name:    verifier.BackendPlonk,
		builder: scs.NewBuilder[constraint.U64],
		newCS:   func() constraint.ConstraintSystem { return plonk.NewCS(ecc.BN254) },
		newPK:   func() provingKey { return plonk.NewProvingKey(ecc.BN254) },
		setup: func(ccs constraint.ConstraintSystem, srs *SRS) (provingKey, verifier.VerifyingKey, error) {
			return plonk.Setup(ccs, srs.Canonical, srs.Lagrange)
		},
		prove: func(ccs constraint.ConstraintSystem, pk provingKey, w witness.Witness) (rawProof, error) {
			return plonk.Prove(ccs, pk.(plonk.ProvingKey), w, solidity.WithProverTargetSolidityVerifier(backend.PLONK))
		},
	},
}

func lookupSystem(name string) (*system, error) {
	s, ok := systems[name]
	if !ok {
		return nil, fmt.Errorf("unknown backend %q (known: %v)", name, verifier.Backends())
	}
	return s, nil
}
