package evm_test

import (
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/verifier"
)

// BenchmarkVerifyProofGas reports the gas of a transaction that calls an
// exported verifier with a valid proof (21000 intrinsic gas and calldata
// included), per circuit and backend.
func BenchmarkVerifyProofGas(b *testing.B) {
	p := newPeople(b)
	for _, circuit := range []string{salary.Name, offer.Name} {
		for _, backend := range verifier.Backends() {
			b.Run(circuit+"/"+backend, func(b *testing.B) {
				s := getSetup(b, circuit, backend)
				var cd = calldata(b, proveSalaryOrOffer(b, s, p))
				c := newChain(b)
				addr := c.deploy(s.contract.Bin, nil)
				data, err := cd.Pack()
				if err != nil {
					b.Fatal(err)
				}
				var gas uint64
				for b.Loop() {
					gas = c.transact(addr, data).GasUsed
				}
				b.ReportMetric(float64(gas), "gas")
			})
		}
	}
}

// BenchmarkClaimGas reports the gas of a successful ClaimPool.claim
// transaction (verification, checks, storage and event). Each iteration
// claims in a fresh pool, since a nullifier claims once.
func BenchmarkClaimGas(b *testing.B) {
	p := newPeople(b)
	for _, backend := range verifier.Backends() {
		b.Run(backend, func(b *testing.B) {
			s := getSetup(b, offer.Name, backend)
			c := newChain(b)
			verifierAddr := c.deploy(s.contract.Bin, nil)
			cd := calldata(b, proveOffer(b, s, p, "ACME-BENCH", c.headDate()))
			var gas uint64
			for b.Loop() {
				b.StopTimer()
				pl := deployPool(b, c, verifierAddr, backend)
				pl.admit(cd.Input)
				b.StartTimer()
				r := c.transact(pl.addr, pl.claimData(cd))
				if r.Status != types.ReceiptStatusSuccessful {
					b.Fatal("claim failed")
				}
				gas = r.GasUsed
			}
			b.ReportMetric(float64(gas), "gas")
		})
	}
}

func proveSalaryOrOffer(tb testing.TB, s *setup, p *people) *verifier.Envelope {
	switch s.circuit {
	case salary.Name:
		return proveSalary(tb, s, p)
	case offer.Name:
		return proveOffer(tb, s, p, "ACME-GAS", todayUTC())
	}
	tb.Fatal(fmt.Sprintf("no proof maker for %s", s.circuit))
	return nil
}
