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
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/verifier"
)

// DevSetup is how the manifest of a single-party setup names it.
const DevSetup = "single-party (development only: whoever ran it can forge proofs)"

// ErrKeysExist reports a key directory that setup would overwrite.
var ErrKeysExist = errors.New("keys already exist")

// Compile compiles a statement to its R1CS for Groth16 over BN254.
func Compile(spec circuits.Spec) (constraint.ConstraintSystem, error) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, spec.New())
	if err != nil {
		return nil, fmt.Errorf("compiling %s: %w", spec.Name, err)
	}
	return ccs, nil
}

// SetupOptions tune Setup.
type SetupOptions struct {
	// Force replaces an existing key directory (every proof made with the old
	// keys stops verifying).
	Force bool
	// Stage, if set, is told what setup is doing; setup takes seconds.
	Stage func(string)
}

// Setup compiles spec, runs a single-party Groth16 setup and writes the key
// directory <root>/<circuit>/groth16/. The directory appears whole or not at
// all: it is written beside its place and renamed into it.
func Setup(ctx context.Context, spec circuits.Spec, root string, opt SetupOptions) (*verifier.Manifest, error) {
	stage := opt.Stage
	if stage == nil {
		stage = func(string) {}
	}
	dir := verifier.KeyDir(root, spec.Name, verifier.BackendGroth16)
	if _, err := os.Stat(dir); err == nil && !opt.Force {
		return nil, fmt.Errorf("%w in %s (use --force to replace them; proofs made with them will stop verifying)", ErrKeysExist, dir)
	}
	stage("compiling " + spec.Name)
	ccs, err := Compile(spec)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stage(fmt.Sprintf("groth16 setup over %d constraints", ccs.GetNbConstraints()))
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		return nil, fmt.Errorf("setup of %s: %w", spec.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stage("writing keys to " + dir)
	var vkBuf bytes.Buffer
	if _, err := vk.WriteTo(&vkBuf); err != nil {
		return nil, err
	}
	m := &verifier.Manifest{
		Version:        verifier.ManifestVersion,
		Circuit:        spec.Name,
		CircuitVersion: spec.Version,
		Backend:        verifier.BackendGroth16,
		Curve:          verifier.CurveBN254,
		Constraints:    ccs.GetNbConstraints(),
		PublicInputs:   spec.PublicInputs,
		VKSHA256:       verifier.SHA256Hex(vkBuf.Bytes()),
		RangeCheck:     bound.Bits.String(),
		Setup:          DevSetup,
		Created:        time.Now().UTC().Truncate(time.Second),
	}
	err = writeDirAtomically(dir, func(tmp string) error {
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
