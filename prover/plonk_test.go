package prover_test

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/plonk"

	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

// writeSRS writes an SRS of n powers, as a public ceremony would publish it.
func writeSRS(t *testing.T, path string, n uint64) {
	t.Helper()
	srs, err := kzg.NewSRS(n, big.NewInt(123456789))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := srs.WriteTo(f); err != nil {
		t.Fatal(err)
	}
}

func TestPlonkRoundTripAndBackendMixups(t *testing.T) {
	env := provertest.Salary(t)
	spec, _ := salarySpecT(t)
	root := t.TempDir()

	// PLONK keys from an SRS file, and Groth16 keys beside them.
	ccs, err := prover.Compile(spec, verifier.BackendPlonk)
	if err != nil {
		t.Fatal(err)
	}
	canonical, _ := plonk.SRSSize(ccs)
	srsPath := filepath.Join(root, "srs.bin")
	writeSRS(t, srsPath, uint64(canonical))
	m, err := prover.Setup(context.Background(), spec, root, prover.SetupOptions{Backend: verifier.BackendPlonk, SRS: srsPath})
	if err != nil {
		t.Fatal(err)
	}
	if m.Backend != verifier.BackendPlonk || m.Setup == prover.DevSRSSource {
		t.Fatalf("manifest %+v", m)
	}
	if _, err := prover.Setup(context.Background(), spec, root, prover.SetupOptions{}); err != nil {
		t.Fatal(err)
	}

	in, err := env.Input(2, 64000, provertest.Labels)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := in.Assign()
	plonkProver, err := prover.Load(root, salary.Name, verifier.BackendPlonk)
	if err != nil {
		t.Fatal(err)
	}
	pe, err := plonkProver.Prove(a)
	if err != nil {
		t.Fatal(err)
	}
	g16Prover, err := prover.Load(root, salary.Name, verifier.BackendGroth16)
	if err != nil {
		t.Fatal(err)
	}
	ge, err := g16Prover.Prove(a)
	if err != nil {
		t.Fatal(err)
	}
	ring := verifier.OpenKeyring(root)
	for _, e := range []*verifier.Envelope{pe, ge} {
		if err := ring.Verify(e); err != nil {
			t.Fatalf("%s proof rejected: %v", e.Backend, err)
		}
	}
	if pe.Backend != verifier.BackendPlonk || len(pe.Proof) <= len(ge.Proof) {
		t.Fatalf("plonk envelope: backend %s, %d proof bytes (groth16 %d)", pe.Backend, len(pe.Proof), len(ge.Proof))
	}

	// Relabelled proofs fail cleanly, whatever is relabelled.
	relabel := func(e *verifier.Envelope, other *verifier.Envelope, sameVK bool) *verifier.Envelope {
		c := *e
		c.Backend = other.Backend
		if sameVK {
			c.VKSHA256 = other.VKSHA256
		}
		return &c
	}
	for _, tc := range []struct {
		name string
		e    *verifier.Envelope
	}{
		{"plonk proof labelled groth16", relabel(pe, ge, false)},
		{"plonk proof with groth16 key hash", relabel(pe, ge, true)},
		{"groth16 proof labelled plonk", relabel(ge, pe, false)},
		{"groth16 proof with plonk key hash", relabel(ge, pe, true)},
	} {
		err := ring.Verify(tc.e)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
		} else if !errors.Is(err, verifier.ErrWrongKey) && !errors.Is(err, verifier.ErrMalformed) && !errors.Is(err, verifier.ErrInvalidProof) {
			t.Errorf("%s: unclassified error %v", tc.name, err)
		}
	}
	g16Key, _ := ring.Key(salary.Name, verifier.BackendGroth16)
	if err := g16Key.Verify(pe); !errors.Is(err, verifier.ErrWrongKey) {
		t.Fatalf("plonk envelope under the groth16 key: %v", err)
	}
	// A tampered public input fails under PLONK too.
	bad := *pe
	bad.Public = map[string]string{}
	for k, v := range pe.Public {
		bad.Public[k] = v
	}
	bad.Public["lo"] = "55000"
	if err := ring.Verify(&bad); !errors.Is(err, verifier.ErrInvalidProof) {
		t.Fatalf("tampered plonk proof: %v", err)
	}
	// VerifyAll checks PLONK proofs one by one beside a Groth16 batch, and
	// names exactly the bad one.
	errs := ring.VerifyAll(context.Background(), []*verifier.Envelope{pe, &bad, ge, pe})
	if len(errs) != 4 || errs[0] != nil || !errors.Is(errs[1], verifier.ErrInvalidProof) || errs[2] != nil || errs[3] != nil {
		t.Fatalf("VerifyAll over mixed backends = %v", errs)
	}
}

func TestSRSFileErrors(t *testing.T) {
	spec, _ := salarySpecT(t)
	dir := t.TempDir()
	small := filepath.Join(dir, "small.srs")
	writeSRS(t, small, 64)
	if _, err := prover.Setup(context.Background(), spec, filepath.Join(dir, "k1"), prover.SetupOptions{Backend: verifier.BackendPlonk, SRS: small}); err == nil {
		t.Fatal("an SRS too small for the circuit was used")
	}
	b, _ := os.ReadFile(small)
	trunc := filepath.Join(dir, "trunc.srs")
	os.WriteFile(trunc, b[:len(b)/2], 0o644)
	if _, err := prover.Setup(context.Background(), spec, filepath.Join(dir, "k2"), prover.SetupOptions{Backend: verifier.BackendPlonk, SRS: trunc}); err == nil {
		t.Fatal("a truncated SRS was read")
	}
	if _, err := prover.Setup(context.Background(), spec, filepath.Join(dir, "k3"), prover.SetupOptions{SRS: small}); err == nil {
		t.Fatal("--srs accepted for groth16")
	}
	if _, err := os.Stat(filepath.Join(dir, "k1")); err == nil {
		if ents, _ := os.ReadDir(filepath.Join(dir, "k1", salary.Name)); len(ents) > 0 {
			t.Fatal("a failed setup left a key directory")
		}
	}
}
