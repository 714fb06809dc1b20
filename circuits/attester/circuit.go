package attester

import (
	"math/big"

	tedwards "github.com/consensys/gnark-crypto/ecc/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/algebra/native/twistededwards"
	stdhash "github.com/consensys/gnark/std/hash"
	gadget "github.com/consensys/gnark/std/permutation/poseidon2"
	"github.com/consensys/gnark/std/signature/eddsa"

	"github.com/wageproof/wageproof/circuits/hashing"
)

// KeyVar is a public key in a circuit.
type KeyVar = eddsa.PublicKey

// SignatureVar is a signature in a circuit.
type SignatureVar = eddsa.Signature

// AssignKey returns the circuit assignment of a public key.
func AssignKey(p PublicKey) KeyVar {
	return KeyVar{A: twistededwards.Point{X: p.A.X.BigInt(new(big.Int)), Y: p.A.Y.BigInt(new(big.Int))}}
}

// AssignSignature returns the circuit assignment of a signature.
func AssignSignature(s Signature) SignatureVar {
	return SignatureVar{
		R: twistededwards.Point{X: s.R.X.BigInt(new(big.Int)), Y: s.R.Y.BigInt(new(big.Int))},
		S: s.S.BigInt(new(big.Int)),
	}
}

// Verifier checks attester signatures in a circuit.
type Verifier struct {
	api   frontend.API
	curve twistededwards.Curve
	perm  *gadget.Permutation
}

// NewVerifier returns a Verifier for api.
func NewVerifier(api frontend.API) (*Verifier, error) {
	curve, err := twistededwards.NewEdCurve(api, tedwards.BN254)
	if err != nil {
		return nil, err
	}
	perm, err := gadget.NewPoseidon2(api)
	if err != nil {
		return nil, err
	}
	return &Verifier{api: api, curve: curve, perm: perm}, nil
}

// Verify asserts that sig is a signature by key on msg. gnark's eddsa.Verify
// asserts S < subgroup order (no malleable S + order) and checks
// [8]([S]G - [c]A - R) = 0. It does not check that A and R are on the curve;
// we do, so that no off-curve point can satisfy the addition formulas. (A is
// also bound to a registry leaf, and only subgroup points are registered.)
func (v *Verifier) Verify(key KeyVar, sig SignatureVar, msg frontend.Variable) error {
	v.curve.AssertIsOnCurve(key.A)
	v.curve.AssertIsOnCurve(sig.R)
	d := DomainSignature.Element()
	h := stdhash.NewMerkleDamgardHasher(v.api, v.perm, d.BigInt(new(big.Int)))
	return eddsa.Verify(v.curve, sig, msg, key, h)
}

// DefineLeaf returns the key's registry leaf H(DomainAttester; A.x, A.y).
func DefineLeaf(h *hashing.Hasher, key KeyVar) frontend.Variable {
	return h.Hash(hashing.DomainAttester, key.A.X, key.A.Y)
}

// DefinePseudonym returns H(DomainEmployer; A.x, A.y, period).
func DefinePseudonym(h *hashing.Hasher, key KeyVar, period frontend.Variable) frontend.Variable {
	return h.Hash(hashing.DomainEmployer, key.A.X, key.A.Y, period)
}
