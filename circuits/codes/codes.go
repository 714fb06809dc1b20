// Package codes turns the labels a submission carries (currency, role, region,
// period) into field elements and back.
//
// Every label is encoded reversibly, so the aggregator can show "15-1252"
// rather than an opaque hash, and with a kind tag, so that two labels of
// different kinds never share an encoding:
//
//	element = big-endian integer of the bytes  tag ‖ len ‖ ascii
//
// where tag is one byte ('C' currency, 'R' role, 'G' region, 'P' period), len
// is the number of ASCII bytes that follow, and ascii is the upper-case label.
// The encodings fit in the widths given by the Bits constants, which the
// circuits use to range-check (and so bind) these public inputs.
//
// Calendar dates (offer expiry, check dates) are not labels: they are compared
// in circuits, so they are plain integers YYYYMMDD.
package codes

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
)

// Kind is the kind of a label; its value is the tag byte of the encoding.
type Kind byte

const (
	Currency Kind = 'C' // ISO 4217 alphabetic code, e.g. USD
	Role     Kind = 'R' // SOC 2018 detailed occupation, e.g. 15-1252
	Region   Kind = 'G' // ISO 3166-1 alpha-2 or ISO 3166-2 subdivision, e.g. US-CA
	Period   Kind = 'P' // calendar month, e.g. 2026-11
)

// Bit widths of the encodings of each kind: 2 header bytes plus the longest label.
const (
	CurrencyBits = 8 * (2 + 3)
	RoleBits     = 8 * (2 + 7)
	RegionBits   = 8 * (2 + 6)
	PeriodBits   = 8 * (2 + 7)
	DateBits     = 32
)

// ErrInvalid reports a label that does not match its kind's format.
var ErrInvalid = errors.New("invalid code")

var formats = map[Kind]*regexp.Regexp{
	Currency: regexp.MustCompile(`^[A-Z]{3}$`),
	Role:     regexp.MustCompile(`^[0-9]{2}-[0-9]{4}$`),
	Region:   regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`),
	Period:   regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`),
}

func (k Kind) String() string {
	switch k {
	case Currency:
		return "currency"
	case Role:
		return "role"
	case Region:
		return "region"
	case Period:
		return "period"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

func (k Kind) example() string {
	switch k {
	case Currency:
		return "an ISO 4217 code such as USD"
	case Role:
		return "a SOC 2018 code such as 15-1252"
	case Region:
		return "an ISO 3166 code such as US or US-CA"
	case Period:
		return "a month such as 2026-11"
	}
	return "?"
}

// Normalize checks a label against its kind's format and returns its canonical
// (upper-case, trimmed) form.
func Normalize(k Kind, label string) (string, error) {
	re, ok := formats[k]
	if !ok {
		return "", fmt.Errorf("%w: unknown kind %v", ErrInvalid, k)
	}
	s := strings.ToUpper(strings.TrimSpace(label))
	if !re.MatchString(s) {
		return "", fmt.Errorf("%w: %s %q is not %s", ErrInvalid, k, label, k.example())
	}
	return s, nil
}

// Encode returns the field encoding of a label of kind k.
func Encode(k Kind, label string) (*big.Int, error) {
	s, err := Normalize(k, label)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 2+len(s))
	b = append(b, byte(k), byte(len(s)))
	b = append(b, s...)
	return new(big.Int).SetBytes(b), nil
}

// MustEncode is Encode for labels known to be valid (constants, tests).
func MustEncode(k Kind, label string) *big.Int {
	v, err := Encode(k, label)
	if err != nil {
		panic(err)
	}
	return v
}

// Decode returns the label behind a field encoding of kind k, and fails unless
// v is exactly the encoding of a valid label of that kind.
func Decode(k Kind, v *big.Int) (string, error) {
	if v == nil || v.Sign() <= 0 {
		return "", fmt.Errorf("%w: %s encoding is empty", ErrInvalid, k)
	}
	b := v.Bytes()
	if len(b) < 3 || b[0] != byte(k) || int(b[1]) != len(b)-2 {
		return "", fmt.Errorf("%w: %s is not a %s encoding", ErrInvalid, v, k)
	}
	s := string(b[2:])
	if _, err := Normalize(k, s); err != nil || s != strings.ToUpper(s) {
		return "", fmt.Errorf("%w: %s does not encode a valid %s", ErrInvalid, v, k)
	}
	return s, nil
}

// Date parses YYYY-MM-DD into the integer YYYYMMDD that circuits compare.
func Date(s string) (uint64, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrInvalid, s)
	}
	return uint64(t.Year()*10000 + int(t.Month())*100 + t.Day()), nil
}

// FormatDate is the inverse of Date.
func FormatDate(d uint64) string {
	return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
}
