package verifier

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/witness"
)

// Verify checks that env is a valid proof under k. Errors wrap ErrWrongKey,
// ErrPublicInput, ErrMalformed or ErrInvalidProof.
func (k *Key) Verify(env *Envelope) error {
	d, err := k.Decode(env)
	if err != nil {
		return err
	}
	if err := k.System.verify(d.Proof, k.vk, d.Witness); err != nil {
		return fmt.Errorf("%w: the proof does not verify against its public inputs", ErrInvalidProof)
	}
	return nil
}

// Decoded is an envelope checked in everything but the proof equation.
type Decoded struct {
	Proof   Proof
	Public  []*big.Int // in the manifest's order
	Witness witness.Witness
}

// Decode checks everything about env except the proof equation.
func (k *Key) Decode(env *Envelope) (*Decoded, error) {
	m := k.Manifest
	switch {
	case env.Circuit != m.Circuit:
		return nil, fmt.Errorf("%w: proof is for circuit %q, key is for %q", ErrWrongKey, env.Circuit, m.Circuit)
	case env.Backend != m.Backend || env.Curve != m.Curve:
		return nil, fmt.Errorf("%w: proof is %s/%s, key is %s/%s", ErrWrongKey, env.Backend, env.Curve, m.Backend, m.Curve)
	case env.CircuitVersion != m.CircuitVersion:
		return nil, fmt.Errorf("%w: proof is for %s v%d, key is v%d", ErrWrongKey, env.Circuit, env.CircuitVersion, m.CircuitVersion)
	case env.VKSHA256 != m.VKSHA256:
		return nil, fmt.Errorf("%w: proof names verifying key %.12s…, key is %.12s…", ErrWrongKey, env.VKSHA256, m.VKSHA256)
	}
	vals, err := env.PublicValues(m.PublicInputs)
	if err != nil {
		return nil, err
	}
	if k.Spec.CheckPublic != nil {
		named := make(map[string]*big.Int, len(vals))
		for i, n := range m.PublicInputs {
			named[n] = vals[i]
		}
		if err := k.Spec.CheckPublic(named); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrPublicInput, err)
		}
	}
	proof := k.System.NewProof()
	n, err := proof.ReadFrom(bytes.NewReader(env.Proof))
	if err != nil || n != int64(len(env.Proof)) {
		return nil, fmt.Errorf("%w: proof bytes are not a %s proof", ErrMalformed, m.Backend)
	}
	w, err := PublicWitness(vals)
	if err != nil {
		return nil, err
	}
	return &Decoded{Proof: proof, Public: vals, Witness: w}, nil
}

// PublicWitness builds a gnark public witness from values in order.
func PublicWitness(vals []*big.Int) (witness.Witness, error) {
	w, err := witness.New(ecc.BN254.ScalarField())
	if err != nil {
		return nil, err
	}
	ch := make(chan any, len(vals))
	for _, v := range vals {
		var e fr.Element
		e.SetBigInt(v)
		ch <- e
	}
	close(ch)
	if err := w.Fill(len(vals), 0, ch); err != nil {
		return nil, err
	}
	return w, nil
}
