package verifier_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

// batchFixture holds a few distinct real proofs; batches repeat them, which
// keeps every batch valid without proving hundreds of statements.
type batchFixture struct {
	ring *verifier.Keyring
	key  *verifier.Key
	envs []*verifier.Envelope
}

// The fixture is made once per test binary: proving takes a while, and the
// tests only read it.
var (
	fixtureOnce sync.Once
	fixture     *batchFixture
)

func newBatchFixture(tb testing.TB) *batchFixture {
	tb.Helper()
	fixtureOnce.Do(func() { fixture = makeBatchFixture(tb) })
	if fixture == nil {
		tb.Fatal("the batch fixture could not be made (see the first test that asked for it)")
	}
	return fixture
}

func makeBatchFixture(tb testing.TB) *batchFixture {
	tb.Helper()
	env := provertest.Salary(tb)
	ring := verifier.OpenKeyring(env.Keys)
	key, err := ring.Key(salary.Name, verifier.BackendGroth16)
	if err != nil {
		tb.Fatal(err)
	}
	f := &batchFixture{ring: ring, key: key}
	for i, amount := range []uint64{123456, 99000, 250000, 61000} {
		f.envs = append(f.envs, env.Prove(tb, i, amount, provertest.Labels))
	}
	return f
}

// batch returns n valid envelopes, copies of the fixture's proofs in turn.
func (f *batchFixture) batch(t testing.TB, n int) []*verifier.Envelope {
	envs := make([]*verifier.Envelope, n)
	for i := range envs {
		envs[i] = cloneTB(t, f.envs[i%len(f.envs)])
	}
	return envs
}

func cloneTB(tb testing.TB, e *verifier.Envelope) *verifier.Envelope {
	tb.Helper()
	b, err := e.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	c, err := verifier.ParseEnvelope(b)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func (f *batchFixture) decode(t testing.TB, envs []*verifier.Envelope) []*verifier.Decoded {
	t.Helper()
	ds := make([]*verifier.Decoded, len(envs))
	for i, e := range envs {
		d, err := f.key.Decode(e)
		if err != nil {
			t.Fatalf("decoding proof %d: %v", i, err)
		}
		ds[i] = d
	}
	return ds
}

// rewriteProof decodes the proof bytes of e, lets mutate change the points
// and encodes them back, so that the envelope still decodes.
func rewriteProof(t testing.TB, e *verifier.Envelope, mutate func(p *groth16bn254.Proof)) {
	t.Helper()
	var p groth16bn254.Proof
	if _, err := p.ReadFrom(bytes.NewReader(e.Proof)); err != nil {
		t.Fatal(err)
	}
	mutate(&p)
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	e.Proof = buf.Bytes()
}

// otherKeyCircuit has as many public inputs as the salary circuit and a
// trivial relation: its proofs are valid Groth16 proofs of the same public
// values under another verifying key.
type otherKeyCircuit struct {
	X   []frontend.Variable `gnark:",public"`
	Sum frontend.Variable
}

func (c *otherKeyCircuit) Define(api frontend.API) error {
	s := frontend.Variable(0)
	for _, x := range c.X {
		s = api.Add(s, x)
	}
	api.AssertIsEqual(c.Sum, s)
	return nil
}

// otherKeyProof returns the proof bytes of a valid proof of e's public
// inputs under a fresh, unrelated key.
func otherKeyProof(t testing.TB, f *batchFixture, e *verifier.Envelope) []byte {
	t.Helper()
	vals, err := e.PublicValues(f.key.Manifest.PublicInputs)
	if err != nil {
		t.Fatal(err)
	}
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &otherKeyCircuit{X: make([]frontend.Variable, len(vals))})
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	a := &otherKeyCircuit{X: make([]frontend.Variable, len(vals))}
	sum := new(big.Int)
	for i, v := range vals {
		a.X[i] = v
		sum.Add(sum, v)
	}
	a.Sum = sum.Mod(sum, fr.Modulus())
	w, err := frontend.NewWitness(a, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	proof, err := groth16.Prove(ccs, pk, w, solidity.WithProverTargetSolidityVerifier(backend.GROTH16))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := w.Public()
	if err := groth16.Verify(proof, vk, pub, solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16)); err != nil {
		t.Fatalf("the other key's proof does not verify under its own key: %v", err)
	}
	var buf bytes.Buffer
	if _, err := proof.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// notInG2 returns a point of the twist curve outside the prime-order
// subgroup (before cofactor clearing, a mapped point almost never is in it).
func notInG2(t testing.TB) bn254.G2Affine {
	for i := uint64(1); i < 100; i++ {
		var u bn254.E2
		u.A0.SetUint64(i)
		p := bn254.MapToCurve2(&u)
		if p.IsOnCurve() && !p.IsInSubGroup() {
			return p
		}
	}
	t.Fatal("no point outside G2 found")
	return bn254.G2Affine{}
}

func TestBatchAllValid(t *testing.T) {
	f := newBatchFixture(t)
	for _, n := range []int{0, 1, 2, 17} {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			envs := f.batch(t, n)
			bad, err := f.key.VerifyBatch(context.Background(), f.decode(t, envs))
			if err != nil || len(bad) != 0 {
				t.Fatalf("VerifyBatch = %v, %v; want no invalid proofs", bad, err)
			}
			errs := f.ring.VerifyAll(context.Background(), envs)
			if len(errs) != n {
				t.Fatalf("VerifyAll returned %d results for %d envelopes", len(errs), n)
			}
			for i, err := range errs {
				if err != nil {
					t.Errorf("envelope %d: %v", i, err)
				}
			}
		})
	}
}

func TestBatchNamesInvalidProofs(t *testing.T) {
	f := newBatchFixture(t)
	otherKey := otherKeyProof(t, f, f.envs[0])
	g1Gen := func() bn254.G1Affine { _, _, g, _ := bn254.Generators(); return g }()

	// Each kind of invalid proof decodes fine: only the proof equation can
	// catch it.
	kinds := []struct {
		name   string
		spoil  func(t *testing.T, e *verifier.Envelope)
		source int // which fixture proof the spoiled envelope starts from
	}{
		{"tampered public input", func(t *testing.T, e *verifier.Envelope) { e.Public["commitment"] = "12345" }, 1},
		{"mangled proof", func(t *testing.T, e *verifier.Envelope) {
			rewriteProof(t, e, func(p *groth16bn254.Proof) { p.Krs.Add(&p.Krs, &g1Gen) })
		}, 2},
		{"A and C swapped", func(t *testing.T, e *verifier.Envelope) {
			rewriteProof(t, e, func(p *groth16bn254.Proof) { p.Ar, p.Krs = p.Krs, p.Ar })
		}, 3},
		{"proof of another statement", func(t *testing.T, e *verifier.Envelope) { e.Proof = slices.Clone(f.envs[1].Proof) }, 0},
		{"proof from another key", func(t *testing.T, e *verifier.Envelope) { e.Proof = slices.Clone(otherKey) }, 0},
	}
	check := func(t *testing.T, envs []*verifier.Envelope, want []int) {
		t.Helper()
		bad, err := f.key.VerifyBatch(context.Background(), f.decode(t, envs))
		if err != nil || !slices.Equal(bad, want) {
			t.Errorf("VerifyBatch = %v, %v; want %v", bad, err, want)
		}
		errs := f.ring.VerifyAll(context.Background(), envs)
		for i, err := range errs {
			if !slices.Contains(want, i) {
				if err != nil {
					t.Errorf("valid envelope %d rejected: %v", i, err)
				}
				continue
			}
			single := f.ring.Verify(envs[i])
			switch {
			case !errors.Is(err, verifier.ErrInvalidProof):
				t.Errorf("envelope %d: got %v, want ErrInvalidProof", i, err)
			case single == nil || err.Error() != single.Error():
				t.Errorf("envelope %d: batch says %q, single verification %v", i, err, single)
			}
		}
	}
	for _, k := range kinds {
		for _, pos := range []int{0, 8, 16} {
			t.Run(fmt.Sprintf("%s/at=%d", k.name, pos), func(t *testing.T) {
				envs := f.batch(t, 17)
				envs[pos] = clone(t, f.envs[k.source])
				k.spoil(t, envs[pos])
				check(t, envs, []int{pos})
			})
		}
	}
	t.Run("several", func(t *testing.T) {
		envs := f.batch(t, 17)
		want := []int{1, 2, 9, 15, 16}
		for j, pos := range want {
			k := kinds[j%len(kinds)]
			envs[pos] = clone(t, f.envs[k.source])
			k.spoil(t, envs[pos])
		}
		check(t, envs, want)
	})
	t.Run("all", func(t *testing.T) {
		envs := make([]*verifier.Envelope, len(kinds))
		for j, k := range kinds {
			envs[j] = clone(t, f.envs[k.source])
			k.spoil(t, envs[j])
		}
		check(t, envs, []int{0, 1, 2, 3, 4})
	})
	// VerifyBatch checks a lone proof with gnark's verifier; with unit
	// scalars the batch equation of one proof is exactly Groth16's, so this
	// puts the batch arithmetic itself to work on one proof.
	t.Run("batch equation of one", func(t *testing.T) {
		for _, e := range f.envs {
			if bad, err := f.key.VerifyBatchFixedScalars(context.Background(), f.decode(t, []*verifier.Envelope{e})); err != nil || len(bad) != 0 {
				t.Errorf("valid proof: %v, %v", bad, err)
			}
		}
		for _, k := range kinds {
			e := clone(t, f.envs[k.source])
			k.spoil(t, e)
			if bad, err := f.key.VerifyBatchFixedScalars(context.Background(), f.decode(t, []*verifier.Envelope{e})); err != nil || !slices.Equal(bad, []int{0}) {
				t.Errorf("%s: %v, %v; want [0]", k.name, bad, err)
			}
		}
	})
	t.Run("one alone", func(t *testing.T) {
		e := clone(t, f.envs[0])
		kinds[0].spoil(t, e)
		check(t, []*verifier.Envelope{e}, []int{0})
	})
}

// TestBatchCancellingPair shows why the scalars must be unpredictable: two
// invalid proofs whose errors cancel, C₁ = C + Δ and C₂ = C' − Δ, pass a
// batch whose scalars are all one, but not one with random scalars.
func TestBatchCancellingPair(t *testing.T) {
	f := newBatchFixture(t)
	_, _, delta, _ := bn254.Generators()
	e1, e2 := clone(t, f.envs[0]), clone(t, f.envs[1])
	rewriteProof(t, e1, func(p *groth16bn254.Proof) { p.Krs.Add(&p.Krs, &delta) })
	rewriteProof(t, e2, func(p *groth16bn254.Proof) { p.Krs.Sub(&p.Krs, &delta) })
	for _, e := range []*verifier.Envelope{e1, e2} {
		if err := f.ring.Verify(e); !errors.Is(err, verifier.ErrInvalidProof) {
			t.Fatalf("crafted proof on its own: got %v, want ErrInvalidProof", err)
		}
	}
	envs := append(f.batch(t, 3), e1, e2)
	items := f.decode(t, envs)

	bad, err := f.key.VerifyBatchFixedScalars(context.Background(), items)
	if err != nil || len(bad) != 0 {
		t.Fatalf("with fixed scalars the crafted pair should pass (that is the attack); got %v, %v", bad, err)
	}
	bad, err = f.key.VerifyBatch(context.Background(), items)
	if err != nil || !slices.Equal(bad, []int{3, 4}) {
		t.Fatalf("with random scalars: VerifyBatch = %v, %v; want [3 4]", bad, err)
	}
	errs := f.ring.VerifyAll(context.Background(), envs)
	for i, err := range errs {
		if (i >= 3) != errors.Is(err, verifier.ErrInvalidProof) {
			t.Errorf("envelope %d: %v", i, err)
		}
	}
}

// TestBatchRejectsUncheckedItems: a Decoded built by hand rather than by
// Decode must not slip past the checks Decode makes.
func TestBatchRejectsUncheckedItems(t *testing.T) {
	f := newBatchFixture(t)
	offCurveGroup := notInG2(t)
	_, _, g1Gen, _ := bn254.Generators()
	cases := []struct {
		name  string
		spoil func(d *verifier.Decoded)
	}{
		{"nil", nil},
		{"B outside G2", func(d *verifier.Decoded) { d.Proof.(*groth16bn254.Proof).Bs = offCurveGroup }},
		{"commitment added", func(d *verifier.Decoded) {
			d.Proof.(*groth16bn254.Proof).Commitments = []bn254.G1Affine{g1Gen}
		}},
		{"public input missing", func(d *verifier.Decoded) { d.Public = d.Public[1:] }},
		{"public input not reduced", func(d *verifier.Decoded) {
			d.Public[0] = new(big.Int).Add(d.Public[0], fr.Modulus())
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := f.decode(t, f.batch(t, 5))
			if tc.spoil == nil {
				items[2] = nil
			} else {
				tc.spoil(items[2])
			}
			bad, err := f.key.VerifyBatch(context.Background(), items)
			if err != nil || !slices.Equal(bad, []int{2}) {
				t.Fatalf("VerifyBatch = %v, %v; want [2]", bad, err)
			}
		})
	}

	// The same points in an envelope: the reader refuses a point outside
	// G2, and a commitment the key does not expect fails verification.
	envs := f.batch(t, 4)
	rewriteProof(t, envs[1], func(p *groth16bn254.Proof) { p.Bs = offCurveGroup })
	rewriteProof(t, envs[2], func(p *groth16bn254.Proof) { p.Commitments = []bn254.G1Affine{g1Gen} })
	errs := f.ring.VerifyAll(context.Background(), envs)
	if errs[0] != nil || errs[3] != nil || !errors.Is(errs[1], verifier.ErrMalformed) || !errors.Is(errs[2], verifier.ErrInvalidProof) {
		t.Fatalf("VerifyAll = %v; want [nil ErrMalformed ErrInvalidProof nil]", errs)
	}
}

// TestBatchVerifyAllMixed: VerifyAll reports every envelope exactly as
// Verify does, whatever is wrong with it.
func TestBatchVerifyAllMixed(t *testing.T) {
	f := newBatchFixture(t)
	envs := f.batch(t, 8)
	envs[1].Circuit = "offer"                       // wrong key (not set up here)
	envs[2].Public["lo"] = envs[2].Public["hi"]     // bad public input
	envs[3].Proof = envs[3].Proof[:10]              // malformed
	envs[4].Public["commitment"] = "12345"          // invalid proof
	envs[5].VKSHA256 = "00" + envs[5].VKSHA256[2:]  // wrong key
	envs[6].Public["period"] = envs[6].Public["lo"] // bad label
	errs := f.ring.VerifyAll(context.Background(), envs)
	for i, e := range envs {
		want := f.ring.Verify(e)
		if fmt.Sprint(errs[i]) != fmt.Sprint(want) {
			t.Errorf("envelope %d: VerifyAll says %v, Verify says %v", i, errs[i], want)
		}
	}
	if errs[0] != nil || errs[7] != nil {
		t.Errorf("valid envelopes rejected: %v, %v", errs[0], errs[7])
	}
	if errs := f.ring.VerifyAll(context.Background(), []*verifier.Envelope{nil}); !errors.Is(errs[0], verifier.ErrMalformed) {
		t.Errorf("nil envelope: got %v, want ErrMalformed", errs[0])
	}
}

func TestBatchCancelled(t *testing.T) {
	f := newBatchFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	envs := f.batch(t, 3)
	if bad, err := f.key.VerifyBatch(ctx, f.decode(t, envs)); !errors.Is(err, context.Canceled) || bad != nil {
		t.Errorf("VerifyBatch = %v, %v; want context.Canceled", bad, err)
	}
	for i, err := range f.ring.VerifyAll(ctx, envs) {
		if !errors.Is(err, context.Canceled) || errors.Is(err, verifier.ErrInvalidProof) {
			t.Errorf("envelope %d: got %v, want context.Canceled", i, err)
		}
	}
}

func TestBatchScalars(t *testing.T) {
	r, err := verifier.DrawScalars(64)
	if err != nil {
		t.Fatal(err)
	}
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	seen := map[fr.Element]bool{}
	for _, s := range r {
		if s.IsZero() || s.BigInt(new(big.Int)).Cmp(limit) >= 0 || seen[s] {
			t.Fatalf("scalar %s: want distinct, nonzero, below 2^128", s.String())
		}
		seen[s] = true
	}
}

func BenchmarkVerifySingle(b *testing.B) {
	f := newBatchFixture(b)
	env := f.envs[0]
	d := f.decode(b, []*verifier.Envelope{env})[0]
	vk, _ := f.key.Groth16()
	// The proof equation alone, as VerifyBatch is measured.
	b.Run("equation", func(b *testing.B) {
		for b.Loop() {
			if err := groth16.Verify(d.Proof.(groth16.Proof), vk, d.Witness, solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed())/float64(b.N), "ns/proof")
	})
	// Decoding included, as Key.VerifyAll is measured.
	b.Run("envelope", func(b *testing.B) {
		for b.Loop() {
			if err := f.key.Verify(env); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed())/float64(b.N), "ns/proof")
	})
}

func BenchmarkVerifyBatch(b *testing.B) {
	f := newBatchFixture(b)
	for _, n := range []int{1, 16, 256, 1024} {
		items := f.decode(b, f.batch(b, n))
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			for b.Loop() {
				if bad, err := f.key.VerifyBatch(context.Background(), items); err != nil || len(bad) != 0 {
					b.Fatal(bad, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(n*b.N), "ns/proof")
		})
	}
}

// BenchmarkVerifyAll includes decoding, which batching cannot share.
func BenchmarkVerifyAll(b *testing.B) {
	f := newBatchFixture(b)
	for _, n := range []int{16, 1024} {
		envs := f.batch(b, n)
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			for b.Loop() {
				for _, err := range f.key.VerifyAll(context.Background(), envs) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(n*b.N), "ns/proof")
		})
	}
}
