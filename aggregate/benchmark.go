package aggregate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/wageproof/wageproof/circuits/codes"
)

// BenchmarkVersion is the version of the benchmark file format.
const BenchmarkVersion = 1

// ErrBenchmarks reports a benchmark file that is malformed or whose content
// hash does not match.
var ErrBenchmarks = errors.New("bad benchmark file")

// Benchmarks is a published benchmark table: for one period and quantile,
// the estimated amount of every (currency, role, region) cell with enough
// attested submissions. The offer circuit proves an offer is below one of
// these amounts; the claim registry accepts only amounts from a published
// file.
type Benchmarks struct {
	Version      int              `json:"version"`
	Period       string           `json:"period"`
	Quantile     float64          `json:"quantile"`
	MinCell      int              `json:"min_cell"`
	AttestedOnly bool             `json:"attested_only"`
	Store        StoreRef         `json:"store"`
	Entries      []BenchmarkEntry `json:"entries"`
	ContentHash  string           `json:"content_hash"`
}

// BenchmarkEntry is one cell's benchmark.
type BenchmarkEntry struct {
	Currency string `json:"currency"`
	Role     string `json:"role"`
	Region   string `json:"region"`
	// Amount is the quantile estimate rounded down to a whole unit.
	Amount       uint64 `json:"amount"`
	Contributors int64  `json:"contributors"`
	// ErrorBound is the width of the bucket the estimate was interpolated in.
	ErrorBound uint64 `json:"error_bound"`
}

// canonical is the text the content hash covers: one "key value" line per
// header field, then one "currency role region amount" line per entry in
// sorted order, each line ending in "\n".
func (b *Benchmarks) canonical() []byte {
	var s strings.Builder
	fmt.Fprintf(&s, "wageproof-benchmarks %d\n", b.Version)
	fmt.Fprintf(&s, "period %s\n", b.Period)
	fmt.Fprintf(&s, "quantile %s\n", strconv.FormatFloat(b.Quantile, 'g', -1, 64))
	fmt.Fprintf(&s, "min_cell %d\n", b.MinCell)
	fmt.Fprintf(&s, "store %s\n", b.Store.State)
	for _, e := range b.Entries {
		fmt.Fprintf(&s, "%s %s %s %d\n", e.Currency, e.Role, e.Region, e.Amount)
	}
	return []byte(s.String())
}

// Hash computes the content hash.
func (b *Benchmarks) Hash() string {
	sum := sha256.Sum256(b.canonical())
	return hex.EncodeToString(sum[:])
}

// PublishBenchmarks computes the benchmark table for period from the
// attested submissions, with the same disclosure control as queries: a cell
// is published only with at least minCell contributors and the dominance
// rules met, and an estimate that falls in the top-coded bucket is not
// published.
func (s *Snapshot) PublishBenchmarks(ctx context.Context, period string, quantile float64, minCell int) (*Benchmarks, error) {
	p, err := codes.Normalize(codes.Period, period)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadQuery, err)
	}
	res, err := s.Run(ctx, Query{
		By: []string{DimCurrency, DimRole, DimRegion}, Period: p, Stat: StatQuantiles,
		Quantiles: []float64{quantile}, AttestedOnly: true, MinCell: minCell,
	})
	if err != nil {
		return nil, err
	}
	b := &Benchmarks{Version: BenchmarkVersion, Period: p, Quantile: quantile, MinCell: res.MinCell, AttestedOnly: true, Store: res.Store, Entries: []BenchmarkEntry{}}
	for _, c := range res.Cells {
		if c.Suppressed != "" || len(c.Quantiles) != 1 {
			continue
		}
		q := c.Quantiles[0]
		if q.Value == nil || q.TopCoded || q.Suppressed != "" {
			continue
		}
		b.Entries = append(b.Entries, BenchmarkEntry{
			Currency: c.Key[0], Role: c.Key[1], Region: c.Key[2],
			Amount: uint64(math.Floor(*q.Value)), Contributors: *c.Count, ErrorBound: uint64(*q.ErrorBound),
		})
	}
	slices.SortFunc(b.Entries, compareEntries)
	b.ContentHash = b.Hash()
	return b, nil
}

// NewBenchmarks makes a table from entries outside a store (a table agreed by
// hand, test fixtures): it sorts the entries and computes the content hash.
func NewBenchmarks(period string, quantile float64, entries []BenchmarkEntry) *Benchmarks {
	b := &Benchmarks{Version: BenchmarkVersion, Period: period, Quantile: quantile, Entries: slices.Clone(entries)}
	slices.SortFunc(b.Entries, compareEntries)
	b.ContentHash = b.Hash()
	return b
}

func compareEntries(x, y BenchmarkEntry) int {
	return strings.Compare(x.Currency+" "+x.Role+" "+x.Region, y.Currency+" "+y.Role+" "+y.Region)
}

// Marshal encodes the file as indented JSON with a final newline.
func (b *Benchmarks) Marshal() ([]byte, error) {
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// WriteFile writes the benchmark file atomically.
func (b *Benchmarks) WriteFile(path string) error {
	out, err := b.Marshal()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, out)
}

// ReadBenchmarks reads a benchmark file and checks its content hash.
func ReadBenchmarks(path string) (*Benchmarks, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b Benchmarks
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBenchmarks, path, err)
	}
	if b.Version != BenchmarkVersion {
		return nil, fmt.Errorf("%w: %s has version %d, want %d", ErrBenchmarks, path, b.Version, BenchmarkVersion)
	}
	if !slices.IsSortedFunc(b.Entries, compareEntries) {
		return nil, fmt.Errorf("%w: %s: entries are not sorted", ErrBenchmarks, path)
	}
	if got := b.Hash(); got != b.ContentHash {
		return nil, fmt.Errorf("%w: %s: content hash %s does not match its content (%s)", ErrBenchmarks, path, b.ContentHash, got)
	}
	return &b, nil
}

// Lookup returns the benchmark of a cell.
func (b *Benchmarks) Lookup(currency, role, region string) (BenchmarkEntry, bool) {
	for _, e := range b.Entries {
		if e.Currency == currency && e.Role == role && e.Region == region {
			return e, true
		}
	}
	return BenchmarkEntry{}, false
}
