package aggregate

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Store layout.
const (
	ManifestFile   = "MANIFEST.json"
	SegmentsDir    = "segments"
	IndexFile      = "nullifiers.db"
	manifestFormat = "wageproof-store"
	storeVersion   = 1
)

// Manifest lists the committed segments. Replacing it (atomically) is the
// commit point of an ingest: a segment not in the manifest does not exist.
type Manifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Generation uint64 `json:"generation"`
	Rows       int64  `json:"rows"`
	// State is a hash chain over the committed segments: it names exactly
	// what a query or benchmark was computed from.
	State    string    `json:"state"`
	Segments []Segment `json:"segments"`
}

// Segment is one ingest's rows, in two files with the same row order.
type Segment struct {
	Generation   uint64    `json:"generation"`
	Rows         int64     `json:"rows"`
	Created      time.Time `json:"created"`
	RowsFile     string    `json:"rows_file"`
	RowsBytes    int64     `json:"rows_bytes"`
	RowsSHA256   string    `json:"rows_sha256"`
	ProofsFile   string    `json:"proofs_file"`
	ProofsBytes  int64     `json:"proofs_bytes"`
	ProofsSHA256 string    `json:"proofs_sha256"`
}

func emptyManifest() *Manifest {
	return &Manifest{Format: manifestFormat, Version: storeVersion, State: hex.EncodeToString(make([]byte, 32)), Segments: []Segment{}}
}

// nextState chains a segment onto the state.
func nextState(state string, s *Segment) string {
	h := sha256.New()
	h.Write([]byte(state))
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.Generation)
	binary.BigEndian.PutUint64(b[8:], uint64(s.Rows))
	h.Write(b[:])
	h.Write([]byte(s.RowsSHA256))
	h.Write([]byte(s.ProofsSHA256))
	return hex.EncodeToString(h.Sum(nil))
}

func readManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNoStore, dir)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, ManifestFile, err)
	}
	if m.Format != manifestFormat || m.Version != storeVersion {
		return nil, fmt.Errorf("%w: %s is not a version %d wageproof store manifest", ErrCorrupt, ManifestFile, storeVersion)
	}
	if err := m.check(dir); err != nil {
		return nil, err
	}
	return &m, nil
}

// check verifies the manifest's own arithmetic and that every file it names
// is present at its full size. Content hashes are checked by Audit.
func (m *Manifest) check(dir string) error {
	state := emptyManifest().State
	var rows int64
	var gen uint64
	for i := range m.Segments {
		s := &m.Segments[i]
		if s.Generation <= gen {
			return fmt.Errorf("%w: %s: segment generations are not increasing", ErrCorrupt, ManifestFile)
		}
		gen = s.Generation
		rows += s.Rows
		state = nextState(state, s)
		for _, f := range []struct {
			name string
			size int64
		}{{s.RowsFile, s.RowsBytes}, {s.ProofsFile, s.ProofsBytes}} {
			if filepath.IsLocal(f.name) == false {
				return fmt.Errorf("%w: %s names a file outside the store: %q", ErrCorrupt, ManifestFile, f.name)
			}
			st, err := os.Stat(filepath.Join(dir, f.name))
			if err != nil {
				return fmt.Errorf("%w: segment file %s: %v", ErrCorrupt, f.name, err)
			}
			if st.Size() != f.size {
				return fmt.Errorf("%w: segment file %s has %d bytes, the manifest says %d (truncated?)", ErrCorrupt, f.name, st.Size(), f.size)
			}
		}
	}
	if rows != m.Rows || gen != m.Generation || state != m.State {
		return fmt.Errorf("%w: %s totals do not match its segments", ErrCorrupt, ManifestFile)
	}
	return nil
}

func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ManifestFile), append(b, '\n'))
}
