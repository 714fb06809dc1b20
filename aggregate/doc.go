// Package aggregate is the collective's side of wageproof: an append-only
// Arrow store of verified salary-bucket submissions, the ingest that fills it,
// the analyst's queries with disclosure control, the published benchmarks the
// offer circuit reads, and Parquet export.
//
// The store never holds a salary: a row is what a proof makes public (a
// commitment, a bucket, labels, roots and a nullifier) plus the proof itself,
// so anyone holding the verifying keys can re-verify every row.
package aggregate
