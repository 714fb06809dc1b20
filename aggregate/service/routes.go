package service

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// route is one endpoint. The table is the single list of what the server
// serves: the mux is built from it, and a test checks that the OpenAPI
// document describes every entry.
type route struct {
	Method, Path string
	// Admin routes need the bearer token.
	Admin bool
	// MaxBody is the request body limit (0: no body expected).
	MaxBody int64
	// Stream routes write their own answer as they go and are not bound by
	// the handler timeout.
	Stream bool
	h      func(w http.ResponseWriter, r *http.Request) error
}

func (s *Server) routeTable() []route {
	return []route{
		{Method: "GET", Path: "/v1/health", h: s.health},
		{Method: "GET", Path: "/v1/openapi.json", h: serveOpenAPI},
		{Method: "POST", Path: "/v1/members", Admin: true, MaxBody: s.cfg.MaxJoinBytes, h: s.join},
		{Method: "GET", Path: "/v1/members/root", h: s.root},
		{Method: "GET", Path: "/v1/members/roots", h: s.roots},
		{Method: "GET", Path: "/v1/members/{commitment}/path", h: s.memberPath},
		{Method: "POST", Path: "/v1/submissions", MaxBody: s.cfg.MaxProofBytes, h: s.submitProof},
		{Method: "POST", Path: "/v1/claims", MaxBody: s.cfg.MaxProofBytes, h: s.submitClaim},
		{Method: "GET", Path: "/v1/claims/employers", h: s.employers},
		{Method: "GET", Path: "/v1/distributions", h: s.distributions},
		{Method: "GET", Path: "/v1/benchmarks", h: s.benchmarks},
		{Method: "GET", Path: "/v1/benchmarks/hash", h: s.benchmarksHash},
		{Method: "GET", Path: "/v1/export", Admin: true, Stream: true, h: s.export},
		{Method: "GET", Path: "/{$}", h: serveDashboard},
		{Method: "GET", Path: "/assets/{file}", h: serveAsset},
	}
}

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	// Unmatched requests get the mux's status (404, or 405 with Allow) as a
	// JSON error like every other answer.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		sw := &statusWriter{ResponseWriter: w}
		code, msg := CodeNotFound, "no such endpoint"
		if rec.Code == http.StatusMethodNotAllowed {
			code, msg = CodeMethodNotAllowed, "method not allowed here"
		}
		writeError(sw, &apiError{Status: rec.Code, Code: code, Message: msg})
		s.log.Info("request", "method", r.Method, "route", "", "status", sw.status, "code", sw.code)
	})
}

// recorder captures the status the mux gives an unmatched request.
type recorder struct {
	header http.Header
	Code   int
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.Code == 0 {
		r.Code = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return len(b), nil
}

// statusWriter remembers what was answered, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	code   string
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) wrap(rt route) http.Handler {
	pattern := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					s.log.Warn("request aborted", "route", pattern)
					panic(p)
				}
				s.log.Error("handler panic", "route", pattern, "panic", p)
				if sw.status == 0 {
					writeError(sw, &apiError{Status: 500, Code: CodeInternal, Message: "internal error"})
				}
			}
			// Public values only: no client address, no body, no token.
			s.log.Info("request", "method", r.Method, "route", rt.Path, "status", sw.status,
				"code", sw.code, "bytes", sw.bytes, "ms", float64(time.Since(start).Microseconds())/1000)
		}()
		if rt.Admin && !s.authorized(r) {
			if s.cfg.AdminToken == "" {
				writeError(sw, newError(http.StatusForbidden, CodeForbidden, "this server has no admin token configured, so admin endpoints are off"))
			} else {
				sw.Header().Set("WWW-Authenticate", `Bearer realm="wageproof"`)
				writeError(sw, newError(http.StatusUnauthorized, CodeUnauthorized, "admin endpoint: send Authorization: Bearer <token>"))
			}
			return
		}
		if rt.MaxBody > 0 {
			if r.ContentLength > rt.MaxBody {
				writeError(sw, tooLarge(rt.MaxBody))
				return
			}
			r.Body = http.MaxBytesReader(sw, r.Body, rt.MaxBody)
		}
		if !rt.Stream {
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.HandlerTimeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		if err := rt.h(sw, r); err != nil {
			ae := s.classify(err)
			if ae.Status >= 500 {
				s.log.Error("request failed", "route", rt.Path, "err", err)
			}
			if sw.status == 0 {
				writeError(sw, ae)
			}
		}
	})
}

func (s *Server) classify(err error) *apiError {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return newError(http.StatusServiceUnavailable, CodeTimeout, "the request took too long")
	case errors.Is(err, context.Canceled):
		return newError(499, CodeTimeout, "the client went away")
	}
	return rejection(err)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.AdminToken == "" {
		return false
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AdminToken)) == 1
}

func tooLarge(limit int64) *apiError {
	return newError(http.StatusRequestEntityTooLarge, CodeTooLarge, "the request body is larger than %d bytes", limit)
}

// readBody reads a request body within its limit and turns the ways it can
// fail into API errors: too large, too slow, or cut off.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err == nil {
		return b, nil
	}
	var mb *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mb):
		return nil, tooLarge(mb.Limit)
	case errors.As(err, &ne) && ne.Timeout():
		return nil, newError(http.StatusRequestTimeout, CodeTimeout, "the request body arrived too slowly")
	}
	return nil, newError(http.StatusBadRequest, CodeBadRequest, "reading the request body: %v", err)
}
