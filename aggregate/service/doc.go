// Package service is the collective's HTTP service: member registry, salary
// proof and claim submission, disclosure-controlled distributions,
// benchmarks, the Parquet export, and a dashboard, all under /v1 (the
// dashboard at /).
//
// Writes are durable before they are acknowledged: an "accepted" answer is
// sent only after the row's segment and manifest (or the claim's bbolt
// transaction) are on disk. Salary submissions are verified concurrently and
// committed by one writer goroutine in groups (group commit), so a burst of
// submissions shares fsyncs instead of queueing for them one by one.
//
// Logs carry public values only: route, status, duration, error code. They
// never carry client addresses, commitments or nullifiers, which together
// with a timestamp could link a worker to a submission.
package service
