package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/client"
	"github.com/wageproof/wageproof/aggregate/service"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run the collective's HTTP API and dashboard",
		Description: "Serves /v1/... (OpenAPI document at /v1/openapi.json) and the dashboard at /.\n" +
			"Join and the Parquet export need the admin token (--admin-token-file); without one they are off.\n" +
			"SIGINT or SIGTERM shuts down gracefully: in-flight submissions are committed first.",
		Flags: []cli.Flag{
			storeFlag,
			&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true},
			&cli.StringFlag{Name: "pool", Usage: "claim pool directory (wageproof claim pool init)", Required: true},
			&cli.StringFlag{Name: "members", Usage: "member registry file (the service owns it: joins append to it)", Required: true},
			&cli.StringFlag{Name: "attesters", Usage: "attester registry file, synced into the pool at start"},
			&cli.StringFlag{Name: "benchmarks", Usage: "published benchmark file to serve"},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "address to listen on"},
			&cli.StringFlag{Name: "admin-token-file", Usage: "file holding the bearer token for join and export"},
			&cli.IntFlag{Name: "min-cell", Value: aggregate.DefaultMinCell, Usage: "least min_cell a query may ask for"},
			&cli.Float64Flag{Name: "epsilon", Usage: "if set, every query is noised with at most this differential-privacy budget"},
			&cli.Int64Flag{Name: "max-body", Value: 64 << 10, Usage: "largest proof or claim body, in bytes"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
		},
		Action: runServe,
	}
}

func runServe(c *cli.Context) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return usageError("serve: --log-level %q: use debug, info, warn or error", c.String("log-level"))
	}
	cfg := service.Config{
		StoreDir: c.String("store"), KeysDir: c.String("keys"), PoolDir: c.String("pool"),
		MembersFile: c.String("members"), AttestersFile: c.String("attesters"), BenchmarksFile: c.String("benchmarks"),
		MinCell: c.Int("min-cell"), Epsilon: c.Float64("epsilon"), MaxProofBytes: c.Int64("max-body"),
		Logger: slog.New(slog.NewJSONHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level})),
	}
	if f := c.String("admin-token-file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return &exitError{exitUsage, fmt.Errorf("serve: admin token: %w", err)}
		}
		if cfg.AdminToken = strings.TrimSpace(string(b)); len(cfg.AdminToken) < 16 {
			return usageError("serve: the admin token in %s is shorter than 16 characters", f)
		}
	}
	s, err := service.New(cfg)
	if err != nil {
		return storeError(err)
	}
	ln, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		s.Close()
		return &exitError{exitUsage, fmt.Errorf("serve: %w", err)}
	}
	return s.Run(c.Context, ln)
}

// serverFlag is --server on the commands that can talk to a service instead
// of local files.
func serverFlag(what string) cli.Flag {
	return &cli.StringFlag{Name: "server", Usage: what + " (URL of a wageproof serve)"}
}

// localFlag is a required flag made optional because --server replaces it;
// needLocal checks it when there is no --server.
func localFlag(f *cli.StringFlag) *cli.StringFlag {
	g := *f
	g.Required = false
	g.Usage += " (not with --server)"
	return &g
}

func needLocal(c *cli.Context, cmd string, names ...string) error {
	for _, n := range names {
		if c.String(n) == "" {
			return usageError("%s: --%s is required (or --server URL)", cmd, n)
		}
	}
	return nil
}

func newClient(c *cli.Context) (*client.Client, error) {
	cl, err := client.New(c.String("server"))
	if err != nil {
		return nil, usageError("%v", err)
	}
	return cl, nil
}
