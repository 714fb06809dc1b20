package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits/attested"
	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
)

func proveSalaryAttestedCommand() *cli.Command {
	return &cli.Command{
		Name:  "salary-attested",
		Usage: "prove that your salary, as signed by a registered employer, lies in a bucket",
		Flags: append(memberProofFlags(),
			&cli.StringFlag{Name: "payslip", Usage: "payslip file signed by your employer (`attester sign-payslip`)", Required: true},
			&cli.StringFlag{Name: "attesters", Usage: "attester registry file", Required: true},
			&cli.StringFlag{Name: "bucket", Usage: "lo:hi (hi exclusive); default: the default bucket scheme"},
			&cli.Uint64Flag{Name: "bucket-width", Usage: "width of the default scheme's buckets"},
			&cli.StringFlag{Name: "opening", Usage: "also write the commitment's opening (salary, salt) to this file, mode 0600"},
		),
		Action: proveSalaryAttested,
	}
}

// attesterPlace is the attester key's place in the attester registry.
func attesterPlace(path string, pk attester.PublicKey) (salary.Membership, error) {
	reg, err := registry.Load(path)
	if err != nil {
		return salary.Membership{}, err
	}
	idx, p, err := reg.Path(pk.Leaf())
	if err != nil {
		return salary.Membership{}, fmt.Errorf("the signer %s is not in the attester registry %s", pk, path)
	}
	root, err := reg.Root()
	if err != nil {
		return salary.Membership{}, err
	}
	return salary.Membership{Root: root, Index: idx, Path: p}, nil
}

func proveSalaryAttested(c *cli.Context) error {
	slip, err := attester.LoadPayslip(c.String("payslip"))
	if err != nil {
		return err
	}
	lo, hi, err := bucketFlag(c, slip.Labels.Currency, slip.Salary)
	if err != nil {
		return err
	}
	if err := refuseOverwrite(c.String("out")); err != nil {
		return err
	}
	id, m, err := memberInputs(c)
	if err != nil {
		return err
	}
	a, err := attesterPlace(c.String("attesters"), slip.Attester)
	if err != nil {
		return err
	}
	salt, err := salary.NewSalt()
	if err != nil {
		return err
	}
	assignment, err := attested.Input{Identity: id, Member: m, Salt: salt, Lo: lo, Hi: hi, Payslip: slip, Attesters: a}.Assign()
	if err != nil {
		return err
	}
	env, err := proveToFile(c, attested.Name, assignment)
	if err != nil {
		return err
	}
	if o := c.String("opening"); o != "" {
		if err := writeOpening(o, slip.Salary, salt, env); err != nil {
			return err
		}
	}
	l := slip.Labels
	fmt.Fprintf(c.App.Writer, "wrote %s: attested salary in [%d, %d) %s, role %s, region %s, period %s\n",
		c.String("out"), lo, hi, l.Currency, l.Role, l.Region, l.Period)
	return submitIfAsked(c) // --server (serve.go, remote.go)
}

func proveOfferCommand() *cli.Command {
	return &cli.Command{
		Name:  "offer",
		Usage: "prove that a signed offer to you is below the published benchmark (an insurance claim)",
		Flags: append(memberProofFlags(),
			&cli.StringFlag{Name: "offer", Usage: "offer file signed by the employer (`attester sign-offer`)", Required: true},
			&cli.StringFlag{Name: "benchmarks", Usage: "published benchmark file", Required: true},
			&cli.StringFlag{Name: "check-date", Usage: "YYYY-MM-DD on which the offer must still stand (default: today, UTC)"},
		),
		Action: proveOffer,
	}
}

func proveOffer(c *cli.Context) error {
	o, err := attester.LoadOffer(c.String("offer"))
	if err != nil {
		return err
	}
	table, err := claims.LoadBenchmarks(c.String("benchmarks"))
	if err != nil {
		return err
	}
	cell, err := claims.NewCell(table.Period, o.Currency, o.Role, o.Region)
	if err != nil {
		return err
	}
	bench, ok := table.Amount(cell)
	if !ok {
		return fmt.Errorf("%s has no benchmark for %s", c.String("benchmarks"), cell)
	}
	if o.Amount >= bench {
		return fmt.Errorf("the offer is not below the benchmark for %s: there is nothing to claim", cell)
	}
	check := c.String("check-date")
	if check == "" {
		check = time.Now().UTC().Format(time.DateOnly)
	}
	if err := refuseOverwrite(c.String("out")); err != nil {
		return err
	}
	id, m, err := memberInputs(c)
	if err != nil {
		return err
	}
	assignment, err := offer.Input{Identity: id, Member: m, Offer: o, Benchmark: bench, Period: table.Period, CheckDate: check}.Assign()
	if err != nil {
		return err
	}
	if _, err := proveToFile(c, offer.Name, assignment); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %s: offer below the %s benchmark %d for %s, unexpired on %s\n",
		c.String("out"), cell.Currency, bench, cell, check)
	return submitIfAsked(c) // --server (serve.go, remote.go)
}
