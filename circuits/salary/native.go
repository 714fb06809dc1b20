package salary

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/merkle"
)

// ErrStatement reports inputs for which the statement is false: the prover
// refuses them before spending time on a proof that cannot exist.
var ErrStatement = errors.New("statement does not hold")

// MaxAmount is the largest amount a 64-bit range check admits.
var MaxAmount = new(big.Int).SetUint64(^uint64(0))

// Labels are the public labels of a submission.
type Labels struct {
	Currency string
	Role     string
	Region   string
	Period   string
}

// Encode returns the field encodings of the labels, in public-input order.
func (l Labels) Encode() (currency, role, region, period *big.Int, err error) {
	if currency, err = codes.Encode(codes.Currency, l.Currency); err != nil {
		return
	}
	if role, err = codes.Encode(codes.Role, l.Role); err != nil {
		return
	}
	if region, err = codes.Encode(codes.Region, l.Region); err != nil {
		return
	}
	period, err = codes.Encode(codes.Period, l.Period)
	return
}

// Membership is a member's place in the registry tree.
type Membership struct {
	Root  fr.Element
	Index int
	Path  [merkle.Depth]fr.Element
}

// Input is everything the worker knows.
type Input struct {
	Identity *member.Identity
	Member   Membership
	Salary   uint64
	Salt     *big.Int // random; fresh per commitment
	Lo, Hi   uint64
	Labels   Labels
}

// NewSalt draws a random commitment salt.
func NewSalt() (*big.Int, error) {
	var s fr.Element
	if _, err := s.SetRandom(); err != nil {
		return nil, err
	}
	return s.BigInt(new(big.Int)), nil
}

// Commitment is H(domain_commit; salary, salt).
func Commitment(salary uint64, salt *big.Int) *big.Int {
	return hashing.HashBig(hashing.DomainCommit, new(big.Int).SetUint64(salary), salt)
}

// Assign checks the statement natively and returns the full assignment.
func (in Input) Assign() (*Circuit, error) {
	if in.Identity == nil || in.Salt == nil {
		return nil, fmt.Errorf("%w: identity and salt are required", ErrStatement)
	}
	if in.Lo >= in.Hi {
		return nil, fmt.Errorf("%w: bucket [%d, %d) is empty", ErrStatement, in.Lo, in.Hi)
	}
	if in.Salary < in.Lo || in.Salary >= in.Hi {
		return nil, fmt.Errorf("%w: salary is not in the bucket [%d, %d)", ErrStatement, in.Lo, in.Hi)
	}
	currency, role, region, period, err := in.Labels.Encode()
	if err != nil {
		return nil, err
	}
	leaf := in.Identity.Commitment()
	if got := merkle.RootFrom(leaf, in.Member.Index, in.Member.Path); !got.Equal(&in.Member.Root) {
		return nil, fmt.Errorf("%w: the member is not in the registry with that root", ErrStatement)
	}
	c := &Circuit{
		Commitment:     Commitment(in.Salary, in.Salt),
		Lo:             in.Lo,
		Hi:             in.Hi,
		Currency:       currency,
		Role:           role,
		Region:         region,
		Period:         period,
		MemberRoot:     in.Member.Root,
		Nullifier:      in.Identity.Nullifier(period),
		Salary:         in.Salary,
		Salt:           in.Salt,
		IdentitySecret: in.Identity.Secret(),
		MemberIndex:    in.Member.Index,
	}
	for i := range c.MemberPath {
		c.MemberPath[i] = in.Member.Path[i]
	}
	return c, nil
}
