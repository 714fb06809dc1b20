package hashing

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	gcposeidon2 "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
)

type hashCircuit struct {
	X, Y frontend.Variable
	Out  frontend.Variable `gnark:",public"`
}

func (c *hashCircuit) Define(api frontend.API) error {
	h, err := NewHasher(api)
	if err != nil {
		return err
	}
	api.AssertIsEqual(h.Hash(DomainCommit, c.X, c.Y), c.Out)
	return nil
}

func TestNativeMatchesCircuit(t *testing.T) {
	assert := test.NewAssert(t)
	x, y := big.NewInt(123456), big.NewInt(987654321)
	out := HashBig(DomainCommit, x, y)
	assert.CheckCircuit(&hashCircuit{},
		test.WithValidAssignment(&hashCircuit{X: x, Y: y, Out: out}),
		test.WithInvalidAssignment(&hashCircuit{X: y, Y: x, Out: out}),
		test.WithInvalidAssignment(&hashCircuit{X: x, Y: y, Out: HashBig(DomainSubmit, x, y)}),
		test.WithCurves(ecc.BN254))
}

func TestMatchesGnarkCryptoMerkleDamgard(t *testing.T) {
	// With a zero domain our hash is exactly gnark-crypto's Merkle-Damgard
	// Poseidon2: this pins the construction to the library's.
	var a, b fr.Element
	a.SetUint64(7)
	b.SetUint64(11)
	md := gcposeidon2.NewMerkleDamgardHasher()
	ab, bb := a.Bytes(), b.Bytes()
	md.Write(ab[:])
	md.Write(bb[:])
	var want fr.Element
	want.SetBytes(md.Sum(nil))
	if got := Hash("", a, b); !got.Equal(&want) {
		t.Fatalf("Hash = %s, gnark-crypto = %s", got.String(), want.String())
	}
}

func TestDomainsDiffer(t *testing.T) {
	var x fr.Element
	x.SetUint64(42)
	seen := map[fr.Element]Domain{}
	for _, d := range []Domain{DomainIdentity, DomainCommit, DomainSubmit, DomainClaim, DomainEmployer, DomainAttester, DomainPayslip, DomainOffer, DomainBenchmark} {
		h := Hash(d, x)
		if other, dup := seen[h]; dup {
			t.Fatalf("domains %s and %s collide", d, other)
		}
		seen[h] = d
	}
}
