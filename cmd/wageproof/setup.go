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
			backendFlag(),
			&cli.StringFlag{Name: "srs", Usage: "plonk: KZG SRS file from a public ceremony (gnark-crypto kzg.SRS encoding); default: a development SRS"},
		},
		Action: func(c *cli.Context) error {
			spec, err := circuits.Lookup(c.String("circuit"))
			if err != nil {
				return usageError("%v", err)
			}
			backend := c.String("backend")
			if _, err := verifier.LookupSystem(backend); err != nil {
				return usageError("%v", err)
			}
			if backend == verifier.BackendGroth16 || c.String("srs") == "" {
				warnDevSetup(c.App.ErrWriter, backend)
			}
			m, err := prover.Setup(c.Context, spec, c.String("keys"), prover.SetupOptions{
				Backend: backend,
				SRS:     c.String("srs"),
				Force:   c.Bool("force"),
				Stage:   stage(c.App.ErrWriter),
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

func warnDevSetup(w io.Writer, backend string) {
	what := "a multi-party ceremony (wageproof ceremony)"
	if backend == verifier.BackendPlonk {
		what = "an SRS from a public ceremony (--srs)"
	}
	fmt.Fprintf(w, `
  ************************************************************************
  *  WARNING: SINGLE-PARTY TRUSTED SETUP, FOR DEVELOPMENT ONLY.           *
  *  This machine saw the setup randomness ("toxic waste"). Whoever ran   *
  *  it could forge proofs that verify. Never use these keys to accept    *
  *  real submissions or pay claims.                                      *
  ************************************************************************
  For real use, make %s keys with %s.

`, backend, what)
}
