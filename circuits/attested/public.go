package attested

import (
	"fmt"
	"math/big"

	"github.com/wageproof/wageproof/circuits/salary"
)

// Public is the decoded public statement of an attested salary proof.
type Public struct {
	salary.Public
	AttesterRoot *big.Int
	Employer     *big.Int // pseudonym of the employer for the period
}

// DecodePublic reads and checks public inputs keyed by name.
func DecodePublic(pub map[string]*big.Int) (Public, error) {
	var p Public
	if err := salary.RequireInputs(pub, PublicInputs); err != nil {
		return p, err
	}
	base, err := salary.DecodePublic(pub)
	if err != nil {
		return p, err
	}
	p.Public, p.AttesterRoot, p.Employer = base, pub["attester_root"], pub["employer"]
	return p, nil
}

// CheckPublic is DecodePublic for the catalog.
func CheckPublic(pub map[string]*big.Int) error {
	_, err := DecodePublic(pub)
	return err
}

// Describe summarises an attested salary statement from its public inputs.
func Describe(pub map[string]*big.Int) string {
	p, err := DecodePublic(pub)
	if err != nil {
		return "undecodable statement"
	}
	return fmt.Sprintf("%s in [%d, %d), role %s, region %s, period %s, attested (employer pseudonym %s)",
		p.Labels.Currency, p.Lo, p.Hi, p.Labels.Role, p.Labels.Region, p.Labels.Period, short(p.Employer))
}

func short(v *big.Int) string {
	s := v.String()
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
