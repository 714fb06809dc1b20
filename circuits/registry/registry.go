// Package registry is a public registry file: the ordered leaves of a Merkle
// tree (member identity commitments, or attester key hashes). The tree is
// rebuilt from the file; the file never holds a secret.
package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/google/renameio/v2"

	"github.com/wageproof/wageproof/circuits/merkle"
)

// FileVersion is the version of the registry file format.
const FileVersion = 1

// ErrDuplicate reports a leaf that is already registered.
var ErrDuplicate = errors.New("registry: already registered")

// Registry is a registry file's content.
type Registry struct {
	Version  int      `json:"version"`
	Depth    int      `json:"depth"`
	Leaves   []string `json:"leaves"` // decimal field elements, in insertion order
	RootText string   `json:"root"`   // informational (decimal); always recomputed on load

	elems []fr.Element
	index map[fr.Element]int
	tree  *merkle.Tree
}

// Empty returns a registry with no leaves.
func Empty() *Registry {
	return &Registry{Version: FileVersion, Depth: merkle.Depth, index: map[fr.Element]int{}}
}

// Load reads a registry file; a missing file is an empty registry, so that
// the first `registry add` creates it.
func Load(path string) (*Registry, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Empty(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	var r Registry
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("registry: %s is not a registry file: %w", path, err)
	}
	if r.Version != FileVersion || r.Depth != merkle.Depth {
		return nil, fmt.Errorf("registry: %s has version %d depth %d, want version %d depth %d", path, r.Version, r.Depth, FileVersion, merkle.Depth)
	}
	leaves := r.Leaves
	r.Leaves, r.index = nil, map[fr.Element]int{}
	for i, s := range leaves {
		e, err := ParseElement(s)
		if err != nil {
			return nil, fmt.Errorf("registry: %s leaf %d: %w", path, i, err)
		}
		if err := r.add(e); err != nil {
			return nil, fmt.Errorf("registry: %s leaf %d: %w", path, i, err)
		}
	}
	return &r, nil
}

// ParseElement parses a canonical decimal field element: no sign, no leading
// zeros, below the modulus. Anything else would let one value pass as another.
func ParseElement(s string) (fr.Element, error) {
	var e fr.Element
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || v.String() != s {
		return e, fmt.Errorf("%q is not a canonical decimal number", s)
	}
	if v.Cmp(fr.Modulus()) >= 0 {
		return e, fmt.Errorf("%s is not below the field modulus", s)
	}
	e.SetBigInt(v)
	return e, nil
}

func (r *Registry) add(e fr.Element) error {
	if e.IsZero() {
		return errors.New("registry: 0 is the empty leaf and cannot be registered")
	}
	if _, dup := r.index[e]; dup {
		return fmt.Errorf("%w: %s", ErrDuplicate, e.String())
	}
	if len(r.elems) >= merkle.Capacity {
		return merkle.ErrFull
	}
	r.index[e] = len(r.elems)
	r.elems = append(r.elems, e)
	r.Leaves = append(r.Leaves, e.String())
	r.tree = nil
	return nil
}

// Add appends leaves; it fails, adding none, if any is invalid or already present.
func (r *Registry) Add(leaves ...fr.Element) error {
	n := len(r.elems)
	for _, e := range leaves {
		if err := r.add(e); err != nil {
			for _, added := range r.elems[n:] {
				delete(r.index, added)
			}
			r.elems, r.Leaves = r.elems[:n], r.Leaves[:n]
			r.tree = nil
			return err
		}
	}
	return nil
}

// Elements returns the leaves in order.
func (r *Registry) Elements() []fr.Element { return append([]fr.Element(nil), r.elems...) }

// Len is the number of leaves.
func (r *Registry) Len() int { return len(r.elems) }

// Tree returns the Merkle tree, built once per change.
func (r *Registry) Tree() (*merkle.Tree, error) {
	if r.tree == nil {
		t, err := merkle.New(r.elems)
		if err != nil {
			return nil, err
		}
		r.tree = t
	}
	return r.tree, nil
}

// Root returns the tree's root.
func (r *Registry) Root() (fr.Element, error) {
	t, err := r.Tree()
	if err != nil {
		return fr.Element{}, err
	}
	return t.Root(), nil
}

// Path returns leaf's index and Merkle path.
func (r *Registry) Path(leaf fr.Element) (int, [merkle.Depth]fr.Element, error) {
	i, ok := r.index[leaf]
	if !ok {
		return 0, [merkle.Depth]fr.Element{}, fmt.Errorf("%w: %s", merkle.ErrNotFound, leaf.String())
	}
	t, err := r.Tree()
	if err != nil {
		return 0, [merkle.Depth]fr.Element{}, err
	}
	p, err := t.Path(i)
	return i, p, err
}

// Save writes the registry atomically (readable by all: it is public).
func (r *Registry) Save(path string) error {
	root, err := r.Root()
	if err != nil {
		return err
	}
	r.RootText = root.String()
	if r.Leaves == nil {
		r.Leaves = []string{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("registry: writing %s: %w", path, err)
	}
	return nil
}
