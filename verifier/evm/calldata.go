// Package evm is the Ethereum side of wageproof: it turns proof envelopes into
// the calldata of the Solidity verifiers gnark exports from the same
// verifying keys, and compiles Solidity with solcjs (for the tests, which run
// the contracts in go-ethereum's simulated backend).
//
// The two exported verifiers take different calls:
//
//	Groth16 (contract Verifier):       verifyProof(bytes proof, uint256[N] input)  view; reverts unless valid
//	PLONK   (contract PlonkVerifier):  Verify(bytes proof, uint256[] public_inputs) view returns (bool)
//
// In both, proof is gnark's MarshalSolidity encoding of the proof and the
// inputs are the circuit's public inputs in the manifest's order.
package evm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/wageproof/wageproof/circuits"
	"github.com/wageproof/wageproof/verifier"
)

// Calldata is a proof as an exported verifier contract takes it.
type Calldata struct {
	Backend string
	Proof   []byte     // gnark's MarshalSolidity encoding
	Input   []*big.Int // public inputs, in the circuit's order
}

// solidityProof is a BN254 proof of either system that gnark can encode for
// its exported verifiers.
type solidityProof interface{ MarshalSolidity() []byte }

// FromEnvelope converts a proof file into calldata. It checks the envelope as
// the verifier does (known circuit and backend, canonical public inputs in the
// circuit's order, proof bytes that decode exactly) but not the proof
// equation: verify first when a failed transaction would cost something.
func FromEnvelope(env *verifier.Envelope) (*Calldata, error) {
	spec, err := circuits.Lookup(env.Circuit)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", verifier.ErrMalformed, err)
	}
	if env.Curve != verifier.CurveBN254 {
		return nil, fmt.Errorf("%w: curve %q: the EVM verifies BN254 proofs only", verifier.ErrMalformed, env.Curve)
	}
	sys, err := verifier.LookupSystem(env.Backend)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", verifier.ErrMalformed, err)
	}
	vals, err := env.PublicValues(spec.PublicInputs)
	if err != nil {
		return nil, err
	}
	proof := sys.NewProof()
	n, err := proof.ReadFrom(bytes.NewReader(env.Proof))
	if err != nil || n != int64(len(env.Proof)) {
		return nil, fmt.Errorf("%w: proof bytes are not a %s proof", verifier.ErrMalformed, env.Backend)
	}
	sp, ok := proof.(solidityProof)
	if !ok {
		return nil, fmt.Errorf("%s proofs have no Solidity encoding", env.Backend)
	}
	return &Calldata{Backend: env.Backend, Proof: sp.MarshalSolidity(), Input: vals}, nil
}

// Method is the Solidity signature of the verifier function the calldata is
// for, e.g. "verifyProof(bytes,uint256[9])".
func (c *Calldata) Method() string {
	if c.Backend == verifier.BackendPlonk {
		return "Verify(bytes,uint256[])"
	}
	return fmt.Sprintf("verifyProof(bytes,uint256[%d])", len(c.Input))
}

// ProofHex is the proof as 0x-prefixed hex.
func (c *Calldata) ProofHex() string { return "0x" + hex.EncodeToString(c.Proof) }

// InputHex is the public inputs as an array literal of 0x-prefixed 32-byte
// words, the form cast and ethers take for uint256[].
func (c *Calldata) InputHex() string {
	words := make([]string, len(c.Input))
	for i, v := range c.Input {
		words[i] = fmt.Sprintf("0x%064x", v)
	}
	return "[" + strings.Join(words, ",") + "]"
}

// Pack is the ABI-encoded call: the 4-byte selector of Method followed by the
// encoded arguments, ready as a transaction's or eth_call's data.
func (c *Calldata) Pack() ([]byte, error) {
	a, err := VerifierABI(c.Backend, len(c.Input))
	if err != nil {
		return nil, err
	}
	if c.Backend == verifier.BackendPlonk {
		return a.Pack("Verify", c.Proof, c.Input)
	}
	return a.Pack("verifyProof", c.Proof, FixedInput(c.Input))
}

// FixedInput returns vals as a Go array [len(vals)]*big.Int, which is how
// go-ethereum's ABI packer takes a Solidity uint256[N].
func FixedInput(vals []*big.Int) any {
	arr := reflect.New(reflect.ArrayOf(len(vals), reflect.TypeFor[*big.Int]())).Elem()
	for i, v := range vals {
		arr.Index(i).Set(reflect.ValueOf(v))
	}
	return arr.Interface()
}

// VerifierABI is the ABI of the verifier function of an exported contract
// for backend with n public inputs (the part of it this package calls).
func VerifierABI(backend string, n int) (abi.ABI, error) {
	var js string
	switch backend {
	case verifier.BackendGroth16:
		js = fmt.Sprintf(`[{"type":"function","name":"verifyProof","stateMutability":"view",
			"inputs":[{"name":"proof","type":"bytes"},{"name":"input","type":"uint256[%d]"}],"outputs":[]}]`, n)
	case verifier.BackendPlonk:
		js = `[{"type":"function","name":"Verify","stateMutability":"view",
			"inputs":[{"name":"proof","type":"bytes"},{"name":"public_inputs","type":"uint256[]"}],
			"outputs":[{"name":"success","type":"bool"}]}]`
	default:
		return abi.ABI{}, fmt.Errorf("unknown backend %q (known: %v)", backend, verifier.Backends())
	}
	return abi.JSON(strings.NewReader(js))
}
