package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
)

func queryCommand() *cli.Command {
	return &cli.Command{
		Name:  "query",
		Usage: "counts, histograms or quantiles per cell, with disclosure control",
		Description: "Cells and histogram buckets with fewer than --min-cell contributors are suppressed\n" +
			"(marked, not dropped); attested cells also need 3 employers, none above 80%;\n" +
			"complementary suppression protects suppressed cells from subtraction; the top bucket\n" +
			"is top-coded. --epsilon adds Laplace noise to every count.",
		Flags: []cli.Flag{
			localFlag(storeFlag), serverFlag("ask this service instead"), // --server (serve.go, remote.go)
			&cli.StringFlag{Name: "by", Usage: "dimensions to group by: currency, role, region, period, attested (comma-separated)"},
			&cli.StringFlag{Name: "period", Usage: "only this period (YYYY-MM)"},
			&cli.StringFlag{Name: "stat", Value: "count", Usage: "count, histogram or quantiles"},
			&cli.StringFlag{Name: "quantiles", Value: "0.1,0.25,0.5,0.75,0.9", Usage: "quantiles to estimate"},
			&cli.BoolFlag{Name: "attested-only", Usage: "only attested submissions"},
			&cli.IntFlag{Name: "min-cell", Value: aggregate.DefaultMinCell, Usage: "least contributors per published cell and bucket"},
			&cli.Float64Flag{Name: "epsilon", Usage: "differential-privacy budget for noisy counts (0: exact counts)"},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "table, csv, json, arrow or parquet"},
			&cli.StringFlag{Name: "out", Usage: "write to this file instead of stdout"},
		},
		Action: runQuery,
	}
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func runQuery(c *cli.Context) error {
	q := aggregate.Query{
		By:           splitList(c.String("by")),
		Period:       c.String("period"),
		Stat:         aggregate.Stat(c.String("stat")),
		AttestedOnly: c.Bool("attested-only"),
		MinCell:      c.Int("min-cell"),
		Epsilon:      c.Float64("epsilon"),
	}
	if q.MinCell < 1 {
		return usageError("query: --min-cell must be at least 1")
	}
	if q.Stat == aggregate.StatQuantiles {
		for _, s := range splitList(c.String("quantiles")) {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return usageError("query: quantile %q is not a number", s)
			}
			q.Quantiles = append(q.Quantiles, v)
		}
	}
	format := c.String("format")
	switch format {
	case aggregate.FormatTable, aggregate.FormatCSV, aggregate.FormatJSON:
	case aggregate.FormatArrow, aggregate.FormatParquet:
		if c.String("out") == "" && isTerminal(c.App.Writer) {
			return usageError("query: %s output is binary: use --out", format)
		}
	default:
		return usageError("query: unknown format %q (use table, csv, json, arrow or parquet)", format)
	}
	if c.String("server") != "" { // --server (serve.go, remote.go)
		return queryRemote(c, q, format)
	}
	if err := needLocal(c, "query", "store"); err != nil {
		return err
	}
	snap, err := aggregate.OpenSnapshot(c.String("store"))
	if err != nil {
		return storeError(err)
	}
	res, err := snap.Run(c.Context, q)
	if err != nil {
		return storeError(err)
	}
	return writeOut(c, func(w io.Writer) error { return res.Write(w, format, nil) })
}

// writeOut writes to --out (atomically) or to stdout.
func writeOut(c *cli.Context, write func(io.Writer) error) error {
	path := c.String("out")
	if path == "" {
		return write(c.App.Writer)
	}
	f, commit, err := createOutput(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		discardOutput(f)
		return storeError(err)
	}
	if err := commit(); err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "wrote %s\n", path)
	return nil
}
