package ceremony

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// SetupPrefix starts the manifest's Setup of keys made by a ceremony.
const SetupPrefix = "multi-party ceremony"

// SealOptions tune Seal.
type SealOptions struct {
	// Keys is the key root: the keys go to <Keys>/<circuit>/groth16/.
	Keys string
	// Beacon is the final beacon; nil for none. A sealed ceremony is sealed
	// again only with the beacon it recorded (sealing is reproducible).
	Beacon *Beacon
	// Force replaces an existing key directory.
	Force bool
}

// Seal verifies the whole ceremony, applies the final beacon and writes the
// key directory, whose manifest records the transcript's hash and the
// contributors. The transcript records the seal first (its commit point);
// sealing a sealed ceremony again writes the same keys, which is how anyone
// can check them.
func (c *Ceremony) Seal(ctx context.Context, spec circuits.Spec, opt SealOptions, report func(Link)) (*verifier.Manifest, error) {
	t := c.Transcript
	beacon, err := c.SealBeacon(opt.Beacon)
	if err != nil {
		return nil, err
	}
	dir := verifier.KeyDir(opt.Keys, t.Circuit, verifier.BackendGroth16)
	if _, err := os.Stat(dir); err == nil && !opt.Force {
		return nil, fmt.Errorf("%w in %s (use --force to replace them; proofs made with them will stop verifying)", prover.ErrKeysExist, dir)
	}
	c.stage("checking the circuit against this build")
	if err := c.CheckCircuit(spec); err != nil {
		return nil, err
	}
	s, err := c.verify(ctx, report, beacon, true)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !t.Sealed() {
		next := *t
		next.Seal = &SealRecord{Beacon: beacon, VKSHA256: s.vkSHA256, Time: time.Now().UTC().Truncate(time.Second)}
		if err := c.commit(&next); err != nil {
			return nil, err
		}
	}
	c.stage("writing keys to " + dir)
	return prover.WriteKeys(dir, spec, verifier.BackendGroth16, s.r1cs, s.pk, s.vk, c.Trust(), func(m *verifier.Manifest) {
		m.Transcript = c.TranscriptSHA256()
		m.Contributors = c.Transcript.Contributors()
	})
}

// SealBeacon returns the final beacon that sealing uses given the one on
// the command line (nil for none), or why the ceremony cannot be sealed.
func (c *Ceremony) SealBeacon(given *Beacon) (*Beacon, error) {
	t := c.Transcript
	switch {
	case t.Sealed():
		if given != nil && (t.Seal.Beacon == nil || given.Value != t.Seal.Beacon.Value) {
			return nil, fmt.Errorf("%w: the ceremony was sealed with beacon %s; sealing again gives the same keys only with it", ErrPhase, t.Seal.Beacon)
		}
		return t.Seal.Beacon, nil
	case t.Phase != 2:
		return nil, fmt.Errorf("%w: phase 1 is still open: close it with `wageproof ceremony phase2`, then collect phase-2 contributions", ErrPhase)
	case len(t.Phase2) == 0:
		return nil, fmt.Errorf("%w: phase 2 has no contributions yet", ErrPhase)
	}
	return given, nil
}

// Trust says, for the manifest, whom the keys ask to trust.
func (c *Ceremony) Trust() string {
	t := c.Transcript
	final := "none"
	if t.Sealed() && t.Seal.Beacon != nil {
		final = "0x" + t.Seal.Beacon.Value
	}
	return fmt.Sprintf("%s (wageproof ceremony): %d phase-1 and %d phase-2 contributions by %s; sound if at least one contributor in each phase kept their randomness secret; final beacon %s",
		SetupPrefix, len(t.Phase1), len(t.Phase2), strings.Join(t.Contributors(), ", "), final)
}
