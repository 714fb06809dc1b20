package attester

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"
	gnarkhash "github.com/consensys/gnark-crypto/hash"

	"github.com/wageproof/wageproof/circuits/hashing"
)

// DomainSignature separates the EdDSA challenge hash from every other hash of
// wageproof (whose domains live in package hashing; this one belongs to the
// signature scheme, so it lives with it).
const DomainSignature hashing.Domain = "wageproof/eddsa/v1"

// ErrSignature reports a signature that does not verify or cannot be parsed.
var ErrSignature = errors.New("attester: invalid signature")

// SignatureBytes is the size of a signature: compressed R and S, 32 bytes each.
const SignatureBytes = 2 * fr.Bytes

// challengeHash returns the native challenge hash: Poseidon2 in
// Merkle-Damgard mode with DomainSignature as initial state. On 32-byte
// blocks it computes hashing.Hash(DomainSignature; blocks...), and it is
// the hash that the circuit gadget (see Verifier) computes.
func challengeHash() hash.Hash {
	d := DomainSignature.Element()
	iv := d.Bytes()
	return gnarkhash.NewMerkleDamgardHasher(poseidon2.NewDefaultPermutation(), iv[:])
}

// Signature is an EdDSA signature (R, S) with S below the subgroup order.
type Signature struct {
	R twistededwards.PointAffine
	S fr.Element // S < subgroup order < field modulus, so it fits exactly
}

// ParseSignature parses the text form (0x and hex of R ‖ S) and checks it
// as gnark-crypto does: R canonical and in the subgroup, 0 < S < order.
func ParseSignature(s string) (Signature, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "0x") {
		return Signature{}, fmt.Errorf("%w: does not start with 0x", ErrSignature)
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil || len(b) != SignatureBytes {
		return Signature{}, fmt.Errorf("%w: not 0x and %d hex digits", ErrSignature, 2*SignatureBytes)
	}
	var sig eddsa.Signature
	if _, err := sig.SetBytes(b); err != nil {
		return Signature{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	var out Signature
	out.R = sig.R
	out.S.SetBytes(sig.S[:])
	return out, nil
}

// Bytes is R compressed ‖ S big-endian, gnark-crypto's encoding.
func (s Signature) Bytes() []byte {
	var sig eddsa.Signature
	sig.R = s.R
	sig.S = s.S.Bytes()
	return sig.Bytes()
}

// String is the text form: 0x and the hex of Bytes.
func (s Signature) String() string { return "0x" + hex.EncodeToString(s.Bytes()) }

// Sign signs one field element. Signing is deterministic (gnark-crypto derives
// the nonce from the key's random source and the message).
func (k *Key) Sign(msg fr.Element) (Signature, error) {
	m := msg.Bytes()
	raw, err := k.priv.Sign(m[:], challengeHash())
	if err != nil {
		return Signature{}, fmt.Errorf("attester: signing: %w", err)
	}
	var sig eddsa.Signature
	if _, err := sig.SetBytes(raw); err != nil {
		return Signature{}, fmt.Errorf("attester: signing: %w", err)
	}
	out := Signature{R: sig.R}
	out.S.SetBytes(sig.S[:])
	return out, nil
}

// Verify checks a signature on msg natively, as the circuit does.
func (p PublicKey) Verify(sig Signature, msg fr.Element) error {
	pk := eddsa.PublicKey{A: p.A}
	m := msg.Bytes()
	ok, err := pk.Verify(sig.Bytes(), m[:], challengeHash())
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if !ok {
		return fmt.Errorf("%w: it does not match the key and the message", ErrSignature)
	}
	return nil
}
