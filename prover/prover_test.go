package prover_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }

func TestSetupWritesManifest(t *testing.T) {
	env := provertest.Salary(t)
	m, err := verifier.ReadManifest(verifier.KeyDir(env.Keys, salary.Name, verifier.BackendGroth16))
	if err != nil {
		t.Fatal(err)
	}
	if m.Circuit != salary.Name || m.Backend != "groth16" || m.Curve != "bn254" || m.Constraints != env.Prover.Constraints() {
		t.Fatalf("manifest %+v", m)
	}
	if len(m.PublicInputs) != len(salary.PublicInputs) || m.Setup != prover.DevSetup {
		t.Fatalf("manifest %+v", m)
	}
	spec, _ := salarySpecT(t)
	if _, err := prover.Setup(context.Background(), spec, env.Keys, prover.SetupOptions{}); !errors.Is(err, prover.ErrKeysExist) {
		t.Fatalf("second setup: %v, want ErrKeysExist", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := prover.Load(t.TempDir(), salary.Name, ""); !errors.Is(err, prover.ErrNoKeys) {
		t.Fatalf("Load of empty root: %v", err)
	}
	// A truncated proving key is reported, not proven with.
	env := provertest.Salary(t)
	root := t.TempDir()
	src := verifier.KeyDir(env.Keys, salary.Name, verifier.BackendGroth16)
	dst := verifier.KeyDir(root, salary.Name, verifier.BackendGroth16)
	os.MkdirAll(dst, 0o755)
	for _, f := range []string{verifier.ManifestFile, verifier.VerifyingKeyFile, verifier.ConstraintFile, verifier.ProvingKeyFile} {
		b, _ := os.ReadFile(filepath.Join(src, f))
		if f == verifier.ProvingKeyFile {
			b = b[:len(b)/2]
		}
		os.WriteFile(filepath.Join(dst, f), b, 0o644)
	}
	if _, err := prover.Load(root, salary.Name, ""); err == nil {
		t.Fatal("a truncated proving key loaded")
	}
}

func TestBuckets(t *testing.T) {
	s := prover.DefaultBuckets()
	for _, tt := range []struct {
		cur    string
		amount uint64
		lo, hi uint64
	}{
		{"USD", 123456, 120000, 125000},
		{"USD", 120000, 120000, 125000},
		{"USD", 0, 0, 5000},
		{"JPY", 6_123_456, 6_000_000, 6_500_000},
		{"USD", ^uint64(0) - 1, ^uint64(0) / 5000 * 5000, ^uint64(0)},
	} {
		lo, hi := s.Bucket(tt.cur, tt.amount)
		if lo != tt.lo || hi != tt.hi || tt.amount < lo || tt.amount >= hi {
			t.Errorf("Bucket(%s, %d) = [%d, %d), want [%d, %d)", tt.cur, tt.amount, lo, hi, tt.lo, tt.hi)
		}
	}
	for _, bad := range []string{"", "5", "5:5", "6:5", "a:b", "-1:5", "1:18446744073709551616"} {
		if _, _, err := prover.ParseBucket(bad); err == nil {
			t.Errorf("ParseBucket(%q) accepted", bad)
		}
	}
}
