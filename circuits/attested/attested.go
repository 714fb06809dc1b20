// Package attested is the statement of package salary plus "an attester in
// the attester registry signed this salary, these labels and this member":
// the salary-attested circuit.
//
// Public inputs, in this order (the order of the proof's public witness):
//
//	commitment, lo, hi, currency, role, region, period, member_root, nullifier
//	             exactly as in package salary
//	attester_root  root of the attester registry tree
//	employer       H(domain_employer; A.x, A.y, period), the employer's
//	               pseudonym for the period (A is the attester's key)
//
// Private: salary, salt, identity secret, member index and path, the
// attester's key A, the signature (R, S), attester index and path.
//
// The signed message is H(domain_payslip; salary, currency, role, region,
// period, member) where member = H(domain_id; identity secret) is the
// member's identity commitment, so a payslip cannot be used by another member.
package attested

import (
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Name and Version identify the statement in manifests and proof envelopes.
const (
	Name    = "salary-attested"
	Version = 1
)

// PublicInputs are the names of the public inputs in witness order.
var PublicInputs = append(append([]string(nil), salary.PublicInputs...), "attester_root", "employer")

// Circuit is the attested salary range statement.
type Circuit struct {
	Commitment   frontend.Variable `gnark:"commitment,public"`
	Lo           frontend.Variable `gnark:"lo,public"`
	Hi           frontend.Variable `gnark:"hi,public"`
	Currency     frontend.Variable `gnark:"currency,public"`
	Role         frontend.Variable `gnark:"role,public"`
	Region       frontend.Variable `gnark:"region,public"`
	Period       frontend.Variable `gnark:"period,public"`
	MemberRoot   frontend.Variable `gnark:"member_root,public"`
	Nullifier    frontend.Variable `gnark:"nullifier,public"`
	AttesterRoot frontend.Variable `gnark:"attester_root,public"`
	Employer     frontend.Variable `gnark:"employer,public"`

	Salary         frontend.Variable               `gnark:"salary,secret"`
	Salt           frontend.Variable               `gnark:"salt,secret"`
	IdentitySecret frontend.Variable               `gnark:"identity_secret,secret"`
	MemberIndex    frontend.Variable               `gnark:"member_index,secret"`
	MemberPath     [merkle.Depth]frontend.Variable `gnark:"member_path,secret"`
	AttesterKey    attester.KeyVar                 `gnark:"attester_key,secret"`
	Signature      attester.SignatureVar           `gnark:"signature,secret"`
	AttesterIndex  frontend.Variable               `gnark:"attester_index,secret"`
	AttesterPath   [merkle.Depth]frontend.Variable `gnark:"attester_path,secret"`

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

	// The salary statement, as package salary states it. Membership is
	// spelled out rather than calling salary.DefineMembership because the
	// signed message needs the identity commitment, and computing it twice
	// would cost a second Poseidon2.
	salary.DefineBucket(api, h, rc, c.Commitment, c.Salary, c.Salt, c.Lo, c.Hi)
	salary.BindLabels(rc, c.Currency, c.Role, c.Region, c.Period)
	member := h.Hash(hashing.DomainIdentity, c.IdentitySecret)
	api.AssertIsEqual(merkle.VerifyPath(api, h, member, c.MemberIndex, c.MemberPath), c.MemberRoot)
	api.AssertIsEqual(h.Hash(hashing.DomainSubmit, c.IdentitySecret, c.Period), c.Nullifier)

	// The attestation. Salary is range-checked by DefineBucket and the
	// labels by BindLabels, so each message field has one representation.
	v, err := attester.NewVerifier(api)
	if err != nil {
		return err
	}
	msg := h.Hash(hashing.DomainPayslip, c.Salary, c.Currency, c.Role, c.Region, c.Period, member)
	if err := v.Verify(c.AttesterKey, c.Signature, msg); err != nil {
		return err
	}
	leaf := attester.DefineLeaf(h, c.AttesterKey)
	api.AssertIsEqual(merkle.VerifyPath(api, h, leaf, c.AttesterIndex, c.AttesterPath), c.AttesterRoot)
	api.AssertIsEqual(attester.DefinePseudonym(h, c.AttesterKey, c.Period), c.Employer)
	return nil
}
