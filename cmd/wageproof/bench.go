package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/verifier"
)

// benchReport is everything `wageproof bench` measured in one run.
type benchReport struct {
	Date       string           `json:"date"`
	Machine    string           `json:"machine"`
	Cores      int              `json:"cores"`
	GoVersion  string           `json:"go_version"`
	Runs       int              `json:"runs"`
	Circuits   []circuitFigures `json:"circuits"`
	Batch      []batchFigures   `json:"batch_verify,omitempty"`
	Aggregator *aggFigures      `json:"aggregator,omitempty"`
}

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure constraints, setup, prove and verify times, batch verification and aggregator throughput on this machine",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "runs", Value: 5, Usage: "proofs and verifications per circuit (medians and p90 over these)"},
			&cli.StringSliceFlag{Name: "circuit", Usage: "circuits to measure (default: all)"},
			&cli.StringSliceFlag{Name: "backend", Usage: "backends to measure (default: all)"},
			&cli.BoolFlag{Name: "json", Usage: "print JSON instead of tables"},
			&cli.BoolFlag{Name: "skip-batch", Usage: "skip batch verification"},
			&cli.BoolFlag{Name: "skip-aggregate", Usage: "skip the aggregator figures"},
			&cli.IntSliceFlag{Name: "rows", Value: cli.NewIntSlice(1_000_000, 10_000_000), Usage: "store sizes for the query latency figures"},
		},
		Action: runBench,
	}
}

func runBench(c *cli.Context) error {
	if c.Int("runs") < 1 {
		return usageError("bench: --runs must be at least 1")
	}
	names := c.StringSlice("circuit")
	if len(names) == 0 {
		names = circuits.Names()
	}
	backends := c.StringSlice("backend")
	if len(backends) == 0 {
		backends = verifier.Backends()
	}
	for _, n := range names {
		if _, err := circuits.Lookup(n); err != nil {
			return usageError("%v", err)
		}
	}
	for _, b := range backends {
		if _, err := verifier.LookupSystem(b); err != nil {
			return usageError("%v", err)
		}
	}
	host, _ := os.Hostname()
	rep := benchReport{
		Date:      time.Now().UTC().Format(time.DateOnly),
		Machine:   fmt.Sprintf("%s %s/%s", host, runtime.GOOS, runtime.GOARCH),
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		Runs:      c.Int("runs"),
	}
	dir, err := os.MkdirTemp("", "wageproof-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	say := stage(c.App.ErrWriter)
	for _, n := range names {
		for _, b := range backends {
			say(fmt.Sprintf("measuring %s on %s", n, b))
			f, err := measureCircuit(c.Context, dir, n, b, rep.Runs)
			if err != nil {
				return fmt.Errorf("bench %s/%s: %w", n, b, err)
			}
			rep.Circuits = append(rep.Circuits, f)
		}
	}
	if !c.Bool("skip-batch") && slices.Contains(backends, verifier.BackendGroth16) {
		say("measuring batch verification")
		if rep.Batch, err = measureBatch(c.Context, dir, []int{1, 16, 256, 1024}); err != nil {
			return fmt.Errorf("bench batch: %w", err)
		}
	}
	if !c.Bool("skip-aggregate") {
		say("measuring the aggregator")
		if rep.Aggregator, err = measureAggregator(c.Context, dir, c.IntSlice("rows"), say); err != nil {
			return fmt.Errorf("bench aggregator: %w", err)
		}
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(c.App.Writer, &rep)
	return nil
}

func printReport(w io.Writer, r *benchReport) {
	fmt.Fprintf(w, "wageproof bench, %s, %s, %d cores, %s; medians of %d runs\n\n", r.Date, r.Machine, r.Cores, r.GoVersion, r.Runs)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "circuit\tbackend\tconstraints\tcompile\tsetup\tload keys\tprove p50\tprove p90\tverify p50\tproof bytes\tpeak heap\t")
	for _, f := range r.Circuits {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", f.Circuit, f.Backend, f.Constraints,
			ms(f.CompileMS), ms(f.SetupMS), ms(f.LoadMS), ms(f.ProveP50MS), ms(f.ProveP90MS), ms(f.VerifyP50MS), f.ProofBytes, mib(f.PeakHeapBytes))
	}
	tw.Flush()
	if len(r.Batch) > 0 {
		fmt.Fprintln(w, "\nbatch verification (groth16, salary): cost per proof")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "n\tbatch\tper proof\tsingle verify\tratio\t")
		for _, b := range r.Batch {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.2f\t\n", b.N, ms(b.TotalMS), ms(b.PerProofMS), ms(b.SingleMS), b.PerProofMS/b.SingleMS)
		}
		tw.Flush()
	}
	if a := r.Aggregator; a != nil {
		fmt.Fprintln(w, "\naggregator")
		fmt.Fprintf(w, "  verified ingest:      %.0f proofs/s (%d proofs)\n", a.VerifiedProofsPerSec, a.VerifiedProofs)
		fmt.Fprintf(w, "  pre-verified ingest:  %.0f rows/s (%d rows)\n", a.PreverifiedRowsPerSec, a.PreverifiedRows)
		for _, q := range a.Queries {
			fmt.Fprintf(w, "  query by role,region at %d rows: %s\n", q.Rows, ms(q.LatencyMS))
		}
	}
}

func ms(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2f s", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0f ms", v)
	default:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".") + " ms"
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
