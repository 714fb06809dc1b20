// Package verifier checks wageproof proofs: it reads proof envelopes and key
// directories, identifies verifying keys by their SHA-256, and verifies
// single proofs and batches.
package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// EnvelopeVersion is the version of the proof file format.
const EnvelopeVersion = 1

// Sentinel errors: every verification failure wraps exactly one of them.
var (
	ErrMalformed    = errors.New("malformed proof file")
	ErrWrongKey     = errors.New("wrong key")
	ErrPublicInput  = errors.New("bad public input")
	ErrInvalidProof = errors.New("invalid proof")
)

// Envelope is a proof file: self-describing, so that a verifier needs only
// the envelope and the verifying key.
type Envelope struct {
	Version        int               `json:"version"`
	Circuit        string            `json:"circuit"`
	CircuitVersion int               `json:"circuit_version"`
	Backend        string            `json:"backend"`
	Curve          string            `json:"curve"`
	VKSHA256       string            `json:"vk_sha256"`
	Public         map[string]string `json:"public"` // canonical decimal field elements
	Proof          []byte            `json:"proof"`  // base64 in JSON; gnark's binary proof encoding
}

// ParseEnvelope decodes and structurally checks a proof file. It rejects
// unknown fields and trailing data, so that what is verified is exactly
// what was read.
func ParseEnvelope(b []byte) (*Envelope, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var e Envelope
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("%w: not a proof envelope: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the envelope", ErrMalformed)
	}
	switch {
	case e.Version != EnvelopeVersion:
		return nil, fmt.Errorf("%w: envelope version %d, this verifier reads %d", ErrMalformed, e.Version, EnvelopeVersion)
	case e.Circuit == "":
		return nil, fmt.Errorf("%w: no circuit named", ErrMalformed)
	case e.Backend == "" || e.Curve == "":
		return nil, fmt.Errorf("%w: no backend or curve named", ErrMalformed)
	case len(e.Proof) == 0:
		return nil, fmt.Errorf("%w: no proof bytes", ErrMalformed)
	case len(e.Public) == 0:
		return nil, fmt.Errorf("%w: no public inputs", ErrMalformed)
	}
	return &e, nil
}

// ReadEnvelope reads and parses a proof file.
func ReadEnvelope(path string) (*Envelope, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseEnvelope(b)
}

// Marshal encodes the envelope as indented JSON with a final newline.
func (e *Envelope) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// PublicValues returns the public inputs in the given order. It fails on a
// missing or extra name, and on any value that is not a canonical decimal
// below the field modulus: p+x would verify as x, so it must not be accepted
// as a different statement.
func (e *Envelope) PublicValues(names []string) ([]*big.Int, error) {
	if len(e.Public) != len(names) {
		for n := range e.Public {
			if !contains(names, n) {
				return nil, fmt.Errorf("%w: unexpected public input %q", ErrPublicInput, n)
			}
		}
	}
	vals := make([]*big.Int, len(names))
	for i, n := range names {
		s, ok := e.Public[n]
		if !ok {
			return nil, fmt.Errorf("%w: public input %q is missing", ErrPublicInput, n)
		}
		v, ok := new(big.Int).SetString(s, 10)
		if !ok || v.Sign() < 0 || v.String() != s {
			return nil, fmt.Errorf("%w: %s = %q is not a canonical decimal number", ErrPublicInput, n, s)
		}
		if v.Cmp(fr.Modulus()) >= 0 {
			return nil, fmt.Errorf("%w: %s is not below the field modulus", ErrPublicInput, n)
		}
		vals[i] = v
	}
	return vals, nil
}

// PublicMap returns the public inputs as numbers keyed by name, checked as
// PublicValues checks them.
func (e *Envelope) PublicMap(names []string) (map[string]*big.Int, error) {
	vals, err := e.PublicValues(names)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*big.Int, len(names))
	for i, n := range names {
		m[n] = vals[i]
	}
	return m, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
