package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/prover/ceremony"
	"github.com/wageproof/wageproof/verifier"
)

// ceremonyCommand runs a multi-party Groth16 setup (prover/ceremony): the
// production way to make keys, since nobody needs to be trusted alone.
func ceremonyCommand() *cli.Command {
	dirFlag := &cli.StringFlag{Name: "dir", Usage: "ceremony directory", Required: true}
	beaconFlags := []cli.Flag{
		&cli.StringFlag{Name: "beacon", Usage: "public random value in hex, fixed only after the last contribution of the phase (e.g. the hash of a future block)"},
		&cli.StringFlag{Name: "beacon-source", Usage: "where the beacon came from, recorded for auditors (e.g. \"ethereum block 21000000\")"},
	}
	return &cli.Command{
		Name:  "ceremony",
		Usage: "make Groth16 keys with a multi-party ceremony: sound if any one contributor is honest",
		Description: "init, then `contribute` by each participant (phase 1), `phase2` to close phase 1,\n" +
			"`contribute` again (phase 2), then `seal` to write the keys; `verify` checks everything at any point.",
		Subcommands: []*cli.Command{
			{
				Name:  "init",
				Usage: "start a ceremony for a circuit in a new directory",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "circuit", Value: "salary", Usage: fmt.Sprintf("circuit, one of %v", circuits.Names())},
					dirFlag,
				},
				Action: ceremonyInit,
			},
			{
				Name:   "contribute",
				Usage:  "add your contribution to the open phase, with fresh randomness",
				Flags:  []cli.Flag{dirFlag, &cli.StringFlag{Name: "name", Value: ceremony.DefaultName, Usage: "your name as the transcript shows it (letters, digits, . _ -)"}},
				Action: ceremonyContribute,
			},
			{
				Name:   "phase2",
				Usage:  "close phase 1 (verifies it, applies the beacon) and open phase 2",
				Flags:  append([]cli.Flag{dirFlag}, beaconFlags...),
				Action: ceremonyPhase2,
			},
			{
				Name:   "verify",
				Usage:  "check every contribution and print the chain of hashes",
				Flags:  []cli.Flag{dirFlag, &cli.StringFlag{Name: "keys", Usage: "also check that this key root holds the sealed keys"}},
				Action: ceremonyVerify,
			},
			{
				Name:  "seal",
				Usage: "verify everything, apply the final beacon and write the key directory",
				Flags: append([]cli.Flag{dirFlag,
					&cli.StringFlag{Name: "keys", Usage: "key root directory", Required: true},
					&cli.BoolFlag{Name: "force", Usage: "replace existing keys (old proofs stop verifying)"},
				}, beaconFlags...),
				Action: ceremonySeal,
			},
		},
	}
}

// ceremonyErr gives a ceremony error its exit status: bad arguments and
// unreadable directories are usage errors; the rest (an invalid
// contribution, a step the phase does not allow) are failures.
func ceremonyErr(err error) error {
	if errors.Is(err, ceremony.ErrUsage) || errors.Is(err, ceremony.ErrNoCeremony) || errors.Is(err, fs.ErrNotExist) {
		return &exitError{exitUsage, errors.New(strings.TrimPrefix(err.Error(), ceremony.ErrUsage.Error()+": "))}
	}
	return err
}

func openCeremony(c *cli.Context) (*ceremony.Ceremony, error) {
	cer, err := ceremony.Open(c.String("dir"))
	if err != nil {
		return nil, ceremonyErr(err)
	}
	cer.Stage = stage(c.App.ErrWriter)
	return cer, nil
}

func beaconFlag(c *cli.Context) (*ceremony.Beacon, error) {
	if !c.IsSet("beacon") {
		if c.IsSet("beacon-source") {
			return nil, usageError("--beacon-source without --beacon")
		}
		return nil, nil
	}
	b, err := ceremony.ParseBeacon(c.String("beacon"), c.String("beacon-source"))
	return b, ceremonyErr(err)
}

func warnNoBeacon(w io.Writer, what string) {
	fmt.Fprintf(w, "wageproof: note: %s with no beacon: the last contributor could have steered the result. "+
		"Keys stay sound if one contributor was honest, but a beacon (a public value fixed after the last contribution, "+
		"e.g. a future block hash) removes that last say; see the README.\n", what)
}

func ceremonyInit(c *cli.Context) error {
	spec, err := circuits.Lookup(c.String("circuit"))
	if err != nil {
		return usageError("%v", err)
	}
	stage(c.App.ErrWriter)("compiling " + spec.Name)
	cer, err := ceremony.Init(c.Context, c.String("dir"), spec)
	if err != nil {
		return ceremonyErr(err)
	}
	t := cer.Transcript
	fmt.Fprintf(c.App.Writer, "ceremony for %s v%d: %d constraints, domain size %d, circuit sha256 %s\n"+
		"phase 1 is open in %s: each contributor runs `wageproof ceremony contribute --dir %s --name NAME` in turn and passes the directory on\n",
		t.Circuit, t.CircuitVersion, t.Constraints, t.DomainSize, t.CircuitSHA256, cer.Dir, cer.Dir)
	return nil
}

func ceremonyContribute(c *cli.Context) error {
	if err := ceremony.CheckName(c.String("name")); err != nil {
		return ceremonyErr(err)
	}
	cer, err := openCeremony(c)
	if err != nil {
		return err
	}
	e, err := cer.Contribute(c.Context, c.String("name"))
	if err != nil {
		return ceremonyErr(err)
	}
	fmt.Fprintf(c.App.Writer, "phase %d contribution #%d by %s: %s\nsha256 %s\nfollows %s\n"+
		"Publish this sha256 where the group can see it (signed, if you can): it is how everyone checks that the transcript kept your contribution.\n"+
		"Your randomness came from crypto/rand and lived only in this process's memory; nothing secret was written. Pass the directory on.\n",
		cer.Transcript.Phase, e.Index, e.Name, e.File, e.SHA256, e.Prev)
	return nil
}

func printLink(w io.Writer) func(ceremony.Link) {
	return func(l ceremony.Link) { fmt.Fprintln(w, l) }
}

func ceremonyPhase2(c *cli.Context) error {
	beacon, err := beaconFlag(c)
	if err != nil {
		return err
	}
	cer, err := openCeremony(c)
	if err != nil {
		return err
	}
	if beacon == nil {
		warnNoBeacon(c.App.ErrWriter, "closing phase 1")
	}
	if err := cer.StartPhase2(c.Context, beacon, printLink(c.App.Writer)); err != nil {
		return ceremonyErr(err)
	}
	t := cer.Transcript
	fmt.Fprintf(c.App.Writer, "phase 1 closed after %d contributions with beacon %s\nphase 2 is open: start sha256 %s; contributors run `wageproof ceremony contribute --dir %s --name NAME` again\n",
		len(t.Phase1), t.Phase1Beacon, t.Phase2Initial, cer.Dir)
	return nil
}

func ceremonyVerify(c *cli.Context) error {
	cer, err := openCeremony(c)
	if err != nil {
		return err
	}
	t := cer.Transcript
	w := c.App.Writer
	fmt.Fprintf(w, "ceremony for %s v%d: %d constraints, domain size %d, circuit sha256 %s\n", t.Circuit, t.CircuitVersion, t.Constraints, t.DomainSize, t.CircuitSHA256)
	if spec, err := circuits.Lookup(t.Circuit); err == nil {
		if err := cer.CheckCircuit(spec); err != nil {
			return err
		}
	}
	if err := cer.Verify(c.Context, printLink(w)); err != nil {
		return ceremonyErr(err)
	}
	state := fmt.Sprintf("phase %d open", t.Phase)
	if t.Sealed() {
		state = "sealed"
	}
	fmt.Fprintf(w, "valid: %d phase-1 and %d phase-2 contributions, %s; transcript sha256 %s\n", len(t.Phase1), len(t.Phase2), state, cer.TranscriptSHA256())
	if c.IsSet("keys") {
		if err := cer.CheckKeys(c.String("keys")); err != nil {
			return ceremonyErr(err)
		}
		fmt.Fprintf(w, "keys in %s are this ceremony's\n", verifier.KeyDir(c.String("keys"), t.Circuit, verifier.BackendGroth16))
	}
	return nil
}

func ceremonySeal(c *cli.Context) error {
	beacon, err := beaconFlag(c)
	if err != nil {
		return err
	}
	cer, err := openCeremony(c)
	if err != nil {
		return err
	}
	if _, err := cer.SealBeacon(beacon); err != nil {
		return err
	}
	spec, err := circuits.Lookup(cer.Transcript.Circuit)
	if err != nil {
		return err
	}
	if beacon == nil && !cer.Transcript.Sealed() {
		warnNoBeacon(c.App.ErrWriter, "sealing")
	}
	m, err := cer.Seal(c.Context, spec, ceremony.SealOptions{Keys: c.String("keys"), Beacon: beacon, Force: c.Bool("force")}, printLink(c.App.Writer))
	if err != nil {
		return ceremonyErr(err)
	}
	t := cer.Transcript
	fmt.Fprintf(c.App.Writer, `
  TRUST: these keys are sound if at least ONE contributor in EACH phase
  kept their randomness secret (phase 1: %s; phase 2: %s).
  Each contributor's randomness came from crypto/rand and was never written,
  so no single party, including whoever ran this command, can forge proofs.
  The final beacon must be a public value fixed after the last contribution:
    %s
  Anyone can re-check everything with `+"`wageproof ceremony verify`"+`.

%s v%d: %d constraints, verifying key sha256 %s
transcript sha256 %s
keys in %s
`, names(t.Phase1), names(t.Phase2), beaconOrNone(t.Seal.Beacon),
		m.Circuit, m.CircuitVersion, m.Constraints, m.VKSHA256, m.Transcript, verifier.KeyDir(c.String("keys"), m.Circuit, m.Backend))
	return nil
}

func beaconOrNone(b *ceremony.Beacon) string {
	if b == nil {
		return "(none given)"
	}
	return b.String()
}

func names(cs []ceremony.Contribution) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Name)
	}
	return strings.Join(n, ", ")
}
