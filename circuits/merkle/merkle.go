// Package merkle is the registry tree of wageproof: a fixed-depth binary Merkle
// tree over Poseidon2, natively (to build registries and paths) and in
// circuits (to prove membership).
//
// A node is f(left, right), Poseidon2's 2-to-1 compression, and an empty leaf
// is 0. Nodes need no domain separator of their own: every path has exactly
// Depth siblings, so a node can never be passed off as a leaf, and leaves are
// outputs of domain-separated hashes (package hashing).
package merkle

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits/hashing"
)

// Depth is the depth of every registry tree: room for 2^20 (about a million)
// members or attesters.
const Depth = 20

// Capacity is the number of leaves a tree holds.
const Capacity = 1 << Depth

// ErrFull reports a tree with no room left.
var ErrFull = errors.New("merkle: tree is full")

// ErrNotFound reports a leaf that is not in the tree.
var ErrNotFound = errors.New("merkle: leaf not in tree")

// zeros[i] is the root of an empty subtree of height i.
var zeros = func() [Depth + 1]fr.Element {
	var z [Depth + 1]fr.Element
	for i := 1; i <= Depth; i++ {
		z[i] = hashing.Compress(z[i-1], z[i-1])
	}
	return z
}()

// Tree holds every level of a tree built from its leaves.
type Tree struct {
	levels [Depth + 1][]fr.Element // levels[0] are the leaves, levels[Depth] the root
}

// New builds the tree whose leaves, in order, are leaves.
func New(leaves []fr.Element) (*Tree, error) {
	if len(leaves) > Capacity {
		return nil, fmt.Errorf("%w: %d leaves, capacity %d", ErrFull, len(leaves), Capacity)
	}
	t := &Tree{}
	t.levels[0] = append([]fr.Element(nil), leaves...)
	for h := 1; h <= Depth; h++ {
		below := t.levels[h-1]
		level := make([]fr.Element, (len(below)+1)/2)
		for i := range level {
			right := zeros[h-1]
			if 2*i+1 < len(below) {
				right = below[2*i+1]
			}
			level[i] = hashing.Compress(below[2*i], right)
		}
		if len(level) == 0 {
			level = []fr.Element{zeros[h]}
		}
		t.levels[h] = level
	}
	return t, nil
}

// Len is the number of leaves.
func (t *Tree) Len() int { return len(t.levels[0]) }

// Root is the tree's root.
func (t *Tree) Root() fr.Element { return t.levels[Depth][0] }

// Index returns the position of leaf.
func (t *Tree) Index(leaf fr.Element) (int, error) {
	for i := range t.levels[0] {
		if t.levels[0][i].Equal(&leaf) {
			return i, nil
		}
	}
	return 0, ErrNotFound
}

// Path returns the Depth siblings from the leaf at index up to the root.
func (t *Tree) Path(index int) ([Depth]fr.Element, error) {
	var path [Depth]fr.Element
	if index < 0 || index >= t.Len() {
		return path, fmt.Errorf("%w: index %d of %d", ErrNotFound, index, t.Len())
	}
	for h := 0; h < Depth; h++ {
		sib := index ^ 1
		if sib < len(t.levels[h]) {
			path[h] = t.levels[h][sib]
		} else {
			path[h] = zeros[h]
		}
		index >>= 1
	}
	return path, nil
}

// RootFrom recomputes the root from a leaf, its index and its path.
func RootFrom(leaf fr.Element, index int, path [Depth]fr.Element) fr.Element {
	node := leaf
	for h := 0; h < Depth; h++ {
		if index>>h&1 == 0 {
			node = hashing.Compress(node, path[h])
		} else {
			node = hashing.Compress(path[h], node)
		}
	}
	return node
}

// VerifyPath returns the root implied by leaf at index with the given path,
// in a circuit. index is decomposed into Depth bits, which also range-checks it.
func VerifyPath(api frontend.API, h *hashing.Hasher, leaf, index frontend.Variable, path [Depth]frontend.Variable) frontend.Variable {
	bits := api.ToBinary(index, Depth)
	node := leaf
	for i := 0; i < Depth; i++ {
		// One product orders the pair: with bit b and d = b·(sibling-node),
		// (node+d, sibling-d) is (node, sibling) for b=0 and (sibling, node)
		// for b=1. Two Selects would cost two constraints.
		d := api.Mul(bits[i], api.Sub(path[i], node))
		node = h.Compress(api.Add(node, d), api.Sub(path[i], d))
	}
	return node
}
