// Package hashing is the one hash of wageproof: Poseidon2 over BN254 in the
// Merkle-Damgard mode that gnark's std/hash/poseidon2 uses, with a domain
// separator as the initial state, natively and in circuits.
//
//	H(d; x1, ..., xn) = f(...f(f(d, x1), x2)..., xn)
//
// where f is Poseidon2's 2-to-1 compression (width 2, 6 full and 50 partial
// rounds, feed-forward of the right input) and d is the Domain's field
// encoding. Using the domain as the initial state costs no extra permutation,
// and every domain's ASCII name is distinct, so two statements never share a
// hash. Merkle nodes use f directly (see package merkle).
package hashing

import (
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash"
	gadget "github.com/consensys/gnark/std/permutation/poseidon2"
)

// Domain names one use of the hash. Its field encoding is the big-endian
// integer of its ASCII bytes (at most 31, so it is below the modulus).
type Domain string

// The domains of wageproof. The version suffix changes whenever the inputs of
// a hash change, so old and new hashes never collide.
const (
	DomainIdentity  Domain = "wageproof/identity/v1"  // H(d; identity secret) = registry leaf
	DomainCommit    Domain = "wageproof/commit/v1"    // H(d; salary, salt)
	DomainSubmit    Domain = "wageproof/submit/v1"    // H(d; identity secret, period)
	DomainClaim     Domain = "wageproof/claim/v1"     // H(d; identity secret, offer id)
	DomainEmployer  Domain = "wageproof/employer/v1"  // H(d; attester key, period)
	DomainAttester  Domain = "wageproof/attester/v1"  // H(d; attester key) = registry leaf
	DomainPayslip   Domain = "wageproof/payslip/v1"   // signed payslip message
	DomainOffer     Domain = "wageproof/offer/v1"     // signed offer message
	DomainBenchmark Domain = "wageproof/benchmark/v1" // benchmark table content
)

// Element returns the domain's field encoding.
func (d Domain) Element() fr.Element {
	if len(d) > 31 {
		panic("hashing: domain name longer than 31 bytes: " + string(d))
	}
	var e fr.Element
	e.SetBigInt(new(big.Int).SetBytes([]byte(d)))
	return e
}

// Compress is Poseidon2's 2-to-1 compression f(left, right).
func Compress(left, right fr.Element) fr.Element {
	x := [2]fr.Element{left, right}
	if err := poseidon2.NewDefaultPermutation().Permutation(x[:]); err != nil {
		panic(err) // width is fixed at 2: cannot happen
	}
	x[1].Add(&x[1], &right)
	return x[1]
}

// Hash returns H(d; xs...).
func Hash(d Domain, xs ...fr.Element) fr.Element {
	state := d.Element()
	for _, x := range xs {
		state = Compress(state, x)
	}
	return state
}

// HashBig is Hash on big integers; each input is reduced modulo the field, so
// callers must range-check inputs they do not want to wrap.
func HashBig(d Domain, xs ...*big.Int) *big.Int {
	es := make([]fr.Element, len(xs))
	for i, x := range xs {
		es[i].SetBigInt(x)
	}
	h := Hash(d, es...)
	return h.BigInt(new(big.Int))
}

// Hasher computes the same hashes in a circuit.
type Hasher struct {
	api  frontend.API
	perm *gadget.Permutation
}

// NewHasher returns a Hasher for api.
func NewHasher(api frontend.API) (*Hasher, error) {
	p, err := gadget.NewPoseidon2(api)
	if err != nil {
		return nil, err
	}
	return &Hasher{api: api, perm: p}, nil
}

// Compress is f(left, right) in a circuit.
func (h *Hasher) Compress(left, right frontend.Variable) frontend.Variable {
	return h.perm.Compress(left, right)
}

// Hash is H(d; xs...) in a circuit.
func (h *Hasher) Hash(d Domain, xs ...frontend.Variable) frontend.Variable {
	e := d.Element()
	md := hash.NewMerkleDamgardHasher(h.api, h.perm, e.BigInt(new(big.Int)))
	md.Write(xs...)
	return md.Sum()
}
