package aggregate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func allRows(t *testing.T, dir string, opts ...Option) []Row {
	t.Helper()
	snap, err := OpenSnapshot(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var out []Row
	if err := snap.Rows(context.Background(), func(r *Row) error { out = append(out, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStoreRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	s := Synthetic{Seed: 1, ProofLen: 7}
	want := append(s.Rows(0, 250), Synthetic{Seed: 2, Attested: true, ProofLen: 3}.Rows(0, 50)...)
	res := ingestRows(t, dir, want, WithAllocator(mem), WithBatchRows(64))
	if n := countErrs(res); n != 0 {
		t.Fatalf("%d rows rejected: %v", n, res)
	}
	got := allRows(t, dir, WithAllocator(mem))
	if len(got) != len(want) {
		t.Fatalf("read %d rows, wrote %d", len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.Nullifier != w.Nullifier || g.Lo != w.Lo || g.Hi != w.Hi || g.Role != w.Role || g.Region != w.Region ||
			g.Attested != w.Attested || g.Employer != w.Employer || g.AttesterRoot != w.AttesterRoot ||
			!g.IngestTime.Equal(w.IngestTime) || g.Proof.Circuit != w.Proof.Circuit || len(g.Proof.Bytes) != len(w.Proof.Bytes) {
			t.Fatalf("row %d: got %+v, want %+v", i, g, w)
		}
	}
	snap, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := snap.Manifest; m.Rows != 300 || m.Generation != 1 || len(m.Segments) != 1 {
		t.Fatalf("manifest %+v", m)
	}
}

func TestDuplicateNullifier(t *testing.T) {
	dir := t.TempDir()
	s := Synthetic{Seed: 1}
	first := s.Rows(0, 10)
	if n := countErrs(ingestRows(t, dir, first)); n != 0 {
		t.Fatalf("first ingest rejected %d", n)
	}
	// Rows 5..14: 5..9 are stored already; 12 appears twice in this ingest.
	second := append(s.Rows(5, 10), s.Row(12))
	res := ingestRows(t, dir, second)
	for i, err := range res {
		wantDup := i < 5 || i == len(second)-1
		if wantDup != errors.Is(err, ErrDuplicate) {
			t.Errorf("row %d: err %v, want duplicate=%v", i, err, wantDup)
		}
	}
	if got := len(allRows(t, dir)); got != 15 {
		t.Fatalf("store holds %d rows, want 15", got)
	}
	// A member's second submission in another period is a different nullifier.
}

func TestAbortLeavesStoreAsItWas(t *testing.T) {
	dir := t.TempDir()
	s := Synthetic{Seed: 1}
	ingestRows(t, dir, s.Rows(0, 10))
	before, _ := os.ReadFile(filepath.Join(dir, ManifestFile))

	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := st.Begin()
	if _, err := b.Add(context.Background(), s.Rows(10, 10)); err != nil {
		t.Fatal(err)
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	st.Close()
	after, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	if string(before) != string(after) {
		t.Fatal("manifest changed after an aborted ingest")
	}
	// The aborted nullifiers are free again.
	if n := countErrs(ingestRows(t, dir, s.Rows(10, 10))); n != 0 {
		t.Fatalf("%d rows rejected after abort", n)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, SegmentsDir))
	if len(ents) != 4 {
		t.Fatalf("segments dir holds %d files, want 4", len(ents))
	}
}

func TestDamageIsDetected(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string, m *Manifest)
	}{
		{"truncated rows file", func(t *testing.T, dir string, m *Manifest) {
			truncate(t, filepath.Join(dir, m.Segments[0].RowsFile), 100)
		}},
		{"truncated proofs file", func(t *testing.T, dir string, m *Manifest) {
			truncate(t, filepath.Join(dir, m.Segments[0].ProofsFile), 1)
		}},
		{"missing segment", func(t *testing.T, dir string, m *Manifest) {
			os.Remove(filepath.Join(dir, m.Segments[0].RowsFile))
		}},
		{"truncated manifest", func(t *testing.T, dir string, m *Manifest) {
			truncate(t, filepath.Join(dir, ManifestFile), 40)
		}},
		{"edited manifest", func(t *testing.T, dir string, m *Manifest) {
			m.Rows++
			if err := writeManifest(dir, m); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ingestRows(t, dir, Synthetic{Seed: 1}.Rows(0, 20))
			snap, err := OpenSnapshot(dir)
			if err != nil {
				t.Fatal(err)
			}
			tc.damage(t, dir, snap.Manifest)
			if _, err := OpenSnapshot(dir); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("OpenSnapshot: err %v, want ErrCorrupt", err)
			}
			if _, err := Open(dir); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: err %v, want ErrCorrupt", err)
			}
		})
	}
}

func truncate(t *testing.T, path string, by int64) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()-by); err != nil {
		t.Fatal(err)
	}
}

func TestIndexRebuiltWhenLost(t *testing.T) {
	dir := t.TempDir()
	s := Synthetic{Seed: 3}
	ingestRows(t, dir, s.Rows(0, 30))
	ingestRows(t, dir, s.Rows(30, 30))
	if err := os.Remove(filepath.Join(dir, IndexFile)); err != nil {
		t.Fatal(err)
	}
	res := ingestRows(t, dir, s.Rows(50, 20)) // 50..59 stored already
	if n := countErrs(res); n != 10 {
		t.Fatalf("%d duplicates found after the index was rebuilt, want 10", n)
	}
}

func TestSecondWriterIsLockedOut(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(dir, WithLockTimeout(50e6)); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: err %v, want ErrLocked", err)
	}
}

func TestStoredSeesOnlyCommittedNullifiers(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := Synthetic{Seed: 4}
	ingestBatch := func(from, n int) *Batch {
		b, err := st.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Add(context.Background(), s.Rows(from, n)); err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := ingestBatch(0, 3)
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	before := st.Snapshot()
	pending := ingestBatch(3, 2) // indexed, not committed
	for i, want := range []bool{true, true, true, false, false, false} {
		got, err := st.Stored(before, s.Row(i).Nullifier)
		if err != nil || got != want {
			t.Errorf("row %d: Stored = %v, %v; want %v", i, got, err, want)
		}
	}
	if _, err := pending.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Stored(before, s.Row(3).Nullifier); got {
		t.Error("a snapshot from before the commit sees its nullifier")
	}
	if got, _ := st.Stored(st.Snapshot(), s.Row(3).Nullifier); !got {
		t.Error("the committed nullifier is not seen")
	}
}
