package main

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/registry"
)

var registryFlag = &cli.StringFlag{Name: "registry", Usage: "registry file (JSON list of leaves)", Required: true}

func registryCommand() *cli.Command {
	return &cli.Command{
		Name:  "registry",
		Usage: "keep a public registry (Merkle tree of depth 20 over Poseidon2)",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "append identity commitments to a registry (all or none)",
				ArgsUsage: "<commitment or attester public key 0x...>...",
				Flags:     []cli.Flag{registryFlag},
				Action:    registryAdd,
			},
			{
				Name:   "root",
				Usage:  "print the registry's root",
				Flags:  []cli.Flag{registryFlag},
				Action: registryRoot,
			},
		},
	}
}

func registryAdd(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("registry add: name at least one commitment")
	}
	path := c.String("registry")
	reg, err := registry.Load(path)
	if err != nil {
		return err
	}
	leaves := make([]fr.Element, c.NArg())
	for i, s := range c.Args().Slice() {
		// --- attester keys (issue 3): an argument starting with 0x is an
		// attester public key, registered as its leaf H(domain_attester; x, y).
		if attester.IsPublicKeyText(s) {
			pk, err := attester.ParsePublicKey(s)
			if err != nil {
				return fmt.Errorf("registry add: argument %d: %w", i+1, err)
			}
			leaves[i] = pk.Leaf()
			continue
		}
		// --- end attester keys
		if leaves[i], err = registry.ParseElement(s); err != nil {
			return fmt.Errorf("registry add: argument %d: %w", i+1, err)
		}
	}
	if err := reg.Add(leaves...); err != nil {
		return err
	}
	if err := reg.Save(path); err != nil {
		return err
	}
	root, err := reg.Root()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "%d leaves, root %s\n", reg.Len(), root.String())
	return nil
}

func registryRoot(c *cli.Context) error {
	reg, err := registry.Load(c.String("registry"))
	if err != nil {
		return err
	}
	root, err := reg.Root()
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer, root.String())
	return nil
}
