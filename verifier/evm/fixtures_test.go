package evm_test

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consensys/gnark/logger"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/attester"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
	"github.com/wageproof/wageproof/verifier/evm"
)

// A setup takes seconds (Groth16) to tens of seconds (PLONK on the offer
// circuit), so each circuit and backend is set up once per test binary, on
// first use, under a key root that TestMain removes.
var (
	keyRoot  string
	setups   = map[string]func() (*setup, error){}
	claimSol func() (evm.Contract, error) // ClaimPool.sol, compiled once
)

func TestMain(m *testing.M) {
	logger.Disable()
	dir, err := os.MkdirTemp("", "wageproof-evm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	keyRoot = dir
	for _, c := range []string{salary.Name, offer.Name} {
		for _, b := range verifier.Backends() {
			setups[c+"/"+b] = sync.OnceValues(func() (*setup, error) { return newSetup(c, b) })
		}
	}
	claimSol = sync.OnceValues(compileClaimPool)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// setup is one circuit's keys under one backend, with its exported verifier
// compiled.
type setup struct {
	circuit, backend string
	prover           *prover.Prover
	key              *verifier.Key
	source           string       // the exported Solidity
	contract         evm.Contract // compiled
}

func getSetup(tb testing.TB, circuit, backend string) *setup {
	tb.Helper()
	s, err := setups[circuit+"/"+backend]()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// solc finds the pinned compiler. A missing compiler fails the tests rather
// than skipping them: `make test` installs it, and CI must not pass without
// running the contracts.
func solc(tb testing.TB) evm.Solc {
	tb.Helper()
	p, err := evm.FindSolcjs(".")
	if err != nil {
		tb.Fatalf("%v: the EVM tests need it", err)
	}
	return evm.Solc{Path: p}
}

func newSetup(circuit, backend string) (*setup, error) {
	spec, err := circuits.Lookup(circuit)
	if err != nil {
		return nil, err
	}
	if _, err := prover.Setup(context.Background(), spec, keyRoot, prover.SetupOptions{Backend: backend}); err != nil {
		return nil, err
	}
	p, err := prover.Load(keyRoot, circuit, backend)
	if err != nil {
		return nil, err
	}
	k, err := verifier.LoadKey(verifier.KeyDir(keyRoot, circuit, backend))
	if err != nil {
		return nil, err
	}
	var src bytes.Buffer
	if err := k.ExportSolidity(&src); err != nil {
		return nil, fmt.Errorf("exporting %s/%s: %w", circuit, backend, err)
	}
	path, err := evm.FindSolcjs(".")
	if err != nil {
		return nil, err
	}
	out, err := evm.Solc{Path: path}.Compile(context.Background(), map[string]string{"Verifier.sol": src.String()})
	if err != nil {
		return nil, fmt.Errorf("compiling the %s/%s verifier: %w", circuit, backend, err)
	}
	name := map[string]string{verifier.BackendGroth16: "Verifier", verifier.BackendPlonk: "PlonkVerifier"}[backend]
	c, ok := out[name]
	if !ok {
		return nil, fmt.Errorf("the exported %s verifier has no contract %s", backend, name)
	}
	return &setup{circuit: circuit, backend: backend, prover: p, key: k, source: src.String(), contract: c}, nil
}

// people is a member registry of three and one registered employer, the
// same in every test.
type people struct {
	me       *member.Identity
	registry *registry.Registry
	employer *attester.Key
}

func newPeople(tb testing.TB) *people {
	tb.Helper()
	p := &people{registry: registry.Empty()}
	for i := range 3 {
		id, err := member.FromSecret(big.NewInt(int64(777_000 + i)))
		if err != nil {
			tb.Fatal(err)
		}
		if i == 1 {
			p.me = id
		}
		if err := p.registry.Add(id.Commitment()); err != nil {
			tb.Fatal(err)
		}
	}
	k, err := attester.Generate(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		tb.Fatal(err)
	}
	p.employer = k
	return p
}

func (p *people) membership(tb testing.TB) salary.Membership {
	tb.Helper()
	idx, path, err := p.registry.Path(p.me.Commitment())
	if err != nil {
		tb.Fatal(err)
	}
	root, err := p.registry.Root()
	if err != nil {
		tb.Fatal(err)
	}
	return salary.Membership{Root: root, Index: idx, Path: path}
}

var testLabels = salary.Labels{Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-11"}

// Offer claims in the tests: an offer of 90000 against a benchmark of 100000.
const (
	offerAmount = 90_000
	benchmark   = 100_000
)

func proveSalary(tb testing.TB, s *setup, p *people) *verifier.Envelope {
	tb.Helper()
	lo, hi := prover.DefaultBuckets().Bucket(testLabels.Currency, 123_456)
	in := salary.Input{Identity: p.me, Member: p.membership(tb), Salary: 123_456, Salt: big.NewInt(99),
		Lo: lo, Hi: hi, Labels: testLabels}
	a, err := in.Assign()
	if err != nil {
		tb.Fatal(err)
	}
	env, err := s.prover.Prove(a)
	if err != nil {
		tb.Fatal(err)
	}
	return env
}

// proveOffer proves a claim on the offer offerID, checked on checkDate
// (YYYY-MM-DD); the offer expires 30 days later.
func proveOffer(tb testing.TB, s *setup, p *people, offerID, checkDate string) *verifier.Envelope {
	tb.Helper()
	d, err := time.Parse(time.DateOnly, checkDate)
	if err != nil {
		tb.Fatal(err)
	}
	signed, err := p.employer.SignOffer(attester.Offer{ID: offerID, Amount: offerAmount, Currency: testLabels.Currency,
		Role: testLabels.Role, Region: testLabels.Region, Expires: d.AddDate(0, 0, 30).Format(time.DateOnly),
		Member: p.me.Commitment()})
	if err != nil {
		tb.Fatal(err)
	}
	in := offer.Input{Identity: p.me, Member: p.membership(tb), Offer: signed, Benchmark: benchmark,
		Period: testLabels.Period, CheckDate: checkDate}
	a, err := in.Assign()
	if err != nil {
		tb.Fatal(err)
	}
	env, err := s.prover.Prove(a)
	if err != nil {
		tb.Fatal(err)
	}
	return env
}

func compileClaimPool() (evm.Contract, error) {
	src, err := os.ReadFile(filepath.Join("..", "..", "contracts", "ClaimPool.sol"))
	if err != nil {
		return evm.Contract{}, err
	}
	path, err := evm.FindSolcjs(".")
	if err != nil {
		return evm.Contract{}, err
	}
	out, err := evm.Solc{Path: path}.Compile(context.Background(), map[string]string{"ClaimPool.sol": string(src)})
	if err != nil {
		return evm.Contract{}, err
	}
	return out["ClaimPool"], nil
}

func calldata(tb testing.TB, env *verifier.Envelope) *evm.Calldata {
	tb.Helper()
	cd, err := evm.FromEnvelope(env)
	if err != nil {
		tb.Fatal(err)
	}
	return cd
}

func shortName(s *setup) string { return strings.Join([]string{s.circuit, s.backend}, "/") }
