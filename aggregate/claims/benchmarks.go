package claims

import (
	"fmt"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/circuits/codes"
)

// Benchmarks is a benchmark table as `wageproof benchmark publish` wrote it
// (aggregate.Benchmarks), checked for the pool's use.
type Benchmarks struct {
	*aggregate.Benchmarks
	// ID names the table in the pool: its content hash, which covers the
	// period, quantile, store state and every entry, so a table edited by
	// hand is refused on read.
	ID string
}

// Cell names a benchmark cell.
type Cell struct {
	Period, Currency, Role, Region string
}

// NewCell returns the cell of the given labels, normalised.
func NewCell(period, currency, role, region string) (Cell, error) {
	var c Cell
	var err error
	for _, l := range []struct {
		k   codes.Kind
		s   string
		dst *string
	}{{codes.Period, period, &c.Period}, {codes.Currency, currency, &c.Currency}, {codes.Role, role, &c.Role}, {codes.Region, region, &c.Region}} {
		if *l.dst, err = codes.Normalize(l.k, l.s); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c Cell) String() string {
	return c.Currency + " " + c.Role + " " + c.Region + " " + c.Period
}

func (c Cell) key() []byte {
	return []byte(c.Period + "|" + c.Currency + "|" + c.Role + "|" + c.Region)
}

// LoadBenchmarks reads a published benchmark file: its content hash must
// match, its labels must be canonical, and no cell may appear twice.
func LoadBenchmarks(path string) (*Benchmarks, error) {
	b, err := aggregate.ReadBenchmarks(path)
	if err != nil {
		return nil, fmt.Errorf("benchmarks: %w", err)
	}
	canonical := func(k codes.Kind, s string) error {
		n, err := codes.Normalize(k, s)
		if err == nil && n != s {
			err = fmt.Errorf("%s %q is not in canonical form %q", k, s, n)
		}
		return err
	}
	if err := canonical(codes.Period, b.Period); err != nil {
		return nil, fmt.Errorf("benchmarks: %s: %w", path, err)
	}
	t := &Benchmarks{Benchmarks: b, ID: b.ContentHash}
	seen := map[Cell]bool{}
	for i, e := range b.Entries {
		for _, l := range []struct {
			k codes.Kind
			s string
		}{{codes.Currency, e.Currency}, {codes.Role, e.Role}, {codes.Region, e.Region}} {
			if err := canonical(l.k, l.s); err != nil {
				return nil, fmt.Errorf("benchmarks: %s entry %d: %w", path, i, err)
			}
		}
		c := t.cell(e)
		if seen[c] {
			return nil, fmt.Errorf("benchmarks: %s: cell %s appears twice", path, c)
		}
		seen[c] = true
	}
	return t, nil
}

func (t *Benchmarks) cell(e aggregate.BenchmarkEntry) Cell {
	return Cell{Period: t.Period, Currency: e.Currency, Role: e.Role, Region: e.Region}
}

// Amount returns the benchmark amount of a cell.
func (t *Benchmarks) Amount(c Cell) (uint64, bool) {
	if c.Period != t.Period {
		return 0, false
	}
	e, ok := t.Lookup(c.Currency, c.Role, c.Region)
	return e.Amount, ok
}
