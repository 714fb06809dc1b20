package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/circuits/member"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/verifier"
)

func TestMembers(t *testing.T) {
	e := newEnv(t)
	srv := start(t, e.cfg)

	var root RootResult
	if st, _ := getJSON(t, srv.url+"/v1/members/root", &root); st != 200 {
		t.Fatalf("root: %d", st)
	}
	want, _ := e.keys.Registry.Root()
	if root.Root != want.String() || root.Members != len(e.keys.Members) {
		t.Fatalf("root %+v, want %s with %d members", root, want.String(), len(e.keys.Members))
	}

	// A member's path leads to the root.
	c := e.keys.Members[3].Commitment()
	var p PathResult
	if st, _ := getJSON(t, srv.url+"/v1/members/"+c.String()+"/path", &p); st != 200 {
		t.Fatalf("path: %d", st)
	}
	var path [merkle.Depth]fr.Element
	for i, s := range p.Path {
		path[i], _ = registry.ParseElement(s)
	}
	got := merkle.RootFrom(c, p.Index, path)
	if got.String() != root.Root || p.Index != 3 {
		t.Fatalf("path of member 3 (index %d) leads to %s, want %s", p.Index, got.String(), root.Root)
	}

	newcomer, _ := member.FromSecret(big.NewInt(99))
	nc := newcomer.Commitment()
	body := fmt.Sprintf(`{"commitment":%q}`, nc.String())
	for _, tc := range []struct {
		name   string
		url    string
		body   string
		hdr    []string
		status int
		code   string
	}{
		{"unknown member path", "/v1/members/" + nc.String() + "/path", "", nil, 404, CodeNotMember},
		{"non-canonical commitment", "/v1/members/0123/path", "", nil, 400, CodeBadRequest},
		{"join without token", "/v1/members", body, nil, 401, CodeUnauthorized},
		{"join with a wrong token", "/v1/members", body, []string{"Authorization", "Bearer nope"}, 401, CodeUnauthorized},
		{"join bad json", "/v1/members", `{"commitment":`, []string{"Authorization", "Bearer " + testToken}, 400, CodeBadRequest},
		{"join", "/v1/members", body, []string{"Authorization", "Bearer " + testToken}, 201, ""},
		{"join again", "/v1/members", body, []string{"Authorization", "Bearer " + testToken}, 409, CodeAlreadyMember},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st int
			var code string
			if tc.body == "" {
				st, code = getJSON(t, srv.url+tc.url, nil, tc.hdr...)
			} else {
				st, code = postJSON(t, srv.url+tc.url, []byte(tc.body), nil, tc.hdr...)
			}
			if st != tc.status || code != tc.code {
				t.Fatalf("got %d %q, want %d %q", st, code, tc.status, tc.code)
			}
		})
	}

	// The join changed the root; the old root stays accepted (root window),
	// and the registry file and the claim pool know the new one.
	var roots RootsResult
	getJSON(t, srv.url+"/v1/members/roots", &roots)
	if len(roots.Roots) != 2 || !roots.Roots[0].Current || roots.Roots[1].Root != root.Root || roots.Roots[1].Expires == nil {
		t.Fatalf("roots after a join: %+v", roots)
	}
	reg, err := registry.Load(e.cfg.MembersFile)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := reg.Root(); r.String() != roots.Roots[0].Root || reg.Len() != len(e.keys.Members)+1 {
		t.Fatalf("registry file has root %s and %d leaves", r.String(), reg.Len())
	}
}

func TestSubmissions(t *testing.T) {
	e := newEnv(t)
	srv := start(t, e.cfg)
	proofs := realProofs(t, 2)

	var acc SubmissionResult
	if st, code := postJSON(t, srv.url+"/v1/submissions", proofs[0], &acc); st != 201 || acc.Status != "accepted" {
		t.Fatalf("valid proof: %d %s %+v", st, code, acc)
	}
	tampered, _ := verifier.ParseEnvelope(proofs[1])
	tampered.Public["hi"] = "999999999"
	tamperedRaw, _ := tampered.Marshal()
	otherRoot, _ := verifier.ParseEnvelope(proofs[1])
	otherRoot.Public["member_root"] = "12345"
	otherRootRaw, _ := otherRoot.Marshal()
	wrongCircuit, _ := verifier.ParseEnvelope(proofs[1])
	wrongCircuit.Circuit = "offer"
	wrongCircuitRaw, _ := wrongCircuit.Marshal()

	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"same nullifier again", proofs[0], 409, CodeDuplicate},
		{"not json", []byte(`{"version":`), 422, CodeMalformedProof},
		{"tampered public input", tamperedRaw, 422, CodeInvalidProof},
		{"unknown member root", otherRootRaw, 422, CodeUnknownRoot},
		{"another circuit", wrongCircuitRaw, 422, CodeNotASubmission},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, code := postJSON(t, srv.url+"/v1/submissions", tc.body, nil); st != tc.status || code != tc.code {
				t.Fatalf("got %d %q, want %d %q", st, code, tc.status, tc.code)
			}
		})
	}
	if st, code := postJSON(t, srv.url+"/v1/submissions", proofs[1], &acc); st != 201 {
		t.Fatalf("second valid proof: %d %s", st, code)
	}
	var h Health
	getJSON(t, srv.url+"/v1/health", &h)
	if h.Status != "ok" || h.Store.Rows != 2 {
		t.Fatalf("health after two accepted: %+v", h)
	}
	// After a graceful shutdown the store holds exactly the accepted two.
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	snap, err := aggregate.OpenSnapshot(e.cfg.StoreDir)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Manifest.Rows != 2 {
		t.Fatalf("store holds %d rows, want 2", snap.Manifest.Rows)
	}
}

// fixtureServer is a server over the synthetic fixture store.
func fixtureServer(t testing.TB) (*env, *running) {
	e := newEnv(t)
	fillStore(t, &e.cfg)
	fillClaims(t, e.cfg, time.Now())
	return e, start(t, e.cfg)
}

func TestDistributions(t *testing.T) {
	e, srv := fixtureServer(t)
	snap, err := aggregate.OpenSnapshot(e.cfg.StoreDir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := snap.Run(t.Context(), aggregate.Query{By: []string{"role", "region"}, Period: fixturePeriod, Stat: aggregate.StatHistogram})
	if err != nil {
		t.Fatal(err)
	}
	var wantJSON bytes.Buffer
	want.Write(&wantJSON, aggregate.FormatJSON, nil)
	published, suppressed := 0, 0
	for _, c := range want.Cells {
		if c.Suppressed != "" {
			suppressed++
		} else {
			published++
		}
	}
	if published == 0 || suppressed == 0 {
		t.Fatalf("fixture should publish some cells and suppress others: %d published, %d suppressed", published, suppressed)
	}

	q := "/v1/distributions?by=role,region&period=" + fixturePeriod + "&stat=histogram"
	get := func(url string, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.url+url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	t.Run("json is the query's result", func(t *testing.T) {
		resp, b := get(q)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !bytes.Equal(b, wantJSON.Bytes()) {
			t.Fatalf("the service's JSON differs from the query's:\n%s\nwant\n%s", b, wantJSON.Bytes())
		}
	})
	for _, tc := range []struct {
		name, url string
		hdr       []string
		ctype     string
	}{
		{"csv by parameter", q + "&format=csv", nil, "text/csv; charset=utf-8"},
		{"csv by Accept", q, []string{"Accept", "text/csv"}, "text/csv; charset=utf-8"},
		{"arrow by Accept", q, []string{"Accept", "application/vnd.apache.arrow.stream"}, "application/vnd.apache.arrow.stream"},
		{"parquet by parameter", q + "&format=parquet", []string{"Accept", "text/csv"}, "application/vnd.apache.parquet"},
		{"json for anything else", q, []string{"Accept", "text/html, */*;q=0.1"}, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := get(tc.url, tc.hdr...)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("%d %q, want %q", resp.StatusCode, resp.Header.Get("Content-Type"), tc.ctype)
			}
			switch {
			case strings.HasPrefix(tc.ctype, "text/csv"):
				var w bytes.Buffer
				want.Write(&w, aggregate.FormatCSV, nil)
				if !bytes.Equal(b, w.Bytes()) {
					t.Fatalf("csv differs:\n%s\nwant\n%s", b, w.Bytes())
				}
			case strings.Contains(tc.ctype, "arrow"):
				r, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(memory.DefaultAllocator))
				if err != nil {
					t.Fatal(err)
				}
				defer r.Release()
				var n int64
				for r.Next() {
					n += r.Record().NumRows()
				}
				if n == 0 || r.Err() != nil {
					t.Fatalf("arrow stream: %d rows, %v", n, r.Err())
				}
			case strings.Contains(tc.ctype, "parquet"):
				pr, err := file.NewParquetReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if pr.NumRows() == 0 {
					t.Fatal("empty parquet")
				}
			}
		})
	}
	for _, tc := range []struct {
		name, url string
		status    int
		code      string
	}{
		{"below the min-cell floor", q + "&min_cell=2", 400, CodeBadQuery},
		{"unknown dimension", "/v1/distributions?by=salary", 400, CodeBadQuery},
		{"unknown format", q + "&format=xml", 400, CodeBadQuery},
		{"bad quantile", "/v1/distributions?stat=quantiles&quantiles=1.5", 400, CodeBadQuery},
		{"negative epsilon", q + "&epsilon=-1", 400, CodeBadQuery},
		{"wrong method", "/v1/distributions", 405, CodeMethodNotAllowed},
		{"no such endpoint", "/v1/nothing", 404, CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st int
			var code string
			if tc.status == 405 {
				st, code = postJSON(t, srv.url+tc.url, []byte("{}"), nil)
			} else {
				st, code = getJSON(t, srv.url+tc.url, nil)
			}
			if st != tc.status || code != tc.code {
				t.Fatalf("got %d %q, want %d %q", st, code, tc.status, tc.code)
			}
		})
	}
	t.Run("noise is said", func(t *testing.T) {
		resp, b := get(q + "&epsilon=1")
		var r aggregate.Result
		json.Unmarshal(b, &r)
		if resp.StatusCode != 200 || r.Noise == "" || resp.Header.Get("X-Wageproof-Noise") == "" {
			t.Fatalf("%d noise %q", resp.StatusCode, r.Noise)
		}
	})
}

func TestBenchmarksAndExport(t *testing.T) {
	e, srv := fixtureServer(t)
	raw, _ := os.ReadFile(e.cfg.BenchmarksFile)
	resp, err := http.Get(srv.url + "/v1/benchmarks")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, raw) {
		t.Fatalf("benchmarks: %d, not the published file", resp.StatusCode)
	}
	b, _ := aggregate.ReadBenchmarks(e.cfg.BenchmarksFile)
	var h BenchmarksHash
	getJSON(t, srv.url+"/v1/benchmarks/hash", &h)
	if h.ContentHash != b.ContentHash || h.FileSHA256 != verifier.SHA256Hex(raw) || h.Entries != len(b.Entries) {
		t.Fatalf("hash %+v", h)
	}

	if st, code := getJSON(t, srv.url+"/v1/export", nil); st != 401 || code != CodeUnauthorized {
		t.Fatalf("export without token: %d %s", st, code)
	}
	req, _ := http.NewRequest("GET", srv.url+"/v1/export", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pq, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pr, err := file.NewParquetReader(bytes.NewReader(pq))
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := aggregate.OpenSnapshot(e.cfg.StoreDir)
	if pr.NumRows() != snap.Manifest.Rows {
		t.Fatalf("export has %d rows, the store %d", pr.NumRows(), snap.Manifest.Rows)
	}

	var emp EmployersResult
	getJSON(t, srv.url+"/v1/claims/employers", &emp)
	if emp.K != 3 || len(emp.Employers) != 2 || emp.Employers[0].Claims != 4 || emp.Employers[1].Claims != 3 {
		t.Fatalf("employers (k=3; 4, 3 and a withheld 1): %+v", emp)
	}
}

func TestNoAdminToken(t *testing.T) {
	e := newEnv(t)
	e.cfg.AdminToken = ""
	srv := start(t, e.cfg)
	if st, code := postJSON(t, srv.url+"/v1/members", []byte(`{"commitment":"1"}`), nil, "Authorization", "Bearer "); st != 403 || code != CodeForbidden {
		t.Fatalf("join with no admin token configured: %d %s", st, code)
	}
	if st, code := getJSON(t, srv.url+"/v1/benchmarks", nil); st != 404 || code != CodeNoBenchmarks {
		t.Fatalf("benchmarks when none are published: %d %s", st, code)
	}
}
