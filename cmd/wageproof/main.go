// Command wageproof proves, verifies and aggregates pay facts without
// revealing pay. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/consensys/gnark/logger"
	"github.com/urfave/cli/v2"
)

// Exit statuses.
const (
	exitInvalid = 1 // a proof or input is invalid; or a command failed
	exitUsage   = 2 // the command line is wrong, or a file could not be read
)

// exitError carries an exit status with an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "wageproof",
		Usage: "prove where your pay stands without revealing it",
		Description: "Workers prove in zero knowledge that a committed salary lies in a published bucket;\n" +
			"a collective aggregates the proofs into distributions without ever seeing a salary.",
		Writer:    stdout,
		ErrWriter: stderr,
		Commands: []*cli.Command{
			memberCommand(),
			registryCommand(),
			attesterCommand(),
			claimCommand(),
			setupCommand(),
			ceremonyCommand(),
			proveCommand(),
			verifyCommand(),
			demoCommand(),
			benchCommand(),
			ingestCommand(),
			queryCommand(),
			withEVMExports(exportCommand()), // + export solidity, export calldata (export_evm.go)
			auditCommand(),
			benchmarkCommand(),
			serveCommand(), // the HTTP API and dashboard (serve.go)
		},
		// main reports errors itself, as one line.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &exitError{exitUsage, err}
		},
		HideHelpCommand: true,
	}
}

// run runs the CLI and returns the exit status; main and tests share it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	logger.Disable() // gnark logs to stderr; our output must stay clean
	err := newApp(stdout, stderr).RunContext(ctx, args)
	if err == nil {
		return 0
	}
	code := exitInvalid
	var ee *exitError
	var ce cli.ExitCoder
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case errors.As(err, &ce):
		code = ce.ExitCode()
	case isUsage(err):
		code = exitUsage
	}
	if msg := oneLine(err.Error()); msg != "" {
		fmt.Fprintf(stderr, "wageproof: %s\n", msg)
	}
	return code
}

// isUsage recognises urfave/cli's own usage errors, which it does not type.
func isUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"flag provided but not defined", "Required flag", "Required flags", "invalid value", "No help topic", "flag needs an argument"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
