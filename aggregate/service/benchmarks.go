package service

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/wageproof/wageproof/aggregate"
)

// readBenchmarks reads the published table and its bytes' SHA-256 (the ID
// the claim pool names tables by).
func (s *Server) readBenchmarks() (*aggregate.Benchmarks, []byte, string, error) {
	if s.cfg.BenchmarksFile == "" {
		return nil, nil, "", newError(http.StatusNotFound, CodeNoBenchmarks, "this service publishes no benchmarks (--benchmarks)")
	}
	raw, err := os.ReadFile(s.cfg.BenchmarksFile)
	if err != nil {
		return nil, nil, "", err
	}
	b, err := aggregate.ReadBenchmarks(s.cfg.BenchmarksFile)
	if err != nil {
		return nil, nil, "", err
	}
	sum := sha256.Sum256(raw)
	return b, raw, hex.EncodeToString(sum[:]), nil
}

func (s *Server) benchmarks(w http.ResponseWriter, r *http.Request) error {
	b, raw, fileHash, err := s.readBenchmarks()
	if err != nil {
		return err
	}
	// The file as published, byte for byte: its content hash and file
	// hash must check out on the client's side.
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("ETag", fmt.Sprintf("%q", b.ContentHash))
	h.Set("X-Wageproof-File-SHA256", fileHash)
	w.WriteHeader(http.StatusOK)
	w.Write(raw)
	return nil
}

// BenchmarksHash names the published table.
type BenchmarksHash struct {
	Period      string  `json:"period"`
	Quantile    float64 `json:"quantile"`
	Entries     int     `json:"entries"`
	ContentHash string  `json:"content_hash"` // the format's own hash of its content
	FileSHA256  string  `json:"file_sha256"`  // the SHA-256 of the file's bytes (the claim pool's table id)
}

func (s *Server) benchmarksHash(w http.ResponseWriter, r *http.Request) error {
	b, _, fileHash, err := s.readBenchmarks()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BenchmarksHash{Period: b.Period, Quantile: b.Quantile, Entries: len(b.Entries), ContentHash: b.ContentHash, FileSHA256: fileHash})
	return nil
}

// export streams the whole store as Parquet. It holds bucket-level rows, not
// disclosure-controlled cells, so it is an admin endpoint.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	if f := r.URL.Query().Get("format"); f != "" && f != aggregate.FormatParquet {
		return newError(http.StatusBadRequest, CodeBadQuery, "export format %q: only parquet is served", f)
	}
	snap := s.snapshot()
	// A large store takes longer than the write timeout.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
	h := w.Header()
	h.Set("Content-Type", "application/vnd.apache.parquet")
	h.Set("Content-Disposition", `attachment; filename="wageproof.parquet"`)
	h.Set("ETag", fmt.Sprintf("%q", snap.Manifest.State))
	h.Set("X-Wageproof-Store-State", snap.Manifest.State)
	if err := snap.Export(r.Context(), w, aggregate.FormatParquet); err != nil {
		// Headers are gone: cut the connection so the client sees a
		// truncated transfer, never a short file that looks whole.
		s.log.Error("export failed", "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}
