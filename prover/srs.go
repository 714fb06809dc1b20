package prover

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/test/unsafekzg"
)

// SRS is a KZG structured reference string for PLONK, in the canonical
// (powers of tau) and Lagrange forms that gnark's PLONK setup takes.
type SRS struct {
	Canonical *kzg.SRS
	Lagrange  *kzg.SRS
	Source    string // how the manifest names it
}

// DevSRSSource is how a manifest names an SRS generated on this machine.
const DevSRSSource = "development SRS generated on one machine (whoever ran it can forge proofs)"

// DevSRS generates an SRS large enough for ccs from a random secret that this
// process sees: for development only.
func DevSRS(ccs constraint.ConstraintSystem) (*SRS, error) {
	canonical, lagrange, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		return nil, err
	}
	return &SRS{Canonical: canonical.(*kzg.SRS), Lagrange: lagrange.(*kzg.SRS), Source: DevSRSSource}, nil
}

// ReadSRS loads an SRS from a public ceremony for ccs. The file holds one
// BN254 KZG SRS in gnark-crypto's binary encoding (kzg.SRS.WriteTo: the
// powers [τ^i]G1, then [1]G2 and [τ]G2, points compressed and checked on
// read); a ceremony transcript in another format is converted to it once. The
// SRS is cut to the circuit's size and its Lagrange form is computed here.
func ReadSRS(path string, ccs constraint.ConstraintSystem) (*SRS, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	var srs kzg.SRS
	if _, err := srs.ReadFrom(io.TeeReader(bufio.NewReaderSize(f, 1<<20), h)); err != nil {
		return nil, fmt.Errorf("srs %s: not a BN254 KZG SRS in gnark-crypto encoding: %w", path, err)
	}
	sizeCanonical, sizeLagrange := plonk.SRSSize(ccs)
	if len(srs.Pk.G1) < sizeCanonical {
		return nil, fmt.Errorf("srs %s: has %d G1 powers, the circuit needs %d", path, len(srs.Pk.G1), sizeCanonical)
	}
	srs.Pk.G1 = srs.Pk.G1[:sizeCanonical]
	lagrangeG1, err := kzg.ToLagrangeG1(srs.Pk.G1[:sizeLagrange])
	if err != nil {
		return nil, fmt.Errorf("srs %s: %w", path, err)
	}
	lagrange := &kzg.SRS{Vk: srs.Vk}
	lagrange.Pk.G1 = lagrangeG1
	return &SRS{Canonical: &srs, Lagrange: lagrange, Source: "srs sha256 " + hex.EncodeToString(h.Sum(nil))}, nil
}
