package codes

import (
	"errors"
	"math/big"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		kind  Kind
		label string
		want  string
	}{
		{Currency, "USD", "USD"},
		{Currency, " eur ", "EUR"},
		{Role, "15-1252", "15-1252"},
		{Region, "US", "US"},
		{Region, "us-ca", "US-CA"},
		{Region, "GB-ENG", "GB-ENG"},
		{Period, "2026-11", "2026-11"},
	}
	for _, tt := range tests {
		v, err := Encode(tt.kind, tt.label)
		if err != nil {
			t.Fatalf("Encode(%v, %q): %v", tt.kind, tt.label, err)
		}
		got, err := Decode(tt.kind, v)
		if err != nil || got != tt.want {
			t.Fatalf("Decode(Encode(%v, %q)) = %q, %v; want %q", tt.kind, tt.label, got, err, tt.want)
		}
	}
}

func TestWidths(t *testing.T) {
	longest := map[Kind]struct {
		label string
		bits  int
	}{
		Currency: {"ZZZ", CurrencyBits},
		Role:     {"99-9999", RoleBits},
		Region:   {"ZZ-ZZZ", RegionBits},
		Period:   {"9999-12", PeriodBits},
	}
	for k, l := range longest {
		if n := MustEncode(k, l.label).BitLen(); n > l.bits {
			t.Errorf("%v %q encodes in %d bits, more than %d", k, l.label, n, l.bits)
		}
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		kind  Kind
		label string
	}{
		{Currency, "US"}, {Currency, "USDX"}, {Currency, "U$D"},
		{Role, "151252"}, {Role, "15-125"}, {Role, "ab-cdef"},
		{Region, "USA"}, {Region, "US-"}, {Region, "US-ABCD"},
		{Period, "2026-13"}, {Period, "2026-1"}, {Period, "26-11"},
	}
	for _, tt := range tests {
		if _, err := Encode(tt.kind, tt.label); !errors.Is(err, ErrInvalid) {
			t.Errorf("Encode(%v, %q) = %v, want ErrInvalid", tt.kind, tt.label, err)
		}
	}
}

func TestDomainSeparation(t *testing.T) {
	// The same text under two kinds must not share an encoding, and decoding
	// under the wrong kind must fail.
	role := MustEncode(Region, "US")
	if _, err := Decode(Currency, role); err == nil {
		t.Fatal("a region decoded as a currency")
	}
	// Bump the length byte: the header no longer matches the text.
	bumped := new(big.Int).Add(role, new(big.Int).Lsh(big.NewInt(1), 16))
	if _, err := Decode(Region, bumped); err == nil {
		t.Fatal("an encoding with a wrong length byte decoded")
	}
	if _, err := Decode(Region, big.NewInt(0)); err == nil {
		t.Fatal("zero decoded")
	}
}

func TestDate(t *testing.T) {
	d, err := Date("2026-12-31")
	if err != nil || d != 20261231 {
		t.Fatalf("Date = %d, %v", d, err)
	}
	if FormatDate(d) != "2026-12-31" {
		t.Fatalf("FormatDate = %s", FormatDate(d))
	}
	for _, bad := range []string{"2026-02-30", "31/12/2026", ""} {
		if _, err := Date(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Date(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
