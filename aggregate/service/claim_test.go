package service

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/fixtures"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
)

// TestValidClaimAcceptedOnce posts a real offer claim: accepted once and
// recorded, refused the second time, with the pool's stable error code.
func TestValidClaimAcceptedOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("offer setup and proof take seconds")
	}
	world, err := fixtures.NewWorld(2, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := Config{
		StoreDir:       filepath.Join(dir, "store"),
		KeysDir:        filepath.Join(dir, "keys"),
		PoolDir:        filepath.Join(dir, "pool"),
		MembersFile:    filepath.Join(dir, "members.json"),
		AttestersFile:  filepath.Join(dir, "attesters.json"),
		BenchmarksFile: filepath.Join(dir, "benchmarks.json"),
		AdminToken:     testToken,
	}
	spec, _ := circuits.Lookup(offer.Name)
	if _, err := prover.Setup(context.Background(), spec, cfg.KeysDir, prover.SetupOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := world.MemberReg.Save(cfg.MembersFile); err != nil {
		t.Fatal(err)
	}
	if err := world.AttestReg.Save(cfg.AttestersFile); err != nil {
		t.Fatal(err)
	}
	const period = "2026-11"
	table := aggregate.NewBenchmarks(period, 0.25, []aggregate.BenchmarkEntry{{Currency: "USD", Role: "15-1252", Region: "US-CA", Amount: 100000}})
	if err := table.WriteFile(cfg.BenchmarksFile); err != nil {
		t.Fatal(err)
	}
	if err := claims.Init(cfg.PoolDir, claims.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	pool, err := claims.Open(cfg.PoolDir)
	if err != nil {
		t.Fatal(err)
	}
	published, err := claims.LoadBenchmarks(cfg.BenchmarksFile)
	if err == nil {
		err = pool.Publish(published, time.Now())
	}
	pool.Close()
	if err != nil {
		t.Fatal(err)
	}

	today := time.Now().UTC()
	a, err := world.Offer(1, 0, attester.Offer{ID: "HTTP-1", Amount: 90000, Currency: "USD", Role: "15-1252", Region: "US-CA",
		Expires: today.AddDate(0, 1, 0).Format(time.DateOnly)}, 100000, period, today.Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	p, err := prover.Load(cfg.KeysDir, offer.Name, verifier.BackendGroth16)
	if err != nil {
		t.Fatal(err)
	}
	env, err := p.Prove(a)
	if err != nil {
		t.Fatal(err)
	}
	body, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}

	srv := start(t, cfg)
	var res ClaimResult
	if st, code := postJSON(t, srv.url+"/v1/claims", body, &res); st != 201 || res.Status != "accepted" {
		t.Fatalf("valid claim: status %d, code %q, %+v", st, code, res)
	}
	if res.Benchmark != 100000 || res.Cell.Role != "15-1252" || res.Nullifier != env.Public["nullifier"] || len(res.Proof) != 0 {
		t.Fatalf("claim answer %+v", res)
	}
	if st, code := postJSON(t, srv.url+"/v1/claims", body, nil); st == 201 || code != CodeDuplicate {
		t.Fatalf("second claim: status %d, code %q", st, code)
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	pool, err = claims.Open(cfg.PoolDir)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cs, err := pool.Claims()
	if err != nil || len(cs) != 1 || cs[0].Nullifier != env.Public["nullifier"] {
		t.Fatalf("pool holds %d claims (%v), want exactly the accepted one", len(cs), err)
	}
}

// countingVerifier counts the proofs it checks.
type countingVerifier struct {
	next interface {
		Verify(*verifier.Envelope) error
	}
	n atomic.Int64
}

func (c *countingVerifier) Verify(env *verifier.Envelope) error {
	c.n.Add(1)
	return c.next.Verify(env)
}

// TestResendRefusedWithoutVerifying: a stored nullifier is answered as a
// duplicate before any pairing is computed.
func TestResendRefusedWithoutVerifying(t *testing.T) {
	e := newEnv(t)
	counter := &countingVerifier{next: verifier.OpenKeyring(e.cfg.KeysDir)}
	e.cfg.Verifier = counter
	srv := start(t, e.cfg)
	proof := realProofs(t, 1)[0]
	if st, code := postJSON(t, srv.url+"/v1/submissions", proof, nil); st != 201 {
		t.Fatalf("first submission: %d %s", st, code)
	}
	for range 3 {
		if st, code := postJSON(t, srv.url+"/v1/submissions", proof, nil); st != 409 || code != CodeDuplicate {
			t.Fatalf("resend: %d %s", st, code)
		}
	}
	if n := counter.n.Load(); n != 1 {
		t.Fatalf("%d verifications for one proof sent four times, want 1", n)
	}
}
