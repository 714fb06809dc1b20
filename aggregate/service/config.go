package service

import (
	"io"
	"log/slog"
	"time"

	"github.com/wageproof/wageproof/aggregate"
)

// Config is what a server needs. Only the directories and files are
// required; zero limits take the defaults below.
type Config struct {
	StoreDir    string // aggregate store (created if missing)
	KeysDir     string // verifying keys, <keys>/<circuit>/<backend>/
	PoolDir     string // claim pool (must exist: wageproof claim pool init)
	MembersFile string // member registry (created on the first join)
	// RootsFile keeps the history of member roots (default MembersFile +
	// ".roots.json"): which roots salary submissions may still use.
	RootsFile string
	// AttestersFile, if set, is synced into the pool at start: the employers
	// whose offers may be claimed.
	AttestersFile string
	// BenchmarksFile, if set, is the published benchmark table served at
	// /v1/benchmarks.
	BenchmarksFile string
	// AdminToken guards join and the Parquet export (bearer token). Without
	// one, those endpoints are refused. Never logged.
	AdminToken string
	// MinCell is the least min_cell a query may ask for (default
	// aggregate.DefaultMinCell): an analyst can ask for more suppression,
	// never less.
	MinCell int
	// Epsilon, if positive, is the largest differential-privacy budget a
	// query may use: every query is noised with at most this epsilon.
	Epsilon float64

	// Verifier checks proofs; default a keyring over KeysDir.
	Verifier aggregate.Verifier
	Logger   *slog.Logger
	Now      func() time.Time

	MaxProofBytes     int64         // body limit of proof and claim submissions (default 64 KiB)
	MaxJoinBytes      int64         // body limit of joins (default 4 KiB)
	ReadHeaderTimeout time.Duration // default 5s: slow headers are cut off
	ReadTimeout       time.Duration // default 30s: whole request
	WriteTimeout      time.Duration // default 60s (the export extends its own)
	IdleTimeout       time.Duration // default 120s
	HandlerTimeout    time.Duration // default 30s: a request's work
	MaxBatch          int           // most submissions committed together (default 1024)
	ShutdownTimeout   time.Duration // default 30s: Run waits this long for in-flight requests
}

func (c *Config) defaults() {
	if c.RootsFile == "" && c.MembersFile != "" {
		c.RootsFile = c.MembersFile + ".roots.json"
	}
	if c.MinCell <= 0 {
		c.MinCell = aggregate.DefaultMinCell
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.ReadHeaderTimeout, 5*time.Second)
	set(&c.ReadTimeout, 30*time.Second)
	set(&c.WriteTimeout, 60*time.Second)
	set(&c.IdleTimeout, 120*time.Second)
	set(&c.HandlerTimeout, 30*time.Second)
	set(&c.ShutdownTimeout, 30*time.Second)
	if c.MaxProofBytes <= 0 {
		c.MaxProofBytes = 64 << 10
	}
	if c.MaxJoinBytes <= 0 {
		c.MaxJoinBytes = 4 << 10
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 1024
	}
}
