// Package member is a member's identity: a random secret known only to the
// worker, and the public identity commitment that the member registry holds.
package member

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/google/renameio/v2"

	"github.com/wageproof/wageproof/circuits/hashing"
)

// FileVersion is the version of the identity file format.
const FileVersion = 1

// Identity is a member's secret. Its zero value is not a valid identity.
type Identity struct {
	secret fr.Element
}

// New draws a fresh identity secret (fr.Element.SetRandom reads crypto/rand).
func New() (*Identity, error) {
	var id Identity
	if _, err := id.secret.SetRandom(); err != nil {
		return nil, fmt.Errorf("member: drawing a secret: %w", err)
	}
	if id.secret.IsZero() {
		return New()
	}
	return &id, nil
}

// FromSecret rebuilds an identity from its secret (tests, fixtures).
func FromSecret(secret *big.Int) (*Identity, error) {
	if secret.Sign() <= 0 || secret.Cmp(fr.Modulus()) >= 0 {
		return nil, errors.New("member: identity secret must be in [1, field modulus)")
	}
	var id Identity
	id.secret.SetBigInt(secret)
	return &id, nil
}

// Secret returns the identity secret, for witness assembly only.
func (id *Identity) Secret() *big.Int { return id.secret.BigInt(new(big.Int)) }

// Commitment is the public identity commitment H(domain_id; secret): the
// member's leaf in the registry.
func (id *Identity) Commitment() fr.Element {
	return hashing.Hash(hashing.DomainIdentity, id.secret)
}

// Nullifier is the once-per-period submission nullifier
// H(domain_submit; secret, period).
func (id *Identity) Nullifier(period *big.Int) *big.Int {
	var p fr.Element
	p.SetBigInt(period)
	h := hashing.Hash(hashing.DomainSubmit, id.secret, p)
	return h.BigInt(new(big.Int))
}

// ClaimNullifier is the once-per-offer claim nullifier
// H(domain_claim; secret, offer id).
func (id *Identity) ClaimNullifier(offerID *big.Int) *big.Int {
	var o fr.Element
	o.SetBigInt(offerID)
	h := hashing.Hash(hashing.DomainClaim, id.secret, o)
	return h.BigInt(new(big.Int))
}

// String never shows the secret, so an identity can't leak through a log line.
func (id *Identity) String() string {
	c := id.Commitment()
	return "member " + c.String()
}

// GoString hides the secret from %#v as well.
func (id *Identity) GoString() string { return id.String() }

type file struct {
	Version    int    `json:"version"`
	Secret     string `json:"identity_secret"`
	Commitment string `json:"commitment"`
}

// Save writes the identity to path with mode 0600, atomically; it refuses to
// overwrite an existing file, since that would destroy a member's identity.
func (id *Identity) Save(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("member: %s exists; refusing to overwrite an identity", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("member: %w", err)
	}
	c := id.Commitment()
	b, err := json.MarshalIndent(file{FileVersion, id.Secret().String(), c.String()}, "", "  ")
	if err != nil {
		return err
	}
	if err := renameio.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("member: writing %s: %w", path, err)
	}
	return nil
}

// Load reads an identity file and checks that its commitment matches its secret.
func Load(path string) (*Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("member: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("member: %s is not an identity file: %w", path, err)
	}
	if f.Version != FileVersion {
		return nil, fmt.Errorf("member: %s has version %d, want %d", path, f.Version, FileVersion)
	}
	s, ok := new(big.Int).SetString(f.Secret, 10)
	if !ok {
		return nil, fmt.Errorf("member: %s: identity_secret is not a decimal number", path)
	}
	id, err := FromSecret(s)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	if c := id.Commitment(); c.String() != f.Commitment {
		return nil, fmt.Errorf("member: %s: commitment does not match the secret (file corrupted?)", path)
	}
	return id, nil
}
