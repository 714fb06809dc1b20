package aggregate

import (
	"fmt"
	"math/big"
	"time"

	"github.com/wageproof/wageproof/circuits/attested"
	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/verifier"
)

// RowFromEnvelope maps a proof envelope to the row the store keeps. It
// checks the public inputs' shape; whether the proof verifies is the
// caller's business (ingest verifies first).
func RowFromEnvelope(env *verifier.Envelope, ingested time.Time) (Row, error) {
	var names []string
	switch env.Circuit {
	case CircuitSalary:
		names = salary.PublicInputs
	case CircuitAttested:
		names = attested.PublicInputs
	default:
		return Row{}, fmt.Errorf("%w: circuit %q is not a salary submission", ErrBadRow, env.Circuit)
	}
	pub, err := env.PublicMap(names)
	if err != nil {
		return Row{}, fmt.Errorf("%w: %w", ErrBadRow, err)
	}
	var base salary.Public
	var attesterRoot, employer *big.Int
	if env.Circuit == CircuitAttested {
		p, err := attested.DecodePublic(pub)
		if err != nil {
			return Row{}, fmt.Errorf("%w: %v", ErrBadRow, err)
		}
		base, attesterRoot, employer = p.Public, p.AttesterRoot, p.Employer
	} else if base, err = salary.DecodePublic(pub); err != nil {
		return Row{}, fmt.Errorf("%w: %v", ErrBadRow, err)
	}
	r := Row{
		Lo: base.Lo, Hi: base.Hi,
		Currency: base.Labels.Currency, Role: base.Labels.Role, Region: base.Labels.Region, Period: base.Labels.Period,
		Attested:   env.Circuit == CircuitAttested,
		IngestTime: ingested.UTC(),
		Proof: ProofMeta{
			Circuit: env.Circuit, CircuitVersion: env.CircuitVersion, Backend: env.Backend, Curve: env.Curve,
			VKSHA256: env.VKSHA256, Bytes: env.Proof,
		},
	}
	fields := []struct {
		dst *Field
		v   *big.Int
	}{{&r.Commitment, base.Commitment}, {&r.MemberRoot, base.MemberRoot}, {&r.Nullifier, base.Nullifier}}
	if r.Attested {
		fields = append(fields, struct {
			dst *Field
			v   *big.Int
		}{&r.AttesterRoot, attesterRoot}, struct {
			dst *Field
			v   *big.Int
		}{&r.Employer, employer})
	}
	for _, f := range fields {
		if *f.dst, err = FieldFromBig(f.v); err != nil {
			return Row{}, err
		}
	}
	return r, r.check()
}

// Envelope rebuilds the proof envelope of a stored row, so that the row can
// be verified again: the public inputs are re-encoded from the columns, so
// a row whose columns were altered no longer verifies.
func (r *Row) Envelope() (*verifier.Envelope, error) {
	pub := map[string]string{
		"commitment":  r.Commitment.String(),
		"lo":          new(big.Int).SetUint64(r.Lo).String(),
		"hi":          new(big.Int).SetUint64(r.Hi).String(),
		"member_root": r.MemberRoot.String(),
		"nullifier":   r.Nullifier.String(),
	}
	for _, l := range []struct {
		kind  codes.Kind
		name  string
		label string
	}{{codes.Currency, "currency", r.Currency}, {codes.Role, "role", r.Role}, {codes.Region, "region", r.Region}, {codes.Period, "period", r.Period}} {
		v, err := codes.Encode(l.kind, l.label)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadRow, err)
		}
		pub[l.name] = v.String()
	}
	if r.Attested {
		pub["attester_root"] = r.AttesterRoot.String()
		pub["employer"] = r.Employer.String()
	}
	return &verifier.Envelope{
		Version:        verifier.EnvelopeVersion,
		Circuit:        r.Proof.Circuit,
		CircuitVersion: r.Proof.CircuitVersion,
		Backend:        r.Proof.Backend,
		Curve:          r.Proof.Curve,
		VKSHA256:       r.Proof.VKSHA256,
		Public:         pub,
		Proof:          r.Proof.Bytes,
	}, nil
}
