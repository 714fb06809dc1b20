// Package circuits is the catalog of wageproof's statements: each lives in a
// package of its own (salary, ...) with its circuit and native counterpart;
// this package names them for the prover, the verifier and the CLI.
package circuits

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/consensys/gnark/frontend"

	"github.com/wageproof/wageproof/circuits/attested"
	"github.com/wageproof/wageproof/circuits/offer"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Spec describes one statement.
type Spec struct {
	Name         string
	Version      int
	PublicInputs []string // in public-witness order
	// New returns an empty circuit to compile.
	New func() frontend.Circuit
	// CheckPublic rejects public inputs that no honest proof carries (an
	// unknown label encoding, an empty bucket) with a reason a person can
	// read. The proof check would reject them too, with less to say.
	CheckPublic func(map[string]*big.Int) error
	// Describe summarises a checked statement in a line, from its public
	// inputs alone.
	Describe func(map[string]*big.Int) string
}

var catalog = map[string]Spec{
	salary.Name: {
		Name:         salary.Name,
		Version:      salary.Version,
		PublicInputs: salary.PublicInputs,
		New:          func() frontend.Circuit { return &salary.Circuit{} },
		CheckPublic:  salary.CheckPublic,
		Describe:     salary.Describe,
	},
	attested.Name: {
		Name:         attested.Name,
		Version:      attested.Version,
		PublicInputs: attested.PublicInputs,
		New:          func() frontend.Circuit { return &attested.Circuit{} },
		CheckPublic:  attested.CheckPublic,
		Describe:     attested.Describe,
	},
	offer.Name: {
		Name:         offer.Name,
		Version:      offer.Version,
		PublicInputs: offer.PublicInputs,
		New:          func() frontend.Circuit { return &offer.Circuit{} },
		CheckPublic:  offer.CheckPublic,
		Describe:     offer.Describe,
	},
}

// Lookup returns the statement called name.
func Lookup(name string) (Spec, error) {
	s, ok := catalog[name]
	if !ok {
		return Spec{}, fmt.Errorf("unknown circuit %q (known: %v)", name, Names())
	}
	return s, nil
}

// Names lists the statements, sorted.
func Names() []string {
	names := make([]string, 0, len(catalog))
	for n := range catalog {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
