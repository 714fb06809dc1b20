package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

func setupCommand() *cli.Command {
	return &cli.Command{
		Name:  "setup",
		Usage: "compile a circuit and write its key directory (single-party: development only)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "circuit", Value: "salary", Usage: fmt.Sprintf("circuit to set up, one of %v", circuits.Names())},
			&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true},
			&cli.BoolFlag{Name: "force", Usage: "replace existing keys (old proofs stop verifying)"},
		},
		Action: func(c *cli.Context) error {
			spec, err := circuits.Lookup(c.String("circuit"))
			if err != nil {
				return usageError("%v", err)
			}
			warnDevSetup(c.App.ErrWriter)
			m, err := prover.Setup(c.Context, spec, c.String("keys"), prover.SetupOptions{
				Force: c.Bool("force"),
				Stage: stage(c.App.ErrWriter),
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "%s v%d: %d constraints, %d public inputs, verifying key sha256 %s\nkeys in %s\n",
				m.Circuit, m.CircuitVersion, m.Constraints, len(m.PublicInputs), m.VKSHA256,
				verifier.KeyDir(c.String("keys"), m.Circuit, m.Backend))
			return nil
		},
	}
}

func warnDevSetup(w io.Writer) {
	fmt.Fprint(w, `
  ************************************************************************
  *  WARNING: SINGLE-PARTY TRUSTED SETUP, FOR DEVELOPMENT ONLY.           *
  *  This machine saw the setup randomness ("toxic waste"). Whoever ran   *
  *  it could forge proofs that verify. Never use these keys to accept    *
  *  real submissions or pay claims.                                      *
  ************************************************************************

`)
}
