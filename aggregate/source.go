package aggregate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/wageproof/wageproof/verifier"
)

// Item is one submission read from an input.
type Item struct {
	// Source says where it came from: a file, "stdin:LINE", "FILE#ROW".
	Source string
	Data   []byte             // a JSON proof envelope, or
	Env    *verifier.Envelope // an envelope rebuilt from a bulk file's row
	Err    error              // why the item could not be read
}

// Source emits items in order. An error it returns is fatal to the ingest
// (an unreadable or truncated file): nothing of the ingest is committed.
type Source func(ctx context.Context, emit func(Item) error) error

// maxEnvelope bounds one JSON envelope (a Groth16 envelope is about 1 KB).
const maxEnvelope = 1 << 20

// Paths reads files and directories: *.json files hold one envelope,
// *.jsonl and *.ndjson one per line, *.arrow (IPC file or stream) and
// *.parquet hold rows in the export schema. "-" is a JSON-lines stream on
// stdin. Directories are walked in name order, taking only those
// extensions.
func Paths(paths []string, stdin io.Reader, opts ...Option) Source {
	cfg := newConfig(opts)
	return func(ctx context.Context, emit func(Item) error) error {
		for _, p := range paths {
			if p == "-" {
				if err := jsonLines(ctx, "stdin", stdin, emit); err != nil {
					return err
				}
				continue
			}
			st, err := os.Stat(p)
			if err != nil {
				return err
			}
			if !st.IsDir() {
				if err := readPath(ctx, p, cfg, emit); err != nil {
					return err
				}
				continue
			}
			var files []string
			err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() && knownExt(path) {
					files = append(files, path)
				}
				return nil
			})
			if err != nil {
				return err
			}
			sort.Strings(files)
			for _, f := range files {
				if err := readPath(ctx, f, cfg, emit); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

func knownExt(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".jsonl", ".ndjson", ".arrow", ".arrows", ".ipc", ".parquet":
		return true
	}
	return false
}

func readPath(ctx context.Context, path string, cfg config, emit func(Item) error) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return jsonLines(ctx, path, f, emit)
	case ".arrow", ".arrows", ".ipc":
		return readArrow(ctx, path, cfg, emit)
	case ".parquet":
		return readParquet(ctx, path, cfg, emit)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEnvelope+1))
	if err != nil {
		return err
	}
	it := Item{Source: path, Data: b}
	if len(b) > maxEnvelope {
		it = Item{Source: path, Err: fmt.Errorf("%w: file is larger than %d bytes", verifier.ErrMalformed, maxEnvelope)}
	}
	return emit(it)
}

func jsonLines(ctx context.Context, name string, r io.Reader, emit func(Item) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxEnvelope)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(Item{Source: fmt.Sprintf("%s:%d", name, line), Data: bytes.Clone(b)}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s line %d: %w", name, line+1, err)
	}
	return nil
}

// emitRecord turns the rows of a bulk record into envelope items.
func emitRecord(ctx context.Context, name string, rec arrow.Record, first int64, emit func(Item) error) error {
	rc, err := getRowColumns(rec)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	pc, err := getProofColumns(rec)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		it := Item{Source: fmt.Sprintf("%s#%d", name, first+int64(i))}
		if rowHasNulls(rec, i) {
			it.Err = fmt.Errorf("%w: required value is null", verifier.ErrMalformed)
		} else {
			r := rc.row(i, pc)
			if it.Env, err = r.Envelope(); err != nil {
				it.Env, it.Err = nil, err
			}
		}
		if err := emit(it); err != nil {
			return err
		}
	}
	return nil
}

// rowHasNulls reports a null in a column that must have a value.
func rowHasNulls(rec arrow.Record, i int) bool {
	for c, f := range rec.Schema().Fields() {
		if f.Name == ColAttesterRoot || f.Name == ColEmployer || f.Name == ColIngestTime {
			continue
		}
		if rec.Column(c).IsNull(i) {
			return true
		}
	}
	return false
}

func readArrow(ctx context.Context, path string, cfg config, emit func(Item) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, p)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	magic := make([]byte, 6)
	if _, err := io.ReadFull(f, magic); err != nil {
		return fmt.Errorf("%w: %s is not an Arrow file", ErrCorrupt, path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var n int64
	if string(magic) == "ARROW1" {
		r, err := ipc.NewFileReader(f, ipc.WithAllocator(cfg.mem))
		if err != nil {
			return fmt.Errorf("%w: %s is not a complete Arrow IPC file: %v", ErrCorrupt, path, err)
		}
		defer r.Close()
		for i := 0; i < r.NumRecords(); i++ {
			rec, err := r.RecordAt(i)
			if err != nil {
				return fmt.Errorf("%w: %s batch %d: %v", ErrCorrupt, path, i, err)
			}
			err = emitRecord(ctx, path, rec, n, emit)
			n += rec.NumRows()
			rec.Release()
			if err != nil {
				return err
			}
		}
		return nil
	}
	r, err := ipc.NewReader(f, ipc.WithAllocator(cfg.mem))
	if err != nil {
		return fmt.Errorf("%w: %s is not an Arrow IPC file or stream: %v", ErrCorrupt, path, err)
	}
	defer r.Release()
	for r.Next() {
		rec := r.Record()
		if err := emitRecord(ctx, path, rec, n, emit); err != nil {
			return err
		}
		n += rec.NumRows()
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return nil
}

func readParquet(ctx context.Context, path string, cfg config, emit func(Item) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s: %v", ErrCorrupt, path, p)
		}
	}()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("%w: %s is not a complete Parquet file: %v", ErrCorrupt, path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(cfg.batchRows)}, cfg.mem)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	defer rr.Release()
	var n int64
	for rr.Next() {
		rec := rr.Record()
		if err := emitRecord(ctx, path, rec, n, emit); err != nil {
			return err
		}
		n += rec.NumRows()
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	return nil
}
