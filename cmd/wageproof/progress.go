package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal: progress is drawn only there,
// so logs and pipes stay clean.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress counts n steps of work on w when w is a terminal, and does
// nothing otherwise.
type progress struct{ bar *progressbar.ProgressBar }

func newProgress(w io.Writer, n int, what string) *progress {
	if !isTerminal(w) {
		return &progress{}
	}
	return &progress{progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)}
}

// Add records one finished step; safe for concurrent use.
func (p *progress) Add() {
	if p.bar != nil {
		p.bar.Add(1)
	}
}

// Done clears the bar.
func (p *progress) Done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// stage prints what a long single step is doing, on a terminal only.
func stage(w io.Writer) func(string) {
	if !isTerminal(w) {
		return func(string) {}
	}
	return func(s string) { io.WriteString(w, "… "+s+"\n") }
}
