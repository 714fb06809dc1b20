package main

// The --server side of prove, ingest, query and claim submit: the same
// commands, talking to a `wageproof serve` through package client instead
// of opening local files.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/client"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/verifier"
)

// remoteMembership fetches (and checks) the member's Merkle path from the
// service. Only the public commitment is sent.
func remoteMembership(c *cli.Context, id *member.Identity) (salary.Membership, error) {
	cl, err := newClient(c)
	if err != nil {
		return salary.Membership{}, err
	}
	m, err := cl.Membership(c.Context, id.Commitment())
	if errors.Is(err, client.ErrNotMember) {
		return salary.Membership{}, fmt.Errorf("this member is not registered at %s: ask the collective to add its commitment", c.String("server"))
	}
	return m, err
}

// ingestRemote posts every submission the inputs hold, a few at a time, and
// reports like a local ingest: one line per rejection and a summary.
func ingestRemote(c *cli.Context) error {
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	workers := c.Int("workers")
	if workers <= 0 {
		workers = 4
	}
	type job struct {
		source string
		raw    []byte
		err    error
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var read, accepted, rejected int64
	out := c.App.Writer
	reject := func(source string, err error) {
		mu.Lock()
		defer mu.Unlock()
		rejected++
		fmt.Fprintf(out, "rejected %s: %s\n", source, err)
	}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancelCause(c.Context)
	defer cancel(nil)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if j.err != nil {
					reject(j.source, j.err)
					continue
				}
				_, err := cl.SubmitProof(ctx, j.raw)
				var ae *client.Error
				switch {
				case err == nil:
					mu.Lock()
					accepted++
					mu.Unlock()
				case errors.As(err, &ae) && ae.Status < 500:
					reject(j.source, err)
				default:
					// The service is unreachable or failing: stop, rather
					// than report every remaining file as rejected.
					cancel(err)
				}
			}
		}()
	}
	srcErr := aggregate.Paths(c.Args().Slice(), c.App.Reader)(ctx, func(it aggregate.Item) error {
		j := job{source: it.Source, raw: it.Data, err: it.Err}
		if it.Env != nil {
			j.raw, j.err = it.Env.Marshal()
		}
		mu.Lock()
		read++
		mu.Unlock()
		select {
		case jobs <- j:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(jobs)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil && srcErr == nil {
		srcErr = cause
	}
	fmt.Fprintf(out, "ingest: %d read, %d accepted, %d rejected (server %s)\n", read, accepted, rejected, c.String("server"))
	if srcErr != nil {
		return &exitError{exitUsage, fmt.Errorf("ingest stopped after %d accepted: %w", accepted, srcErr)}
	}
	if rejected > 0 {
		return &exitError{exitInvalid, fmt.Errorf("%w: %d of %d (the %d accepted are stored)", aggregate.ErrRejected, rejected, read, accepted)}
	}
	return nil
}

// queryRemote runs the query on the service; table output is rendered here
// from the JSON answer, the other formats are copied as the service wrote
// them.
func queryRemote(c *cli.Context, q aggregate.Query, format string) error {
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	if format == aggregate.FormatTable {
		res, err := cl.Query(c.Context, q)
		if err != nil {
			return err
		}
		return writeOut(c, func(w io.Writer) error { return res.Write(w, format, nil) })
	}
	return writeOut(c, func(w io.Writer) error { return cl.QueryTo(c.Context, q, format, w) })
}

// claimSubmitRemote posts a claim file to the service.
func claimSubmitRemote(c *cli.Context, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	cr, err := cl.SubmitClaim(c.Context, raw)
	if err != nil {
		return fmt.Errorf("claim rejected: %w", err)
	}
	fmt.Fprintf(c.App.Writer, "accepted claim #%d: offer below %s %d for %s %s %s (%s)\n",
		cr.Seq, cr.Cell.Currency, cr.Benchmark, cr.Cell.Role, cr.Cell.Region, cr.Cell.Period, abbrev(cr.EmployerKeyHash))
	return nil
}

// needLocalRegistry checks a prove command without --server before any
// proving work.
func needLocalRegistry(c *cli.Context) error {
	if c.Bool("submit") {
		return usageError("prove: --submit needs --server URL")
	}
	return needLocal(c, "prove", "registry")
}

// submitIfAsked submits the proof just written (prove --submit): a claim
// proof to the claim pool, any other to the store.
func submitIfAsked(c *cli.Context) error {
	if !c.Bool("submit") {
		return nil
	}
	raw, err := os.ReadFile(c.String("out"))
	if err != nil {
		return err
	}
	env, err := verifier.ParseEnvelope(raw)
	if err != nil {
		return err
	}
	cl, err := newClient(c)
	if err != nil {
		return err
	}
	if env.Circuit == offer.Name {
		cr, err := cl.SubmitClaim(c.Context, raw)
		if err != nil {
			return fmt.Errorf("claim rejected: %w", err)
		}
		fmt.Fprintf(c.App.Writer, "submitted: accepted claim #%d\n", cr.Seq)
		return nil
	}
	res, err := cl.SubmitProof(c.Context, raw)
	if err != nil {
		return fmt.Errorf("submission rejected: %w", err)
	}
	fmt.Fprintf(c.App.Writer, "submitted: accepted in store generation %d\n", res.Generation)
	return nil
}
