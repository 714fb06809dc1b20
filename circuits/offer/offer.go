// Package offer is the statement "a registered employer signed an offer to
// me, a registered member, below the benchmark, and it had not expired on
// the check date": the claim of the lowball-offer insurance pool.
//
// Public inputs, in this order (the order of the proof's public witness):
//
//	benchmark          the published benchmark amount, an integer in [0, 2^64)
//	currency           codes.Currency encoding (of the offer and the benchmark)
//	role               codes.Role encoding
//	region             codes.Region encoding
//	period             codes.Period encoding of the benchmark's period
//	employer_key_hash  H(domain_attester; A.x, A.y): the employer's attester
//	                   registry leaf (A is the employer's key)
//	member_root        root of the member registry tree
//	nullifier          H(domain_claim; identity secret, offer id)
//	check_date         YYYYMMDD; the offer's expiry is on or after it
//
// Private: offer id (248-bit), amount (64-bit), expiry (YYYYMMDD), the
// employer's key and signature, identity secret, member index and path.
//
// The signed message is H(domain_offer; offer id, amount, currency, role,
// region, expiry, member) where member = H(domain_id; identity secret).
package offer

import (
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Name and Version identify the statement in manifests and proof envelopes.
const (
	Name    = "offer"
	Version = 1
)

// PublicInputs are the names of the public inputs in witness order.
var PublicInputs = []string{"benchmark", "currency", "role", "region", "period", "employer_key_hash", "member_root", "nullifier", "check_date"}

// Circuit is the offer claim statement.
type Circuit struct {
	Benchmark       frontend.Variable `gnark:"benchmark,public"`
	Currency        frontend.Variable `gnark:"currency,public"`
	Role            frontend.Variable `gnark:"role,public"`
	Region          frontend.Variable `gnark:"region,public"`
	Period          frontend.Variable `gnark:"period,public"`
	EmployerKeyHash frontend.Variable `gnark:"employer_key_hash,public"`
	MemberRoot      frontend.Variable `gnark:"member_root,public"`
	Nullifier       frontend.Variable `gnark:"nullifier,public"`
	CheckDate       frontend.Variable `gnark:"check_date,public"`

	OfferID        frontend.Variable               `gnark:"offer_id,secret"`
	Amount         frontend.Variable               `gnark:"amount,secret"`
	Expiry         frontend.Variable               `gnark:"expiry,secret"`
	EmployerKey    attester.KeyVar                 `gnark:"employer_key,secret"`
	Signature      attester.SignatureVar           `gnark:"signature,secret"`
	IdentitySecret frontend.Variable               `gnark:"identity_secret,secret"`
	MemberIndex    frontend.Variable               `gnark:"member_index,secret"`
	MemberPath     [merkle.Depth]frontend.Variable `gnark:"member_path,secret"`

	// RangeCheck selects the range-check strategy (circuit shape, not witness).
	RangeCheck bound.Strategy `gnark:"-"`
}

// Define declares the constraints.
func (c *Circuit) Define(api frontend.API) error {
	h, err := hashing.NewHasher(api)
	if err != nil {
		return err
	}
	rc := bound.New(api, c.RangeCheck)

	// Widths first: the comparisons below are sound only for values known
	// to be below 2^n (see package bound). Checking the public benchmark,
	// labels and check date also binds them to the proof.
	rc.Check(c.Benchmark, salary.AmountBits)
	rc.Check(c.Amount, salary.AmountBits)
	rc.Check(c.CheckDate, codes.DateBits)
	rc.Check(c.Expiry, codes.DateBits)
	rc.Check(c.OfferID, attester.OfferIDBits)
	salary.BindLabels(rc, c.Currency, c.Role, c.Region, c.Period)

	bound.Below(api, rc, c.Amount, c.Benchmark, salary.AmountBits) // amount < benchmark
	bound.AtMost(api, rc, c.CheckDate, c.Expiry, codes.DateBits)   // check date <= expiry

	member := h.Hash(hashing.DomainIdentity, c.IdentitySecret)
	api.AssertIsEqual(merkle.VerifyPath(api, h, member, c.MemberIndex, c.MemberPath), c.MemberRoot)

	v, err := attester.NewVerifier(api)
	if err != nil {
		return err
	}
	msg := h.Hash(hashing.DomainOffer, c.OfferID, c.Amount, c.Currency, c.Role, c.Region, c.Expiry, member)
	if err := v.Verify(c.EmployerKey, c.Signature, msg); err != nil {
		return err
	}
	api.AssertIsEqual(attester.DefineLeaf(h, c.EmployerKey), c.EmployerKeyHash)
	api.AssertIsEqual(h.Hash(hashing.DomainClaim, c.IdentitySecret, c.OfferID), c.Nullifier)
	return nil
}
