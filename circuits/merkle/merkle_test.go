package merkle

import (
	"errors"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/wageproof/wageproof/circuits/hashing"
)

func leaves(n int) []fr.Element {
	ls := make([]fr.Element, n)
	for i := range ls {
		var x fr.Element
		x.SetUint64(uint64(i + 1))
		ls[i] = hashing.Hash(hashing.DomainIdentity, x)
	}
	return ls
}

func TestPathsReachRoot(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 8, 33} {
		tree, err := New(leaves(n))
		if err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		for i := 0; i < n; i++ {
			path, err := tree.Path(i)
			if err != nil {
				t.Fatal(err)
			}
			leaf := tree.levels[0][i]
			if got := RootFrom(leaf, i, path); !got.Equal(&root) {
				t.Fatalf("n=%d: path of leaf %d does not reach the root", n, i)
			}
			if got := RootFrom(leaf, i^1, path); got.Equal(&root) && n > 1 {
				t.Fatalf("n=%d: leaf %d reaches the root from the wrong index", n, i)
			}
		}
	}
}

func TestEmptyAndAppend(t *testing.T) {
	empty, _ := New(nil)
	if r := empty.Root(); !r.Equal(&zeros[Depth]) {
		t.Fatal("empty tree root is not the empty-subtree root")
	}
	a, _ := New(leaves(3))
	b, _ := New(leaves(4))
	if ra, rb := a.Root(), b.Root(); ra.Equal(&rb) {
		t.Fatal("appending a leaf did not change the root")
	}
	if _, err := a.Path(3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Path past the end = %v, want ErrNotFound", err)
	}
	if _, err := a.Index(b.levels[0][3]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Index of an absent leaf = %v, want ErrNotFound", err)
	}
}

type pathCircuit struct {
	Leaf  frontend.Variable
	Index frontend.Variable
	Path  [Depth]frontend.Variable
	Root  frontend.Variable `gnark:",public"`
}

func (c *pathCircuit) Define(api frontend.API) error {
	h, err := hashing.NewHasher(api)
	if err != nil {
		return err
	}
	api.AssertIsEqual(VerifyPath(api, h, c.Leaf, c.Index, c.Path), c.Root)
	return nil
}

func assignment(tree *Tree, i int) *pathCircuit {
	path, _ := tree.Path(i)
	a := &pathCircuit{Leaf: tree.levels[0][i], Index: i, Root: tree.Root()}
	for j := range path {
		a.Path[j] = path[j]
	}
	return a
}

func TestCircuitMatchesNative(t *testing.T) {
	assert := test.NewAssert(t)
	tree, _ := New(leaves(5))
	valid := assignment(tree, 3)
	wrongIndex := assignment(tree, 3)
	wrongIndex.Index = 2
	hugeIndex := assignment(tree, 3)
	hugeIndex.Index = 3 + Capacity // same low bits, but out of range
	wrongRoot := assignment(tree, 3)
	other, _ := New(leaves(6))
	wrongRoot.Root = other.Root()
	assert.CheckCircuit(&pathCircuit{},
		test.WithValidAssignment(valid),
		test.WithInvalidAssignment(wrongIndex),
		test.WithInvalidAssignment(hugeIndex),
		test.WithInvalidAssignment(wrongRoot),
		test.WithCurves(ecc.BN254))
}
