package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/ipc"

	"github.com/wageproof/wageproof/aggregate"
)

// TestAggregateCommands drives ingest, query, export, audit and benchmark
// publish over the committed fixture proofs.
func TestAggregateCommands(t *testing.T) {
	keys := filepath.Join("..", "..", "fixtures", "keys")
	proofs := filepath.Join("..", "..", "fixtures", "proofs")
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	valid := filepath.Join(proofs, "valid-developer.json")
	invalid, _ := filepath.Glob(filepath.Join(proofs, "[imp]*.json"))
	if len(invalid) < 3 {
		t.Fatalf("fixture proofs missing: %v", invalid)
	}

	// Invalid proofs are rejected, each with its reason; the valid one is stored.
	code, out, errOut := runCLI(t, append([]string{"ingest", "--store", store, "--keys", keys, valid}, invalid...)...)
	if code != exitInvalid {
		t.Fatalf("ingest: exit %d, want %d: %s %s", code, exitInvalid, out, errOut)
	}
	oneErrorLine(t, errOut)
	if n := strings.Count(out, "rejected "); n != len(invalid) {
		t.Fatalf("%d rejections printed for %d invalid files:\n%s", n, len(invalid), out)
	}
	if !strings.Contains(out, "1 accepted") {
		t.Fatalf("summary: %s", out)
	}

	// A second submission with the same nullifier is refused.
	code, out, _ = runCLI(t, "ingest", "--store", store, "--keys", keys, valid)
	if code != exitInvalid || !strings.Contains(out, "duplicate nullifier") {
		t.Fatalf("duplicate: exit %d: %s", code, out)
	}

	// Unreadable input: one error line, exit 2, store unchanged.
	manifest := filepath.Join(store, aggregate.ManifestFile)
	before, _ := os.ReadFile(manifest)
	bad := filepath.Join(dir, "bad.arrow")
	os.WriteFile(bad, []byte("ARROW1\x00\x00truncated"), 0o644)
	code, _, errOut = runCLI(t, "ingest", "--store", store, "--keys", keys, bad)
	if code != exitUsage {
		t.Fatalf("truncated arrow: exit %d: %s", code, errOut)
	}
	oneErrorLine(t, errOut)
	if after, _ := os.ReadFile(manifest); string(after) != string(before) {
		t.Fatal("manifest changed after a failed ingest")
	}

	// Query: one contributor is below any sane min-cell, so the cell is
	// suppressed; with --min-cell 1 it shows.
	out = mustCLI(t, "query", "--store", store, "--by", "role", "--format", "json")
	var res aggregate.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Cells) != 1 || res.Cells[0].Count != nil || res.Cells[0].Suppressed == "" {
		t.Fatalf("default min-cell: %s", out)
	}
	out = mustCLI(t, "query", "--store", store, "--by", "role,region", "--stat", "count", "--min-cell", "1", "--format", "csv")
	if !strings.HasPrefix(out, "role,region,count,suppressed\n") || !strings.Contains(out, ",1,") {
		t.Fatalf("csv: %s", out)
	}
	out = mustCLI(t, "query", "--store", store, "--by", "role", "--min-cell", "1", "--epsilon", "1", "--format", "table")
	if !strings.Contains(out, "differential privacy") {
		t.Fatalf("noisy table does not say so: %s", out)
	}
	// Binary formats: an Arrow IPC stream with the result's rows, and a
	// Parquet file (magic bytes at both ends).
	arrowOut := filepath.Join(dir, "q.arrow")
	mustCLI(t, "query", "--store", store, "--by", "role", "--min-cell", "1", "--format", "arrow", "--out", arrowOut)
	af, err := os.Open(arrowOut)
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := ipc.NewReader(af)
	if err != nil {
		t.Fatalf("query --format arrow: %v", err)
	}
	if !rdr.Next() || rdr.Record().NumRows() != 1 {
		t.Fatal("query --format arrow: no row")
	}
	rdr.Release()
	af.Close()
	pqOut := filepath.Join(dir, "q.parquet")
	mustCLI(t, "query", "--store", store, "--by", "role", "--min-cell", "1", "--format", "parquet", "--out", pqOut)
	if b, _ := os.ReadFile(pqOut); len(b) < 8 || string(b[:4]) != "PAR1" || string(b[len(b)-4:]) != "PAR1" {
		t.Fatal("query --format parquet: not a Parquet file")
	}
	for _, args := range [][]string{
		{"--stat", "mean"},
		{"--by", "salary"},
		{"--format", "xml"},
		{"--stat", "quantiles", "--quantiles", "1.5"},
	} {
		code, _, errOut := runCLI(t, append([]string{"query", "--store", store}, args...)...)
		if code != exitUsage {
			t.Errorf("query %v: exit %d", args, code)
		}
		oneErrorLine(t, errOut)
	}
	code, _, errOut = runCLI(t, "query", "--store", filepath.Join(dir, "none"))
	if code != exitUsage {
		t.Fatalf("missing store: exit %d", code)
	}
	oneErrorLine(t, errOut)

	// Export and audit.
	pq := filepath.Join(dir, "pay.parquet")
	mustCLI(t, "export", "--store", store, "--format", "parquet", "--out", pq)
	if st, err := os.Stat(pq); err != nil || st.Size() == 0 {
		t.Fatalf("export: %v", err)
	}
	out = mustCLI(t, "audit", "--store", store, "--keys", keys)
	if !strings.Contains(out, "1 verified, 0 failed") {
		t.Fatalf("audit: %s", out)
	}

	// Benchmarks: no attested rows, so an empty but valid table.
	bench := filepath.Join(dir, "benchmarks.json")
	mustCLI(t, "benchmark", "publish", "--store", store, "--period", "2026-11", "--out", bench)
	b, err := aggregate.ReadBenchmarks(bench)
	if err != nil || len(b.Entries) != 0 || b.Store.Rows != 1 {
		t.Fatalf("benchmarks: %v %+v", err, b)
	}
	code, _, errOut = runCLI(t, "benchmark", "publish", "--store", store, "--period", "2026-11", "--out", bench)
	if code != exitUsage {
		t.Fatalf("overwriting a published file: exit %d", code)
	}
	oneErrorLine(t, errOut)
}
