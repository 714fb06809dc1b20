package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
)

var storeFlag = &cli.StringFlag{Name: "store", Usage: "store directory", Required: true}

// storeError gives store failures their exit status: a damaged or missing
// store, or unreadable input, is a usage/I-O error (2); rejected
// submissions are invalid input (1).
func storeError(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, aggregate.ErrRejected):
		return &exitError{exitInvalid, err}
	case errors.Is(err, aggregate.ErrCorrupt), errors.Is(err, aggregate.ErrNoStore), errors.Is(err, aggregate.ErrBadQuery),
		errors.Is(err, aggregate.ErrLocked), errors.Is(err, os.ErrNotExist):
		return &exitError{exitUsage, err}
	}
	return err
}

// counter shows a running count on a terminal and nothing elsewhere.
type counter struct{ bar *progressbar.ProgressBar }

func newCounter(w io.Writer, what string) *counter {
	if !isTerminal(w) {
		return &counter{}
	}
	return &counter{progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)}
}

func (c *counter) Set(n int64) {
	if c.bar != nil {
		c.bar.Set64(n)
	}
}

func (c *counter) Done() {
	if c.bar != nil {
		c.bar.Finish()
	}
}

// createOutput writes to a temporary file beside path, renamed into place by
// commit, so a failed command leaves no half-written output.
func createOutput(path string) (f *os.File, commit func() error, err error) {
	f, err = os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, nil, err
	}
	commit = func() error {
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(f.Name())
			return err
		}
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return err
		}
		return os.Rename(f.Name(), path)
	}
	return f, commit, nil
}

func discardOutput(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
