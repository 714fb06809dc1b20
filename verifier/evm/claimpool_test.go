package evm_test

import (
	"bytes"
	"crypto/sha256"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/wageproof/wageproof/circuits/codes"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/verifier"
	"github.com/wageproof/wageproof/verifier/evm"
)

// Positions of the offer circuit's public inputs, as ClaimPool.sol reads them.
const (
	inBenchmark = iota
	inCurrency
	inRole
	inRegion
	inPeriod
	inEmployer
	inMemberRoot
	inNullifier
	inCheckDate
)

// pool is a deployed ClaimPool.
type pool struct {
	c    *chain
	abi  abi.ABI
	addr common.Address
}

// benchmarkEntry mirrors ClaimPool.BenchmarkEntry for the ABI packer.
type benchmarkEntry struct {
	Currency, Role, Region, Period *big.Int
	Benchmark                      uint64
}

const graceDays = 1

// deployPool compiles ClaimPool.sol and deploys it in front of the exported
// offer verifier at verifierAddr.
func deployPool(tb testing.TB, c *chain, verifierAddr common.Address, backend string) *pool {
	tb.Helper()
	solc(tb) // a clear failure if the compiler is missing
	cp, err := claimSol()
	if err != nil {
		tb.Fatal(err)
	}
	a, err := abi.JSON(bytes.NewReader(cp.ABI))
	if err != nil {
		tb.Fatal(err)
	}
	system := map[string]uint8{verifier.BackendGroth16: 0, verifier.BackendPlonk: 1}[backend]
	args, err := a.Pack("", verifierAddr, system, uint32(graceDays))
	if err != nil {
		tb.Fatal(err)
	}
	return &pool{c: c, abi: a, addr: c.deploy(cp.Bin, args)}
}

func (p *pool) pack(method string, args ...any) []byte {
	p.c.tb.Helper()
	data, err := p.abi.Pack(method, args...)
	if err != nil {
		p.c.tb.Fatal(err)
	}
	return data
}

// admit registers what a claim with these public inputs needs: its member
// root, its employer and a benchmark table with its cell.
func (p *pool) admit(input []*big.Int) {
	p.c.tb.Helper()
	p.c.transact(p.addr, p.pack("setMemberRoot", input[inMemberRoot], true))
	p.c.transact(p.addr, p.pack("setEmployer", input[inEmployer], true))
	table := sha256.Sum256([]byte("benchmarks-2026-11.json"))
	entry := benchmarkEntry{input[inCurrency], input[inRole], input[inRegion], input[inPeriod], benchmark}
	p.c.transact(p.addr, p.pack("publishBenchmarks", table, []benchmarkEntry{entry}))
}

func (p *pool) claimData(cd *evm.Calldata) []byte {
	return p.pack("claim", cd.Proof, evm.FixedInput(cd.Input))
}

func dateWord(tb testing.TB, day time.Time) *big.Int {
	tb.Helper()
	d, err := codes.Date(day.Format(time.DateOnly))
	if err != nil {
		tb.Fatal(err)
	}
	return new(big.Int).SetUint64(d)
}

// TestClaimPool runs ClaimPool.sol with real offer proofs: a valid claim is
// recorded and emits Claimed, the same nullifier cannot claim twice, and
// every claim the pool must refuse reverts with the reason it names.
func TestClaimPool(t *testing.T) {
	people := newPeople(t)
	for _, backend := range verifier.Backends() {
		t.Run(backend, func(t *testing.T) {
			s := getSetup(t, offer.Name, backend)
			c := newChain(t)
			p := deployPool(t, c, c.deploy(s.contract.Bin, nil), backend)
			today, err := time.Parse(time.DateOnly, c.headDate())
			if err != nil {
				t.Fatal(err)
			}
			cd := calldata(t, proveOffer(t, s, people, "ACME-7", today.Format(time.DateOnly)))
			p.admit(cd.Input)

			other := calldata(t, proveSalary(t, getSetup(t, "salary", verifier.BackendGroth16), people))
			for _, tc := range []struct {
				name   string
				mangle func(cd *evm.Calldata)
				want   string // the custom error
			}{
				{"other benchmark", func(cd *evm.Calldata) { cd.Input[inBenchmark].Add(cd.Input[inBenchmark], big.NewInt(1)) }, "BenchmarkMismatch(uint256,uint256)"},
				{"cell without benchmark", func(cd *evm.Calldata) { cd.Input[inCurrency] = codes.MustEncode(codes.Currency, "EUR") }, "BenchmarkMismatch(uint256,uint256)"},
				{"unknown member root", func(cd *evm.Calldata) { cd.Input[inMemberRoot].Add(cd.Input[inMemberRoot], big.NewInt(1)) }, "UnknownMemberRoot(uint256)"},
				{"unknown employer", func(cd *evm.Calldata) { cd.Input[inEmployer].Add(cd.Input[inEmployer], big.NewInt(1)) }, "UnknownEmployer(uint256)"},
				{"check date too old", func(cd *evm.Calldata) { cd.Input[inCheckDate] = dateWord(t, today.AddDate(0, 0, -1-graceDays)) }, "CheckDateOutOfRange(uint256)"},
				{"check date in the future", func(cd *evm.Calldata) { cd.Input[inCheckDate] = dateWord(t, today.AddDate(0, 0, 2)) }, "CheckDateOutOfRange(uint256)"},
				{"check date not a date", func(cd *evm.Calldata) { cd.Input[inCheckDate] = big.NewInt(20261399) }, "CheckDateOutOfRange(uint256)"},
				{"check date within grace, not proven", func(cd *evm.Calldata) { cd.Input[inCheckDate] = dateWord(t, today.AddDate(0, 0, -1)) }, "InvalidProof()"},
				{"other nullifier", func(cd *evm.Calldata) { cd.Input[inNullifier].Add(cd.Input[inNullifier], big.NewInt(1)) }, "InvalidProof()"},
				{"mangled proof", func(cd *evm.Calldata) { cd.Proof[0] ^= 1 }, "InvalidProof()"},
				{"truncated proof", func(cd *evm.Calldata) { cd.Proof = cd.Proof[:len(cd.Proof)-1] }, "InvalidProof()"},
				{"salary proof", func(cd *evm.Calldata) { cd.Proof = bytes.Clone(other.Proof) }, "InvalidProof()"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					bad := clone(cd)
					tc.mangle(bad)
					expectRevert(t, c, p.addr, p.claimData(bad), tc.want)
				})
			}

			r := c.transact(p.addr, p.claimData(cd))
			t.Logf("offer/%s: claim transaction uses %d gas", backend, r.GasUsed)
			checkClaimed(t, p, r, cd)

			// A second claim of the same offer reverts, as a call and as a transaction.
			expectRevert(t, c, p.addr, p.claimData(cd), "NullifierUsed(uint256)")
			if r := c.send(&p.addr, p.claimData(cd)); r.Status != types.ReceiptStatusFailed {
				t.Fatal("second claim with the same nullifier was mined successfully")
			}

			// Only the owner configures the pool.
			stranger := common.HexToAddress("0x000000000000000000000000000000000000dEaD")
			_, err = c.call(stranger, p.addr, p.pack("setMemberRoot", big.NewInt(1), true))
			if sel, ok := revertData(err); !ok || !bytes.Equal(sel[:4], selector("NotOwner()")) {
				t.Errorf("setMemberRoot by a stranger: %v", err)
			}
		})
	}
}

func expectRevert(tb testing.TB, c *chain, to common.Address, data []byte, want string) {
	tb.Helper()
	_, err := c.call(c.from, to, data)
	if err == nil {
		tb.Fatalf("call succeeded, want revert %s", want)
	}
	got, ok := revertData(err)
	if !ok || len(got) < 4 {
		tb.Fatalf("want revert %s, got %v", want, err)
	}
	if !bytes.Equal(got[:4], selector(want)) {
		tb.Fatalf("want revert %s, got selector %x (%v)", want, got[:4], err)
	}
}

// checkClaimed checks the Claimed event and the recorded claim.
func checkClaimed(tb testing.TB, p *pool, r *types.Receipt, cd *evm.Calldata) {
	tb.Helper()
	topic := crypto.Keccak256Hash([]byte("Claimed(uint256,uint256,uint256)"))
	var found bool
	for _, l := range r.Logs {
		if l.Address != p.addr || len(l.Topics) != 3 || l.Topics[0] != topic {
			continue
		}
		found = true
		if l.Topics[1].Big().Cmp(cd.Input[inNullifier]) != 0 || l.Topics[2].Big().Cmp(cd.Input[inEmployer]) != 0 ||
			new(big.Int).SetBytes(l.Data).Cmp(cd.Input[inBenchmark]) != 0 {
			tb.Errorf("Claimed event %x %x %x does not name the claim", l.Topics[1], l.Topics[2], l.Data)
		}
	}
	if !found {
		tb.Error("no Claimed event")
	}
	out, err := p.c.call(p.c.from, p.addr, p.pack("claims", cd.Input[inNullifier]))
	if err != nil {
		tb.Fatal(err)
	}
	rec, err := p.abi.Unpack("claims", out)
	if err != nil {
		tb.Fatal(err)
	}
	if rec[0].(common.Address) != p.c.from || rec[3].(*big.Int).Cmp(cd.Input[inEmployer]) != 0 {
		tb.Errorf("recorded claim %v", rec)
	}
}
