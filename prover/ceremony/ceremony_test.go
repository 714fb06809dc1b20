package ceremony_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/prover/ceremony"
	"github.com/wageproof/wageproof/verifier"
)

// cube is a test-only statement small enough (N = 4) that a whole ceremony
// takes well under a second: x³ + x + 5 = y.
type cube struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *cube) Define(api frontend.API) error {
	x3 := api.Mul(c.X, c.X, c.X)
	api.AssertIsEqual(c.Y, api.Add(x3, c.X, 5))
	return nil
}

var cubeSpec = circuits.Spec{
	Name: "cube", Version: 1, PublicInputs: []string{"y"},
	New: func() frontend.Circuit { return &cube{} },
}

const (
	beacon1 = "0x6f1a9b3c0d2e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e"
	beacon2 = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

func mustBeacon(t *testing.T, v string) *ceremony.Beacon {
	t.Helper()
	b, err := ceremony.ParseBeacon(v, "test")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runPhases runs a ceremony with three contributors in each phase, up to
// (not including) the seal.
func runPhases(t *testing.T, dir string) *ceremony.Ceremony {
	t.Helper()
	ctx := context.Background()
	c, err := ceremony.Init(ctx, dir, cubeSpec)
	if err != nil {
		t.Fatal(err)
	}
	prev := c.Transcript.Phase1Initial
	for _, name := range []string{"alice", "bob", "carol"} {
		// Each contributor opens the directory afresh, as on their own machine.
		c, err = ceremony.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		e, err := c.Contribute(ctx, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e.Prev != prev || e.SHA256 != fileHash(t, filepath.Join(dir, e.File)) {
			t.Fatalf("%s: chain %s -> %s, file %s", name, e.Prev, e.SHA256, e.File)
		}
		prev = e.SHA256
	}
	if err := c.StartPhase2(ctx, mustBeacon(t, beacon1), nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"dave", "erin", "alice"} {
		if c, err = ceremony.Open(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Contribute(ctx, name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return c
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// snapshot is every file of dir with its hash.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			m[p] = fileHash(t, p)
		}
		return nil
	})
	return m
}

func sameSnapshot(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s changed the directory: %d files before, %d after", what, len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("%s changed %s", what, k)
		}
	}
}

func loadGroth16(t *testing.T, dir string) (groth16.ProvingKey, groth16.VerifyingKey) {
	t.Helper()
	pk, vk := groth16.NewProvingKey(ecc.BN254), groth16.NewVerifyingKey(ecc.BN254)
	f, err := os.Open(filepath.Join(dir, verifier.ProvingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := pk.UnsafeReadFrom(bufio.NewReader(f)); err != nil {
		t.Fatal(err)
	}
	g, err := os.Open(filepath.Join(dir, verifier.VerifyingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := vk.ReadFrom(g); err != nil {
		t.Fatal(err)
	}
	return pk, vk
}

func proveCube(t *testing.T, pk groth16.ProvingKey, x int) (groth16.Proof, frontend.Circuit) {
	t.Helper()
	ccs, err := prover.Compile(cubeSpec, verifier.BackendGroth16)
	if err != nil {
		t.Fatal(err)
	}
	a := &cube{X: x, Y: x*x*x + x + 5}
	w, err := frontend.NewWitness(a, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pk, w)
	if err != nil {
		t.Fatal(err)
	}
	return proof, a
}

func verifyCube(proof groth16.Proof, vk groth16.VerifyingKey, a frontend.Circuit) error {
	w, err := frontend.NewWitness(a, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		return err
	}
	return groth16.Verify(proof, vk, w)
}

func TestThreeContributorsSealProveVerify(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "ceremony")
	c := runPhases(t, dir)

	var links []ceremony.Link
	if err := c.Verify(ctx, func(l ceremony.Link) { links = append(links, l) }); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range links {
		if l.Kind == ceremony.LinkContribution {
			n++
		}
	}
	if n != 6 {
		t.Fatalf("verify reported %d contributions, want 6: %v", n, links)
	}

	keys := filepath.Join(root, "keys")
	m, err := c.Seal(ctx, cubeSpec, ceremony.SealOptions{Keys: keys, Beacon: mustBeacon(t, beacon2)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Setup, ceremony.SetupPrefix) || !strings.Contains(m.Setup, beacon2[2:]) {
		t.Fatalf("manifest setup %q", m.Setup)
	}
	if want := []string{"alice", "bob", "carol", "dave", "erin"}; strings.Join(m.Contributors, ",") != strings.Join(want, ",") {
		t.Fatalf("contributors %v", m.Contributors)
	}
	keyDir := verifier.KeyDir(keys, "cube", verifier.BackendGroth16)
	onDisk, err := verifier.ReadManifest(keyDir)
	if err != nil {
		t.Fatal(err)
	}
	if onDisk.Transcript != fileHash(t, filepath.Join(dir, ceremony.TranscriptFile)) {
		t.Fatalf("manifest transcript %s is not the transcript's hash", onDisk.Transcript)
	}
	if err := c.CheckKeys(keys); err != nil {
		t.Fatal(err)
	}

	// The sealed keys prove and verify; a dev setup's proof does not verify
	// against them, nor theirs against the dev key.
	pk, vk := loadGroth16(t, keyDir)
	proof, a := proveCube(t, pk, 3)
	if err := verifyCube(proof, vk, a); err != nil {
		t.Fatalf("a proof with the sealed keys does not verify: %v", err)
	}
	ccs, _ := prover.Compile(cubeSpec, verifier.BackendGroth16)
	devPK, devVK, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	devProof, a := proveCube(t, devPK, 3)
	if err := verifyCube(devProof, vk, a); err == nil {
		t.Fatal("the sealed key accepts a proof from a dev setup")
	}
	if err := verifyCube(proof, devVK, a); err == nil {
		t.Fatal("a dev key accepts a proof from the sealed keys")
	}

	// Sealing is reproducible: anyone re-sealing gets the same verifying key.
	c, err = ceremony.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Seal(ctx, cubeSpec, ceremony.SealOptions{Keys: filepath.Join(root, "again")}, nil)
	if err != nil || again.VKSHA256 != m.VKSHA256 {
		t.Fatalf("re-seal: %v, vk %s want %s", err, again.VKSHA256, m.VKSHA256)
	}
	if _, err := c.Seal(ctx, cubeSpec, ceremony.SealOptions{Keys: filepath.Join(root, "other"), Beacon: mustBeacon(t, beacon1)}, nil); !errors.Is(err, ceremony.ErrPhase) {
		t.Fatalf("re-seal with another beacon: %v", err)
	}
	if err := c.Verify(ctx, nil); err != nil {
		t.Fatalf("verify after seal: %v", err)
	}
}

// copyDir copies a flat directory.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	es, _ := os.ReadDir(from)
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(to, e.Name()), b, 0o644)
	}
}

// editTranscript rewrites the transcript through f.
func editTranscript(t *testing.T, dir string, f func(*ceremony.Transcript)) {
	t.Helper()
	path := filepath.Join(dir, ceremony.TranscriptFile)
	b, _ := os.ReadFile(path)
	var tr ceremony.Transcript
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	f(&tr)
	b, _ = json.MarshalIndent(&tr, "", "  ")
	os.WriteFile(path, b, 0o644)
}

func flipByte(t *testing.T, path string, at int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if at < 0 {
		at += len(b)
	}
	b[at] ^= 0x01
	os.WriteFile(path, b, 0o644)
}

func TestVerifyDetectsTampering(t *testing.T) {
	base := filepath.Join(t.TempDir(), "ceremony")
	c := runPhases(t, base)
	p1 := c.Transcript.Phase1
	p2 := c.Transcript.Phase2
	if err := c.Verify(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// A well-formed contribution that was not built on the one before it:
	// mallory contributed to a fork of the ceremony.
	fork := filepath.Join(t.TempDir(), "fork")
	fc, err := ceremony.Init(context.Background(), fork, cubeSpec)
	if err != nil {
		t.Fatal(err)
	}
	forked, err := fc.Contribute(context.Background(), "mallory")
	if err != nil {
		t.Fatal(err)
	}
	swapFiles := func(dir, a, b string) {
		x, _ := os.ReadFile(filepath.Join(dir, a))
		y, _ := os.ReadFile(filepath.Join(dir, b))
		os.WriteFile(filepath.Join(dir, a), y, 0o644)
		os.WriteFile(filepath.Join(dir, b), x, 0o644)
	}
	for _, tc := range []struct {
		name   string
		tamper func(dir string)
		want   string
	}{
		{"byte flipped in a phase-1 file", func(d string) { flipByte(t, filepath.Join(d, p1[1].File), 100) },
			"phase 1 contribution #2 (bob): " + p1[1].File + " was changed after it was contributed"},
		{"byte flipped in a phase-2 file", func(d string) { flipByte(t, filepath.Join(d, p2[2].File), -40) },
			"phase 2 contribution #3 (alice): " + p2[2].File + " was changed"},
		{"files swapped", func(d string) { swapFiles(d, p1[0].File, p1[1].File) },
			"holds the bytes of phase 1 contribution #2"},
		{"file missing", func(d string) { os.Remove(filepath.Join(d, p1[2].File)) },
			p1[2].File + " is missing"},
		{"entries reordered", func(d string) {
			editTranscript(t, d, func(tr *ceremony.Transcript) { tr.Phase1[1], tr.Phase1[2] = tr.Phase1[2], tr.Phase1[1] })
		}, "entries are out of order"},
		{"entries reordered and renumbered", func(d string) {
			editTranscript(t, d, func(tr *ceremony.Transcript) {
				tr.Phase2[0], tr.Phase2[1] = tr.Phase2[1], tr.Phase2[0]
				tr.Phase2[0].Index, tr.Phase2[1].Index = 1, 2
			})
		}, "contributions are out of order"},
		{"contribution dropped", func(d string) {
			editTranscript(t, d, func(tr *ceremony.Transcript) {
				tr.Phase1 = append(tr.Phase1[:1], tr.Phase1[2])
				tr.Phase1[1].Index = 2
			})
		}, "says it follows sha256"},
		{"file changed and transcript rewritten to match", func(d string) {
			path := filepath.Join(d, p1[1].File)
			flipByte(t, path, 100)
			h := fileHash(t, path)
			editTranscript(t, d, func(tr *ceremony.Transcript) { tr.Phase1[1].SHA256 = h; tr.Phase1[2].Prev = h })
		}, "phase 1 contribution #2 (bob)"},
		{"forked contribution substituted", func(d string) {
			b, _ := os.ReadFile(filepath.Join(fork, forked.File))
			os.WriteFile(filepath.Join(d, p1[1].File), b, 0o644)
			editTranscript(t, d, func(tr *ceremony.Transcript) { tr.Phase1[1].SHA256 = forked.SHA256; tr.Phase1[2].Prev = forked.SHA256 })
		}, "phase 1 contribution #2 (bob): " + p1[1].File + " is not a valid update of the contribution before it: the challenge does not match"},
		{"another beacon claimed", func(d string) {
			editTranscript(t, d, func(tr *ceremony.Transcript) { tr.Phase1Beacon.Value = beacon2[2:] })
		}, "start of phase 2"},
		{"circuit replaced", func(d string) { flipByte(t, filepath.Join(d, ceremony.CircuitFile), -3) },
			"circuit.ccs was changed"},
		{"domain size not a power of two", func(d string) {
			editTranscript(t, d, func(tr *ceremony.Transcript) { tr.DomainSize = 3 })
		}, "do not fit"},
		{"transcript not JSON", func(d string) { os.WriteFile(filepath.Join(d, ceremony.TranscriptFile), []byte("{"), 0o644) },
			"not a ceremony transcript"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "c")
			copyDir(t, base, dir)
			tc.tamper(dir)
			c, err := ceremony.Open(dir)
			if err == nil {
				err = c.Verify(context.Background(), nil)
			}
			if !errors.Is(err, ceremony.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalid with %q", err, tc.want)
			}
			t.Log(err)
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestStepsThatFailChangeNothing(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	phase1 := filepath.Join(root, "p1")
	if _, err := ceremony.Init(ctx, phase1, cubeSpec); err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(root, "sealed")
	c2 := runPhases(t, sealed)
	keys := filepath.Join(root, "keys")
	if _, err := c2.Seal(ctx, cubeSpec, ceremony.SealOptions{Keys: keys}, nil); err != nil {
		t.Fatal(err)
	}
	salary, err := circuits.Lookup("salary")
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	open := func(dir string) *ceremony.Ceremony {
		c, err := ceremony.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		dir  string
		step func(c *ceremony.Ceremony) error
		want error
	}{
		{"bad name", phase1, func(c *ceremony.Ceremony) error { _, err := c.Contribute(ctx, "../evil"); return err }, ceremony.ErrUsage},
		{"empty name", phase1, func(c *ceremony.Ceremony) error { _, err := c.Contribute(ctx, ""); return err }, ceremony.ErrUsage},
		{"cancelled contribute", phase1, func(c *ceremony.Ceremony) error { _, err := c.Contribute(cancelled, "alice"); return err }, context.Canceled},
		{"phase 2 before any contribution", phase1, func(c *ceremony.Ceremony) error { return c.StartPhase2(ctx, nil, nil) }, ceremony.ErrPhase},
		{"seal in phase 1", phase1, func(c *ceremony.Ceremony) error {
			_, err := c.Seal(ctx, cubeSpec, ceremony.SealOptions{Keys: filepath.Join(root, "k1")}, nil)
			return err
		}, ceremony.ErrPhase},
		{"contribute when sealed", sealed, func(c *ceremony.Ceremony) error { _, err := c.Contribute(ctx, "zed"); return err }, ceremony.ErrPhase},
		{"phase 2 when sealed", sealed, func(c *ceremony.Ceremony) error { return c.StartPhase2(ctx, nil, nil) }, ceremony.ErrPhase},
		{"seal over existing keys", sealed, func(c *ceremony.Ceremony) error {
			_, err := c.Seal(ctx, cubeSpec, ceremony.SealOptions{Keys: keys}, nil)
			return err
		}, prover.ErrKeysExist},
		{"seal for another circuit", sealed, func(c *ceremony.Ceremony) error {
			_, err := c.Seal(ctx, salary, ceremony.SealOptions{Keys: filepath.Join(root, "k2")}, nil)
			return err
		}, ceremony.ErrInvalid},
		{"init over a ceremony", sealed, func(*ceremony.Ceremony) error { _, err := ceremony.Init(ctx, sealed, cubeSpec); return err }, ceremony.ErrExists},
		{"two contributors at once", phase1, func(c *ceremony.Ceremony) error {
			other := open(phase1)
			if _, err := other.Contribute(ctx, "first"); err != nil {
				return err
			}
			before := snapshot(t, phase1)
			_, err := c.Contribute(ctx, "second")
			sameSnapshot(t, "the losing contribute", before, snapshot(t, phase1))
			return err
		}, ceremony.ErrConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := open(tc.dir)
			before := snapshot(t, root)
			err := tc.step(c)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != ceremony.ErrConcurrent {
				sameSnapshot(t, tc.name, before, snapshot(t, root))
			}
		})
	}
}

func TestContributeRefusesABadHead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	c := runPhases(t, dir)
	last := c.Transcript.Phase2[2]
	flipByte(t, filepath.Join(dir, last.File), 100)
	c, _ = ceremony.Open(dir)
	before := snapshot(t, dir)
	if _, err := c.Contribute(context.Background(), "mallory"); !errors.Is(err, ceremony.ErrInvalid) || !strings.Contains(err.Error(), "was changed") {
		t.Fatalf("contribute on a changed head: %v", err)
	}
	sameSnapshot(t, "contribute on a bad head", before, snapshot(t, dir))
}

func TestOrphanFileIsIgnored(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "c")
	c, err := ceremony.Init(context.Background(), dir, cubeSpec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Contribute(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "phase1-0002-bob.bin"), []byte("interrupted"), 0o644)
	var ignored []string
	if err := c.Verify(context.Background(), func(l ceremony.Link) {
		if l.Kind == ceremony.LinkIgnored {
			ignored = append(ignored, l.File)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(ignored) != 1 {
		t.Fatalf("ignored %v", ignored)
	}
	// The next contribute takes the orphan's place.
	if e, err := c.Contribute(context.Background(), "bob"); err != nil || e.File != "phase1-0002-bob.bin" {
		t.Fatalf("contribute over an orphan: %v %v", e, err)
	}
	if err := c.Verify(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestParseBeacon(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{beacon1, true},
		{strings.ToUpper(beacon1[2:]), true},
		{"0x1234", false}, // too short to be unpredictable
		{"not hex at all, not at all", false},
		{"", false},
	} {
		_, err := ceremony.ParseBeacon(tc.in, "")
		if (err == nil) != tc.ok {
			t.Errorf("ParseBeacon(%q): %v", tc.in, err)
		}
		if err != nil && !errors.Is(err, ceremony.ErrUsage) {
			t.Errorf("ParseBeacon(%q): %v is not ErrUsage", tc.in, err)
		}
	}
}
