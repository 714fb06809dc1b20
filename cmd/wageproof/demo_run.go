package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/consensys/gnark/frontend"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

const demoPeriod = "2026-11"

func runDemo(c *cli.Context) error {
	out := c.App.Writer
	dir := c.String("dir")
	if dir == "" {
		tmp, err := os.MkdirTemp("", "wageproof-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	workers, err := fixtures.Workforce()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "wageproof demo: %d synthetic workers (fixtures/workforce.csv), period %s, files in %s\n\n", len(workers), demoPeriod, dir)

	// 1. Identities: the secret stays with the worker.
	ids := make([]*member.Identity, len(workers))
	reg := registry.Empty()
	for i := range workers {
		if ids[i], err = member.New(); err != nil {
			return err
		}
		if err := reg.Add(ids[i].Commitment()); err != nil {
			return err
		}
	}
	if err := ids[0].Save(filepath.Join(dir, "member-01.json")); err != nil {
		return err
	}
	c0 := ids[0].Commitment()
	fmt.Fprintf(out, "1. Each worker creates an identity: a secret kept on the worker's device (mode 0600) and a public commitment.\n   %s publishes %s\n", workers[0].Name, short(c0.String()))

	// 2. The registry.
	regPath := filepath.Join(dir, "members.json")
	if err := reg.Save(regPath); err != nil {
		return err
	}
	root, _ := reg.Root()
	fmt.Fprintf(out, "2. The collective registers %d members in %s: root %s\n", reg.Len(), regPath, short(root.String()))

	// 3. Keys.
	keys := filepath.Join(dir, "keys")
	spec, _ := circuits.Lookup(salary.Name)
	fmt.Fprintf(out, "3. Development setup of the %s circuit:\n", salary.Name)
	warnDevSetup(out, verifier.BackendGroth16)
	m, err := prover.Setup(c.Context, spec, keys, prover.SetupOptions{Stage: stage(c.App.ErrWriter)})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   %d constraints; verifying key sha256 %s\n", m.Constraints, short(m.VKSHA256))

	// 4. Proofs.
	p, err := prover.Load(keys, salary.Name, verifier.BackendGroth16)
	if err != nil {
		return err
	}
	assignments := make([]frontend.Circuit, len(workers))
	scheme := prover.DefaultBuckets()
	for i, w := range workers {
		idx, path, err := reg.Path(ids[i].Commitment())
		if err != nil {
			return err
		}
		salt, err := salary.NewSalt()
		if err != nil {
			return err
		}
		lo, hi := scheme.Bucket(w.Currency, w.Salary)
		in := salary.Input{
			Identity: ids[i], Member: salary.Membership{Root: root, Index: idx, Path: path},
			Salary: w.Salary, Salt: salt, Lo: lo, Hi: hi,
			Labels: salary.Labels{Currency: w.Currency, Role: w.Role, Region: w.Region, Period: demoPeriod},
		}
		if assignments[i], err = in.Assign(); err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
	}
	bar := newProgress(c.App.ErrWriter, len(assignments), "proving")
	start := time.Now()
	envs, err := p.ProveAll(c.Context, assignments, bar.Add)
	bar.Done()
	if err != nil {
		return err
	}
	took := time.Since(start)
	proofDir := filepath.Join(dir, "proofs")
	if err := os.MkdirAll(proofDir, 0o755); err != nil {
		return err
	}
	for i, env := range envs {
		if err := writeEnvelope(filepath.Join(proofDir, workers[i].Name+".json"), env); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "4. Each worker proves the bucket of their salary: %d proofs in %s (%s each on %d cores), in %s\n",
		len(envs), took.Round(time.Millisecond), (took / time.Duration(len(envs))).Round(time.Millisecond), coresUsed(), proofDir)
	fmt.Fprintf(out, "   %s knows: salary %d %s. The proof says only: %s\n", workers[0].Name, workers[0].Salary, workers[0].Currency, describe(envs[0].Circuit, envs[0].Public))

	// 5. Verification, including what is refused.
	ring := verifier.OpenKeyring(keys)
	start = time.Now()
	for i, env := range envs {
		if err := ring.Verify(env); err != nil {
			return fmt.Errorf("%s: %w", workers[i].Name, err)
		}
	}
	fmt.Fprintf(out, "5. The verifier (as in CI: wageproof verify --keys %s %s/*.json) accepts all %d in %s\n", keys, proofDir, len(envs), time.Since(start).Round(time.Millisecond))
	forged := *envs[0]
	forged.Public = map[string]string{}
	for k, v := range envs[0].Public {
		forged.Public[k] = v
	}
	forged.Public["lo"], forged.Public["hi"] = "300000", "305000"
	err = ring.Verify(&forged)
	fmt.Fprintf(out, "   %s's proof with its bucket moved to [300000, 305000): rejected (%v)\n", workers[0].Name, err)
	if !errors.Is(err, verifier.ErrInvalidProof) {
		return fmt.Errorf("demo: a forged bucket was not rejected")
	}

	// 6 and 7: the aggregator's and the analyst's view.
	return demoAggregate(c.Context, out, workers, envs, c.Int("min-cell"))
}

// demoAggregate stores what the proofs make public, refuses a second
// submission from the same member, and shows the analyst's suppressed view.
func demoAggregate(_ context.Context, out io.Writer, workers []fixtures.Worker, envs []*verifier.Envelope, minCell int) error {
	spec, _ := circuits.Lookup(salary.Name)
	seen := map[string]bool{}
	type cell struct{ role, region string }
	hist := map[cell]map[uint64]int{}
	var rows []salary.Public
	submit := func(env *verifier.Envelope) error {
		pub, err := env.PublicMap(spec.PublicInputs)
		if err != nil {
			return err
		}
		s, err := salary.DecodePublic(pub)
		if err != nil {
			return err
		}
		if seen[s.Nullifier.String()] {
			return errors.New("nullifier already used: one submission per member per period")
		}
		seen[s.Nullifier.String()] = true
		rows = append(rows, s)
		k := cell{s.Labels.Role, s.Labels.Region}
		if hist[k] == nil {
			hist[k] = map[uint64]int{}
		}
		hist[k][s.Lo]++
		return nil
	}
	for _, env := range envs {
		if err := submit(env); err != nil {
			return err
		}
	}
	err := submit(envs[0])
	fmt.Fprintf(out, "   %s submits the same period again: rejected (%v)\n", workers[0].Name, err)
	if err == nil {
		return fmt.Errorf("demo: a second submission was accepted")
	}

	fmt.Fprintf(out, "6. The aggregator stores %d submissions: no salary, no identity. The first three:\n", len(rows))
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "   commitment\tbucket\tcurrency\trole\tregion\tperiod\tnullifier")
	for _, r := range rows[:3] {
		fmt.Fprintf(tw, "   %s\t[%d, %d)\t%s\t%s\t%s\t%s\t%s\n", short(r.Commitment.String()), r.Lo, r.Hi, r.Labels.Currency, r.Labels.Role, r.Labels.Region, r.Labels.Period, short(r.Nullifier.String()))
	}
	tw.Flush()

	fmt.Fprintf(out, "7. The analyst sees bucket counts per role and region; a bucket with fewer than %d workers is suppressed:\n", minCell)
	cells := make([]cell, 0, len(hist))
	for k := range hist {
		cells = append(cells, k)
	}
	sort.Slice(cells, func(i, j int) bool {
		return cells[i].role+cells[i].region < cells[j].role+cells[j].region
	})
	for _, k := range cells {
		los := make([]uint64, 0, len(hist[k]))
		total := 0
		for lo, n := range hist[k] {
			los = append(los, lo)
			total += n
		}
		sort.Slice(los, func(i, j int) bool { return los[i] < los[j] })
		var parts []string
		suppressed := 0
		for _, lo := range los {
			if n := hist[k][lo]; n >= minCell {
				parts = append(parts, fmt.Sprintf("[%dk,%dk): %d", lo/1000, (lo+prover.DefaultBucketWidth)/1000, n))
			} else {
				suppressed += n
			}
		}
		line := strings.Join(parts, ", ")
		if suppressed > 0 {
			line = strings.TrimPrefix(line+fmt.Sprintf(", %d in suppressed buckets", suppressed), ", ")
		}
		fmt.Fprintf(out, "   %s %s (%d workers): %s\n", k.role, k.region, total, line)
	}
	fmt.Fprintln(out, "\nNo party other than each worker ever saw a salary.")
	return nil
}

func short(s string) string {
	if len(s) <= 14 {
		return s
	}
	return s[:6] + "…" + s[len(s)-6:]
}

func coresUsed() int { return runtime.GOMAXPROCS(0) }
