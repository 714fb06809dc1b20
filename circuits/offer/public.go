package offer

import (
	"fmt"
	"math/big"

	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Public is the decoded public statement of a claim: what the pool learns.
type Public struct {
	Benchmark       uint64
	Labels          salary.Labels // currency, role, region, and the benchmark's period
	EmployerKeyHash *big.Int
	MemberRoot      *big.Int
	Nullifier       *big.Int
	CheckDate       string // YYYY-MM-DD
}

// DecodePublic reads and checks public inputs keyed by name.
func DecodePublic(pub map[string]*big.Int) (Public, error) {
	var p Public
	if err := salary.RequireInputs(pub, PublicInputs); err != nil {
		return p, err
	}
	if !pub["benchmark"].IsUint64() {
		return p, fmt.Errorf("benchmark = %s is not a 64-bit amount", pub["benchmark"])
	}
	p.Benchmark = pub["benchmark"].Uint64()
	d := pub["check_date"]
	if !d.IsUint64() {
		return p, fmt.Errorf("check_date = %s is not a date", d)
	}
	p.CheckDate = codes.FormatDate(d.Uint64())
	if back, err := codes.Date(p.CheckDate); err != nil || back != d.Uint64() {
		return p, fmt.Errorf("check_date = %s is not a date YYYYMMDD", d)
	}
	var err error
	if p.Labels, err = salary.DecodeLabels(pub); err != nil {
		return p, err
	}
	p.EmployerKeyHash, p.MemberRoot, p.Nullifier = pub["employer_key_hash"], pub["member_root"], pub["nullifier"]
	return p, nil
}

// CheckPublic is DecodePublic for the catalog.
func CheckPublic(pub map[string]*big.Int) error {
	_, err := DecodePublic(pub)
	return err
}

// Describe summarises a claim from its public inputs.
func Describe(pub map[string]*big.Int) string {
	p, err := DecodePublic(pub)
	if err != nil {
		return "undecodable statement"
	}
	return fmt.Sprintf("offer below benchmark %s %d, role %s, region %s, period %s, unexpired on %s",
		p.Labels.Currency, p.Benchmark, p.Labels.Role, p.Labels.Region, p.Labels.Period, p.CheckDate)
}
