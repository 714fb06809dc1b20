package aggregate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Stat is what a query computes per cell.
type Stat string

// Stats a query can compute.
const (
	StatCount     Stat = "count"
	StatHistogram Stat = "histogram"
	StatQuantiles Stat = "quantiles"
)

// Dimensions a query can group by.
const (
	DimCurrency = "currency"
	DimRole     = "role"
	DimRegion   = "region"
	DimPeriod   = "period"
	DimAttested = "attested"
)

// ErrBadQuery reports a query that cannot be run as asked.
var ErrBadQuery = errors.New("bad query")

// DefaultMinCell is the least number of contributors a published cell or
// bucket must have.
const DefaultMinCell = 10

// DefaultQuantiles are the quantiles reported when none are asked for.
var DefaultQuantiles = []float64{0.1, 0.25, 0.5, 0.75, 0.9}

// Query is the analyst's question.
type Query struct {
	By           []string
	Period       string // only this period; "" for all
	Stat         Stat
	Quantiles    []float64
	AttestedOnly bool
	MinCell      int
	// Epsilon, if positive, adds Laplace noise with this privacy budget to
	// every published count.
	Epsilon float64
}

func (q *Query) normalize() error {
	seen := map[string]bool{}
	for _, d := range q.By {
		switch d {
		case DimCurrency, DimRole, DimRegion, DimPeriod, DimAttested:
		default:
			return fmt.Errorf("%w: cannot group by %q (use currency, role, region, period, attested)", ErrBadQuery, d)
		}
		if seen[d] {
			return fmt.Errorf("%w: %q named twice in --by", ErrBadQuery, d)
		}
		seen[d] = true
	}
	switch q.Stat {
	case StatCount:
	case StatHistogram, StatQuantiles:
		// Amounts in different currencies do not share a scale.
		if !seen[DimCurrency] {
			q.By = append([]string{DimCurrency}, q.By...)
		}
	default:
		return fmt.Errorf("%w: unknown statistic %q (use count, histogram or quantiles)", ErrBadQuery, q.Stat)
	}
	if q.Stat == StatQuantiles && len(q.Quantiles) == 0 {
		q.Quantiles = DefaultQuantiles
	}
	for _, p := range q.Quantiles {
		if !(p > 0 && p < 1) {
			return fmt.Errorf("%w: quantile %v is not between 0 and 1", ErrBadQuery, p)
		}
	}
	if q.MinCell == 0 {
		q.MinCell = DefaultMinCell
	}
	if q.MinCell < 1 {
		return fmt.Errorf("%w: --min-cell must be at least 1", ErrBadQuery)
	}
	if q.Epsilon < 0 || math.IsNaN(q.Epsilon) || math.IsInf(q.Epsilon, 0) {
		return fmt.Errorf("%w: epsilon must be a positive number", ErrBadQuery)
	}
	return nil
}

// Result is a query's published answer. It holds only counts of at least
// MinCell contributors (possibly noisy), bucket bounds and estimates.
type Result struct {
	Stat         Stat     `json:"stat"`
	By           []string `json:"by"`
	Period       string   `json:"period,omitempty"`
	AttestedOnly bool     `json:"attested_only"`
	MinCell      int      `json:"min_cell"`
	// Noise says how counts were perturbed ("" when they are exact).
	Noise string `json:"noise,omitempty"`
	// Store is the state of the store the result was computed from.
	Store StoreRef `json:"store"`
	Cells []Cell   `json:"cells"`
}

// StoreRef names a store state.
type StoreRef struct {
	Generation uint64 `json:"generation"`
	Rows       int64  `json:"rows"`
	State      string `json:"state"`
}

// Cell is one group.
type Cell struct {
	Key []string `json:"key"` // values of By, in order
	// Count is the number of contributors; nil when suppressed.
	Count      *int64     `json:"count"`
	Suppressed string     `json:"suppressed,omitempty"` // why, if it is
	Buckets    []Bucket   `json:"buckets,omitempty"`
	Quantiles  []Quantile `json:"quantiles,omitempty"`
}

// Bucket is one histogram bar. A top-coded bucket has no upper bound.
type Bucket struct {
	Lo         uint64  `json:"lo"`
	Hi         *uint64 `json:"hi"`
	Count      *int64  `json:"count"`
	Suppressed string  `json:"suppressed,omitempty"`
}

// Quantile is an estimate interpolated inside a bucket. The true quantile
// lies within ErrorBound (the width of that bucket) of Value. A quantile
// that falls in the top-coded bucket is only known to be at least Value.
type Quantile struct {
	Q          float64  `json:"q"`
	Value      *float64 `json:"value"`
	ErrorBound *float64 `json:"error_bound"`
	TopCoded   bool     `json:"top_coded,omitempty"`
	Suppressed string   `json:"suppressed,omitempty"`
}

// Suppression reasons.
const (
	ReasonFew           = "fewer than min-cell contributors"
	ReasonEmployers     = "fewer than 3 employers"
	ReasonDominance     = "one employer above 80%"
	ReasonComplementary = "complementary"
)

// cellAcc accumulates one cell.
type cellAcc struct {
	ids     [maxDims]uint32
	total   tally
	buckets map[[2]uint64]*tally
}

// tally counts contributors and, for attested rows, their employers.
type tally struct {
	n         int64
	attested  int64
	employers map[uint32]int64
}

func (t *tally) add(attested bool, employer uint32) {
	t.n++
	if attested {
		t.attested++
		if t.employers == nil {
			t.employers = map[uint32]int64{}
		}
		t.employers[employer]++
	}
}

func (t *tally) merge(o *tally) {
	t.n += o.n
	t.attested += o.attested
	for e, c := range o.employers {
		if t.employers == nil {
			t.employers = map[uint32]int64{}
		}
		t.employers[e] += c
	}
}

// dominance applies the rules for attested rows: at least 3 employers, and
// none with more than 80% of them.
func (t *tally) dominance() string {
	if t.attested == 0 {
		return ""
	}
	if len(t.employers) < 3 {
		return ReasonEmployers
	}
	var top int64
	for _, c := range t.employers {
		top = max(top, c)
	}
	if top*5 > t.attested*4 {
		return ReasonDominance
	}
	return ""
}

// primary is the reason a tally cannot be published on its own, or "".
func (t *tally) primary(k int) string {
	if t.n < int64(k) {
		return ReasonFew
	}
	return t.dominance()
}

const maxDims = 5

// aggregation is the group-by over the store: plain Go over Arrow columns.
type aggregation struct {
	q         *Query
	dicts     []map[string]uint32 // per dimension: value -> id
	values    [][]string          // per dimension: id -> value
	employers map[Field]uint32
	cells     map[[maxDims]uint32]*cellAcc
	periods   map[string]bool
}

func newAggregation(q *Query) *aggregation {
	a := &aggregation{q: q, employers: map[Field]uint32{}, cells: map[[maxDims]uint32]*cellAcc{}, periods: map[string]bool{}}
	a.dicts = make([]map[string]uint32, len(q.By))
	a.values = make([][]string, len(q.By))
	for i := range a.dicts {
		a.dicts[i] = map[string]uint32{}
	}
	return a
}

func (a *aggregation) id(dim int, v string) uint32 {
	if id, ok := a.dicts[dim][v]; ok {
		return id
	}
	id := uint32(len(a.values[dim]))
	v = strings.Clone(v) // v points into an Arrow buffer
	a.dicts[dim][v] = id
	a.values[dim] = append(a.values[dim], v)
	return id
}

func (a *aggregation) batch(b *segBatch) {
	c := b.rc
	cols := make([]func(int) string, len(a.q.By))
	for d, name := range a.q.By {
		switch name {
		case DimCurrency:
			cols[d] = c.currency.Value
		case DimRole:
			cols[d] = c.role.Value
		case DimRegion:
			cols[d] = c.region.Value
		case DimPeriod:
			cols[d] = c.period.Value
		case DimAttested:
			cols[d] = func(i int) string {
				if c.attested.Value(i) {
					return "true"
				}
				return "false"
			}
		}
	}
	buckets := a.q.Stat != StatCount
	n := int(b.rows.NumRows())
	var lastPeriod string
	for i := 0; i < n; i++ {
		if a.q.Period != "" && c.period.Value(i) != a.q.Period {
			continue
		}
		attested := c.attested.Value(i)
		if a.q.AttestedOnly && !attested {
			continue
		}
		if p := c.period.Value(i); p != lastPeriod && !a.periods[p] {
			a.periods[strings.Clone(p)] = true
			lastPeriod = p
		}
		var key [maxDims]uint32
		for d, col := range cols {
			key[d] = a.id(d, col(i))
		}
		cell := a.cells[key]
		if cell == nil {
			cell = &cellAcc{ids: key}
			if buckets {
				cell.buckets = map[[2]uint64]*tally{}
			}
			a.cells[key] = cell
		}
		var emp uint32
		if attested {
			f := Field(c.employer.Value(i))
			var ok bool
			if emp, ok = a.employers[f]; !ok {
				emp = uint32(len(a.employers))
				a.employers[f] = emp
			}
		}
		cell.total.add(attested, emp)
		if buckets {
			bk := [2]uint64{c.lo.Value(i), c.hi.Value(i)}
			t := cell.buckets[bk]
			if t == nil {
				t = &tally{}
				cell.buckets[bk] = t
			}
			t.add(attested, emp)
		}
	}
}

// Run answers q from the snapshot.
func (s *Snapshot) Run(ctx context.Context, q Query) (*Result, error) {
	q.By = slices.Clone(q.By)
	if err := q.normalize(); err != nil {
		return nil, err
	}
	if len(q.By) > maxDims {
		return nil, fmt.Errorf("%w: at most %d dimensions", ErrBadQuery, maxDims)
	}
	a := newAggregation(&q)
	err := s.scan(ctx, false, func(b *segBatch) error {
		a.batch(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &Result{
		Stat: q.Stat, By: q.By, Period: q.Period, AttestedOnly: q.AttestedOnly, MinCell: q.MinCell,
		Store: StoreRef{Generation: s.Manifest.Generation, Rows: s.Manifest.Rows, State: s.Manifest.State},
	}
	accs := make([]*cellAcc, 0, len(a.cells))
	for _, c := range a.cells {
		accs = append(accs, c)
	}
	keyOf := func(c *cellAcc) []string {
		k := make([]string, len(q.By))
		for d := range k {
			k[d] = a.values[d][c.ids[d]]
		}
		return k
	}
	sort.Slice(accs, func(i, j int) bool { return slices.Compare(keyOf(accs[i]), keyOf(accs[j])) < 0 })
	var nz *noiser
	if q.Epsilon > 0 {
		periods := int64(len(a.periods))
		nz = newNoiser(q.Epsilon, max(periods, 1), q.Stat != StatCount)
		res.Noise = nz.describe()
	}
	return res, publish(res, accs, keyOf, &q, nz)
}
