package aggregate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store is the writer's handle on a store directory:
//
//	MANIFEST.json                  committed segments (replaced atomically)
//	segments/<gen>.rows.arrow      rows of one ingest (Arrow IPC file)
//	segments/<gen>.proofs.arrow    their proofs, same row order
//	nullifiers.db                  nullifier index (bbolt)
//
// One process writes at a time: the index's file lock is the store's lock.
// Readers use OpenSnapshot and need no lock.
type Store struct {
	dir string
	cfg config
	ix  *index
	man *Manifest
}

// Open opens the store in dir for writing, creating it if dir holds none,
// and recovers from an interrupted ingest: segment files no manifest names
// are deleted and the nullifier index is brought back in step.
func Open(dir string, opts ...Option) (*Store, error) {
	cfg := newConfig(opts)
	if err := os.MkdirAll(filepath.Join(dir, SegmentsDir), 0o755); err != nil {
		return nil, err
	}
	ix, err := openIndex(filepath.Join(dir, IndexFile), cfg.lockTimeout, false)
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, cfg: cfg, ix: ix}
	if err := s.recover(); err != nil {
		ix.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) recover() error {
	m, err := readManifest(s.dir)
	if errors.Is(err, ErrNoStore) {
		m = emptyManifest()
		if err = writeManifest(s.dir, m); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	s.man = m
	if err := s.removeOrphans(); err != nil {
		return err
	}
	return s.ix.recover(s.dir, m, s.cfg)
}

// removeOrphans deletes segment files of ingests that never committed.
func (s *Store) removeOrphans() error {
	known := map[string]bool{}
	for _, seg := range s.man.Segments {
		known[filepath.Base(seg.RowsFile)] = true
		known[filepath.Base(seg.ProofsFile)] = true
	}
	segDir := filepath.Join(s.dir, SegmentsDir)
	ents, err := os.ReadDir(segDir)
	if err != nil {
		return err
	}
	removed := false
	for _, e := range ents {
		if !known[e.Name()] && strings.HasSuffix(strings.TrimSuffix(e.Name(), ".tmp"), ".arrow") {
			if err := os.Remove(filepath.Join(segDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			removed = true
		}
	}
	// Stray temporary manifests from an interrupted commit.
	tmps, _ := filepath.Glob(filepath.Join(s.dir, "."+ManifestFile+".tmp*"))
	for _, t := range tmps {
		os.Remove(t)
	}
	if removed {
		return syncDir(segDir)
	}
	return nil
}

// Close releases the store's lock.
func (s *Store) Close() error { return s.ix.Close() }

// Dir is the store directory.
func (s *Store) Dir() string { return s.dir }

// Manifest returns the current manifest; the caller must not modify it.
func (s *Store) Manifest() *Manifest { return s.man }

// Stored reports whether a submission with nullifier n is committed in snap
// (a snapshot of this store). An ingest still in progress does not count: it
// may yet fail. It lets a service refuse a resent proof without verifying it.
func (s *Store) Stored(snap *Snapshot, n Field) (bool, error) {
	gen, ok, err := s.ix.has(n)
	return ok && gen <= snap.Manifest.Generation, err
}

// Snapshot returns a read view of the committed state.
func (s *Store) Snapshot() *Snapshot { return &Snapshot{dir: s.dir, Manifest: s.man, cfg: s.cfg} }

// Begin starts an ingest. Rows added to the batch become visible, all
// together, when Commit returns; until then, and if the process dies, the
// store is as it was.
func (s *Store) Begin() (*Batch, error) {
	gen := s.man.Generation + 1
	b := &Batch{s: s, gen: gen, build: newRowBuilder(s.cfg.mem)}
	base := filepath.Join(s.dir, SegmentsDir, fmt.Sprintf("%08d", gen))
	var err error
	if b.rowsW, err = newSegWriter(base+".rows.arrow", RowsSchema(), s.cfg); err != nil {
		b.build.Release()
		return nil, err
	}
	if b.proofsW, err = newSegWriter(base+".proofs.arrow", ProofsSchema(), s.cfg); err != nil {
		b.rowsW.abort()
		b.build.Release()
		return nil, err
	}
	return b, nil
}

// Batch is one ingest in progress.
type Batch struct {
	s              *Store
	gen            uint64
	build          *rowBuilder
	rowsW, proofsW *segWriter
	rows           int64
	indexed        bool // the index holds entries tagged gen
	done           bool
}

// Rows is the number of rows accepted so far.
func (b *Batch) Rows() int64 { return b.rows }

// Add appends rows. It returns, per row, nil if the row was accepted, or an
// error wrapping ErrDuplicate (the nullifier is stored, or appeared earlier
// in this ingest) or ErrBadRow. The returned error is for failures of the
// store itself, after which the batch must be aborted.
func (b *Batch) Add(ctx context.Context, rows []Row) ([]error, error) {
	if b.done {
		return nil, errors.New("aggregate: batch is finished")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := make([]error, len(rows))
	keys := make([]Field, 0, len(rows))
	pos := make([]int, 0, len(rows))
	for i := range rows {
		if err := rows[i].check(); err != nil {
			res[i] = err
			continue
		}
		keys = append(keys, rows[i].Nullifier)
		pos = append(pos, i)
	}
	if len(keys) == 0 {
		return res, nil
	}
	if !b.indexed {
		if err := b.s.ix.begin(b.gen); err != nil {
			return nil, err
		}
		b.indexed = true
	}
	dup, err := b.s.ix.add(b.gen, keys)
	if err != nil {
		return nil, err
	}
	for j, i := range pos {
		if dup[j] {
			res[i] = fmt.Errorf("%w %s", ErrDuplicate, rows[i].Nullifier.Hex())
			continue
		}
		b.build.Append(&rows[i])
		b.rows++
		if b.build.Len() >= b.s.cfg.batchRows {
			if err := b.flush(); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

func (b *Batch) flush() error {
	if b.build.Len() == 0 {
		return nil
	}
	rows, proofs := b.build.NewRecords()
	defer rows.Release()
	defer proofs.Release()
	if err := b.rowsW.Write(rows); err != nil {
		return err
	}
	return b.proofsW.Write(proofs)
}

// Commit makes the batch's rows part of the store, atomically. A batch with
// no rows commits nothing and returns a zero Segment.
func (b *Batch) Commit() (Segment, error) {
	if b.done {
		return Segment{}, errors.New("aggregate: batch is finished")
	}
	if b.rows == 0 {
		return Segment{}, b.Abort()
	}
	s := b.s
	seg, err := b.writeSegment()
	if err != nil {
		b.Abort()
		return Segment{}, err
	}
	s.cfg.crash("segment-written")
	m := *s.man
	m.Segments = append(append([]Segment(nil), s.man.Segments...), seg)
	m.Generation = seg.Generation
	m.Rows += seg.Rows
	m.State = nextState(m.State, &seg)
	if err := writeManifest(s.dir, &m); err != nil {
		// Whether the rename reached the disk is unknown; reopening the
		// store settles it either way.
		b.done = true
		return Segment{}, fmt.Errorf("committing the manifest: %w (reopen the store to recover)", err)
	}
	b.done = true
	s.man = &m
	s.cfg.crash("manifest-written")
	if err := s.ix.finish(b.gen); err != nil {
		return seg, fmt.Errorf("ingest committed, but recording it in the nullifier index failed (reopen the store to recover): %w", err)
	}
	s.cfg.crash("index-committed")
	return seg, nil
}

func (b *Batch) writeSegment() (Segment, error) {
	if err := b.flush(); err != nil {
		return Segment{}, err
	}
	b.build.Release()
	seg := Segment{
		Generation: b.gen,
		Rows:       b.rows,
		Created:    b.s.cfg.now().UTC(),
		RowsFile:   filepath.ToSlash(filepath.Join(SegmentsDir, filepath.Base(b.rowsW.final))),
		ProofsFile: filepath.ToSlash(filepath.Join(SegmentsDir, filepath.Base(b.proofsW.final))),
	}
	var err error
	if seg.RowsBytes, seg.RowsSHA256, err = b.rowsW.finish(); err != nil {
		return Segment{}, err
	}
	if seg.ProofsBytes, seg.ProofsSHA256, err = b.proofsW.finish(); err != nil {
		return Segment{}, err
	}
	return seg, syncDir(filepath.Join(b.s.dir, SegmentsDir))
}

// Abort discards the batch: its files and its index entries.
func (b *Batch) Abort() error {
	if b.done {
		return nil
	}
	b.done = true
	b.build.Release()
	b.rowsW.abort()
	b.proofsW.abort()
	os.Remove(b.rowsW.final)
	os.Remove(b.proofsW.final)
	if b.indexed {
		return b.s.ix.purge(b.gen)
	}
	return nil
}
