// Package prover compiles wageproof's circuits, manages their key
// directories, assembles witnesses and proves, singly and in batches.
package prover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/verifier"
)

// DevSetup is how the manifest of a single-party setup names it.
const DevSetup = "single-party (development only: whoever ran it can forge proofs)"

// ErrKeysExist reports a key directory that setup would overwrite.
var ErrKeysExist = errors.New("keys already exist")

// Compile compiles a statement for a backend ("" is Groth16): R1CS for
// Groth16, SparseR1CS for PLONK, over BN254.
func Compile(spec circuits.Spec, backend string) (constraint.ConstraintSystem, error) {
	sys, err := lookupSystem(orGroth16(backend))
	if err != nil {
		return nil, err
	}
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), sys.builder, spec.New())
	if err != nil {
		return nil, fmt.Errorf("compiling %s: %w", spec.Name, err)
	}
	return ccs, nil
}

func orGroth16(backend string) string {
	if backend == "" {
		return verifier.BackendGroth16
	}
	return backend
}

// SetupOptions tune Setup.
type SetupOptions struct {
	// Backend is groth16 (the default) or plonk.
	Backend string
	// SRS is a PLONK SRS file from a public ceremony (see ReadSRS); without
	// it a development SRS is generated.
	SRS string
	// Force replaces an existing key directory (every proof made with the old
	// keys stops verifying).
	Force bool
	// Stage, if set, is told what setup is doing; setup takes seconds.
	Stage func(string)
}

// Setup compiles spec, runs a setup and writes the key directory
// <root>/<circuit>/<backend>/. For Groth16 the setup is single-party; for
// PLONK the circuit-specific part is public and only the SRS needs trust. The
// directory appears whole or not at all: it is written beside its place and
// renamed into it.
func Setup(ctx context.Context, spec circuits.Spec, root string, opt SetupOptions) (*verifier.Manifest, error) {
	stage := opt.Stage
	if stage == nil {
		stage = func(string) {}
	}
	sys, err := lookupSystem(orGroth16(opt.Backend))
	if err != nil {
		return nil, err
	}
	if opt.SRS != "" && sys.name != verifier.BackendPlonk {
		return nil, fmt.Errorf("--srs is for plonk; %s keys need a ceremony (wageproof ceremony)", sys.name)
	}
	dir := verifier.KeyDir(root, spec.Name, sys.name)
	if _, err := os.Stat(dir); err == nil && !opt.Force {
		return nil, fmt.Errorf("%w in %s (use --force to replace them; proofs made with them will stop verifying)", ErrKeysExist, dir)
	}
	stage("compiling " + spec.Name)
	ccs, err := Compile(spec, sys.name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	trust := DevSetup
	var srs *SRS
	if sys.name == verifier.BackendPlonk {
		stage("preparing the KZG SRS")
		if opt.SRS != "" {
			srs, err = ReadSRS(opt.SRS, ccs)
		} else {
			srs, err = DevSRS(ccs)
		}
		if err != nil {
			return nil, err
		}
		trust = srs.Source
	}
	stage(fmt.Sprintf("%s setup over %d constraints", sys.name, ccs.GetNbConstraints()))
	pk, vk, err := sys.setup(ccs, srs)
	if err != nil {
		return nil, fmt.Errorf("setup of %s: %w", spec.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stage("writing keys to " + dir)
	m, err := WriteKeys(dir, spec, sys.name, ccs, pk, vk, trust)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// WriteKeys writes a complete key directory, whole or not at all, and
// returns its manifest; setup says in trust who had to be trusted. Each edit
// may fill in more of the manifest before it is written (a ceremony records
// its transcript).
func WriteKeys(dir string, spec circuits.Spec, backend string, ccs constraint.ConstraintSystem, pk provingKey, vk verifier.VerifyingKey, trust string, edit ...func(*verifier.Manifest)) (*verifier.Manifest, error) {
	var vkBuf bytes.Buffer
	if _, err := vk.WriteTo(&vkBuf); err != nil {
		return nil, err
	}
	m := &verifier.Manifest{
		Version:        verifier.ManifestVersion,
		Circuit:        spec.Name,
		CircuitVersion: spec.Version,
		Backend:        backend,
		Curve:          verifier.CurveBN254,
		Constraints:    ccs.GetNbConstraints(),
		PublicInputs:   spec.PublicInputs,
		VKSHA256:       verifier.SHA256Hex(vkBuf.Bytes()),
		RangeCheck:     bound.Bits.String(),
		Setup:          trust,
		Created:        time.Now().UTC().Truncate(time.Second),
	}
	for _, f := range edit {
		f(m)
	}
	err := writeDirAtomically(dir, func(tmp string) error {
		if err := writeFile(filepath.Join(tmp, verifier.ConstraintFile), ccs.WriteTo); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(tmp, verifier.ProvingKeyFile), pk.WriteRawTo); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, verifier.VerifyingKeyFile), vkBuf.Bytes(), 0o644); err != nil {
			return err
		}
		return verifier.WriteManifest(tmp, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func writeFile(path string, write func(io.Writer) (int64, error)) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeDirAtomically fills a fresh sibling of dir and renames it into place,
// replacing dir if it exists.
func writeDirAtomically(dir string, fill func(tmp string) error) error {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
