package salary

import (
	"fmt"
	"math/big"

	"github.com/wageproof/wageproof/circuits/codes"
)

// Public is the decoded public statement of a salary proof: what the
// aggregator learns.
type Public struct {
	Commitment *big.Int
	Lo, Hi     uint64
	Labels     Labels
	MemberRoot *big.Int
	Nullifier  *big.Int
}

// DecodePublic reads and checks public inputs keyed by name.
func DecodePublic(pub map[string]*big.Int) (Public, error) {
	var p Public
	if err := RequireInputs(pub, PublicInputs); err != nil {
		return p, err
	}
	for _, name := range []string{"lo", "hi"} {
		if !pub[name].IsUint64() {
			return p, fmt.Errorf("%s = %s is not a 64-bit amount", name, pub[name])
		}
	}
	p.Lo, p.Hi = pub["lo"].Uint64(), pub["hi"].Uint64()
	if p.Lo >= p.Hi {
		return p, fmt.Errorf("bucket [%d, %d) is empty", p.Lo, p.Hi)
	}
	var err error
	if p.Labels, err = DecodeLabels(pub); err != nil {
		return p, err
	}
	p.Commitment, p.MemberRoot, p.Nullifier = pub["commitment"], pub["member_root"], pub["nullifier"]
	return p, nil
}

// RequireInputs fails unless every name has a value.
func RequireInputs(pub map[string]*big.Int, names []string) error {
	for _, name := range names {
		if pub[name] == nil {
			return fmt.Errorf("public input %s is missing", name)
		}
	}
	return nil
}

// DecodeLabels decodes the currency, role, region and period inputs, which
// every statement carries under these names.
func DecodeLabels(pub map[string]*big.Int) (Labels, error) {
	var l Labels
	for _, in := range []struct {
		kind codes.Kind
		name string
		dst  *string
	}{
		{codes.Currency, "currency", &l.Currency},
		{codes.Role, "role", &l.Role},
		{codes.Region, "region", &l.Region},
		{codes.Period, "period", &l.Period},
	} {
		var err error
		if *in.dst, err = codes.Decode(in.kind, pub[in.name]); err != nil {
			return l, fmt.Errorf("%s: %w", in.name, err)
		}
	}
	return l, nil
}

// CheckPublic is DecodePublic for the catalog.
func CheckPublic(pub map[string]*big.Int) error {
	_, err := DecodePublic(pub)
	return err
}

// Describe summarises a salary statement from its public inputs.
func Describe(pub map[string]*big.Int) string {
	p, err := DecodePublic(pub)
	if err != nil {
		return "undecodable statement"
	}
	return fmt.Sprintf("%s in [%d, %d), role %s, region %s, period %s",
		p.Labels.Currency, p.Lo, p.Hi, p.Labels.Role, p.Labels.Region, p.Labels.Period)
}
