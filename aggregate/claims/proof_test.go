package claims

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// TestRealClaims makes real offer proofs (one Groth16 setup) and runs them
// through Check and Accept: valid claims accepted; reuse, a tampered proof,
// a wrong benchmark, an unregistered employer and another circuit rejected.
func TestRealClaims(t *testing.T) {
	if testing.Short() {
		t.Skip("Groth16 setup takes seconds")
	}
	keys := t.TempDir()
	spec, err := circuits.Lookup(offer.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prover.Setup(context.Background(), spec, keys, prover.SetupOptions{}); err != nil {
		t.Fatal(err)
	}
	pr, err := prover.Load(keys, offer.Name, verifier.BackendGroth16)
	if err != nil {
		t.Fatal(err)
	}
	ring := verifier.OpenKeyring(keys)

	me, _ := member.FromSecret(big.NewInt(31337))
	members := registry.Empty()
	members.Add(me.Commitment())
	idx, path, _ := members.Path(me.Commitment())
	root, _ := members.Root()
	acme, _ := attester.Generate(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	rogue, _ := attester.Generate(bytes.NewReader(bytes.Repeat([]byte{8}, 32)))

	// The pool pays USD 15-1252 US-CA 2026-11 at 100000, and knows acme.
	_, p := newPool(t)
	p.AddRoot(root, t0)
	p.SetAttesters([]fr.Element{acme.Public().Leaf()})

	prove := func(k *attester.Key, id string, bench uint64) (*verifier.Envelope, []byte) {
		t.Helper()
		o, err := k.SignOffer(attester.Offer{ID: id, Amount: 90000, Currency: "USD", Role: "15-1252", Region: "US-CA",
			Expires: "2026-12-31", Member: me.Commitment()})
		if err != nil {
			t.Fatal(err)
		}
		a, err := offer.Input{Identity: me, Member: salary.Membership{Root: root, Index: idx, Path: path}, Offer: o,
			Benchmark: bench, Period: "2026-11", CheckDate: "2026-12-01"}.Assign()
		if err != nil {
			t.Fatal(err)
		}
		env, err := pr.Prove(a)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := env.Marshal()
		return env, raw
	}
	submit := func(env *verifier.Envelope, raw []byte) error {
		c, err := Check(env, raw, ring)
		if err != nil {
			return err
		}
		return p.Accept(c, t0)
	}

	env, raw := prove(acme, "ACME-1", 100000)
	if err := submit(env, raw); err != nil {
		t.Fatalf("valid claim rejected: %v", err)
	}
	if err := submit(env, raw); !errors.Is(err, ErrNullifierUsed) {
		t.Fatalf("reused claim: %v", err)
	}
	env2, raw2 := prove(acme, "ACME-2", 100000)
	if err := submit(env2, raw2); err != nil {
		t.Fatalf("second offer rejected: %v", err)
	}

	tampered, _ := verifier.ParseEnvelope(raw)
	tampered.Public["benchmark"] = "100001"
	tampered.Public["nullifier"] = "12345"
	if err := submit(tampered, raw); !errors.Is(err, verifier.ErrInvalidProof) {
		t.Fatalf("tampered public inputs: %v", err)
	}
	if err := submit(prove(acme, "ACME-3", 100001)); !errors.Is(err, ErrWrongBenchmark) {
		t.Fatalf("wrong benchmark: %v", err)
	}
	if err := submit(prove(rogue, "ROGUE-1", 100000)); !errors.Is(err, ErrUnknownEmployer) {
		t.Fatalf("unregistered employer: %v", err)
	}
	other := *env
	other.Circuit = salary.Name
	if err := submit(&other, raw); !errors.Is(err, ErrNotAClaim) {
		t.Fatalf("salary proof as a claim: %v", err)
	}
	list, _ := p.Claims()
	if len(list) != 2 {
		t.Fatalf("%d claims recorded, want 2", len(list))
	}
}
