package verifier

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/solidity"
)

// Batch verification of Groth16 proofs.
//
// A Groth16 proof (A, B, C) with public inputs x verifies under a key
// (α, β, γ, δ, K) when
//
//	e(A, B) · e(-IC(x), γ) · e(-C, δ) · e(-α, β) = 1,  IC(x) = K₀ + Σᵢ xᵢ Kᵢ.
//
// For n proofs and independent random nonzero 128-bit scalars rⱼ, the batch
// check is
//
//	Πⱼ e(rⱼAⱼ, Bⱼ) · e(-Σⱼ rⱼIC(xⱼ), γ) · e(-Σⱼ rⱼCⱼ, δ) · e(-(Σⱼ rⱼ)α, β) = 1.
//
// Each proof's equation is an element gⱼ of the prime-order group GT, and the
// batch checks Πⱼ gⱼ^rⱼ = 1. If some gⱼ ≠ 1, the scalars that pass form at
// most a 2⁻¹²⁸ fraction, so one check costs one multi-Miller loop over n+3
// pairs and one final exponentiation, instead of n of each. The scalars are
// drawn after the proofs are fixed, from crypto/rand: with scalars a prover
// can predict, two wrong proofs can be made to cancel (the tests show it).
//
// Σⱼ rⱼIC(xⱼ) is computed as (Σⱼ rⱼ)K₀ + Σᵢ (Σⱼ rⱼxⱼᵢ)Kᵢ: the scalars are
// combined in the field first, then one multi-exponentiation of the key's
// size replaces n of them. e(α, β) is paired in the loop rather than raised
// to Σⱼ rⱼ in GT, which costs about the same and needs nothing precomputed.

// BatchSize is how many proofs Key.VerifyAll and Keyring.VerifyAll check with
// one pairing check. Beyond a few hundred the fixed cost of a check (one final
// exponentiation, three pairs, one small multi-exponentiation) is spread
// thin, and larger batches only make bisection after a failure longer.
const BatchSize = 1024

// minChunk is the fewest pairs worth a goroutine of the Miller loop: below it
// the goroutine and the extra GT product cost more than they save.
const minChunk = 8

// parallelMSM is the fewest points for which Σⱼ rⱼCⱼ is worth gnark's
// parallel multi-exponentiation.
const parallelMSM = 256

// scalarSource fills dst with nonzero scalars for one batch check. Only tests
// replace randomScalars, to show what fixed scalars would allow.
type scalarSource func(dst []fr.Element) error

// randomScalars draws independent nonzero 128-bit scalars from crypto/rand.
// 128 bits bound the chance that a batch with an invalid proof passes by
// 2⁻¹²⁸ while halving the cost of the scalar multiplications.
func randomScalars(dst []fr.Element) error {
	buf := make([]byte, 16*len(dst))
	if _, err := rand.Read(buf); err != nil {
		return fmt.Errorf("drawing batch scalars: %w", err)
	}
	for i := range dst {
		dst[i].SetBytes(buf[16*i : 16*(i+1)])
		if dst[i].IsZero() {
			// A zero scalar would drop the proof from the check.
			dst[i].SetOne()
		}
	}
	return nil
}

// invalidProof is the error of a proof whose equation fails, worded as Verify
// words it so that a batch reports each proof as a single check would.
func invalidProof() error {
	return fmt.Errorf("%w: the proof does not verify against its public inputs", ErrInvalidProof)
}

// VerifyBatch checks the proof equations of decoded proofs under k (items
// come from k.Decode, which checks everything else) and returns the indexes
// of the proofs that do not verify, in increasing order; a valid proof is
// never among them. err is non-nil only if ctx ends the work or randomness
// fails, and then bad is nil.
//
// Groth16 proofs are checked together with one pairing check, and on failure
// the batch is bisected to find every invalid proof. Proofs with Pedersen
// commitments, and PLONK proofs, are verified one at a time.
func (k *Key) VerifyBatch(ctx context.Context, items []*Decoded) (bad []int, err error) {
	return k.verifyBatch(ctx, items, randomScalars, true, true)
}

// verifyBatch is VerifyBatch with the scalar source given. checkPoints says
// whether to check that proof points lie in their subgroups: Decode's reader
// has checked them, but a Decoded built otherwise has not. exactSingles is
// g16Batch's.
func (k *Key) verifyBatch(ctx context.Context, items []*Decoded, scalars scalarSource, checkPoints, exactSingles bool) ([]int, error) {
	var (
		bad     []int
		batch   []g16Item
		idx     []int // index in items of each batch entry
		singles []int
	)
	vk, batchable := k.groth16Batchable()
	for i, d := range items {
		if !batchable {
			singles = append(singles, i)
			continue
		}
		it, ok := vk.item(d, checkPoints)
		switch {
		case !ok:
			bad = append(bad, i)
		case len(it.proof.Commitments) > 0:
			// Our circuits make none; a proof that carries commitments
			// anyway gets gnark's full check (and fails it against a key
			// without commitment keys).
			singles = append(singles, i)
		default:
			batch = append(batch, it)
			idx = append(idx, i)
		}
	}

	failed, err := (&g16Batch{vk: vk, scalars: scalars, exactSingles: exactSingles}).find(ctx, batch)
	if err != nil {
		return nil, err
	}
	for _, j := range failed {
		bad = append(bad, idx[j])
	}

	singleBad, err := k.verifySingles(ctx, items, singles)
	if err != nil {
		return nil, err
	}
	bad = append(bad, singleBad...)
	slices.Sort(bad)
	return bad, nil
}

// groth16Batchable returns the key as a batch verifier, or false if the key
// is not Groth16 or uses commitments, whose extra checks the batch omits.
func (k *Key) groth16Batchable() (g16Key, bool) {
	vk, ok := k.vk.(*groth16bn254.VerifyingKey)
	if !ok || len(vk.CommitmentKeys) > 0 || len(vk.PublicAndCommitmentCommitted) > 0 || len(vk.G1.K) == 0 {
		return g16Key{}, false
	}
	return g16Key{vk}, true
}

// verifySingles verifies items[i] for i in which, one at a time, on all cores.
func (k *Key) verifySingles(ctx context.Context, items []*Decoded, which []int) ([]int, error) {
	failed := make([]bool, len(which))
	err := parallel(ctx, len(which), func(j int) {
		d := items[which[j]]
		failed[j] = d == nil || d.Proof == nil || d.Witness == nil || k.System.verify(d.Proof, k.vk, d.Witness) != nil
	})
	if err != nil {
		return nil, err
	}
	var bad []int
	for j, f := range failed {
		if f {
			bad = append(bad, which[j])
		}
	}
	return bad, nil
}

// VerifyAll verifies envelopes under k and returns one error per envelope,
// nil for a valid proof; each error is what Verify returns for it. If ctx
// ends the work, the envelopes not yet decided get an error wrapping
// ctx.Err().
func (k *Key) VerifyAll(ctx context.Context, envs []*Envelope) []error {
	errs := make([]error, len(envs))
	decided := make([]bool, len(envs))
	decoded := make([]*Decoded, len(envs))
	// Decoding decompresses and subgroup-checks each proof's points and
	// checks its public inputs: per-proof work that batching cannot share,
	// so it runs on all cores.
	err := parallel(ctx, len(envs), func(i int) {
		if envs[i] == nil {
			errs[i] = fmt.Errorf("%w: no envelope", ErrMalformed)
		} else {
			decoded[i], errs[i] = k.Decode(envs[i])
		}
		decided[i] = errs[i] != nil
	})
	if err != nil {
		return stopped(errs, decided, err)
	}
	var items []*Decoded
	var idx []int
	for i, d := range decoded {
		if !decided[i] {
			items = append(items, d)
			idx = append(idx, i)
		}
	}
	for lo := 0; lo < len(items); lo += BatchSize {
		hi := min(lo+BatchSize, len(items))
		// Decode has subgroup-checked the points (gnark's reader does).
		bad, err := k.verifyBatch(ctx, items[lo:hi], randomScalars, false, true)
		if err != nil {
			return stopped(errs, decided, err)
		}
		for _, j := range bad {
			errs[idx[lo+j]] = invalidProof()
		}
		for _, i := range idx[lo:hi] {
			decided[i] = true
		}
	}
	return errs
}

// stopped gives every envelope not yet decided the error err.
func stopped(errs []error, decided []bool, err error) []error {
	for i := range errs {
		if !decided[i] {
			errs[i] = fmt.Errorf("verification stopped: %w", err)
		}
	}
	return errs
}

// VerifyAll verifies each envelope against the key its circuit and backend
// name, and returns one error per envelope, nil for a valid proof; each error
// is what Verify returns for it. Envelopes under the same key are verified
// in batches (see Key.VerifyAll), so many proofs cost much less than as many
// calls to Verify. If ctx ends the work, the envelopes not yet decided get an
// error wrapping ctx.Err().
func (r *Keyring) VerifyAll(ctx context.Context, envs []*Envelope) []error {
	errs := make([]error, len(envs))
	type group struct {
		key  *Key
		idx  []int
		envs []*Envelope
	}
	var order []*group
	groups := map[*Key]*group{}
	for i, env := range envs {
		if env == nil {
			errs[i] = fmt.Errorf("%w: no envelope", ErrMalformed)
			continue
		}
		k, err := r.Key(env.Circuit, env.Backend)
		if err != nil {
			errs[i] = err
			continue
		}
		g := groups[k]
		if g == nil {
			g = &group{key: k}
			groups[k] = g
			order = append(order, g)
		}
		g.idx = append(g.idx, i)
		g.envs = append(g.envs, env)
	}
	for _, g := range order {
		for j, err := range g.key.VerifyAll(ctx, g.envs) {
			errs[g.idx[j]] = err
		}
	}
	return errs
}

// g16Key is a Groth16 verifying key without commitments.
type g16Key struct{ vk *groth16bn254.VerifyingKey }

// g16Item is one proof of a batch with its public inputs as field elements.
type g16Item struct {
	proof  *groth16bn254.Proof
	public []fr.Element
}

// item converts d for the batch, or returns false if d cannot be a valid
// proof under k: wrong types or sizes, public inputs outside the field, or
// (if checkPoints) proof points outside their groups. The batch equation
// says nothing about a point outside the prime-order subgroups, so such a
// proof must never reach it.
func (k g16Key) item(d *Decoded, checkPoints bool) (g16Item, bool) {
	if d == nil {
		return g16Item{}, false
	}
	p, ok := d.Proof.(*groth16bn254.Proof)
	if !ok || p == nil || len(d.Public) != len(k.vk.G1.K)-1 {
		return g16Item{}, false
	}
	if checkPoints && !(p.Ar.IsInSubGroup() && p.Bs.IsInSubGroup() && p.Krs.IsInSubGroup()) {
		return g16Item{}, false
	}
	pub := make([]fr.Element, len(d.Public))
	for i, v := range d.Public {
		if v == nil || v.Sign() < 0 || v.Cmp(fr.Modulus()) >= 0 {
			return g16Item{}, false
		}
		pub[i].SetBigInt(v)
	}
	return g16Item{proof: p, public: pub}, true
}

// g16Batch checks batches under one key.
type g16Batch struct {
	vk      g16Key
	scalars scalarSource
	// exactSingles checks a batch of one with gnark's verifier, which is
	// faster for one proof (e(α, β) is precomputed in the key, and it runs
	// its Miller loops on two goroutines). Off only in tests, to put the
	// batch equation itself to work on one proof.
	exactSingles bool
}

// find returns the indexes in items of the proofs that do not verify, in
// increasing order.
func (b *g16Batch) find(ctx context.Context, items []g16Item) ([]int, error) {
	all := make([]int, len(items))
	for i := range all {
		all[i] = i
	}
	var bad []int
	err := b.bisect(ctx, items, all, false, &bad)
	return bad, err
}

// bisect appends to bad the indexes in which of the invalid proofs. A set
// that holds only valid proofs always passes, so a failed set holds an
// invalid proof; if the first half of a failed set then passes, the second
// half holds one, and is split without checking it whole (knownBad).
// Every check draws fresh scalars.
func (b *g16Batch) bisect(ctx context.Context, items []g16Item, which []int, knownBad bool, bad *[]int) error {
	if len(which) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !knownBad {
		sub := make([]g16Item, len(which))
		for i, j := range which {
			sub[i] = items[j]
		}
		ok, err := b.check(sub)
		if err != nil || ok {
			return err
		}
	}
	if len(which) == 1 {
		*bad = append(*bad, which[0])
		return nil
	}
	mid := len(which) / 2
	before := len(*bad)
	if err := b.bisect(ctx, items, which[:mid], false, bad); err != nil {
		return err
	}
	return b.bisect(ctx, items, which[mid:], len(*bad) == before, bad)
}

// check reports whether the batch equation holds for items under fresh
// scalars: true means every proof is valid, except with probability 2⁻¹²⁸.
func (b *g16Batch) check(items []g16Item) (bool, error) {
	n := len(items)
	if n == 0 {
		return true, nil
	}
	vk := b.vk.vk
	if n == 1 && b.exactSingles {
		err := groth16bn254.Verify(items[0].proof, vk, items[0].public,
			solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16))
		return err == nil, nil
	}
	r := make([]fr.Element, n)
	if err := b.scalars(r); err != nil {
		return false, err
	}

	// Field side: Σⱼ rⱼ, and Σⱼ rⱼxⱼᵢ for each public input i.
	nPub := len(vk.G1.K) - 1
	icScalars := make([]fr.Element, nPub+1)
	var t fr.Element
	for j := range items {
		icScalars[0].Add(&icScalars[0], &r[j])
		for i := range nPub {
			t.Mul(&r[j], &items[j].public[i])
			icScalars[i+1].Add(&icScalars[i+1], &t)
		}
	}
	var rSum big.Int
	icScalars[0].BigInt(&rSum)

	// Group side, on one side of the pairing: -Σⱼ rⱼIC(xⱼ), -Σⱼ rⱼCⱼ and
	// -(Σⱼ rⱼ)α, then rⱼAⱼ for each proof. The three fixed pairs go first.
	P := make([]bn254.G1Affine, 3+n)
	Q := make([]bn254.G2Affine, 3+n)
	var ic, cSum, alpha bn254.G1Affine
	// gnark's multi-exponentiation splits work across goroutines; for a few
	// points the hand-offs cost more than the work, and on a loaded machine
	// each one can wait a whole time slice.
	small := ecc.MultiExpConfig{NbTasks: 1}
	if _, err := ic.MultiExp(vk.G1.K, icScalars, small); err != nil {
		return false, err
	}
	cs := make([]bn254.G1Affine, n)
	for j := range items {
		cs[j] = items[j].proof.Krs
	}
	cfg := small
	if n >= parallelMSM {
		cfg = ecc.MultiExpConfig{}
	}
	if _, err := cSum.MultiExp(cs, r, cfg); err != nil {
		return false, err
	}
	alpha.ScalarMultiplication(&vk.G1.Alpha, &rSum)
	P[0].Neg(&ic)
	P[1].Neg(&cSum)
	P[2].Neg(&alpha)
	Q[0], Q[1], Q[2] = vk.G2.Gamma, vk.G2.Delta, vk.G2.Beta

	// The per-proof work (scalar multiplication and Miller loop) is split
	// across cores; the partial Miller loops multiply, so one final
	// exponentiation still covers them all. One core runs one Miller loop
	// over every pair, which shares its squarings among them all.
	workers := min(runtime.GOMAXPROCS(0), (n+3+minChunk-1)/minChunk)
	parts := make([]bn254.GT, workers)
	errs := make([]error, workers)
	chunk := func(w int) {
		lo, hi := (n+3)*w/workers, (n+3)*(w+1)/workers
		var s big.Int
		aJ := make([]bn254.G1Jac, 0, hi-lo)
		for k := max(lo, 3); k < hi; k++ {
			j := k - 3
			r[j].BigInt(&s)
			var a bn254.G1Jac
			a.FromAffine(&items[j].proof.Ar)
			a.ScalarMultiplication(&a, &s)
			aJ = append(aJ, a)
			Q[k] = items[j].proof.Bs
		}
		copy(P[max(lo, 3):hi], bn254.BatchJacobianToAffineG1(aJ))
		parts[w], errs[w] = bn254.MillerLoop(P[lo:hi], Q[lo:hi])
	}
	if workers == 1 {
		chunk(0)
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { chunk(w) })
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return false, err
	}
	f := bn254.FinalExponentiation(&parts[0], ptrs(parts[1:])...)
	return f.IsOne(), nil
}

func ptrs(xs []bn254.GT) []*bn254.GT {
	ps := make([]*bn254.GT, len(xs))
	for i := range xs {
		ps[i] = &xs[i]
	}
	return ps
}

// parallel calls f(i) for every i < n on GOMAXPROCS goroutines. It stops
// handing out work once ctx is done, and then returns ctx.Err() unless every
// call was made.
func parallel(ctx context.Context, n int, f func(i int)) error {
	var (
		next, done atomic.Int64
		wg         sync.WaitGroup
	)
	work := func() {
		for ctx.Err() == nil {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			f(i)
			done.Add(1)
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), n); workers <= 1 {
		work() // no goroutine for one item or one core
	} else {
		for range workers {
			wg.Go(work)
		}
		wg.Wait()
	}
	if int(done.Load()) == n {
		return nil
	}
	return ctx.Err()
}
