package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wageproof/wageproof/aggregate"
)

// freeAddr picks a loopback port for `serve --addr`.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeAndServerFlags runs `wageproof serve` in-process and drives it
// with the --server flags of prove, ingest, query and claim submit.
func TestServeAndServerFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("makes real proofs")
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	a := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("a.json")))
	b := strings.TrimSpace(mustCLI(t, "member", "new", "--out", p("b.json")))
	mustCLI(t, "registry", "add", "--registry", p("members.json"), a, b)
	mustCLI(t, "setup", "--circuit", "salary", "--keys", p("keys"))
	mustCLI(t, "claim", "pool", "init", "--pool", p("pool"))
	os.WriteFile(p("token"), []byte("0123456789abcdef0123\n"), 0o600)

	addr := freeAddr(t)
	url := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	var serveOut, serveErr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"wageproof", "serve", "--store", p("store"), "--keys", p("keys"), "--pool", p("pool"),
			"--members", p("members.json"), "--addr", addr, "--admin-token-file", p("token")}, &serveOut, &serveErr)
	}()
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/v1/health")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 200 {
			t.Fatalf("serve did not come up: %v; %s", err, serveErr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The worker proves locally with the path from the service, and submits.
	prove := func(who, out string, extra ...string) (int, string, string) {
		return runCLI(t, append([]string{"prove", "salary", "--keys", p("keys"), "--member", p(who), "--server", url,
			"--salary", "123456", "--currency", "USD", "--role", "15-1252", "--region", "US-CA", "--period", "2026-11", "--out", p(out)}, extra...)...)
	}
	if code, out, errOut := prove("a.json", "a-proof.json", "--submit"); code != 0 || !strings.Contains(out, "submitted: accepted") {
		t.Fatalf("prove --server --submit: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, errOut := prove("b.json", "b-proof.json"); code != 0 || strings.Contains(out, "submitted") {
		t.Fatalf("prove --server: exit %d, %q, %q", code, out, errOut)
	}

	// ingest --server: b's proof is accepted, a's again is a duplicate.
	code, out, errOut := runCLI(t, "ingest", "--server", url, p("a-proof.json"), p("b-proof.json"))
	if code != 1 || !strings.Contains(out, "rejected "+p("a-proof.json")) || !strings.Contains(out, "duplicate_nullifier") ||
		!strings.Contains(out, "2 read, 1 accepted, 1 rejected") {
		t.Fatalf("ingest --server: exit %d, %q, %q", code, out, errOut)
	}
	oneErrorLine(t, errOut)

	// query --server: JSON from the service; table rendered locally.
	out = mustCLI(t, "query", "--server", url, "--by", "role", "--min-cell", "10", "--format", "json")
	var res aggregate.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Store.Rows != 2 || len(res.Cells) != 1 || res.Cells[0].Suppressed == "" {
		t.Fatalf("query --server json: %v %+v", err, res)
	}
	if out := mustCLI(t, "query", "--server", url, "--by", "role"); !strings.Contains(out, "SUPPRESSED") {
		t.Fatalf("query --server table: %q", out)
	}
	if code, _, errOut := runCLI(t, "query", "--server", url, "--min-cell", "2"); code == 0 || !strings.Contains(errOut, "bad_query") {
		t.Fatalf("query below the floor: exit %d %q", code, errOut)
	} else {
		oneErrorLine(t, errOut)
	}

	// claim submit --server with a salary proof: refused, one line.
	if code, _, errOut := runCLI(t, "claim", "submit", "--server", url, p("b-proof.json")); code != 1 || !strings.Contains(errOut, "not_a_claim") {
		t.Fatalf("claim submit --server: exit %d %q", code, errOut)
	} else {
		oneErrorLine(t, errOut)
	}

	// Without --server the local flags are needed, and said so.
	for _, args := range [][]string{
		{"ingest", p("b-proof.json")},
		{"query", "--by", "role"},
		{"claim", "submit", p("b-proof.json")},
		{"prove", "salary", "--keys", p("keys"), "--member", p("a.json"), "--salary", "1", "--currency", "USD", "--role", "15-1252",
			"--region", "US-CA", "--period", "2026-12", "--out", p("x.json"), "--submit"},
	} {
		if code, _, errOut := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%q)", args, code, exitUsage, errOut)
		} else {
			oneErrorLine(t, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "query", "--server", "http://127.0.0.1:1", "--by", "role"); code == 0 {
		t.Errorf("query against nothing succeeded")
	} else {
		oneErrorLine(t, errOut)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d: %s", code, serveErr.String())
	}
	// The logs are JSON lines and carry no commitment or nullifier.
	for _, line := range strings.Split(strings.TrimSpace(serveErr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
	}
	for _, secret := range []string{a, b, "123456", "0123456789abcdef0123"} {
		if strings.Contains(serveErr.String(), secret) {
			t.Fatalf("the log mentions %q", secret)
		}
	}
}
