package claims

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/aggregate"
)

var (
	t0       = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	usdCell  = Cell{Period: "2026-11", Currency: "USD", Role: "15-1252", Region: "US-CA"}
	employer = elem(4242)
	rootA    = elem(1111)
	rootB    = elem(2222)
)

func elem(n uint64) fr.Element {
	var e fr.Element
	e.SetUint64(n)
	return e
}

// writeTable writes a published benchmark table with a valid content hash.
func writeTable(t testing.TB, path, period string, entries ...aggregate.BenchmarkEntry) {
	t.Helper()
	if err := aggregate.NewBenchmarks(period, 0.25, entries).WriteFile(path); err != nil {
		t.Fatal(err)
	}
}

var benchEntries = []aggregate.BenchmarkEntry{
	{Currency: "USD", Role: "15-1252", Region: "US-CA", Amount: 100000},
	{Currency: "EUR", Role: "15-1252", Region: "DE", Amount: 70000},
}

// newPool is an initialised pool with root A (then root B at t0), one
// registered employer and the benchmark table above.
func newPool(t testing.TB) (string, *Pool) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pool")
	if err := Init(dir, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	p, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	bf := filepath.Join(t.TempDir(), "benchmarks.json")
	writeTable(t, bf, "2026-11", benchEntries...)
	tab, err := LoadBenchmarks(bf)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(tab, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddRoot(rootA, t0.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddRoot(rootB, t0); err != nil {
		t.Fatal(err)
	}
	if err := p.SetAttesters([]fr.Element{employer}); err != nil {
		t.Fatal(err)
	}
	return dir, p
}

func claim(nullifier uint64) *Claim {
	return &Claim{
		Nullifier: strconv.FormatUint(nullifier, 10), EmployerKeyHash: employer.String(),
		Benchmark: 100000, Cell: usdCell, CheckDate: "2026-12-01", MemberRoot: rootB.String(),
	}
}

func TestAcceptRejects(t *testing.T) {
	_, p := newPool(t)
	if err := p.Accept(claim(1), t0); err != nil {
		t.Fatalf("valid claim rejected: %v", err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(c *Claim)
		now    time.Time
		want   error
	}{
		{"reused nullifier", func(c *Claim) { c.Nullifier = "1" }, t0, ErrNullifierUsed},
		{"wrong benchmark", func(c *Claim) { c.Benchmark = 100001 }, t0, ErrWrongBenchmark},
		{"no benchmark for cell", func(c *Claim) { c.Cell.Region = "US-NY" }, t0, ErrNoBenchmark},
		{"other period", func(c *Claim) { c.Cell.Period = "2026-10" }, t0, ErrNoBenchmark},
		{"unknown root", func(c *Claim) { c.MemberRoot = "3333" }, t0, ErrUnknownRoot},
		{"unregistered employer", func(c *Claim) { c.EmployerKeyHash = "4243" }, t0, ErrUnknownEmployer},
		{"check date too old", func(c *Claim) { c.CheckDate = "2026-11-29" }, t0, ErrCheckDate},
		{"check date in the future", func(c *Claim) { c.CheckDate = "2026-12-03" }, t0, ErrCheckDate},
		{"stale root", func(c *Claim) { c.MemberRoot = rootA.String(); c.CheckDate = "2026-12-08" }, t0.Add(7*24*time.Hour + time.Hour), ErrStaleRoot},
		{"non-canonical nullifier", func(c *Claim) { c.Nullifier = "007" }, t0, nil},
	} {
		c := claim(100)
		tc.mutate(c)
		err := p.Accept(c, tc.now)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	// Root A was replaced at t0: six days later it is still accepted.
	c := claim(2)
	c.MemberRoot, c.CheckDate = rootA.String(), "2026-12-07"
	if err := p.Accept(c, t0.Add(6*24*time.Hour)); err != nil {
		t.Fatalf("root within window rejected: %v", err)
	}
	list, err := p.Claims()
	if err != nil || len(list) != 2 {
		t.Fatalf("Claims = %d, %v; want 2", len(list), err)
	}
	emps, _ := p.Employers()
	if len(emps) != 0 {
		t.Fatalf("employer with 2 claims shown (k=3): %v", emps)
	}
	p.Accept(claim(3), t0)
	emps, _ = p.Employers()
	if len(emps) != 1 || emps[0].Claims != 3 || emps[0].EmployerKeyHash != employer.String() {
		t.Fatalf("Employers = %v", emps)
	}
}

func TestConcurrentGoroutines(t *testing.T) {
	_, p := newPool(t)
	const workers, nullifiers = 16, 5
	var accepted, used atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := uint64(1); n <= nullifiers; n++ {
				switch err := p.Accept(claim(n), t0); {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, ErrNullifierUsed):
					used.Add(1)
				default:
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if accepted.Load() != nullifiers || used.Load() != workers*nullifiers-nullifiers {
		t.Fatalf("accepted %d, rejected as used %d; want %d and %d", accepted.Load(), used.Load(), nullifiers, workers*nullifiers-nullifiers)
	}
	list, _ := p.Claims()
	if len(list) != nullifiers {
		t.Fatalf("%d claims recorded, want %d", len(list), nullifiers)
	}
}

// TestConcurrentProcesses runs several copies of this test binary that each
// open the pool and submit the same nullifiers: each is accepted once.
func TestConcurrentProcesses(t *testing.T) {
	if dir := os.Getenv("CLAIMS_CHILD_POOL"); dir != "" {
		child(dir)
		return
	}
	dir, p := newPool(t)
	p.Close()
	const procs, nullifiers = 4, 5
	outs := make([]string, procs)
	var wg sync.WaitGroup
	for i := 0; i < procs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$")
			cmd.Env = append(os.Environ(), "CLAIMS_CHILD_POOL="+dir, fmt.Sprintf("CLAIMS_CHILD_N=%d", nullifiers))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("child %d: %v\n%s", i, err, out)
			}
			outs[i] = string(out)
		}(i)
	}
	wg.Wait()
	total := strings.Count(strings.Join(outs, ""), "ACCEPTED")
	if total != nullifiers {
		t.Fatalf("%d acceptances across processes, want %d:\n%s", total, nullifiers, strings.Join(outs, "\n"))
	}
	p2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	list, _ := p2.Claims()
	if len(list) != nullifiers {
		t.Fatalf("%d claims recorded, want %d", len(list), nullifiers)
	}
}

// child submits nullifiers 1..N, each in its own open-accept-close, as a
// `wageproof claim submit` process does.
func child(dir string) {
	n, _ := strconv.ParseUint(os.Getenv("CLAIMS_CHILD_N"), 10, 64)
	for i := uint64(1); i <= n; i++ {
		p, err := Open(dir)
		if err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		err = p.Accept(claim(i), t0)
		p.Close()
		switch {
		case err == nil:
			fmt.Println("ACCEPTED", i)
		case errors.Is(err, ErrNullifierUsed):
			fmt.Println("USED", i)
		default:
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
	}
}

func TestLoadBenchmarksRejects(t *testing.T) {
	dir := t.TempDir()
	entry := func(cur, role, region string) aggregate.BenchmarkEntry {
		return aggregate.BenchmarkEntry{Currency: cur, Role: role, Region: region, Amount: 1}
	}
	tables := map[string]*aggregate.Benchmarks{
		"period":       aggregate.NewBenchmarks("2026-13", 0.25, nil),
		"role":         aggregate.NewBenchmarks("2026-11", 0.25, []aggregate.BenchmarkEntry{entry("USD", "dev", "US")}),
		"lower case":   aggregate.NewBenchmarks("2026-11", 0.25, []aggregate.BenchmarkEntry{entry("usd", "15-1252", "US")}),
		"duplicate":    aggregate.NewBenchmarks("2026-11", 0.25, []aggregate.BenchmarkEntry{entry("USD", "15-1252", "US"), entry("USD", "15-1252", "US")}),
		"edited":       aggregate.NewBenchmarks("2026-11", 0.25, []aggregate.BenchmarkEntry{entry("USD", "15-1252", "US")}),
		"wrong period": aggregate.NewBenchmarks("2026-11", 0.25, nil),
	}
	tables["edited"].Entries[0].Amount = 999999 // hash no longer matches
	tables["wrong period"].Period = "2026-12"
	for name, tab := range tables {
		p := filepath.Join(dir, name)
		b, _ := tab.Marshal()
		os.WriteFile(p, b, 0o644)
		if _, err := LoadBenchmarks(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, body := range map[string]string{
		"version":  `{"version": 2, "period": "2026-11", "entries": []}`,
		"negative": `{"version": 1, "period": "2026-11", "entries": [{"currency":"USD","role":"15-1252","region":"US","amount":-1}]}`,
		"trunc":    `{"version": 1, "period": "2026-11", "entr`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadBenchmarks(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := filepath.Join(dir, "good")
	writeTable(t, good, "2026-11", benchEntries...)
	tab, err := LoadBenchmarks(good)
	if err != nil {
		t.Fatal(err)
	}
	cell, _ := NewCell("2026-11", "EUR", "15-1252", "DE")
	if a, ok := tab.Amount(cell); !ok || a != 70000 {
		t.Fatalf("Amount(%s) = %d, %v", cell, a, ok)
	}
	cell.Period = "2026-12"
	if _, ok := tab.Amount(cell); ok {
		t.Fatal("a cell of another period was found")
	}
}

func TestInitTwiceAndOpenMissing(t *testing.T) {
	dir, p := newPool(t)
	p.Close()
	if err := Init(dir, DefaultConfig()); err == nil {
		t.Fatal("Init overwrote a pool")
	}
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNoPool) {
		t.Fatalf("Open of an empty dir: %v", err)
	}
}

// TestCrashLosesNothing kills a submitting process at an arbitrary moment:
// every claim it reported accepted is in the pool afterwards, and the pool
// still opens and accepts.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir, p := newPool(t)
	p.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$")
	cmd.Env = append(os.Environ(), "CLAIMS_CHILD_POOL="+dir, "CLAIMS_CHILD_N=100000")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var reported []string
	buf := make([]byte, 1<<16)
	var text string
	for len(reported) < 25 {
		n, err := out.Read(buf)
		if err != nil {
			t.Fatalf("child stopped early: %v\n%s", err, text)
		}
		text += string(buf[:n])
		reported = strings.Fields(strings.ReplaceAll(text, "ACCEPTED", ""))
	}
	cmd.Process.Kill() // SIGKILL: no deferred Close, no flush
	cmd.Wait()

	p2, err := Open(dir)
	if err != nil {
		t.Fatalf("pool does not open after a crash: %v", err)
	}
	defer p2.Close()
	list, _ := p2.Claims()
	have := map[string]bool{}
	for _, c := range list {
		have[c.Nullifier] = true
	}
	// The last field may be a half-read line; all complete ones must be there.
	for _, n := range reported[:len(reported)-1] {
		if !have[n] {
			t.Fatalf("claim %s was reported accepted but is missing after the crash", n)
		}
	}
	if err := p2.Accept(claim(1), t0); !errors.Is(err, ErrNullifierUsed) {
		t.Fatalf("nullifier 1 after the crash: %v", err)
	}
	if err := p2.Accept(claim(1<<40), t0); err != nil {
		t.Fatalf("pool does not accept after a crash: %v", err)
	}
}
