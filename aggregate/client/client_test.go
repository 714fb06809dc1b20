package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/aggregate/service"
	"github.com/wageproof/wageproof/prover/provertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	provertest.Cleanup()
	os.Exit(code)
}

// newService is a service over the provertest keys and members.
func newService(t *testing.T) (*provertest.Env, *httptest.Server) {
	t.Helper()
	pe := provertest.Salary(t)
	dir := t.TempDir()
	cfg := service.Config{StoreDir: filepath.Join(dir, "store"), KeysDir: pe.Keys, PoolDir: filepath.Join(dir, "pool"),
		MembersFile: filepath.Join(dir, "members.json"), AdminToken: "client-test-token"}
	if err := claims.Init(cfg.PoolDir, claims.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if err := pe.Registry.Save(cfg.MembersFile); err != nil {
		t.Fatal(err)
	}
	s, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return pe, ts
}

// TestProveThroughService is the worker's round trip: path from the
// service, proof made here, submitted, counted; the same proof again is a
// duplicate.
func TestProveThroughService(t *testing.T) {
	pe, ts := newService(t)
	ctx := context.Background()
	c, err := New(ts.URL+"/", WithAdminToken("client-test-token"))
	if err != nil {
		t.Fatal(err)
	}
	id := pe.Members[2]
	m, err := c.Membership(ctx, id.Commitment())
	if err != nil {
		t.Fatal(err)
	}
	in, err := pe.Input(2, 123456, provertest.Labels)
	if err != nil {
		t.Fatal(err)
	}
	in.Member = m // from the service, not the local registry
	a, err := in.Assign()
	if err != nil {
		t.Fatal(err)
	}
	env, err := pe.Prover.Prove(a)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := env.Marshal()
	res, err := c.SubmitProof(ctx, raw)
	if err != nil || res.Status != "accepted" || res.Lo != 120000 {
		t.Fatalf("submit: %+v %v", res, err)
	}
	if _, err := c.SubmitProof(ctx, raw); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second submit: %v", err)
	}
	r, err := c.Query(ctx, aggregate.Query{By: []string{"role"}, MinCell: 10})
	if err != nil || r.Store.Rows != 1 || len(r.Cells) != 1 || r.Cells[0].Count != nil {
		t.Fatalf("query: %+v %v", r, err)
	}
	var csv strings.Builder
	if err := c.QueryTo(ctx, aggregate.Query{By: []string{"role"}}, "csv", &csv); err != nil || !strings.HasPrefix(csv.String(), "role,") {
		t.Fatalf("csv: %q %v", csv.String(), err)
	}
	if _, err := c.Query(ctx, aggregate.Query{MinCell: 1}); err == nil || !strings.Contains(err.Error(), "bad_query") {
		t.Fatalf("query below the floor: %v", err)
	}
	var pq strings.Builder
	if err := c.Export(ctx, &pq); err != nil || !strings.HasPrefix(pq.String(), "PAR1") {
		t.Fatalf("export: %v", err)
	}
	if _, _, err := c.Benchmarks(ctx); err == nil || !strings.Contains(err.Error(), "no_benchmarks") {
		t.Fatalf("benchmarks: %v", err)
	}
	if _, err := c.Membership(ctx, fr.NewElement(12345)); !errors.Is(err, ErrNotMember) {
		t.Fatalf("unregistered: %v", err)
	}
}

// TestLyingPath: a path that does not lead to the root the server names is
// refused before any proving.
func TestLyingPath(t *testing.T) {
	pe, ts := newService(t)
	liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(ts.URL + r.URL.Path)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		// Replace the last sibling by 7.
		out := b.String()
		i := strings.Index(out, `"path": [`)
		j := i + strings.Index(out[i:], `"`+"\n") // end of the first sibling's line
		k := strings.LastIndex(out[:j], `"`)
		out = out[:k+1] + "7" + out[j:]
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(out))
	}))
	defer liar.Close()
	c, _ := New(liar.URL)
	if _, err := c.Membership(context.Background(), pe.Members[0].Commitment()); err == nil || !strings.Contains(err.Error(), "does not lead") {
		t.Fatalf("lying path: %v", err)
	}
	if _, err := New("ftp://x"); err == nil {
		t.Fatal("ftp URL accepted")
	}
}
