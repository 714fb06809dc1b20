// Package attester is an employer's or payroll provider's signing key: an
// EdDSA key pair on the BN254 twisted Edwards curve (the curve whose base
// field is the SNARK field, so circuits verify signatures cheaply), the
// payslips and offers it signs, and the in-circuit gadgets that check them.
//
// The challenge hash of the signatures is Poseidon2 (package hashing) with
// its own domain, natively and in circuits:
//
//	c = H(DomainSignature; R.x, R.y, A.x, A.y, message)
//
// The message is one field element: H(DomainPayslip; ...) or
// H(DomainOffer; ...) (see Payslip and Offer).
package attester

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"
	"github.com/google/renameio/v2"

	"github.com/wageproof/wageproof/circuits/hashing"
)

// FileVersion is the version of the key, payslip and offer file formats.
const FileVersion = 1

// PublicKeyPrefix starts the text form of every public key: "0x" and 64 hex
// digits of the 32-byte compressed point. Registry leaves are decimal, so the
// prefix tells a key from a leaf.
const PublicKeyPrefix = "0x"

// ErrKey reports a malformed or invalid key.
var ErrKey = errors.New("attester: invalid key")

// PublicKey is an attester's public key, a point of the prime-order subgroup
// other than the identity.
type PublicKey struct {
	A twistededwards.PointAffine
}

// ParsePublicKey parses the text form of a public key and checks that it is
// a point of the prime-order subgroup other than the identity; an
// unchecked point could let a small-order component forge signatures.
func ParsePublicKey(s string) (PublicKey, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, PublicKeyPrefix) {
		return PublicKey{}, fmt.Errorf("%w: %q does not start with %s", ErrKey, s, PublicKeyPrefix)
	}
	b, err := hex.DecodeString(s[len(PublicKeyPrefix):])
	if err != nil || len(b) != fr.Bytes {
		return PublicKey{}, fmt.Errorf("%w: %q is not %s and %d hex digits", ErrKey, s, PublicKeyPrefix, 2*fr.Bytes)
	}
	var pk eddsa.PublicKey
	if _, err := pk.SetBytes(b); err != nil {
		return PublicKey{}, fmt.Errorf("%w: %q: %v", ErrKey, s, err)
	}
	if !pk.A.IsOnCurve() {
		return PublicKey{}, fmt.Errorf("%w: %q is not on the curve", ErrKey, s)
	}
	out := PublicKey{A: pk.A}
	if out.String() != strings.ToLower(s) {
		// SetBytes ignores no bits today, but a second spelling of one key
		// would give it two registry entries; insist on the canonical one.
		return PublicKey{}, fmt.Errorf("%w: %q is not in canonical form", ErrKey, s)
	}
	return out, nil
}

// IsPublicKeyText reports whether s is meant as a public key (rather than a
// decimal registry leaf).
func IsPublicKeyText(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), PublicKeyPrefix)
}

// String is the text form: 0x and the hex of the compressed point.
func (p PublicKey) String() string {
	b := p.A.Bytes()
	return PublicKeyPrefix + hex.EncodeToString(b[:])
}

// Leaf is the attester's registry leaf H(DomainAttester; A.x, A.y). The offer
// circuit exposes the same value as employer_key_hash.
func (p PublicKey) Leaf() fr.Element {
	return hashing.Hash(hashing.DomainAttester, p.A.X, p.A.Y)
}

// Pseudonym is H(DomainEmployer; A.x, A.y, period): stable within a period,
// so the aggregator can count submissions per employer, and unlinkable to the
// key without trying every registered key.
func (p PublicKey) Pseudonym(period *big.Int) fr.Element {
	var e fr.Element
	e.SetBigInt(period)
	return hashing.Hash(hashing.DomainEmployer, p.A.X, p.A.Y, e)
}

// Key is an attester's private key.
type Key struct {
	priv *eddsa.PrivateKey
}

// New draws a fresh key from crypto/rand.
func New() (*Key, error) { return Generate(rand.Reader) }

// Generate derives a key from 32 bytes of r: crypto/rand in production, a
// fixed stream for test vectors and fixtures.
func Generate(r io.Reader) (*Key, error) {
	priv, err := eddsa.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("attester: generating a key: %w", err)
	}
	return &Key{priv: priv}, nil
}

// Public returns the public key.
func (k *Key) Public() PublicKey { return PublicKey{A: k.priv.PublicKey.A} }

// String never shows the private key, so a key cannot leak through a log line.
func (k *Key) String() string { return "attester " + k.Public().String() }

// GoString hides the private key from %#v as well.
func (k *Key) GoString() string { return k.String() }

type keyFile struct {
	Version    int    `json:"version"`
	PublicKey  string `json:"public_key"`
	PrivateKey string `json:"private_key"` // hex of gnark-crypto's PrivateKey.Bytes
}

// Save writes the key to path with mode 0600, atomically; it refuses to
// overwrite an existing file, which would destroy a registered key.
func (k *Key) Save(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("attester: %s exists; refusing to overwrite a key", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("attester: %w", err)
	}
	b, err := json.MarshalIndent(keyFile{FileVersion, k.Public().String(), hex.EncodeToString(k.priv.Bytes())}, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("attester: writing %s: %w", path, err)
	}
	return nil
}

// Load reads a key file; gnark-crypto checks that the scalar is pruned and
// matches the public key.
func Load(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("attester: %w", err)
	}
	var f keyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("attester: %s is not a key file: %w", path, err)
	}
	if f.Version != FileVersion {
		return nil, fmt.Errorf("attester: %s has version %d, want %d", path, f.Version, FileVersion)
	}
	raw, err := hex.DecodeString(f.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: private_key is not hex", ErrKey, path)
	}
	var priv eddsa.PrivateKey
	if n, err := priv.SetBytes(raw); err != nil || n != len(raw) {
		return nil, fmt.Errorf("%w: %s: private_key is not a valid key (file corrupted?)", ErrKey, path)
	}
	k := &Key{priv: &priv}
	if k.Public().String() != f.PublicKey {
		return nil, fmt.Errorf("%w: %s: public_key does not match the private key (file corrupted?)", ErrKey, path)
	}
	return k, nil
}
