package aggregate

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The real-data test buckets every wage of a published data set (see
// ../shared/data/README.md), stores the buckets only, and checks that the
// quantiles estimated from the buckets are within one bucket width of the
// true quantiles of the raw wages, and that no output holds a raw wage.

type dataset struct {
	file     string
	roleCol  string
	roles    map[string]string // data value -> role code
	wageCol  string
	scale    float64 // raw wage * scale = stored amount
	width    uint64
	currency string
	region   string
	period   string
}

var datasets = []dataset{
	{
		file: "professor_salaries.csv", roleCol: "rank", wageCol: "salary", scale: 1, width: 5000,
		roles:    map[string]string{"AsstProf": "25-1011", "AssocProf": "25-1012", "Prof": "25-1013"},
		currency: "USD", region: "US", period: "2009-09",
	},
	{
		// Hourly wages in cents per hour, buckets of 100 cents.
		file: "slid_ontario_wages.csv", roleCol: "sex", wageCol: "wages", scale: 100, width: 100,
		roles:    map[string]string{"Male": "00-0001", "Female": "00-0002"},
		currency: "CAD", region: "CA-ON", period: "1994-01",
	},
}

func dataDir(t *testing.T) string {
	for _, d := range []string{filepath.Join("..", "..", "shared", "data"), "/work/shared/data"} {
		if _, err := os.Stat(filepath.Join(d, "README.md")); err == nil {
			return d
		}
	}
	t.Skip("shared/data not found")
	return ""
}

func loadDataset(t *testing.T, ds dataset) (rows []Row, wages map[string][]uint64, skipped int) {
	f, err := os.Open(filepath.Join(dataDir(t), ds.file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("%s has no column %s", ds.file, name)
		}
		return i
	}
	rc, wc := col(ds.roleCol), col(ds.wageCol)
	wages = map[string][]uint64{}
	for i, rec := range recs[1:] {
		if rec[wc] == "NA" {
			skipped++
			continue
		}
		w, err := strconv.ParseFloat(rec[wc], 64)
		if err != nil {
			t.Fatalf("%s row %d: %v", ds.file, i+2, err)
		}
		amount := uint64(math.Round(w * ds.scale))
		role := ds.roles[rec[rc]]
		if role == "" {
			t.Fatalf("%s row %d: unknown %s %q", ds.file, i+2, ds.roleCol, rec[rc])
		}
		lo := amount / ds.width * ds.width
		r := Synthetic{Seed: 5}.Row(i)
		r.Lo, r.Hi, r.Currency, r.Role, r.Region, r.Period = lo, lo+ds.width, ds.currency, role, ds.region, ds.period
		rows = append(rows, r)
		wages[role] = append(wages[role], amount)
	}
	return rows, wages, skipped
}

// trueQuantile is the inverse of the empirical distribution function.
func trueQuantile(sorted []uint64, q float64) uint64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func TestRealDataQuantiles(t *testing.T) {
	for _, ds := range datasets {
		t.Run(ds.file, func(t *testing.T) {
			rows, wages, skipped := loadDataset(t, ds)
			t.Logf("%d rows, %d skipped (NA)", len(rows), skipped)
			dir := t.TempDir()
			if n := countErrs(ingestRows(t, dir, rows)); n != 0 {
				t.Fatalf("%d rows rejected", n)
			}
			snap, err := OpenSnapshot(dir)
			if err != nil {
				t.Fatal(err)
			}
			qs := []float64{0.1, 0.25, 0.5, 0.75, 0.9}
			// With min-cell 1 no bucket is merged: every estimate is within
			// one bucket width of the truth.
			exact, err := snap.Run(context.Background(), Query{By: []string{DimRole}, Stat: StatQuantiles, Quantiles: qs, MinCell: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range exact.Cells {
				w := slices.Clone(wages[c.Key[1]])
				slices.Sort(w)
				for _, q := range c.Quantiles {
					truth := float64(trueQuantile(w, q.Q))
					if q.TopCoded || *q.ErrorBound != float64(ds.width) || math.Abs(*q.Value-truth) > float64(ds.width) {
						t.Errorf("min-cell 1, role %s q=%v: %+v, true %v", c.Key[1], q.Q, q, truth)
					}
				}
			}
			// With the default min-cell sparse buckets merge: the estimate is
			// within the (wider) reported bound.
			res, err := snap.Run(context.Background(), Query{By: []string{DimRole}, Stat: StatQuantiles, Quantiles: qs, MinCell: 10})
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, c := range res.Cells {
				role := c.Key[1]
				w := slices.Clone(wages[role])
				slices.Sort(w)
				if c.Suppressed != "" {
					if len(w) >= 10 {
						t.Errorf("role %s with %d contributors suppressed: %s", role, len(w), c.Suppressed)
					}
					continue
				}
				for _, q := range c.Quantiles {
					truth := float64(trueQuantile(w, q.Q))
					switch {
					case q.TopCoded:
						if truth < *q.Value {
							t.Errorf("role %s q=%v: true %v below the top-code %v", role, q.Q, truth, *q.Value)
						}
					case math.Abs(*q.Value-truth) > *q.ErrorBound:
						t.Errorf("role %s q=%v: estimate %v, true %v, bound %v", role, q.Q, *q.Value, truth, *q.ErrorBound)
					case *q.ErrorBound != float64(ds.width):
						// Dense data: no bucket needed merging.
						t.Logf("role %s q=%v: merged bucket of width %v", role, q.Q, *q.ErrorBound)
						checked++
					default:
						checked++
					}
				}
			}
			if checked < len(qs) {
				t.Fatalf("only %d quantiles checked", checked)
			}
			assertNoRawWage(t, dir, snap, wages, ds.width)
		})
	}
}

// assertNoRawWage checks every output format and the store's files for any
// raw wage that is not also a bucket bound.
func assertNoRawWage(t *testing.T, dir string, snap *Snapshot, wages map[string][]uint64, width uint64) {
	t.Helper()
	var outputs bytes.Buffer
	counts := map[string]bool{}
	for _, stat := range []Stat{StatCount, StatHistogram, StatQuantiles} {
		res, err := snap.Run(context.Background(), Query{By: []string{DimRole}, Stat: stat, MinCell: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Cells {
			// Counts are published and may equal some wage by chance.
			if c.Count != nil {
				counts[strconv.FormatInt(*c.Count, 10)] = true
			}
			for _, b := range c.Buckets {
				if b.Count != nil {
					counts[strconv.FormatInt(*b.Count, 10)] = true
				}
			}
		}
		for _, f := range []string{FormatTable, FormatCSV, FormatJSON} {
			if err := res.Write(&outputs, f, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	numbers := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b\d+(\.\d+)?\b`).FindAllString(outputs.String(), -1) {
		numbers[m] = true
	}
	var files [][]byte
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".arrow") {
			b, _ := os.ReadFile(p)
			files = append(files, b)
		}
		return nil
	})
	// The only amounts stored are bucket bounds.
	err := snap.Rows(context.Background(), func(r *Row) error {
		if r.Lo%width != 0 || r.Hi%width != 0 {
			t.Fatalf("stored bucket [%d, %d) is not on the bucket grid", r.Lo, r.Hi)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range wages {
		for _, w := range ws {
			if w%width == 0 {
				continue // equal to a bucket bound, which is published by design
			}
			if s := strconv.FormatUint(w, 10); numbers[s] && !counts[s] {
				t.Fatalf("raw wage %d appears in query output", w)
			}
			if w < 1<<16 {
				continue // small byte patterns occur by chance in any file
			}
			le := binary.LittleEndian.AppendUint64(nil, w)
			for _, b := range files {
				if bytes.Contains(b, le) {
					t.Fatalf("raw wage %d appears in a segment file", w)
				}
			}
		}
	}
}
