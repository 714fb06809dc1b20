package aggregate

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Circuit names the store accepts. Attested rows come from the circuit whose
// salary, role, region and period are signed by a registered attester.
const (
	CircuitSalary   = "salary"
	CircuitAttested = "salary-attested"
)

// ErrBadRow reports a submission whose public values cannot be a row.
var ErrBadRow = errors.New("bad submission")

// Field is a BN254 scalar field element, big-endian.
type Field [32]byte

// FieldFromBig encodes v, which must lie in [0, 2^256).
func FieldFromBig(v *big.Int) (Field, error) {
	var f Field
	if v.Sign() < 0 || v.BitLen() > 256 {
		return f, fmt.Errorf("%w: %s does not fit in 32 bytes", ErrBadRow, v)
	}
	v.FillBytes(f[:])
	return f, nil
}

// Big returns f as an integer.
func (f Field) Big() *big.Int { return new(big.Int).SetBytes(f[:]) }

// String is the decimal form used in proof envelopes.
func (f Field) String() string { return f.Big().String() }

// Hex is the form analysts see in exports (DuckDB shows it with hex()).
func (f Field) Hex() string { return hex.EncodeToString(f[:]) }

// ProofMeta is what, besides the public values, re-verifying a row needs.
type ProofMeta struct {
	Circuit        string
	CircuitVersion int
	Backend        string
	Curve          string
	VKSHA256       string
	Bytes          []byte
}

// Row is one accepted submission. Labels are stored decoded (USD, 15-1252,
// US-CA, 2026-11) so analysts read them without the codes package.
type Row struct {
	Commitment Field
	Lo, Hi     uint64
	Currency   string
	Role       string
	Region     string
	Period     string
	Attested   bool
	// AttesterRoot and Employer are set only for attested rows; Employer is
	// the employer pseudonym the dominance rules count.
	AttesterRoot Field
	Employer     Field
	MemberRoot   Field
	Nullifier    Field
	IngestTime   time.Time
	Proof        ProofMeta
}

func (r *Row) check() error {
	switch {
	case r.Lo >= r.Hi:
		return fmt.Errorf("%w: bucket [%d, %d) is empty", ErrBadRow, r.Lo, r.Hi)
	case r.Currency == "" || r.Role == "" || r.Region == "" || r.Period == "":
		return fmt.Errorf("%w: missing label", ErrBadRow)
	case r.Attested != (r.Proof.Circuit == CircuitAttested):
		return fmt.Errorf("%w: attested flag does not match circuit %q", ErrBadRow, r.Proof.Circuit)
	}
	return nil
}
