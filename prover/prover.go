package prover

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/verifier"
)

// ErrNoKeys reports a key directory that does not exist.
var ErrNoKeys = errors.New("no keys")

// Prover holds one circuit's constraint system and proving key, loaded once
// and reused for every proof. It is safe for concurrent use.
type Prover struct {
	Manifest *verifier.Manifest
	Spec     circuits.Spec
	sys      *system
	ccs      constraint.ConstraintSystem
	pk       provingKey
}

// Load reads the key directory of circuit and backend ("" is groth16) under
// root. The files are our own
// (setup wrote them and the manifest names the verifying key's hash), so they
// are read without the subgroup checks that untrusted input would need.
func Load(root, circuit, backend string) (*Prover, error) {
	sys, err := lookupSystem(orGroth16(backend))
	if err != nil {
		return nil, err
	}
	dir := verifier.KeyDir(root, circuit, sys.name)
	m, err := verifier.ReadManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for circuit %q (%s) under %s: run `wageproof setup --circuit %s --backend %s --keys %s`", ErrNoKeys, circuit, sys.name, root, circuit, sys.name, root)
	}
	if err != nil {
		return nil, err
	}
	spec, err := circuits.Lookup(m.Circuit)
	if err != nil {
		return nil, err
	}
	if spec.Version != m.CircuitVersion {
		return nil, fmt.Errorf("%s: keys are for %s v%d, this build proves v%d: run setup again", dir, m.Circuit, m.CircuitVersion, spec.Version)
	}
	if m.Backend != sys.name {
		return nil, fmt.Errorf("%s: manifest says backend %s", dir, m.Backend)
	}
	p := &Prover{Manifest: m, Spec: spec, sys: sys, ccs: sys.newCS(), pk: sys.newPK()}
	if err := readFile(filepath.Join(dir, verifier.ConstraintFile), func(r *bufio.Reader) error {
		_, err := p.ccs.ReadFrom(r)
		return err
	}); err != nil {
		return nil, err
	}
	if err := readFile(filepath.Join(dir, verifier.ProvingKeyFile), func(r *bufio.Reader) error {
		_, err := p.pk.UnsafeReadFrom(r)
		return err
	}); err != nil {
		return nil, err
	}
	if p.ccs.GetNbConstraints() != m.Constraints {
		return nil, fmt.Errorf("%s: constraint system has %d constraints, manifest says %d", dir, p.ccs.GetNbConstraints(), m.Constraints)
	}
	return p, nil
}

func readFile(path string, read func(*bufio.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := read(bufio.NewReaderSize(f, 1<<20)); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

// Constraints is the number of constraints of the circuit.
func (p *Prover) Constraints() int { return p.ccs.GetNbConstraints() }

// Prove proves a full assignment and wraps the proof in an envelope.
func (p *Prover) Prove(assignment frontend.Circuit) (*verifier.Envelope, error) {
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, fmt.Errorf("building the witness: %w", err)
	}
	proof, err := p.sys.prove(p.ccs, p.pk, w)
	if err != nil {
		return nil, fmt.Errorf("proving %s: the witness does not satisfy the circuit", p.Spec.Name)
	}
	pub, err := w.Public()
	if err != nil {
		return nil, err
	}
	vals, ok := pub.Vector().(fr.Vector)
	if !ok || len(vals) != len(p.Manifest.PublicInputs) {
		return nil, fmt.Errorf("public witness has %d values, manifest names %d", len(vals), len(p.Manifest.PublicInputs))
	}
	var buf bytes.Buffer
	if _, err := proof.WriteRawTo(&buf); err != nil {
		return nil, err
	}
	env := &verifier.Envelope{
		Version:        verifier.EnvelopeVersion,
		Circuit:        p.Manifest.Circuit,
		CircuitVersion: p.Manifest.CircuitVersion,
		Backend:        p.Manifest.Backend,
		Curve:          p.Manifest.Curve,
		VKSHA256:       p.Manifest.VKSHA256,
		Public:         make(map[string]string, len(vals)),
		Proof:          buf.Bytes(),
	}
	for i, name := range p.Manifest.PublicInputs {
		env.Public[name] = vals[i].String()
	}
	return env, nil
}
