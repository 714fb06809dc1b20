package salary

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/circuits/circuittest"
	"github.com/wageproof/wageproof/circuits/hashing"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/registry"
)

// world is a registry of three members, the second of whom proves.
func world(t testing.TB) (*member.Identity, Membership) {
	t.Helper()
	reg := registry.Empty()
	var me *member.Identity
	for i := 0; i < 3; i++ {
		id, err := member.FromSecret(big.NewInt(int64(1000 + i)))
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			me = id
		}
		if err := reg.Add(id.Commitment()); err != nil {
			t.Fatal(err)
		}
	}
	idx, path, err := reg.Path(me.Commitment())
	if err != nil {
		t.Fatal(err)
	}
	root, _ := reg.Root()
	return me, Membership{Root: root, Index: idx, Path: path}
}

func validInput(t testing.TB, salary uint64) Input {
	id, m := world(t)
	return Input{
		Identity: id, Member: m, Salary: salary, Salt: big.NewInt(77),
		Lo: 120000, Hi: 125000,
		Labels: Labels{Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-11"},
	}
}

func mustAssign(t testing.TB, in Input) *Circuit {
	t.Helper()
	c, err := in.Assign()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// forced builds an assignment with the salary (and its commitment) replaced
// by any integer, bypassing the native checks, to test the circuit alone.
func forced(t testing.TB, salary *big.Int, lo, hi any) *Circuit {
	c := mustAssign(t, validInput(t, 120000))
	c.Salary = salary
	c.Commitment = hashing.HashBig(hashing.DomainCommit, salary, big.NewInt(77))
	c.Lo, c.Hi = lo, hi
	return c
}

func TestSalaryCircuit(t *testing.T) {
	p := fr.Modulus()
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	add := func(a *big.Int, b int64) *big.Int { return new(big.Int).Add(a, big.NewInt(b)) }

	valid := map[string]*Circuit{
		"at lo":   mustAssign(t, validInput(t, 120000)),
		"at hi-1": mustAssign(t, validInput(t, 124999)),
		// A 64-bit salary at the very top of the range.
		"max salary": forced(t, add(two64, -2), add(two64, -5000), add(two64, -1)),
	}
	invalid := map[string]*Circuit{
		"lo-1":             forced(t, big.NewInt(119999), 120000, 125000),
		"at hi":            forced(t, big.NewInt(125000), 120000, 125000),
		"lo > hi":          forced(t, big.NewInt(122000), 125000, 120000),
		"salary = 2^64":    forced(t, two64, add(two64, -5000), add(two64, -1)),
		"salary = p-1":     forced(t, add(p, -1), 120000, 125000),
		"salary = p (= 0)": forced(t, p, 120000, 125000),
		"salary = p+hi":    forced(t, add(p, 125000), 120000, 125000),
		"lo = p-1":         forced(t, big.NewInt(5), add(p, -1), 125000),
		"hi = p+2^64":      forced(t, big.NewInt(5), 0, new(big.Int).Add(p, two64)),
	}
	wrong := func(name string, mutate func(c *Circuit)) {
		c := mustAssign(t, validInput(t, 123456))
		mutate(c)
		invalid[name] = c
	}
	wrong("wrong commitment", func(c *Circuit) { c.Commitment = Commitment(123457, big.NewInt(77)) })
	wrong("wrong salt", func(c *Circuit) { c.Salt = big.NewInt(78) })
	wrong("wrong root", func(c *Circuit) {
		other, _ := member.FromSecret(big.NewInt(5))
		r := registry.Empty()
		r.Add(other.Commitment())
		c.MemberRoot, _ = r.Root()
	})
	wrong("wrong index", func(c *Circuit) { c.MemberIndex = 0 })
	wrong("not a member", func(c *Circuit) { c.IdentitySecret = 999 })
	wrong("wrong nullifier", func(c *Circuit) {
		id, _ := member.FromSecret(big.NewInt(1001))
		c.Nullifier = id.Nullifier(codesPeriod(t, "2026-12"))
	})
	wrong("nullifier of another member", func(c *Circuit) {
		id, _ := member.FromSecret(big.NewInt(1000))
		c.Nullifier = id.Nullifier(codesPeriod(t, "2026-11"))
	})
	wrong("period changed", func(c *Circuit) { c.Period = codesPeriod(t, "2026-12") })
	wrong("currency too wide", func(c *Circuit) { c.Currency = new(big.Int).Lsh(big.NewInt(1), 40) })
	wrong("role too wide", func(c *Circuit) { c.Role = add(p, -1) })

	circuittest.SolveTable(t, valid, invalid, func(c *Circuit, s bound.Strategy) { c.RangeCheck = s })
}

// TestSalaryCheckCircuit runs gnark's full checker (every backend's solver and,
// under -tags prover_checks, real proofs) on one valid and one invalid witness.
func TestSalaryCheckCircuit(t *testing.T) {
	assert := test.NewAssert(t)
	assert.CheckCircuit(&Circuit{},
		test.WithValidAssignment(mustAssign(t, validInput(t, 120000))),
		test.WithInvalidAssignment(forced(t, big.NewInt(125000), 120000, 125000)),
		test.WithCurves(ecc.BN254))
}

func TestAssignRefusesFalseStatements(t *testing.T) {
	for name, mutate := range map[string]func(*Input){
		"below bucket": func(in *Input) { in.Salary = 119999 },
		"at hi":        func(in *Input) { in.Salary = 125000 },
		"empty bucket": func(in *Input) { in.Lo, in.Hi = 125000, 125000 },
		"not member":   func(in *Input) { in.Member.Index = 0 },
		"bad role":     func(in *Input) { in.Labels.Role = "engineer" },
		"no salt":      func(in *Input) { in.Salt = nil },
	} {
		in := validInput(t, 123456)
		mutate(&in)
		if _, err := in.Assign(); err == nil {
			t.Errorf("%s: Assign accepted a false statement", name)
		}
	}
}

func TestPublicInputOrder(t *testing.T) {
	// The schema's public fields must be PublicInputs, in order: envelopes,
	// manifests and Solidity calldata all rely on it.
	w, err := frontend.NewWitness(mustAssign(t, validInput(t, 123456)), ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	vals := w.Vector().(fr.Vector)
	c := mustAssign(t, validInput(t, 123456))
	want := []any{c.Commitment, c.Lo, c.Hi, c.Currency, c.Role, c.Region, c.Period, c.MemberRoot, c.Nullifier}
	if len(vals) != len(PublicInputs) || len(want) != len(PublicInputs) {
		t.Fatalf("%d public values, %d names", len(vals), len(PublicInputs))
	}
	for i, v := range want {
		var e fr.Element
		if _, err := e.SetInterface(v); err != nil {
			t.Fatal(err)
		}
		if !e.Equal(&vals[i]) {
			t.Errorf("public input %d (%s) out of order", i, PublicInputs[i])
		}
	}
}

func TestDecodePublic(t *testing.T) {
	c := mustAssign(t, validInput(t, 123456))
	pub := map[string]*big.Int{}
	for i, v := range []any{c.Commitment, c.Lo, c.Hi, c.Currency, c.Role, c.Region, c.Period, c.MemberRoot, c.Nullifier} {
		var e fr.Element
		e.SetInterface(v)
		pub[PublicInputs[i]] = e.BigInt(new(big.Int))
	}
	got, err := DecodePublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lo != 120000 || got.Hi != 125000 || got.Labels.Role != "15-1252" || got.Labels.Region != "US-CA" {
		t.Fatalf("DecodePublic = %+v", got)
	}
	pub["lo"] = big.NewInt(130000)
	if _, err := DecodePublic(pub); err == nil {
		t.Fatal("empty bucket decoded")
	}
}

func codesPeriod(t testing.TB, p string) *big.Int {
	v, _, _, per, err := Labels{Currency: "USD", Role: "15-1252", Region: "US", Period: p}.Encode()
	if err != nil || v == nil {
		t.Fatal(err)
	}
	return per
}
