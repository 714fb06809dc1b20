// Package bench compares wageproof's proving systems on every statement of
// the catalog (BenchmarkBackends); it has no code of its own. It is a
// package apart so that its witness builders, which follow the circuits'
// input types, are compiled only by `go test ./prover/bench` and `make bench`.
package bench
