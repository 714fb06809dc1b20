package ceremony

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	cs "github.com/consensys/gnark/constraint/bn254"

	"github.com/wageproof/wageproof/verifier"
)

// hashedObject is a gnark mpcsetup object: its file is its encoding.
type hashedObject interface {
	io.WriterTo
	io.ReaderFrom
}

// mpcObject is a phase's contribution type, *Phase1 or *Phase2.
type mpcObject[T any] interface {
	*T
	hashedObject
	Verify(next *T) error
}

// phase1 and phase2 expose the challenge (the previous contribution's hash)
// that a contribution carries.
type phase1 struct{ *mpcsetup.Phase1 }
type phase2 struct{ *mpcsetup.Phase2 }

func (p phase1) challenge() []byte { return p.Challenge }
func (p phase2) challenge() []byte { return p.Challenge }

// LinkKind is what a line of the verified chain is.
type LinkKind int

const (
	LinkStart        LinkKind = iota // the deterministic start of a phase
	LinkContribution                 // a verified contribution
	LinkBeacon                       // a beacon that closed a phase
	LinkKeys                         // the sealed verifying key
	LinkIgnored                      // a contribution file the transcript does not list
)

// Link is one verified step of the chain, reported as verification goes.
type Link struct {
	Kind         LinkKind
	Phase        int
	Contribution *Contribution // LinkContribution
	SHA256       string        // the step's hash: of the file, or of the verifying key
	Beacon       *Beacon       // LinkBeacon
	File         string        // LinkIgnored
}

func (l Link) String() string {
	switch l.Kind {
	case LinkStart:
		return fmt.Sprintf("phase %d start                      sha256 %s", l.Phase, l.SHA256)
	case LinkContribution:
		c := l.Contribution
		return fmt.Sprintf("phase %d #%d %-16s ok   sha256 %s  (%s)", l.Phase, c.Index, c.Name, c.SHA256, c.File)
	case LinkBeacon:
		if l.Beacon == nil {
			return fmt.Sprintf("phase %d closed with no beacon", l.Phase)
		}
		return fmt.Sprintf("phase %d closed with beacon %s", l.Phase, l.Beacon)
	case LinkKeys:
		return fmt.Sprintf("sealed: verifying key sha256 %s", l.SHA256)
	default:
		return fmt.Sprintf("ignored: %s is not in the transcript (left by an interrupted contribute?)", l.File)
	}
}

func emit(report func(Link), l Link) {
	if report != nil {
		report(l)
	}
}

// readEntry reads the file of a transcript entry and checks that it is the
// file the entry recorded. byHash names the other entries by hash, to tell
// reordered files from changed ones.
func readEntry[T any, P mpcObject[T]](c *Ceremony, phase int, e Contribution, byHash map[string]string) (P, error) {
	who := fmt.Sprintf("phase %d contribution #%d (%s)", phase, e.Index, e.Name)
	if CheckName(e.Name) != nil || e.File != contributionFile(phase, e.Index, e.Name) {
		return nil, fmt.Errorf("%w: %s: the transcript names file %q, want %q", ErrInvalid, who, e.File, contributionFile(phase, e.Index, e.Name))
	}
	p := P(new(T))
	sum, err := readObject(c.path(e.File), p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %s is missing", ErrInvalid, who, e.File)
	}
	if sum != "" && sum != e.SHA256 {
		if other, ok := byHash[sum]; ok {
			return nil, fmt.Errorf("%w: %s: %s holds the bytes of %s: the files were swapped or reordered", ErrInvalid, who, e.File, other)
		}
		return nil, fmt.Errorf("%w: %s: %s was changed after it was contributed: its sha256 is %s, the transcript records %s", ErrInvalid, who, e.File, sum, e.SHA256)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s is not a phase-%d contribution: %v", ErrInvalid, who, e.File, phase, err)
	}
	return p, nil
}

// readStart returns the start of a phase: fresh for phase 1 (computed),
// the file for phase 2 (computed by StartPhase2). Either must hash to want.
func readStart[T any, P mpcObject[T]](c *Ceremony, fresh func() P, file, want string) (P, error) {
	if fresh != nil {
		p := fresh()
		if got := hashObject(p); got != want {
			return nil, fmt.Errorf("%w: the transcript's phase-1 start %s is not that of domain size %d (%s)", ErrInvalid, want, c.Transcript.DomainSize, got)
		}
		return p, nil
	}
	p := P(new(T))
	sum, err := readObject(c.path(file), p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing", ErrInvalid, file)
	}
	if sum != "" && sum != want {
		return nil, fmt.Errorf("%w: %s was changed: its sha256 is %s, the transcript records %s", ErrInvalid, file, sum, want)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, file, err)
	}
	return p, nil
}

// headOf returns the latest state of a phase and its hash, after checking
// that it is a valid update of the state before it.
func headOf[T any, P mpcObject[T]](c *Ceremony, phase int, list []Contribution, fresh func() P, startHash, startFile string) (P, string, error) {
	byHash := hashes(phase, list)
	if len(list) == 0 {
		p, err := readStart[T, P](c, fresh, startFile, startHash)
		return p, startHash, err
	}
	last := list[len(list)-1]
	c.stage("reading " + last.File)
	head, err := readEntry[T, P](c, phase, last, byHash)
	if err != nil {
		return nil, "", err
	}
	var prev P
	prevHash := startHash
	if len(list) == 1 {
		prev, err = readStart[T, P](c, fresh, startFile, startHash)
	} else {
		prevHash = list[len(list)-2].SHA256
		prev, err = readEntry[T, P](c, phase, list[len(list)-2], byHash)
	}
	if err != nil {
		return nil, "", err
	}
	if last.Prev != prevHash {
		return nil, "", fmt.Errorf("%w: phase %d contribution #%d (%s) does not follow the one before it in the transcript: run `wageproof ceremony verify`", ErrInvalid, phase, last.Index, last.Name)
	}
	c.stage("checking " + last.File + " against the one before it")
	if err := prev.Verify(head); err != nil {
		return nil, "", fmt.Errorf("%w: phase %d contribution #%d (%s) does not verify: %v; nothing was added: run `wageproof ceremony verify`", ErrInvalid, phase, last.Index, last.Name, err)
	}
	return head, last.SHA256, nil
}

func hashes(phase int, list []Contribution) map[string]string {
	m := make(map[string]string, len(list))
	for _, e := range list {
		m[e.SHA256] = fmt.Sprintf("phase %d contribution #%d (%s, %s)", phase, e.Index, e.Name, e.File)
	}
	return m
}

// verifyChain checks a phase's contributions in order from start: each file
// is the one recorded, follows the one before it, and is a valid update of
// it (gnark's proofs of knowledge and consistency). It returns the last
// state.
func verifyChain[T any, P mpcObject[T]](ctx context.Context, c *Ceremony, phase int, list []Contribution, start P, startHash string, report func(Link)) (P, error) {
	byHash := hashes(phase, list)
	prev, prevHash := start, startHash
	for i, e := range list {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		who := fmt.Sprintf("phase %d contribution #%d (%s)", phase, i+1, e.Name)
		if e.Index != i+1 {
			return nil, fmt.Errorf("%w: %s: the transcript numbers it #%d: entries are out of order", ErrInvalid, who, e.Index)
		}
		if e.Prev != prevHash {
			if other, ok := byHash[e.Prev]; ok {
				return nil, fmt.Errorf("%w: %s says it follows %s, but the contribution before it has sha256 %s: contributions are out of order", ErrInvalid, who, other, prevHash)
			}
			return nil, fmt.Errorf("%w: %s says it follows sha256 %s, but the contribution before it has sha256 %s: a contribution is missing or out of order", ErrInvalid, who, e.Prev, prevHash)
		}
		c.stage(fmt.Sprintf("verifying %s", e.File))
		next, err := readEntry[T, P](c, phase, e, byHash)
		if err != nil {
			return nil, err
		}
		if err := prev.Verify(next); err != nil {
			return nil, fmt.Errorf("%w: %s: %s is not a valid update of the contribution before it: %v", ErrInvalid, who, e.File, err)
		}
		emit(report, Link{Kind: LinkContribution, Phase: phase, Contribution: &list[i], SHA256: e.SHA256})
		prev, prevHash = next, e.SHA256
	}
	return prev, nil
}

// verifyPhase1 checks phase 1 and returns its last state.
func (c *Ceremony) verifyPhase1(ctx context.Context, report func(Link)) (*mpcsetup.Phase1, error) {
	t := c.Transcript
	start, err := readStart[mpcsetup.Phase1](c, func() *mpcsetup.Phase1 { return mpcsetup.NewPhase1(t.DomainSize) }, "", t.Phase1Initial)
	if err != nil {
		return nil, err
	}
	emit(report, Link{Kind: LinkStart, Phase: 1, SHA256: t.Phase1Initial})
	return verifyChain(ctx, c, 1, t.Phase1, start, t.Phase1Initial, report)
}

// sealed is the outcome of a full verification that went to the keys.
type sealed struct {
	r1cs     *cs.R1CS
	pk       groth16.ProvingKey
	vk       groth16.VerifyingKey
	vkSHA256 string
}

// Verify checks the whole ceremony as far as it has gone: the circuit file,
// every contribution of both phases in order, the beacons, and for a sealed
// ceremony that the keys it gives are the ones recorded. It reports each
// verified link as it goes and fails on the first bad one, wrapping
// ErrInvalid.
func (c *Ceremony) Verify(ctx context.Context, report func(Link)) error {
	var final *Beacon
	if c.Transcript.Sealed() {
		final = c.Transcript.Seal.Beacon
	}
	if _, err := c.verify(ctx, report, final, c.Transcript.Sealed()); err != nil {
		return err
	}
	c.reportIgnored(report)
	return nil
}

// verify checks the ceremony and, if seal, seals phase 2 with final.
func (c *Ceremony) verify(ctx context.Context, report func(Link), final *Beacon, seal bool) (*sealed, error) {
	t := c.Transcript
	r1cs, err := c.readCircuit()
	if err != nil {
		return nil, err
	}
	if DomainSize(r1cs.GetNbConstraints()) != t.DomainSize || r1cs.GetNbConstraints() != t.Constraints {
		return nil, fmt.Errorf("%w: the circuit has %d constraints, the transcript says %d (domain %d)", ErrInvalid, r1cs.GetNbConstraints(), t.Constraints, t.DomainSize)
	}
	last1, err := c.verifyPhase1(ctx, report)
	if err != nil {
		return nil, err
	}
	if t.Phase == 1 {
		return nil, nil
	}
	if len(t.Phase1) == 0 {
		return nil, fmt.Errorf("%w: phase 2 started without any phase-1 contribution", ErrInvalid)
	}
	emit(report, Link{Kind: LinkBeacon, Phase: 1, Beacon: t.Phase1Beacon})
	c.stage("sealing phase 1 with its beacon")
	commons := last1.Seal(t.Phase1Beacon.bytes())
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.stage(fmt.Sprintf("recomputing the start of phase 2 (%d constraints; takes a while)", t.Constraints))
	start := new(mpcsetup.Phase2)
	evals := start.Initialize(r1cs, &commons)
	if got := hashObject(start); got != t.Phase2Initial {
		return nil, fmt.Errorf("%w: the transcript's start of phase 2 (sha256 %s) is not the one that phase 1, its beacon and the circuit give (%s)", ErrInvalid, t.Phase2Initial, got)
	}
	emit(report, Link{Kind: LinkStart, Phase: 2, SHA256: t.Phase2Initial})
	last2, err := verifyChain(ctx, c, 2, t.Phase2, start, t.Phase2Initial, report)
	if err != nil {
		return nil, err
	}
	if !seal {
		return nil, nil
	}
	if len(t.Phase2) == 0 {
		return nil, fmt.Errorf("%w: phase 2 has no contributions yet", ErrPhase)
	}
	emit(report, Link{Kind: LinkBeacon, Phase: 2, Beacon: final})
	c.stage("sealing phase 2 with the final beacon")
	pk, vk := last2.Seal(&commons, &evals, final.bytes())
	s := &sealed{r1cs: r1cs, pk: pk, vk: vk, vkSHA256: hashObject(vk)}
	if t.Sealed() && s.vkSHA256 != t.Seal.VKSHA256 {
		return nil, fmt.Errorf("%w: the ceremony gives a verifying key with sha256 %s, the transcript records %s", ErrInvalid, s.vkSHA256, t.Seal.VKSHA256)
	}
	emit(report, Link{Kind: LinkKeys, SHA256: s.vkSHA256})
	return s, nil
}

// reportIgnored reports contribution files that the transcript does not
// list: left by an interrupted contribute, or put there by hand. They are
// not part of the ceremony.
func (c *Ceremony) reportIgnored(report func(Link)) {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	listed := map[string]bool{Phase2InitialFile: true}
	for _, e := range append(append([]Contribution(nil), c.Transcript.Phase1...), c.Transcript.Phase2...) {
		listed[e.File] = true
	}
	for _, e := range entries {
		if contributionFileRE.MatchString(e.Name()) && !listed[e.Name()] {
			emit(report, Link{Kind: LinkIgnored, File: e.Name()})
		}
	}
}

// CheckKeys checks that the key directory under root for the ceremony's
// circuit holds the keys this (sealed) ceremony made.
func (c *Ceremony) CheckKeys(root string) error {
	t := c.Transcript
	if !t.Sealed() {
		return fmt.Errorf("%w: the ceremony is not sealed", ErrPhase)
	}
	dir := verifier.KeyDir(root, t.Circuit, verifier.BackendGroth16)
	m, err := verifier.ReadManifest(dir)
	if err != nil {
		return err
	}
	if m.VKSHA256 != t.Seal.VKSHA256 {
		return fmt.Errorf("%w: %s holds verifying key %s, the ceremony made %s", ErrInvalid, dir, m.VKSHA256, t.Seal.VKSHA256)
	}
	if m.Transcript != c.TranscriptSHA256() {
		return fmt.Errorf("%w: %s names transcript %q, this one has sha256 %s", ErrInvalid, dir, m.Transcript, c.TranscriptSHA256())
	}
	return nil
}
