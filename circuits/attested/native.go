package attested

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Input is everything the worker knows: the salary statement's inputs, with
// salary and labels taken from a signed payslip, and the attester's place in
// the attester registry.
type Input struct {
	Identity  *member.Identity
	Member    salary.Membership
	Salt      *big.Int
	Lo, Hi    uint64
	Payslip   *attester.SignedPayslip
	Attesters salary.Membership // the attester key's leaf under the attester root
}

// Assign checks the statement natively and returns the full assignment.
func (in Input) Assign() (*Circuit, error) {
	if in.Payslip == nil || in.Identity == nil {
		return nil, fmt.Errorf("%w: identity and payslip are required", salary.ErrStatement)
	}
	if err := in.Payslip.Verify(); err != nil {
		return nil, fmt.Errorf("%w: %w", salary.ErrStatement, err)
	}
	if c := in.Identity.Commitment(); !c.Equal(&in.Payslip.Member) {
		return nil, fmt.Errorf("%w: the payslip was issued to another member", salary.ErrStatement)
	}
	leaf := in.Payslip.Attester.Leaf()
	if got := merkle.RootFrom(leaf, in.Attesters.Index, in.Attesters.Path); !got.Equal(&in.Attesters.Root) {
		return nil, fmt.Errorf("%w: the payslip's attester is not in the attester registry with that root", salary.ErrStatement)
	}
	base, err := salary.Input{
		Identity: in.Identity, Member: in.Member, Salary: in.Payslip.Salary, Salt: in.Salt,
		Lo: in.Lo, Hi: in.Hi, Labels: in.Payslip.Labels,
	}.Assign()
	if err != nil {
		return nil, err
	}
	period, err := toBig(base.Period)
	if err != nil {
		return nil, err
	}
	c := &Circuit{
		Commitment: base.Commitment, Lo: base.Lo, Hi: base.Hi,
		Currency: base.Currency, Role: base.Role, Region: base.Region, Period: base.Period,
		MemberRoot: base.MemberRoot, Nullifier: base.Nullifier,
		AttesterRoot: in.Attesters.Root,
		Employer:     in.Payslip.Attester.Pseudonym(period),

		Salary: base.Salary, Salt: base.Salt, IdentitySecret: base.IdentitySecret,
		MemberIndex: base.MemberIndex, MemberPath: base.MemberPath,
		AttesterKey:   attester.AssignKey(in.Payslip.Attester),
		Signature:     attester.AssignSignature(in.Payslip.Signature),
		AttesterIndex: in.Attesters.Index,
	}
	for i := range c.AttesterPath {
		c.AttesterPath[i] = in.Attesters.Path[i]
	}
	return c, nil
}

func toBig(v any) (*big.Int, error) {
	switch x := v.(type) {
	case *big.Int:
		return x, nil
	case fr.Element:
		return x.BigInt(new(big.Int)), nil
	}
	return nil, fmt.Errorf("attested: unexpected witness value %T", v)
}
