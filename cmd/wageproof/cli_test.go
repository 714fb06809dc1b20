package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/verifier"
)

// runCLI runs the command in-process and returns its status and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"wageproof"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("wageproof %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// oneErrorLine asserts a failure printed exactly one line on stderr.
func oneErrorLine(t *testing.T, stderr string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "wageproof: ") {
		t.Fatalf("want one error line, got %q", stderr)
	}
}

func TestSalaryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }

	commitment := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("member.json")))
	if st, err := os.Stat(p("member.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("identity file: %v, mode %v", err, st.Mode().Perm())
	}
	other := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("other.json")))
	mustCLI(t, "registry", "add", "--registry", p("members.json"), commitment, other)
	root := strings.TrimSpace(mustCLI(t, "registry", "root", "--registry", p("members.json")))

	code, out, errOut := runCLI(t, "setup", "--circuit", "salary", "--keys", p("keys"))
	if code != 0 || !strings.Contains(errOut, "SINGLE-PARTY TRUSTED SETUP") || !strings.Contains(out, "constraints") {
		t.Fatalf("setup: exit %d, out %q, err %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "setup", "--circuit", "salary", "--keys", p("keys")); code == 0 || !strings.Contains(errOut, "--force") {
		t.Fatalf("setup over existing keys: exit %d, %q", code, errOut)
	}

	prove := []string{"prove", "salary", "--keys", p("keys"), "--member", p("member.json"), "--registry", p("members.json"),
		"--salary", "123456", "--currency", "USD", "--role", "15-1252", "--region", "US-CA", "--period", "2026-11"}
	out = mustCLI(t, append(prove, "--bucket", "120000:125000", "--out", p("proof.json"), "--opening", p("opening.json"))...)
	if strings.Contains(out, "123456") {
		t.Fatalf("prove printed the salary: %q", out)
	}
	if st, _ := os.Stat(p("opening.json")); st.Mode().Perm() != 0o600 {
		t.Fatalf("opening mode %v", st.Mode().Perm())
	}
	proof, _ := os.ReadFile(p("proof.json"))
	if strings.Contains(string(proof), "123456") {
		t.Fatal("the proof file contains the salary")
	}
	// Default bucket scheme: 5000-wide USD buckets.
	mustCLI(t, append(prove, "--out", p("default.json"))...)
	env, err := verifier.ReadEnvelope(p("default.json"))
	if err != nil || env.Public["lo"] != "120000" || env.Public["hi"] != "125000" || env.Public["member_root"] != root {
		t.Fatalf("default bucket envelope: %v %v", env.Public, err)
	}

	out = mustCLI(t, "verify", "--keys", p("keys"), p("proof.json"), p("default.json"))
	if strings.Count(out, ": valid") != 2 {
		t.Fatalf("verify output %q", out)
	}

	// Bad files: each gets its own line, and the status is 1.
	write := func(name, body string) string {
		os.WriteFile(p(name), []byte(body), 0o644)
		return p(name)
	}
	tamperedEnv, _ := verifier.ReadEnvelope(p("proof.json"))
	tamperedEnv.Public["lo"] = "100000"
	tb, _ := tamperedEnv.Marshal()
	bad := map[string]string{
		"tampered":  write("tampered.json", string(tb)),
		"truncated": write("truncated.json", string(proof[:len(proof)/3])),
		"not json":  write("notjson.json", "hello\n"),
	}
	for name, path := range bad {
		code, out, _ := runCLI(t, "verify", "--keys", p("keys"), p("proof.json"), path)
		if code != 1 || strings.Count(out, "\n") != 2 || !strings.Contains(out, path+": invalid: ") {
			t.Errorf("%s: exit %d, output %q", name, code, out)
		}
	}

	// JSON output.
	_, out, _ = runCLI(t, "verify", "--json", "--keys", p("keys"), p("proof.json"), bad["tampered"])
	var results []verifyResult
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r verifyResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("--json line %q: %v", line, err)
		}
		results = append(results, r)
	}
	if len(results) != 2 || !results[0].Valid || results[1].Valid || results[1].Kind != "invalid_proof" {
		t.Fatalf("--json results %+v", results)
	}

	// Usage and I/O errors exit 2.
	for name, args := range map[string][]string{
		"no files":     {"verify", "--keys", p("keys")},
		"missing file": {"verify", "--keys", p("keys"), p("nope.json")},
		"missing keys": {"verify", "--keys", p("nokeys"), p("proof.json")},
		"no --keys":    {"verify", p("proof.json")},
		"bad flag":     {"verify", "--bogus", p("proof.json")},
	} {
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%s: exit %d, want 2", name, code)
		}
	}

	// Prove refuses what cannot be proven, with one line and no file.
	for name, args := range map[string][]string{
		"outside bucket": append(prove, "--bucket", "100000:110000", "--out", p("x1.json")),
		"bad role":       {"prove", "salary", "--keys", p("keys"), "--member", p("member.json"), "--registry", p("members.json"), "--salary", "1", "--currency", "USD", "--role", "dev", "--region", "US", "--period", "2026-11", "--out", p("x2.json")},
		"existing out":   append(prove, "--out", p("proof.json")),
		"not a member":   {"prove", "salary", "--keys", p("keys"), "--member", p("member.json"), "--registry", p("empty.json"), "--salary", "1", "--currency", "USD", "--role", "15-1252", "--region", "US", "--period", "2026-11", "--out", p("x3.json")},
	} {
		code, _, errOut := runCLI(t, args...)
		if code == 0 {
			t.Errorf("%s: accepted", name)
			continue
		}
		oneErrorLine(t, errOut)
		if strings.Contains(errOut, "123456") {
			t.Errorf("%s: error shows the salary: %q", name, errOut)
		}
	}
	for _, f := range []string{"x1.json", "x2.json", "x3.json"} {
		if _, err := os.Stat(p(f)); err == nil {
			t.Errorf("%s written by a failed prove", f)
		}
	}
}

// TestVerifyAgainstFixtureKeys verifies the committed vectors through the
// CLI, as a CI job would, including a proof that names another circuit.
func TestVerifyAgainstFixtureKeys(t *testing.T) {
	keys := filepath.Join("..", "..", "fixtures", "keys")
	proofs := filepath.Join("..", "..", "fixtures", "proofs")
	code, out, _ := runCLI(t, "verify", "--keys", keys, filepath.Join(proofs, "valid-developer.json"), filepath.Join(proofs, "valid-nurse.json"))
	if code != 0 {
		t.Fatalf("fixture proofs: exit %d: %s", code, out)
	}
	code, out, _ = runCLI(t, "verify", "--keys", keys, filepath.Join(proofs, "wrong_key-other-circuit.json"))
	if code != 1 || !strings.Contains(out, "wrong key") {
		t.Fatalf("other circuit: exit %d: %s", code, out)
	}
}

func TestRegistryErrors(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "r.json")
	mustCLI(t, "registry", "add", "--registry", reg, "5")
	before, _ := os.ReadFile(reg)
	for name, args := range map[string][]string{
		"duplicate":   {"registry", "add", "--registry", reg, "6", "5"},
		"not decimal": {"registry", "add", "--registry", reg, "0x7"},
		"no args":     {"registry", "add", "--registry", reg},
	} {
		code, _, errOut := runCLI(t, args...)
		if code == 0 {
			t.Errorf("%s: accepted", name)
		}
		oneErrorLine(t, errOut)
	}
	after, _ := os.ReadFile(reg)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed registry add changed the registry")
	}
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"version":1,`), 0o644)
	code, _, errOut := runCLI(t, "registry", "root", "--registry", filepath.Join(dir, "broken.json"))
	if code == 0 {
		t.Fatal("a truncated registry was read")
	}
	oneErrorLine(t, errOut)
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo proves for the whole workforce")
	}
	workers, err := fixtures.Workforce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := mustCLI(t, "demo", "--dir", dir)
	for _, want := range []string{
		"SINGLE-PARTY TRUSTED SETUP",
		fmt.Sprintf("accepts all %d", len(workers)),
		fmt.Sprintf("%d read, %d accepted, 0 rejected", len(workers), len(workers)),
		"bucket moved to [300000, 305000): rejected (invalid proof",
		"submits again this period: refused (duplicate nullifier",
		"publishes benchmarks",
		"The pool accepts it",
		"The same offer claimed again: refused (nullifier already used",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// Only worker-01's own line shows a salary. (Multiples of 500 are left
	// out: bucket bounds and estimates may equal them by construction.)
	for _, w := range workers[1:] {
		if w.Salary%500 != 0 && regexp.MustCompile(`\b`+fmt.Sprint(w.Salary)+`\b`).MatchString(out) {
			t.Errorf("the demo printed %s's salary", w.Name)
		}
	}
	// The demo's files are real: the CLI verifies its proofs and claim.
	proofs, _ := filepath.Glob(filepath.Join(dir, "proofs", "*.json"))
	code, vout, _ := runCLI(t, append([]string{"verify", "--keys", filepath.Join(dir, "keys"), filepath.Join(dir, "claim.json")}, proofs...)...)
	if code != 0 || strings.Count(vout, ": valid") != len(workers)+1 {
		t.Fatalf("demo proofs do not verify with the CLI: exit %d", code)
	}
}

func TestPlonkBackendCLI(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	commitment := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("member.json")))
	mustCLI(t, "registry", "add", "--registry", p("members.json"), commitment)
	code, out, errOut := runCLI(t, "setup", "--backend", "plonk", "--keys", p("keys"))
	if code != 0 || !strings.Contains(errOut, "SINGLE-PARTY") || !strings.Contains(errOut, "--srs") {
		t.Fatalf("plonk setup: exit %d, %q, %q", code, out, errOut)
	}
	prove := []string{"prove", "salary", "--keys", p("keys"), "--member", p("member.json"), "--registry", p("members.json"),
		"--salary", "70000", "--currency", "EUR", "--role", "29-1141", "--region", "FR", "--period", "2026-11"}
	mustCLI(t, append(prove, "--backend", "plonk", "--out", p("plonk.json"))...)
	env, err := verifier.ReadEnvelope(p("plonk.json"))
	if err != nil || env.Backend != "plonk" {
		t.Fatalf("envelope backend %v, %v", env, err)
	}
	out = mustCLI(t, "verify", "--keys", p("keys"), p("plonk.json"))
	if !strings.Contains(out, ": valid salary") {
		t.Fatalf("verify: %q", out)
	}
	// No groth16 keys here: proving with them fails in one line, and a
	// relabelled proof is invalid, not a crash.
	code, _, errOut = runCLI(t, append(prove, "--out", p("g.json"))...)
	if code == 0 || !strings.Contains(errOut, "no keys") {
		t.Fatalf("groth16 prove without keys: exit %d, %q", code, errOut)
	}
	oneErrorLine(t, errOut)
	env.Backend = "groth16"
	b, _ := env.Marshal()
	os.WriteFile(p("relabelled.json"), b, 0o644)
	code, out, _ = runCLI(t, "verify", "--keys", p("keys"), p("relabelled.json"))
	if code != 1 || !strings.Contains(out, "wrong key") {
		t.Fatalf("relabelled proof: exit %d, %q", code, out)
	}
	if code, _, _ := runCLI(t, "setup", "--backend", "stark", "--keys", p("k2")); code != 2 {
		t.Fatalf("unknown backend: exit %d, want 2", code)
	}
}

func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("bench proves and sets up")
	}
	code, out, errOut := runCLI(t, "bench", "--json", "--runs", "2", "--circuit", "salary", "--backend", "groth16", "--rows", "20000")
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, errOut)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, out)
	}
	if len(rep.Circuits) != 1 || rep.Cores < 1 || rep.Runs != 2 {
		t.Fatalf("report %+v", rep)
	}
	c := rep.Circuits[0]
	m, err := verifier.ReadManifest(filepath.Join("..", "..", "fixtures", "keys", "salary", "groth16"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Constraints != m.Constraints || c.ProofBytes == 0 || c.ProveP50MS <= 0 || c.VerifyP50MS <= 0 || c.ProveP90MS < c.ProveP50MS {
		t.Fatalf("circuit figures %+v", c)
	}
	if len(rep.Batch) != 4 || rep.Batch[3].N != 1024 || rep.Batch[3].PerProofMS <= 0 {
		t.Fatalf("batch figures %+v", rep.Batch)
	}
	a := rep.Aggregator
	if a == nil || len(a.Queries) != 1 || a.Queries[0].Rows != 20000 || a.PreverifiedRows != 20000 || a.VerifiedProofsPerSec <= 0 {
		t.Fatalf("aggregator figures %+v", a)
	}
	for _, args := range [][]string{{"--circuit", "nope"}, {"--backend", "stark"}, {"--runs", "0"}} {
		if code, _, _ := runCLI(t, append([]string{"bench"}, args...)...); code != exitUsage {
			t.Errorf("bench %v: exit %d, want 2", args, code)
		}
	}
}
