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
	for _, name := range PublicInputs {
		if pub[name] == nil {
			return p, fmt.Errorf("public input %s is missing", name)
		}
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
	for _, l := range []struct {
		kind codes.Kind
		name string
		dst  *string
	}{
		{codes.Currency, "currency", &p.Labels.Currency},
		{codes.Role, "role", &p.Labels.Role},
		{codes.Region, "region", &p.Labels.Region},
		{codes.Period, "period", &p.Labels.Period},
	} {
		if *l.dst, err = codes.Decode(l.kind, pub[l.name]); err != nil {
			return p, fmt.Errorf("%s: %w", l.name, err)
		}
	}
	p.Commitment, p.MemberRoot, p.Nullifier = pub["commitment"], pub["member_root"], pub["nullifier"]
	return p, nil
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
