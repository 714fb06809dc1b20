package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/verifier"
)

func auditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "re-verify every stored proof, the segment hashes and the nullifier index; exit 1 if any row fails",
		Flags: []cli.Flag{
			storeFlag,
			&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true},
			&cli.IntFlag{Name: "workers", Usage: "proofs verified in parallel (default: one per core)"},
		},
		Action: func(c *cli.Context) error {
			if st, err := os.Stat(c.String("keys")); err != nil || !st.IsDir() {
				return usageError("audit: key directory %s cannot be read", c.String("keys"))
			}
			out := c.App.Writer
			bar := newCounter(c.App.ErrWriter, "auditing")
			rep, err := aggregate.Audit(c.Context, c.String("store"), aggregate.AuditOptions{
				Verifier: verifier.OpenKeyring(c.String("keys")),
				Workers:  c.Int("workers"),
				OnFail:   func(r aggregate.Rejection) { fmt.Fprintf(out, "failed %s: %s\n", r.Source, r.Err) },
				Progress: bar.Set,
			})
			bar.Done()
			if rep != nil {
				fmt.Fprintf(out, "audit: %d rows, %d verified, %d failed, state %s\n", rep.Rows, rep.Verified, rep.Failed, rep.State)
			}
			return storeError(err)
		},
	}
}
