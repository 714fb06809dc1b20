package aggregate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The nullifier index maps each stored nullifier to the generation of the
// segment holding it. Its writes for an ingest land before that ingest's
// manifest commit, tagged with a pending generation; recovery on open drops
// the entries of an ingest whose manifest never committed, so the index
// always equals the set of nullifiers in the committed segments.
var (
	bucketNullifiers = []byte("nullifiers")
	bucketMeta       = []byte("meta")
	keyCommitted     = []byte("committed")
	keyPending       = []byte("pending")
)

type index struct {
	db *bolt.DB
}

func openIndex(path string, timeout time.Duration, readOnly bool) (*index, error) {
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: timeout, ReadOnly: readOnly, NoFreelistSync: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: nullifier index %s: %v", ErrCorrupt, path, err)
	}
	if readOnly {
		return &index{db: db}, nil
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketNullifiers); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketMeta)
		return err
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &index{db: db}, nil
}

func (ix *index) Close() error { return ix.db.Close() }

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func (ix *index) meta() (committed, pending uint64, err error) {
	err = ix.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			return fmt.Errorf("%w: nullifier index has no meta bucket", ErrCorrupt)
		}
		committed, pending = u64(m.Get(keyCommitted)), u64(m.Get(keyPending))
		return nil
	})
	return
}

// recover brings the index to the manifest's generation.
func (ix *index) recover(dir string, m *Manifest, cfg config) error {
	committed, pending, err := ix.meta()
	if err != nil {
		return err
	}
	if pending != 0 {
		if pending <= m.Generation {
			// The manifest committed; only the index's own bookkeeping was lost.
			if err := ix.finish(pending); err != nil {
				return err
			}
			committed = pending
		} else if err := ix.purge(pending); err != nil {
			return err
		}
	}
	if committed != m.Generation {
		return ix.rebuild(dir, m, cfg)
	}
	return nil
}

// begin records that an ingest of generation gen is writing to the index.
func (ix *index) begin(gen uint64) error {
	return ix.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyPending, be64(gen))
	})
}

// add inserts keys tagged with gen, in one transaction, and reports which
// were already present (stored earlier, or earlier in this ingest).
func (ix *index) add(gen uint64, keys []Field) (dup []bool, err error) {
	dup = make([]bool, len(keys))
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	// Sorted, stable: inserts walk the B+tree in order, and of two equal keys
	// the first in input order is the one accepted.
	sort.SliceStable(order, func(a, b int) bool { return bytes.Compare(keys[order[a]][:], keys[order[b]][:]) < 0 })
	val := be64(gen)
	err = ix.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNullifiers)
		for _, i := range order {
			if b.Get(keys[i][:]) != nil {
				dup[i] = true
				continue
			}
			if err := b.Put(keys[i][:], val); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dup, nil
}

// finish records that generation gen is committed.
func (ix *index) finish(gen uint64) error {
	return ix.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if err := m.Put(keyCommitted, be64(gen)); err != nil {
			return err
		}
		return m.Delete(keyPending)
	})
}

// purge removes the entries of an ingest that did not commit.
func (ix *index) purge(gen uint64) error {
	return ix.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNullifiers)
		c := b.Cursor()
		for k, v := c.First(); k != nil; {
			if u64(v) == gen {
				next := append([]byte(nil), k...)
				if err := c.Delete(); err != nil {
					return err
				}
				k, v = c.Seek(next)
				continue
			}
			k, v = c.Next()
		}
		return tx.Bucket(bucketMeta).Delete(keyPending)
	})
}

// rebuild recomputes the index from the committed segments, which are the
// source of truth; it runs when the index was lost or is out of step.
func (ix *index) rebuild(dir string, m *Manifest, cfg config) error {
	err := ix.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketNullifiers); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
			return err
		}
		_, err := tx.CreateBucket(bucketNullifiers)
		return err
	})
	if err != nil {
		return err
	}
	snap := &Snapshot{dir: dir, Manifest: m, cfg: cfg}
	for i := range m.Segments {
		seg := &m.Segments[i]
		err := snap.scanSegment(context.Background(), seg, false, func(b *segBatch) error {
			keys := make([]Field, b.rows.NumRows())
			for j := range keys {
				keys[j] = fieldAt(b.rc.nullifier, j)
			}
			dup, err := ix.add(seg.Generation, keys)
			if err != nil {
				return err
			}
			for j, d := range dup {
				if d {
					return fmt.Errorf("%w: nullifier %s appears twice in the store", ErrCorrupt, keys[j].Hex())
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("rebuilding the nullifier index: %w", err)
		}
	}
	return ix.finish(m.Generation)
}

// count returns the number of indexed nullifiers.
func (ix *index) count() (int, error) {
	var n int
	err := ix.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketNullifiers).Stats().KeyN
		return nil
	})
	return n, err
}

// has reports whether key is indexed and under which generation.
func (ix *index) has(key Field) (uint64, bool, error) {
	var gen uint64
	var ok bool
	err := ix.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketNullifiers).Get(key[:])
		gen, ok = u64(v), v != nil
		return nil
	})
	return gen, ok, err
}
