package aggregate

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// supItem is a publishable count in a table of any number of dimensions.
type supItem struct {
	key    []string
	n      int64
	reason string // why it is suppressed; "" if published
}

// complement applies complementary suppression. A line is the set of items
// that agree on every coordinate but one; its total is what a coarser query
// publishes. In every line, the suppressed items must be none, or at least
// two that together hold at least k contributors, so that no suppressed
// item can be recovered (or narrowed below k) by subtracting the published
// items from the line's total. Published items are suppressed, smallest
// first, until that holds everywhere.
func complement(items []*supItem, dims, k int) {
	for changed := true; changed; {
		changed = false
		for d := 0; d < dims; d++ {
			lines := map[string][]*supItem{}
			for _, it := range items {
				lines[lineKey(it.key, d)] = append(lines[lineKey(it.key, d)], it)
			}
			for _, line := range lines {
				if fixLine(line, k) {
					changed = true
				}
			}
		}
	}
}

func lineKey(key []string, skip int) string {
	var b strings.Builder
	for i, v := range key {
		if i != skip {
			b.WriteString(v)
		}
		b.WriteByte(0)
	}
	return b.String()
}

func fixLine(line []*supItem, k int) bool {
	var nSup int
	var sumSup int64
	var pub []*supItem
	for _, it := range line {
		if it.reason != "" {
			nSup++
			sumSup += it.n
		} else {
			pub = append(pub, it)
		}
	}
	if nSup == 0 {
		return false
	}
	sort.SliceStable(pub, func(i, j int) bool {
		if pub[i].n != pub[j].n {
			return pub[i].n < pub[j].n
		}
		return slices.Compare(pub[i].key, pub[j].key) < 0
	})
	changed := false
	for len(pub) > 0 && (nSup < 2 || sumSup < int64(k)) {
		pub[0].reason = ReasonComplementary
		nSup++
		sumSup += pub[0].n
		pub = pub[1:]
		changed = true
	}
	return changed
}

// publish turns the accumulated cells into the result, applying disclosure
// control: per-cell and per-bucket thresholds, dominance rules for attested
// rows, top-coding, complementary suppression, and optional noise.
func publish(res *Result, accs []*cellAcc, keyOf func(*cellAcc) []string, q *Query, nz *noiser) error {
	k := q.MinCell
	cells := make([]*supItem, len(accs))
	for i, c := range accs {
		cells[i] = &supItem{key: keyOf(c), n: c.total.n, reason: c.total.primary(k)}
	}
	complement(cells, len(q.By), k)

	res.Cells = make([]Cell, len(accs))
	for i, c := range accs {
		out := Cell{Key: cells[i].key, Suppressed: cells[i].reason}
		if out.Suppressed == "" {
			out.Count = ptr(nz.count(c.total.n))
		}
		res.Cells[i] = out
	}
	switch q.Stat {
	case StatHistogram:
		publishHistograms(res, accs, cells, len(q.By), k, nz)
	case StatQuantiles:
		for i, c := range accs {
			if cells[i].reason == "" {
				res.Cells[i].Quantiles = estimateQuantiles(collapse(c.buckets, k), q.Quantiles, nz)
			}
		}
	}
	return nil
}

// group is a run of adjacent buckets published as one.
type group struct {
	lo, hi uint64
	open   bool // top-coded: hi is not published
	t      tally
}

func sortedBuckets(m map[[2]uint64]*tally) [][2]uint64 {
	keys := make([][2]uint64, 0, len(m))
	for b := range m {
		keys = append(keys, b)
	}
	slices.SortFunc(keys, func(a, b [2]uint64) int {
		if a[0] != b[0] {
			return cmp64(a[0], b[0])
		}
		return cmp64(a[1], b[1])
	})
	return keys
}

func cmp64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// topCode merges buckets from the top down until the top group could be
// published on its own, and marks it open-ended: the highest earners'
// bucket edges are never shown. It returns the top group and the buckets
// below it.
func topCode(m map[[2]uint64]*tally, k int) (top group, rest [][2]uint64) {
	keys := sortedBuckets(m)
	top.open = true
	for len(keys) > 0 {
		b := keys[len(keys)-1]
		keys = keys[:len(keys)-1]
		top.lo, top.hi = b[0], max(top.hi, b[1])
		top.t.merge(m[b])
		if top.t.primary(k) == "" {
			break
		}
	}
	return top, keys
}

func publishHistograms(res *Result, accs []*cellAcc, cells []*supItem, dims, k int, nz *noiser) {
	type entry struct {
		it     *supItem
		lo, hi uint64
		open   bool
	}
	// A bucket's coordinate in the suppression table is its lower bound, so
	// that a top-coded group lines up with the buckets starting there in
	// other cells.
	coord := func(cell []string, lo uint64) []string {
		return append(slices.Clone(cell), strconv.FormatUint(lo, 10))
	}
	per := make([][]entry, len(accs))
	var all []*supItem
	for i, c := range accs {
		top, rest := topCode(c.buckets, k)
		var es []entry
		for _, b := range rest {
			t := c.buckets[b]
			es = append(es, entry{it: &supItem{key: coord(cells[i].key, b[0]), n: t.n, reason: t.primary(k)}, lo: b[0], hi: b[1]})
		}
		es = append(es, entry{it: &supItem{key: coord(cells[i].key, top.lo), n: top.t.n, reason: top.t.primary(k)}, lo: top.lo, open: true})
		for _, e := range es {
			if cells[i].reason != "" {
				e.it.reason = cells[i].reason
			}
			all = append(all, e.it)
		}
		per[i] = es
	}
	complement(all, dims+1, k)
	for i := range accs {
		if cells[i].reason != "" {
			// A suppressed cell lists no buckets: their bounds would show
			// where its few contributors are.
			continue
		}
		for _, e := range per[i] {
			b := Bucket{Lo: e.lo, Suppressed: e.it.reason}
			if !e.open {
				b.Hi = ptr(e.hi)
			}
			if e.it.reason == "" {
				b.Count = ptr(nz.count(e.it.n))
			}
			res.Cells[i].Buckets = append(res.Cells[i].Buckets, b)
		}
	}
}
