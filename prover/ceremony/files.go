package ceremony

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic writes a file whole or not at all: into a hidden
// temporary file beside it, synced, then renamed over path. It returns the
// SHA-256 of what it wrote.
func writeFileAtomic(path string, write func(io.Writer) error) (string, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if err := write(w); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	if err := f.Chmod(0o644); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	ok = true
	return hex.EncodeToString(h.Sum(nil)), syncDir(dir)
}

func writeBytesAtomic(path string, b []byte) error {
	_, err := writeFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	return err
}

func writeObject(path string, obj io.WriterTo) (string, error) {
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := obj.WriteTo(w)
		return err
	})
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// errTrailing reports bytes after an object.
var errTrailing = errors.New("trailing bytes after the object")

// readObject decodes path into obj and returns the SHA-256 of the whole
// file. The hash is returned even when decoding fails, so that a caller can
// tell a changed file (hash differs from the record) from a malformed one.
func readObject(path string, obj io.ReaderFrom) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(f, h), 1<<20)
	_, err = obj.ReadFrom(r)
	if err == nil {
		if _, perr := r.Peek(1); perr == nil {
			err = errTrailing
		} else if perr != io.EOF {
			err = perr
		}
	}
	if _, cerr := io.Copy(io.Discard, r); cerr != nil && err == nil {
		err = cerr
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

// hashObject is the SHA-256 of obj's encoding: for gnark's mpcsetup objects,
// the challenge that the next contribution must carry.
func hashObject(obj io.WriterTo) string {
	h := sha256.New()
	if _, err := obj.WriteTo(h); err != nil {
		panic(err) // hashes do not fail
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
