package aggregate

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// spec is a block of n rows with the same labels; pays are spread over
// buckets by bucketOf.
type spec struct {
	role, region string
	n            int
	attested     bool
	employers    []int              // employer of row i is employers[i%len]
	lo           func(i int) uint64 // bucket lower bound of row i (width 5000)
}

func buildRows(specs []spec) []Row {
	var rows []Row
	id := 0
	for _, s := range specs {
		for i := 0; i < s.n; i++ {
			lo := uint64(50000)
			if s.lo != nil {
				lo = s.lo(i)
			}
			r := Synthetic{Seed: 77, Roles: []string{s.role}, Regions: []string{s.region}, Attested: s.attested, Pay: func(int) uint64 { return lo }}.Row(id)
			if s.attested && len(s.employers) > 0 {
				r.Employer = SyntheticField("employer", uint64(s.employers[i%len(s.employers)]), 0)
			}
			rows = append(rows, r)
			id++
		}
	}
	return rows
}

func runQuery(t *testing.T, rows []Row, q Query) *Result {
	t.Helper()
	mem := checkedMem(t)
	dir := t.TempDir()
	if n := countErrs(ingestRows(t, dir, rows, WithAllocator(mem))); n != 0 {
		t.Fatalf("%d rows rejected", n)
	}
	snap, err := OpenSnapshot(dir, WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	res, err := snap.Run(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func cellByKey(res *Result, key ...string) *Cell {
	for i := range res.Cells {
		if strings.Join(res.Cells[i].Key, "/") == strings.Join(key, "/") {
			return &res.Cells[i]
		}
	}
	return nil
}

// checkLines asserts the complementary-suppression invariant on a count
// result: in every line, zero suppressed cells, or at least two holding k.
func checkLines(t *testing.T, res *Result, truth map[string]int64) {
	t.Helper()
	for d := range res.By {
		sup := map[string][]string{}
		sum := map[string]int64{}
		for _, c := range res.Cells {
			lk := lineKey(c.Key, d)
			if c.Suppressed != "" {
				sup[lk] = append(sup[lk], strings.Join(c.Key, "/"))
				sum[lk] += truth[strings.Join(c.Key, "/")]
			}
		}
		for lk, cells := range sup {
			if len(cells) == 1 || sum[lk] < int64(res.MinCell) {
				t.Errorf("line %q along %s: suppressed %v (total %d) can be recovered", lk, res.By[d], cells, sum[lk])
			}
		}
	}
}

func TestCountSuppression(t *testing.T) {
	var specs []spec
	truth := map[string]int64{}
	for _, role := range []string{"11-1011", "15-1252", "29-1141"} {
		for _, region := range []string{"US-CA", "US-NY", "US-TX"} {
			n := 20
			if role == "11-1011" && region == "US-NY" {
				n = 3
			}
			specs = append(specs, spec{role: role, region: region, n: n})
			truth[role+"/"+region] = int64(n)
		}
	}
	res := runQuery(t, buildRows(specs), Query{By: []string{"role", "region"}, Stat: StatCount, MinCell: 10})
	if len(res.Cells) != 9 {
		t.Fatalf("%d cells, want 9 (suppressed cells are marked, not dropped)", len(res.Cells))
	}
	want := map[string]string{
		"11-1011/US-NY": ReasonFew,
		"11-1011/US-CA": ReasonComplementary,
		"15-1252/US-NY": ReasonComplementary,
		"15-1252/US-CA": ReasonComplementary,
	}
	for _, c := range res.Cells {
		k := strings.Join(c.Key, "/")
		if c.Suppressed != want[k] {
			t.Errorf("cell %s: suppressed %q, want %q", k, c.Suppressed, want[k])
		}
		if (c.Count == nil) != (c.Suppressed != "") {
			t.Errorf("cell %s: count %v with suppression %q", k, c.Count, c.Suppressed)
		}
		if c.Count != nil && *c.Count != truth[k] {
			t.Errorf("cell %s: count %d, want %d", k, *c.Count, truth[k])
		}
	}
	checkLines(t, res, truth)
}

func TestComplementaryOneDimension(t *testing.T) {
	// By role only: the line is the whole table, its total the grand total.
	res := runQuery(t, buildRows([]spec{
		{role: "11-1011", region: "US", n: 4},
		{role: "15-1252", region: "US", n: 30},
		{role: "29-1141", region: "US", n: 12},
	}), Query{By: []string{"role"}, Stat: StatCount, MinCell: 10})
	got := map[string]string{}
	for _, c := range res.Cells {
		got[c.Key[0]] = c.Suppressed
	}
	// 4 alone could be recovered from the total; 12 joins it (4+12 >= 10).
	if got["11-1011"] != ReasonFew || got["29-1141"] != ReasonComplementary || got["15-1252"] != "" {
		t.Fatalf("suppression %v", got)
	}
}

func TestDominance(t *testing.T) {
	tests := []struct {
		name      string
		employers []int
		want      string
	}{
		{"two employers", []int{1, 2}, ReasonEmployers},
		{"one employer dominates", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3}, ReasonDominance},
		{"balanced", []int{1, 2, 3, 4}, ""},
		{"at 80 percent", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runQuery(t, buildRows([]spec{{role: "15-1252", region: "US", n: 20, attested: true, employers: tc.employers}}),
				Query{By: []string{"role"}, Stat: StatCount, AttestedOnly: true, MinCell: 10})
			if len(res.Cells) != 1 || res.Cells[0].Suppressed != tc.want {
				t.Fatalf("cells %+v, want suppression %q", res.Cells, tc.want)
			}
		})
	}
}

func TestHistogramBucketsAndTopCoding(t *testing.T) {
	// Buckets from 40000: 12, 3, 15, 2, 1 rows.
	counts := []int{12, 3, 15, 2, 1}
	lo := func(i int) uint64 {
		for b, c := range counts {
			if i < c {
				return 40000 + uint64(b)*5000
			}
			i -= c
		}
		panic("out of range")
	}
	res := runQuery(t, buildRows([]spec{{role: "15-1252", region: "US", n: 33, lo: lo}}),
		Query{By: []string{"role"}, Stat: StatHistogram, MinCell: 10})
	if len(res.By) != 2 || res.By[0] != "currency" {
		t.Fatalf("by %v: currency must be added to histograms", res.By)
	}
	c := res.Cells[0]
	if c.Count == nil || *c.Count != 33 {
		t.Fatalf("cell count %v", c.Count)
	}
	// Top-coded: 1+2+15 >= 10 from 50000 up, open-ended. Below: 12 and 3;
	// 3 is suppressed and 12 with it, or 3 = 33 - 18 - 12.
	want := []struct {
		lo     uint64
		open   bool
		count  int64
		reason string
	}{
		{40000, false, 0, ReasonComplementary},
		{45000, false, 0, ReasonFew},
		{50000, true, 18, ""},
	}
	if len(c.Buckets) != len(want) {
		t.Fatalf("buckets %+v", c.Buckets)
	}
	for i, w := range want {
		b := c.Buckets[i]
		if b.Lo != w.lo || (b.Hi == nil) != w.open || b.Suppressed != w.reason {
			t.Errorf("bucket %d: %+v, want %+v", i, b, w)
		}
		if w.reason == "" && (b.Count == nil || *b.Count != w.count) {
			t.Errorf("bucket %d: count %v, want %d", i, b.Count, w.count)
		}
		if w.reason != "" && b.Count != nil {
			t.Errorf("bucket %d: suppressed but shows %d", i, *b.Count)
		}
	}
}

func TestHistogramInvariants(t *testing.T) {
	var specs []spec
	for r, role := range []string{"11-1011", "15-1252", "29-1141", "13-2011"} {
		for g, region := range []string{"US-CA", "US-NY", "US-TX"} {
			n := 3 + (r*7+g*13)%40
			specs = append(specs, spec{role: role, region: region, n: n, lo: func(i int) uint64 { return 30000 + uint64((i*i+r)%9)*5000 }})
		}
	}
	res := runQuery(t, buildRows(specs), Query{By: []string{"role", "region"}, Stat: StatHistogram, MinCell: 10})
	for _, c := range res.Cells {
		if c.Suppressed != "" {
			if c.Count != nil || len(c.Buckets) != 0 {
				t.Errorf("suppressed cell %v shows data", c.Key)
			}
			continue
		}
		if *c.Count < 10 {
			t.Errorf("cell %v published with %d", c.Key, *c.Count)
		}
		last := c.Buckets[len(c.Buckets)-1]
		if last.Hi != nil {
			t.Errorf("cell %v: top bucket is not top-coded", c.Key)
		}
		nSup := 0
		for _, b := range c.Buckets {
			if b.Count != nil && *b.Count < 10 {
				t.Errorf("cell %v bucket %d published with %d", c.Key, b.Lo, *b.Count)
			}
			if b.Suppressed != "" {
				nSup++
			}
		}
		if nSup == 1 {
			t.Errorf("cell %v: one suppressed bucket, recoverable from the cell total", c.Key)
		}
	}
}

func TestQuantileInterpolation(t *testing.T) {
	// 10 rows in each of [0,10), [10,20), [20,30), [30,40): width 10.
	rows := buildRows([]spec{{role: "15-1252", region: "US", n: 40, lo: func(i int) uint64 { return uint64(i/10) * 10 }}})
	for i := range rows {
		rows[i].Lo = uint64(i/10) * 10
		rows[i].Hi = rows[i].Lo + 10
	}
	res := runQuery(t, rows, Query{By: []string{"role"}, Stat: StatQuantiles, Quantiles: []float64{0.1, 0.25, 0.5, 0.6, 0.9}, MinCell: 10})
	qs := res.Cells[0].Quantiles
	want := []struct {
		value    float64
		topCoded bool
	}{{4, false}, {10, false}, {20, false}, {24, false}, {30, true}}
	for i, w := range want {
		q := qs[i]
		if q.Value == nil || *q.Value != w.value || q.TopCoded != w.topCoded {
			t.Errorf("q=%v: %+v, want value %v top-coded %v", q.Q, q, w.value, w.topCoded)
		}
		if !w.topCoded && (q.ErrorBound == nil || *q.ErrorBound != 10) {
			t.Errorf("q=%v: error bound %v, want the bucket width 10", q.Q, q.ErrorBound)
		}
	}
}

func TestQuantilesCollapseSparseBuckets(t *testing.T) {
	// 5 rows in each of 6 buckets: with k=10 pairs merge (the top pair is
	// top-coded), and the error bound is the merged width. Rank 6 of 30 is
	// 6/10 into [0, 10000).
	rows := buildRows([]spec{{role: "15-1252", region: "US", n: 30, lo: func(i int) uint64 { return uint64(i%6) * 5000 }}})
	res := runQuery(t, rows, Query{By: []string{"role"}, Stat: StatQuantiles, Quantiles: []float64{0.2}, MinCell: 10})
	q := res.Cells[0].Quantiles[0]
	if q.Value == nil || *q.Value != 6000 || q.ErrorBound == nil || *q.ErrorBound != 10000 {
		t.Fatalf("q=0.2: %+v, want 6000 +- 10000", q)
	}
}

func TestNoiseIsFlagged(t *testing.T) {
	var specs []spec
	for _, role := range []string{"11-1011", "15-1252", "29-1141", "13-2011", "17-2051"} {
		specs = append(specs, spec{role: role, region: "US", n: 50})
	}
	rows := buildRows(specs)
	exact := runQuery(t, rows, Query{By: []string{"role"}, Stat: StatCount})
	if exact.Noise != "" {
		t.Fatalf("exact result says %q", exact.Noise)
	}
	noisy := runQuery(t, rows, Query{By: []string{"role"}, Stat: StatCount, Epsilon: 0.05})
	if !strings.Contains(noisy.Noise, "epsilon=0.05") {
		t.Fatalf("noise note %q", noisy.Noise)
	}
	differ := 0
	for i, c := range noisy.Cells {
		if *c.Count != *exact.Cells[i].Count {
			differ++
		}
	}
	// Laplace scale 20: the chance that all five counts come out exact is
	// far below one in a million.
	if differ == 0 {
		t.Fatal("no count changed under epsilon=0.05")
	}
	for _, format := range []string{FormatTable, FormatCSV, FormatJSON} {
		var buf bytes.Buffer
		if err := noisy.Write(&buf, format, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "laplace") {
			t.Errorf("%s output does not say the counts are noisy:\n%s", format, buf.String())
		}
	}
}

func TestResultFormats(t *testing.T) {
	res := runQuery(t, buildRows([]spec{
		{role: "15-1252", region: "US", n: 25, lo: func(i int) uint64 { return uint64(i%3) * 5000 }},
		{role: "29-1141", region: "US", n: 4},
	}), Query{By: []string{"role"}, Stat: StatHistogram, MinCell: 5})
	var buf bytes.Buffer
	if err := res.Write(&buf, FormatCSV, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "currency,role,lo,hi,count,suppressed" {
		t.Fatalf("csv header %s", got)
	}
	if last := recs[len(recs)-1]; last[1] != "29-1141" || last[5] != ReasonFew || last[4] != "" {
		t.Fatalf("suppressed cell row %v", last)
	}
	buf.Reset()
	if err := res.Write(&buf, FormatJSON, nil); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Cells) != 2 || back.MinCell != 5 {
		t.Fatalf("json round trip: %+v", back)
	}
	if err := res.Write(&buf, "yaml", nil); err == nil {
		t.Fatal("unknown format accepted")
	}
}
