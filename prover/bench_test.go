package prover_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/bound"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

func TestMain(m *testing.M) {
	code := m.Run()
	provertest.Cleanup()
	os.Exit(code)
}

func salarySpecT(t testing.TB) (circuits.Spec, error) { return circuits.Lookup(salary.Name) }

func salarySpec(b testing.TB) circuits.Spec {
	s, err := circuits.Lookup(salary.Name)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkCompile(b *testing.B) {
	spec := salarySpec(b)
	for b.Loop() {
		ccs, err := prover.Compile(spec, "")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(ccs.GetNbConstraints()), "constraints")
	}
}

func BenchmarkSetup(b *testing.B) {
	ccs, err := prover.Compile(salarySpec(b), "")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := groth16.Setup(ccs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProve(b *testing.B) {
	env := provertest.Salary(b)
	in, err := env.Input(0, 123456, provertest.Labels)
	if err != nil {
		b.Fatal(err)
	}
	a, err := in.Assign()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.Prover.Prove(a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	env := provertest.Salary(b)
	e := env.Prove(b, 0, 123456, provertest.Labels)
	k, err := verifier.LoadKey(verifier.KeyDir(env.Keys, salary.Name, verifier.BackendGroth16))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := k.Verify(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRangeCheck compares the two range-check strategies on the salary
// circuit: constraints, proof size, prove and verify time. It is what the
// choice of bound.Bits rests on (README, "Range checks").
func BenchmarkRangeCheck(b *testing.B) {
	env := provertest.Salary(b)
	in, err := env.Input(0, 123456, provertest.Labels)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []bound.Strategy{bound.Bits, bound.Lookup} {
		b.Run(s.String(), func(b *testing.B) {
			ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &salary.Circuit{RangeCheck: s})
			if err != nil {
				b.Fatal(err)
			}
			pk, vk, err := groth16.Setup(ccs)
			if err != nil {
				b.Fatal(err)
			}
			a, _ := in.Assign()
			a.RangeCheck = s
			w, err := frontend.NewWitness(a, ecc.BN254.ScalarField())
			if err != nil {
				b.Fatal(err)
			}
			pub, _ := w.Public()
			var proof groth16.Proof
			b.Run("prove", func(b *testing.B) {
				for b.Loop() {
					if proof, err = groth16.Prove(ccs, pk, w); err != nil {
						b.Fatal(err)
					}
				}
				var buf bytes.Buffer
				proof.WriteRawTo(&buf)
				b.ReportMetric(float64(ccs.GetNbConstraints()), "constraints")
				b.ReportMetric(float64(buf.Len()), "proof-bytes")
			})
			b.Run("verify", func(b *testing.B) {
				for b.Loop() {
					if err := groth16.Verify(proof, vk, pub); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func TestBatchProveMatchesSingle(t *testing.T) {
	env := provertest.Salary(t)
	var as []frontend.Circuit
	for i := range 3 {
		in, err := env.Input(i, uint64(50000+i*20000), provertest.Labels)
		if err != nil {
			t.Fatal(err)
		}
		a, err := in.Assign()
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	done := 0
	envs, err := env.Prover.ProveAll(context.Background(), as, func() { done++ })
	if err != nil {
		t.Fatal(err)
	}
	ring := verifier.OpenKeyring(env.Keys)
	for i, e := range envs {
		if err := ring.Verify(e); err != nil {
			t.Fatalf("batch proof %d: %v", i, err)
		}
		if e.Public["lo"] != itoa(uint64(50000+i*20000)/5000*5000) {
			t.Fatalf("batch proof %d out of order: lo %s", i, e.Public["lo"])
		}
	}
	if done != 3 {
		t.Fatalf("progress called %d times", done)
	}
	// A false statement fails the batch.
	bad := *as[1].(*salary.Circuit)
	bad.Salary = 1
	if _, err := env.Prover.ProveAll(context.Background(), []frontend.Circuit{as[0], &bad}, nil); err == nil {
		t.Fatal("a batch with an unsatisfiable witness succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := env.Prover.ProveAll(ctx, as, nil); err == nil {
		t.Fatal("a cancelled batch succeeded")
	}
}
