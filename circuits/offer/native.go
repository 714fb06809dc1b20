package offer

import (
	"fmt"
	"math/big"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Input is everything the worker knows.
type Input struct {
	Identity  *member.Identity
	Member    salary.Membership
	Offer     *attester.SignedOffer
	Benchmark uint64 // the published benchmark for the offer's labels and Period
	Period    string // the benchmark's period, e.g. 2026-11
	CheckDate string // YYYY-MM-DD: the offer must not have expired before it
}

// Assign checks the statement natively and returns the full assignment.
func (in Input) Assign() (*Circuit, error) {
	if in.Identity == nil || in.Offer == nil {
		return nil, fmt.Errorf("%w: identity and offer are required", salary.ErrStatement)
	}
	if err := in.Offer.Verify(); err != nil {
		return nil, fmt.Errorf("%w: %w", salary.ErrStatement, err)
	}
	if c := in.Identity.Commitment(); !c.Equal(&in.Offer.Member) {
		return nil, fmt.Errorf("%w: the offer was made to another member", salary.ErrStatement)
	}
	if in.Offer.Amount >= in.Benchmark {
		return nil, fmt.Errorf("%w: the offer is not below the benchmark", salary.ErrStatement)
	}
	f, err := in.Offer.Fields()
	if err != nil {
		return nil, err
	}
	check, err := codes.Date(in.CheckDate)
	if err != nil {
		return nil, err
	}
	if f.Expiry.Uint64() < check {
		return nil, fmt.Errorf("%w: the offer expired on %s, before %s", salary.ErrStatement, in.Offer.Expires, codes.FormatDate(check))
	}
	period, err := codes.Encode(codes.Period, in.Period)
	if err != nil {
		return nil, err
	}
	if got := merkle.RootFrom(in.Identity.Commitment(), in.Member.Index, in.Member.Path); !got.Equal(&in.Member.Root) {
		return nil, fmt.Errorf("%w: the member is not in the registry with that root", salary.ErrStatement)
	}
	leaf := in.Offer.Attester.Leaf()
	c := &Circuit{
		Benchmark:       in.Benchmark,
		Currency:        f.Currency,
		Role:            f.Role,
		Region:          f.Region,
		Period:          period,
		EmployerKeyHash: leaf,
		MemberRoot:      in.Member.Root,
		Nullifier:       in.Identity.ClaimNullifier(f.ID),
		CheckDate:       new(big.Int).SetUint64(check),

		OfferID:        f.ID,
		Amount:         f.Amount,
		Expiry:         f.Expiry,
		EmployerKey:    attester.AssignKey(in.Offer.Attester),
		Signature:      attester.AssignSignature(in.Offer.Signature),
		IdentitySecret: in.Identity.Secret(),
		MemberIndex:    in.Member.Index,
	}
	for i := range c.MemberPath {
		c.MemberPath[i] = in.Member.Path[i]
	}
	return c, nil
}
