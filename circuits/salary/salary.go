// Package salary is the statement "the salary behind this commitment lies in
// the bucket [lo, hi), and a registered member submits it once this period".
//
// Public inputs, in this order (the order of the proof's public witness):
//
//	commitment   H(domain_commit; salary, salt)
//	lo, hi       the bucket, integers in [0, 2^64)
//	currency     codes.Currency encoding
//	role         codes.Role encoding
//	region       codes.Region encoding
//	period       codes.Period encoding
//	member_root  root of the member registry tree
//	nullifier    H(domain_submit; identity secret, period)
//
// Private: salary (64-bit), salt, identity secret, registry index and path.
package salary

import (
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/merkle"
)

// Name and Version identify the statement in manifests and proof envelopes.
const (
	Name    = "salary"
	Version = 1
)

// AmountBits is the width of every pay amount: integers in [0, 2^64).
const AmountBits = 64

// PublicInputs are the names of the public inputs in witness order.
var PublicInputs = []string{"commitment", "lo", "hi", "currency", "role", "region", "period", "member_root", "nullifier"}

// Circuit is the salary range statement.
type Circuit struct {
	Commitment frontend.Variable `gnark:"commitment,public"`
	Lo         frontend.Variable `gnark:"lo,public"`
	Hi         frontend.Variable `gnark:"hi,public"`
	Currency   frontend.Variable `gnark:"currency,public"`
	Role       frontend.Variable `gnark:"role,public"`
	Region     frontend.Variable `gnark:"region,public"`
	Period     frontend.Variable `gnark:"period,public"`
	MemberRoot frontend.Variable `gnark:"member_root,public"`
	Nullifier  frontend.Variable `gnark:"nullifier,public"`

	Salary         frontend.Variable               `gnark:"salary,secret"`
	Salt           frontend.Variable               `gnark:"salt,secret"`
	IdentitySecret frontend.Variable               `gnark:"identity_secret,secret"`
	MemberIndex    frontend.Variable               `gnark:"member_index,secret"`
	MemberPath     [merkle.Depth]frontend.Variable `gnark:"member_path,secret"`

	// RangeCheck selects the range-check strategy; it is part of the circuit's
	// shape, not of the witness.
	RangeCheck bound.Strategy `gnark:"-"`
}

// Define declares the constraints.
func (c *Circuit) Define(api frontend.API) error {
	h, err := hashing.NewHasher(api)
	if err != nil {
		return err
	}
	rc := bound.New(api, c.RangeCheck)
	DefineBucket(api, h, rc, c.Commitment, c.Salary, c.Salt, c.Lo, c.Hi)
	BindLabels(rc, c.Currency, c.Role, c.Region, c.Period)
	DefineMembership(api, h, c.IdentitySecret, c.MemberIndex, c.MemberPath, c.MemberRoot)
	api.AssertIsEqual(h.Hash(hashing.DomainSubmit, c.IdentitySecret, c.Period), c.Nullifier)
	return nil
}

// DefineBucket asserts commitment = H(domain_commit; salary, salt) and
// lo <= salary < hi. lo and hi are range-checked to 64 bits; salary needs no
// check of its own: with salary-lo and hi-1-salary both in [0, 2^64), salary
// is the integer lo+(salary-lo) < 2^65 < p, at least lo and at most hi-1, so
// it is range-checked to [lo, hi) by the comparison itself.
func DefineBucket(api frontend.API, h *hashing.Hasher, rc bound.Checker, commitment, salary, salt, lo, hi frontend.Variable) {
	rc.Check(lo, AmountBits)
	rc.Check(hi, AmountBits)
	bound.InRange(api, rc, salary, lo, hi, AmountBits)
	api.AssertIsEqual(h.Hash(hashing.DomainCommit, salary, salt), commitment)
}

// BindLabels range-checks the label encodings to their widths. A public input
// that appears in no constraint would not be bound by a Groth16 proof (anyone
// could change it); this binds them and rejects encodings wider than any label.
func BindLabels(rc bound.Checker, currency, role, region, period frontend.Variable) {
	rc.Check(currency, codes.CurrencyBits)
	rc.Check(role, codes.RoleBits)
	rc.Check(region, codes.RegionBits)
	rc.Check(period, codes.PeriodBits)
}

// DefineMembership asserts that H(domain_id; secret) is the leaf at index
// under root.
func DefineMembership(api frontend.API, h *hashing.Hasher, secret, index frontend.Variable, path [merkle.Depth]frontend.Variable, root frontend.Variable) {
	leaf := h.Hash(hashing.DomainIdentity, secret)
	api.AssertIsEqual(merkle.VerifyPath(api, h, leaf, index, path), root)
}
