package aggregate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPublishBenchmarks(t *testing.T) {
	// Attested rows: 15-1252/US-CA has 30 over 5 employers; 29-1141/US-CA
	// 30 from 2 employers (dominance); 11-1021/US-NY 4 (too few);
	// 13-2011/US-CA 12, suppressed as the complement of 29-1141 in US-CA.
	// Self-reported rows never count.
	rows := buildRows([]spec{
		{role: "15-1252", region: "US-CA", n: 30, attested: true, employers: []int{1, 2, 3, 4, 5}, lo: func(i int) uint64 { return 60000 + uint64(i%3)*5000 }},
		{role: "29-1141", region: "US-CA", n: 30, attested: true, employers: []int{1, 2}},
		{role: "11-1021", region: "US-NY", n: 4, attested: true, employers: []int{1, 2, 3, 4}},
		{role: "13-2011", region: "US-CA", n: 12, attested: true, employers: []int{1, 2, 3, 4}},
		{role: "11-1021", region: "US-NY", n: 40},
	})
	dir := t.TempDir()
	ingestRows(t, dir, rows)
	snap, err := OpenSnapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := snap.PublishBenchmarks(context.Background(), "2026-11", 0.25, 10)
	if err != nil {
		t.Fatal(err)
	}
	// 10 rows in each of [60000,65000), [65000,70000), [70000,75000); the
	// top bucket is top-coded; rank 7.5 of 30 is 3/4 into the first.
	if len(b.Entries) != 1 {
		t.Fatalf("entries %+v", b.Entries)
	}
	e := b.Entries[0]
	if e.Role != "15-1252" || e.Region != "US-CA" || e.Currency != "USD" || e.Amount != 63750 || e.Contributors != 30 || e.ErrorBound != 5000 {
		t.Fatalf("entry %+v", e)
	}
	if b.Store.State != snap.Manifest.State || b.Store.Rows != snap.Manifest.Rows || b.Period != "2026-11" {
		t.Fatalf("header %+v", b)
	}
	path := filepath.Join(t.TempDir(), "benchmarks.json")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadBenchmarks(path)
	if err != nil || back.ContentHash != b.ContentHash {
		t.Fatalf("read back: %v", err)
	}
	if got, ok := back.Lookup("USD", "15-1252", "US-CA"); !ok || got.Amount != 63750 {
		t.Fatalf("lookup %+v %v", got, ok)
	}
	// Any edit breaks the content hash.
	raw, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(string(raw[:len(raw)-200])+string(raw[len(raw)-200:])), 0o644)
	back.Entries[0].Amount++
	edited, _ := back.Marshal()
	os.WriteFile(path, edited, 0o644)
	if _, err := ReadBenchmarks(path); !errors.Is(err, ErrBenchmarks) {
		t.Fatalf("edited file accepted: %v", err)
	}
	// Same store, same parameters, same hash.
	again, _ := snap.PublishBenchmarks(context.Background(), "2026-11", 0.25, 10)
	if again.ContentHash != b.ContentHash {
		t.Fatal("content hash is not deterministic")
	}
}
