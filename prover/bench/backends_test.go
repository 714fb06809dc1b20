package bench_test

import (
	"bytes"
	"context"
	"math/big"
	"testing"

	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/attested"
	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

var labels = salary.Labels{Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-11"}

// world is a member registry of three and an attester registry of two.
type world struct {
	me        *member.Identity
	members   salary.Membership
	acme      *attester.Key
	attesters salary.Membership
}

func newWorld(b *testing.B) *world {
	b.Helper()
	w := &world{}
	members, attesters := registry.Empty(), registry.Empty()
	for i := range 3 {
		id, err := member.FromSecret(big.NewInt(int64(5000 + i)))
		if err != nil {
			b.Fatal(err)
		}
		if err := members.Add(id.Commitment()); err != nil {
			b.Fatal(err)
		}
		if i == 1 {
			w.me = id
		}
	}
	for i := range 2 {
		k, err := attester.Generate(bytes.NewReader(bytes.Repeat([]byte{byte(i + 1)}, 32)))
		if err != nil {
			b.Fatal(err)
		}
		if err := attesters.Add(k.Public().Leaf()); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			w.acme = k
		}
	}
	idx, path, err := members.Path(w.me.Commitment())
	if err != nil {
		b.Fatal(err)
	}
	root, _ := members.Root()
	w.members = salary.Membership{Root: root, Index: idx, Path: path}
	idx, path, err = attesters.Path(w.acme.Public().Leaf())
	if err != nil {
		b.Fatal(err)
	}
	root, _ = attesters.Root()
	w.attesters = salary.Membership{Root: root, Index: idx, Path: path}
	return w
}

// witnesses builds a valid assignment for each statement of the catalog.
var witnesses = map[string]func(*world) (frontend.Circuit, error){
	salary.Name: func(w *world) (frontend.Circuit, error) {
		return salary.Input{Identity: w.me, Member: w.members, Salary: 123456, Salt: big.NewInt(77),
			Lo: 120000, Hi: 125000, Labels: labels}.Assign()
	},
	attested.Name: func(w *world) (frontend.Circuit, error) {
		slip, err := w.acme.SignPayslip(attester.Payslip{Salary: 123456, Labels: labels, Member: w.me.Commitment()})
		if err != nil {
			return nil, err
		}
		return attested.Input{Identity: w.me, Member: w.members, Salt: big.NewInt(77), Lo: 120000, Hi: 125000,
			Payslip: slip, Attesters: w.attesters}.Assign()
	},
	offer.Name: func(w *world) (frontend.Circuit, error) {
		o, err := w.acme.SignOffer(attester.Offer{ID: "ACME-2026-0042", Amount: 90000, Currency: "USD", Role: "15-1252",
			Region: "US-CA", Expires: "2026-12-31", Member: w.me.Commitment()})
		if err != nil {
			return nil, err
		}
		return offer.Input{Identity: w.me, Member: w.members, Offer: o, Benchmark: 100000, Period: "2026-11", CheckDate: "2026-12-01"}.Assign()
	},
}

// BenchmarkBackends compares Groth16 and PLONK on every statement: the
// constraints (R1CS for Groth16, PLONK gates), setup (compile, setup and
// writing the key directory; PLONK with a development SRS), prove, verify
// and the proof's size. Setups take seconds each: run it alone,
//
//	go test -run '^$' -bench Backends -benchtime 3x ./prover/bench
func BenchmarkBackends(b *testing.B) {
	w := newWorld(b)
	root := b.TempDir()
	for _, name := range circuits.Names() {
		spec, err := circuits.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		build, ok := witnesses[name]
		if !ok {
			b.Fatalf("no witness for %s: add one to BenchmarkBackends", name)
		}
		assignment, err := build(w)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		for _, backend := range verifier.Backends() {
			b.Run(name+"/"+backend, func(b *testing.B) {
				var m *verifier.Manifest
				b.Run("setup", func(b *testing.B) {
					for b.Loop() {
						if m, err = prover.Setup(context.Background(), spec, root, prover.SetupOptions{Backend: backend, Force: true}); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(m.Constraints), "constraints")
				})
				p, err := prover.Load(root, name, backend)
				if err != nil {
					b.Fatal(err)
				}
				var env *verifier.Envelope
				b.Run("prove", func(b *testing.B) {
					for b.Loop() {
						if env, err = p.Prove(assignment); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(env.Proof)), "proof-bytes")
				})
				k, err := verifier.LoadKey(verifier.KeyDir(root, name, backend))
				if err != nil {
					b.Fatal(err)
				}
				b.Run("verify", func(b *testing.B) {
					for b.Loop() {
						if err := k.Verify(env); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}
