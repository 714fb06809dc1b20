package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/verifier"
)

// verifyResult is one line of `verify --json`.
type verifyResult struct {
	File    string            `json:"file"`
	Valid   bool              `json:"valid"`
	Circuit string            `json:"circuit,omitempty"`
	Public  map[string]string `json:"public,omitempty"`
	Error   string            `json:"error,omitempty"`
	Kind    string            `json:"kind,omitempty"` // malformed, wrong_key, public_input, invalid_proof, io
}

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "verify proof files; exit 0 if all are valid, 1 if any is invalid, 2 on usage or I/O errors",
		ArgsUsage: "proof.json [more.json ...]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "keys", Usage: "key root directory (only verifying keys and manifests are read)", Required: true},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object per file"},
		},
		Action: verifyFiles,
	}
}

func verifyFiles(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("verify: name at least one proof file")
	}
	if st, err := os.Stat(c.String("keys")); err != nil || !st.IsDir() {
		return usageError("verify: key directory %s cannot be read", c.String("keys"))
	}
	ring := verifier.OpenKeyring(c.String("keys"))
	status := 0
	enc := json.NewEncoder(c.App.Writer)
	for _, r := range verifyPaths(c.Context, ring, c.Args().Slice()) {
		path := r.File
		switch {
		case r.Kind == "io":
			status = max(status, exitUsage)
		case !r.Valid:
			status = max(status, exitInvalid)
		}
		if c.Bool("json") {
			if err := enc.Encode(r); err != nil {
				return err
			}
			continue
		}
		if r.Valid {
			fmt.Fprintf(c.App.Writer, "%s: valid %s\n", path, describe(r.Circuit, r.Public))
		} else {
			fmt.Fprintf(c.App.Writer, "%s: invalid: %s\n", path, r.Error)
		}
	}
	if status != 0 {
		// Each file already has its line; the status says the rest.
		return &exitError{status, errors.New("")}
	}
	return nil
}

// verifyPaths verifies the files together, in their order: proofs under the
// same key are checked in batches (verifier.Keyring.VerifyAll), which costs
// much less per proof than one check each, and each file still gets its own
// result, worded as a check of that file alone would word it.
func verifyPaths(ctx context.Context, ring *verifier.Keyring, paths []string) []verifyResult {
	results := make([]verifyResult, len(paths))
	var envs []*verifier.Envelope
	var idx []int // index in results of each envelope
	for i, path := range paths {
		r := &results[i]
		r.File = path
		b, err := os.ReadFile(path)
		if err != nil {
			r.Kind, r.Error = "io", oneLine(err.Error())
			if errors.Is(err, fs.ErrNotExist) {
				r.Error = "no such file"
			}
			continue
		}
		env, err := verifier.ParseEnvelope(b)
		if err != nil {
			r.Kind, r.Error = errorKind(err), oneLine(err.Error())
			continue
		}
		envs = append(envs, env)
		idx = append(idx, i)
	}
	for j, err := range ring.VerifyAll(ctx, envs) {
		r := &results[idx[j]]
		if err != nil {
			r.Kind, r.Error = errorKind(err), oneLine(err.Error())
			continue
		}
		r.Valid, r.Circuit, r.Public = true, envs[j].Circuit, envs[j].Public
	}
	return results
}

func errorKind(err error) string {
	for _, k := range []struct {
		err  error
		kind string
	}{
		{verifier.ErrMalformed, "malformed"},
		{verifier.ErrWrongKey, "wrong_key"},
		{verifier.ErrPublicInput, "public_input"},
		{verifier.ErrInvalidProof, "invalid_proof"},
	} {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return "error"
}

// describe summarises a verified statement for people, from its public
// inputs only.
func describe(circuit string, public map[string]string) string {
	spec, err := circuits.Lookup(circuit)
	if err != nil {
		return circuit
	}
	vals := map[string]*big.Int{}
	for _, n := range spec.PublicInputs {
		vals[n], _ = new(big.Int).SetString(public[n], 10)
	}
	if spec.Describe != nil {
		return circuit + ": " + spec.Describe(vals)
	}
	return circuit
}
