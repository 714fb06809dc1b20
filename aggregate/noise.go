package aggregate

import (
	"fmt"

	"github.com/google/differential-privacy/go/v3/noise"
)

// noiser perturbs published counts with Laplace noise from Google's
// differential-privacy library. A nil noiser publishes exact counts.
type noiser struct {
	epsilon float64
	// l0 is how many published counts one member can change: one row per
	// period, counted once in its cell and, for histograms and quantiles,
	// once more in its bucket.
	l0 int64
	n  noise.Noise
}

func newNoiser(epsilon float64, periods int64, buckets bool) *noiser {
	l0 := periods
	if buckets {
		l0 *= 2
	}
	return &noiser{epsilon: epsilon, l0: l0, n: noise.Laplace()}
}

func (z *noiser) describe() string {
	return fmt.Sprintf("laplace noise from github.com/google/differential-privacy: epsilon=%g for the whole result, l0 sensitivity %d, linf 1; counts are noisy, suppression is decided on exact counts", z.epsilon, z.l0)
}

// count returns x, noised if z is set, and never below zero.
func (z *noiser) count(x int64) int64 {
	if z == nil {
		return x
	}
	v, err := z.n.AddNoiseInt64(x, z.l0, 1, z.epsilon, 0)
	if err != nil {
		// Arguments are validated by Query.normalize; an error here is a bug.
		panic(fmt.Sprintf("aggregate: noise: %v", err))
	}
	return max(v, 0)
}
