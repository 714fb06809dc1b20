package attester

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/salary"
)

// ErrMessage reports a payslip or offer whose fields are invalid.
var ErrMessage = errors.New("attester: invalid message")

// OfferIDBits is the width of an offer id's field encoding.
const OfferIDBits = 248

// MaxOfferIDLen bounds the employer's offer id string.
const MaxOfferIDLen = 128

// Payslip is what an attester signs about a member's pay for a period.
type Payslip struct {
	Salary uint64
	Labels salary.Labels
	Member fr.Element // the member's identity commitment
}

// Message is H(DomainPayslip; salary, currency, role, region, period, member).
func (p Payslip) Message() (fr.Element, error) {
	currency, role, region, period, err := p.Labels.Encode()
	if err != nil {
		return fr.Element{}, fmt.Errorf("%w: %w", ErrMessage, err)
	}
	return hashing.Hash(hashing.DomainPayslip,
		elem(new(big.Int).SetUint64(p.Salary)), elem(currency), elem(role), elem(region), elem(period), p.Member), nil
}

// Offer is what an employer signs about a job offer to a member.
type Offer struct {
	ID       string // the employer's own reference, e.g. ACME-2026-0042
	Amount   uint64
	Currency string
	Role     string
	Region   string
	Expires  string     // YYYY-MM-DD, the last day on which the offer stands
	Member   fr.Element // the member's identity commitment
}

// OfferID is the field encoding of an offer id string: the first 31 bytes of
// SHA-256 of the string, as a big-endian integer, so below 2^248. Any string
// (a UUID, an ATS reference) fits, and the encoding is far below the modulus,
// so it has a single representation.
func OfferID(id string) (*big.Int, error) {
	if id == "" || len(id) > MaxOfferIDLen || strings.TrimSpace(id) != id {
		return nil, fmt.Errorf("%w: offer id %q must be 1 to %d characters without surrounding spaces", ErrMessage, id, MaxOfferIDLen)
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return nil, fmt.Errorf("%w: offer id %q must be printable ASCII", ErrMessage, id)
		}
	}
	sum := sha256.Sum256([]byte(id))
	return new(big.Int).SetBytes(sum[:OfferIDBits/8]), nil
}

// OfferFields are an offer's field encodings, in message order.
type OfferFields struct {
	ID, Amount, Currency, Role, Region, Expiry *big.Int
}

// Fields encodes and checks the offer.
func (o Offer) Fields() (OfferFields, error) {
	var f OfferFields
	var err error
	if f.ID, err = OfferID(o.ID); err != nil {
		return f, err
	}
	f.Amount = new(big.Int).SetUint64(o.Amount)
	for _, l := range []struct {
		k   codes.Kind
		s   string
		dst **big.Int
	}{{codes.Currency, o.Currency, &f.Currency}, {codes.Role, o.Role, &f.Role}, {codes.Region, o.Region, &f.Region}} {
		if *l.dst, err = codes.Encode(l.k, l.s); err != nil {
			return f, fmt.Errorf("%w: %w", ErrMessage, err)
		}
	}
	d, err := codes.Date(o.Expires)
	if err != nil {
		return f, fmt.Errorf("%w: expiry: %w", ErrMessage, err)
	}
	f.Expiry = new(big.Int).SetUint64(d)
	return f, nil
}

// Message is H(DomainOffer; offer id, amount, currency, role, region, expiry, member).
func (o Offer) Message() (fr.Element, error) {
	f, err := o.Fields()
	if err != nil {
		return fr.Element{}, err
	}
	return hashing.Hash(hashing.DomainOffer,
		elem(f.ID), elem(f.Amount), elem(f.Currency), elem(f.Role), elem(f.Region), elem(f.Expiry), o.Member), nil
}

func elem(v *big.Int) fr.Element {
	var e fr.Element
	e.SetBigInt(v)
	return e
}
