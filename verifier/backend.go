package verifier

import (
	"fmt"
	"io"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"
)

// Backend names used in manifests and envelopes.
const (
	BackendGroth16 = "groth16"
	BackendPlonk   = "plonk"
	CurveBN254     = "bn254"
)

// Backends lists the supported proving systems.
func Backends() []string { return []string{BackendGroth16, BackendPlonk} }

// VerifyingKey is what both proving systems' verifying keys offer.
type VerifyingKey interface {
	io.ReaderFrom
	io.WriterTo
	solidity.VerifyingKey
}

// Proof is what both proving systems' proofs offer.
type Proof interface {
	io.ReaderFrom
	io.WriterTo
}

// System is the verifying side of one proving system over BN254.
type System struct {
	Name     string
	ID       backend.ID
	NewVK    func() VerifyingKey
	NewProof func() Proof
	verify   func(Proof, VerifyingKey, witness.Witness) error
}

// Every proof is made and checked with the options the exported Solidity
// verifier needs (keccak hash-to-field for Groth16 commitments), so that a
// contract checks exactly the proofs the CLI makes.
var systems = map[string]*System{
	BackendGroth16: {
		Name:     BackendGroth16,
		ID:       backend.GROTH16,
		NewVK:    func() VerifyingKey { return groth16.NewVerifyingKey(ecc.BN254) },
		NewProof: func() Proof { return groth16.NewProof(ecc.BN254) },
		verify: func(p Proof, vk VerifyingKey, pub witness.Witness) error {
			return groth16.Verify(p.(groth16.Proof), vk.(groth16.VerifyingKey), pub,
				solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16))
		},
	},
	BackendPlonk: {
		Name:     BackendPlonk,
		ID:       backend.PLONK,
		NewVK:    func() VerifyingKey { return plonk.NewVerifyingKey(ecc.BN254) },
		NewProof: func() Proof { return plonk.NewProof(ecc.BN254) },
		verify: func(p Proof, vk VerifyingKey, pub witness.Witness) error {
			return plonk.Verify(p.(plonk.Proof), vk.(plonk.VerifyingKey), pub,
				solidity.WithVerifierTargetSolidityVerifier(backend.PLONK))
		},
	},
}

// LookupSystem returns the proving system called name.
func LookupSystem(name string) (*System, error) {
	s, ok := systems[name]
	if !ok {
		return nil, fmt.Errorf("unknown backend %q (known: %v)", name, Backends())
	}
	return s, nil
}
