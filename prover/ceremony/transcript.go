package ceremony

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// TranscriptVersion is the version of the transcript format.
const TranscriptVersion = 1

// Files of a ceremony directory besides the contributions.
const (
	TranscriptFile = "transcript.json"
	CircuitFile    = "circuit.ccs"
	// Phase2InitialFile is the deterministic start of phase 2, computed from
	// the sealed phase 1 and the circuit. Anyone can recompute it; it is
	// kept so that contributors need not.
	Phase2InitialFile = "phase2-0000-initial.bin"
)

// Transcript is the ceremony's record, kept in transcript.json. It is the
// ceremony's single commit point: a contribution exists once the transcript
// lists it, and each entry names the hash of the one before it.
type Transcript struct {
	Version        int    `json:"version"`
	Circuit        string `json:"circuit"`
	CircuitVersion int    `json:"circuit_version"`
	Constraints    int    `json:"constraints"`
	// DomainSize is N, the power of two at least the number of constraints.
	DomainSize    uint64 `json:"domain_size"`
	CircuitSHA256 string `json:"circuit_sha256"`
	// Phase is 1 or 2; a sealed ceremony has Seal set.
	Phase int `json:"phase"`
	// Phase1Initial is the hash of the deterministic start of phase 1.
	Phase1Initial string         `json:"phase1_initial_sha256"`
	Phase1        []Contribution `json:"phase1"`
	// Phase1Beacon closed phase 1 (Phase is then 2); nil if phase 1 was
	// closed without one.
	Phase1Beacon  *Beacon        `json:"phase1_beacon,omitempty"`
	Phase2Initial string         `json:"phase2_initial_sha256,omitempty"`
	Phase2        []Contribution `json:"phase2"`
	Seal          *SealRecord    `json:"seal,omitempty"`
	Created       time.Time      `json:"created"`
}

// Contribution is one participant's step.
type Contribution struct {
	Index int    `json:"index"` // 1, 2, ... within its phase
	Name  string `json:"name"`  // a label the contributor chose; not authenticated
	File  string `json:"file"`
	// SHA256 is the hash of the file: what the contributor publishes. The
	// next contribution's gnark challenge is this same hash.
	SHA256 string    `json:"sha256"`
	Prev   string    `json:"prev_sha256"`
	Time   time.Time `json:"time"`
}

// Beacon is a public random value that nobody could predict before the last
// contribution of a phase, such as the hash of a block mined after it. It
// seeds a final, reproducible update, so that the last contributor cannot
// steer the result.
type Beacon struct {
	Value  string `json:"value"`            // lower-case hex
	Source string `json:"source,omitempty"` // where it came from, for auditors
}

// SealRecord is how a ceremony ended.
type SealRecord struct {
	Beacon   *Beacon   `json:"beacon,omitempty"`
	VKSHA256 string    `json:"vk_sha256"`
	Time     time.Time `json:"time"`
}

// Sealed reports whether the ceremony produced its keys.
func (t *Transcript) Sealed() bool { return t.Seal != nil }

// Contributors lists the contributors' names in order of first
// contribution, each once.
func (t *Transcript) Contributors() []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range append(append([]Contribution(nil), t.Phase1...), t.Phase2...) {
		if !seen[c.Name] {
			seen[c.Name] = true
			names = append(names, c.Name)
		}
	}
	return names
}

// contributions returns the list of a phase.
func (t *Transcript) contributions(phase int) []Contribution {
	if phase == 1 {
		return t.Phase1
	}
	return t.Phase2
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// DefaultName labels a contributor who gave no name.
const DefaultName = "anonymous"

// CheckName accepts a contributor name: it becomes part of a file name.
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: contributor name %q: use 1-32 letters, digits, '.', '_' or '-', starting with a letter or digit", ErrUsage, name)
	}
	return nil
}

// contributionFile is the file of contribution index of phase by name.
func contributionFile(phase, index int, name string) string {
	return fmt.Sprintf("phase%d-%04d-%s.bin", phase, index, name)
}

var contributionFileRE = regexp.MustCompile(`^phase[12]-[0-9]{4}-.+\.bin$`)

// maxConstraints bounds the circuits a ceremony takes (N = 2^26 is already
// gigabytes of phase-1 parameters).
const maxConstraints = 1 << 26

// Beacon sizes: enough entropy to be unpredictable, small enough to be a
// value copied from a public source.
const (
	minBeaconBytes = 16
	maxBeaconBytes = 1024
)

// ParseBeacon reads a beacon given in hex (an optional 0x prefix), such as
// a block hash or a drand round's randomness.
func ParseBeacon(value, source string) (*Beacon, error) {
	v := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(value), "0x"), "0X")
	b, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%w: beacon %q is not hex (give a public random value such as a block hash)", ErrUsage, value)
	}
	if len(b) < minBeaconBytes || len(b) > maxBeaconBytes {
		return nil, fmt.Errorf("%w: beacon has %d bytes, want %d to %d", ErrUsage, len(b), minBeaconBytes, maxBeaconBytes)
	}
	return &Beacon{Value: hex.EncodeToString(b), Source: strings.TrimSpace(source)}, nil
}

// bytes is the beacon as gnark takes it; no beacon is the empty challenge.
func (b *Beacon) bytes() []byte {
	if b == nil {
		return nil
	}
	v, _ := hex.DecodeString(b.Value)
	return v
}

func (b *Beacon) String() string {
	if b == nil {
		return "none"
	}
	s := "0x" + b.Value
	if b.Source != "" {
		s += fmt.Sprintf(" (%s)", b.Source)
	}
	return s
}

// readTranscript reads dir's transcript and returns it with its bytes.
func readTranscript(dir string) (*Transcript, []byte, error) {
	path := filepath.Join(dir, TranscriptFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s has no %s (start one with `wageproof ceremony init`)", ErrNoCeremony, dir, TranscriptFile)
	}
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var t Transcript
	if err := dec.Decode(&t); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: not a ceremony transcript: %v", ErrInvalid, path, err)
	}
	if t.Version != TranscriptVersion {
		return nil, nil, fmt.Errorf("%w: %s: transcript version %d, this build reads %d", ErrInvalid, path, t.Version, TranscriptVersion)
	}
	if t.Phase != 1 && t.Phase != 2 {
		return nil, nil, fmt.Errorf("%w: %s: phase %d", ErrInvalid, path, t.Phase)
	}
	// gnark panics on a domain that is not a power of two, and a huge one
	// would exhaust memory: check before anything is allocated for it.
	if t.Constraints < 1 || t.Constraints > maxConstraints || t.DomainSize != DomainSize(t.Constraints) {
		return nil, nil, fmt.Errorf("%w: %s: %d constraints and domain size %d do not fit", ErrInvalid, path, t.Constraints, t.DomainSize)
	}
	return &t, raw, nil
}

func (t *Transcript) marshal() ([]byte, error) {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
