// Package provertest sets up keys and makes real salary proofs for tests in
// other packages: a Groth16 setup takes seconds, so it is done once per test
// binary.
package provertest

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"sync"
	"testing"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// Env is a key root with salary keys and a registry of members.
type Env struct {
	Keys     string
	Prover   *prover.Prover
	Members  []*member.Identity
	Registry *registry.Registry
}

var (
	once   sync.Once
	shared *Env
	err    error
)

// Salary returns the shared environment, setting it up on first use. Its
// files live in a directory removed when the process exits via Cleanup.
func Salary(t testing.TB) *Env {
	t.Helper()
	once.Do(func() { shared, err = newEnv(8) })
	if err != nil {
		t.Fatal(err)
	}
	return shared
}

func newEnv(n int) (*Env, error) {
	dir, err := os.MkdirTemp("", "wageproof-keys-")
	if err != nil {
		return nil, err
	}
	spec, _ := circuits.Lookup(salary.Name)
	if _, err := prover.Setup(context.Background(), spec, dir, prover.SetupOptions{}); err != nil {
		return nil, err
	}
	p, err := prover.Load(dir, salary.Name, verifier.BackendGroth16)
	if err != nil {
		return nil, err
	}
	e := &Env{Keys: dir, Prover: p, Registry: registry.Empty()}
	for i := 0; i < n; i++ {
		id, err := member.FromSecret(big.NewInt(int64(424242 + i)))
		if err != nil {
			return nil, err
		}
		e.Members = append(e.Members, id)
		if err := e.Registry.Add(id.Commitment()); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Cleanup removes the shared key directory; call it from TestMain.
func Cleanup() {
	if shared != nil {
		os.RemoveAll(shared.Keys)
	}
}

// Input returns a valid salary input for member i.
func (e *Env) Input(i int, amount uint64, labels salary.Labels) (salary.Input, error) {
	id := e.Members[i]
	idx, path, err := e.Registry.Path(id.Commitment())
	if err != nil {
		return salary.Input{}, err
	}
	root, _ := e.Registry.Root()
	lo, hi := prover.DefaultBuckets().Bucket(labels.Currency, amount)
	return salary.Input{
		Identity: id, Member: salary.Membership{Root: root, Index: idx, Path: path},
		Salary: amount, Salt: big.NewInt(int64(1_000_003 * (i + 1))), Lo: lo, Hi: hi, Labels: labels,
	}, nil
}

// Labels are the labels tests use unless they need others.
var Labels = salary.Labels{Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-11"}

// Prove makes a real proof for member i.
func (e *Env) Prove(t testing.TB, i int, amount uint64, labels salary.Labels) *verifier.Envelope {
	t.Helper()
	in, err := e.Input(i, amount, labels)
	if err != nil {
		t.Fatal(err)
	}
	a, err := in.Assign()
	if err != nil {
		t.Fatal(fmt.Errorf("member %d: %w", i, err))
	}
	env, err := e.Prover.Prove(a)
	if err != nil {
		t.Fatal(err)
	}
	return env
}
