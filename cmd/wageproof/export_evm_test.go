package main

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/wageproof/wageproof/verifier"
)

// The committed fixtures hold salary Groth16 verifying keys and proofs.
var (
	fixtureKeys   = filepath.Join("..", "..", "fixtures", "keys")
	fixtureProofs = filepath.Join("..", "..", "fixtures", "proofs")
)

func fixtureProof(name string) string { return filepath.Join(fixtureProofs, name) }

func TestExportSolidity(t *testing.T) {
	out := filepath.Join(t.TempDir(), "SalaryVerifier.sol")
	code, stdout, stderr := runCLI(t, "export", "solidity", "--keys", fixtureKeys, "--out", out)
	if code != 0 || stdout != "" || !strings.Contains(stderr, out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pragma solidity " + verifier.SolidityPragma, "contract Verifier", "function verifyProof(", "uint256[9] calldata input"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("exported contract lacks %q", want)
		}
	}
	// Without --out the contract goes to standard output, the same bytes.
	if got := mustCLI(t, "export", "solidity", "--keys", fixtureKeys, "--circuit", "salary", "--backend", "groth16"); got != string(src) {
		t.Error("standard output differs from the file")
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no keys for the backend", []string{"--keys", fixtureKeys, "--backend", "plonk"}, exitUsage},
		{"no keys for the circuit", []string{"--keys", fixtureKeys, "--circuit", "offer"}, exitUsage},
		{"unknown circuit", []string{"--keys", fixtureKeys, "--circuit", "height"}, exitUsage},
		{"unknown backend", []string{"--keys", fixtureKeys, "--backend", "stark"}, exitUsage},
		{"no key root", []string{"--out", out}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"export", "solidity"}, tc.args...)...)
			if code != tc.code || stdout != "" {
				t.Fatalf("exit %d (want %d), stdout %q", code, tc.code, stdout)
			}
			oneErrorLine(t, stderr)
		})
	}
}

func TestExportSolidityTamperedKey(t *testing.T) {
	root := t.TempDir()
	dir := verifier.KeyDir(root, "salary", "groth16")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{verifier.ManifestFile, verifier.VerifyingKeyFile} {
		b, err := os.ReadFile(filepath.Join(fixtureKeys, "salary", "groth16", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == verifier.VerifyingKeyFile {
			b[len(b)-1] ^= 1
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runCLI(t, "export", "solidity", "--keys", root)
	if code != exitInvalid || stdout != "" || !strings.Contains(stderr, "does not match the manifest") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	oneErrorLine(t, stderr)
}

func TestExportCalldata(t *testing.T) {
	proof := fixtureProof("valid-developer.json")
	env, err := verifier.ReadEnvelope(proof)
	if err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, "export", "calldata", proof)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "function: verifyProof(bytes,uint256[9])" {
		t.Fatalf("output %q", out)
	}
	proofHex := strings.TrimPrefix(lines[1], "proof: 0x")
	if len(proofHex) != 2*256 {
		t.Errorf("proof is %d hex digits, want 512 (256 bytes)", len(proofHex))
	}
	// The inputs are the envelope's public inputs in the manifest's order.
	var want []string
	for _, name := range []string{"commitment", "lo", "hi", "currency", "role", "region", "period", "member_root", "nullifier"} {
		v, _ := new(big.Int).SetString(env.Public[name], 10)
		want = append(want, fmt.Sprintf("0x%064x", v))
	}
	if got := strings.TrimPrefix(lines[2], "input: "); got != "["+strings.Join(want, ",")+"]" {
		t.Errorf("input %s\nwant  [%s]", got, strings.Join(want, ","))
	}

	// --abi: selector of verifyProof(bytes,uint256[9]), the bytes offset, 9
	// inputs, the length and the 256 proof bytes.
	abiOut := strings.TrimSpace(mustCLI(t, "export", "calldata", "--abi", "--keys", fixtureKeys, proof))
	if !strings.HasPrefix(abiOut, "0x") || len(abiOut) != 2+2*(4+32+9*32+32+256) || strings.Contains(abiOut, "\n") {
		t.Fatalf("--abi output %d chars: %.40q…", len(abiOut), abiOut)
	}
	if sel := fmt.Sprintf("%x", crypto.Keccak256([]byte("verifyProof(bytes,uint256[9])"))[:4]); abiOut[2:10] != sel {
		t.Errorf("--abi selector %s, want %s", abiOut[2:10], sel)
	}
	if !strings.Contains(abiOut, proofHex) || !strings.Contains(abiOut, strings.TrimPrefix(want[0], "0x")) {
		t.Error("--abi output lacks the proof or the inputs")
	}

	// A proof that does not verify still has calldata (the contract will
	// reject it), unless --keys asks for verification first.
	bad := fixtureProof("invalid_proof-bucket-moved.json")
	mustCLI(t, "export", "calldata", bad)

	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"invalid proof with --keys", []string{"--keys", fixtureKeys, bad}, exitInvalid},
		{"not json", []string{fixtureProof("malformed-not-json.json")}, exitInvalid},
		{"truncated", []string{fixtureProof("malformed-truncated.json")}, exitInvalid},
		{"mangled proof bytes", []string{fixtureProof("malformed-mangled-proof.json")}, exitInvalid},
		{"non-canonical input", []string{fixtureProof("public_input-non-canonical.json")}, exitInvalid},
		{"other verifying key with --keys", []string{"--keys", fixtureKeys, fixtureProof("wrong_key-other-vk.json")}, exitInvalid},
		{"no such file", []string{filepath.Join(t.TempDir(), "nope.json")}, exitUsage},
		{"no file", nil, exitUsage},
		{"two files", []string{proof, proof}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"export", "calldata"}, tc.args...)...)
			if code != tc.code || stdout != "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", code, tc.code, stdout, stderr)
			}
			oneErrorLine(t, stderr)
		})
	}
}

// The store export keeps its required flags once it has EVM subcommands.
func TestExportStoreStillRequiresFlags(t *testing.T) {
	code, stdout, stderr := runCLI(t, "export", "--out", filepath.Join(t.TempDir(), "x.parquet"))
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--store") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	oneErrorLine(t, stderr)
}
