package registry

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/circuits/merkle"
)

func elem(v uint64) fr.Element {
	var e fr.Element
	e.SetUint64(v)
	return e
}

func TestAddSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "members.json")
	r, err := Load(path)
	if err != nil || r.Len() != 0 {
		t.Fatalf("Load of a missing file = %v, %v", r, err)
	}
	if err := r.Add(elem(1), elem(2), elem(3)); err != nil {
		t.Fatal(err)
	}
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := r.Root()
	r2, _ := back.Root()
	if !r1.Equal(&r2) || back.Len() != 3 {
		t.Fatal("round trip changed the registry")
	}
	i, path2, err := back.Path(elem(2))
	if err != nil || i != 1 {
		t.Fatalf("Path = %d, %v", i, err)
	}
	if got := merkle.RootFrom(elem(2), i, path2); !got.Equal(&r2) {
		t.Fatal("path does not reach the root")
	}
}

func TestAddIsAllOrNothing(t *testing.T) {
	r := Empty()
	r.Add(elem(1))
	before, _ := r.Root()
	if err := r.Add(elem(2), elem(1)); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("Add duplicate = %v, want ErrDuplicate", err)
	}
	after, _ := r.Root()
	if r.Len() != 1 || !before.Equal(&after) {
		t.Fatal("a failed Add changed the registry")
	}
	if err := r.Add(elem(0)); err == nil {
		t.Fatal("the empty leaf was registered")
	}
}

func TestParseElement(t *testing.T) {
	for _, bad := range []string{"", "-1", "01", "1e3", "0x10", " 5",
		"21888242871839275222246405745257275088548364400416034343698204186575808495617"} {
		if _, err := ParseElement(bad); err == nil {
			t.Errorf("ParseElement(%q) accepted", bad)
		}
	}
	if _, err := ParseElement("21888242871839275222246405745257275088548364400416034343698204186575808495616"); err != nil {
		t.Errorf("modulus-1 rejected: %v", err)
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"trunc": `{"version":1,"depth":20,"leaves":["1",`,
		"depth": `{"version":1,"depth":16,"leaves":[]}`,
		"leaf":  `{"version":1,"depth":20,"leaves":["abc"]}`,
		"dup":   `{"version":1,"depth":20,"leaves":["5","5"]}`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := Load(p); err == nil {
			t.Errorf("%s: Load accepted a bad registry", name)
		}
	}
}
