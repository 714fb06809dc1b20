package verifier

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/solidity"

	"github.com/wageproof/wageproof/circuits"
)

// SolidityPragma is the compiler version the exported contracts ask for.
const SolidityPragma = "^0.8.20"

// Key is a loaded verifying key with its manifest.
type Key struct {
	Manifest *Manifest
	Spec     circuits.Spec
	System   *System
	vk       VerifyingKey
}

// LoadKey reads the verifying key and manifest of one key directory, and
// checks that the key file is the one the manifest names.
func LoadKey(dir string) (*Key, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	spec, err := circuits.Lookup(m.Circuit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	sys, err := LookupSystem(m.Backend)
	if err != nil || m.Curve != CurveBN254 {
		return nil, fmt.Errorf("%s: backend %s on %s is not supported", dir, m.Backend, m.Curve)
	}
	b, err := os.ReadFile(filepath.Join(dir, VerifyingKeyFile))
	if err != nil {
		return nil, err
	}
	if got := SHA256Hex(b); got != m.VKSHA256 {
		return nil, fmt.Errorf("%s: verifying key hash %s does not match the manifest's %s", dir, got, m.VKSHA256)
	}
	vk := sys.NewVK()
	if _, err := vk.ReadFrom(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("%s: reading verifying key: %w", dir, err)
	}
	if vk.NbPublicWitness() != len(m.PublicInputs) {
		return nil, fmt.Errorf("%s: verifying key takes %d public inputs, manifest names %d", dir, vk.NbPublicWitness(), len(m.PublicInputs))
	}
	return &Key{Manifest: m, Spec: spec, System: sys, vk: vk}, nil
}

// Groth16 returns the Groth16 verifying key, if the key is one.
func (k *Key) Groth16() (groth16.VerifyingKey, bool) {
	vk, ok := k.vk.(groth16.VerifyingKey)
	return vk, ok
}

// ExportSolidity writes the Solidity verifier contract of the key.
func (k *Key) ExportSolidity(w io.Writer) error {
	return k.vk.ExportSolidity(w, solidity.WithPragmaVersion(SolidityPragma))
}

// Keyring loads the keys under a root directory on first use and keeps them.
// It is safe for concurrent use.
type Keyring struct {
	root string
	mu   sync.Mutex
	keys map[string]*Key
}

// OpenKeyring returns a keyring over root (<root>/<circuit>/<backend>/).
func OpenKeyring(root string) *Keyring {
	return &Keyring{root: root, keys: map[string]*Key{}}
}

// Root is the keyring's directory.
func (r *Keyring) Root() string { return r.root }

// Key returns the key for circuit and backend.
func (r *Keyring) Key(circuit, backend string) (*Key, error) {
	if _, err := LookupSystem(backend); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrongKey, err)
	}
	if _, err := circuits.Lookup(circuit); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrongKey, err)
	}
	dir := KeyDir(r.root, circuit, backend)
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := r.keys[dir]; ok {
		return k, nil
	}
	k, err := LoadKey(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no %s keys for circuit %q under %s", ErrWrongKey, backend, circuit, r.root)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrWrongKey, err)
	}
	r.keys[dir] = k
	return k, nil
}

// Verify checks env against the key its circuit and backend name.
func (r *Keyring) Verify(env *Envelope) error {
	k, err := r.Key(env.Circuit, env.Backend)
	if err != nil {
		return err
	}
	return k.Verify(env)
}
