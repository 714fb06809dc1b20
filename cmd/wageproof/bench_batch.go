package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// batchFigures is the cost of verifying n salary proofs in one batch.
type batchFigures struct {
	N          int     `json:"n"`
	TotalMS    float64 `json:"total_ms"`
	PerProofMS float64 `json:"per_proof_ms"`
	SingleMS   float64 `json:"single_verify_ms"`
}

// salaryProofs makes n distinct salary proofs under the Groth16 keys in root,
// setting the keys up first if they are missing.
func salaryProofs(ctx context.Context, root string, n int) ([]*verifier.Envelope, error) {
	if _, err := os.Stat(verifier.KeyDir(root, salary.Name, verifier.BackendGroth16)); err != nil {
		spec, _ := circuits.Lookup(salary.Name)
		if _, err := prover.Setup(ctx, spec, root, prover.SetupOptions{}); err != nil {
			return nil, err
		}
	}
	p, err := prover.Load(root, salary.Name, verifier.BackendGroth16)
	if err != nil {
		return nil, err
	}
	world, err := fixtures.NewWorld(n, 0)
	if err != nil {
		return nil, err
	}
	as := make([]frontend.Circuit, n)
	for i := range as {
		amount := uint64(40000 + 1000*i)
		lo, hi := prover.DefaultBuckets().Bucket("USD", amount)
		if as[i], err = world.Salary(i, amount, lo, hi, fixtures.SampleLabels); err != nil {
			return nil, err
		}
	}
	return p.ProveAll(ctx, as, nil)
}

// measureBatch compares batch verification of n proofs with single
// verification. Distinct proofs are repeated to reach n: verification costs
// the same whichever valid proofs it checks.
func measureBatch(ctx context.Context, root string, ns []int) ([]batchFigures, error) {
	proofs, err := salaryProofs(ctx, root, 8)
	if err != nil {
		return nil, err
	}
	k, err := verifier.LoadKey(verifier.KeyDir(root, salary.Name, verifier.BackendGroth16))
	if err != nil {
		return nil, err
	}
	var single []float64
	for i := range 32 {
		start := time.Now()
		if err := k.Verify(proofs[i%len(proofs)]); err != nil {
			return nil, err
		}
		single = append(single, msSince(start))
	}
	singleMS := quantile(single, 0.5)
	var out []batchFigures
	for _, n := range ns {
		envs := make([]*verifier.Envelope, n)
		for i := range envs {
			envs[i] = proofs[i%len(proofs)]
		}
		var runs []float64
		for range 3 {
			start := time.Now()
			errs := k.VerifyAll(ctx, envs)
			runs = append(runs, msSince(start))
			if i := slices.IndexFunc(errs, func(e error) bool { return e != nil }); i >= 0 {
				return nil, fmt.Errorf("valid proof %d rejected in a batch: %w", i, errs[i])
			}
		}
		total := quantile(runs, 0.5)
		out = append(out, batchFigures{N: n, TotalMS: total, PerProofMS: total / float64(n), SingleMS: singleMS})
	}
	return out, nil
}
