package aggregate

// collapse merges adjacent buckets so that every group could be published
// on its own (at least k contributors, dominance rules met), and top-codes
// the highest group. Quantiles interpolated from the groups then depend
// only on counts that pass disclosure control.
func collapse(m map[[2]uint64]*tally, k int) []group {
	top, rest := topCode(m, k)
	var groups []group
	var cur *group
	for _, b := range rest {
		if cur == nil {
			groups = append(groups, group{lo: b[0], hi: b[1]})
			cur = &groups[len(groups)-1]
		}
		cur.hi = max(cur.hi, b[1])
		cur.t.merge(m[b])
		if cur.t.primary(k) == "" {
			cur = nil
		}
	}
	if cur != nil {
		// A short run below the top group joins the top group.
		top.lo = cur.lo
		top.t.merge(&cur.t)
		groups = groups[:len(groups)-1]
	}
	return append(groups, top)
}

// estimateQuantiles interpolates linearly inside the group where each
// quantile's rank falls, as wage surveys estimate percentiles from wage
// intervals: value = lo + (rank - count below) / count in group * width.
// The true quantile lies in the same group, so the group's width bounds the
// error. Counts are noised first when nz is set.
func estimateQuantiles(groups []group, qs []float64, nz *noiser) []Quantile {
	counts := make([]int64, len(groups))
	var total int64
	for i, g := range groups {
		counts[i] = nz.count(g.t.n)
		total += counts[i]
	}
	out := make([]Quantile, len(qs))
	for j, q := range qs {
		out[j] = Quantile{Q: q}
		if total == 0 {
			out[j].Suppressed = ReasonFew
			continue
		}
		rank := q * float64(total)
		// The group holding the rank: the first non-empty one whose
		// cumulative count reaches it.
		at, below, cum := -1, int64(0), int64(0)
		for i := range groups {
			if counts[i] == 0 {
				continue
			}
			at, below = i, cum
			cum += counts[i]
			if float64(cum) >= rank {
				break
			}
		}
		g := groups[at]
		if g.open {
			out[j].Value = ptr(float64(g.lo))
			out[j].TopCoded = true
			continue
		}
		width := float64(g.hi - g.lo)
		frac := (rank - float64(below)) / float64(counts[at])
		out[j].Value = ptr(float64(g.lo) + min(max(frac, 0), 1)*width)
		out[j].ErrorBound = ptr(width)
	}
	return out
}
