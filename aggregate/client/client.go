// Package client talks to a wageproof service (package service) over HTTP:
// what the CLI's --server flags use. It never sends a salary or an identity
// secret: a worker fetches a Merkle path, proves locally, and submits only
// the proof.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/wageproof/wageproof/aggregate"
	"github.com/wageproof/wageproof/aggregate/service"
	"github.com/wageproof/wageproof/circuits/merkle"
	"github.com/wageproof/wageproof/circuits/registry"
	"github.com/wageproof/wageproof/circuits/salary"
)

// Client is a service's base URL and the HTTP client to reach it with.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string
}

// Option tunes a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (default: 60 s timeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithAdminToken sends the bearer token admin endpoints need.
func WithAdminToken(t string) Option { return func(c *Client) { c.token = t } }

// New returns a client for the service at base (e.g. http://127.0.0.1:8080).
func New(base string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: %q is not an http(s) URL", base)
	}
	c := &Client{base: u, http: &http.Client{Timeout: 60 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Error is an error answer of the service: its HTTP status and stable code.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("server said %s (%d): %s", e.Code, e.Status, e.Message)
}

// Is matches an *Error with the same code, so callers can write
// errors.Is(err, client.ErrDuplicate).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errors to compare with errors.Is.
var (
	ErrDuplicate = &Error{Code: service.CodeDuplicate}
	ErrNotMember = &Error{Code: service.CodeNotMember}
	ErrTooLarge  = &Error{Code: service.CodeTooLarge}
)

func (c *Client) url(path string, q url.Values) string {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	return u.String()
}

// do sends a request and returns the response if its status is 2xx, or the
// service's error.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body []byte, accept string, admin bool) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path, q), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if admin && c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var eb service.ErrorBody
	if json.Unmarshal(raw, &eb) != nil || eb.Error.Code == "" {
		return nil, &Error{Status: resp.StatusCode, Code: "http_" + strconv.Itoa(resp.StatusCode), Message: strings.TrimSpace(string(raw))}
	}
	return nil, &Error{Status: resp.StatusCode, Code: eb.Error.Code, Message: eb.Error.Message}
}

func (c *Client) getJSON(ctx context.Context, path string, q url.Values, v any) error {
	resp, err := c.do(ctx, http.MethodGet, path, q, nil, "application/json", false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decode(resp.Body, v)
}

func (c *Client) postJSON(ctx context.Context, path string, body []byte, v any, admin bool) error {
	resp, err := c.do(ctx, http.MethodPost, path, nil, body, "application/json", admin)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decode(resp.Body, v)
}

func decode(r io.Reader, v any) error {
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return fmt.Errorf("client: the server's answer is not what this client expects: %w", err)
	}
	return nil
}

// Health asks whether the service is up, and its store state.
func (c *Client) Health(ctx context.Context) (*service.Health, error) {
	var h service.Health
	return &h, c.getJSON(ctx, "/v1/health", nil, &h)
}

// Join adds an identity commitment (admin).
func (c *Client) Join(ctx context.Context, commitment fr.Element) (*service.JoinResult, error) {
	body, _ := json.Marshal(service.JoinRequest{Commitment: commitment.String()})
	var r service.JoinResult
	return &r, c.postJSON(ctx, "/v1/members", body, &r, true)
}

// Roots lists the member roots the service accepts.
func (c *Client) Roots(ctx context.Context) (*service.RootsResult, error) {
	var r service.RootsResult
	return &r, c.getJSON(ctx, "/v1/members/roots", nil, &r)
}

// Membership fetches a commitment's Merkle path and checks it: the path
// must lead from the commitment to the root the service names, so a wrong
// or lying service cannot make the worker prove against a tree it is not
// in.
func (c *Client) Membership(ctx context.Context, commitment fr.Element) (salary.Membership, error) {
	var r service.PathResult
	if err := c.getJSON(ctx, "/v1/members/"+commitment.String()+"/path", nil, &r); err != nil {
		return salary.Membership{}, err
	}
	if r.Depth != merkle.Depth || len(r.Path) != merkle.Depth || r.Index < 0 || r.Index >= merkle.Capacity {
		return salary.Membership{}, fmt.Errorf("client: the server sent a path of depth %d (%d siblings), want %d", r.Depth, len(r.Path), merkle.Depth)
	}
	var m salary.Membership
	var err error
	m.Index = r.Index
	for i, s := range r.Path {
		if m.Path[i], err = registry.ParseElement(s); err != nil {
			return salary.Membership{}, fmt.Errorf("client: sibling %d: %w", i, err)
		}
	}
	if m.Root, err = registry.ParseElement(r.Root); err != nil {
		return salary.Membership{}, fmt.Errorf("client: root: %w", err)
	}
	if got := merkle.RootFrom(commitment, m.Index, m.Path); !got.Equal(&m.Root) {
		return salary.Membership{}, errors.New("client: the server's Merkle path does not lead to its root")
	}
	return m, nil
}

// SubmitProof posts a salary proof envelope (its JSON bytes).
func (c *Client) SubmitProof(ctx context.Context, envelope []byte) (*service.SubmissionResult, error) {
	var r service.SubmissionResult
	return &r, c.postJSON(ctx, "/v1/submissions", envelope, &r, false)
}

// SubmitClaim posts a claim proof envelope (its JSON bytes).
func (c *Client) SubmitClaim(ctx context.Context, envelope []byte) (*service.ClaimResult, error) {
	var r service.ClaimResult
	return &r, c.postJSON(ctx, "/v1/claims", envelope, &r, false)
}

// Employers is the reputation table.
func (c *Client) Employers(ctx context.Context) (*service.EmployersResult, error) {
	var r service.EmployersResult
	return &r, c.getJSON(ctx, "/v1/claims/employers", nil, &r)
}

// QueryValues encodes q as the distribution endpoint's parameters.
func QueryValues(q aggregate.Query) url.Values {
	v := url.Values{}
	if len(q.By) > 0 {
		v.Set("by", strings.Join(q.By, ","))
	}
	if q.Period != "" {
		v.Set("period", q.Period)
	}
	if q.Stat != "" {
		v.Set("stat", string(q.Stat))
	}
	if len(q.Quantiles) > 0 {
		s := make([]string, len(q.Quantiles))
		for i, f := range q.Quantiles {
			s[i] = strconv.FormatFloat(f, 'g', -1, 64)
		}
		v.Set("quantiles", strings.Join(s, ","))
	}
	if q.AttestedOnly {
		v.Set("attested_only", "true")
	}
	if q.MinCell > 0 {
		v.Set("min_cell", strconv.Itoa(q.MinCell))
	}
	if q.Epsilon > 0 {
		v.Set("epsilon", strconv.FormatFloat(q.Epsilon, 'g', -1, 64))
	}
	return v
}

// Query runs q on the service and returns the result.
func (c *Client) Query(ctx context.Context, q aggregate.Query) (*aggregate.Result, error) {
	v := QueryValues(q)
	v.Set("format", aggregate.FormatJSON)
	var r aggregate.Result
	return &r, c.getJSON(ctx, "/v1/distributions", v, &r)
}

// QueryTo runs q and copies the answer in format (json, csv, arrow or
// parquet) to w, as the service wrote it.
func (c *Client) QueryTo(ctx context.Context, q aggregate.Query, format string, w io.Writer) error {
	v := QueryValues(q)
	v.Set("format", format)
	resp, err := c.do(ctx, http.MethodGet, "/v1/distributions", v, nil, "", false)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

// Benchmarks fetches the published benchmark file's bytes and checks its
// content hash.
func (c *Client) Benchmarks(ctx context.Context) (*aggregate.Benchmarks, []byte, error) {
	resp, err := c.do(ctx, http.MethodGet, "/v1/benchmarks", nil, nil, "application/json", false)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, nil, err
	}
	var b aggregate.Benchmarks
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, nil, fmt.Errorf("client: benchmarks: %w", err)
	}
	if got := b.Hash(); got != b.ContentHash {
		return nil, nil, fmt.Errorf("client: the server's benchmark file does not match its content hash")
	}
	return &b, raw, nil
}

// Export copies the store's Parquet export to w (admin).
func (c *Client) Export(ctx context.Context, w io.Writer) error {
	resp, err := c.do(ctx, http.MethodGet, "/v1/export", nil, nil, "", true)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}
