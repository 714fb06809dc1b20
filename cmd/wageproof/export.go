package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
)

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write every stored row (buckets, labels, nullifiers, proofs; never a salary) as Parquet or Arrow",
		Flags: []cli.Flag{
			storeFlag,
			&cli.StringFlag{Name: "format", Value: "parquet", Usage: "parquet or arrow"},
			&cli.StringFlag{Name: "out", Usage: "file to write", Required: true},
		},
		Action: func(c *cli.Context) error {
			format := c.String("format")
			if format != aggregate.FormatParquet && format != aggregate.FormatArrow {
				return usageError("export: unknown format %q (use parquet or arrow)", format)
			}
			snap, err := aggregate.OpenSnapshot(c.String("store"))
			if err != nil {
				return storeError(err)
			}
			f, commit, err := createOutput(c.String("out"))
			if err != nil {
				return err
			}
			if err := snap.Export(c.Context, f, format); err != nil {
				discardOutput(f)
				return storeError(err)
			}
			if err := commit(); err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "exported %d rows to %s (store state %s)\n", snap.Manifest.Rows, c.String("out"), snap.Manifest.State)
			return nil
		},
	}
}
