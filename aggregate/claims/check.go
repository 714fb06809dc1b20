package claims

import (
	"errors"
	"fmt"
	"sort"

	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/verifier"
)

// ErrNotAClaim reports a proof of another statement than offer.
var ErrNotAClaim = errors.New("not a claim proof")

// ProofVerifier verifies envelopes; *verifier.Keyring is one.
type ProofVerifier interface {
	Verify(env *verifier.Envelope) error
}

// Check verifies a claim proof and returns the claim it states, for Accept.
// It touches no pool state, so it runs before the pool is opened (and
// locked): many submitters verify in parallel and queue only to write.
func Check(env *verifier.Envelope, raw []byte, v ProofVerifier) (*Claim, error) {
	if env.Circuit != offer.Name {
		return nil, fmt.Errorf("%w: the proof is for circuit %q", ErrNotAClaim, env.Circuit)
	}
	pub, err := env.PublicMap(offer.PublicInputs)
	if err != nil {
		return nil, err
	}
	p, err := offer.DecodePublic(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", verifier.ErrPublicInput, err)
	}
	if err := v.Verify(env); err != nil {
		return nil, err
	}
	return &Claim{
		Nullifier:       p.Nullifier.String(),
		EmployerKeyHash: p.EmployerKeyHash.String(),
		Benchmark:       p.Benchmark,
		Cell:            Cell{Period: p.Labels.Period, Currency: p.Labels.Currency, Role: p.Labels.Role, Region: p.Labels.Region},
		CheckDate:       p.CheckDate,
		MemberRoot:      p.MemberRoot.String(),
		Proof:           raw,
	}, nil
}

func sortCounts(xs []EmployerCount) {
	sort.Slice(xs, func(i, j int) bool {
		if xs[i].Claims != xs[j].Claims {
			return xs[i].Claims > xs[j].Claims
		}
		return xs[i].EmployerKeyHash < xs[j].EmployerKeyHash
	})
}
