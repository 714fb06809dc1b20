package service

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
)

// shownPage is what browsertest/check.mjs reports the page shows.
type shownPage struct {
	Ready   bool     `json:"ready"`
	Error   string   `json:"error"`
	Period  string   `json:"period"`
	Periods []string `json:"periods"`
	Cells   []struct {
		Key        string `json:"key"`
		Count      *int64 `json:"count"`
		Suppressed string `json:"suppressed"`
		Text       string `json:"text"`
		Bars       []struct {
			Lo         uint64  `json:"lo"`
			Hi         *uint64 `json:"hi"`
			Count      *int64  `json:"count"`
			Suppressed string  `json:"suppressed"`
			Height     float64 `json:"height"`
		} `json:"bars"`
		Quantiles []struct {
			Q     float64 `json:"q"`
			Value float64 `json:"value"`
		} `json:"quantiles"`
	} `json:"cells"`
	Benchmarks []struct {
		Key    string `json:"key"`
		Amount uint64 `json:"amount"`
	} `json:"benchmarks"`
	BenchmarkHash string `json:"benchmarkHash"`
	Employers     []struct {
		Employer string `json:"employer"`
		Claims   uint64 `json:"claims"`
	} `json:"employers"`
	Problems []string `json:"problems"`
}

// browserTools finds Chromium, node and playwright-core (make test
// installs them). In CI their absence fails the test; elsewhere it skips.
func browserTools(t *testing.T) (node string) {
	t.Helper()
	var missing []string
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		missing = append(missing, "/usr/bin/chromium (apt-get install chromium)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join("browsertest", "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "playwright-core (npm ci in aggregate/service/browsertest)")
	}
	if len(missing) > 0 {
		msg := "browser test needs " + strings.Join(missing, ", ") + "; `make test` installs them"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}

// TestDashboardInBrowser loads the dashboard in headless Chromium against
// a server with fixture data and checks that what is drawn is what the
// store and the pool publish: every cell, bar height, suppression, quantile
// marker, benchmark and employer count. It saves a screenshot.
func TestDashboardInBrowser(t *testing.T) {
	node := browserTools(t)
	e, srv := fixtureServer(t)

	shot := filepath.Join(t.TempDir(), "dashboard.png")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs", srv.url+"/", shot)
	cmd.Dir = "browsertest"
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check.mjs: %v\n%s", err, stderr.String())
	}
	var page shownPage
	if err := json.Unmarshal(out, &page); err != nil {
		t.Fatalf("check.mjs output: %v\n%s", err, out)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
		t.Fatalf("screenshot: %v", err)
	}
	if dir := os.Getenv("WAGEPROOF_SCREENSHOT_DIR"); dir != "" {
		b, _ := os.ReadFile(shot)
		if err := os.MkdirAll(dir, 0o755); err == nil {
			os.WriteFile(filepath.Join(dir, "dashboard.png"), b, 0o644)
		}
	}
	if !page.Ready || page.Error != "" || len(page.Problems) > 0 {
		t.Fatalf("page not ready: error %q, problems %q", page.Error, page.Problems)
	}
	if page.Period != fixturePeriod || strings.Join(page.Periods, ",") != "2026-11,2026-10" {
		t.Fatalf("period %q of %v, want the latest of 2026-11,2026-10", page.Period, page.Periods)
	}

	snap, err := aggregate.OpenSnapshot(e.cfg.StoreDir)
	if err != nil {
		t.Fatal(err)
	}
	q := aggregate.Query{By: []string{"role", "region"}, Period: fixturePeriod, MinCell: e.cfg.MinCell}
	q.Stat = aggregate.StatHistogram
	hist, err := snap.Run(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	q.Stat = aggregate.StatQuantiles
	quant, err := snap.Run(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Cells) != len(hist.Cells) {
		t.Fatalf("page shows %d cells, the store publishes %d", len(page.Cells), len(hist.Cells))
	}
	var published, suppressed int
	for i, want := range hist.Cells {
		got := page.Cells[i]
		key := strings.Join(want.Key, "|")
		if got.Key != key {
			t.Fatalf("cell %d is %q, want %q", i, got.Key, key)
		}
		if want.Count == nil {
			suppressed++
			if got.Count != nil || got.Suppressed != want.Suppressed || !strings.Contains(got.Text, "suppressed") || len(got.Bars) != 0 {
				t.Errorf("%s: suppressed (%s) in the store, shown count %v suppressed %q bars %d", key, want.Suppressed, got.Count, got.Suppressed, len(got.Bars))
			}
			continue
		}
		published++
		if got.Count == nil || *got.Count != *want.Count {
			t.Errorf("%s: shows count %v, want %d", key, got.Count, *want.Count)
		}
		if len(got.Bars) != len(want.Buckets) {
			t.Fatalf("%s: %d bars, want %d buckets", key, len(got.Bars), len(want.Buckets))
		}
		var unit float64 // drawn pixels per contributor, the same for every bar of a chart
		var maxCount int64
		for _, b := range want.Buckets {
			if b.Count != nil {
				maxCount = max(maxCount, *b.Count)
			}
		}
		for j, wb := range want.Buckets {
			gb := got.Bars[j]
			if gb.Lo != wb.Lo || (wb.Hi == nil) != (gb.Hi == nil) || (wb.Hi != nil && *gb.Hi != *wb.Hi) {
				t.Errorf("%s bar %d: [%d, %v), want [%d, %v)", key, j, gb.Lo, gb.Hi, wb.Lo, wb.Hi)
			}
			if wb.Count == nil {
				if gb.Count != nil || gb.Suppressed == "" {
					t.Errorf("%s bar %d: suppressed in the store, shown as %v", key, j, gb.Count)
				}
				continue
			}
			if gb.Count == nil || *gb.Count != *wb.Count {
				t.Errorf("%s bar %d: count %v, want %d", key, j, gb.Count, *wb.Count)
				continue
			}
			if *wb.Count == maxCount {
				unit = gb.Height / float64(maxCount)
			}
		}
		for j, wb := range want.Buckets {
			if wb.Count == nil || unit == 0 {
				continue
			}
			if h := got.Bars[j].Height; math.Abs(h-unit*float64(*wb.Count)) > 1.5 {
				t.Errorf("%s bar %d: drawn %.1f px high, want %.1f for %d contributors", key, j, h, unit*float64(*wb.Count), *wb.Count)
			}
		}
		var wq []aggregate.Quantile
		for _, c := range quant.Cells {
			if strings.Join(c.Key, "|") == key {
				wq = c.Quantiles
			}
		}
		var markers int
		for _, w := range wq {
			if w.Value == nil {
				continue
			}
			if markers >= len(got.Quantiles) || got.Quantiles[markers].Q != w.Q || math.Abs(got.Quantiles[markers].Value-*w.Value) > 1e-6 {
				t.Errorf("%s: quantile markers %+v, want %+v", key, got.Quantiles, wq)
				break
			}
			markers++
		}
		if markers != len(got.Quantiles) || markers == 0 {
			t.Errorf("%s: %d quantile markers shown, %d published", key, len(got.Quantiles), markers)
		}
	}
	if published == 0 || suppressed == 0 {
		t.Fatalf("the fixture should show published and suppressed cells: %d, %d", published, suppressed)
	}

	bench, _ := aggregate.ReadBenchmarks(e.cfg.BenchmarksFile)
	if len(page.Benchmarks) != len(bench.Entries) || page.BenchmarkHash != bench.ContentHash {
		t.Fatalf("benchmarks shown %+v (hash %s), published %+v", page.Benchmarks, page.BenchmarkHash, bench.Entries)
	}
	for i, b := range bench.Entries {
		if page.Benchmarks[i].Key != b.Currency+"|"+b.Role+"|"+b.Region || page.Benchmarks[i].Amount != b.Amount {
			t.Errorf("benchmark row %d: %+v, want %+v", i, page.Benchmarks[i], b)
		}
	}
	srv.stop()
	pool, err := claims.Open(e.cfg.PoolDir)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	emps, _ := pool.Employers()
	if len(page.Employers) != len(emps) || len(emps) != 2 {
		t.Fatalf("employers shown %+v, allowed %+v", page.Employers, emps)
	}
	for i, e := range emps {
		if page.Employers[i].Employer != e.EmployerKeyHash || page.Employers[i].Claims != e.Claims {
			t.Errorf("employer row %d: %+v, want %+v", i, page.Employers[i], e)
		}
	}
	t.Logf("screenshot: %s", shot)
}
