package attested

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
	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
)

// fixture: three members (the second proves), three registered attesters
// (the second, acme, signs) and one unregistered key.
type fixture struct {
	me, other   *member.Identity
	m           salary.Membership
	acme, rogue *attester.Key
	a           salary.Membership // acme's place in the attester registry
}

func key(t testing.TB, seed byte) *attester.Key {
	t.Helper()
	k, err := attester.Generate(bytes.NewReader(bytes.Repeat([]byte{seed}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func place(t testing.TB, reg *registry.Registry, leaf fr.Element) salary.Membership {
	t.Helper()
	idx, path, err := reg.Path(leaf)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := reg.Root()
	return salary.Membership{Root: root, Index: idx, Path: path}
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{rogue: key(t, 9)}
	members, attesters := registry.Empty(), registry.Empty()
	for i := 0; i < 3; i++ {
		id, _ := member.FromSecret(big.NewInt(int64(1000 + i)))
		members.Add(id.Commitment())
		k := key(t, byte(i+1))
		if err := attesters.Add(k.Public().Leaf()); err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			f.other = id
		case 1:
			f.me, f.acme = id, k
		}
	}
	f.m = place(t, members, f.me.Commitment())
	f.a = place(t, attesters, f.acme.Public().Leaf())
	return f
}

var labels = salary.Labels{Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-11"}

func (f *fixture) payslip(t testing.TB, k *attester.Key, pay uint64, to *member.Identity) *attester.SignedPayslip {
	t.Helper()
	s, err := k.SignPayslip(attester.Payslip{Salary: pay, Labels: labels, Member: to.Commitment()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) input(t testing.TB, pay uint64) Input {
	return Input{Identity: f.me, Member: f.m, Salt: big.NewInt(77), Lo: 120000, Hi: 125000,
		Payslip: f.payslip(t, f.acme, pay, f.me), Attesters: f.a}
}

func mustAssign(t testing.TB, in Input) *Circuit {
	t.Helper()
	c, err := in.Assign()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAttestedCircuit(t *testing.T) {
	f := newFixture(t)
	p := fr.Modulus()
	valid := map[string]*Circuit{
		"at lo":   mustAssign(t, f.input(t, 120000)),
		"at hi-1": mustAssign(t, f.input(t, 124999)),
	}
	invalid := map[string]*Circuit{}
	wrong := func(name string, mutate func(c *Circuit)) {
		c := mustAssign(t, f.input(t, 123456))
		mutate(c)
		invalid[name] = c
	}
	order := twistededwards.GetEdwardsCurve().Order
	wrong("salary altered", func(c *Circuit) {
		c.Salary = 123457
		c.Commitment = salary.Commitment(123457, big.NewInt(77))
	})
	wrong("role altered", func(c *Circuit) { c.Role = codes.MustEncode(codes.Role, "15-1253") })
	wrong("period altered", func(c *Circuit) {
		c.Period = codes.MustEncode(codes.Period, "2026-12")
		c.Nullifier = f.me.Nullifier(c.Period.(*big.Int))
		c.Employer = f.acme.Public().Pseudonym(c.Period.(*big.Int))
	})
	wrong("S altered", func(c *Circuit) { c.Signature.S = new(big.Int).Add(c.Signature.S.(*big.Int), big.NewInt(1)) })
	wrong("S plus order", func(c *Circuit) { c.Signature.S = new(big.Int).Add(c.Signature.S.(*big.Int), &order) })
	wrong("R altered", func(c *Circuit) { c.Signature.R = c.AttesterKey.A })
	wrong("unregistered key", func(c *Circuit) {
		s := f.payslip(t, f.rogue, 123456, f.me)
		c.Signature = attester.AssignSignature(s.Signature)
		c.AttesterKey = attester.AssignKey(f.rogue.Public())
		c.Employer = f.rogue.Public().Pseudonym(codes.MustEncode(codes.Period, "2026-11"))
	})
	wrong("payslip of another member", func(c *Circuit) {
		c.Signature = attester.AssignSignature(f.payslip(t, f.acme, 123456, f.other).Signature)
	})
	wrong("wrong employer pseudonym", func(c *Circuit) {
		c.Employer = f.acme.Public().Pseudonym(codes.MustEncode(codes.Period, "2026-12"))
	})
	wrong("employer = p-1", func(c *Circuit) { c.Employer = new(big.Int).Sub(p, big.NewInt(1)) })
	wrong("wrong attester root", func(c *Circuit) { c.AttesterRoot = c.MemberRoot })
	wrong("wrong nullifier", func(c *Circuit) { c.Nullifier = f.other.Nullifier(codes.MustEncode(codes.Period, "2026-11")) })
	wrong("salary outside bucket", func(c *Circuit) { c.Lo = 123457 })

	circuittest.SolveTable(t, valid, invalid, func(c *Circuit, s bound.Strategy) { c.RangeCheck = s })
}

func TestAttestedCheckCircuit(t *testing.T) {
	f := newFixture(t)
	assert := test.NewAssert(t)
	bad := mustAssign(t, f.input(t, 123456))
	bad.Employer = 1
	assert.CheckCircuit(&Circuit{},
		test.WithValidAssignment(mustAssign(t, f.input(t, 123456))),
		test.WithInvalidAssignment(bad),
		test.WithCurves(ecc.BN254))
}

func TestAssignRefusesFalseStatements(t *testing.T) {
	f := newFixture(t)
	for name, mutate := range map[string]func(*Input){
		"unregistered attester": func(in *Input) { in.Payslip = f.payslip(t, f.rogue, 123456, f.me) },
		"other member's slip":   func(in *Input) { in.Payslip = f.payslip(t, f.acme, 123456, f.other) },
		"altered slip":          func(in *Input) { in.Payslip.Salary++ },
		"outside bucket":        func(in *Input) { in.Payslip = f.payslip(t, f.acme, 125000, f.me) },
		"no payslip":            func(in *Input) { in.Payslip = nil },
	} {
		in := f.input(t, 123456)
		mutate(&in)
		if _, err := in.Assign(); err == nil {
			t.Errorf("%s: Assign accepted a false statement", name)
		}
	}
}

func TestPublicInputOrderAndDecode(t *testing.T) {
	f := newFixture(t)
	c := mustAssign(t, f.input(t, 123456))
	w, err := frontend.NewWitness(c, ecc.BN254.ScalarField(), frontend.PublicOnly())
	if err != nil {
		t.Fatal(err)
	}
	vals := w.Vector().(fr.Vector)
	want := []any{c.Commitment, c.Lo, c.Hi, c.Currency, c.Role, c.Region, c.Period, c.MemberRoot, c.Nullifier, c.AttesterRoot, c.Employer}
	if len(vals) != len(PublicInputs) || len(want) != len(PublicInputs) {
		t.Fatalf("%d public values, %d names", len(vals), len(PublicInputs))
	}
	pub := map[string]*big.Int{}
	for i, v := range want {
		var e fr.Element
		if _, err := e.SetInterface(v); err != nil {
			t.Fatal(err)
		}
		if !e.Equal(&vals[i]) {
			t.Errorf("public input %d (%s) out of order", i, PublicInputs[i])
		}
		pub[PublicInputs[i]] = e.BigInt(new(big.Int))
	}
	got, err := DecodePublic(pub)
	if err != nil {
		t.Fatal(err)
	}
	pseudo := f.acme.Public().Pseudonym(codes.MustEncode(codes.Period, "2026-11"))
	if got.Employer.Cmp(pseudo.BigInt(new(big.Int))) != 0 || got.Labels != labels {
		t.Fatalf("DecodePublic = %+v", got)
	}
}
