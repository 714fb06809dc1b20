package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/verifier"
)

// aggFigures are the aggregator's throughput and latency.
type aggFigures struct {
	VerifiedProofs        int           `json:"verified_proofs"`
	VerifiedProofsPerSec  float64       `json:"verified_proofs_per_sec"`
	PreverifiedRows       int           `json:"preverified_rows"`
	PreverifiedRowsPerSec float64       `json:"preverified_rows_per_sec"`
	Queries               []queryFigure `json:"queries"`
}

// queryFigure is the latency of a group-by (quantiles by role and region)
// over a store of Rows rows.
type queryFigure struct {
	Rows      int     `json:"rows"`
	LatencyMS float64 `json:"latency_ms"`
}

// benchSynthetic are rows shaped like a national survey: 10 roles, 10
// regions, proofs of a real Groth16 proof's size.
var benchSynthetic = aggregate.Synthetic{
	Seed:     2026,
	ProofLen: 324,
	Roles:    []string{"11-1011", "11-1021", "13-2011", "15-1252", "15-1211", "17-2051", "25-1011", "29-1141", "29-1171", "41-2031"},
	Regions:  []string{"US-CA", "US-NY", "US-TX", "US-WA", "US-IL", "US-MA", "US-FL", "US-GA", "US-CO", "US-OR"},
}

func measureAggregator(ctx context.Context, root string, sizes []int, say func(string)) (*aggFigures, error) {
	f := &aggFigures{}

	// Verified ingest: real proofs through parse, batch verify and commit.
	say("verified ingest")
	proofs, err := salaryProofs(ctx, root, 48)
	if err != nil {
		return nil, err
	}
	store, err := aggregate.Open(filepath.Join(root, "verified-store"))
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rep, err := store.Ingest(ctx, envelopes(make([]string, len(proofs)), proofs), aggregate.IngestOptions{Verifier: verifier.OpenKeyring(root)})
	took := time.Since(start)
	store.Close()
	if err != nil {
		return nil, err
	}
	if rep.Accepted != int64(len(proofs)) {
		return nil, fmt.Errorf("verified ingest accepted %d of %d", rep.Accepted, len(proofs))
	}
	f.VerifiedProofs, f.VerifiedProofsPerSec = len(proofs), float64(len(proofs))/took.Seconds()

	// Pre-verified ingest and query latency: one store grown to each size.
	sizes = slices.Sorted(slices.Values(sizes))
	store, err = aggregate.Open(filepath.Join(root, "synthetic-store"))
	if err != nil {
		return nil, err
	}
	defer store.Close()
	var ingestTime time.Duration
	have := 0
	for _, n := range sizes {
		if n <= have {
			continue
		}
		say(fmt.Sprintf("growing the store to %d rows", n))
		start := time.Now()
		if err := appendSynthetic(ctx, store, have, n-have); err != nil {
			return nil, err
		}
		ingestTime += time.Since(start)
		have = n
		say(fmt.Sprintf("querying %d rows", n))
		var runs []float64
		for range 3 {
			start := time.Now()
			if _, err := store.Snapshot().Run(ctx, aggregate.Query{By: []string{aggregate.DimRole, aggregate.DimRegion},
				Stat: aggregate.StatQuantiles, MinCell: aggregate.DefaultMinCell}); err != nil {
				return nil, err
			}
			runs = append(runs, msSince(start))
		}
		f.Queries = append(f.Queries, queryFigure{Rows: n, LatencyMS: quantile(runs, 0.5)})
	}
	if have > 0 {
		f.PreverifiedRows, f.PreverifiedRowsPerSec = have, float64(have)/ingestTime.Seconds()
	}
	return f, nil
}

// appendSynthetic commits rows from, ..., from+n-1 in ingests of a million.
func appendSynthetic(ctx context.Context, store *aggregate.Store, from, n int) error {
	const perIngest, perAdd = 1_000_000, 16_384
	for lo := from; lo < from+n; lo += perIngest {
		hi := min(lo+perIngest, from+n)
		b, err := store.Begin()
		if err != nil {
			return err
		}
		for i := lo; i < hi; i += perAdd {
			res, err := b.Add(ctx, benchSynthetic.Rows(i, min(perAdd, hi-i)))
			if err == nil {
				if j := slices.IndexFunc(res, func(e error) bool { return e != nil }); j >= 0 {
					err = fmt.Errorf("synthetic row %d refused: %w", i+j, res[j])
				}
			}
			if err != nil {
				b.Abort()
				return err
			}
		}
		if _, err := b.Commit(); err != nil {
			return err
		}
	}
	return nil
}
