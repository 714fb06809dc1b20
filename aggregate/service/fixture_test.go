package service

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/prover/provertest"
)

// testToken is the admin token of test servers.
const testToken = "test-admin-token"

// env is a service's files: a store, a claim pool, a member registry (the
// provertest members, so real proofs verify), and the provertest keys.
type env struct {
	cfg  Config
	keys *provertest.Env
}

func newEnv(t testing.TB) *env {
	t.Helper()
	pe := provertest.Salary(t)
	dir := t.TempDir()
	cfg := Config{
		StoreDir:    filepath.Join(dir, "store"),
		KeysDir:     pe.Keys,
		PoolDir:     filepath.Join(dir, "pool"),
		MembersFile: filepath.Join(dir, "members.json"),
		AdminToken:  testToken,
	}
	pc := claims.DefaultConfig()
	pc.MinEmployerClaims = 3
	if err := claims.Init(cfg.PoolDir, pc); err != nil {
		t.Fatal(err)
	}
	if err := pe.Registry.Save(cfg.MembersFile); err != nil {
		t.Fatal(err)
	}
	return &env{cfg: cfg, keys: pe}
}

// running is a server on a loopback port.
type running struct {
	srv  *Server
	url  string
	stop func() error
}

// start runs a server over cfg on 127.0.0.1:0 with the real http.Server
// (timeouts and limits included) until the test ends.
func start(t testing.TB, cfg Config) *running {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &running{srv: s, url: "http://" + ln.Addr().String(), stop: stop}
}

// field is a deterministic field element for synthetic rows.
func field(tag string, i int) aggregate.Field {
	var b [16]byte
	copy(b[:8], tag)
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	f := aggregate.Field(sha256.Sum256(b[:]))
	f[0] &= 0x1f // below the BN254 modulus
	return f
}

// cellSpec is how many synthetic submissions of one cell fall in each bucket.
type cellSpec struct {
	role, region string
	attested     bool
	lo, width    uint64
	counts       []int // per bucket, from lo upwards
}

// fixtureCells has published cells (with suppressed and top-coded
// buckets) and small cells that are suppressed.
var fixtureCells = []cellSpec{
	{role: "15-1252", region: "US-CA", lo: 100000, width: 5000, counts: []int{4, 12, 18, 15, 11, 3, 2}},
	{role: "15-1252", region: "US-NY", lo: 95000, width: 5000, counts: []int{10, 14, 12, 6}},
	{role: "29-1141", region: "US-CA", lo: 80000, width: 5000, counts: []int{11, 16, 13, 10}},
	{role: "29-1141", region: "US-NY", lo: 80000, width: 5000, counts: []int{3, 2}},
	{role: "11-1021", region: "US-CA", lo: 120000, width: 10000, counts: []int{2, 3}},
	{role: "11-1021", region: "US-NY", lo: 125000, width: 5000, counts: []int{12, 10, 11}},
	// Attested rows of four employers: what benchmarks are computed from.
	{role: "15-1252", region: "US-CA", attested: true, lo: 100000, width: 5000, counts: []int{10, 12, 14, 10}},
}

const fixturePeriod = "2026-11"

// fillStore writes the fixture rows without proofs (the pre-verified path:
// the service never sees these as submissions) and publishes benchmarks
// from them into cfg.BenchmarksFile.
func fillStore(t testing.TB, cfg *Config) {
	t.Helper()
	st, err := aggregate.Open(cfg.StoreDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows []aggregate.Row
	n := 0
	for _, c := range fixtureCells {
		for b, k := range c.counts {
			for range k {
				r := aggregate.Row{
					Commitment: field("commit", n), Lo: c.lo + uint64(b)*c.width, Hi: c.lo + uint64(b+1)*c.width,
					Currency: "USD", Role: c.role, Region: c.region, Period: fixturePeriod,
					MemberRoot: field("root", 0), Nullifier: field("null", n), IngestTime: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
					Proof: aggregate.ProofMeta{Circuit: aggregate.CircuitSalary, CircuitVersion: 1, Backend: "groth16", Curve: "bn254", VKSHA256: "00", Bytes: []byte{1}},
				}
				if c.attested {
					r.Attested, r.Proof.Circuit = true, aggregate.CircuitAttested
					r.AttesterRoot, r.Employer = field("attesters", 0), field("employer", n%4)
				}
				rows = append(rows, r)
				n++
			}
		}
	}
	// An older period, so the dashboard has a choice.
	for i := range 12 {
		rows = append(rows, aggregate.Row{
			Commitment: field("commit-old", i), Lo: 100000, Hi: 105000, Currency: "USD", Role: "15-1252", Region: "US-CA", Period: "2026-10",
			MemberRoot: field("root", 0), Nullifier: field("null-old", i), IngestTime: time.Date(2026, 10, 30, 12, 0, 0, 0, time.UTC),
			Proof: aggregate.ProofMeta{Circuit: aggregate.CircuitSalary, CircuitVersion: 1, Backend: "groth16", Curve: "bn254", VKSHA256: "00", Bytes: []byte{1}},
		})
	}
	b, err := st.Begin()
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Add(context.Background(), rows)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range res {
		if e != nil {
			t.Fatalf("fixture row %d: %v", i, e)
		}
	}
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	bench, err := st.Snapshot().PublishBenchmarks(context.Background(), fixturePeriod, 0.25, aggregate.DefaultMinCell)
	if err != nil {
		t.Fatal(err)
	}
	if len(bench.Entries) == 0 {
		t.Fatal("fixture publishes no benchmark")
	}
	cfg.BenchmarksFile = filepath.Join(filepath.Dir(cfg.StoreDir), "benchmarks.json")
	if err := bench.WriteFile(cfg.BenchmarksFile); err != nil {
		t.Fatal(err)
	}
}

// fillClaims records synthetic claims straight into the pool (Accept does
// not look at proofs; Check does, and is tested with real ones): employer
// A gets 4 claims, B 3, C 1 (below k = 3, so withheld).
func fillClaims(t testing.TB, cfg Config, now time.Time) {
	t.Helper()
	p, err := claims.Open(cfg.PoolDir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	root := fr.NewElement(777)
	if _, err := p.AddRoot(root, now); err != nil {
		t.Fatal(err)
	}
	emps := []fr.Element{fr.NewElement(1001), fr.NewElement(1002), fr.NewElement(1003)}
	if err := p.SetAttesters(emps); err != nil {
		t.Fatal(err)
	}
	table, err := claims.LoadBenchmarks(cfg.BenchmarksFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(table, now); err != nil {
		t.Fatal(err)
	}
	e := table.Entries[0]
	cell := claims.Cell{Period: table.Period, Currency: e.Currency, Role: e.Role, Region: e.Region}
	n := 0
	for i, k := range []int{4, 3, 1} {
		for range k {
			n++
			c := &claims.Claim{Nullifier: fmt.Sprint(900000 + n), EmployerKeyHash: emps[i].String(), Benchmark: e.Amount, Cell: cell,
				CheckDate: now.UTC().Format(time.DateOnly), MemberRoot: root.String()}
			if err := p.Accept(c, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The service makes its own root current again at start.
}

// proofCache makes real salary proofs once per test binary: member i%8 of
// the provertest registry, one period per round of members, so every proof
// has its own nullifier.
var proofCache struct {
	sync.Mutex
	raw [][]byte
}

func realProofs(t testing.TB, n int) [][]byte {
	t.Helper()
	pe := provertest.Salary(t)
	proofCache.Lock()
	defer proofCache.Unlock()
	for i := len(proofCache.raw); i < n; i++ {
		labels := provertest.Labels
		labels.Period = fmt.Sprintf("2025-%02d", 1+i/len(pe.Members))
		env := pe.Prove(t, i%len(pe.Members), 100000+uint64(i)*1000, labels)
		b, err := env.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		proofCache.raw = append(proofCache.raw, b)
	}
	return proofCache.raw[:n]
}

// postJSON posts body and decodes the answer into v (if non-nil); it
// returns the status and the error code of an error answer.
func postJSON(t testing.TB, url string, body []byte, v any, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return decodeAnswer(t, resp, v)
}

func getJSON(t testing.TB, url string, v any, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return decodeAnswer(t, resp, v)
}

func decodeAnswer(t testing.TB, resp *http.Response, v any) (int, string) {
	t.Helper()
	if resp.StatusCode/100 != 2 {
		var eb ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
			t.Fatalf("status %d without a JSON error body (%v)", resp.StatusCode, err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("error with Content-Type %q", ct)
		}
		return resp.StatusCode, eb.Error.Code
	}
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, ""
}
