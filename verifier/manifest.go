package verifier

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ManifestVersion is the version of the key directory format.
const ManifestVersion = 1

// Files of a key directory <root>/<circuit>/<backend>/.
const (
	ManifestFile     = "manifest.json"
	VerifyingKeyFile = "verifying.key"
	ProvingKeyFile   = "proving.key"
	ConstraintFile   = "circuit.ccs"
)

// Manifest describes a key directory.
type Manifest struct {
	Version        int       `json:"version"`
	Circuit        string    `json:"circuit"`
	CircuitVersion int       `json:"circuit_version"`
	Backend        string    `json:"backend"`
	Curve          string    `json:"curve"`
	Constraints    int       `json:"constraints"`
	PublicInputs   []string  `json:"public_inputs"`
	VKSHA256       string    `json:"vk_sha256"`
	RangeCheck     string    `json:"range_check"`
	Setup          string    `json:"setup"` // who produced the keys, e.g. "single-party (development only)"
	Created        time.Time `json:"created"`
	// Set by a multi-party ceremony (prover/ceremony): the SHA-256 of its
	// transcript.json and the contributors' names, so that anyone can check
	// the keys against the published transcript.
	Transcript   string   `json:"transcript_sha256,omitempty"`
	Contributors []string `json:"contributors,omitempty"`
}

// KeyDir is the directory that holds the keys of circuit and backend under root.
func KeyDir(root, circuit, backend string) string {
	return filepath.Join(root, circuit, backend)
}

// ReadManifest reads and checks a key directory's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: not a key manifest: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("%s: manifest version %d, this build reads %d", dir, m.Version, ManifestVersion)
	}
	return &m, nil
}

// WriteManifest writes m into dir.
func WriteManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}

// SHA256Hex is the hex SHA-256 of b: the identity of a verifying key is the
// hash of its file.
func SHA256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
