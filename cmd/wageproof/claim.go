package main

import (
	"fmt"
	"os"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/verifier"
)

var poolFlag = &cli.StringFlag{Name: "pool", Usage: "claim pool directory", Required: true}

func claimCommand() *cli.Command {
	return &cli.Command{
		Name:  "claim",
		Usage: "the lowball-offer insurance pool: submit and list claims",
		Subcommands: []*cli.Command{
			{
				Name:      "submit",
				Usage:     "verify a claim proof and record it (each offer once)",
				ArgsUsage: "<claim.json>",
				Flags: []cli.Flag{localFlag(poolFlag), localFlag(&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true}),
					serverFlag("submit to this service instead")}, // --server (serve.go, remote.go)
				Action: claimSubmit,
			},
			{
				Name:   "list",
				Usage:  "list accepted claims",
				Flags:  []cli.Flag{poolFlag},
				Action: claimList,
			},
			{
				Name:   "employers",
				Usage:  "accepted claims per employer key hash, for employers with at least k claims",
				Flags:  []cli.Flag{poolFlag},
				Action: claimEmployers,
			},
			{
				Name:  "pool",
				Usage: "set up and maintain a pool",
				Subcommands: []*cli.Command{
					{
						Name:  "init",
						Usage: "create a pool (and optionally sync registries and publish benchmarks)",
						Flags: append(syncFlags(false),
							poolFlag,
							&cli.DurationFlag{Name: "root-window", Usage: "how long a replaced member root stays acceptable", Value: claims.DefaultConfig().RootWindow},
							&cli.IntFlag{Name: "grace-days", Usage: "how many days before today a claim's check date may lie", Value: claims.DefaultConfig().DateGraceDays},
							&cli.IntFlag{Name: "k", Usage: "show an employer's claim count only from k claims on", Value: claims.DefaultConfig().MinEmployerClaims},
							&cli.StringFlag{Name: "benchmarks", Usage: "benchmark file to pay against"},
						),
						Action: poolInit,
					},
					{
						Name:   "sync",
						Usage:  "record the member registry's current root and the attester registry's employers",
						Flags:  append(syncFlags(true), poolFlag),
						Action: poolSync,
					},
					{
						Name:      "publish",
						Usage:     "pay against a benchmark table from now on",
						ArgsUsage: "<benchmarks.json>",
						Flags:     []cli.Flag{poolFlag},
						Action:    poolPublish,
					},
				},
			},
		},
	}
}

func syncFlags(required bool) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "members", Usage: "member registry file", Required: required},
		&cli.StringFlag{Name: "attesters", Usage: "attester registry file", Required: required},
	}
}

func poolInit(c *cli.Context) error {
	cfg := claims.Config{RootWindow: c.Duration("root-window"), DateGraceDays: c.Int("grace-days"), MinEmployerClaims: c.Int("k")}
	if (c.String("members") == "") != (c.String("attesters") == "") {
		return usageError("pool init: give both --members and --attesters, or neither")
	}
	var table *claims.Benchmarks
	if b := c.String("benchmarks"); b != "" {
		var err error
		if table, err = claims.LoadBenchmarks(b); err != nil {
			return err
		}
	}
	if err := claims.Init(c.String("pool"), cfg); err != nil {
		return err
	}
	p, err := claims.Open(c.String("pool"))
	if err != nil {
		return err
	}
	defer p.Close()
	if c.String("members") != "" {
		if err := syncRegistries(c, p); err != nil {
			return err
		}
	}
	if table != nil {
		if err := p.Publish(table, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "publishing %d benchmarks for %s (table %s)\n", len(table.Entries), table.Period, table.ID[:12])
	}
	fmt.Fprintf(c.App.Writer, "pool created in %s\n", c.String("pool"))
	return nil
}

func poolSync(c *cli.Context) error {
	p, err := claims.Open(c.String("pool"))
	if err != nil {
		return err
	}
	defer p.Close()
	return syncRegistries(c, p)
}

func leaves(path string) ([]fr.Element, *registry.Registry, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("registry %s: %w", path, err)
	}
	reg, err := registry.Load(path)
	if err != nil {
		return nil, nil, err
	}
	out := make([]fr.Element, len(reg.Leaves))
	for i, s := range reg.Leaves {
		if out[i], err = registry.ParseElement(s); err != nil {
			return nil, nil, err
		}
	}
	return out, reg, nil
}

func syncRegistries(c *cli.Context, p *claims.Pool) error {
	_, members, err := leaves(c.String("members"))
	if err != nil {
		return err
	}
	employers, _, err := leaves(c.String("attesters"))
	if err != nil {
		return err
	}
	root, err := members.Root()
	if err != nil {
		return err
	}
	added, err := p.AddRoot(root, time.Now())
	if err != nil {
		return err
	}
	if err := p.SetAttesters(employers); err != nil {
		return err
	}
	what := "unchanged"
	if added {
		what = "recorded"
	}
	fmt.Fprintf(c.App.Writer, "member root %s %s; %d registered employers\n", root.String(), what, len(employers))
	return nil
}

func poolPublish(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError("claim pool publish: name one benchmark file")
	}
	table, err := claims.LoadBenchmarks(c.Args().First())
	if err != nil {
		return err
	}
	p, err := claims.Open(c.String("pool"))
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Publish(table, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "publishing %d benchmarks for %s (table %s)\n", len(table.Entries), table.Period, table.ID[:12])
	return nil
}

func claimSubmit(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError("claim submit: name one claim file")
	}
	path := c.Args().First()
	if c.String("server") != "" { // --server (serve.go, remote.go)
		return claimSubmitRemote(c, path)
	}
	if err := needLocal(c, "claim submit", "pool", "keys"); err != nil {
		return err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	env, err := verifier.ParseEnvelope(raw)
	if err != nil {
		return fmt.Errorf("claim rejected: %w", err)
	}
	// Verify before opening the pool: the pool is locked while open.
	claim, err := claims.Check(env, raw, verifier.OpenKeyring(c.String("keys")))
	if err != nil {
		return fmt.Errorf("claim rejected: %w", err)
	}
	p, err := claims.Open(c.String("pool"))
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Accept(claim, time.Now()); err != nil {
		return fmt.Errorf("claim rejected: %w", err)
	}
	fmt.Fprintf(c.App.Writer, "accepted claim #%d: offer below %s %d for %s %s %s (%s)\n",
		claim.Seq, claim.Cell.Currency, claim.Benchmark, claim.Cell.Role, claim.Cell.Region, claim.Cell.Period, abbrev(claim.EmployerKeyHash))
	return nil
}

func claimList(c *cli.Context) error {
	p, err := claims.Open(c.String("pool"))
	if err != nil {
		return err
	}
	defer p.Close()
	list, err := p.Claims()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%-5s %-20s %-8s %-9s %-7s %-8s %10s  %s\n", "#", "accepted", "period", "role", "region", "currency", "benchmark", "employer")
	for _, cl := range list {
		fmt.Fprintf(c.App.Writer, "%-5d %-20s %-8s %-9s %-7s %-8s %10d  %s\n", cl.Seq, cl.AcceptedAt.Format(time.DateTime),
			cl.Cell.Period, cl.Cell.Role, cl.Cell.Region, cl.Cell.Currency, cl.Benchmark, abbrev(cl.EmployerKeyHash))
	}
	return nil
}

func claimEmployers(c *cli.Context) error {
	p, err := claims.Open(c.String("pool"))
	if err != nil {
		return err
	}
	defer p.Close()
	rows, err := p.Employers()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "employers with at least %d accepted claims: %d\n", p.Config().MinEmployerClaims, len(rows))
	for _, r := range rows {
		fmt.Fprintf(c.App.Writer, "%6d  %s\n", r.Claims, r.EmployerKeyHash)
	}
	return nil
}

// abbrev abbreviates a field element for tables.
func abbrev(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}
