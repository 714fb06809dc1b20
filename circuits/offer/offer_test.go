package offer

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/circuits/circuittest"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
)

const benchmark = 100000

// fixture is a registry of three members, the second of whom claims, and
// two employer keys.
type fixture struct {
	me, other  *member.Identity
	m          salary.Membership
	acme, evil *attester.Key
}

func key(t testing.TB, seed byte) *attester.Key {
	t.Helper()
	k, err := attester.Generate(bytes.NewReader(bytes.Repeat([]byte{seed}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{acme: key(t, 1), evil: key(t, 2)}
	reg := registry.Empty()
	for i := 0; i < 3; i++ {
		id, err := member.FromSecret(big.NewInt(int64(1000 + i)))
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			f.other = id
		case 1:
			f.me = id
		}
		if err := reg.Add(id.Commitment()); err != nil {
			t.Fatal(err)
		}
	}
	idx, path, err := reg.Path(f.me.Commitment())
	if err != nil {
		t.Fatal(err)
	}
	root, _ := reg.Root()
	f.m = salary.Membership{Root: root, Index: idx, Path: path}
	return f
}

func (f *fixture) offer(t testing.TB, amount uint64, expires string) *attester.SignedOffer {
	t.Helper()
	s, err := f.acme.SignOffer(attester.Offer{ID: "ACME-2026-0042", Amount: amount, Currency: "USD", Role: "15-1252",
		Region: "US-CA", Expires: expires, Member: f.me.Commitment()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) input(t testing.TB, amount uint64) Input {
	return Input{Identity: f.me, Member: f.m, Offer: f.offer(t, amount, "2026-12-31"),
		Benchmark: benchmark, Period: "2026-11", CheckDate: "2026-12-01"}
}

func mustAssign(t testing.TB, in Input) *Circuit {
	t.Helper()
	c, err := in.Assign()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func el(v any) fr.Element {
	var e fr.Element
	if _, err := e.SetInterface(v); err != nil {
		panic(err)
	}
	return e
}

// resign replaces the signature of c by the employer's signature on the
// message of c's current private fields, so that a test reaches the check
// it aims at rather than failing on the signature.
func (f *fixture) resign(t testing.TB, c *Circuit) {
	t.Helper()
	msg := hashing.Hash(hashing.DomainOffer, el(c.OfferID), el(c.Amount), el(c.Currency), el(c.Role), el(c.Region),
		el(c.Expiry), f.me.Commitment())
	sig, err := f.acme.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	c.Signature = attester.AssignSignature(sig)
}

func TestOfferCircuit(t *testing.T) {
	f := newFixture(t)
	p := fr.Modulus()
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	add := func(a *big.Int, b int64) *big.Int { return new(big.Int).Add(a, big.NewInt(b)) }

	// forced sets amount, benchmark, expiry and check date to any field
	// values, re-signing, to test the comparisons alone.
	forced := func(amount, bench, expiry, check any) *Circuit {
		c := mustAssign(t, f.input(t, 90000))
		c.Amount, c.Benchmark, c.Expiry, c.CheckDate = amount, bench, expiry, check
		f.resign(t, c)
		return c
	}
	valid := map[string]*Circuit{
		"below":              mustAssign(t, f.input(t, 90000)),
		"benchmark-1":        mustAssign(t, f.input(t, benchmark-1)),
		"zero amount":        mustAssign(t, f.input(t, 0)),
		"expires check date": forced(90000, benchmark, 20261201, 20261201),
		"64-bit top":         forced(add(two64, -2), add(two64, -1), 20261231, 20261201),
		// A witness value is its residue mod p: p is 0 and p+x is x, so these
		// are the statements for 0 and x, true ones. The pool rejects a
		// check date that is not a real date.
		"amount = p (= 0)":    forced(p, benchmark, 20261231, 20261201),
		"amount = p+bench-1":  forced(add(p, benchmark-1), benchmark, 20261231, 20261201),
		"check date = p+1000": forced(90000, benchmark, 20261231, add(p, 1000)),
	}
	invalid := map[string]*Circuit{
		"equal to benchmark": forced(benchmark, benchmark, 20261231, 20261201),
		"above benchmark":    forced(benchmark+1, benchmark, 20261231, 20261201),
		"expired":            forced(90000, benchmark, 20261130, 20261201),
		"amount = 2^64":      forced(two64, add(two64, 1), 20261231, 20261201),
		"amount = p-1":       forced(add(p, -1), benchmark, 20261231, 20261201),
		"amount = p+bench":   forced(add(p, benchmark), benchmark, 20261231, 20261201),
		"amount = bench-p":   forced(new(big.Int).Sub(big.NewInt(benchmark), p), benchmark, 20261231, 20261201),
		"benchmark = 2^64":   forced(90000, two64, 20261231, 20261201),
		"benchmark = p-1":    forced(90000, add(p, -1), 20261231, 20261201),
		"expiry = p-1":       forced(90000, benchmark, add(p, -1), 20261201),
		"expiry = 2^32":      forced(90000, benchmark, new(big.Int).Lsh(big.NewInt(1), 32), 20261201),
		"check date = p-1":   forced(90000, benchmark, 20261231, add(p, -1)),
		"expiry = check-p-1": forced(90000, benchmark, new(big.Int).Sub(big.NewInt(20261200), p), 20261201),
	}
	wrong := func(name string, mutate func(c *Circuit)) {
		c := mustAssign(t, f.input(t, 90000))
		mutate(c)
		invalid[name] = c
	}
	order := twistededwards.GetEdwardsCurve().Order
	wrong("amount altered", func(c *Circuit) { c.Amount = 80000 })
	wrong("expiry altered", func(c *Circuit) { c.Expiry = 20271231 })
	wrong("currency altered", func(c *Circuit) { c.Currency = codesEnc(t, "EUR") })
	wrong("S altered", func(c *Circuit) { c.Signature.S = add(c.Signature.S.(*big.Int), 1) })
	wrong("S plus order", func(c *Circuit) { c.Signature.S = new(big.Int).Add(c.Signature.S.(*big.Int), &order) })
	wrong("R altered", func(c *Circuit) { c.Signature.R.X, c.Signature.R.Y = c.EmployerKey.A.X, c.EmployerKey.A.Y })
	wrong("signed by another key", func(c *Circuit) {
		msg := hashing.Hash(hashing.DomainOffer, el(c.OfferID), el(c.Amount), el(c.Currency), el(c.Role), el(c.Region),
			el(c.Expiry), f.me.Commitment())
		sig, _ := f.evil.Sign(msg)
		c.Signature = attester.AssignSignature(sig)
		c.EmployerKey = attester.AssignKey(f.evil.Public())
	}) // employer_key_hash still names acme
	wrong("employer hash of another key", func(c *Circuit) { c.EmployerKeyHash = f.evil.Public().Leaf() })
	wrong("made to another member", func(c *Circuit) {
		o := attester.Offer{ID: "ACME-2026-0042", Amount: 90000, Currency: "USD", Role: "15-1252", Region: "US-CA",
			Expires: "2026-12-31", Member: f.other.Commitment()}
		s, _ := f.acme.SignOffer(o)
		c.Signature = attester.AssignSignature(s.Signature)
	})
	wrong("wrong nullifier", func(c *Circuit) {
		id, _ := attester.OfferID("ACME-2026-0043")
		c.Nullifier = f.me.ClaimNullifier(id)
	})
	wrong("offer id altered", func(c *Circuit) {
		id, _ := attester.OfferID("ACME-2026-0043")
		c.OfferID = id
		c.Nullifier = f.me.ClaimNullifier(id)
	})
	wrong("offer id too wide", func(c *Circuit) {
		c.OfferID = new(big.Int).Lsh(big.NewInt(1), attester.OfferIDBits)
		c.Nullifier = f.me.ClaimNullifier(c.OfferID.(*big.Int))
		f.resign(t, c)
	})
	wrong("wrong root", func(c *Circuit) { c.MemberRoot = 12345 })
	wrong("not a member", func(c *Circuit) { c.IdentitySecret = 999 })
	wrong("role too wide", func(c *Circuit) { c.Role = add(p, -1) })
	wrong("period too wide", func(c *Circuit) { c.Period = new(big.Int).Lsh(big.NewInt(1), 80) })

	circuittest.SolveTable(t, valid, invalid, func(c *Circuit, s bound.Strategy) { c.RangeCheck = s })
}

func codesEnc(t testing.TB, currency string) *big.Int {
	c, _, _, _, err := salary.Labels{Currency: currency, Role: "15-1252", Region: "US", Period: "2026-11"}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOfferCheckCircuit runs gnark's full checker on one valid and one
// invalid witness (real proofs under -tags prover_checks).
func TestOfferCheckCircuit(t *testing.T) {
	f := newFixture(t)
	assert := test.NewAssert(t)
	bad := mustAssign(t, f.input(t, 90000))
	bad.Benchmark = 90000
	assert.CheckCircuit(&Circuit{},
		test.WithValidAssignment(mustAssign(t, f.input(t, 90000))),
		test.WithInvalidAssignment(bad),
		test.WithCurves(ecc.BN254))
}

func TestAssignRefusesFalseStatements(t *testing.T) {
	f := newFixture(t)
	for name, mutate := range map[string]func(*Input){
		"equal":         func(in *Input) { in.Offer = f.offer(t, benchmark, "2026-12-31") },
		"above":         func(in *Input) { in.Offer = f.offer(t, benchmark+1, "2026-12-31") },
		"expired":       func(in *Input) { in.CheckDate = "2027-01-01" },
		"other member":  func(in *Input) { in.Identity = f.other },
		"altered":       func(in *Input) { in.Offer.Amount-- },
		"not a member":  func(in *Input) { in.Member.Index = 0 },
		"bad period":    func(in *Input) { in.Period = "2026-13" },
		"bad check day": func(in *Input) { in.CheckDate = "2026-02-30" },
	} {
		in := f.input(t, 90000)
		mutate(&in)
		if _, err := in.Assign(); err == nil {
			t.Errorf("%s: Assign accepted a false statement", name)
		}
	}
}

func publicOf(t testing.TB, c *Circuit) map[string]*big.Int {
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	vals := w.Vector().(fr.Vector)
	if len(vals) != len(PublicInputs) {
		t.Fatalf("%d public values, %d names", len(vals), len(PublicInputs))
	}
	m := map[string]*big.Int{}
	for i, n := range PublicInputs {
		m[n] = vals[i].BigInt(new(big.Int))
	}
	return m
}

func TestPublicInputOrderAndDecode(t *testing.T) {
	f := newFixture(t)
	c := mustAssign(t, f.input(t, 90000))
	pub := publicOf(t, c)
	want := []any{c.Benchmark, c.Currency, c.Role, c.Region, c.Period, c.EmployerKeyHash, c.MemberRoot, c.Nullifier, c.CheckDate}
	for i, v := range want {
		e := el(v)
		if e.BigInt(new(big.Int)).Cmp(pub[PublicInputs[i]]) != 0 {
			t.Errorf("public input %d (%s) out of order", i, PublicInputs[i])
		}
	}
	got, err := DecodePublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	leaf := f.acme.Public().Leaf()
	if got.Benchmark != benchmark || got.Labels.Period != "2026-11" || got.CheckDate != "2026-12-01" ||
		got.EmployerKeyHash.Cmp(leaf.BigInt(new(big.Int))) != 0 {
		t.Fatalf("DecodePublic = %+v", got)
	}
	pub["check_date"] = big.NewInt(20261301)
	if _, err := DecodePublic(pub); err == nil {
		t.Fatal("month 13 accepted")
	}
}
