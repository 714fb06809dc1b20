package claims

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/wageproof/wageproof/circuits/codes"
)

// Benchmarks is a published benchmark table: for one period and quantile, an
// amount per (currency, role, region) cell.
//
// This is a minimal reader of the file that `wageproof benchmark publish`
// writes; until that lands, a file in this format written by hand will do:
//
//	{"version": 1, "period": "2026-11", "quantile": 0.25, "content_hash": "...",
//	 "entries": [{"currency": "USD", "role": "15-1252", "region": "US-CA", "amount": 100000}]}
type Benchmarks struct {
	Version     int              `json:"version"`
	Period      string           `json:"period"`
	Quantile    float64          `json:"quantile"`
	ContentHash string           `json:"content_hash"`
	Entries     []BenchmarkEntry `json:"entries"`

	// ID is the SHA-256 of the file's bytes: the pool names the tables it
	// accepts by it, whatever content_hash the publisher computed.
	ID string `json:"-"`
}

// BenchmarkEntry is one cell of a benchmark table.
type BenchmarkEntry struct {
	Currency string `json:"currency"`
	Role     string `json:"role"`
	Region   string `json:"region"`
	Amount   uint64 `json:"amount"`
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

// LoadBenchmarks reads and checks a benchmark file: labels valid, no cell twice.
func LoadBenchmarks(path string) (*Benchmarks, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("benchmarks: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var t Benchmarks
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("benchmarks: %s is not a benchmark file: %w", path, err)
	}
	if t.Version != 1 {
		return nil, fmt.Errorf("benchmarks: %s has version %d, want 1", path, t.Version)
	}
	if t.Period, err = codes.Normalize(codes.Period, t.Period); err != nil {
		return nil, fmt.Errorf("benchmarks: %s: %w", path, err)
	}
	seen := map[Cell]bool{}
	for i := range t.Entries {
		for _, l := range []struct {
			k codes.Kind
			s *string
		}{{codes.Currency, &t.Entries[i].Currency}, {codes.Role, &t.Entries[i].Role}, {codes.Region, &t.Entries[i].Region}} {
			if *l.s, err = codes.Normalize(l.k, *l.s); err != nil {
				return nil, fmt.Errorf("benchmarks: %s entry %d: %w", path, i, err)
			}
		}
		c := t.cell(t.Entries[i])
		if seen[c] {
			return nil, fmt.Errorf("benchmarks: %s: cell %s appears twice", path, c)
		}
		seen[c] = true
	}
	sum := sha256.Sum256(b)
	t.ID = hex.EncodeToString(sum[:])
	return &t, nil
}

func (t *Benchmarks) cell(e BenchmarkEntry) Cell {
	return Cell{Period: t.Period, Currency: e.Currency, Role: e.Role, Region: e.Region}
}

// Lookup returns the amount of a cell.
func (t *Benchmarks) Lookup(c Cell) (uint64, bool) {
	for _, e := range t.Entries {
		if t.cell(e) == c {
			return e.Amount, true
		}
	}
	return 0, false
}
