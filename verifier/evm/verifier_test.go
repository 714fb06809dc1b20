package evm_test

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/ethereum/go-ethereum/common"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover"
	"github.com/wageproof/wageproof/verifier"
	"github.com/wageproof/wageproof/verifier/evm"
)

// verifies calls an exported verifier with cd and says whether it accepts;
// reason says why not.
func verifies(c *chain, addr common.Address, cd *evm.Calldata) (ok bool, reason string) {
	c.tb.Helper()
	data, err := cd.Pack()
	if err != nil {
		c.tb.Fatal(err)
	}
	out, err := c.call(c.from, addr, data)
	if err != nil {
		return false, err.Error()
	}
	if cd.Backend == verifier.BackendPlonk {
		a, err := evm.VerifierABI(cd.Backend, len(cd.Input))
		if err != nil {
			c.tb.Fatal(err)
		}
		res, err := a.Unpack("Verify", out)
		if err != nil {
			return false, err.Error()
		}
		if res[0] != true {
			return false, "Verify returned false"
		}
	}
	return true, ""
}

func clone(cd *evm.Calldata) *evm.Calldata {
	out := &evm.Calldata{Backend: cd.Backend, Proof: bytes.Clone(cd.Proof)}
	for _, v := range cd.Input {
		out.Input = append(out.Input, new(big.Int).Set(v))
	}
	return out
}

// TestExportedVerifiers deploys the Solidity verifier exported from each key
// and checks it against real proofs: the valid proof passes, and every
// tampered public input and every mangled proof fails.
func TestExportedVerifiers(t *testing.T) {
	p := newPeople(t)
	for _, tc := range []struct{ circuit, backend string }{
		{salary.Name, verifier.BackendGroth16},
		{salary.Name, verifier.BackendPlonk},
		{offer.Name, verifier.BackendGroth16},
	} {
		t.Run(tc.circuit+"/"+tc.backend, func(t *testing.T) {
			s := getSetup(t, tc.circuit, tc.backend)
			var env *verifier.Envelope
			if tc.circuit == salary.Name {
				env = proveSalary(t, s, p)
			} else {
				env = proveOffer(t, s, p, "ACME-1", todayUTC())
			}
			if err := s.key.Verify(env); err != nil {
				t.Fatalf("the Go verifier rejects the proof: %v", err)
			}
			c := newChain(t)
			addr := c.deploy(s.contract.Bin, nil)
			cd := calldata(t, env)
			if ok, why := verifies(c, addr, cd); !ok {
				t.Fatalf("valid proof rejected on chain: %s", why)
			}
			data, _ := cd.Pack()
			r := c.transact(addr, data)
			t.Logf("%s: verification transaction uses %d gas (%d proof bytes)", shortName(s), r.GasUsed, len(cd.Proof))

			for i, name := range s.key.Manifest.PublicInputs {
				for _, tamper := range []struct {
					how string
					f   func(v *big.Int) *big.Int
				}{
					{"+1", func(v *big.Int) *big.Int { return new(big.Int).Mod(new(big.Int).Add(v, big.NewInt(1)), fr.Modulus()) }},
					{"+p (unreduced)", func(v *big.Int) *big.Int { return new(big.Int).Add(v, fr.Modulus()) }},
				} {
					bad := clone(cd)
					bad.Input[i] = tamper.f(bad.Input[i])
					if ok, _ := verifies(c, addr, bad); ok {
						t.Errorf("input %d (%s) %s: accepted", i, name, tamper.how)
					}
				}
			}
			n := len(cd.Proof)
			for _, m := range []struct {
				how string
				f   func([]byte) []byte
			}{
				{"first byte flipped", func(b []byte) []byte { b[0] ^= 1; return b }},
				{"byte 100 flipped", func(b []byte) []byte { b[100] ^= 0x10; return b }},
				{"last byte flipped", func(b []byte) []byte { b[n-1] ^= 1; return b }},
				{"first two points swapped", func(b []byte) []byte {
					return append(append(append([]byte{}, b[64:128]...), b[:64]...), b[128:]...)
				}},
				{"truncated", func(b []byte) []byte { return b[:n-32] }},
				{"extended", func(b []byte) []byte { return append(b, make([]byte, 32)...) }},
				{"empty", func([]byte) []byte { return nil }},
			} {
				bad := clone(cd)
				bad.Proof = m.f(bad.Proof)
				if ok, _ := verifies(c, addr, bad); ok {
					t.Errorf("proof %s: accepted", m.how)
				}
			}
		})
	}
}

// TestWrongCircuit checks that a verifier refuses a proof of another
// statement with as many public inputs, and a proof of another system.
func TestWrongCircuit(t *testing.T) {
	p := newPeople(t)
	sal := getSetup(t, salary.Name, verifier.BackendGroth16)
	off := getSetup(t, offer.Name, verifier.BackendGroth16)
	salPlonk := getSetup(t, salary.Name, verifier.BackendPlonk)
	salProof := calldata(t, proveSalary(t, sal, p))
	offProof := calldata(t, proveOffer(t, off, p, "ACME-2", todayUTC()))
	if len(salProof.Input) != len(offProof.Input) {
		t.Fatalf("the circuits take %d and %d inputs: the test needs equal counts", len(salProof.Input), len(offProof.Input))
	}
	c := newChain(t)
	salAddr := c.deploy(sal.contract.Bin, nil)
	offAddr := c.deploy(off.contract.Bin, nil)
	plonkAddr := c.deploy(salPlonk.contract.Bin, nil)
	asPlonk := clone(salProof)
	asPlonk.Backend = verifier.BackendPlonk
	for _, tc := range []struct {
		name string
		addr common.Address
		cd   *evm.Calldata
		want bool
	}{
		{"salary proof, salary verifier", salAddr, salProof, true},
		{"offer proof, offer verifier", offAddr, offProof, true},
		{"offer proof, salary verifier", salAddr, offProof, false},
		{"salary proof, offer verifier", offAddr, salProof, false},
		{"groth16 salary proof, plonk salary verifier", plonkAddr, asPlonk, false},
	} {
		if ok, why := verifies(c, tc.addr, tc.cd); ok != tc.want {
			t.Errorf("%s: accepted = %v, want %v (%s)", tc.name, ok, tc.want, why)
		}
	}
}

// TestCalldata checks the encoding against the exported contracts' ABI and
// that malformed envelopes are refused before anything is sent.
func TestCalldata(t *testing.T) {
	p := newPeople(t)
	for _, backend := range verifier.Backends() {
		s := getSetup(t, salary.Name, backend)
		env := proveSalary(t, s, p)
		cd := calldata(t, env)
		data, err := cd.Pack()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			verifier.BackendGroth16: "verifyProof(bytes,uint256[9])",
			verifier.BackendPlonk:   "Verify(bytes,uint256[])",
		}[backend]
		if cd.Method() != want || !bytes.Equal(data[:4], selector(want)) {
			t.Errorf("%s: method %s selector %s, want %s", backend, cd.Method(), hexPrefix(data), want)
		}
		// The exported source declares the function the calldata calls.
		decl := map[string]string{
			verifier.BackendGroth16: "function verifyProof(",
			verifier.BackendPlonk:   "function Verify(bytes calldata proof, uint256[] calldata public_inputs)",
		}[backend]
		if !strings.Contains(s.source, decl) {
			t.Errorf("%s: the exported contract has no %q", backend, decl)
		}
		if !strings.HasPrefix(cd.ProofHex(), "0x") || len(cd.ProofHex()) != 2+2*len(cd.Proof) {
			t.Errorf("%s: proof hex %q", backend, cd.ProofHex()[:10])
		}
		if got := strings.Count(cd.InputHex(), "0x"); got != len(salary.PublicInputs) {
			t.Errorf("%s: input hex has %d words", backend, got)
		}
		if backend == verifier.BackendGroth16 && len(cd.Proof) != 256 {
			t.Errorf("groth16 proof is %d bytes, the contract takes 256", len(cd.Proof))
		}
	}

	good := proveSalary(t, getSetup(t, salary.Name, verifier.BackendGroth16), p)
	for _, tc := range []struct {
		name   string
		mangle func(e *verifier.Envelope)
		want   error
	}{
		{"trailing proof bytes", func(e *verifier.Envelope) { e.Proof = append(e.Proof, 0) }, verifier.ErrMalformed},
		{"short proof", func(e *verifier.Envelope) { e.Proof = e.Proof[:100] }, verifier.ErrMalformed},
		{"unknown backend", func(e *verifier.Envelope) { e.Backend = "stark" }, verifier.ErrMalformed},
		{"unknown circuit", func(e *verifier.Envelope) { e.Circuit = "height" }, verifier.ErrMalformed},
		{"other curve", func(e *verifier.Envelope) { e.Curve = "bls12-381" }, verifier.ErrMalformed},
		{"missing input", func(e *verifier.Envelope) { delete(e.Public, "nullifier") }, verifier.ErrPublicInput},
		{"unreduced input", func(e *verifier.Envelope) { e.Public["lo"] = fr.Modulus().String() }, verifier.ErrPublicInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := *good
			e.Proof = bytes.Clone(good.Proof)
			e.Public = map[string]string{}
			for k, v := range good.Public {
				e.Public[k] = v
			}
			tc.mangle(&e)
			_, err := evm.FromEnvelope(&e)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func todayUTC() string { return time.Now().UTC().Format(time.DateOnly) }

// TestEveryCircuitExportable checks that no circuit in the catalog uses a
// commitment (gnark's std/rangecheck adds one): the exported verifiers are
// then gnark's plain templates, which the tests above run on chain for the
// salary and offer circuits and both backends.
func TestEveryCircuitExportable(t *testing.T) {
	for _, name := range circuits.Names() {
		spec, err := circuits.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, backend := range verifier.Backends() {
			ccs, err := prover.Compile(spec, backend)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(ccs.GetCommitments().CommitmentIndexes()); n != 0 {
				t.Errorf("%s/%s has %d commitments: its Solidity verifier is not the tested template", name, backend, n)
			}
		}
	}
}
