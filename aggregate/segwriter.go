package aggregate

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
)

// hashingWriter hashes and counts what it passes to w. The IPC file writer
// only ever asks it for its current offset.
type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (h *hashingWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func (h *hashingWriter) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errors.New("hashingWriter: only the current offset can be asked for")
	}
	return h.n, nil
}

// segWriter writes one IPC file of a segment under a temporary name.
type segWriter struct {
	tmp, final string
	f          *os.File
	buf        *bufio.Writer
	hw         *hashingWriter
	w          *ipc.FileWriter
}

func newSegWriter(final string, schema *arrow.Schema, cfg config) (*segWriter, error) {
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 1<<20)
	hw := &hashingWriter{w: buf, h: sha256.New()}
	w, err := ipc.NewFileWriter(hw, ipc.WithSchema(schema), ipc.WithAllocator(cfg.mem))
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, err
	}
	return &segWriter{tmp: tmp, final: final, f: f, buf: buf, hw: hw, w: w}, nil
}

func (s *segWriter) Write(rec arrow.Record) error { return s.w.Write(rec) }

// finish closes the file, makes it durable and gives it its final name.
func (s *segWriter) finish() (size int64, sum string, err error) {
	if err = s.w.Close(); err != nil {
		return
	}
	if err = s.buf.Flush(); err != nil {
		return
	}
	if err = s.f.Sync(); err != nil {
		return
	}
	if err = s.f.Close(); err != nil {
		return
	}
	s.f = nil
	if err = os.Rename(s.tmp, s.final); err != nil {
		return
	}
	return s.hw.n, hex.EncodeToString(s.hw.h.Sum(nil)), nil
}

// abort discards the file.
func (s *segWriter) abort() {
	if s.f != nil {
		s.w.Close()
		s.f.Close()
	}
	os.Remove(s.tmp)
}
