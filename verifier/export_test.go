package verifier

import (
	"context"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// VerifyBatchFixedScalars is VerifyBatch with every scalar equal to one: the
// predictable choice that random scalars exist to rule out. Tests use it to
// show that a crafted pair of invalid proofs would otherwise pass. It checks
// a batch of one with the batch equation too.
func (k *Key) VerifyBatchFixedScalars(ctx context.Context, items []*Decoded) ([]int, error) {
	ones := func(dst []fr.Element) error {
		for i := range dst {
			dst[i].SetOne()
		}
		return nil
	}
	return k.verifyBatch(ctx, items, ones, true, false)
}

// DrawScalars exposes randomScalars.
func DrawScalars(n int) ([]fr.Element, error) {
	r := make([]fr.Element, n)
	return r, randomScalars(r)
}
