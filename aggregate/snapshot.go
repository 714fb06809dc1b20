package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
)

// Snapshot is a read-only view of the store as of one manifest. Segments are
// immutable and the manifest is replaced atomically, so a snapshot is
// consistent while an ingest runs, and needs no lock.
type Snapshot struct {
	dir      string
	Manifest *Manifest
	cfg      config
}

// OpenSnapshot reads the store's current manifest and checks that every
// segment it names is present at its full size.
func OpenSnapshot(dir string, opts ...Option) (*Snapshot, error) {
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	return &Snapshot{dir: dir, Manifest: m, cfg: newConfig(opts)}, nil
}

// Dir is the store directory.
func (s *Snapshot) Dir() string { return s.dir }

// segBatch is one record batch of a segment: the rows record and, when
// asked for, the proofs record with the same rows.
type segBatch struct {
	seg    *Segment
	rows   arrow.Record
	rc     *rowColumns
	proofs arrow.Record
	pc     *proofColumns
}

// ipcFile is an open Arrow IPC file.
type ipcFile struct {
	f *os.File
	r *ipc.FileReader
}

func openIPC(path string, want *arrow.Schema, cfg config) (*ipcFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(cfg.mem))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s is not a complete Arrow IPC file: %v", ErrCorrupt, filepath.Base(path), err)
	}
	if want != nil && !r.Schema().Equal(want) {
		r.Close()
		f.Close()
		return nil, fmt.Errorf("%w: %s has schema %v", ErrCorrupt, filepath.Base(path), r.Schema())
	}
	return &ipcFile{f: f, r: r}, nil
}

func (x *ipcFile) Close() error {
	x.r.Close()
	return x.f.Close()
}

// record reads batch i. The Arrow reader panics on some malformed bodies;
// a damaged file must be an error, not a crash.
func (x *ipcFile) record(i int) (rec arrow.Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %s batch %d: %v", ErrCorrupt, filepath.Base(x.f.Name()), i, p)
		}
	}()
	rec, err = x.r.RecordAt(i)
	if err != nil {
		return nil, fmt.Errorf("%w: %s batch %d: %v", ErrCorrupt, filepath.Base(x.f.Name()), i, err)
	}
	return rec, nil
}

// scanSegment calls fn for each batch of seg. The records are released when
// fn returns.
func (s *Snapshot) scanSegment(ctx context.Context, seg *Segment, withProofs bool, fn func(*segBatch) error) error {
	rf, err := openIPC(filepath.Join(s.dir, seg.RowsFile), RowsSchema(), s.cfg)
	if err != nil {
		return err
	}
	defer rf.Close()
	var pf *ipcFile
	if withProofs {
		if pf, err = openIPC(filepath.Join(s.dir, seg.ProofsFile), ProofsSchema(), s.cfg); err != nil {
			return err
		}
		defer pf.Close()
		if pf.r.NumRecords() != rf.r.NumRecords() {
			return fmt.Errorf("%w: segment %d: rows and proofs files have different batch counts", ErrCorrupt, seg.Generation)
		}
	}
	var total int64
	for i := 0; i < rf.r.NumRecords(); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := &segBatch{seg: seg}
		if err := s.readBatch(rf, pf, i, b); err != nil {
			return err
		}
		total += b.rows.NumRows()
		err := fn(b)
		b.release()
		if err != nil {
			return err
		}
	}
	if total != seg.Rows {
		return fmt.Errorf("%w: segment %d holds %d rows, the manifest says %d", ErrCorrupt, seg.Generation, total, seg.Rows)
	}
	return nil
}

func (s *Snapshot) readBatch(rf, pf *ipcFile, i int, b *segBatch) (err error) {
	if b.rows, err = rf.record(i); err != nil {
		return err
	}
	if b.rc, err = getRowColumns(b.rows); err != nil {
		b.release()
		return err
	}
	if pf == nil {
		return nil
	}
	if b.proofs, err = pf.record(i); err != nil {
		b.release()
		return err
	}
	if b.proofs.NumRows() != b.rows.NumRows() {
		b.release()
		return fmt.Errorf("%w: segment %d batch %d: rows and proofs differ in length", ErrCorrupt, b.seg.Generation, i)
	}
	if b.pc, err = getProofColumns(b.proofs); err != nil {
		b.release()
		return err
	}
	return nil
}

func (b *segBatch) release() {
	if b.rows != nil {
		b.rows.Release()
		b.rows = nil
	}
	if b.proofs != nil {
		b.proofs.Release()
		b.proofs = nil
	}
}

// scan calls fn for every batch of every segment, in store order.
func (s *Snapshot) scan(ctx context.Context, withProofs bool, fn func(*segBatch) error) error {
	for i := range s.Manifest.Segments {
		if err := s.scanSegment(ctx, &s.Manifest.Segments[i], withProofs, fn); err != nil {
			return err
		}
	}
	return nil
}

// Rows calls fn with every stored row, proofs included, in store order.
func (s *Snapshot) Rows(ctx context.Context, fn func(*Row) error) error {
	return s.scan(ctx, true, func(b *segBatch) error {
		for i := 0; i < int(b.rows.NumRows()); i++ {
			r := b.rc.row(i, b.pc)
			if err := fn(&r); err != nil {
				return err
			}
		}
		return nil
	})
}
