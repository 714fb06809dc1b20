package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/consensys/gnark/frontend"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/attested"
	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

const demoPeriod = "2026-11"

// demoAttestedRole and demoAttestedRegion are the cell whose payslips the
// demo's three employers sign, so that it can carry a benchmark.
const (
	demoAttestedRole   = "15-1252"
	demoAttestedRegion = "US-CA"
	demoEmployers      = 3
)

// demo is the state of one demo run.
type demo struct {
	out     io.Writer
	errOut  io.Writer
	dir     string
	keys    string
	minCell int
	workers []fixtures.Worker
	world   *fixtures.World
	ring    *verifier.Keyring
}

func runDemo(c *cli.Context) error {
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
	d := &demo{out: c.App.Writer, errOut: c.App.ErrWriter, dir: dir, keys: filepath.Join(dir, "keys"), minCell: c.Int("min-cell"), workers: workers}
	d.ring = verifier.OpenKeyring(d.keys)
	return d.run(c.Context)
}

func (d *demo) printf(format string, args ...any) { fmt.Fprintf(d.out, format, args...) }

func (d *demo) run(ctx context.Context) error {
	d.printf("wageproof demo: %d synthetic workers (fixtures/workforce.csv), %d employers, period %s, files in %s\n\n",
		len(d.workers), demoEmployers, demoPeriod, d.dir)
	if err := d.register(); err != nil {
		return err
	}
	if err := d.setup(ctx); err != nil {
		return err
	}
	envs, err := d.prove(ctx)
	if err != nil {
		return err
	}
	if err := d.verify(envs); err != nil {
		return err
	}
	store, err := d.ingest(ctx, envs)
	if err != nil {
		return err
	}
	defer store.Close()
	table, err := d.analyse(ctx, store)
	if err != nil {
		return err
	}
	if err := d.claim(ctx, table); err != nil {
		return err
	}
	d.printf("\nNo party but each worker ever saw a salary; no party but the employer and the worker saw an offer's amount.\n")
	return nil
}

// register creates identities and the two registries.
func (d *demo) register() error {
	w, err := fixtures.NewWorld(len(d.workers), demoEmployers)
	if err != nil {
		return err
	}
	d.world = w
	if err := w.MemberReg.Save(filepath.Join(d.dir, "members.json")); err != nil {
		return err
	}
	if err := w.AttestReg.Save(filepath.Join(d.dir, "attesters.json")); err != nil {
		return err
	}
	if err := w.Members[0].Save(filepath.Join(d.dir, "member-01.json")); err != nil {
		return err
	}
	c0 := w.Members[0].Commitment()
	root, _ := w.MemberReg.Root()
	d.printf("1. Each worker creates an identity: a secret that stays on the worker's device (mode 0600) and a public commitment;\n")
	d.printf("   %s publishes %s. The collective registers %d members: root %s\n", d.workers[0].Name, short(c0.String()), w.MemberReg.Len(), short(root.String()))
	d.printf("   %d employers register EdDSA keys as attesters (attesters.json).\n", demoEmployers)
	return nil
}

// setup makes development keys for every circuit, saying loudly what that means.
func (d *demo) setup(ctx context.Context) error {
	d.printf("2. Development setup of every circuit:\n")
	warnDevSetup(d.out, verifier.BackendGroth16)
	for _, name := range []string{salary.Name, attested.Name, offer.Name} {
		spec, _ := circuits.Lookup(name)
		m, err := prover.Setup(ctx, spec, d.keys, prover.SetupOptions{Stage: stage(d.errOut)})
		if err != nil {
			return err
		}
		d.printf("   %-16s %6d constraints, verifying key %s\n", m.Circuit, m.Constraints, short(m.VKSHA256))
	}
	return nil
}

func (d *demo) attestedCell(w fixtures.Worker) bool {
	return w.Role == demoAttestedRole && w.Region == demoAttestedRegion
}

// prove has every worker prove their bucket: attested by an employer in one
// cell, self-reported elsewhere.
func (d *demo) prove(ctx context.Context) ([]*verifier.Envelope, error) {
	scheme := prover.DefaultBuckets()
	byCircuit := map[string][]int{}
	assignments := map[string][]frontend.Circuit{}
	employer := 0
	for i, w := range d.workers {
		lo, hi := scheme.Bucket(w.Currency, w.Salary)
		labels := salary.Labels{Currency: w.Currency, Role: w.Role, Region: w.Region, Period: demoPeriod}
		var a frontend.Circuit
		var err error
		name := salary.Name
		if d.attestedCell(w) {
			name = attested.Name
			a, err = d.world.Attested(i, employer%demoEmployers, w.Salary, lo, hi, labels)
			employer++
		} else {
			a, err = d.world.Salary(i, w.Salary, lo, hi, labels)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.Name, err)
		}
		byCircuit[name] = append(byCircuit[name], i)
		assignments[name] = append(assignments[name], a)
	}
	envs := make([]*verifier.Envelope, len(d.workers))
	bar := newProgress(d.errOut, len(d.workers), "proving")
	start := time.Now()
	for _, name := range []string{salary.Name, attested.Name} {
		p, err := prover.Load(d.keys, name, verifier.BackendGroth16)
		if err != nil {
			return nil, err
		}
		out, err := p.ProveAll(ctx, assignments[name], bar.Add)
		if err != nil {
			return nil, err
		}
		for j, i := range byCircuit[name] {
			envs[i] = out[j]
		}
	}
	bar.Done()
	took := time.Since(start)
	proofDir := filepath.Join(d.dir, "proofs")
	if err := os.MkdirAll(proofDir, 0o755); err != nil {
		return nil, err
	}
	for i, env := range envs {
		if err := writeEnvelope(filepath.Join(proofDir, d.workers[i].Name+".json"), env); err != nil {
			return nil, err
		}
	}
	d.printf("3. Each worker proves the bucket of their salary, on their own machine: %d proofs (%d attested by an employer's signed payslip)\n",
		len(envs), len(byCircuit[attested.Name]))
	d.printf("   in %s on %d cores, written to %s\n", took.Round(time.Millisecond), runtime.GOMAXPROCS(0), proofDir)
	d.printf("   %s knows: salary %d %s. The proof says only: %s\n", d.workers[0].Name, d.workers[0].Salary, d.workers[0].Currency, describe(envs[0].Circuit, envs[0].Public))
	return envs, nil
}

// verify checks every proof as a CI job would, and shows a forgery refused.
func (d *demo) verify(envs []*verifier.Envelope) error {
	start := time.Now()
	for i, env := range envs {
		if err := d.ring.Verify(env); err != nil {
			return fmt.Errorf("%s: %w", d.workers[i].Name, err)
		}
	}
	d.printf("4. A verifier (in CI: wageproof verify --keys keys/ proofs/*.json) accepts all %d in %s\n", len(envs), time.Since(start).Round(time.Millisecond))
	forged := *envs[0]
	forged.Public = map[string]string{}
	for k, v := range envs[0].Public {
		forged.Public[k] = v
	}
	forged.Public["lo"], forged.Public["hi"] = "300000", "305000"
	err := d.ring.Verify(&forged)
	if !errors.Is(err, verifier.ErrInvalidProof) {
		return fmt.Errorf("demo: a forged bucket was not rejected (%v)", err)
	}
	d.printf("   %s's proof with its bucket moved to [300000, 305000): rejected (%v)\n", d.workers[0].Name, err)
	return nil
}

// envelopes is an ingest source over proofs held in memory.
func envelopes(names []string, envs []*verifier.Envelope) aggregate.Source {
	return func(ctx context.Context, emit func(aggregate.Item) error) error {
		for i, env := range envs {
			if err := emit(aggregate.Item{Source: names[i], Env: env}); err != nil {
				return err
			}
		}
		return nil
	}
}

// ingest stores the submissions, then shows a second submission refused.
func (d *demo) ingest(ctx context.Context, envs []*verifier.Envelope) (*aggregate.Store, error) {
	store, err := aggregate.Open(filepath.Join(d.dir, "data"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(envs))
	for i, w := range d.workers {
		names[i] = w.Name
	}
	rep, err := store.Ingest(ctx, envelopes(names, envs), aggregate.IngestOptions{Verifier: d.ring})
	if err != nil {
		store.Close()
		return nil, err
	}
	d.printf("5. The aggregator verifies and stores them in its Arrow store: %s\n", rep.Summary())
	var rejected []string
	rep, err = store.Ingest(ctx, envelopes(names[:1], envs[:1]), aggregate.IngestOptions{
		Verifier: d.ring,
		OnReject: func(r aggregate.Rejection) { rejected = append(rejected, r.Err.Error()) },
	})
	if err != nil && !errors.Is(err, aggregate.ErrRejected) {
		store.Close()
		return nil, err
	}
	if rep == nil || rep.Accepted != 0 || len(rejected) != 1 {
		store.Close()
		return nil, fmt.Errorf("demo: a second submission in the period was not refused")
	}
	d.printf("   %s submits again this period: refused (%s)\n", d.workers[0].Name, rejected[0])
	d.printf("   A stored row holds the commitment, bucket, labels, roots, employer pseudonym (attested rows) and nullifier: never a salary or an identity.\n")
	return store, nil
}

// analyse shows the analyst's disclosure-controlled view and publishes the
// benchmark table.
func (d *demo) analyse(ctx context.Context, store *aggregate.Store) (*claims.Benchmarks, error) {
	snap := store.Snapshot()
	res, err := snap.Run(ctx, aggregate.Query{By: []string{aggregate.DimRole, aggregate.DimRegion}, Period: demoPeriod,
		Stat: aggregate.StatQuantiles, Quantiles: []float64{0.25, 0.5, 0.75}, MinCell: d.minCell})
	if err != nil {
		return nil, err
	}
	d.printf("6. An analyst asks for pay quartiles by role and region (wageproof query --stat quantiles --min-cell %d).\n", d.minCell)
	d.printf("   Estimates are interpolated inside buckets; the error bound is the bucket width; small buckets are merged or suppressed:\n\n")
	if err := res.Write(&indent{w: d.out}, aggregate.FormatTable, memory.DefaultAllocator); err != nil {
		return nil, err
	}
	bench, err := snap.PublishBenchmarks(ctx, demoPeriod, 0.25, d.minCell)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(d.dir, "benchmarks.json")
	if err := bench.WriteFile(path); err != nil {
		return nil, err
	}
	table, err := claims.LoadBenchmarks(path)
	if err != nil {
		return nil, err
	}
	d.printf("\n7. The collective publishes benchmarks (25th percentile of attested pay, table %s):\n", short(table.ID))
	for _, e := range table.Entries {
		d.printf("   %s %s %s: %d (± %d, %d contributors)\n", e.Currency, e.Role, e.Region, e.Amount, e.ErrorBound, e.Contributors)
	}
	if len(table.Entries) == 0 {
		return nil, errors.New("demo: no benchmark could be published")
	}
	return table, nil
}

// claim has a worker prove a lowball offer and claim from the pool, twice.
func (d *demo) claim(ctx context.Context, table *claims.Benchmarks) error {
	e := table.Entries[0]
	idx := -1
	for i, w := range d.workers {
		if w.Role == e.Role && w.Region == e.Region {
			idx = i
			break
		}
	}
	if idx < 0 {
		return errors.New("demo: nobody works in the benchmarked cell")
	}
	today := time.Now().UTC()
	amount := e.Amount * 9 / 10
	o := attester.Offer{ID: "DEMO-OFFER-1", Amount: amount, Currency: e.Currency, Role: e.Role, Region: e.Region,
		Expires: today.AddDate(0, 1, 0).Format(time.DateOnly)}
	a, err := d.world.Offer(idx, 0, o, e.Amount, table.Period, today.Format(time.DateOnly))
	if err != nil {
		return err
	}
	p, err := prover.Load(d.keys, offer.Name, verifier.BackendGroth16)
	if err != nil {
		return err
	}
	env, err := p.Prove(a)
	if err != nil {
		return err
	}
	raw, err := env.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.dir, "claim.json"), raw, 0o644); err != nil {
		return err
	}
	d.printf("8. Employer 1 offers %s %d %s to %s, below the benchmark. The worker proves it (claim.json) and claims from the pool.\n",
		e.Role, amount, e.Currency, d.workers[idx].Name)

	poolDir := filepath.Join(d.dir, "pool")
	if err := claims.Init(poolDir, claims.DefaultConfig()); err != nil {
		return err
	}
	pool, err := claims.Open(poolDir)
	if err != nil {
		return err
	}
	defer pool.Close()
	root, _ := d.world.MemberReg.Root()
	if _, err := pool.AddRoot(root, today); err != nil {
		return err
	}
	if err := pool.SetAttesters(d.world.AttestReg.Elements()); err != nil {
		return err
	}
	if err := pool.Publish(table, today); err != nil {
		return err
	}
	submit := func() error {
		c, err := claims.Check(env, raw, d.ring)
		if err != nil {
			return err
		}
		return pool.Accept(c, time.Now().UTC())
	}
	if err := submit(); err != nil {
		return fmt.Errorf("demo: the claim was refused: %w", err)
	}
	cs, err := pool.Claims()
	if err != nil {
		return err
	}
	last := cs[len(cs)-1]
	d.printf("   The pool accepts it and records: benchmark %d, cell %s, employer %s, nullifier %s: not the amount, not the worker.\n",
		last.Benchmark, last.Cell, short(last.EmployerKeyHash), short(last.Nullifier))
	err = submit()
	if err == nil {
		return errors.New("demo: the same offer was claimed twice")
	}
	d.printf("   The same offer claimed again: refused (%v)\n", err)
	return nil
}

// indent shifts text right to sit under its step.
type indent struct {
	w   io.Writer
	mid bool // inside a line
}

func (i *indent) Write(p []byte) (int, error) {
	var out []byte
	for _, b := range p {
		if !i.mid {
			out = append(out, "   "...)
		}
		out = append(out, b)
		i.mid = b != '\n'
	}
	if _, err := i.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func short(s string) string {
	if len(s) <= 14 {
		return s
	}
	return s[:6] + "…" + s[len(s)-6:]
}
