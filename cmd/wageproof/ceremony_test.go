package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/prover/ceremony"
	"github.com/wageproof/wageproof/verifier"
)

// cube is a test-only statement (x³ + x + 5 = y, domain size 4) so that
// the CLI's error paths are tested in milliseconds. It is not in the
// catalog: `seal` refuses it, every other ceremony command works on it.
type cube struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *cube) Define(api frontend.API) error {
	api.AssertIsEqual(c.Y, api.Add(api.Mul(c.X, c.X, c.X), c.X, 5))
	return nil
}

func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		m[e.Name()] = string(b)
	}
	return m
}

func TestCeremonyCLI(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "ceremony")
	spec := circuits.Spec{Name: "cube", Version: 1, PublicInputs: []string{"y"}, New: func() frontend.Circuit { return &cube{} }}
	if _, err := ceremony.Init(context.Background(), dir, spec); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alice", "bob"} {
		out := mustCLI(t, "ceremony", "contribute", "--dir", dir, "--name", name)
		if !strings.Contains(out, "phase1-000") || !strings.Contains(out, "\nsha256 ") || !strings.Contains(out, "Publish") {
			t.Fatalf("contribute output %q", out)
		}
	}
	out := mustCLI(t, "ceremony", "verify", "--dir", dir)
	for _, want := range []string{"phase 1 start", "phase 1 #1 alice", "phase 1 #2 bob", "valid: 2 phase-1 and 0 phase-2 contributions, phase 1 open"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}

	// Bad input: one line, the right status, nothing changed.
	before := dirFiles(t, dir)
	for _, tc := range []struct {
		name string
		code int
		args []string
		want string
	}{
		{"bad name", 2, []string{"contribute", "--dir", dir, "--name", "../x"}, "contributor name"},
		{"no ceremony", 2, []string{"contribute", "--dir", filepath.Join(root, "nope")}, "no ceremony"},
		{"beacon not hex", 2, []string{"phase2", "--dir", dir, "--beacon", "tomorrow's lottery numbers"}, "not hex"},
		{"beacon too short", 2, []string{"phase2", "--dir", dir, "--beacon", "0xabcd"}, "bytes"},
		{"source without beacon", 2, []string{"phase2", "--dir", dir, "--beacon-source", "block 1"}, "--beacon-source"},
		{"seal in phase 1", 1, []string{"seal", "--dir", dir, "--keys", filepath.Join(root, "keys")}, "phase 1 is still open"},
		{"unknown circuit", 2, []string{"init", "--circuit", "nope", "--dir", filepath.Join(root, "new")}, "unknown circuit"},
		{"init over a ceremony", 1, []string{"init", "--circuit", "salary", "--dir", dir}, "already holds a ceremony"},
		{"no --dir", 2, []string{"verify"}, "dir"},
	} {
		code, _, errOut := runCLI(t, append([]string{"ceremony"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d with %q", tc.name, code, errOut, tc.code, tc.want)
			continue
		}
		oneErrorLine(t, errOut)
	}
	if _, err := os.Stat(filepath.Join(root, "new")); err == nil {
		t.Error("a failed init left a directory")
	}
	after := dirFiles(t, dir)
	if len(before) != len(after) {
		t.Fatalf("failed commands changed the ceremony: %d files, then %d", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Fatalf("failed commands changed %s", k)
		}
	}

	// Tampering is reported at the right contribution, after the good ones.
	bad := filepath.Join(root, "tampered")
	os.MkdirAll(bad, 0o755)
	for name, body := range before {
		os.WriteFile(filepath.Join(bad, name), []byte(body), 0o644)
	}
	b := []byte(before["phase1-0002-bob.bin"])
	b[200] ^= 1
	os.WriteFile(filepath.Join(bad, "phase1-0002-bob.bin"), b, 0o644)
	code, out, errOut := runCLI(t, "ceremony", "verify", "--dir", bad)
	if code != 1 || !strings.Contains(out, "#1 alice") || !strings.Contains(errOut, "phase 1 contribution #2 (bob): phase1-0002-bob.bin was changed after it was contributed") {
		t.Fatalf("tampered: exit %d\n%s%s", code, out, errOut)
	}
	oneErrorLine(t, errOut)

	// Phase 2 without a beacon says what that means; then phase 2 goes on.
	code, out, errOut = runCLI(t, "ceremony", "phase2", "--dir", dir)
	if code != 0 || !strings.Contains(errOut, "no beacon") || !strings.Contains(out, "phase 2 is open") {
		t.Fatalf("phase2: exit %d\n%s%s", code, out, errOut)
	}
	mustCLI(t, "ceremony", "contribute", "--dir", dir, "--name", "carol")
	out = mustCLI(t, "ceremony", "verify", "--dir", dir)
	if !strings.Contains(out, "phase 1 closed with no beacon") || !strings.Contains(out, "phase 2 #1 carol") {
		t.Fatalf("verify in phase 2:\n%s", out)
	}
}

// TestCeremonySalaryEndToEnd runs the whole ceremony for the salary circuit
// through the CLI, three contributors per phase, then proves and verifies
// with the sealed keys. Each pass over phase 2 recomputes its start (the
// Lagrange form of 8192 powers of τ), which takes tens of seconds on 2
// cores, so -short skips it.
func TestCeremonySalaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("a salary ceremony takes minutes on 2 cores")
	}
	root := t.TempDir()
	p := func(name string) string { return filepath.Join(root, name) }
	dir, keys := p("ceremony"), p("keys")
	mustCLI(t, "ceremony", "init", "--circuit", "salary", "--dir", dir)
	for _, name := range []string{"alice", "bob", "carol"} {
		mustCLI(t, "ceremony", "contribute", "--dir", dir, "--name", name)
	}
	mustCLI(t, "ceremony", "phase2", "--dir", dir, "--beacon", "0x"+strings.Repeat("ab", 32), "--beacon-source", "test")
	for _, name := range []string{"dave", "erin", "frank"} {
		mustCLI(t, "ceremony", "contribute", "--dir", dir, "--name", name)
	}
	out := mustCLI(t, "ceremony", "seal", "--dir", dir, "--keys", keys, "--beacon", "0x"+strings.Repeat("cd", 32))
	if !strings.Contains(out, "TRUST") || !strings.Contains(out, "alice, bob, carol") || !strings.Contains(out, "dave, erin, frank") {
		t.Fatalf("seal output:\n%s", out)
	}
	m, err := verifier.ReadManifest(verifier.KeyDir(keys, "salary", verifier.BackendGroth16))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Setup, ceremony.SetupPrefix) || len(m.Contributors) != 6 || m.Transcript == "" {
		t.Fatalf("manifest: setup %q, contributors %v, transcript %q", m.Setup, m.Contributors, m.Transcript)
	}
	out = mustCLI(t, "ceremony", "verify", "--dir", dir, "--keys", keys)
	if strings.Count(out, " ok ") != 6 || !strings.Contains(out, "sealed: verifying key sha256 "+m.VKSHA256) || !strings.Contains(out, "are this ceremony's") {
		t.Fatalf("verify after seal:\n%s", out)
	}

	// Prove and verify with the sealed keys.
	commitment := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("member.json")))
	mustCLI(t, "registry", "add", "--registry", p("members.json"), commitment)
	mustCLI(t, "prove", "salary", "--keys", keys, "--member", p("member.json"), "--registry", p("members.json"),
		"--salary", "123456", "--currency", "USD", "--role", "15-1252", "--region", "US-CA", "--period", "2026-11", "--out", p("proof.json"))
	if out := mustCLI(t, "verify", "--keys", keys, p("proof.json")); !strings.Contains(out, ": valid") {
		t.Fatalf("verify with sealed keys: %q", out)
	}

	// A proof from a development setup (the committed fixtures) is refused,
	// also when its envelope claims the sealed key, so that the pairing
	// check itself runs.
	dev, err := verifier.ReadEnvelope(filepath.Join("..", "..", "fixtures", "proofs", "valid-developer.json"))
	if err != nil {
		t.Fatal(err)
	}
	dev.VKSHA256 = m.VKSHA256
	b, _ := dev.Marshal()
	os.WriteFile(p("dev.json"), b, 0o644)
	code, out, _ := runCLI(t, "verify", "--keys", keys, p("dev.json"), filepath.Join("..", "..", "fixtures", "proofs", "valid-developer.json"))
	if code != 1 || strings.Count(out, ".json: invalid: ") != 2 || !strings.Contains(out, "dev.json: invalid: invalid proof") {
		t.Fatalf("dev-setup proofs against sealed keys: exit %d\n%s", code, out)
	}
}
