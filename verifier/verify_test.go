package verifier_test

import (
	"errors"
	"math/big"
	"os"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

func TestMain(m *testing.M) {
	code := m.Run()
	provertest.Cleanup()
	os.Exit(code)
}

func clone(t *testing.T, e *verifier.Envelope) *verifier.Envelope {
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	c, err := verifier.ParseEnvelope(b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTripAndTampering(t *testing.T) {
	env := provertest.Salary(t)
	good := env.Prove(t, 0, 123456, provertest.Labels)
	ring := verifier.OpenKeyring(env.Keys)
	if err := ring.Verify(clone(t, good)); err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}

	// Changing any public input to another well-formed value must break the
	// proof: this is what binds every public input.
	other := map[string]string{
		"commitment":  "12345",
		"lo":          "115000",
		"hi":          "130000",
		"currency":    codes.MustEncode(codes.Currency, "EUR").String(),
		"role":        codes.MustEncode(codes.Role, "15-1253").String(),
		"region":      codes.MustEncode(codes.Region, "US-NY").String(),
		"period":      codes.MustEncode(codes.Period, "2026-12").String(),
		"member_root": "999",
		"nullifier":   "4242",
	}
	for name, v := range other {
		e := clone(t, good)
		e.Public[name] = v
		if err := ring.Verify(e); !errors.Is(err, verifier.ErrInvalidProof) {
			t.Errorf("tampered %s: got %v, want ErrInvalidProof", name, err)
		}
	}

	p := fr.Modulus()
	cases := []struct {
		name   string
		mutate func(e *verifier.Envelope)
		want   error
	}{
		{"value plus modulus", func(e *verifier.Envelope) {
			v, _ := new(big.Int).SetString(e.Public["lo"], 10)
			e.Public["lo"] = v.Add(v, p).String()
		}, verifier.ErrPublicInput},
		{"leading zero", func(e *verifier.Envelope) { e.Public["hi"] = "0" + e.Public["hi"] }, verifier.ErrPublicInput},
		{"missing input", func(e *verifier.Envelope) { delete(e.Public, "nullifier") }, verifier.ErrPublicInput},
		{"extra input", func(e *verifier.Envelope) { e.Public["salary"] = "123456" }, verifier.ErrPublicInput},
		{"bad label", func(e *verifier.Envelope) { e.Public["role"] = "7" }, verifier.ErrPublicInput},
		{"empty bucket", func(e *verifier.Envelope) { e.Public["lo"] = e.Public["hi"] }, verifier.ErrPublicInput},
		{"other vk", func(e *verifier.Envelope) { e.VKSHA256 = "00" + e.VKSHA256[2:] }, verifier.ErrWrongKey},
		{"other circuit", func(e *verifier.Envelope) { e.Circuit = "offer" }, verifier.ErrWrongKey},
		{"other backend", func(e *verifier.Envelope) { e.Backend = "plonk" }, verifier.ErrWrongKey},
		{"truncated proof", func(e *verifier.Envelope) { e.Proof = e.Proof[:100] }, verifier.ErrMalformed},
		{"trailing proof bytes", func(e *verifier.Envelope) { e.Proof = append(e.Proof, 0) }, verifier.ErrMalformed},
		{"mangled proof", func(e *verifier.Envelope) { e.Proof[40] ^= 1 }, nil},
	}
	for _, tc := range cases {
		e := clone(t, good)
		tc.mutate(e)
		err := ring.Verify(e)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}

	// A proof from another member of the same statement verifies on its own.
	if err := ring.Verify(env.Prove(t, 1, 99000, provertest.Labels)); err != nil {
		t.Fatalf("second member's proof rejected: %v", err)
	}
}

func TestParseEnvelopeRejects(t *testing.T) {
	for name, body := range map[string]string{
		"empty":    "",
		"not json": "proof",
		"trunc":    `{"version":1,"circuit":"salary"`,
		"version":  `{"version":2,"circuit":"salary","backend":"groth16","curve":"bn254","public":{"a":"1"},"proof":"AA=="}`,
		"unknown":  `{"version":1,"circuit":"salary","backend":"groth16","curve":"bn254","public":{"a":"1"},"proof":"AA==","x":1}`,
		"base64":   `{"version":1,"circuit":"salary","backend":"groth16","curve":"bn254","public":{"a":"1"},"proof":"!!"}`,
		"noproof":  `{"version":1,"circuit":"salary","backend":"groth16","curve":"bn254","public":{"a":"1"}}`,
		"trailing": `{"version":1,"circuit":"salary","backend":"groth16","curve":"bn254","public":{"a":"1"},"proof":"AA=="} {}`,
	} {
		if _, err := verifier.ParseEnvelope([]byte(body)); !errors.Is(err, verifier.ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}
