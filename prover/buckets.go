package prover

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DefaultBucketWidth is the width, in major currency units of annual pay, of
// the default buckets: [0, 5000), [5000, 10000), ...
const DefaultBucketWidth = 5000

// BucketScheme maps an amount to its bucket: fixed-width buckets per
// currency, aligned at 0.
type BucketScheme struct {
	Default uint64            // width for currencies not in Widths
	Widths  map[string]uint64 // per ISO 4217 code
}

// DefaultBuckets is the scheme used when a prover names no bucket: 5000 units
// of most currencies, and widths of similar value for currencies whose unit
// is small.
func DefaultBuckets() BucketScheme {
	return BucketScheme{
		Default: DefaultBucketWidth,
		Widths: map[string]uint64{
			"JPY": 500_000,
			"KRW": 5_000_000,
			"INR": 250_000,
			"CNY": 25_000,
			"HUF": 1_000_000,
		},
	}
}

// Width is the bucket width for currency.
func (s BucketScheme) Width(currency string) uint64 {
	if w, ok := s.Widths[strings.ToUpper(currency)]; ok {
		return w
	}
	return s.Default
}

// Bucket returns the bucket [lo, hi) holding amount. The last bucket ends at
// the largest 64-bit amount, which itself can't be proven (hi is exclusive).
func (s BucketScheme) Bucket(currency string, amount uint64) (lo, hi uint64) {
	w := s.Width(currency)
	lo = amount / w * w
	if lo > math.MaxUint64-w {
		return lo, math.MaxUint64
	}
	return lo, lo + w
}

// ParseBucket parses "lo:hi".
func ParseBucket(s string) (lo, hi uint64, err error) {
	a, b, ok := strings.Cut(s, ":")
	if ok {
		lo, err = strconv.ParseUint(a, 10, 64)
	}
	if ok && err == nil {
		hi, err = strconv.ParseUint(b, 10, 64)
	}
	if !ok || err != nil {
		return 0, 0, fmt.Errorf("bucket %q is not lo:hi with 64-bit whole numbers", s)
	}
	if lo >= hi {
		return 0, 0, fmt.Errorf("bucket %q is empty: lo must be below hi", s)
	}
	return lo, hi, nil
}
