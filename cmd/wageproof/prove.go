package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"

	"github.com/consensys/gnark/frontend"
	"github.com/google/renameio/v2"
	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

func proveCommand() *cli.Command {
	return &cli.Command{
		Name:  "prove",
		Usage: "make a proof envelope",
		Subcommands: []*cli.Command{
			proveSalaryCommand(),
			proveSalaryAttestedCommand(),
			proveOfferCommand(),
		},
	}
}

// Flags shared by every statement a member proves.
func memberProofFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true},
		&cli.StringFlag{Name: "member", Usage: "member identity file", Required: true},
		&cli.StringFlag{Name: "registry", Usage: "member registry file (or --server)"},
		serverFlag("fetch the Merkle path from this service; the salary never leaves this machine"), // --server (serve.go, remote.go)
		&cli.BoolFlag{Name: "submit", Usage: "with --server: also submit the proof"},
		&cli.StringFlag{Name: "out", Usage: "proof file to write", Required: true},
		backendFlag(),
	}
}

func backendFlag() cli.Flag {
	return &cli.StringFlag{Name: "backend", Value: verifier.BackendGroth16, Usage: fmt.Sprintf("proving system, one of %v", verifier.Backends())}
}

func proveSalaryCommand() *cli.Command {
	return &cli.Command{
		Name:  "salary",
		Usage: "prove that your salary lies in a bucket, once per period",
		Flags: append(memberProofFlags(),
			&cli.Uint64Flag{Name: "salary", Usage: "annual salary in whole units of --currency (secret; also read from $WAGEPROOF_SALARY)", EnvVars: []string{"WAGEPROOF_SALARY"}, Required: true},
			&cli.StringFlag{Name: "currency", Usage: "ISO 4217 code", Required: true},
			&cli.StringFlag{Name: "role", Usage: "SOC 2018 occupation code, e.g. 15-1252", Required: true},
			&cli.StringFlag{Name: "region", Usage: "ISO 3166-1 or 3166-2 code, e.g. US-CA", Required: true},
			&cli.StringFlag{Name: "period", Usage: "month, e.g. 2026-11", Required: true},
			&cli.StringFlag{Name: "bucket", Usage: "lo:hi (hi exclusive); default: the default bucket scheme"},
			&cli.Uint64Flag{Name: "bucket-width", Usage: "width of the default scheme's buckets (default: per currency, see README)"},
			&cli.StringFlag{Name: "opening", Usage: "also write the commitment's opening (salary, salt) to this file, mode 0600"},
		),
		Action: proveSalary,
	}
}

// memberInputs loads the identity and its place in the registry.
func memberInputs(c *cli.Context) (*member.Identity, salary.Membership, error) {
	id, err := member.Load(c.String("member"))
	if err != nil {
		return nil, salary.Membership{}, err
	}
	if c.String("server") != "" { // --server (serve.go, remote.go)
		m, err := remoteMembership(c, id)
		return id, m, err
	}
	if err := needLocalRegistry(c); err != nil {
		return nil, salary.Membership{}, err
	}
	reg, err := registry.Load(c.String("registry"))
	if err != nil {
		return nil, salary.Membership{}, err
	}
	idx, path, err := reg.Path(id.Commitment())
	if err != nil {
		return nil, salary.Membership{}, fmt.Errorf("this member is not in %s: ask the collective to add its commitment", c.String("registry"))
	}
	root, err := reg.Root()
	if err != nil {
		return nil, salary.Membership{}, err
	}
	return id, salary.Membership{Root: root, Index: idx, Path: path}, nil
}

func proveSalary(c *cli.Context) error {
	labels := salary.Labels{
		Currency: c.String("currency"), Role: c.String("role"),
		Region: c.String("region"), Period: c.String("period"),
	}
	if _, _, _, _, err := labels.Encode(); err != nil {
		return usageError("%v", err)
	}
	amount := c.Uint64("salary")
	lo, hi, err := bucketFlag(c, labels.Currency, amount)
	if err != nil {
		return err
	}
	if err := refuseOverwrite(c.String("out")); err != nil {
		return err
	}
	id, m, err := memberInputs(c)
	if err != nil {
		return err
	}
	salt, err := salary.NewSalt()
	if err != nil {
		return err
	}
	assignment, err := salary.Input{Identity: id, Member: m, Salary: amount, Salt: salt, Lo: lo, Hi: hi, Labels: labels}.Assign()
	if err != nil {
		return err
	}
	env, err := proveToFile(c, salary.Name, assignment)
	if err != nil {
		return err
	}
	if o := c.String("opening"); o != "" {
		if err := writeOpening(o, amount, salt, env); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.App.Writer, "wrote %s: salary in [%d, %d) %s, role %s, region %s, period %s\n",
		c.String("out"), lo, hi, labels.Currency, labels.Role, labels.Region, labels.Period)
	return submitIfAsked(c) // --server (serve.go, remote.go)
}

// bucketFlag is the bucket --bucket names, or else the default scheme's (with
// --bucket-width, if given) for the amount.
func bucketFlag(c *cli.Context, currency string, amount uint64) (lo, hi uint64, err error) {
	if b := c.String("bucket"); b != "" {
		if lo, hi, err = prover.ParseBucket(b); err != nil {
			return 0, 0, usageError("%v", err)
		}
		return lo, hi, nil
	}
	scheme := prover.DefaultBuckets()
	if w := c.Uint64("bucket-width"); w > 0 {
		scheme = prover.BucketScheme{Default: w}
	}
	lo, hi = scheme.Bucket(currency, amount)
	return lo, hi, nil
}

// proveToFile proves assignment with the keys and backend the flags name
// and writes the envelope to --out.
func proveToFile(c *cli.Context, circuit string, assignment frontend.Circuit) (*verifier.Envelope, error) {
	p, err := prover.Load(c.String("keys"), circuit, c.String("backend"))
	if err != nil {
		return nil, err
	}
	env, err := p.Prove(assignment)
	if err != nil {
		return nil, err
	}
	if err := writeEnvelope(c.String("out"), env); err != nil {
		return nil, err
	}
	return env, nil
}

// refuseOverwrite keeps a proof run from silently replacing an earlier proof
// (whose nullifier may already be spent).
func refuseOverwrite(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists; refusing to overwrite it", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func writeEnvelope(path string, env *verifier.Envelope) error {
	b, err := env.Marshal()
	if err != nil {
		return err
	}
	return renameio.WriteFile(path, b, 0o644)
}

// writeOpening saves what opens the commitment, for the worker alone.
func writeOpening(path string, amount uint64, salt *big.Int, env *verifier.Envelope) error {
	b, err := json.MarshalIndent(struct {
		Commitment string `json:"commitment"`
		Salary     uint64 `json:"salary"`
		Salt       string `json:"salt"`
	}{env.Public["commitment"], amount, salt.String()}, "", "  ")
	if err != nil {
		return err
	}
	return renameio.WriteFile(path, append(b, '\n'), 0o600)
}
