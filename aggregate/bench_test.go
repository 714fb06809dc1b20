package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wageproof/wageproof/circuits/salary"
	"github.com/wageproof/wageproof/prover/provertest"
	"github.com/wageproof/wageproof/verifier"
)

// benchRows is what a proof makes public, with proof bytes of a Groth16
// proof's size, for many roles and regions.
var benchSynth = Synthetic{
	Seed:     11,
	ProofLen: 260,
	Roles:    []string{"11-1011", "11-1021", "13-2011", "15-1252", "15-1211", "17-2051", "25-1011", "29-1141", "29-1171", "41-2031"},
	Regions:  []string{"US-CA", "US-NY", "US-TX", "US-WA", "US-IL", "US-MA", "US-FL", "US-GA", "US-CO", "US-OR"},
}

// BenchmarkIngestPreverified appends rows that need no verification (the
// store's own throughput: Arrow building, IPC writes, nullifier index,
// atomic commit), 100k rows per ingest.
func BenchmarkIngestPreverified(b *testing.B) {
	const n = 100_000
	rows := benchSynth.Rows(0, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		st, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		bt, _ := st.Begin()
		for j := 0; j < n; j += ingestChunk {
			if _, err := bt.Add(context.Background(), rows[j:min(j+ingestChunk, n)]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkIngestVerified ingests real Groth16 proofs through the full
// path: parse, verify in parallel, map, append, commit.
func BenchmarkIngestVerified(b *testing.B) {
	env := provertest.Salary(b)
	const n = 64
	items := make([]Item, n)
	for i := range items {
		labels := provertest.Labels
		labels.Period = fmt.Sprintf("2026-%02d", 1+i%12)
		member := i / 12 % len(env.Members)
		e := env.Prove(b, member, uint64(50000+i*1000), salary.Labels(labels))
		data, _ := e.Marshal()
		items[i] = Item{Source: fmt.Sprint(i), Data: data}
	}
	ring := verifier.OpenKeyring(env.Keys)
	src := Source(func(ctx context.Context, emit func(Item) error) error {
		for _, it := range items {
			if err := emit(it); err != nil {
				return err
			}
		}
		return nil
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		st, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := st.Ingest(context.Background(), src, IngestOptions{Verifier: ring})
		st.Close()
		if err != nil || rep.Accepted != n {
			b.Fatalf("%v %+v", err, rep)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "proofs/s")
}

var benchStores sync.Map // rows -> dir

// benchStore builds (once per process) a store of n synthetic rows in
// ingests of 1M rows.
func benchStore(b *testing.B, n int) string {
	if d, ok := benchStores.Load(n); ok {
		return d.(string)
	}
	tmp, err := os.MkdirTemp("", "wageproof-bench-")
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(tmp, "store")
	st, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const per = 1_000_000
	for from := 0; from < n; from += per {
		bt, _ := st.Begin()
		for j := from; j < min(from+per, n); j += 16384 {
			if _, err := bt.Add(context.Background(), benchSynth.Rows(j, min(16384, n-j))); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	benchStores.Store(n, dir)
	return dir
}

// removeBenchStores is called by TestMain.
func removeBenchStores() {
	benchStores.Range(func(_, d any) bool {
		os.RemoveAll(filepath.Dir(d.(string)))
		return true
	})
}

func benchQuery(b *testing.B, n int, q Query) {
	dir := benchStore(b, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap, err := OpenSnapshot(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := snap.Run(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

var (
	qCount     = Query{By: []string{DimRole, DimRegion}, Stat: StatCount}
	qHistogram = Query{By: []string{DimRole, DimRegion}, Stat: StatHistogram, Period: "2026-11"}
	qQuantiles = Query{By: []string{DimRole, DimRegion}, Stat: StatQuantiles}
)

// BenchmarkQuery1M is group-by latency at 1 million rows (100 cells).
func BenchmarkQuery1M(b *testing.B) {
	b.Run("count", func(b *testing.B) { benchQuery(b, 1_000_000, qCount) })
	b.Run("histogram", func(b *testing.B) { benchQuery(b, 1_000_000, qHistogram) })
	b.Run("quantiles", func(b *testing.B) { benchQuery(b, 1_000_000, qQuantiles) })
}

// BenchmarkQuery10M builds a 10 million row store (several GB, minutes):
// skipped with -short.
func BenchmarkQuery10M(b *testing.B) {
	if testing.Short() {
		b.Skip("10M-row store skipped with -short")
	}
	b.Run("count", func(b *testing.B) { benchQuery(b, 10_000_000, qCount) })
	b.Run("quantiles", func(b *testing.B) { benchQuery(b, 10_000_000, qQuantiles) })
}
