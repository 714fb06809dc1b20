package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
)

func attesterCommand() *cli.Command {
	keyFlag := &cli.StringFlag{Name: "key", Usage: "attester key file", Required: true}
	outFlag := &cli.StringFlag{Name: "out", Usage: "signed file to write (mode 0600)", Required: true}
	memberFlag := &cli.StringFlag{Name: "member", Usage: "the member's identity commitment (decimal, as `member new` prints it)", Required: true}
	label := func(name, usage string) cli.Flag { return &cli.StringFlag{Name: name, Usage: usage, Required: true} }
	return &cli.Command{
		Name:  "attester",
		Usage: "employer or payroll provider: keys, signed payslips and offers",
		Subcommands: []*cli.Command{
			{
				Name:   "new",
				Usage:  "create an EdDSA key pair (private file, mode 0600) and print the public key for `registry add`",
				Flags:  []cli.Flag{&cli.StringFlag{Name: "out", Usage: "key file to create", Required: true}},
				Action: attesterNew,
			},
			{
				Name:  "sign-payslip",
				Usage: "sign a member's salary, labels and period",
				Flags: []cli.Flag{keyFlag, outFlag, memberFlag,
					&cli.Uint64Flag{Name: "salary", Usage: "annual salary in whole units of --currency", Required: true},
					label("currency", "ISO 4217 code"), label("role", "SOC 2018 code, e.g. 15-1252"),
					label("region", "ISO 3166 code, e.g. US-CA"), label("period", "month, e.g. 2026-11"),
				},
				Action: attesterSignPayslip,
			},
			{
				Name:  "sign-offer",
				Usage: "sign a job offer made to a member",
				Flags: []cli.Flag{keyFlag, outFlag, memberFlag,
					label("offer-id", "your reference for the offer (printable ASCII, up to 128 characters)"),
					&cli.Uint64Flag{Name: "amount", Usage: "offered annual salary in whole units of --currency", Required: true},
					label("currency", "ISO 4217 code"), label("role", "SOC 2018 code, e.g. 15-1252"),
					label("region", "ISO 3166 code, e.g. US-CA"), label("expires", "last day the offer stands, YYYY-MM-DD"),
				},
				Action: attesterSignOffer,
			},
		},
	}
}

func attesterNew(c *cli.Context) error {
	k, err := attester.New()
	if err != nil {
		return err
	}
	if err := k.Save(c.String("out")); err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, k.Public().String())
	fmt.Fprintf(c.App.ErrWriter, "key written to %s (mode 0600: keep it secret); register the public key with `wageproof registry add --registry attesters.json <public key>`\n", c.String("out"))
	return nil
}

func attesterSignPayslip(c *cli.Context) error {
	m, err := registry.ParseElement(c.String("member"))
	if err != nil {
		return usageError("--member: %v", err)
	}
	p := attester.Payslip{Salary: c.Uint64("salary"), Member: m, Labels: salary.Labels{
		Currency: c.String("currency"), Role: c.String("role"), Region: c.String("region"), Period: c.String("period"),
	}}
	if _, err := p.Message(); err != nil {
		return usageError("%v", err)
	}
	if err := refuseOverwrite(c.String("out")); err != nil {
		return err
	}
	k, err := attester.Load(c.String("key"))
	if err != nil {
		return err
	}
	s, err := k.SignPayslip(p)
	if err != nil {
		return err
	}
	if err := s.Save(c.String("out")); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %s: payslip for period %s signed by %s\n", c.String("out"), p.Labels.Period, k.Public())
	return nil
}

func attesterSignOffer(c *cli.Context) error {
	m, err := registry.ParseElement(c.String("member"))
	if err != nil {
		return usageError("--member: %v", err)
	}
	o := attester.Offer{ID: c.String("offer-id"), Amount: c.Uint64("amount"), Currency: c.String("currency"),
		Role: c.String("role"), Region: c.String("region"), Expires: c.String("expires"), Member: m}
	if _, err := o.Message(); err != nil {
		return usageError("%v", err)
	}
	if err := refuseOverwrite(c.String("out")); err != nil {
		return err
	}
	k, err := attester.Load(c.String("key"))
	if err != nil {
		return err
	}
	s, err := k.SignOffer(o)
	if err != nil {
		return err
	}
	if err := s.Save(c.String("out")); err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "wrote %s: offer %s, expires %s, signed by %s\n", c.String("out"), o.ID, o.Expires, k.Public())
	return nil
}
