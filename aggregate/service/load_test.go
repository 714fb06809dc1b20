package service

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/verifier"
)

// acceptAll stands in for the verifier where a test measures or breaks the
// write path, not the pairing: it needs unique submissions by the
// thousand, and real proofs take a quarter second each to make.
type acceptAll struct{}

func (acceptAll) Verify(*verifier.Envelope) error { return nil }

// synthEnvelope is a salary envelope with public inputs the store accepts,
// under root, with nullifier number i, and a proof only acceptAll takes.
func synthEnvelope(t testing.TB, root aggregate.Field, i int) []byte {
	t.Helper()
	r := aggregate.Row{
		Commitment: field("load-commit", i), Lo: 100000 + uint64(i%8)*5000, Hi: 105000 + uint64(i%8)*5000,
		Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-11",
		MemberRoot: root, Nullifier: field("load-null", i),
		Proof: aggregate.ProofMeta{Circuit: aggregate.CircuitSalary, CircuitVersion: 1, Backend: "groth16", Curve: "bn254", VKSHA256: strings.Repeat("0", 64), Bytes: []byte("not a proof")},
	}
	env, err := r.Envelope()
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rootField(t testing.TB, s string) aggregate.Field {
	t.Helper()
	v, _ := new(big.Int).SetString(s, 10)
	f, err := aggregate.FieldFromBig(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// loadStats is what a load run saw.
type loadStats struct {
	mu        sync.Mutex
	byStatus  map[int]int
	latencies []time.Duration
	accepted  []string // nullifiers answered "accepted"
	failed    int      // no answer (connection refused or cut)
	elapsed   time.Duration
}

func (s *loadStats) record(status int, d time.Duration, nullifier string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byStatus[status]++
	s.latencies = append(s.latencies, d)
	if status == http.StatusCreated {
		s.accepted = append(s.accepted, nullifier)
	}
}

func (s *loadStats) pct(p float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	l := slices.Clone(s.latencies)
	slices.Sort(l)
	return l[min(len(l)-1, int(p*float64(len(l))))]
}

func (s *loadStats) String() string {
	n := len(s.latencies)
	secs := s.elapsed.Seconds()
	return fmt.Sprintf("%d requests in %.1fs: %.0f req/s answered, %.0f accepted/s (%d accepted, %d duplicate, %d other, %d without answer); latency p50 %v p90 %v p99 %v",
		n, secs, float64(n)/secs, float64(s.byStatus[201])/secs, s.byStatus[201], s.byStatus[409], n-s.byStatus[201]-s.byStatus[409], s.failed,
		s.pct(0.50).Round(10*time.Microsecond), s.pct(0.90).Round(10*time.Microsecond), s.pct(0.99).Round(10*time.Microsecond))
}

// load runs clients that post body(i) for increasing i until ctx ends or
// stop says so. nullifierOf names what body(i) submits.
func load(ctx context.Context, url string, clients int, body func(i int) []byte, nullifierOf func(i int) string) *loadStats {
	st := &loadStats{byStatus: map[int]int{}}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				t0 := time.Now()
				resp, err := hc.Post(url+"/v1/submissions", "application/json", strings.NewReader(string(body(i))))
				if err != nil {
					st.mu.Lock()
					st.failed++
					st.mu.Unlock()
					if errors.Is(ctx.Err(), context.Canceled) {
						return
					}
					time.Sleep(5 * time.Millisecond)
					continue
				}
				resp.Body.Close()
				st.record(resp.StatusCode, time.Since(t0), nullifierOf(i))
			}
		}()
	}
	wg.Wait()
	st.elapsed = time.Since(start)
	return st
}

// storeNullifiers reads every stored nullifier and fails on a repeat.
func storeNullifiers(t testing.TB, dir string) map[string]bool {
	t.Helper()
	// Opening for writing runs recovery: it must succeed on what a killed
	// server left.
	st, err := aggregate.Open(dir)
	if err != nil {
		t.Fatalf("the store does not open cleanly: %v", err)
	}
	defer st.Close()
	seen := map[string]bool{}
	err = st.Snapshot().Rows(context.Background(), func(r *aggregate.Row) error {
		n := r.Nullifier.String()
		if seen[n] {
			return fmt.Errorf("nullifier %s stored twice", n)
		}
		seen[n] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(seen)) != st.Manifest().Rows {
		t.Fatalf("%d distinct nullifiers in %d rows", len(seen), st.Manifest().Rows)
	}
	return seen
}

const (
	loadClients  = 16
	loadDuration = 3 * time.Second
)

// TestLoad submits concurrently on loopback for a bounded time: real proofs
// (each accepted once, every repeat answered "duplicate"), then unique
// submissions through the write path alone. Afterwards the store holds
// exactly the accepted submissions, each nullifier once. The figures are
// logged, not asserted.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	t.Run("real proofs", func(t *testing.T) {
		e := newEnv(t)
		proofs := realProofs(t, 16)
		nulls := make([]string, len(proofs))
		for i, p := range proofs {
			env, _ := verifier.ParseEnvelope(p)
			nulls[i] = env.Public["nullifier"]
		}
		srv := start(t, e.cfg)
		ctx, cancel := context.WithTimeout(context.Background(), loadDuration)
		defer cancel()
		st := load(ctx, srv.url, loadClients, func(i int) []byte { return proofs[i%len(proofs)] }, func(i int) string { return nulls[i%len(nulls)] })
		t.Logf("real proofs, %d clients: %s", loadClients, st)
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}
		if st.byStatus[201] != len(proofs) || st.byStatus[201]+st.byStatus[409] != len(st.latencies) {
			t.Fatalf("answers %v: want each of %d proofs accepted once and every repeat a duplicate", st.byStatus, len(proofs))
		}
		checkStored(t, e.cfg.StoreDir, st.accepted, nil)
	})
	t.Run("write path", func(t *testing.T) {
		e := newEnv(t)
		e.cfg.Verifier = acceptAll{}
		srv := start(t, e.cfg)
		root, _ := e.keys.Registry.Root()
		rf := rootField(t, root.String())
		ctx, cancel := context.WithTimeout(context.Background(), loadDuration)
		defer cancel()
		// Every 10th request repeats an earlier submission.
		pick := func(i int) int {
			if i%10 == 9 {
				return i / 2
			}
			return i
		}
		st := load(ctx, srv.url, loadClients, func(i int) []byte { return synthEnvelope(t, rf, pick(i)) },
			func(i int) string { return field("load-null", pick(i)).String() })
		t.Logf("write path (verifier stubbed), %d clients: %s", loadClients, st)
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}
		if st.byStatus[201]+st.byStatus[409] != len(st.latencies) || st.byStatus[201] == 0 {
			t.Fatalf("answers %v", st.byStatus)
		}
		checkStored(t, e.cfg.StoreDir, st.accepted, nil)
	})
}

// checkStored asserts that the store holds every accepted nullifier, once,
// and nothing else but the maybe-stored ones (sent, answer lost).
func checkStored(t testing.TB, dir string, accepted []string, maybe map[string]bool) {
	t.Helper()
	stored := storeNullifiers(t, dir)
	acc := map[string]bool{}
	for _, n := range accepted {
		if acc[n] {
			t.Fatalf("nullifier %s accepted twice", n)
		}
		acc[n] = true
		if !stored[n] {
			t.Fatalf("accepted nullifier %s is not in the store", n)
		}
	}
	for n := range stored {
		if !acc[n] && !maybe[n] {
			t.Fatalf("the store holds %s, which was never accepted", n)
		}
	}
}

// BenchmarkSubmit measures concurrent submissions of unique envelopes
// through the write path (verifier stubbed, as in TestLoad), reporting
// latency percentiles.
func BenchmarkSubmit(b *testing.B) {
	e := newEnv(b)
	e.cfg.Verifier = acceptAll{}
	srv := start(b, e.cfg)
	root, _ := e.keys.Registry.Root()
	rf := rootField(b, root.String())
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := synthEnvelope(b, rf, int(next.Add(1)))
			t0 := time.Now()
			resp, err := hc.Post(srv.url+"/v1/submissions", "application/json", strings.NewReader(string(body)))
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("status %d", resp.StatusCode)
			}
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	})
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds()), "p90-µs")
		b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()), "p99-µs")
	}
}
