// Package ceremony runs a multi-party trusted setup for wageproof's Groth16
// keys (BN254), with gnark's mpcsetup: the keys are sound as long as one
// contributor kept their randomness secret, so no single party, not even
// whoever coordinates the ceremony, can forge proofs.
//
// A ceremony is a directory: transcript.json (the record and commit point),
// circuit.ccs (the compiled constraint system), and one file per
// contribution, phase1-0001-alice.bin, ..., then phase2-0000-initial.bin
// (the deterministic start of phase 2) and phase2-0001-dave.bin, ... Each
// file is exactly gnark's encoding of the mpcsetup object, so its SHA-256
// is the challenge that the next contribution carries: the transcript's hash
// chain and gnark's are the same chain.
//
// The flow: Init; Contribute (phase 1, any number of times); StartPhase2,
// which verifies phase 1 and seals it with a beacon; Contribute (phase 2);
// Seal, which verifies everything, applies the final beacon and writes a key
// directory. Verify checks every contribution at any point.
package ceremony

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// Errors, for errors.Is.
var (
	// ErrUsage reports a bad argument (a name, a beacon).
	ErrUsage = errors.New("usage")
	// ErrNoCeremony reports a directory without a transcript.
	ErrNoCeremony = errors.New("no ceremony")
	// ErrExists reports init over a directory that is not empty.
	ErrExists = errors.New("ceremony directory not empty")
	// ErrPhase reports a step that the ceremony's state does not allow.
	ErrPhase = errors.New("wrong phase")
	// ErrInvalid reports a transcript or contribution that does not verify.
	ErrInvalid = errors.New("invalid ceremony")
	// ErrConcurrent reports a transcript changed by someone else meanwhile.
	ErrConcurrent = errors.New("transcript changed meanwhile")
)

// Ceremony is an open ceremony directory. Its methods change the directory
// one whole file at a time and the transcript last, so a step that fails or
// is interrupted leaves the ceremony as it was.
type Ceremony struct {
	Dir        string
	Transcript *Transcript
	// Stage, if set, is told what a long step is doing.
	Stage func(string)

	raw []byte // the transcript as read: commit refuses if the file changed since
}

// Open reads the ceremony in dir.
func Open(dir string) (*Ceremony, error) {
	t, raw, err := readTranscript(dir)
	if err != nil {
		return nil, err
	}
	return &Ceremony{Dir: dir, Transcript: t, raw: raw}, nil
}

// TranscriptSHA256 is the hash of the transcript file: what the sealed key
// manifest records.
func (c *Ceremony) TranscriptSHA256() string { return hashBytes(c.raw) }

func (c *Ceremony) stage(s string) {
	if c.Stage != nil {
		c.Stage(s)
	}
}

func (c *Ceremony) path(name string) string { return filepath.Join(c.Dir, name) }

// DomainSize is the size N of the FFT domain a circuit of n constraints
// needs: the phase-1 parameters are powers of τ up to 2N-2.
func DomainSize(constraints int) uint64 {
	return max(2, ecc.NextPowerOfTwo(uint64(constraints)))
}

// Init compiles spec for Groth16 and creates a ceremony for it in dir,
// which must not exist or be empty. The directory appears whole or not at
// all.
func Init(ctx context.Context, dir string, spec circuits.Spec) (*Ceremony, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, TranscriptFile)); err == nil {
			return nil, fmt.Errorf("%w: %s already holds a ceremony", ErrExists, dir)
		}
		return nil, fmt.Errorf("%w: %s has files in it; give a new or empty directory", ErrExists, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	ccs, err := prover.Compile(spec, verifier.BackendGroth16)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := DomainSize(ccs.GetNbConstraints())
	t := &Transcript{
		Version:        TranscriptVersion,
		Circuit:        spec.Name,
		CircuitVersion: spec.Version,
		Constraints:    ccs.GetNbConstraints(),
		DomainSize:     n,
		Phase:          1,
		Phase1Initial:  hashObject(mpcsetup.NewPhase1(n)),
		Phase1:         []Contribution{},
		Phase2:         []Contribution{},
		Created:        time.Now().UTC().Truncate(time.Second),
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	if t.CircuitSHA256, err = writeObject(filepath.Join(tmp, CircuitFile), ccs); err != nil {
		return nil, err
	}
	raw, err := t.marshal()
	if err != nil {
		return nil, err
	}
	if err := writeBytesAtomic(filepath.Join(tmp, TranscriptFile), raw); err != nil {
		return nil, err
	}
	os.Remove(dir) // an empty directory; fails harmlessly otherwise, and Rename reports it
	if err := os.Rename(tmp, dir); err != nil {
		return nil, err
	}
	if err := syncDir(parent); err != nil {
		return nil, err
	}
	return &Ceremony{Dir: dir, Transcript: t, raw: raw}, nil
}

// commit writes t as the new transcript, unless someone else changed the
// transcript since it was read.
func (c *Ceremony) commit(t *Transcript) error {
	now, err := os.ReadFile(c.path(TranscriptFile))
	if err != nil {
		return err
	}
	if string(now) != string(c.raw) {
		return fmt.Errorf("%w: %s was changed by someone else while this step ran; nothing was recorded: start again", ErrConcurrent, c.path(TranscriptFile))
	}
	raw, err := t.marshal()
	if err != nil {
		return err
	}
	if err := writeBytesAtomic(c.path(TranscriptFile), raw); err != nil {
		return err
	}
	c.Transcript, c.raw = t, raw
	return nil
}

// readCircuit reads circuit.ccs and checks it is the one the transcript names.
func (c *Ceremony) readCircuit() (*cs.R1CS, error) {
	r1cs := new(cs.R1CS)
	sum, err := readObject(c.path(CircuitFile), r1cs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing", ErrInvalid, CircuitFile)
	}
	if sum != "" && sum != c.Transcript.CircuitSHA256 {
		return nil, fmt.Errorf("%w: %s was changed: its sha256 is %s, the transcript records %s", ErrInvalid, CircuitFile, sum, c.Transcript.CircuitSHA256)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, CircuitFile, err)
	}
	return r1cs, nil
}

// CheckCircuit checks that spec, as this build compiles it, is the circuit
// of the ceremony: keys for another circuit would prove nothing useful.
func (c *Ceremony) CheckCircuit(spec circuits.Spec) error {
	t := c.Transcript
	if spec.Name != t.Circuit || spec.Version != t.CircuitVersion {
		return fmt.Errorf("%w: the ceremony is for %s v%d, not %s v%d", ErrInvalid, t.Circuit, t.CircuitVersion, spec.Name, spec.Version)
	}
	ccs, err := prover.Compile(spec, verifier.BackendGroth16)
	if err != nil {
		return err
	}
	if sum := hashObject(ccs); sum != t.CircuitSHA256 {
		return fmt.Errorf("%w: this build compiles %s v%d to a constraint system with sha256 %s, the ceremony's is %s: the circuit changed, and the ceremony must start again", ErrInvalid, spec.Name, spec.Version, sum, t.CircuitSHA256)
	}
	return nil
}

// Contribute adds a contribution to the open phase, with fresh randomness
// from crypto/rand (gnark's mpcsetup draws it inside Contribute and keeps it
// in local variables only: nothing secret is written or returned). It first
// checks that the latest contribution is a valid update of the one before,
// so that nobody builds on garbage; Verify checks the whole chain.
func (c *Ceremony) Contribute(ctx context.Context, name string) (*Contribution, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	t := c.Transcript
	if t.Sealed() {
		return nil, fmt.Errorf("%w: the ceremony is sealed; it takes no more contributions", ErrPhase)
	}
	var (
		head interface {
			hashedObject
			Contribute()
			challenge() []byte
		}
		prevHash string
		err      error
	)
	if t.Phase == 1 {
		var p *mpcsetup.Phase1
		p, prevHash, err = headOf[mpcsetup.Phase1](c, 1, t.Phase1, func() *mpcsetup.Phase1 { return mpcsetup.NewPhase1(t.DomainSize) }, t.Phase1Initial, "")
		head = phase1{p}
	} else {
		var p *mpcsetup.Phase2
		p, prevHash, err = headOf[mpcsetup.Phase2](c, 2, t.Phase2, nil, t.Phase2Initial, Phase2InitialFile)
		head = phase2{p}
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	list := t.contributions(t.Phase)
	c.stage(fmt.Sprintf("contributing to phase %d with fresh randomness from crypto/rand", t.Phase))
	head.Contribute()
	if got := hex.EncodeToString(head.challenge()); got != prevHash {
		// The file is gnark's encoding, so this holds by construction.
		return nil, fmt.Errorf("internal error: challenge %s does not match the previous hash %s", got, prevHash)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := Contribution{
		Index: len(list) + 1,
		Name:  name,
		File:  contributionFile(t.Phase, len(list)+1, name),
		Prev:  prevHash,
		Time:  time.Now().UTC().Truncate(time.Second),
	}
	c.stage("writing " + e.File)
	// A file of that name not in the transcript is left by an interrupted
	// contribute: it is replaced.
	if e.SHA256, err = writeObject(c.path(e.File), head); err != nil {
		return nil, err
	}
	next := *t
	if t.Phase == 1 {
		next.Phase1 = append(slices.Clone(t.Phase1), e)
	} else {
		next.Phase2 = append(slices.Clone(t.Phase2), e)
	}
	if err := c.commit(&next); err != nil {
		os.Remove(c.path(e.File))
		return nil, err
	}
	return &e, nil
}

// StartPhase2 closes phase 1: it verifies every phase-1 contribution, seals
// phase 1 with beacon (nil for none) and computes the start of phase 2 for
// the circuit.
func (c *Ceremony) StartPhase2(ctx context.Context, beacon *Beacon, report func(Link)) error {
	t := c.Transcript
	if t.Sealed() || t.Phase != 1 {
		return fmt.Errorf("%w: phase 1 is already closed", ErrPhase)
	}
	if len(t.Phase1) == 0 {
		return fmt.Errorf("%w: phase 1 has no contributions yet: a beacon alone is a setup anyone can reproduce", ErrPhase)
	}
	r1cs, err := c.readCircuit()
	if err != nil {
		return err
	}
	last, err := c.verifyPhase1(ctx, report)
	if err != nil {
		return err
	}
	c.stage("sealing phase 1 with the beacon")
	commons := last.Seal(beacon.bytes())
	if err := ctx.Err(); err != nil {
		return err
	}
	c.stage(fmt.Sprintf("computing the start of phase 2 for %s (%d constraints; takes a while)", t.Circuit, t.Constraints))
	var init mpcsetup.Phase2
	init.Initialize(r1cs, &commons)
	if err := ctx.Err(); err != nil {
		return err
	}
	sum, err := writeObject(c.path(Phase2InitialFile), &init)
	if err != nil {
		return err
	}
	next := *t
	next.Phase, next.Phase1Beacon, next.Phase2Initial = 2, beacon, sum
	if err := c.commit(&next); err != nil {
		os.Remove(c.path(Phase2InitialFile))
		return err
	}
	return nil
}
