package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/verifier"
)

func ingestCommand() *cli.Command {
	return &cli.Command{
		Name:  "ingest",
		Usage: "verify submissions and append the valid ones to the store; exit 1 if any was rejected",
		Description: "Inputs are proof files (*.json), directories of them, JSON-lines files (*.jsonl),\n" +
			"Arrow IPC or Parquet files in the export schema, or - for JSON lines on stdin.\n" +
			"Each member submits once per period: a second nullifier is rejected.",
		ArgsUsage: "proofs/*.json | dir | file.jsonl | file.arrow | file.parquet | -",
		Flags: []cli.Flag{
			localFlag(storeFlag), // --server (serve.go, remote.go): store and keys are the service's
			localFlag(&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true}),
			serverFlag("post the submissions to this service instead"),
			&cli.BoolFlag{Name: "strict", Usage: "store nothing if any submission is rejected"},
			&cli.IntFlag{Name: "workers", Usage: "proofs verified in parallel (default: one per core)"},
		},
		Action: runIngest,
	}
}

func runIngest(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("ingest: name at least one input (or - for stdin)")
	}
	if c.String("server") != "" { // --server (serve.go, remote.go)
		return ingestRemote(c)
	}
	if err := needLocal(c, "ingest", "store", "keys"); err != nil {
		return err
	}
	if st, err := os.Stat(c.String("keys")); err != nil || !st.IsDir() {
		return usageError("ingest: key directory %s cannot be read", c.String("keys"))
	}
	st, err := aggregate.Open(c.String("store"))
	if err != nil {
		return storeError(err)
	}
	defer st.Close()
	out := c.App.Writer
	bar := newCounter(c.App.ErrWriter, "verifying")
	rep, err := st.Ingest(c.Context, aggregate.Paths(c.Args().Slice(), c.App.Reader), aggregate.IngestOptions{
		Verifier: verifier.OpenKeyring(c.String("keys")),
		Strict:   c.Bool("strict"),
		Workers:  c.Int("workers"),
		OnReject: func(r aggregate.Rejection) { fmt.Fprintf(out, "rejected %s: %s\n", r.Source, r.Err) },
		Progress: bar.Set,
	})
	bar.Done()
	if rep != nil {
		fmt.Fprintf(out, "ingest: %s\n", rep.Summary())
		if rep.Committed {
			m := st.Manifest()
			fmt.Fprintf(out, "store: generation %d, %d rows, state %s\n", m.Generation, m.Rows, m.State)
		}
	}
	return storeError(err)
}
