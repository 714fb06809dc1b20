package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/google/renameio/v2"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/verifier"
	"github.com/wageproof/wageproof/verifier/evm"
)

// withEVMExports adds `export solidity` and `export calldata` to the store
// export command. urfave/cli checks a command's required flags before it
// looks for a subcommand, so the store export's required flags become
// optional here and its own action checks them instead.
func withEVMExports(cmd *cli.Command) *cli.Command {
	var required []string
	flags := make([]cli.Flag, len(cmd.Flags))
	for i, f := range cmd.Flags {
		flags[i] = f
		if sf, ok := f.(*cli.StringFlag); ok && sf.Required {
			optional := *sf
			optional.Required = false
			flags[i] = &optional
			required = append(required, sf.Name)
		}
	}
	cmd.Flags = flags
	if action := cmd.Action; action != nil {
		cmd.Action = func(c *cli.Context) error {
			for _, name := range required {
				if !c.IsSet(name) {
					return usageError("export: --%s is required (or use `export solidity` or `export calldata`)", name)
				}
			}
			return action(c)
		}
	}
	cmd.Subcommands = append(cmd.Subcommands, exportSolidityCommand(), exportCalldataCommand())
	cmd.Usage += "; `export solidity` and `export calldata` serve smart contracts"
	return cmd
}

func exportSolidityCommand() *cli.Command {
	return &cli.Command{
		Name:  "solidity",
		Usage: "write the Solidity verifier contract of a verifying key (gnark's export)",
		Description: "Groth16 keys export contract Verifier with verifyProof(bytes proof, uint256[N] input),\n" +
			"which reverts unless the proof is valid; PLONK keys export contract PlonkVerifier with\n" +
			"Verify(bytes proof, uint256[] public_inputs) returns (bool). `export calldata` prints their arguments.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "keys", Usage: "key root directory (<keys>/<circuit>/<backend>/); required"},
			&cli.StringFlag{Name: "circuit", Usage: "circuit: " + fmt.Sprint(circuits.Names()), Value: "salary"},
			&cli.StringFlag{Name: "backend", Usage: "groth16 or plonk", Value: verifier.BackendGroth16},
			&cli.StringFlag{Name: "out", Usage: "file to write (default: standard output)"},
		},
		Action: exportSolidity,
	}
}

func exportSolidity(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError("export solidity: unexpected argument %q", c.Args().First())
	}
	if c.String("keys") == "" {
		return usageError("export solidity: --keys is required")
	}
	circuit, backend := c.String("circuit"), c.String("backend")
	if _, err := circuits.Lookup(circuit); err != nil {
		return usageError("export solidity: %v", err)
	}
	if _, err := verifier.LookupSystem(backend); err != nil {
		return usageError("export solidity: %v", err)
	}
	dir := verifier.KeyDir(c.String("keys"), circuit, backend)
	k, err := verifier.LoadKey(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return usageError("export solidity: no %s keys for circuit %q in %s", backend, circuit, dir)
	}
	if err != nil {
		return fmt.Errorf("export solidity: %w: %v", verifier.ErrWrongKey, err)
	}
	var src bytes.Buffer
	if err := k.ExportSolidity(&src); err != nil {
		return fmt.Errorf("export solidity: %s/%s: %w", circuit, backend, err)
	}
	out := c.String("out")
	if out == "" || out == "-" {
		_, err := c.App.Writer.Write(src.Bytes())
		return err
	}
	if err := renameio.WriteFile(out, src.Bytes(), 0o644); err != nil {
		return &exitError{exitUsage, fmt.Errorf("export solidity: %w", err)}
	}
	fmt.Fprintf(c.App.ErrWriter, "wrote the %s verifier of %s (vk %.12s…) to %s\n", backend, circuit, k.Manifest.VKSHA256, out)
	return nil
}

func exportCalldataCommand() *cli.Command {
	return &cli.Command{
		Name:      "calldata",
		Usage:     "print a proof file's proof and public inputs as the exported verifier takes them",
		ArgsUsage: "proof.json",
		Description: "Prints the verifier function, the proof (gnark's MarshalSolidity encoding) as hex and the\n" +
			"public inputs as an array of 32-byte hex words, in the circuit's order. With --abi, prints\n" +
			"instead the whole ABI-encoded call (4-byte selector, then the arguments) as one hex line:\n" +
			"the data of a transaction or eth_call to the verifier. ClaimPool.claim takes the same\n" +
			"two arguments as the Groth16 verifier's verifyProof.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "abi", Usage: "print the ABI-encoded call data (selector included)"},
			&cli.StringFlag{Name: "keys", Usage: "key root: verify the proof first, and refuse it if invalid"},
		},
		Action: exportCalldata,
	}
}

func exportCalldata(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError("export calldata: name one proof file")
	}
	path := c.Args().First()
	b, err := os.ReadFile(path)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("export calldata: %w", err)}
	}
	env, err := verifier.ParseEnvelope(b)
	if err != nil {
		return fmt.Errorf("export calldata: %s: %w", path, err)
	}
	if keys := c.String("keys"); keys != "" {
		if err := verifier.OpenKeyring(keys).Verify(env); err != nil {
			return fmt.Errorf("export calldata: %s: %w", path, err)
		}
	}
	cd, err := evm.FromEnvelope(env)
	if err != nil {
		return fmt.Errorf("export calldata: %s: %w", path, err)
	}
	w := c.App.Writer
	if c.Bool("abi") {
		data, err := cd.Pack()
		if err != nil {
			return fmt.Errorf("export calldata: %w", err)
		}
		_, err = fmt.Fprintf(w, "0x%x\n", data)
		return err
	}
	_, err = fmt.Fprintf(w, "function: %s\nproof: %s\ninput: %s\n", cd.Method(), cd.ProofHex(), cd.InputHex())
	return err
}
