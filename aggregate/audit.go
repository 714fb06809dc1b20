package aggregate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// AuditOptions tune Audit.
type AuditOptions struct {
	Verifier Verifier
	Workers  int
	// OnFail is told about each row that does not verify.
	OnFail   func(Rejection)
	Progress func(done int64)
}

// AuditReport summarises an audit.
type AuditReport struct {
	Rows     int64
	Verified int64
	Failed   int64
	State    string
}

// Audit re-verifies the whole store: segment files against the manifest's
// hashes, every row's proof against its columns (the envelope is rebuilt
// from them), and the nullifier index against the rows. It returns
// ErrRejected if any row fails, ErrCorrupt if the store is damaged.
func Audit(ctx context.Context, dir string, opt AuditOptions, opts ...Option) (*AuditReport, error) {
	snap, err := OpenSnapshot(dir, opts...)
	if err != nil {
		return nil, err
	}
	m := snap.Manifest
	for _, seg := range m.Segments {
		for _, f := range [][2]string{{seg.RowsFile, seg.RowsSHA256}, {seg.ProofsFile, seg.ProofsSHA256}} {
			if err := checkSHA256(filepath.Join(dir, f[0]), f[1]); err != nil {
				return nil, err
			}
		}
	}
	ix, err := openIndex(filepath.Join(dir, IndexFile), snap.cfg.lockTimeout, true)
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	if committed, pending, err := ix.meta(); err != nil {
		return nil, err
	} else if committed != m.Generation || pending != 0 {
		return nil, fmt.Errorf("%w: nullifier index is at generation %d, the manifest at %d (open the store for writing to recover)", ErrCorrupt, committed, m.Generation)
	}
	if n, err := ix.count(); err != nil {
		return nil, err
	} else if int64(n) != m.Rows {
		return nil, fmt.Errorf("%w: nullifier index holds %d nullifiers, the store %d rows", ErrCorrupt, n, m.Rows)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rep := &AuditReport{Rows: m.Rows, State: m.State}
	items := make([]Item, 0, ingestChunk)
	flush := func() {
		_, errs := verifyChunk(ctx, items, opt.Verifier, workers, snap.cfg.now())
		for i, e := range errs {
			if e != nil {
				rep.Failed++
				if opt.OnFail != nil {
					opt.OnFail(Rejection{Source: items[i].Source, Class: classify(e), Err: e})
				}
			} else {
				rep.Verified++
			}
		}
		items = items[:0]
		if opt.Progress != nil {
			opt.Progress(rep.Verified + rep.Failed)
		}
	}
	var row int64
	err = snap.scan(ctx, true, func(b *segBatch) error {
		for i := 0; i < int(b.rows.NumRows()); i++ {
			r := b.rc.row(i, b.pc)
			src := fmt.Sprintf("segment %d row %d", b.seg.Generation, row)
			row++
			if gen, ok, err := ix.has(r.Nullifier); err != nil {
				return err
			} else if !ok || gen != b.seg.Generation {
				return fmt.Errorf("%w: %s: nullifier %s is not indexed under its segment", ErrCorrupt, src, r.Nullifier.Hex())
			}
			it := Item{Source: src}
			if it.Env, err = r.Envelope(); err != nil {
				it.Env, it.Err = nil, err
			}
			items = append(items, it)
			if len(items) == cap(items) {
				flush()
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(items) > 0 {
		flush()
	}
	if rep.Failed > 0 {
		return rep, fmt.Errorf("%w: %d of %d stored rows do not verify", ErrRejected, rep.Failed, rep.Rows)
	}
	return rep, nil
}

func checkSHA256(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%w: %s has SHA-256 %s, the manifest says %s", ErrCorrupt, filepath.Base(path), got, want)
	}
	return nil
}
