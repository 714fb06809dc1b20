package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/claims"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/verifier"
)

// Server is the collective's service over one store, pool and registry.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   *aggregate.Store
	pool    *claims.Pool
	members *members
	writer  *writer
	// verifySlots bounds proofs verified at once, so a flood of requests
	// queues instead of holding every proof in memory at the same time.
	verifySlots chan struct{}
	handler     http.Handler
	routes      []route
}

// New opens the store (creating it if needed) and the pool, syncs the
// registries into the pool, and returns a server ready to serve.
func New(cfg Config) (*Server, error) {
	cfg.defaults()
	for _, f := range []struct{ name, v string }{{"store", cfg.StoreDir}, {"keys", cfg.KeysDir}, {"pool", cfg.PoolDir}, {"members", cfg.MembersFile}} {
		if f.v == "" {
			return nil, fmt.Errorf("service: no %s configured", f.name)
		}
	}
	if st, err := os.Stat(cfg.KeysDir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("service: key directory %s cannot be read", cfg.KeysDir)
	}
	if cfg.Verifier == nil {
		cfg.Verifier = verifier.OpenKeyring(cfg.KeysDir)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, verifySlots: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
	var err error
	if s.store, err = aggregate.Open(cfg.StoreDir); err != nil {
		return nil, fmt.Errorf("service: opening the store: %w", err)
	}
	if s.pool, err = claims.Open(cfg.PoolDir); err != nil {
		s.store.Close()
		return nil, fmt.Errorf("service: opening the claim pool: %w", err)
	}
	fail := func(err error) (*Server, error) {
		s.pool.Close()
		s.store.Close()
		return nil, fmt.Errorf("service: %w", err)
	}
	now := cfg.Now()
	if s.members, err = openMembers(cfg.MembersFile, cfg.RootsFile, s.pool, now); err != nil {
		return fail(err)
	}
	if cfg.AttestersFile != "" {
		if err := syncAttesters(s.pool, cfg.AttestersFile); err != nil {
			return fail(err)
		}
	}
	if cfg.BenchmarksFile != "" {
		if _, err := aggregate.ReadBenchmarks(cfg.BenchmarksFile); err != nil {
			return fail(err)
		}
	}
	s.writer = newWriter(s.store, cfg.MaxBatch, s.log)
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	m := s.store.Manifest()
	s.log.Info("service ready", "generation", m.Generation, "rows", m.Rows, "members", s.members.reg.Len(),
		"min_cell", cfg.MinCell, "admin", cfg.AdminToken != "")
	return s, nil
}

func syncAttesters(pool *claims.Pool, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("attester registry: %w", err)
	}
	reg, err := registry.Load(path)
	if err != nil {
		return err
	}
	return pool.SetAttesters(reg.Elements())
}

// Handler is the service's HTTP handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server with the configured limits and
// timeouts around the handler.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Run serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, waits (up to ShutdownTimeout) for in-flight requests, commits
// every queued submission, and closes the store and the pool.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := s.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String())
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		if err := hs.Shutdown(sctx); err != nil {
			s.log.Warn("in-flight requests cut off", "err", err)
			hs.Close()
		}
		cancel()
		serveErr = <-errc
	}
	cerr := s.Close()
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, cerr)
}

// Close commits queued submissions and closes the store and pool. Call it
// after the HTTP server has stopped handing requests to the handler.
func (s *Server) Close() error {
	s.writer.close()
	err := errors.Join(s.store.Close(), s.pool.Close())
	s.log.Info("closed")
	return err
}

// snapshot is the latest committed store state.
func (s *Server) snapshot() *aggregate.Snapshot { return s.writer.snapshot() }
