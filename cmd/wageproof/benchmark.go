package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
)

func benchmarkCommand() *cli.Command {
	return &cli.Command{
		Name:  "benchmark",
		Usage: "publish the benchmark table the offer circuit and the claim pool read",
		Subcommands: []*cli.Command{{
			Name:  "publish",
			Usage: "compute a quantile per (currency, role, region) from attested submissions and write it with its content hash",
			Flags: []cli.Flag{
				storeFlag,
				&cli.StringFlag{Name: "period", Usage: "period (YYYY-MM)", Required: true},
				&cli.Float64Flag{Name: "quantile", Value: 0.25, Usage: "the quantile to publish"},
				&cli.IntFlag{Name: "min-cell", Value: aggregate.DefaultMinCell, Usage: "least attested contributors per published cell"},
				&cli.StringFlag{Name: "out", Usage: "benchmark file to write", Required: true},
				&cli.BoolFlag{Name: "force", Usage: "replace an existing file"},
			},
			Action: func(c *cli.Context) error {
				q := c.Float64("quantile")
				if !(q > 0 && q < 1) {
					return usageError("benchmark publish: --quantile must be between 0 and 1")
				}
				if c.Int("min-cell") < 1 {
					return usageError("benchmark publish: --min-cell must be at least 1")
				}
				if _, err := os.Stat(c.String("out")); err == nil && !c.Bool("force") {
					return usageError("benchmark publish: %s exists (a published file is immutable; use --force to replace it)", c.String("out"))
				}
				snap, err := aggregate.OpenSnapshot(c.String("store"))
				if err != nil {
					return storeError(err)
				}
				b, err := snap.PublishBenchmarks(c.Context, c.String("period"), q, c.Int("min-cell"))
				if err != nil {
					return storeError(err)
				}
				if err := b.WriteFile(c.String("out")); err != nil {
					return err
				}
				fmt.Fprintf(c.App.Writer, "published %d benchmarks for %s (q=%g) to %s, content hash %s, store state %s\n",
					len(b.Entries), b.Period, b.Quantile, c.String("out"), b.ContentHash, b.Store.State)
				return nil
			},
		}},
	}
}
